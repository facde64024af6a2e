/**
 * Device.Ethernet.VLANTermination.{i}. and .Stats. on OpenWrt (TR-181 VLANTermination:1): netifd's
 * VLAN devices. A row is either a `config device` section of the network configuration with
 * `type '8021q'` or `'8021ad'` (netifd's vlandev.c: `ifname` the lower device, `vid`, `name`), or
 * a VLAN device netifd made by itself from an interface's dotted device name (`option device
 * 'eth1.2'`; `network.device status` lists it with type 8021q and it has no section). Rows are
 * known by their device name (Name, a unique key).
 *
 * - LowerLayers is the Ethernet.Link of the lower device; a Set takes one Ethernet.Link whose
 *   device is the new `ifname`. VLANID is `vid`, TPID `type` (0x8100 8021q, 0x88a8 8021ad). A new
 *   VLANID or lower device renames the device to `<ifname>.<vid>`, so it is refused (7012) while an
 *   interface uses the device: netifd would leave that interface on a name that no longer exists.
 * - Enable is the device's `enabled` option (netifd's DEV_ATTR_ENABLED; '0' keeps it down).
 * - Add is `uci add network device` with `type`, `ifname`, `vid`, `name '<ifname>.<vid>'` and
 *   `enabled '0'` unless the Add enables it (TR-181's default Enable is false); it needs
 *   LowerLayers, as netifd needs `ifname` (7012 without). Delete removes the section (7024 while an
 *   interface uses the device, and for a device netifd made from a dotted name: change that
 *   interface's device instead).
 * - A row netifd made from a dotted name has no section to write: a Set of it is refused (7012).
 *
 * Every write commits once and reloads netifd (`ubus call network reload`); a failure reverts it
 * (uci.ts). Status and Stats come from `network.device status` (a VLAN device no interface uses
 * is not brought up by netifd: Down); LastChange counts from the Status change the agent saw.
 */
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import { StatusSeen } from '../status-seen.js';
import { checkVlanTermination, linkOf, TPID_8021AD, TPID_8021Q, VLAN_TERMINATION, VLAN_TERMINATION_STATS, VLAN_TERMINATION_WRITABLE } from '../vlan-termination-rules.js';
import { noSuchInstance, refused } from './convert.js';
import { type EthernetLinks, stats } from './ethernet.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import { packetStats, packetStatsParams } from './packet-stats.js';
import type { DeviceStatus } from './ubus-types.js';
import { NETWORK_RELOAD, type UciChange, type UciStage, type UciWriter } from './uci.js';
import { stringOption, type UciSection } from './uci-show.js';

/** One VLAN device: its section (undefined for one netifd made from a dotted name) and settings. */
interface VlanDev {
  name: string;
  section: string | undefined;
  lower: string;
  vid: number;
  tpid: number;
  enabled: boolean;
  /** Interfaces whose `device` is this one. */
  usedBy: string[];
  status: DeviceStatus | undefined;
}

const TYPE_OF_TPID: Readonly<Record<number, string>> = { [TPID_8021Q]: '8021q', [TPID_8021AD]: '8021ad' };
const TPID_OF_TYPE: Readonly<Record<string, number>> = { '8021q': TPID_8021Q, '8021ad': TPID_8021AD };
const DOTTED = /^(.+)\.(\d+)$/;
const PARAMS = ['Enable', 'Status', 'Name', 'LastChange', 'LowerLayers', 'VLANID', 'TPID'] as const;
/** VLAN devices the network configuration holds at most (7005 beyond). */
const MAX_VLAN_DEVICES = 32;

/** The VLAN devices of the network configuration and of netifd, in name order. */
export function vlanDevices(network: readonly UciSection[], devices: Readonly<Record<string, DeviceStatus>>): VlanDev[] {
  const usedBy = (name: string) => network.filter((s) => s.type === 'interface' && stringOption(s.options.device) === name).map((s) => s.name);
  const out = new Map<string, VlanDev>();
  for (const s of network) {
    const type = stringOption(s.options.type) ?? '';
    if (s.type !== 'device' || TPID_OF_TYPE[type] === undefined) continue;
    const lower = stringOption(s.options.ifname) ?? '';
    const vid = Number(stringOption(s.options.vid) ?? NaN);
    const name = stringOption(s.options.name) ?? `${lower}.${vid}`;
    out.set(name, { name, section: s.name, lower, vid, tpid: TPID_OF_TYPE[type]!, enabled: stringOption(s.options.enabled) !== '0', usedBy: usedBy(name), status: devices[name] });
  }
  for (const [name, d] of Object.entries(devices)) {
    const m = DOTTED.exec(name);
    if (out.has(name) || !m || TPID_OF_TYPE[d.type ?? ''] === undefined) continue;
    out.set(name, { name, section: undefined, lower: m[1]!, vid: Number(m[2]), tpid: TPID_OF_TYPE[d.type!]!, enabled: true, usedBy: usedBy(name), status: d });
  }
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Serves Device.Ethernet.VLANTermination.{i}. and .Stats. */
export function registerVlanTerminations(ctx: OpenWrtContext, links: EthernetLinks, uci: UciWriter): void {
  const map = new InstanceMap();
  const seen = new StatusSeen(ctx.now);
  const read = async (): Promise<Array<VlanDev & { n: number }>> => {
    const rows = vlanDevices(await ctx.uci('network'), await links.devices());
    map.list(rows.map((r) => r.name));
    return rows.map((r) => ({ ...r, n: map.numberOf(r.name) }));
  };
  const at = async (keys: InstanceKeys) => {
    const rows = await read();
    const row = rows.find((r) => r.n === keys[0]);
    if (!row) throw noSuchInstance('VLAN termination', keys[0]);
    return { row, rows };
  };
  const write = <T>(stage: (s: UciStage) => Promise<T>): Promise<T> =>
    uci.transact('network', stage, NETWORK_RELOAD).finally(() => {
      ctx.forgetUci('network');
      ctx.forget('network.device');
    });
  const status = (d: VlanDev): string => (!d.enabled ? 'Down' : d.status?.up !== true ? 'Down' : d.status.carrier === false ? 'LowerLayerDown' : 'Up');
  const values = async (d: VlanDev): Promise<Record<string, Value>> => {
    const s = status(d);
    return { Enable: d.enabled, Status: s, Name: d.name, LastChange: seen.lastChange(d.name, s), LowerLayers: await links.linkPath(d.lower), VLANID: d.vid, TPID: d.tpid };
  };

  /** The options of section `section` for `changes` to row `current` (undefined: an Add); 7012 for what cannot be. */
  const plan = async (rows: readonly VlanDev[], current: (VlanDev & { n: number }) | undefined, changes: Record<string, Value>): Promise<{ name: string; options: UciChange[] }> => {
    canonicalizeReferences(changes, ['LowerLayers']);
    const was = current ? await values(current) : { Enable: false, LowerLayers: '', VLANID: 1, TPID: TPID_8021Q };
    const merged = { ...was, ...changes };
    const others = await Promise.all(rows.map(async (r) => [map.numberOf(r.name), { LowerLayers: await links.linkPath(r.lower), VLANID: r.vid }] as [number, Record<string, Value>]));
    await checkVlanTermination(current?.n ?? 0, merged, changes, others, async (l) => (await links.linkName(`Device.Ethernet.Link.${l}`)) !== undefined);
    const lower = linkOf(merged.LowerLayers) === undefined ? undefined : await links.linkName(String(merged.LowerLayers));
    if (lower === undefined) throw refused([{ param: 'LowerLayers', message: 'a VLAN device here needs one Device.Ethernet.Link to sit on (netifd needs its ifname)' }]);
    if (current && !current.section) {
      const asked = Object.keys(changes).filter((p) => changes[p] !== was[p]);
      if (asked.length > 0)
        throw refused(
          asked.map((param) => ({ param, message: `netifd made ${current.name} from the device name of interface ${current.usedBy.join(', ') || '(none)'}: change that interface's device instead` })),
        );
      return { name: current.name, options: [] };
    }
    const name = `${lower}.${String(merged.VLANID)}`;
    if (current && name !== current.name && current.usedBy.length > 0) {
      const param = changes.VLANID !== undefined && merged.VLANID !== was.VLANID ? 'VLANID' : 'LowerLayers';
      throw refused([{ param, message: `interface ${current.usedBy.join(', ')} uses ${current.name}: move that IP interface first` }]);
    }
    const section = current?.section ?? '';
    const options: UciChange[] = [];
    const put = (option: string, value: string) => options.push({ section, option, value });
    if (!current || merged.LowerLayers !== was.LowerLayers) put('ifname', lower);
    if (!current || merged.VLANID !== was.VLANID) put('vid', String(merged.VLANID));
    if (!current || name !== current.name) put('name', name);
    if (!current || merged.TPID !== was.TPID) put('type', TYPE_OF_TPID[Number(merged.TPID)]!);
    if (merged.Enable !== was.Enable || (!current && merged.Enable !== true)) put('enabled', merged.Enable === true ? '1' : '0');
    return { name, options };
  };

  ctx.model.register(VLAN_TERMINATION, {
    params: PARAMS,
    writable: VLAN_TERMINATION_WRITABLE.filter((p) => p !== 'Alias'),
    // Status follows netifd.
    changesOnlyThroughAgent: false,
    list: async () => (await read()).map((r) => r.n).sort((a, b) => a - b),
    get: async (keys) => values((await at(keys)).row),
    set: async (keys, changes) => {
      const { row, rows } = await at(keys);
      const { name, options } = await plan(rows, row, { ...changes });
      if (options.length === 0) return;
      await write(async (s) => {
        for (const c of options) await s.set(c);
      });
      if (name !== row.name) map.rekey([[row.name, name]]);
    },
    add: async (_parent, params) => {
      const rows = await read();
      if (rows.length >= MAX_VLAN_DEVICES) throw new UspError(ErrorCode.ResourcesExceeded, `the network configuration holds at most ${MAX_VLAN_DEVICES} VLAN devices here`);
      const { name, options } = await plan(rows, undefined, { ...params });
      await write(async (s) => {
        const section = await s.add('device');
        for (const c of options) await s.set({ ...c, section });
      });
      return map.numberOf(name);
    },
    delete: async (keys) => {
      const { row } = await at(keys);
      if (!row.section)
        throw new UspError(ErrorCode.DeleteFailure, `netifd made ${row.name} from the device name of interface ${row.usedBy.join(', ') || '(none)'}: change that interface's device instead`);
      if (row.usedBy.length > 0) throw new UspError(ErrorCode.DeleteFailure, `interface ${row.usedBy.join(', ')} uses ${row.name}: move or delete that IP interface first`);
      await write((s) => s.remove(row.section!));
      map.retire(row.name);
      seen.forget(row.name);
    },
  });

  ctx.model.register(VLAN_TERMINATION_STATS, {
    // Unicast/broadcast/multicast-sent counts: the agent's nftables counters, as for the Links.
    params: [...Object.keys(stats(undefined)), ...packetStatsParams(ctx)],
    get: async (keys) => {
      const { row } = await at(keys);
      // A device netifd has not made (no interface uses it) counts nothing yet.
      if (!row.status) return {};
      return { ...stats(row.status.statistics), ...(await packetStats(ctx, row.name)) };
    },
  });
}
