/**
 * Device.VXLAN.Filter.{i}. of the simulated gateway (TR-181 VXLANAdv:1): rows a Controller adds,
 * checked as on every platform (vxlan-filter-rules.ts), kept in the gateway's store, their
 * Status computed on read from the Tunnel and Interface rows they name. The simulated traffic
 * model counts each segment's bytes in closed form and carries no DSCP or VLAN tag, so what a
 * Filter classifies and marks changes no counter: the criteria and DSCPMarkPolicy are stored
 * (docs/platform-mapping.md lists them).
 *
 * Costs a fleet gateway nothing until a Controller adds a row: one rules object, made with the
 * rest of Device.VXLAN. when something first reads it (a deferred group), the rows in the store.
 */
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { Value } from '../../datamodel/value/Value.js';
import { publicValues, type Row, StoredTable, type TableRules } from '../stored-table.js';
import {
  checkVxlanFilter,
  MAX_VXLAN_FILTERS,
  nextFilterOrder,
  reorderedFilters,
  VXLAN_FILTER,
  VXLAN_FILTER_DEFAULTS,
  VXLAN_FILTER_LIVE,
  VXLAN_FILTER_PARAMS,
  VXLAN_FILTER_TABLE,
  type VxlanRows,
  vxlanFilterStatus,
} from '../vxlan-filter-rules.js';
import type { SimContext } from './SimContext.js';

class FilterRules implements TableRules {
  readonly params = VXLAN_FILTER_PARAMS;
  readonly live = VXLAN_FILTER_LIVE;
  readonly max = MAX_VXLAN_FILTERS;
  readonly references = ['Interface'] as const;
  readonly defaults = VXLAN_FILTER_DEFAULTS;
  // Status follows Tunnel and Interface rows that come and go.
  readonly changesOnlyThroughAgent = false;
  private readonly node: ModelNode;

  constructor(
    private readonly ctx: SimContext,
    private readonly tunnels: VxlanRows,
  ) {
    this.node = ctx.model.requireNode(VXLAN_FILTER);
  }

  private rows(): Array<[number, Row]> {
    return this.ctx.store.instances(VXLAN_FILTER_TABLE).map((n) => [n, this.ctx.store.row(this.node.pathOf([n])) ?? {}]);
  }

  initial(): Record<string, Value> {
    return { Order: nextFilterOrder(this.rows().map(([, r]) => r)) };
  }

  check(_keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>): Record<string, Value> {
    checkVxlanFilter(merged, changes, this.tunnels);
    return merged;
  }

  read(_keys: InstanceKeys, row: Row): Record<string, Value> {
    return { ...publicValues(row), Status: vxlanFilterStatus(row, this.tunnels) };
  }

  added(keys: InstanceKeys, row: Row): void {
    this.reorder(keys[0]!, row);
  }

  updated(keys: InstanceKeys, row: Row, changes: Readonly<Record<string, Value>>): void {
    if (changes.Order !== undefined) this.reorder(keys[0]!, row);
  }

  /** TR-106 Order: the rows at or after the Order row `n` took move down by one. */
  private reorder(n: number, row: Row): void {
    const rows = this.rows();
    for (const [k, order] of reorderedFilters(rows, n, Number(row.Order))) {
      const r = rows.find(([i]) => i === k)![1];
      this.ctx.store.setRow(this.node.pathOf([k]), { ...r, Order: order });
    }
  }
}

/** Serves Device.VXLAN.Filter.{i}. over the gateway's store; `tunnels` says which Tunnel and Interface rows exist. */
export function registerVxlanFilterSim(ctx: SimContext, tunnels: VxlanRows): void {
  ctx.model.register(VXLAN_FILTER, new StoredTable(ctx.store, ctx.model.requireNode(VXLAN_FILTER), new FilterRules(ctx, tunnels)));
}
