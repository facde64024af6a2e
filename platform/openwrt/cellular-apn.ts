/**
 * Device.Cellular.AccessPoint.{i}. on OpenWrt with ModemManager (TR-181 CellularInterface:1,
 * IPVersion from 2.19). On OpenWrt an APN is network configuration: one row per UCI
 * `config interface` with `option proto 'modemmanager'` (the modemmanager package's netifd
 * proto), read with `uci -q -X show network` and keyed by the section (= interface) name:
 *
 * | TR-181    | UCI network.<iface>                                                          |
 * |-----------|------------------------------------------------------------------------------|
 * | Enable    | not `disabled` ("1" or "true", netifd's own test)                            |
 * | APN       | apn                                                                          |
 * | Username  | username                                                                     |
 * | Password  | password; secured, so the USP edge reads it as "" unless the Controller holds a SecuredRole |
 * | Interface | device (the modem's sysfs path) → the Cellular.Interface whose mmcli `generic.device` it is; "" while no such modem is present |
 * | IPVersion | iptype: ipv4 → 4, ipv6 → 6, ipv4v6 or unset → -1 (no specific version)       |
 *
 * ModemManager's bearers are not rows here: the proto deletes every bearer and creates a new one
 * on each connect, so a bearer is the live state of one of these rows (Cellular.Interface.Status),
 * not an access point of its own. Interface needs ModemManager's modem list: while mmcli fails,
 * the rows fail with 7003 like the Cellular.Interface rows they name.
 *
 * Writes: `uci set`/`uci delete` of those options, `uci commit network`, then NETWORK_RELOAD; a
 * failing step reverts (UciWriter) and the Set fails. A value equal to the current one writes
 * nothing, so it does not restart the connection.
 *
 * The table is fixed-size (no Add, no Delete: the data model answers 7019 and 7024):
 * - the proto drives one connection per modem (setup deletes all of the modem's bearers and
 *   refuses to run with more than one; teardown disables the modem), so a second row on the same
 *   modem could never be enabled beside the first;
 * - a new interface carries traffic only once it is in a firewall zone, which is another UCI
 *   config (firewall) that cannot be committed atomically with network;
 * - interfaces are named sections, which UciStage cannot create.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import { noSuchInstance } from './convert.js';
import { type CellularUciSettings, cellularUciSettings } from './cellular-settings.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import { NETWORK_RELOAD, type ParamWriter, planWrite, type UciChange, type UciWriter } from './uci.js';
import { stringOption, type UciConfig, type UciSection } from './uci-show.js';

/** A modem ModemManager drives: its sysfs device path and its Cellular.Interface reference. */
export interface CellularModem {
  device: string;
  interface: string;
}

/** The modems present now (the ModemManager platform's `modems()`). */
export type CellularModems = () => Promise<readonly CellularModem[]>;

const AP = 'Device.Cellular.AccessPoint.{i}.';

// 3GPP TS 23.003 §9.1: an APN Network Identifier is dot-separated labels of letters, digits and
// inner hyphens. "" is allowed too: the proto then connects with an empty APN, the network's default.
const APN_RE = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/;
// The proto passes user and password to `mmcli --simple-connect="apn=...,user=...,password=..."`
// unquoted: a comma or a quote would end or garble the value, and control characters have no place.
const CREDENTIAL_BAD = /[,'"\u0000-\u001f\u007f]/;

/**
 * Serves Device.Cellular.AccessPoint.{i}. from UCI network, writable; returns the modems' other
 * settings the same interfaces hold (RoamingEnabled, NetworkRequested: cellular-settings.ts).
 */
export function registerCellularAccessPoints(ctx: OpenWrtContext, uci: UciWriter, modems: CellularModems): CellularUciSettings {
  const rows = new InstanceMap();
  const read = async (): Promise<UciConfig> => {
    const config = await ctx.uci('network');
    rows.list(config.filter(isModemManager).map((s) => s.name));
    return config;
  };
  const section = async (n: number | undefined): Promise<[UciSection, UciConfig]> => {
    const config = await read();
    const name = rows.keyOf(n);
    const s = config.find((c) => c.name === name);
    if (!s || !isModemManager(s)) throw noSuchInstance('cellular access point', n);
    return [s, config];
  };

  ctx.model.register(AP, {
    params: ['Enable', 'APN', 'Username', 'Password', 'Interface', 'IPVersion'],
    list: async () => rows.list((await read()).filter(isModemManager).map((s) => s.name)),
    get: async ([n]) => {
      const [s] = await section(n);
      return accessPointValues(s, await modems());
    },
    set: async ([n], changes) => {
      canonicalizeReferences(changes, ['Interface']);
      const [s, config] = await section(n);
      const present = await modems();
      const current = accessPointValues(s, present);
      const changed = Object.fromEntries(Object.entries(changes).filter(([param, v]) => current[param] !== v));
      const plan = planWrite(current, changed, writers(s, config, present, current));
      if (plan.length === 0) return;
      await uci.apply('network', plan, NETWORK_RELOAD).finally(() => ctx.forgetUci('network'));
    },
  });
  return cellularUciSettings(ctx, uci);
}

/** One row's values; `present` are the modems ModemManager has now. */
function accessPointValues(s: UciSection, present: readonly CellularModem[]): Record<string, Value> {
  const device = devicePath(s);
  return {
    Enable: enabled(s),
    APN: (stringOption(s.options.apn) ?? '').slice(0, 64),
    Username: (stringOption(s.options.username) ?? '').slice(0, 256),
    Password: (stringOption(s.options.password) ?? '').slice(0, 256),
    Interface: present.find((m) => device !== '' && samePath(m.device, device))?.interface ?? '',
    IPVersion: ({ ipv4: 4, ipv6: 6 } as Record<string, number>)[stringOption(s.options.iptype) ?? ''] ?? -1,
  };
}

/**
 * How each parameter becomes UCI options of section `s`. Only changed values reach a writer, so
 * an option cleared with `uci delete` exists (its current value is not empty).
 */
function writers(s: UciSection, config: UciConfig, present: readonly CellularModem[], current: Record<string, Value>): Record<string, ParamWriter> {
  const opt = (option: string, value: string, secret = false): UciChange[] => [value === '' ? { section: s.name, option, value, remove: true, secret } : { section: s.name, option, value, secret }];
  const credential =
    (option: string, secret: boolean): ParamWriter =>
    (v) =>
      CREDENTIAL_BAD.test(String(v)) ? 'must not contain commas, quotes or control characters (mmcli --simple-connect takes it unquoted)' : opt(option, String(v), secret);
  /** The other enabled interface that would drive the same modem, after this Set. */
  const clash = (all: Record<string, Value>): string | undefined => {
    const device = all.Interface === undefined ? devicePath(s) : (present.find((m) => m.interface === all.Interface)?.device ?? '');
    if (!(all.Enable ?? current.Enable) || device === '') return undefined;
    return config.find((o) => o !== s && isModemManager(o) && enabled(o) && samePath(devicePath(o), device))?.name;
  };
  const oneConnection = (other: string): string => `interface ${other} already connects this modem; OpenWrt's modemmanager proto drives one connection per modem`;
  return {
    Enable: (v, all) => {
      const other = v ? clash(all) : undefined;
      if (other) return oneConnection(other);
      return v ? opt('disabled', '') : opt('disabled', '1');
    },
    APN: (v) => (v === '' || APN_RE.test(String(v)) ? opt('apn', String(v)) : `${JSON.stringify(v)} is not an APN network identifier (3GPP TS 23.003 §9.1)`),
    Username: credential('username', false),
    Password: credential('password', true),
    Interface: (v, all) => {
      const modem = present.find((m) => m.interface === v);
      if (!modem) return `${String(v) || '""'} is not a Device.Cellular.Interface of a modem present now`;
      const other = clash(all);
      return other ? oneConnection(other) : opt('device', modem.device);
    },
    IPVersion: (v) => opt('iptype', v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : ''),
  };
}

/** An interface the modemmanager proto runs. */
function isModemManager(s: UciSection): boolean {
  return s.type === 'interface' && stringOption(s.options.proto) === 'modemmanager';
}

/** netifd skips a section whose `disabled` is "1" or "true" (config_parse_interface), nothing else. */
function enabled(s: UciSection): boolean {
  const disabled = stringOption(s.options.disabled);
  return disabled !== '1' && disabled !== 'true';
}

function devicePath(s: UciSection): string {
  return stringOption(s.options.device) ?? '';
}

/** sysfs paths, with or without a trailing "/". */
function samePath(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
