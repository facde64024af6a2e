/**
 * Reads the parameters a SampleSet samples, through the same path resolver and batch reads as a
 * Get (one binding call per object per pass, whatever the number of Parameters on it), with the
 * permissions of the Controller that owns the SampleSet (TR-181 SampleSet.{i}.Controller: "defines
 * the set of permissions to use when updating the Parameter table"). What that Controller may not
 * read is not read: the sample is missed (SuspectData 1), never taken with the agent's own rights.
 */
import { PERM_R, type InstanceAccess } from '../../datamodel/access/AccessView.js';
import type { ParsedPath } from '../../datamodel/path/Path.js';
import type { RequestContext } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ObjectInstance } from '../../datamodel/tree/ModelNode.js';
import { PathResolver } from '../../datamodel/tree/resolve-path.js';
import type { Value } from '../../datamodel/value/Value.js';

/** What a reference names now: the parameter's type and value, or why it cannot be sampled. */
export type Reading = { ok: true; value: Value; type: string; list: boolean } | { ok: false; why: string };

/** One pass over a SampleSet's references: objects read once each. */
export class SamplePass {
  private readonly resolver: PathResolver;
  private readonly objects = new Map<string, Promise<Record<string, Value>>>();

  constructor(
    private readonly model: DataModel,
    private readonly ctx: RequestContext,
  ) {
    this.resolver = new PathResolver(model, ctx);
  }

  async read(ref: ParsedPath): Promise<Reading> {
    if (ref.kind !== 'parameter') return { ok: false, why: 'not a parameter' };
    let matches;
    try {
      matches = await this.resolver.resolve(ref);
    } catch (e) {
      return { ok: false, why: e instanceof Error ? e.message : String(e) };
    }
    const m = matches.length === 1 && !matches[0].table ? matches[0] : undefined;
    if (!m) return { ok: false, why: 'no such parameter now' };
    const syntax = m.node.params.get(ref.leaf);
    if (!syntax) return { ok: false, why: 'no such parameter' };
    if (!(await mayRead(this.ctx, m, ref.leaf))) return { ok: false, why: 'not readable by the Controller' };
    // Hidden and secured values are never sampled: a list of them would show what a Get hides.
    if (syntax.hidden || syntax.secured) return { ok: false, why: 'secured or hidden' };
    const path = m.node.pathOf(m.keys);
    let p = this.objects.get(path);
    if (!p) {
      p = this.model.readValues(m, this.ctx);
      this.objects.set(path, p);
    }
    try {
      const v = (await p)[ref.leaf];
      if (v === undefined) return { ok: false, why: 'could not be read now' };
      return { ok: true, value: v, type: syntax.type, list: syntax.list !== undefined };
    } catch (e) {
      return { ok: false, why: e instanceof Error ? e.message : String(e) };
    }
  }
}

/** Whether `ctx` may read parameter `leaf` of `inst` (the agent itself, with no access view, may). */
export async function mayRead(ctx: RequestContext, inst: ObjectInstance, leaf: string): Promise<boolean> {
  if (!ctx.access) return true;
  const a = ctx.access.instance(inst);
  const rights: InstanceAccess = a instanceof Promise ? await a : a;
  return (rights.obj & PERM_R) !== 0 && (rights.param(leaf) & PERM_R) !== 0;
}
