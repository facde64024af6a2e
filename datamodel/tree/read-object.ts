/**
 * Reading whole objects and subtrees, the core of Get (TR-369 R-GET.*): one binding call per
 * object instance, never one per parameter. With an AccessView in the request context, rows
 * the controller may not read are skipped with everything below them, and objects without Obj r
 * give no entry of their own (R-GET.1); which parameters of an entry are readable is left to the
 * formatter, through `access`, so nothing is copied here (R-GET.4).
 */
import { PERM_R, type InstanceAccess } from '../access/AccessView.js';
import type { Value } from '../value/Value.js';
import { UspError } from '../UspError.js';
import type { RequestContext } from './binding.js';
import type { DataModel } from './DataModel.js';
import type { ObjectInstance } from './ModelNode.js';
import { visibleInstances } from './resolve-path.js';

export interface ObjectValues {
  inst: ObjectInstance;
  /** Concrete instance path, ending in ".". */
  path: string;
  values: Record<string, Value>;
  /** The requesting controller's rights on this object; undefined for the agent itself. */
  access?: InstanceAccess;
}

/**
 * Appends `inst` and its descendants to `out`, depth-first in schema order. `maxDepth` follows
 * Get.max_depth: 0 = everything, 1 = the object's own parameters, 2 = also its children, ...
 * Objects without served parameters are left out (they would be empty result entries).
 */
export async function readSubtree(model: DataModel, inst: ObjectInstance, maxDepth: number, ctx: RequestContext, out: ObjectValues[]): Promise<void> {
  await walk(model, inst, maxDepth === 0 ? Number.POSITIVE_INFINITY : maxDepth, ctx, out);
}

async function walk(model: DataModel, inst: ObjectInstance, remaining: number, ctx: RequestContext, out: ObjectValues[]): Promise<void> {
  const { node, keys } = inst;
  if (node.params.size > 0) {
    // Most nodes' rights are decided once for all rows (a plain value): skip the microtask then.
    const a = ctx.access?.instance(inst);
    const access = a instanceof Promise ? await a : a;
    if (!access || (access.obj & PERM_R) !== 0) out.push({ inst, path: node.pathOf(keys), values: await model.readValues(inst, ctx), access });
  }
  if (remaining <= 1) return;
  for (const child of node.children.values()) {
    if (!child.supported) continue;
    const before = out.length;
    try {
      if (!child.multi) {
        await walk(model, { node: child, keys }, remaining - 1, ctx, out);
        continue;
      }
      for (const n of await visibleInstances(model, child, keys, ctx)) {
        await walk(model, { node: child, keys: [...keys, n] }, remaining - 1, ctx, out);
      }
    } catch (e) {
      // A failure confined to its source (a plugin's provider, UspError.isolated) drops that
      // child's subtree from the read, entries already taken included; the rest still answers.
      if (!(e instanceof UspError && e.isolated)) throw e;
      out.length = before;
    }
  }
}
