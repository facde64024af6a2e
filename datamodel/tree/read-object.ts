/**
 * Reading whole objects and subtrees, the core of Get (TR-369 R-GET.*): one binding call per
 * object instance, never one per parameter.
 */
import type { Value } from '../value/Value.js';
import type { RequestContext } from './binding.js';
import type { DataModel } from './DataModel.js';
import type { ObjectInstance } from './ModelNode.js';

export interface ObjectValues {
  inst: ObjectInstance;
  /** Concrete instance path, ending in ".". */
  path: string;
  values: Record<string, Value>;
}

/**
 * Appends `inst` and its descendants to `out`, depth-first in schema order. `maxDepth` follows
 * Get.max_depth: 0 = everything, 1 = the object's own parameters, 2 = also its children, ...
 * Objects without served parameters are left out (they would be empty result entries).
 */
export async function readSubtree(
  model: DataModel, inst: ObjectInstance, maxDepth: number, ctx: RequestContext, out: ObjectValues[],
): Promise<void> {
  await walk(model, inst, maxDepth === 0 ? Number.POSITIVE_INFINITY : maxDepth, ctx, out);
}

async function walk(model: DataModel, inst: ObjectInstance, remaining: number, ctx: RequestContext, out: ObjectValues[]): Promise<void> {
  const { node, keys } = inst;
  if (node.params.size > 0) out.push({ inst, path: node.pathOf(keys), values: await model.readValues(inst, ctx) });
  if (remaining <= 1) return;
  for (const child of node.children.values()) {
    if (!child.supported) continue;
    if (!child.multi) {
      await walk(model, { node: child, keys }, remaining - 1, ctx, out);
      continue;
    }
    for (const n of await model.listInstances(child, keys, ctx)) {
      await walk(model, { node: child, keys: [...keys, n] }, remaining - 1, ctx, out);
    }
  }
}
