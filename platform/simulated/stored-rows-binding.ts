/**
 * The binding of a simulated table whose rows are configuration a Controller adds, changes and
 * deletes (Device.DHCPv4.Client.{i}., Device.DHCPv6.Client.{i}. and its SentOption.{i}.,
 * Device.DHCPv6.Server.Pool.{i}.Option.{i}.): its numbers kept by a FactoryTable, its values by
 * WritableRows, each change checked before it is kept, a refused Add using no number.
 *
 * A subclass names the gateway's tables through methods, so one copy of this code serves a
 * whole fleet and a gateway's binding holds nothing more than its own reference to the lazily
 * made state (see the fleet-sharing tests).
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { FactoryTable } from './factory-table.js';
import type { WritableRows } from './SimContext.js';

export abstract class StoredRowsBinding implements ObjectBinding {
  abstract readonly params: readonly string[];

  /** The table of the rows above (7016 unless the parent exists); undefined for a top-level table. */
  protected abstract parentTable(): FactoryTable | undefined;
  /** The table's instance numbers. */
  protected abstract table(): FactoryTable;
  /** The table's values. */
  protected abstract rows(): WritableRows;
  /** Refuses a Set or Add (`keys` end in 0 for an Add); may complete `changes`. */
  protected abstract checkChanges(keys: InstanceKeys, changes: Record<string, Value>): void;

  list(parent: InstanceKeys): number[] {
    this.parentTable()?.check(parent);
    return this.table().list(parent);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    return this.rows().row(this.table().check(keys));
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.table().check(keys);
    this.checkChanges(keys, changes);
    this.rows().apply(keys, changes);
  }

  add(parent: InstanceKeys, params: Record<string, Value>): number {
    this.parentTable()?.check(parent);
    const values = { ...params };
    // Checked before numbering, so a refused Add uses no instance number.
    this.checkChanges([...parent, 0], values);
    const n = this.table().add(parent);
    this.rows().apply([...parent, n], { Alias: `cpe-${n}`, ...values });
    return n;
  }

  delete(keys: InstanceKeys): void {
    this.table().delete(keys);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.table().snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.table().restore(keys, snap);
  }
}
