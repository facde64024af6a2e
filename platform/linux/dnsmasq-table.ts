/**
 * A table the agent's dnsmasq is configured from (DNS.Relay.Forwarding.{i}, DHCPv4.Server.Pool.{i}
 * and its StaticAddress.{i} and Option.{i}): rows kept in the agent's store, each change checked
 * (7012 with the parameters at fault, nothing kept) before it is, and the configuration file
 * rewritten once the transaction commits (dnsmasq.ts). A rolled-back transaction puts the store
 * back through the same methods, so dnsmasq never sees a half-applied change.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys, ObjectBinding, RequestContext } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { defaultValue } from '../../datamodel/value/default-value.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import type { BadParam } from './nat-rules.js';

export type Row = Readonly<Record<string, Value>>;

/** What a table does beside keeping rows. */
export interface TableRules {
  /** Served parameters. */
  params: readonly string[];
  /** Parameters computed on read, never stored. */
  live: ReadonlySet<string>;
  /** Rows per parent instance. */
  max: number;
  /** Reference parameters (Interface), kept in canonical form. */
  references?: readonly string[];
  /** The row after `changes` to keep (it may add `$`-keys, e.g. the device of Interface); throws 7012. */
  check(keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>): Promise<Record<string, Value>>;
  /** The row as read (live values added, `$`-keys dropped). */
  read(keys: InstanceKeys, row: Row): Promise<Record<string, Value>>;
  /** Values a new row gets before the Add's own (a Pool's Order). */
  initial?(parentKeys: InstanceKeys): Record<string, Value>;
  /** Called after every kept change: the configuration is due at commit. */
  changed(): void;
}

/** 7012 naming each parameter at fault. */
export function invalid(bad: readonly BadParam[]): UspError {
  return new UspError(ErrorCode.InvalidValue, bad.map((b) => `${b.param}: ${b.message}`).join('; '), { paramErrors: bad.map((b) => ({ ...b, code: ErrorCode.InvalidValue })) });
}

/** The stored values of a row, without the agent's own `$`-keys. */
export function publicValues(row: Row): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(row)) if (!k.startsWith('$')) out[k] = v;
  return out;
}

export class DnsmasqTable implements ObjectBinding {
  readonly stored = true;
  readonly changesOnlyThroughAgent = true;
  readonly params: readonly string[];
  private readonly defaults: Record<string, Value> = {};

  constructor(
    private readonly store: DataStore,
    private readonly node: ModelNode,
    private readonly rules: TableRules,
  ) {
    this.params = rules.params;
    for (const name of rules.params) {
      const p = node.def.params.find((q) => q.name === name);
      if (p && !rules.live.has(name)) this.defaults[name] = defaultValue(p);
    }
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

  get(keys: InstanceKeys): Promise<Record<string, Value>> {
    return this.rules.read(keys, { ...this.defaults, ...this.row(keys) });
  }

  private async next(keys: InstanceKeys, current: Row, changes: Record<string, Value>): Promise<Record<string, Value>> {
    canonicalizeReferences(changes, this.rules.references ?? []);
    const kept: Record<string, Value> = {};
    for (const [k, v] of Object.entries(changes)) if (!this.rules.live.has(k)) kept[k] = v;
    return this.rules.check(keys, { ...current, ...kept }, kept);
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const next = await this.next(keys, { ...this.defaults, ...this.row(keys) }, changes);
    this.store.setRow(this.node.pathOf(keys), next);
    this.rules.changed();
  }

  async add(parentKeys: InstanceKeys, params: Record<string, Value>, _ctx: RequestContext, requested?: number): Promise<number> {
    const table = this.node.tablePathOf(parentKeys);
    if (this.list(parentKeys).length >= this.rules.max) throw new UspError(ErrorCode.ResourcesExceeded, `${table} holds at most ${this.rules.max} rows on this device`);
    // Instance 0 while checking: a refused Add uses no number.
    const row = await this.next([...parentKeys, 0], { ...this.defaults, ...this.rules.initial?.(parentKeys) }, { ...params });
    const n = this.store.allocate(table, requested);
    // TR-181 Alias: an Agent that was not given one assigns one with the "cpe-" prefix.
    if (this.params.includes('Alias') && (row.Alias === '' || row.Alias === undefined)) row.Alias = `cpe-${n}`;
    this.store.setRow(this.node.pathOf([...parentKeys, n]), row);
    this.rules.changed();
    return n;
  }

  delete(keys: InstanceKeys): void {
    this.row(keys);
    this.store.remove(this.node.pathOf(keys), this.node.tablePathOf(keys.slice(0, -1)), keys[keys.length - 1]!);
    this.rules.changed();
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.store.snapshotSubtree(this.node.pathOf(keys));
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.store.restoreSubtree(this.node.tablePathOf(keys.slice(0, -1)), keys[keys.length - 1]!, snap as ReturnType<DataStore['snapshotSubtree']>);
    this.rules.changed();
  }
}
