/**
 * `Alias` for tables whose source has none (a platform's IP.Interface, WiFi.Radio, Bridging
 * Port...): TR-181 gives nearly every table a non-functional unique key `Alias`
 * (writeOnceReadOnly in the USP model: "a non-volatile unique key used to reference this
 * instance"; an Agent that was not given one at creation assigns one with a "cpe-" prefix).
 * The agent holds it: `cpe-<instance>` until one is given (at Add, by the factory-defaults file,
 * or by a Set while it is still empty), kept in the agent's store under the row's path so it
 * survives a restart, and dropped when its row goes (a Delete, or the row seen gone from its
 * table). Uniqueness within the table (7025) and `[Alias=="x"]` searches need nothing of
 * their own: the transaction and the resolver read Alias like any served parameter.
 *
 * A platform row keeps its instance number while the agent runs (InstanceMap) and gets the same
 * one at the next start when the platform lists the same rows in the same order, which is what
 * ties a stored Alias to its row across a restart. Where the table has another unique key the
 * binding serves (an interface's Name), or the binding names its rows otherwise (rowIdentity: a
 * router's routing table), that identity is stored beside the Alias: a row that comes back under
 * another number after a restart (an interface that appeared in another order) then reads
 * cpe-<n>, not the Alias of the row that had the number before.
 *
 * A read never writes the store (a Get of a Controller allowed only to read must not change
 * persisted state, and a full disk must not fail a Get): an Alias a read finds stale (its row no
 * longer listed, or another row under its number) reads as cpe-<n> and is queued, and the queue
 * is applied by the next write of the table's Aliases (a Set, Add or Delete, inside its
 * transaction, saved with it) or at the next commit of any transaction (pruneQueuedAliases, a
 * commit hook: saved with the commit after it).
 */
import type { Value } from '../value/Value.js';
import type { InstanceKeys, ObjectBinding, RequestContext } from '../tree/binding.js';
import type { BindingDecorator } from '../tree/DataModel.js';
import type { ModelNode } from '../tree/ModelNode.js';
import { ExtraParamsBinding, type ExtraParams } from '../tree/extra-params.js';
import type { DataStore } from './DataStore.js';

const ALIAS = 'Alias';
/** Stored beside the Alias: the row's values of its other unique key, when it has one. */
const OF = 'AliasOf';

/** Per store, the tables with prunes queued (most stores have none: made at the first). */
const queuedOf = new WeakMap<DataStore, Set<StoredAlias>>();

/**
 * Applies every prune a read queued for `store`'s Aliases. For a commit hook (DataModel.onCommit):
 * it runs under the write lock, never inside a read.
 */
export function pruneQueuedAliases(store: DataStore): void {
  const queued = queuedOf.get(store);
  if (!queued || queued.size === 0) return;
  queuedOf.delete(store);
  for (const alias of queued) alias.prune();
}

/**
 * Gives every table registered from now on whose schema has `Alias` and whose binding does not
 * serve it an Alias held in `store` (DataModel.decorateBindings). Bindings serving all of the
 * schema's parameters (stored objects) or naming Alias keep theirs.
 */
export function storedAliases(store: DataStore): BindingDecorator {
  return (node, binding) => {
    if (!node.multi || !binding.list || binding.params === undefined || binding.params.includes(ALIAS)) return binding;
    if (!node.def.params.some((p) => p.name === ALIAS)) return binding;
    return new StoredAliasBinding(binding, new StoredAlias(node, binding, store));
  };
}

const NAMES: readonly string[] = [ALIAS];
/**
 * Prunes waiting per table. One lost to the bound costs nothing but a stored entry: a read
 * ignores a stale Alias whether or not its prune is queued.
 */
const MAX_STALE = 64;

/** A stored Alias a read found stale: `gone`, its row is no longer listed; else another row has the number. */
interface Stale {
  keys: InstanceKeys;
  gone: boolean;
}

/**
 * The Alias of one table's rows, held in the store. A class, not closures: its methods live once
 * for every gateway of a fleet (issue 14).
 */
class StoredAlias implements ExtraParams {
  readonly names = NAMES;
  /** The table's other unique key, when one made of parameters no Controller can change (readOnly: the device's own name for the row) says which row it is. */
  private readonly idParams: readonly string[] | undefined;
  /**
   * Per table path, the rows whose stored Alias this run has read or written: when one is no
   * longer listed its Alias is queued to go. As many entries as stored aliases (none on most
   * tables), made at the first.
   */
  heldOf?: Map<string, Set<number>>;
  /** Stored Aliases found stale by a read, by row path, oldest first (at most MAX_STALE); made at the first. */
  staleOf?: Map<string, Stale>;

  constructor(
    private readonly node: ModelNode,
    private readonly binding: ObjectBinding,
    private readonly store: DataStore,
  ) {
    const served = binding.params ?? [];
    const fixed = (p: string): boolean => served.includes(p) && node.def.params.find((q) => q.name === p)?.access === 'readOnly';
    this.idParams = node.def.uniqueKeys?.find((k) => !k.params.includes(ALIAS) && k.params.every(fixed))?.params;
  }

  /** Which row `keys` is (its fixed unique key's values, or the binding's rowIdentity); undefined: not known now. */
  private identity(keys: InstanceKeys, values: Readonly<Record<string, Value>> | undefined): string | undefined {
    if (!this.idParams) return this.binding.rowIdentity?.(keys);
    // Not when the binding could not read the key now: that says nothing about the row.
    if (!values || !this.idParams.every((p) => values[p] !== undefined)) return undefined;
    return JSON.stringify(this.idParams.map((p) => values[p] ?? null));
  }

  private hold(keys: InstanceKeys): void {
    const table = this.node.tablePathOf(keys.slice(0, -1));
    const held = (this.heldOf ??= new Map<string, Set<number>>());
    let set = held.get(table);
    if (!set) held.set(table, (set = new Set<number>()));
    set.add(own(keys));
  }

  /** Queues the prune of a stale Alias (a read found it): applied by the next write, never by the read. */
  queueStale(keys: InstanceKeys, gone: boolean): void {
    const path = this.node.pathOf(keys);
    const queue = (this.staleOf ??= new Map<string, Stale>());
    let queued = queuedOf.get(this.store);
    if (!queued) queuedOf.set(this.store, (queued = new Set<StoredAlias>()));
    queued.add(this);
    queue.delete(path);
    if (queue.size >= MAX_STALE) queue.delete(queue.keys().next().value!);
    queue.set(path, { keys, gone });
  }

  /** Rows listed again under `parentKeys` are the same rows (InstanceMap keeps a key's number): their Alias stays. */
  relisted(parentKeys: InstanceKeys, present: ReadonlySet<number>): void {
    const queue = this.staleOf;
    if (!queue) return;
    for (const [path, s] of queue) if (s.gone && present.has(own(s.keys)) && s.keys.length === parentKeys.length + 1 && parentKeys.every((k, i) => s.keys[i] === k)) queue.delete(path);
  }

  /** Applies the queued prunes; only from a write or a commit (under the write lock; a commit saves them). */
  prune(): void {
    const queue = this.staleOf;
    if (!queue || queue.size === 0) return;
    this.staleOf = undefined;
    queuedOf.get(this.store)?.delete(this);
    for (const s of queue.values()) this.drop(s.keys, s.gone);
  }

  /** Forgets the Alias of `keys`; `gone`: the row itself is gone (deleted, or no longer listed). */
  private drop(keys: InstanceKeys, gone: boolean): void {
    const path = this.node.pathOf(keys);
    this.heldOf?.get(this.node.tablePathOf(keys.slice(0, -1)))?.delete(own(keys));
    const row = this.store.row(path);
    if (!row || !(ALIAS in row)) return;
    const { [ALIAS]: _, [OF]: __, ...rest } = row;
    // The row may hold the platform's own stored values (the simulated gateway's settings): keep them.
    if (gone && Object.keys(rest).length === 0) this.store.remove(path, this.node.tablePathOf(keys.slice(0, -1)), own(keys));
    else this.store.setRow(path, rest);
  }

  /** A Delete took the row: its Alias goes, with the prunes queued. */
  deleted(keys: InstanceKeys): void {
    this.staleOf?.delete(this.node.pathOf(keys));
    this.prune();
    this.drop(keys, true);
  }

  writeAlias(keys: InstanceKeys, alias: Value, of: string | undefined): void {
    const path = this.node.pathOf(keys);
    // This write replaces whatever was queued for the row; the rest of the queue goes with it.
    this.staleOf?.delete(path);
    this.prune();
    const { [OF]: _, ...row } = this.store.row(path) ?? {};
    this.store.setRow(path, of === undefined ? { ...row, [ALIAS]: alias } : { ...row, [ALIAS]: alias, [OF]: of });
    this.hold(keys);
  }

  read(keys: InstanceKeys, values?: Readonly<Record<string, Value>>): Record<string, Value> {
    const row = this.store.row(this.node.pathOf(keys));
    const stored = row?.[ALIAS];
    if (stored === undefined) return { [ALIAS]: `cpe-${own(keys)}` };
    // Another row has this number now: the Alias was the other row's. Reads as generated; the
    // store keeps it until a write (a read writes nothing).
    if (row?.[OF] !== undefined) {
      const now = this.identity(keys, values);
      if (now !== undefined && row[OF] !== now) {
        this.queueStale(keys, false);
        return { [ALIAS]: `cpe-${own(keys)}` };
      }
    }
    this.hold(keys);
    return { [ALIAS]: stored };
  }

  async write(keys: InstanceKeys, changes: Record<string, Value>, ctx: RequestContext): Promise<void> {
    const alias = changes[ALIAS];
    if (alias === undefined) return;
    this.writeAlias(keys, alias, this.idParams ? this.identity(keys, await this.binding.get(keys, ctx)) : this.identity(keys, undefined));
  }

  /** The Alias as a delete leaves it, for a rollback. */
  snapshotOf(keys: InstanceKeys): { alias: Value | undefined; of: string | undefined } {
    const row = this.store.row(this.node.pathOf(keys));
    return { alias: row?.[ALIAS], of: row?.[OF] === undefined ? undefined : String(row[OF]) };
  }

  tablePathOf(parentKeys: InstanceKeys): string {
    return this.node.tablePathOf(parentKeys);
  }
}

/** The table's binding with the Alias beside it: rows no longer listed, or deleted, lose theirs. */
class StoredAliasBinding extends ExtraParamsBinding {
  constructor(
    inner: ObjectBinding,
    readonly alias: StoredAlias,
  ) {
    super(inner, alias);
    this.list = listDroppingGone;
    if (inner.delete) this.delete = deleteWithAlias;
    if (inner.snapshot && inner.restore) {
      this.snapshot = snapshotWithAlias;
      this.restore = restoreWithAlias;
    }
  }
}

/** A listing is a read: rows no longer listed have their Alias queued to go (StoredAlias.prune), not removed here. */
async function listDroppingGone(this: StoredAliasBinding, parentKeys: InstanceKeys, ctx: RequestContext): Promise<number[]> {
  const now = await this.inner.list!(parentKeys, ctx);
  const mine = this.alias.heldOf?.get(this.alias.tablePathOf(parentKeys));
  const stale = this.alias.staleOf;
  if ((mine && mine.size > 0) || (stale && stale.size > 0)) {
    const present = new Set(now);
    if (mine) {
      for (const n of [...mine]) {
        if (present.has(n)) continue;
        mine.delete(n);
        this.alias.queueStale([...parentKeys, n], true);
      }
    }
    this.alias.relisted(parentKeys, present);
  }
  return now;
}

async function deleteWithAlias(this: StoredAliasBinding, keys: InstanceKeys, ctx: RequestContext): Promise<void> {
  await this.inner.delete!(keys, ctx);
  this.alias.deleted(keys);
}

function snapshotWithAlias(this: StoredAliasBinding, keys: InstanceKeys): unknown {
  return { inner: this.inner.snapshot!(keys), ...this.alias.snapshotOf(keys) };
}

async function restoreWithAlias(this: StoredAliasBinding, keys: InstanceKeys, snap: unknown): Promise<void> {
  const s = snap as { inner: unknown; alias: Value | undefined; of: string | undefined };
  await this.inner.restore!(keys, s.inner);
  if (s.alias !== undefined) this.alias.writeAlias(keys, s.alias, s.of);
}

function own(keys: InstanceKeys): number {
  return keys[keys.length - 1]!;
}
