/**
 * Device.VXLAN.Filter.{i}. on Linux (TR-181 VXLANAdv:1): rows a Controller adds, checked as on
 * every platform (vxlan-filter-rules.ts), kept in the agent's store and put into effect as the
 * agent's own nftables table (vxlan-filter-nft.ts), replaced whole after every change, at start,
 * and whenever the agent makes its VXLAN devices again (a Tunnel change, a keepalive moving on):
 * the rules follow the devices the kernel holds. nft refusing the table answers 7003 and the
 * store is put back.
 *
 * Order (TR-106): a row given the Order another holds goes before it, and that one and every
 * later one move down by one; until they have moved, the row whose Order was written last wins
 * the tie (`$ordered`), so the rules written in between already have the final precedence.
 * Status: Disabled; Error_Misconfigured while not AllInterfaces and Interface names no Tunnel or
 * tunnel Interface row; Enabled otherwise (a Filter of an Interface without a device yet is in
 * effect as soon as the device is made).
 *
 * Served only where nft is installed and the agent holds CAP_NET_ADMIN; with no Filter rows and
 * nothing written by this run, netfilter is left alone.
 */
import { isIP } from 'node:net';
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import { SerialRuns } from '../serial-runs.js';
import { publicValues, type Row, StoredTable } from '../stored-table.js';
import {
  checkVxlanFilter,
  MAX_VXLAN_FILTERS,
  nextFilterOrder,
  reorderedFilters,
  VXLAN_FILTER,
  VXLAN_FILTER_DEFAULTS,
  VXLAN_FILTER_LIVE,
  VXLAN_FILTER_PARAMS,
  type VxlanRows,
  vxlanFilterStatus,
} from '../vxlan-filter-rules.js';
import type { LinuxContext } from './LinuxContext.js';
import { nftUsable } from './nft-usable.js';
import { findNft } from './packet-classes.js';
import { parseVxlanLinks, VXLAN_DEVICE_RE } from './vxlan-devices.js';
import { type CompiledVxlanFilter, DEFAULT_VXLAN_FILTER_TABLE, type VxlanFilterTarget, vxlanFilterScript } from './vxlan-filter-nft.js';

/** Beside a row: when its Order was last written (a counter), so it wins a tie until the others move. */
const ORDERED = '$ordered';

/** The agent's VXLAN devices as the kernel holds them (`ip -j -d link show type vxlan`). */
export async function vxlanFilterTargets(runner: CommandRunner): Promise<VxlanFilterTarget[]> {
  const out: VxlanFilterTarget[] = [];
  for (const d of parseVxlanLinks(await runner.run('ip', ['-j', '-d', 'link', 'show', 'type', 'vxlan']))) {
    const m = VXLAN_DEVICE_RE.exec(d.name);
    if (!m || !Number.isInteger(d.id) || !Number.isInteger(d.port) || isIP(d.remote) === 0) continue;
    out.push({ tunnel: Number(m[1]), iface: Number(m[2]), vni: d.id, port: d.port, ipv6: isIP(d.remote) === 6, ...(d.local ? { local: d.local } : {}) });
  }
  return out;
}

export interface LinuxVxlanFilterOptions {
  model: DataModel;
  store: DataStore;
  runner: CommandRunner;
  /** Which Tunnel and Interface rows exist (Interface references, Status). */
  rows: VxlanRows;
  /** The agent's VXLAN devices now. */
  targets(): Promise<VxlanFilterTarget[]>;
  /** The nftables table (default usp_agent_vxlan_filter). */
  table?: string;
  log?: Logger;
}

/** The Filter table and its nftables table. */
export class LinuxVxlanFilters {
  private filters!: StoredTable;
  private readonly node: ModelNode;
  private readonly table: string;
  /** The script last written by this run (undefined: nothing written, netfilter left alone). */
  private written: string | undefined;
  /** One `nft -f -` at a time, each built from the rows and devices when it runs: the last change wins. */
  private readonly writes = new SerialRuns();

  constructor(private readonly opts: LinuxVxlanFilterOptions) {
    this.node = opts.model.requireNode(VXLAN_FILTER);
    this.table = opts.table ?? DEFAULT_VXLAN_FILTER_TABLE;
  }

  register(): void {
    this.filters = new StoredTable(this.opts.store, this.node, {
      params: VXLAN_FILTER_PARAMS,
      live: VXLAN_FILTER_LIVE,
      max: MAX_VXLAN_FILTERS,
      references: ['Interface'],
      defaults: VXLAN_FILTER_DEFAULTS,
      // Status follows Tunnel and Interface rows that come and go.
      changesOnlyThroughAgent: false,
      initial: () => ({ Order: nextFilterOrder(this.filters.rows([]).map(([, r]) => r)) }),
      check: (_keys, merged, changes) => this.check(merged, changes),
      read: (_keys, row) => ({ ...publicValues(row), Status: vxlanFilterStatus(row, this.opts.rows) }),
      apply: () => this.write(true),
      added: (keys, row) => this.makeRoom(keys, row),
      updated: (keys, row, changes) => {
        if (changes.Order !== undefined) this.makeRoom(keys, row);
      },
    });
    this.opts.model.register(VXLAN_FILTER, this.filters);
  }

  private check(merged: Record<string, Value>, changes: Record<string, Value>): Record<string, Value> {
    checkVxlanFilter(merged, changes, this.opts.rows);
    if (changes.Order !== undefined) merged[ORDERED] = Math.max(0, ...this.filters.rows([]).map(([, r]) => Number(r[ORDERED] ?? 0))) + 1;
    return merged;
  }

  /** TR-106 Order: the rows at or after row `keys`'s Order move down by one (they already sort after it). */
  private makeRoom(keys: InstanceKeys, row: Row): void {
    const rows = this.filters.rows([]);
    for (const [n, order] of reorderedFilters(rows, keys[0]!, Number(row.Order))) {
      const r = rows.find(([k]) => k === n)![1];
      this.opts.store.setRow(this.node.pathOf([n]), { ...r, Order: order });
    }
  }

  /** The enabled rows in effect (Status Enabled). */
  private compiled(): CompiledVxlanFilter[] {
    return this.filters
      .rows([])
      .filter(([, r]) => vxlanFilterStatus(r, this.opts.rows) === 'Enabled')
      .map(([n, values]) => ({ n, values }));
  }

  /**
   * Replaces the table with the rows and devices now. `always` (a Controller's change): written
   * even when the script is the one last written; else only when it differs.
   */
  write(always = false): Promise<void> {
    return this.writes.run(() => this.writeNow(always));
  }

  private async writeNow(always: boolean): Promise<void> {
    const filters = this.compiled();
    if (filters.length === 0 && this.written === undefined) return;
    const script = vxlanFilterScript(this.table, filters, filters.length === 0 ? [] : await this.opts.targets());
    if (!always && script === this.written) return;
    try {
      await this.opts.runner.run('nft', ['-f', '-'], { input: script, display: `nft -f - (table inet ${this.table})` });
    } catch (e) {
      throw new UspError(ErrorCode.InternalError, `nftables refused the VXLAN filter table: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.written = script;
    this.opts.log?.debug('VXLAN filters written', { table: `inet ${this.table}`, filters: filters.length });
  }

  /** Writes the table again after the devices changed (at start too); a failure is logged, the rows stay. */
  async refresh(): Promise<void> {
    try {
      await this.write();
    } catch (e) {
      this.opts.log?.warn('VXLAN filters not written', { error: e instanceof Error ? e.message : String(e) });
    }
  }
}

/**
 * Serves Device.VXLAN.Filter.{i}. where nft can be used; `rows` are the VXLAN Tunnel and
 * Interface rows, and the returned refresh is to be called each time the agent has made its
 * VXLAN devices (undefined when the table is not served).
 */
export function registerLinuxVxlanFilters(ctx: LinuxContext, store: DataStore, rows: VxlanRows): (() => Promise<void>) | undefined {
  const usable = nftUsable(findNft(ctx.runner));
  if (!usable.usable) {
    ctx.log?.info('Device.VXLAN.Filter. not served', { why: usable.why });
    return undefined;
  }
  const filters = new LinuxVxlanFilters({ model: ctx.model, store, runner: ctx.runner, rows, targets: () => vxlanFilterTargets(ctx.runner), log: ctx.log });
  filters.register();
  return () => filters.refresh();
}
