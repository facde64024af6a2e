/**
 * Device.Ethernet.VLANTermination.{i}. of the simulated gateway (TR-181 VLANTermination:1): tagged
 * sub-interfaces a Controller adds over br-lan's Link or the Ethernet WAN port's (a tagged WAN),
 * and deletes. The gateway ships none. Rows are kept in the gateway's store (StoredTable), so a
 * gateway nobody configured holds nothing for them: the rules object below is all it has, made
 * when its LAN group is first read.
 *
 * Status follows the row's Enable and its Link's Status, read through the data model as a
 * Controller would; LastChange is the more recent of the row's own change and its Link's. Name is
 * `<Link name>.<VLANID>`, as Linux names a VLAN device (`vlantermN` while on no Link). Stats: a tagged service (IPTV, VoIP,
 * management) carries a part of what its Link carries, a quarter here, counted over the time the
 * row has been enabled; over the Ethernet WAN port's Link (no traffic while the 5G modem is the
 * uplink) they stay at 0. An added IP interface may stack on a row (ip.ts).
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { publicValues, type Row, StoredTable, type TableRules } from '../stored-table.js';
import {
  checkVlanTermination,
  linkOf,
  unstackedName,
  MAX_VLAN_TERMINATIONS,
  VLAN_TERMINATION,
  VLAN_TERMINATION_DEFAULTS,
  VLAN_TERMINATION_LIVE,
  VLAN_TERMINATION_PARAMS,
  VLAN_TERMINATION_STATS,
} from '../vlan-termination-rules.js';
import type { LinkState } from './ethernet-link.js';
import type { SimContext } from './SimContext.js';
import { readStats, STATS_PARAMS, type StatsTypes, statsTypesAt, type TrafficProfile } from './traffic.js';

/** The part of its Link's traffic a VLAN carries. */
const VLAN_SHARE = 0.25;
const LINK = 'Device.Ethernet.Link.{i}.';

/**
 * Agent-only keys of a row: when it last changed (wall-clock ms), the ms it was enabled before
 * its current enabled period, and when that period began (absent while disabled).
 */
const CHANGED_AT = '$changedAt';
const UP_MS = '$upMs';
const UP_SINCE = '$upSince';

/** The rules of one gateway's table; methods on the prototype, shared by a whole fleet (issue 14). */
class SimVlanRules implements TableRules {
  readonly params = VLAN_TERMINATION_PARAMS;
  readonly live = VLAN_TERMINATION_LIVE;
  readonly max = MAX_VLAN_TERMINATIONS;
  readonly references = REFERENCES;
  readonly defaults = VLAN_TERMINATION_DEFAULTS;
  // Status follows the Link's, which changes without the agent.
  readonly changesOnlyThroughAgent = false;
  table!: StoredTable;
  private readonly linkNode: ModelNode;

  constructor(readonly ctx: SimContext) {
    this.linkNode = ctx.model.requireNode(LINK);
  }

  private async linkExists(n: number): Promise<boolean> {
    return (await this.ctx.model.listInstances(this.linkNode, [], {})).includes(n);
  }

  async check(keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>): Promise<Record<string, Value>> {
    const n = keys[0]!;
    await checkVlanTermination(n, merged, changes, this.table.rows([]), (l) => this.linkExists(l));
    const now = this.ctx.now();
    const was = n === 0 ? undefined : merged[UP_SINCE];
    const out = { ...merged };
    if (n === 0 || changes.Enable !== undefined) {
      // Enabled time, for Stats that stand still while the row is disabled.
      if (merged.Enable === true && was === undefined) out[UP_SINCE] = now;
      if (merged.Enable !== true && typeof was === 'number') {
        out[UP_MS] = Number(merged[UP_MS] ?? 0) + (now - was);
        delete out[UP_SINCE];
      }
    }
    if (n === 0 || Object.keys(changes).some((k) => k !== 'Alias')) out[CHANGED_AT] = now;
    return out;
  }

  async read(keys: InstanceKeys, row: Row): Promise<Record<string, Value>> {
    const out = publicValues(row);
    const link = linkOf(row.LowerLayers);
    const lower = link !== undefined && (await this.linkExists(link)) ? await this.ctx.model.readValues({ node: this.linkNode, keys: [link] }, {}) : undefined;
    const own = Math.max(0, Math.floor((this.ctx.now() - Number(row[CHANGED_AT] ?? this.ctx.bootedAt)) / 1000));
    out.Status = row.Enable !== true ? 'Down' : lower?.Status === 'Up' ? 'Up' : 'LowerLayerDown';
    out.LastChange = typeof lower?.LastChange === 'number' ? Math.min(own, lower.LastChange) : own;
    out.Name = lower ? `${String(lower.Name)}.${String(row.VLANID)}` : unstackedName(keys[0]!);
    return out;
  }

  /** Seconds row `row` has been enabled. */
  upSeconds(row: Row): number {
    const since = row[UP_SINCE];
    return (Number(row[UP_MS] ?? 0) + (typeof since === 'number' ? Math.max(0, this.ctx.now() - since) : 0)) / 1000;
  }
}

const REFERENCES = ['LowerLayers'] as const;

/** Device.Ethernet.VLANTermination.{i}.Stats. */
class VlanStatsBinding implements ObjectBinding {
  readonly params = STATS_PARAMS;
  // Counters move with time, not through the agent.
  readonly changesOnlyThroughAgent = false;
  private readonly node: ModelNode;
  private readonly types: StatsTypes;

  constructor(
    private readonly rules: SimVlanRules,
    private readonly links: LinkState,
  ) {
    this.node = rules.ctx.model.requireNode(VLAN_TERMINATION);
    this.types = statsTypesAt(rules.ctx.model, VLAN_TERMINATION_STATS);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const row = this.rules.ctx.store.row(this.node.pathOf(keys));
    if (!row) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${this.node.pathOf(keys)}`);
    const link = linkOf(row.LowerLayers);
    const lower = link === undefined ? undefined : this.links.trafficOf(link);
    const traffic: TrafficProfile = { label: `vlan.${keys[0]}`, sentRate: (lower?.sentRate ?? 0) * VLAN_SHARE, receivedRate: (lower?.receivedRate ?? 0) * VLAN_SHARE };
    return readStats(this.types, this.rules.ctx.seed, traffic, this.rules.upSeconds(row));
  }
}

/** Serves Device.Ethernet.VLANTermination.{i}. and its Stats over the gateway's Links. */
export function registerVlanTerminations(ctx: SimContext, links: LinkState): void {
  const rules = new SimVlanRules(ctx);
  const table = (rules.table = new StoredTable(ctx.store, ctx.model.requireNode(VLAN_TERMINATION), rules));
  ctx.model.register(VLAN_TERMINATION, table);
  ctx.model.register(VLAN_TERMINATION_STATS, new VlanStatsBinding(rules, links));
}
