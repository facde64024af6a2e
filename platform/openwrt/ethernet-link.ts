/**
 * Device.Ethernet.Link.{i}. on OpenWrt (TR-181 EthernetLink:1 with createDelete): the layer-2
 * devices IP interfaces sit on, read from netifd's `network.device status` (ethernet.ts sorts
 * them): every device that is neither a bridge member, nor wireless, nor loopback.
 *
 * LowerLayers names the Ethernet.Interface of a port, a bridge's its management
 * Bridging.Bridge.{i}.Port (bridging.ts, reached through `stack`); a VLAN device's would name its
 * VLANTermination (vlan-termination.ts), which this stacking does not reach yet, so theirs is empty. LastChange: since the agent saw the
 * Link's Status change, counted apart from the port's.
 *
 * A Controller may delete a Link and add one over a port or a bridge's management port whose
 * device has none, or on no lower layer yet (ethernet-link-rows.ts). A Link is agent-only state,
 * kept in the agent's store, not UCI: a `config device` section makes or configures a netdev
 * (a bridge, a VLAN, a port's MTU or MAC address), and a Link creates and configures none; what
 * ties an IP interface to a device in UCI (`config interface` option device) is written by the
 * IP.Interface binding when a Controller sets its LowerLayers to a Link.
 *
 * Enable of a Link over a device reads the device's state. netifd brings devices up and down
 * with the interfaces on them, so the agent does not: a Set to the state the device is in is
 * accepted, the other refused (7012, disable the IP interface instead). A Link on no lower layer
 * keeps its Enable itself. MTU has no write path here (7012).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { EthernetLinkRows, invalidLowerLayers, LinkDeletions, type LinkRow } from '../ethernet-link-rows.js';
import { canonicalizeReferences } from '../reference.js';
import { StatusSeen } from '../status-seen.js';
import { mac, u32 } from './convert.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { DeviceStatus } from './ubus-types.js';

/** What the Link binding needs of the Ethernet reading (ethernet.ts). */
export interface LinkSources {
  /** netifd's devices sorted into ports and link devices (by name, in name order). */
  read(): Promise<{ ports: ReadonlyMap<string, DeviceStatus>; links: ReadonlyMap<string, DeviceStatus> }>;
  /** Instance number of port `name` in Ethernet.Interface. */
  portNumber(name: string): number;
  /** Port name of Ethernet.Interface `n`. */
  portName(n: number): string | undefined;
  /** "Device.Bridging.Bridge.N.Port.M" of bridge device `name`'s management port, or "". */
  managementPort?(name: string): Promise<string>;
}

/** What other objects need of the Links: the references to them, both ways. */
export interface LinkLookup {
  linkPath(device: string | undefined): Promise<string>;
  linkName(reference: string): Promise<string | undefined>;
  /** The device row `keys` names now, if any (for its Stats). */
  deviceOf(keys: InstanceKeys): Promise<[string, DeviceStatus] | undefined>;
}

const PATH = 'Device.Ethernet.Link.';
/**
 * What a Set of a Link changes: Enable and LowerLayers of a Link a Controller added (a Link of
 * a netifd device keeps both; checkDevice). MTU and MACAddress are netifd's and served read-only.
 */
const LINK_WRITABLE = ['Enable', 'LowerLayers'] as const;

/** Serves Device.Ethernet.Link.{i}. (its Stats: ethernet.ts, through `deviceOf`). */
export function registerEthernetLinks(ctx: OpenWrtContext, src: LinkSources, store: DataStore | undefined): LinkLookup {
  const rows = new EthernetLinkRows(store);
  const undo = new LinkDeletions(rows);
  const seen = new StatusSeen(ctx.now);
  const current = async () => {
    const c = await src.read();
    return { ...c, rows: rows.rows([...c.links.keys()]) };
  };
  const rowOf = async (keys: InstanceKeys): Promise<LinkRow> => rows.row(keys[0], [...(await src.read()).links.keys()]);
  /** LowerLayers of the Link over link device `name`. */
  const lowerOf = async (name: string, d: DeviceStatus, ports: ReadonlyMap<string, DeviceStatus>): Promise<string> => {
    if (ports.has(name)) return `Device.Ethernet.Interface.${src.portNumber(name)}`;
    // A failing `uci show network` fails Bridging, not the Ethernet tree: the reference is then unknown.
    if (Array.isArray(d['bridge-members'])) return (await src.managementPort?.(name).catch(() => '')) ?? '';
    return '';
  };
  /** The link device a LowerLayers value names ("" for none): a port that is no bridge member, or a bridge's management port; 7012 otherwise. */
  const lowerDevice = async (ref: string): Promise<string> => {
    if (ref === '') return '';
    const { ports, links } = await src.read();
    const port = /^Device\.Ethernet\.Interface\.(\d+)$/.exec(ref);
    if (port) {
      const name = src.portName(Number(port[1]));
      if (name !== undefined && links.has(name) && ports.has(name)) return name;
      if (name !== undefined && ports.has(name)) throw invalidLowerLayers(`${ref} (${name}) is a bridge port: the Link is the bridge's, over its management port`);
    } else if (/^Device\.Bridging\.Bridge\.\d+\.Port\.\d+$/.test(ref)) {
      for (const [name, d] of links) if (Array.isArray(d['bridge-members']) && (await src.managementPort?.(name).catch(() => '')) === ref) return name;
    }
    throw invalidLowerLayers(`${JSON.stringify(ref)} names no Device.Ethernet.Interface or bridge management port of this device`);
  };
  const checkLower = async (n: number, params: Record<string, Value>): Promise<string | undefined> => {
    canonicalizeReferences(params, ['LowerLayers']);
    if (params.LowerLayers === undefined) return undefined;
    const ref = String(params.LowerLayers);
    const dev = await lowerDevice(ref);
    if (dev !== '') rows.checkFree(n, dev, ref, [...(await src.read()).links.keys()]);
    return dev;
  };
  /** 7012 unless `changes` asks nothing the device is not already (netifd owns its state). */
  const checkDevice = (d: DeviceStatus | undefined, changes: Record<string, Value>, path: string): void => {
    for (const [param, value] of Object.entries(changes)) {
      if (param === 'Enable' && d && value === (d.up === true)) continue;
      const message = param === 'Enable' ? 'netifd brings a device up and down with its interfaces: set the IP interface instead' : 'not writable on this platform';
      throw new UspError(ErrorCode.InvalidValue, `${path}${param}: ${message}`, { path, paramErrors: [{ param, message, code: ErrorCode.InvalidValue }] });
    }
  };

  ctx.model.register('Device.Ethernet.Link.{i}.', {
    params: ['Enable', 'Status', 'Name', 'LastChange', 'LowerLayers', 'MTU', 'MACAddress'],
    writable: LINK_WRITABLE,
    list: async () => (await current()).rows.map((r) => r.n),
    get: async (keys): Promise<Record<string, Value>> => {
      const { ports, links } = await src.read();
      const row = rows.row(keys[0], [...links.keys()]);
      const d = row.dev === undefined ? undefined : links.get(row.dev);
      // A Link a Controller added on no device (or whose device went): Down, LowerLayerDown while enabled.
      if (row.dev === undefined || !d) {
        return { Enable: row.enable, Status: row.dev !== undefined ? 'NotPresent' : row.enable ? 'LowerLayerDown' : 'Down', Name: row.dev ?? '', LastChange: 0, LowerLayers: '', MACAddress: '' };
      }
      const name = row.dev;
      let s = deviceState(d);
      if (s === 'Down' && d.up && ports.has(name)) s = 'LowerLayerDown';
      return { Enable: d.up === true, Status: s, Name: name, LastChange: seen.lastChange(name, s), MACAddress: mac(d.macaddr), MTU: u32(d.mtu), LowerLayers: await lowerOf(name, d, ports) };
    },
    set: async (keys, changes) => {
      const row = await rowOf(keys);
      const path = `${PATH}${keys[0]}.`;
      const { LowerLayers, ...rest } = changes;
      let dev = row.dev;
      if (LowerLayers !== undefined) {
        const to = await checkLower(row.n, changes);
        if (to !== (row.dev ?? '')) {
          if (!row.added) throw invalidLowerLayers(`the Link of ${row.dev ?? 'its device'} stays on it: Delete it and Add a Link over the other lower layer`);
          dev = to === '' ? undefined : to;
        }
      }
      checkDevice(dev === undefined ? undefined : (await src.read()).links.get(dev), dev === undefined ? withoutEnable(rest) : rest, path);
      if (row.added) rows.update(row.n, { dev, ...(rest.Enable !== undefined ? { enable: rest.Enable === true } : {}) });
    },
    add: async (_parent, params) => {
      const values = { ...params };
      // Checked before a number is taken, so a refused Add keeps nothing.
      const dev = await checkLower(0, values);
      const { LowerLayers: _, Alias: __, ...rest } = values;
      checkDevice(dev ? (await src.read()).links.get(dev) : undefined, dev ? rest : withoutEnable(rest), `${PATH}{i}.`);
      return rows.add(dev || undefined, rest.Enable === true);
    },
    delete: async (keys) => {
      undo.keep(rows.delete(await rowOf(keys)));
    },
    // What a Delete took is kept by the Delete itself (it reads the row first); a rollback puts it back.
    snapshot: () => true,
    restore: (keys) => undo.restore(keys[0]!),
    // MACAddress is read from the device, never written by the agent, and a VLAN device shares its parent's (br-lan.1, br-lan):
    // no Add or Set can make a clash. Rows on no device have no Name (""), which is no clash either.
    findByValues: (_parent, params, values) => (params.length === 1 && (params[0] === 'MACAddress' || (params[0] === 'Name' && values.Name === '')) ? [] : undefined),
  });

  return {
    linkPath: async (name) => {
      if (!name) return '';
      const n = rows.linkOf(name, [...(await src.read()).links.keys()]);
      return n === undefined ? '' : `${PATH}${n}`;
    },
    linkName: async (reference) => {
      const m = /^Device\.Ethernet\.Link\.(\d+)\.?$/.exec(reference.trim());
      if (!m) return undefined;
      const { links, rows: all } = await current();
      const dev = all.find((r) => r.n === Number(m[1]))?.dev;
      return dev !== undefined && links.has(dev) ? dev : undefined;
    },
    deviceOf: async (keys) => {
      const { links } = await src.read();
      const dev = rows.row(keys[0], [...links.keys()]).dev;
      const d = dev === undefined ? undefined : links.get(dev);
      return dev !== undefined && d ? [dev, d] : undefined;
    },
  };
}

/** The changes but Enable, which a Link on no device keeps itself. */
function withoutEnable(changes: Record<string, Value>): Record<string, Value> {
  const { Enable: _, ...rest } = changes;
  return rest;
}

/** Interface Status of one netifd device (as ethernet.ts deviceStatus; apart so the two files do not import each other). */
function deviceState(d: DeviceStatus): string {
  if (d.present === false) return 'NotPresent';
  return d.up && d.carrier !== false ? 'Up' : 'Down';
}
