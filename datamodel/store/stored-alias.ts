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
 * binding serves (an interface's Name), its values are stored beside the Alias: a row that comes
 * back under another number after a restart (an interface that appeared in another order) then
 * reads cpe-<n>, not the Alias of the row that had the number before.
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
 * The Alias of one table's rows, held in the store. A class, not closures: its methods live once
 * for every gateway of a fleet (issue 14).
 */
class StoredAlias implements ExtraParams {
  readonly names = NAMES;
  /** The table's other unique key, when one made of parameters no Controller can change (readOnly: the device's own name for the row) says which row it is. */
  private readonly idParams: readonly string[] | undefined;
  /**
   * Per table path, the rows whose stored Alias this run has read or written: when one is no
   * longer listed its Alias goes. As many entries as stored aliases (none on most tables), made
   * at the first.
   */
  heldOf?: Map<string, Set<number>>;

  constructor(
    private readonly node: ModelNode,
    private readonly binding: ObjectBinding,
    private readonly store: DataStore,
  ) {
    const served = binding.params ?? [];
    const fixed = (p: string): boolean => served.includes(p) && node.def.params.find((q) => q.name === p)?.access === 'readOnly';
    this.idParams = node.def.uniqueKeys?.find((k) => !k.params.includes(ALIAS) && k.params.every(fixed))?.params;
  }

  private identity(values: Readonly<Record<string, Value>>): string | undefined {
    return this.idParams ? JSON.stringify(this.idParams.map((p) => values[p] ?? null)) : undefined;
  }

  private hold(keys: InstanceKeys): void {
    const table = this.node.tablePathOf(keys.slice(0, -1));
    const held = (this.heldOf ??= new Map<string, Set<number>>());
    let set = held.get(table);
    if (!set) held.set(table, (set = new Set<number>()));
    set.add(own(keys));
  }

  /** Forgets the Alias of `keys`; `gone`: the row itself is gone (deleted, or no longer listed). */
  drop(keys: InstanceKeys, gone: boolean): void {
    const path = this.node.pathOf(keys);
    this.heldOf?.get(this.node.tablePathOf(keys.slice(0, -1)))?.delete(own(keys));
    const row = this.store.row(path);
    if (!row || !(ALIAS in row)) return;
    const { [ALIAS]: _, [OF]: __, ...rest } = row;
    // The row may hold the platform's own stored values (the simulated gateway's settings): keep them.
    if (gone && Object.keys(rest).length === 0) this.store.remove(path, this.node.tablePathOf(keys.slice(0, -1)), own(keys));
    else this.store.setRow(path, rest);
  }

  writeAlias(keys: InstanceKeys, alias: Value, of: string | undefined): void {
    const path = this.node.pathOf(keys);
    const { [OF]: _, ...row } = this.store.row(path) ?? {};
    this.store.setRow(path, of === undefined ? { ...row, [ALIAS]: alias } : { ...row, [ALIAS]: alias, [OF]: of });
    this.hold(keys);
  }

  read(keys: InstanceKeys, values?: Readonly<Record<string, Value>>): Record<string, Value> {
    const row = this.store.row(this.node.pathOf(keys));
    const stored = row?.[ALIAS];
    if (stored === undefined) return { [ALIAS]: `cpe-${own(keys)}` };
    // Another row has this number now: the Alias was the other row's, and goes.
    // (Not when the binding could not read the key now: that says nothing about the row.)
    if (values && this.idParams?.every((p) => values[p] !== undefined) && row?.[OF] !== undefined && row[OF] !== this.identity(values)) {
      this.drop(keys, false);
      return { [ALIAS]: `cpe-${own(keys)}` };
    }
    this.hold(keys);
    return { [ALIAS]: stored };
  }

  async write(keys: InstanceKeys, changes: Record<string, Value>, ctx: RequestContext): Promise<void> {
    const alias = changes[ALIAS];
    if (alias === undefined) return;
    this.writeAlias(keys, alias, this.idParams ? this.identity(await this.binding.get(keys, ctx)) : undefined);
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

async function listDroppingGone(this: StoredAliasBinding, parentKeys: InstanceKeys, ctx: RequestContext): Promise<number[]> {
  const now = await this.inner.list!(parentKeys, ctx);
  const mine = this.alias.heldOf?.get(this.alias.tablePathOf(parentKeys));
  if (mine && mine.size > 0) {
    const present = new Set(now);
    for (const n of [...mine]) if (!present.has(n)) this.alias.drop([...parentKeys, n], true);
  }
  return now;
}

async function deleteWithAlias(this: StoredAliasBinding, keys: InstanceKeys, ctx: RequestContext): Promise<void> {
  await this.inner.delete!(keys, ctx);
  this.alias.drop(keys, true);
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
