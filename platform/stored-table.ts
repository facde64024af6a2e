/**
 * A TR-181 table whose rows are configuration the agent keeps in its store (NAT.PortMapping.{i},
 * Hosts.AccessControl.{i}, Time.Client.{i}, DHCPv4.Server.Pool.{i}, ...): one binding shape,
 * each table giving only its rules (TableRules).
 *
 * Every Set and Add is checked first (7012 naming the parameters at fault, 7005 past the table's
 * bound) and nothing is kept when it is refused: an Add is checked as instance 0, so a refused
 * Add uses no instance number. A kept change is then put into effect (`apply`): a table whose
 * effect is immediate (a firewall, a sources file) refuses the change when that fails, and the
 * store is put back first, so nothing is half-applied; a table whose effect comes at commit only
 * notes that it is due. A transaction's undo comes back through the same methods, so a
 * rolled-back change leaves the effect as the store is.
 */
import { ErrorCode, UspError } from '../datamodel/UspError.js';
import type { DataStore } from '../datamodel/store/DataStore.js';
import type { Awaitable, InstanceKeys, ObjectBinding, RequestContext } from '../datamodel/tree/binding.js';
import type { ModelNode } from '../datamodel/tree/ModelNode.js';
import { defaultValue } from '../datamodel/value/default-value.js';
import type { Value } from '../datamodel/value/Value.js';
import { canonicalizeReferences } from './reference.js';

/** A stored row: the parameters' values, and the agent's own `$`-keys beside them. */
export type Row = Readonly<Record<string, Value>>;

/** One parameter a check refuses, and why. */
export interface BadParam {
  param: string;
  message: string;
}

/** What a table does beside keeping rows. */
export interface TableRules {
  /** Served parameters. */
  params: readonly string[];
  /** What a Set can change (ObjectBinding.writable); default every writable one. A shared constant. */
  writable?: readonly string[];
  /** Parameters computed on read, never stored. Default: none. */
  live?: ReadonlySet<string>;
  /** Rows per parent instance (7005 past it). */
  max: number;
  /** Reference parameters (Interface), kept in canonical form. */
  references?: readonly string[];
  /** Defaults in place of the schema's (a parameter TR-181 gives none that this device needs). */
  defaults?: Readonly<Record<string, Value>>;
  /**
   * False when a read may change without the agent (a Status from the device): ValueChange is
   * then polled. Default true.
   */
  changesOnlyThroughAgent?: boolean;
  /**
   * The row after `changes` (live parameters dropped, references canonical) to keep; it may add
   * `$`-keys (e.g. the device of Interface). Throws 7012 (`invalid`) for what cannot be.
   * `keys` ends in 0 for a row being added.
   */
  check(keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>): Awaitable<Record<string, Value>>;
  /** The row as read (live values added, `$`-keys dropped). Default: the stored row with the defaults. */
  read?(keys: InstanceKeys, row: Row): Awaitable<Record<string, Value>>;
  /** Values a new row gets before the Add's own (a Pool's Order). */
  initial?(parentKeys: InstanceKeys): Record<string, Value>;
  /**
   * Puts the store's rows into effect after each change. Throwing refuses the change: the store
   * is put back and the error is raised as thrown (the table's own code and message).
   */
  apply?(): Awaitable<void>;
  /** After an Add took effect. */
  added?(keys: InstanceKeys, row: Row): void;
  /** After a Set took effect; `changes` as kept. */
  updated?(keys: InstanceKeys, row: Row, changes: Readonly<Record<string, Value>>): void;
  /** After a Delete took effect. */
  deleted?(keys: InstanceKeys): void;
  /** After a rolled-back Delete put the row back (before it is put into effect again). */
  restored?(keys: InstanceKeys, row: Row): void;
}

/** 7012 naming each parameter at fault (its param_errs: TR-369 Add/Set failures name the parameters). */
export function invalid(bad: readonly BadParam[]): UspError {
  return new UspError(ErrorCode.InvalidValue, bad.map((b) => `${b.param}: ${b.message}`).join('; '), { paramErrors: bad.map((b) => ({ ...b, code: ErrorCode.InvalidValue })) });
}

/** The stored values of a row, without the agent's own `$`-keys. */
export function publicValues(row: Row): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(row)) if (!k.startsWith('$')) out[k] = v;
  return out;
}

const NO_LIVE: ReadonlySet<string> = new Set();

/** The binding of one stored table (see the file comment). */
export class StoredTable implements ObjectBinding {
  readonly stored = true;
  readonly changesOnlyThroughAgent: boolean;
  readonly params: readonly string[];
  readonly writable: readonly string[] | undefined;
  private readonly live: ReadonlySet<string>;
  private readonly defaults: Record<string, Value> = {};

  constructor(
    private readonly store: DataStore,
    private readonly node: ModelNode,
    private readonly rules: TableRules,
  ) {
    this.params = rules.params;
    this.writable = rules.writable;
    this.live = rules.live ?? NO_LIVE;
    this.changesOnlyThroughAgent = rules.changesOnlyThroughAgent ?? true;
    for (const name of rules.params) {
      const p = node.def.params.find((q) => q.name === name);
      if (p && !this.live.has(name)) this.defaults[name] = defaultValue(p);
    }
    Object.assign(this.defaults, rules.defaults);
  }

  list(parentKeys: InstanceKeys): number[] {
    return this.store.instances(this.node.tablePathOf(parentKeys));
  }

  /** Stored rows under `parentKeys`, by instance number. */
  rows(parentKeys: InstanceKeys): Array<[number, Row]> {
    return this.list(parentKeys).map((n) => [n, this.store.row(this.node.pathOf([...parentKeys, n])) ?? {}]);
  }

  private row(keys: InstanceKeys): Row {
    const row = this.store.row(this.node.pathOf(keys));
    if (!row) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${this.node.pathOf(keys)}`);
    return row;
  }

  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const row = { ...this.defaults, ...this.row(keys) };
    return this.rules.read ? this.rules.read(keys, row) : row;
  }

  private async next(keys: InstanceKeys, current: Row, changes: Record<string, Value>): Promise<{ row: Record<string, Value>; kept: Record<string, Value> }> {
    canonicalizeReferences(changes, this.rules.references ?? []);
    const kept: Record<string, Value> = {};
    for (const [k, v] of Object.entries(changes)) if (!this.live.has(k)) kept[k] = v;
    return { row: await this.rules.check(keys, { ...current, ...kept }, kept), kept };
  }

  /** Runs `change` on the store and puts it into effect; when that fails, `undo` puts the store back and the change is refused. */
  private async commit(change: () => void, undo: () => void): Promise<void> {
    change();
    try {
      await this.rules.apply?.();
    } catch (e) {
      undo();
      throw e;
    }
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const path = this.node.pathOf(keys);
    const current = this.row(keys);
    const { row, kept } = await this.next(keys, { ...this.defaults, ...current }, changes);
    await this.commit(
      () => this.store.setRow(path, row),
      () => this.store.setRow(path, { ...current }),
    );
    this.rules.updated?.(keys, row, kept);
  }

  async add(parentKeys: InstanceKeys, params: Record<string, Value>, _ctx: RequestContext, requested?: number): Promise<number> {
    const table = this.node.tablePathOf(parentKeys);
    if (this.list(parentKeys).length >= this.rules.max) throw new UspError(ErrorCode.ResourcesExceeded, `${table} holds at most ${this.rules.max} rows on this device`);
    // Instance 0 while checking: a refused Add uses no number.
    const { row } = await this.next([...parentKeys, 0], { ...this.defaults, ...this.rules.initial?.(parentKeys) }, { ...params });
    const n = this.store.allocate(table, requested);
    // TR-181 Alias: an Agent that was not given one assigns one with the "cpe-" prefix.
    if (this.params.includes('Alias') && (row.Alias === '' || row.Alias === undefined)) row.Alias = `cpe-${n}`;
    const keys = [...parentKeys, n];
    const path = this.node.pathOf(keys);
    await this.commit(
      () => this.store.setRow(path, row),
      () => this.store.remove(path, table, n),
    );
    this.rules.added?.(keys, row);
    return n;
  }

  async delete(keys: InstanceKeys): Promise<void> {
    this.row(keys);
    const path = this.node.pathOf(keys);
    const table = this.node.tablePathOf(keys.slice(0, -1));
    const n = keys[keys.length - 1]!;
    // The row with its sub-objects (a Pool's StaticAddress rows), for a refused Delete.
    const before = this.store.snapshotSubtree(path);
    await this.commit(
      () => this.store.remove(path, table, n),
      () => this.store.restoreSubtree(table, n, before),
    );
    this.rules.deleted?.(keys);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.store.snapshotSubtree(this.node.pathOf(keys));
  }

  /** A rolled-back Delete: the row (and its sub-objects) back in the store, and in effect. */
  async restore(keys: InstanceKeys, snap: unknown): Promise<void> {
    this.store.restoreSubtree(this.node.tablePathOf(keys.slice(0, -1)), keys[keys.length - 1]!, snap as ReturnType<DataStore['snapshotSubtree']>);
    this.rules.restored?.(keys, this.store.row(this.node.pathOf(keys)) ?? {});
    try {
      await this.rules.apply?.();
    } catch {
      // Already undoing: nothing to refuse. The table's effect follows the store at its next write.
    }
  }
}
