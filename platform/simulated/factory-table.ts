/**
 * A table the simulated device ships with rows in (the factory rows: br-lan's ports, the WAN's
 * NAT setting, the DNS forwarders), to which a Controller may add rows and from which it may
 * delete any row, the shipped ones included (TR-181 createDelete tables of Bridge:1, NAT:1,
 * DNSRelay:1, IPInterface:1, DHCPv4Server:1). Until a first Add or Delete the rows are the
 * factory ones and nothing is stored; the first one writes the factory rows' numbers into the
 * store's table, so from then on the store alone says which rows exist, a deleted factory row
 * stays deleted across restarts, and new rows are numbered after every row there ever was.
 */
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { SimContext } from './SimContext.js';

export class FactoryTable {
  readonly node: ModelNode;

  /**
   * `factory` gives the rows the device ships with under a parent instance (ascending), or is
   * those rows under every parent (a module constant, shared by a fleet's gateways: issue 14);
   * a subclass may override `factoryRows` instead. `max` bounds the rows a parent instance can
   * hold (7005 beyond it).
   */
  constructor(
    private readonly ctx: SimContext,
    supportedPath: string,
    private readonly factory: ((parentKeys: InstanceKeys) => number[]) | readonly number[],
    readonly max: number,
  ) {
    this.node = ctx.model.requireNode(supportedPath);
  }

  /** The rows the device ships with under `parentKeys` (a fresh array). */
  protected factoryRows(parentKeys: InstanceKeys): number[] {
    const factory = this.factory;
    return typeof factory === 'function' ? factory(parentKeys) : [...factory];
  }

  /** The rows under `parentKeys`, ascending. */
  list(parentKeys: InstanceKeys): number[] {
    const table = this.node.tablePathOf(parentKeys);
    return this.ctx.store.hasTable(table) ? this.ctx.store.instances(table) : this.factoryRows(parentKeys);
  }

  /** Whether `keys` names a row of the table; 7016 when it does not. */
  check(keys: InstanceKeys): InstanceKeys {
    if (!this.list(keys.slice(0, -1)).includes(keys[keys.length - 1])) {
      throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${this.node.pathOf(keys)}`);
    }
    return keys;
  }

  /** Whether the row is one the device shipped with (and not a Controller's). */
  isFactory(keys: InstanceKeys): boolean {
    return this.factoryRows(keys.slice(0, -1)).includes(keys[keys.length - 1]);
  }

  /** A new row's instance number (its values are the caller's to store). */
  add(parentKeys: InstanceKeys, requested?: number): number {
    if (this.list(parentKeys).length >= this.max) {
      throw new UspError(ErrorCode.ResourcesExceeded, `${this.node.tablePathOf(parentKeys)} holds at most ${this.max} rows`);
    }
    this.materialize(parentKeys);
    return this.ctx.store.allocate(this.node.tablePathOf(parentKeys), requested);
  }

  /** Deletes a row with what is stored at and below it. */
  delete(keys: InstanceKeys): void {
    this.check(keys);
    const parent = keys.slice(0, -1);
    this.materialize(parent);
    this.ctx.store.remove(this.node.pathOf(keys), this.node.tablePathOf(parent), keys[keys.length - 1]);
  }

  /** What a delete removes, to put back if its transaction fails. */
  snapshot(keys: InstanceKeys): unknown {
    this.materialize(keys.slice(0, -1));
    return this.ctx.store.snapshotSubtree(this.node.pathOf(keys));
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.ctx.store.restoreSubtree(this.node.tablePathOf(keys.slice(0, -1)), keys[keys.length - 1], snap as ReturnType<SimContext['store']['snapshotSubtree']>);
  }

  /** Writes the factory rows into the store's table, once, before its first change. */
  private materialize(parentKeys: InstanceKeys): void {
    const table = this.node.tablePathOf(parentKeys);
    if (this.ctx.store.hasTable(table)) return;
    const rows = this.factoryRows(parentKeys);
    for (const n of rows) this.ctx.store.allocate(table, n);
    // An empty factory table still becomes a stored one, so the store says it was touched.
    if (rows.length === 0) this.ctx.store.touchTable(table);
  }
}
