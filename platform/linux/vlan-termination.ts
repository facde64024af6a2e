/**
 * Device.Ethernet.VLANTermination.{i}. and .Stats. of a Linux host (TR-181 VLANTermination:1): a
 * row is a VLAN device `<dev>.<VLANID>` over the netdev of the Ethernet.Link it names, made with
 * `ip link add link DEV name DEV.VID type vlan id VID [protocol 802.1ad]` (TPID 0x88a8), up or
 * down with the row's Enable, deleted with the row. The rows are the agent's configuration, kept
 * in its store (StoredTable): at start the devices are made again from them (stateLoaded), as
 * after a reboot the kernel has none.
 *
 * Every change is put into effect by comparing the rows with what `ip -j -d link show type vlan`
 * lists (reconcile): the kernel cannot change a VLAN device's ID or protocol (`ip link set ...
 * type vlan id N` exits 0 and changes nothing, as recorded), so such a row's device is deleted and
 * made again; a device a row no longer wants is deleted, but only one the agent made: the host's
 * other VLAN devices are left alone. When `ip` refuses, the change is refused with its reason and
 * the store put back (StoredTable), and the kernel follows the store at the next change.
 *
 * Only devices over `--manage-interfaces` netdevs are made (7002 otherwise). Status, Name and
 * LastChange are read from sysfs and the `ip monitor link` watcher as for Ethernet.Link; Stats are
 * the VLAN device's own kernel counters (net-stats.ts). The IP interface of a VLAN device names
 * its row in LowerLayers (a tagged WAN: IP.Interface → VLANTermination → Ethernet.Link).
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { type BadParam, invalid, publicValues, type Row, StoredTable, type TableRules } from '../stored-table.js';
import {
  checkVlanTermination,
  linkOf,
  MAX_VLAN_TERMINATIONS,
  protocolOf,
  unstackedName,
  VLAN_TERMINATION,
  VLAN_TERMINATION_DEFAULTS,
  VLAN_TERMINATION_LIVE,
  VLAN_TERMINATION_PARAMS,
  VLAN_TERMINATION_STATS,
} from '../vlan-termination-rules.js';
import type { EthernetDevices } from './EthernetDevices.js';
import type { LinkChanges } from './link-changes.js';
import type { LinuxContext } from './LinuxContext.js';
import { registerDeviceStats } from './net-stats.js';
import { IFF_UP, interfaceStatus } from './net-status.js';

/** Linux's limit on a netdev name (IFNAMSIZ less the terminating NUL). */
const MAX_IFNAME = 15;

/** A VLAN device as a row wants it, or as `ip -j -d link show type vlan` lists it. */
interface VlanDevice {
  name: string;
  lower: string;
  id: number;
  protocol: string;
  up: boolean;
}

/** What `ip -j -d link show type vlan` prints of each device (recorded: test/fixtures/linux/vlan-termination). */
interface IpVlanLink {
  ifname?: string;
  link?: string;
  flags?: string[];
  linkinfo?: { info_kind?: string; info_data?: { protocol?: string; id?: number } };
}

/** Parses `ip -j -d link show type vlan`. */
export function parseVlanLinks(stdout: string): VlanDevice[] {
  const out: VlanDevice[] = [];
  for (const l of JSON.parse(stdout === '' ? '[]' : stdout) as IpVlanLink[]) {
    const data = l.linkinfo?.info_data;
    if (!l.ifname || l.linkinfo?.info_kind !== 'vlan' || !data) continue;
    out.push({ name: l.ifname, lower: l.link ?? '', id: Number(data.id), protocol: String(data.protocol ?? '802.1Q'), up: l.flags?.includes('UP') === true });
  }
  return out;
}

class LinuxVlanRules implements TableRules {
  readonly params = VLAN_TERMINATION_PARAMS;
  readonly live = VLAN_TERMINATION_LIVE;
  readonly max = MAX_VLAN_TERMINATIONS;
  readonly references = ['LowerLayers'] as const;
  readonly defaults = VLAN_TERMINATION_DEFAULTS;
  // Status follows the kernel.
  readonly changesOnlyThroughAgent = false;
  table!: StoredTable;
  /** The VLAN devices the agent made (or found made as a row wants): the only ones it deletes. */
  private made = new Set<string>();

  constructor(
    private readonly ctx: LinuxContext,
    private readonly devices: EthernetDevices,
    private readonly changes: LinkChanges,
  ) {}

  /** Ethernet.Link number → its netdev, for the Links that name one now. */
  private async linkDevices(): Promise<Map<number, string>> {
    const names = await this.devices.names();
    const out = new Map<number, string>();
    for (const r of this.devices.links.rows(names)) if (r.dev !== undefined && names.includes(r.dev)) out.set(r.n, r.dev);
    return out;
  }

  /** The device row `row` wants, given the Links' devices (undefined: on no Link, or its Link names no device). */
  private wanted(row: Row, links: ReadonlyMap<number, string>): VlanDevice | undefined {
    const link = linkOf(row.LowerLayers);
    const lower = link === undefined ? undefined : links.get(link);
    if (lower === undefined) return undefined;
    return { name: `${lower}.${String(row.VLANID)}`, lower, id: Number(row.VLANID), protocol: protocolOf(row.TPID), up: row.Enable === true };
  }

  async check(keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>): Promise<Record<string, Value>> {
    const links = await this.linkDevices();
    await checkVlanTermination(keys[0]!, merged, changes, this.table.rows([]), (l) => links.has(l));
    const want = this.wanted(merged, links);
    if (want) {
      const bad: BadParam[] = [];
      if (want.name.length > MAX_IFNAME) bad.push({ param: 'VLANID', message: `the VLAN device ${want.name} would be named longer than Linux allows (${MAX_IFNAME})` });
      if (bad.length > 0) throw invalid(bad);
      this.ctx.ip.requireManaged(want.lower, `Device.Ethernet.VLANTermination.${keys[0]}.`);
    }
    return merged;
  }

  /** Makes the kernel's VLAN devices what the rows want (see the file comment). */
  async apply(): Promise<void> {
    const links = await this.linkDevices();
    const wanted = new Map<string, VlanDevice>();
    for (const [, row] of this.table.rows([])) {
      const w = this.wanted(row, links);
      // A port no longer managed (the agent restarted with another --manage-interfaces) is left alone.
      if (w && this.ctx.ip.managed.has(w.lower)) wanted.set(w.name, w);
    }
    const current = new Map(parseVlanLinks(await this.ctx.runner.run('ip', ['-j', '-d', 'link', 'show', 'type', 'vlan'])).map((d) => [d.name, d]));
    const path = 'Device.Ethernet.VLANTermination.';
    for (const [name, have] of current) {
      const want = wanted.get(name);
      const stale = want !== undefined && (want.lower !== have.lower || want.id !== have.id || want.protocol !== have.protocol);
      if ((want === undefined && this.made.has(name)) || stale) {
        await this.ctx.ip.run(['link', 'del', 'dev', name], path);
        current.delete(name);
      }
    }
    const made = new Set<string>();
    for (const want of wanted.values()) {
      let have = current.get(want.name);
      if (!have) {
        const protocol = want.protocol === '802.1ad' ? ['protocol', '802.1ad'] : [];
        await this.ctx.ip.run(['link', 'add', 'link', want.lower, 'name', want.name, 'type', 'vlan', ...protocol, 'id', String(want.id)], path);
        have = { ...want, up: false };
      }
      made.add(want.name);
      this.made.add(want.name);
      if (have.up !== want.up) await this.ctx.ip.run(['link', 'set', 'dev', want.name, want.up ? 'up' : 'down'], path);
    }
    this.made = made;
  }

  async read(keys: InstanceKeys, row: Row): Promise<Record<string, Value>> {
    const out = publicValues(row);
    const want = this.wanted(row, await this.linkDevices());
    if (!want) {
      // On no Link (or one naming no device): Down, or LowerLayerDown while enabled (TR-181).
      return { ...out, Name: unstackedName(keys[0]!), Status: row.Enable === true ? 'LowerLayerDown' : 'Down', LastChange: 0 };
    }
    const at = (a: string) => this.ctx.files.attr(this.ctx.files.sys('class', 'net', want.name, a));
    const [operstate, flags] = await Promise.all([at('operstate'), at('flags')]);
    const adminUp = flags === undefined ? undefined : (parseInt(flags, 16) & IFF_UP) !== 0;
    // A device that is not there (its lower device went, or `ip` refused it): NotPresent while enabled.
    const status = operstate === undefined ? (row.Enable === true ? 'NotPresent' : 'Down') : interfaceStatus(operstate, adminUp, undefined, true);
    return { ...out, Name: want.name, Status: status, LastChange: this.changes.lastChange(want.name, status, 'stacked') };
  }

  /** "Device.Ethernet.VLANTermination.N" of the row whose device is `dev`, if one is (IP.Interface.LowerLayers). */
  async pathOf(dev: string): Promise<string | undefined> {
    const links = await this.linkDevices();
    const found = this.table.rows([]).find(([, row]) => this.wanted(row, links)?.name === dev);
    return found ? `Device.Ethernet.VLANTermination.${found[0]}` : undefined;
  }

  /** The netdev of row `keys` (undefined while it has none), for its Stats. */
  async deviceOf(keys: InstanceKeys): Promise<string | undefined> {
    const row = this.table.rows([]).find(([n]) => n === keys[0])?.[1];
    if (!row) return undefined;
    const want = this.wanted(row, await this.linkDevices());
    return want && (await this.ctx.files.exists(this.ctx.files.sys('class', 'net', want.name))) ? want.name : undefined;
  }
}

/**
 * Serves Device.Ethernet.VLANTermination.{i}. and .Stats. over the Links of `devices`, with rows
 * kept in `store`. `stateLoaded()` (once the store is loaded) makes the rows' devices.
 */
export function registerVlanTerminations(
  ctx: LinuxContext,
  devices: EthernetDevices,
  changes: LinkChanges,
  store: DataStore,
): { stateLoaded(): Promise<void>; pathOf(dev: string): Promise<string | undefined> } {
  const rules = new LinuxVlanRules(ctx, devices, changes);
  rules.table = new StoredTable(store, ctx.model.requireNode(VLAN_TERMINATION), rules);
  ctx.model.register(VLAN_TERMINATION, rules.table);
  registerDeviceStats(ctx, VLAN_TERMINATION_STATS, (keys) => rules.deviceOf(keys));
  return {
    pathOf: (dev) => rules.pathOf(dev),
    stateLoaded: async () => {
      try {
        await rules.apply();
      } catch (e) {
        // The rows stay; their Status shows what the kernel refused, and the next change tries again.
        ctx.log?.warn('VLAN terminations not made at start', { error: e instanceof Error ? e.message : String(e) });
      }
    },
  };
}
