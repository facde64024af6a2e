/**
 * The factory-defaults file: a JSON object of TR-181 parameter paths (with instance numbers) to
 * values. It seeds the data model when the data directory holds no saved state, and is what
 * FactoryReset() restores. Any unknown path or bad value stops the start with a message that
 * names the offending path.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode, ObjectInstance } from '../../datamodel/tree/ModelNode.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import { parseValue } from '../../datamodel/value/parse-value.js';
import type { Value } from '../../datamodel/value/Value.js';
import { UspError } from '../../datamodel/UspError.js';
import { outsideEnumerationRef, readOnlyIgnored, type DefaultsEntry } from './check-defaults.js';
import { MQTT_BROKER_KEY, mqttBrokerFromFile } from './mqtt-broker-option.js';
import { UPNP_IGD_KEY, upnpIgdFromFile } from './upnp-igd-option.js';
import { TIME_KEY, TIME_ZONE_FILE_KEY, timeFromFile, timeZoneFileFromFile } from './time-option.js';
import { HOSTAPD_CONF_KEY, hostapdConfFromFile } from './wifi-option.js';
import { RADVD_KEY, radvdFromFile } from './radvd-option.js';
import { takeServiceSwitches } from './service-switches-option.js';
import type { ServiceSwitches } from '../../platform/service-switches.js';
import { ALARM_CHECK_PERIOD_KEY, alarmCheckPeriodFromFile } from './alarm-check-option.js';
import {
  MANAGE_DNS_KEY,
  MANAGE_INTERFACES_KEY,
  manageDnsFromFile,
  manageInterfacesFromFile,
  PACKET_COUNTERS_KEY,
  packetCountersFromFile,
  NAT_KEY,
  natFromFile,
  DNSMASQ_KEY,
  dnsmasqFromFile,
  ACCESS_CONTROL_KEY,
  accessControlFromFile,
  FIREWALL_KEY,
  firewallFromFile,
  DHCP_CLIENT_KEY,
  dhcpClientFromFile,
} from './manage-interfaces.js';

export type DefaultsFile = Record<string, string | number | boolean>;

export class DefaultsError extends Error {
  constructor(
    readonly path: string,
    why: string,
  ) {
    super(`factory defaults: ${path}: ${why}`);
  }
}

/**
 * The one key of the file that is no TR-181 path: `"$plugins": ["board.mjs", ...]`, modules to
 * load as `--plugin` (agent/plugins/), relative to the file's directory, before those of the
 * command line.
 */
export const PLUGINS_KEY = '$plugins';

/**
 * `"$deviceImageDir": "images"`: the directory of pictures of the device (front.png, back.jpg,
 * ...) for Device.DeviceInfo.DeviceImageFile.{i}. (`--device-image-dir`), relative to the file.
 */
export const DEVICE_IMAGE_DIR_KEY = '$deviceImageDir';

/** `"$vendorLogFiles": ["/var/log/app.log"]`: log files for Device.DeviceInfo.VendorLogFile.{i}. (`--vendor-log-file`), relative to the file. */
export const VENDOR_LOG_FILES_KEY = '$vendorLogFiles';

export function readDefaultsFile(file: string): DefaultsFile {
  return readDefaultsFileWithPlugins(file).defaults;
}

/**
 * The file's TR-181 values, the plugins its `$plugins` names (absolute paths) and the interfaces
 * its `$manageInterfaces` lets controllers reconfigure and the resolv.conf its `$manageDns` lets
 * them rewrite, whether `$packetCounters` lets it count packets with nftables and `$nat` keep
 * its NAT table, `$accessControl` its access control table, `$firewall` its firewall table and `$dhcpClient` its udhcpc children
 * (manage-interfaces.ts), whether `$mqttBroker` runs Mosquitto (mqtt-broker-option.ts), and `$time`
 * and `$timeZoneFile` how Device.Time. is served on Linux (time-option.ts), `$hostapdConf` the
 * hostapd configuration files Device.WiFi. reads on Linux (wifi-option.ts), `$radvd` whether Linux
 * runs its own radvd (radvd-option.ts), `$alarmCheckPeriod` the alarm check period in ms
 * (alarm-check-option.ts), `$captivePortal`/`$bridgeFilter`/`$qos` the off switches
 * (service-switches-option.ts); undefined: not set.
 */
export function readDefaultsFileWithPlugins(file: string): {
  defaults: DefaultsFile;
  plugins: string[];
  manageInterfaces?: string[];
  manageDns?: string;
  packetCounters?: boolean;
  nat?: boolean;
  deviceImageDir?: string;
  vendorLogFiles?: string[];
  dnsmasq?: boolean;
  accessControl?: boolean;
  firewall?: boolean;
  mqttBroker?: boolean;
  upnpIgd?: boolean;
  time?: boolean;
  timeZoneFile?: string;
  dhcpClient?: boolean;
  hostapdConf?: string[];
  radvd?: boolean;
  alarmCheckMs?: number;
  services?: ServiceSwitches;
} {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`factory defaults: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`factory defaults: ${file} must hold a JSON object of paths to values`);
  const {
    [PLUGINS_KEY]: plugins,
    [MANAGE_INTERFACES_KEY]: manage,
    [MANAGE_DNS_KEY]: dns,
    [PACKET_COUNTERS_KEY]: counters,
    [NAT_KEY]: natSetting,
    [DEVICE_IMAGE_DIR_KEY]: imageDir,
    [VENDOR_LOG_FILES_KEY]: logFiles,
    [DNSMASQ_KEY]: dnsmasqSetting,
    [ACCESS_CONTROL_KEY]: accessSetting,
    [FIREWALL_KEY]: firewallSetting,
    [MQTT_BROKER_KEY]: brokerSetting,
    [UPNP_IGD_KEY]: upnpIgdSetting,
    [TIME_KEY]: timeValue,
    [TIME_ZONE_FILE_KEY]: zoneFileValue,
    [DHCP_CLIENT_KEY]: dhcpClientSetting,
    [HOSTAPD_CONF_KEY]: hostapdConfSetting,
    [RADVD_KEY]: radvdSetting,
    [ALARM_CHECK_PERIOD_KEY]: alarmCheckSetting,
    ...defaults
  } = doc as Record<string, unknown>;
  const services = takeServiceSwitches(defaults, file);
  for (const [k, v] of Object.entries(defaults)) {
    if (!['string', 'number', 'boolean'].includes(typeof v)) throw new DefaultsError(k, 'value must be a string, number or boolean');
  }
  if (plugins !== undefined && (!Array.isArray(plugins) || plugins.some((p) => typeof p !== 'string' || p === ''))) {
    throw new DefaultsError(PLUGINS_KEY, 'must be an array of module paths (relative to the defaults file), e.g. ["plugins/board.mjs"]');
  }
  const manageInterfaces = manageInterfacesFromFile(manage, file);
  const manageDns = manageDnsFromFile(dns, file);
  const packetCounters = packetCountersFromFile(counters, file);
  const nat = natFromFile(natSetting, file);
  if (imageDir !== undefined && (typeof imageDir !== 'string' || imageDir === '')) {
    throw new DefaultsError(DEVICE_IMAGE_DIR_KEY, 'must be a directory path (relative to the defaults file), e.g. "images"');
  }
  if (logFiles !== undefined && (!Array.isArray(logFiles) || logFiles.some((p) => typeof p !== 'string' || p === ''))) {
    throw new DefaultsError(VENDOR_LOG_FILES_KEY, 'must be an array of log file paths (relative to the defaults file), e.g. ["/var/log/app.log"]');
  }
  const dnsmasq = dnsmasqFromFile(dnsmasqSetting, file);
  const accessControl = accessControlFromFile(accessSetting, file);
  const firewall = firewallFromFile(firewallSetting, file);
  const mqttBroker = mqttBrokerFromFile(brokerSetting, file);
  const upnpIgd = upnpIgdFromFile(upnpIgdSetting, file);
  const time = timeFromFile(timeValue, file);
  const timeZoneFile = timeZoneFileFromFile(zoneFileValue, file);
  const dhcpClient = dhcpClientFromFile(dhcpClientSetting, file);
  const hostapdConf = hostapdConfFromFile(hostapdConfSetting, file);
  const radvd = radvdFromFile(radvdSetting, file);
  const alarmCheckMs = alarmCheckPeriodFromFile(alarmCheckSetting, file);
  return {
    defaults: defaults as DefaultsFile,
    plugins: ((plugins ?? []) as string[]).map((p) => resolve(dirname(file), p)),
    ...(manageInterfaces ? { manageInterfaces } : {}),
    ...(manageDns !== undefined ? { manageDns } : {}),
    ...(packetCounters !== undefined ? { packetCounters } : {}),
    ...(nat !== undefined ? { nat } : {}),
    ...(typeof imageDir === 'string' ? { deviceImageDir: resolve(dirname(file), imageDir) } : {}),
    ...(Array.isArray(logFiles) ? { vendorLogFiles: (logFiles as string[]).map((p) => resolve(dirname(file), p)) } : {}),
    ...(dnsmasq !== undefined ? { dnsmasq } : {}),
    ...(accessControl !== undefined ? { accessControl } : {}),
    ...(firewall !== undefined ? { firewall } : {}),
    ...(mqttBroker !== undefined ? { mqttBroker } : {}),
    ...(upnpIgd !== undefined ? { upnpIgd } : {}),
    ...(time !== undefined ? { time } : {}),
    ...(timeZoneFile !== undefined ? { timeZoneFile } : {}),
    ...(dhcpClient !== undefined ? { dhcpClient } : {}),
    ...(hostapdConf !== undefined ? { hostapdConf } : {}),
    ...(radvd !== undefined ? { radvd } : {}),
    ...(alarmCheckMs !== undefined ? { alarmCheckMs } : {}),
    ...(services ? { services } : {}),
  };
}

interface Group {
  node: ModelNode;
  keys: number[];
  objectPath: string;
  values: Record<string, Value>;
}

/**
 * Validates every entry, then creates the named instances and sets the values in one
 * transaction, which commits only if every value took effect and every enumerationRef value is
 * one the agent supports (check-defaults.ts).
 */
export async function applyDefaults(model: DataModel, defaults: DefaultsFile): Promise<void> {
  const { groups, entries } = parseEntries(model, defaults);
  const tx = new Transaction(model, {});
  const createdHere = new Set<string>();
  try {
    // Parents before children, so Controller.1. exists before Controller.1.MTP.1. is made.
    const ordered = [...groups.values()].sort((a, b) => a.keys.length - b.keys.length);
    for (const g of ordered) {
      await ensureInstance(model, tx, g.node, g.keys, groups, createdHere);
      const inst: ObjectInstance = { node: g.node, keys: g.keys };
      if (!g.node.multi || !createdHere.has(g.objectPath)) await tx.set(inst, g.values);
    }
    const problem = (await readOnlyIgnored(model, entries)) ?? (await outsideEnumerationRef(model, entries));
    if (problem) throw new DefaultsError(problem.path, problem.why);
    await tx.commit();
  } catch (e) {
    await tx.rollback();
    if (e instanceof DefaultsError) throw e;
    const path = e instanceof UspError && e.path ? e.path : 'factory defaults';
    throw new DefaultsError(path, e instanceof Error ? e.message : String(e));
  }
}

/**
 * The checks that need no transaction: every path names a parameter of the supported model,
 * with every table's instance number, and every value is valid for its syntax. Throws the
 * DefaultsError of the first entry that fails (a Restore() refuses such a file before anything changes).
 */
export function checkDefaultsEntries(model: DataModel, defaults: DefaultsFile): void {
  parseEntries(model, defaults);
}

function parseEntries(model: DataModel, defaults: DefaultsFile): { groups: Map<string, Group>; entries: DefaultsEntry[] } {
  const groups = new Map<string, Group>();
  const entries: DefaultsEntry[] = [];
  for (const [path, raw] of Object.entries(defaults)) {
    const { node, keys, param } = locate(model, path);
    const syntax = node.params.get(param);
    if (!syntax) throw new DefaultsError(path, 'not a parameter this agent serves');
    let value: Value;
    try {
      value = parseValue(syntax, typeof raw === 'string' ? raw : String(raw));
    } catch (e) {
      throw new DefaultsError(path, e instanceof Error ? e.message : String(e));
    }
    const objectPath = node.pathOf(keys);
    let g = groups.get(objectPath);
    if (!g) {
      g = { node, keys, objectPath, values: {} };
      groups.set(objectPath, g);
    }
    g.values[param] = value;
    entries.push({ path, node, keys, param, syntax, value });
  }
  return { groups, entries };
}

/** Creates missing instances along the path, giving a new row all of its defaults at once. */
async function ensureInstance(model: DataModel, tx: Transaction, node: ModelNode, keys: number[], groups: Map<string, Group>, createdHere: Set<string>): Promise<void> {
  const chain: ModelNode[] = [];
  for (let n: ModelNode | undefined = node; n; n = n.parent) chain.unshift(n);
  let depth = 0;
  for (const n of chain) {
    if (!n.multi) continue;
    depth++;
    const parentKeys = keys.slice(0, depth - 1);
    const own = keys[depth - 1];
    const path = n.pathOf(keys.slice(0, depth));
    if (createdHere.has(path)) continue;
    const existing = await model.listInstances(n, parentKeys, {});
    if (existing.includes(own)) continue;
    if (!model.bindingOf(n)?.add) throw new DefaultsError(path, 'this table does not allow creating instances');
    await tx.add(n, parentKeys, groups.get(path)?.values ?? {}, own);
    createdHere.add(path);
  }
}

function locate(model: DataModel, path: string): { node: ModelNode; keys: number[]; param: string } {
  let parsed;
  try {
    parsed = parsePath(path);
  } catch (e) {
    throw new DefaultsError(path, e instanceof Error ? e.message : String(e));
  }
  if (parsed.kind !== 'parameter') throw new DefaultsError(path, 'must be a parameter path');
  let node = model.root;
  const keys: number[] = [];
  for (let i = 1; i < parsed.segments.length; i++) {
    const s = parsed.segments[i];
    if (s.kind === 'name' && !s.ref) {
      const child = node.supportedChild(s.name);
      if (!child) throw new DefaultsError(path, 'not in the supported data model');
      node = child;
    } else if (s.kind === 'instance' && node.multi && keys.length < node.keyCount) {
      keys.push(s.n);
    } else {
      throw new DefaultsError(path, 'only object names and instance numbers are allowed here');
    }
  }
  if (keys.length !== node.keyCount) throw new DefaultsError(path, 'every table on the path needs an instance number');
  return { node, keys, param: parsed.leaf };
}
