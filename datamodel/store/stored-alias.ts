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
import type { InstanceKeys, ObjectBinding } from '../tree/binding.js';
import type { BindingDecorator } from '../tree/DataModel.js';
import type { ModelNode } from '../tree/ModelNode.js';
import { withExtraParams } from '../tree/extra-params.js';
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
    return withStoredAlias(node, binding, store);
  };
}

function withStoredAlias(node: ModelNode, binding: ObjectBinding, store: DataStore): ObjectBinding {
  const own = (keys: InstanceKeys): number => keys[keys.length - 1]!;
  const served = binding.params ?? [];
  // Only a key no Controller can change (readOnly: the device's own name for the row) says which row it is.
  const fixed = (p: string): boolean => served.includes(p) && node.def.params.find((q) => q.name === p)?.access === 'readOnly';
  const idParams = node.def.uniqueKeys?.find((k) => !k.params.includes(ALIAS) && k.params.every(fixed))?.params;
  const identity = (values: Readonly<Record<string, Value>>): string | undefined => (idParams ? JSON.stringify(idParams.map((p) => values[p] ?? null)) : undefined);
  /**
   * Per table path, the rows whose stored Alias this run has read or written: when one is no
   * longer listed its Alias goes. As many entries as stored aliases (none on most tables).
   */
  const held = new Map<string, Set<number>>();
  const hold = (keys: InstanceKeys): void => {
    const table = node.tablePathOf(keys.slice(0, -1));
    let set = held.get(table);
    if (!set) held.set(table, (set = new Set()));
    set.add(own(keys));
  };
  /** Forgets the Alias of `keys`; `gone`: the row itself is gone (deleted, or no longer listed). */
  const drop = (keys: InstanceKeys, gone: boolean): void => {
    const path = node.pathOf(keys);
    held.get(node.tablePathOf(keys.slice(0, -1)))?.delete(own(keys));
    const row = store.row(path);
    if (!row || !(ALIAS in row)) return;
    const { [ALIAS]: _, [OF]: __, ...rest } = row;
    // The row may hold the platform's own stored values (the simulated gateway's settings): keep them.
    if (gone && Object.keys(rest).length === 0) store.remove(path, node.tablePathOf(keys.slice(0, -1)), own(keys));
    else store.setRow(path, rest);
  };
  const write = (keys: InstanceKeys, alias: Value, of: string | undefined): void => {
    const path = node.pathOf(keys);
    const { [OF]: _, ...row } = store.row(path) ?? {};
    store.setRow(path, of === undefined ? { ...row, [ALIAS]: alias } : { ...row, [ALIAS]: alias, [OF]: of });
    hold(keys);
  };
  const out = withExtraParams(binding, {
    names: [ALIAS],
    read: (keys, values) => {
      const row = store.row(node.pathOf(keys));
      const stored = row?.[ALIAS];
      if (stored === undefined) return { [ALIAS]: `cpe-${own(keys)}` };
      // Another row has this number now: the Alias was the other row's, and goes.
      // (Not when the binding could not read the key now: that says nothing about the row.)
      if (values && idParams?.every((p) => values[p] !== undefined) && row?.[OF] !== undefined && row[OF] !== identity(values)) {
        drop(keys, false);
        return { [ALIAS]: `cpe-${own(keys)}` };
      }
      hold(keys);
      return { [ALIAS]: stored };
    },
    write: async (keys, changes, ctx) => {
      const alias = changes[ALIAS];
      if (alias === undefined) return;
      write(keys, alias, idParams ? identity(await binding.get(keys, ctx)) : undefined);
    },
  });
  const list = out.list!;
  out.list = async (parentKeys, ctx) => {
    const now = await list(parentKeys, ctx);
    const mine = held.get(node.tablePathOf(parentKeys));
    if (mine && mine.size > 0) {
      const present = new Set(now);
      for (const n of [...mine]) if (!present.has(n)) drop([...parentKeys, n], true);
    }
    return now;
  };
  const del = out.delete;
  if (del) {
    out.delete = async (keys, ctx) => {
      await del(keys, ctx);
      drop(keys, true);
    };
  }
  const snapshot = out.snapshot;
  const restore = out.restore;
  if (snapshot && restore) {
    out.snapshot = (keys) => {
      const row = store.row(node.pathOf(keys));
      return { inner: snapshot(keys), alias: row?.[ALIAS], of: row?.[OF] === undefined ? undefined : String(row[OF]) };
    };
    out.restore = async (keys, snap) => {
      const s = snap as { inner: unknown; alias: Value | undefined; of: string | undefined };
      await restore(keys, s.inner);
      if (s.alias !== undefined) write(keys, s.alias, s.of);
    };
  }
  return out;
}
