/**
 * A data model over the real TR-181 schema with the simulated platform registered on a fake
 * clock, for the simulated-platform tests. Writes can go through a Transaction, as the agent's
 * handlers do (unique keys, rollback), by concrete path.
 */
import { parsePath } from '../../../../datamodel/path/parse-path.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import type { DataStore } from '../../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import type { ObjectBinding } from '../../../../datamodel/tree/binding.js';
import { type ObjectValues, readSubtree } from '../../../../datamodel/tree/read-object.js';
import { type PathMatch, PathResolver } from '../../../../datamodel/tree/resolve-path.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { registerSimulatedPlatform } from '../../../../platform/simulated/index.js';

// Loaded once: every test builds a fresh DataModel over the same (read-only) schema.
const schema = Schema.load();

/** 2025-03-10T08:00:00Z: an arbitrary, fixed boot time. */
export const BOOT_MS = Date.UTC(2025, 2, 10, 8, 0, 0);

export interface SimFixture {
  model: DataModel;
  /** Moves the fake clock forward. */
  advance(seconds: number): void;
  binding(supportedPath: string): ObjectBinding;
  readAll(): Promise<ObjectValues[]>;
  /** Values of the object at a concrete path ("Device.NAT.PortMapping.1."), NumberOfEntries included. */
  values(objectPath: string): Promise<Record<string, Value>>;
  /** Instance numbers of a table ("Device.Hosts.Host."). */
  instances(tablePath: string): Promise<number[]>;
  /** Add in a transaction, as handle-add does; resolves to the new instance number. */
  add(tablePath: string, params: Record<string, Value>): Promise<number>;
  set(objectPath: string, values: Record<string, Value>): Promise<void>;
  del(objectPath: string): Promise<void>;
  stop(): void;
}

export function simulated(seed = 42, opts: { store?: DataStore; model?: DataModel; vendorPrefix?: string } = {}): SimFixture {
  let now = BOOT_MS;
  const model = opts.model ?? new DataModel(schema);
  const platform = registerSimulatedPlatform(model, { seed, now: () => now, store: opts.store, vendorPrefix: opts.vendorPrefix });
  const resolve = async (path: string, table: boolean): Promise<PathMatch> => {
    const [m] = await new PathResolver(model, {}).resolve(parsePath(path));
    if (!m || m.table !== table) throw new Error(`no ${table ? 'table' : 'object'} ${path}`);
    return m;
  };
  return {
    model,
    advance: (seconds) => {
      now += seconds * 1000;
    },
    binding: (path) => {
      const b = model.bindingAt(path);
      if (!b) throw new Error(`${path} is not bound`);
      return b;
    },
    readAll: async () => {
      const out: ObjectValues[] = [];
      await readSubtree(model, { node: model.root, keys: [] }, 0, {}, out);
      return out;
    },
    values: async (path) => {
      const m = await resolve(path, false);
      return model.readValues({ node: m.node, keys: m.keys }, {});
    },
    instances: async (path) => {
      const m = await resolve(path, true);
      return model.listInstances(m.node, m.keys, {});
    },
    add: async (path, params) => {
      const m = await resolve(path, true);
      return Transaction.run(model, {}, async (tx) => (await tx.add(m.node, m.keys, params)).keys.at(-1)!);
    },
    set: async (path, values) => {
      const m = await resolve(path, false);
      await Transaction.run(model, {}, (tx) => tx.set({ node: m.node, keys: m.keys }, values));
    },
    del: async (path) => {
      const m = await resolve(path, false);
      await Transaction.run(model, {}, (tx) => tx.delete({ node: m.node, keys: m.keys }));
    },
    stop: () => platform.stop(),
  };
}

export { refusal } from '../refusal.js';

export { expectSchemaTyped } from '../schema-typed.js';
