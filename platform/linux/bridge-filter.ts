/**
 * Device.Bridging.Filter.{i}. on generic Linux (TR-181 BridgeFilter:1, BridgeL3L4Filter:1
 * criteria): a table a Controller adds to, kept in the agent's store and compiled into the
 * agent's own nftables `bridge` table (bridge-filter-nft.ts), rewritten whole after every change
 * and at start. nft refusing it answers 7003 and the store is put back.
 *
 * - Interface names a member port of a Linux bridge (its device is matched by `iifname`); the
 *   management port (Port.1, the bridge device itself) is refused (7012): what enters the bridge
 *   there is the host's own traffic, which the bridge's prerouting hook never sees.
 * - Bridge must be the bridge of that port (7012 otherwise): a Linux bridge port belongs to one
 *   bridge, and nftables can admit a frame to it or drop it, never hand it to another bridge. A
 *   Bridge.{i}.VLAN.{i} is refused too (the frame keeps the VLAN the port gives it).
 * - VLANIDFilter other than 0 is accepted only on a bridge that filters VLANs (802.1Q-2011):
 *   TR-181 wants 0 on an 802.1D bridge.
 * - The DHCP-derived criteria (Source/DestMACFrom*, DHCPType) are served where the agent runs
 *   its own dnsmasq, or on OpenWrt where the package's dhcp hotplug handler is (`learnt`): each becomes a named set of the MAC addresses of the LAN clients
 *   whose last lease matched (bridge-filter-dhcp-nft.ts), and the table is written again when a
 *   lease changes a set; under DHCPType DHCPv6 a vendor or user class is refused (7012:
 *   dnsmasq does not pass those intact, dhcp-class-record.ts). Elsewhere they read their
 *   defaults and are not writable (7013): the agent does not see which MAC address sent which
 *   DHCP option.
 * - Status: Disabled; Error_Misconfigured while Bridge or Interface is empty or names a port or
 *   bridge that is gone, or the port's device is down (TR-181: never Enabled then); else Enabled.
 * - Order (TR-106): a row given the Order another holds goes before it, and that one and every
 *   later one move down by one. References are kept as written with the devices beside
 *   (`$bridge`, `$device`), so a read gives the path of that device's row now.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { DHCP_PARAMS, FILTER_BASE_PARAMS, FILTER_PARAMS, filterProblems, L2_PARAMS, L3L4_PARAMS, missingReferences, nextOrder } from '../bridge-filter-rules.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import { invalid, publicValues, type BadParam, type Row, StoredTable } from '../stored-table.js';
import type { BridgePortNames } from './bridging.js';
import { bridgeFilterScript, type CompiledFilter, DEFAULT_BRIDGE_FILTER_TABLE } from './bridge-filter-nft.js';
import { isIfName } from './firewall-rules.js';
import { effectiveCapabilities } from './packet-classes.js';
import { nftUsable } from './nft-usable.js';
import { dhcpNftOf } from './bridge-filter-dhcp-nft.js';
import type { DhcpClassSource } from './dhcp-class-learning.js';
import { dhcpCriteriaUnlearnt } from './dhcp-class-record.js';
import { SerialRuns } from '../serial-runs.js';

const FILTER = 'Device.Bridging.Filter.{i}.';
/** What nftables can hold: the row, its frame and IP criteria; not Status; the DHCP-derived ones only with `learnt`. */
const WRITABLE = [...FILTER_BASE_PARAMS, ...L2_PARAMS, ...L3L4_PARAMS] as const;
const LIVE: ReadonlySet<string> = new Set(['Status']);
const BRIDGE_KEY = '$bridge';
const DEVICE_KEY = '$device';
/** Beside a row: when its Order was last written (a counter), so it wins a tie until the others move. */
const ORDERED = '$ordered';
/** Device.Bridging.MaxFilterEntries: the agent's bound (each row is one nft rule). */
export const MAX_FILTERS = 64;

export interface LinuxBridgeFilterOptions {
  model: DataModel;
  store: DataStore;
  runner: CommandRunner;
  names: BridgePortNames;
  /** Whether bridge `name` filters VLANs (802.1Q-2011). */
  vlanAware(name: string): Promise<boolean>;
  /** The nftables table (default usp_agent_bridge_filter); tests running side by side give each agent its own. */
  table?: string;
  /** Why member `dev` of bridge `bridge` cannot be filtered now (7012 at a write, Error_Misconfigured after), e.g. a switch forwards its frames in hardware; undefined when it can. */
  unfilterable?(bridge: string, dev: string): Promise<string | undefined>;
  /** What the agent's dnsmasq learnt of the LAN clients' DHCP options: the DHCP-derived criteria are served with it. */
  learnt?: DhcpClassSource;
  log?: Logger;
}

/** Whether the agent may keep its bridge filter table: `nft` installed and CAP_NET_ADMIN held; `why` says what is missing. */
export function bridgeFilterUsable(nftPath: string | undefined, capEffHex = effectiveCapabilities()): { usable: boolean; why?: string } {
  return nftUsable(nftPath, capEffHex);
}

/** The Filter table and its nftables table. */
export class LinuxBridgeFilters {
  private filters!: StoredTable;
  private readonly node: ModelNode;
  private readonly table: string;
  /** The table was written by this run: with no rows and nothing written, netfilter is left alone. */
  private written = false;
  /** One table write at a time: a Controller's change and a lease change may come together. */
  private readonly writes = new SerialRuns();

  constructor(private readonly opts: LinuxBridgeFilterOptions) {
    this.node = opts.model.requireNode(FILTER);
    this.table = opts.table ?? DEFAULT_BRIDGE_FILTER_TABLE;
  }

  register(): void {
    this.filters = new StoredTable(this.opts.store, this.node, {
      params: FILTER_PARAMS,
      writable: this.opts.learnt ? [...WRITABLE, ...DHCP_PARAMS] : WRITABLE,
      live: LIVE,
      max: MAX_FILTERS,
      references: ['Bridge', 'Interface'],
      // Status follows the ports' devices, which change without the agent.
      changesOnlyThroughAgent: false,
      initial: () => ({ Order: nextOrder(this.filters.rows([])) }),
      check: (keys, merged, changes) => this.check(keys, merged, changes),
      read: (_keys, row) => this.read(row),
      apply: () => this.write(),
      added: (keys, row) => this.makeRoom(keys, row),
      updated: (keys, row, changes) => {
        if (changes.Order !== undefined) this.makeRoom(keys, row);
      },
    });
    this.opts.model.register(FILTER, this.filters);
    this.opts.learnt?.onChange(() => {
      this.write().catch((e: unknown) => this.opts.log?.warn('bridge filters not written after a DHCP lease change', { error: e instanceof Error ? e.message : String(e) }));
    });
  }

  /** Writes the stored rows to the kernel (at start, once the store is loaded). */
  async start(): Promise<void> {
    try {
      await this.write();
    } catch (e) {
      this.opts.log?.warn('bridge filters not written', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** The row to keep: 7012 for criteria nft cannot hold and references this device cannot honour. */
  private async check(_keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>): Promise<Record<string, Value>> {
    const bad: BadParam[] = filterProblems(merged);
    if (this.opts.learnt) bad.push(...(this.opts.learnt.unlearnt ?? dhcpCriteriaUnlearnt)(merged, changes));
    if (changes.Interface !== undefined) {
      delete merged[DEVICE_KEY];
      delete merged[BRIDGE_KEY];
      const ref = String(changes.Interface);
      const port = ref === '' ? undefined : await this.opts.names.port(ref);
      if (ref !== '' && !port) bad.push({ param: 'Interface', message: `${ref} is no Device.Bridging.Bridge.{i}.Port.{i} row of this device` });
      else if (port?.management)
        bad.push({
          param: 'Interface',
          message: `${ref} is the management port (the bridge device ${port.bridge}): its ingress is the host's own traffic, which a Linux bridge does not classify; name a member port`,
        });
      else if (port && !isIfName(port.dev)) bad.push({ param: 'Interface', message: `${port.dev} is not a device name nftables can match` });
      else if (port) {
        const why = await this.opts.unfilterable?.(port.bridge, port.dev);
        if (why !== undefined) bad.push({ param: 'Interface', message: `${ref}: ${why}` });
        else merged[DEVICE_KEY] = port.dev;
      }
      if (port) merged[BRIDGE_KEY] = port.bridge;
    }
    if (changes.Bridge !== undefined) {
      const ref = String(changes.Bridge);
      const bridge = ref === '' ? undefined : await this.opts.names.bridge(ref);
      if (ref !== '' && bridge === undefined) {
        const vlan = /\.VLAN\.\d+$/.test(ref);
        bad.push({
          param: 'Bridge',
          message: vlan ? `${ref}: a Linux bridge admits a frame in the VLAN its port gives it; name the Bridge itself` : `${ref} is no Device.Bridging.Bridge.{i} row of this device`,
        });
      } else if (bridge !== undefined) merged.$bridgeRef = bridge;
      else delete merged.$bridgeRef;
    }
    // One bridge for both: a Linux port belongs to its own bridge only, and nftables cannot move a frame to another.
    const own = merged[BRIDGE_KEY];
    const wanted = merged.$bridgeRef;
    if (String(merged.Interface ?? '') !== '' && String(merged.Bridge ?? '') !== '' && own !== undefined && wanted !== undefined && own !== wanted) {
      bad.push({
        param: changes.Bridge !== undefined ? 'Bridge' : 'Interface',
        message: `the port is on bridge ${String(own)}, not ${String(wanted)}: a Linux bridge can admit a frame arriving on its own port or drop it, not send it to another bridge`,
      });
    }
    const vid = Number(merged.VLANIDFilter ?? 0);
    if (vid !== 0 && (changes.VLANIDFilter !== undefined || changes.Interface !== undefined) && own !== undefined && !(await this.opts.vlanAware(String(own)))) {
      bad.push({ param: 'VLANIDFilter', message: `bridge ${String(own)} is an 802.1D bridge (no VLAN filtering): TR-181 wants VLANIDFilter 0 there` });
    }
    if (bad.length > 0) throw invalid(bad);
    if (changes.Order !== undefined) merged[ORDERED] = Math.max(0, ...this.filters.rows([]).map(([, r]) => Number(r[ORDERED] ?? 0))) + 1;
    return merged;
  }

  /** Why an enabled row is not in effect now, or undefined when it is. */
  private async misconfigured(row: Row): Promise<string | undefined> {
    if (missingReferences(row).length > 0) return 'Bridge or Interface is empty';
    const dev = row[DEVICE_KEY];
    const bridge = row[BRIDGE_KEY];
    if (dev === undefined || bridge === undefined) return 'Interface names no port';
    const port = await this.opts.names.portPath(String(bridge), String(dev));
    if (port === undefined) return 'the port is gone';
    if ((await this.opts.names.bridgePath(String(row.$bridgeRef ?? ''))) === undefined) return 'the bridge is gone';
    const now = await this.opts.names.port(port);
    if (!now?.up) return 'the port is down';
    return this.opts.unfilterable?.(String(bridge), String(dev));
  }

  private async read(row: Row): Promise<Record<string, Value>> {
    const values = publicValues(row);
    // Strong references: the path of the device's row now, "" once it is gone (TR-106).
    if (row[DEVICE_KEY] !== undefined) values.Interface = (await this.opts.names.portPath(String(row[BRIDGE_KEY]), String(row[DEVICE_KEY]))) ?? '';
    if (row.$bridgeRef !== undefined) values.Bridge = (await this.opts.names.bridgePath(String(row.$bridgeRef))) ?? '';
    values.Status = row.Enable !== true ? 'Disabled' : (await this.misconfigured(row)) === undefined ? 'Enabled' : 'Error_Misconfigured';
    return values;
  }

  /** TR-106 Order: the rows at or after row `keys`'s Order move down by one (they already sort after it). */
  private makeRoom(keys: InstanceKeys, row: Row): void {
    const self = keys[0];
    const order = Number(row.Order ?? 0);
    const rows = this.filters.rows([]);
    if (!rows.some(([n, r]) => n !== self && Number(r.Order ?? 0) === order)) return;
    for (const [n, r] of rows) if (n !== self && Number(r.Order ?? 0) >= order) this.opts.store.setRow(this.node.pathOf([n]), { ...r, Order: Number(r.Order) + 1 });
  }

  /** The enabled rows with a device and a bridge that still pair up, for the compiler. */
  private compiled(): CompiledFilter[] {
    const out: CompiledFilter[] = [];
    for (const [n, r] of this.filters.rows([])) {
      if (r.Enable !== true || missingReferences(r).length > 0 || r[DEVICE_KEY] === undefined || filterProblems(r).length > 0) continue;
      if (r[BRIDGE_KEY] !== r.$bridgeRef) continue;
      out.push({ n, device: String(r[DEVICE_KEY]), values: r, ...(this.opts.learnt ? { dhcp: dhcpNftOf(n, r, this.opts.learnt.clients()) } : {}) });
    }
    return out;
  }

  private write(): Promise<void> {
    return this.writes.run(() => this.writeNow());
  }

  private async writeNow(): Promise<void> {
    const filters = this.compiled();
    if (filters.length === 0 && !this.written) return;
    try {
      await this.opts.runner.run('nft', ['-f', '-'], { input: bridgeFilterScript(this.table, filters), display: `nft -f - (table bridge ${this.table})` });
    } catch (e) {
      throw new UspError(ErrorCode.InternalError, `nftables refused the bridge filter table: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.written = true;
    this.opts.log?.debug('bridge filters written', { table: `bridge ${this.table}`, filters: filters.length });
  }
}
