/**
 * A data model over the real TR-181 schema with the simulated platform registered on a fake
 * clock, for the simulated-platform tests.
 */
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import type { ObjectBinding } from '../../../../datamodel/tree/binding.js';
import { type ObjectValues, readSubtree } from '../../../../datamodel/tree/read-object.js';
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
  stop(): void;
}

export function simulated(seed = 42): SimFixture {
  let now = BOOT_MS;
  const model = new DataModel(schema);
  const platform = registerSimulatedPlatform(model, { seed, now: () => now });
  return {
    model,
    advance: (seconds) => { now += seconds * 1000; },
    binding: (path) => {
      const b = model.requireNode(path).binding;
      if (!b) throw new Error(`${path} is not bound`);
      return b;
    },
    readAll: async () => {
      const out: ObjectValues[] = [];
      await readSubtree(model, { node: model.root, keys: [] }, 0, {}, out);
      return out;
    },
    stop: () => platform.stop(),
  };
}
