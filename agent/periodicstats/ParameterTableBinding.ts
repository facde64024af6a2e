/**
 * Device.PeriodicStatistics.SampleSet.{i}.Parameter.{i}.: the stored rows (persisted like every
 * agent-held table) with two checks a stored binding cannot make synchronously:
 * - Reference is resolved at Set/Add with the changing Controller's permissions
 *   (check-sampled-reference.ts);
 * - the collected lists are read only by a Controller that may read the sampled parameter
 *   itself: for any other they read as empty, so a SampleSet never shows a Controller what its
 *   own Get of the parameter would hide.
 */
import type { InstanceKeys, ObjectBinding, RequestContext } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { parsePath } from '../../datamodel/path/parse-path.js';
import { PathResolver } from '../../datamodel/tree/resolve-path.js';
import type { Value } from '../../datamodel/value/Value.js';
import { checkSampledReference } from './check-sampled-reference.js';
import { mayRead } from './read-sampled.js';

/** What a Set can change: HistogramBinBoundaries is served read-only (Histogram is not offered). */
const WRITABLE = ['Alias', 'Enable', 'Reference', 'SampleMode', 'CalculationMode', 'LowThreshold', 'HighThreshold'] as const;
/** The lists a Controller that may not read the sampled parameter reads as empty. */
const SAMPLED: Readonly<Record<string, Value>> = { Values: '', SampleSeconds: '', SuspectData: '', Failures: 0, ValuesIfHistogram: '' };

export class ParameterTableBinding implements ObjectBinding {
  readonly writable: readonly string[] = WRITABLE;
  readonly changesOnlyThroughAgent = true;
  readonly stored = true;
  readonly params: readonly string[] | undefined;

  constructor(
    private readonly model: DataModel,
    private readonly inner: ObjectBinding,
  ) {
    this.params = inner.params;
  }

  list(parentKeys: InstanceKeys, ctx: RequestContext): number[] | Promise<number[]> {
    return this.inner.list!(parentKeys, ctx);
  }

  async get(keys: InstanceKeys, ctx: RequestContext): Promise<Record<string, Value>> {
    const v = await this.inner.get(keys, ctx);
    const ref = String(v.Reference ?? '');
    if (ctx.access && ref !== '' && !(await this.readerMayRead(ref, ctx))) Object.assign(v, SAMPLED);
    return v;
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>, ctx: RequestContext): Promise<void> {
    if ('Reference' in changes) await checkSampledReference(this.model, String(changes.Reference), ctx);
    await this.inner.set!(keys, changes, ctx);
  }

  async add(parentKeys: InstanceKeys, params: Record<string, Value>, ctx: RequestContext, requested?: number): Promise<number> {
    if ('Reference' in params) await checkSampledReference(this.model, String(params.Reference), ctx);
    return this.inner.add!(parentKeys, params, ctx, requested);
  }

  delete(keys: InstanceKeys, ctx: RequestContext): void | Promise<void> {
    return this.inner.delete!(keys, ctx);
  }

  findByValues(parentKeys: InstanceKeys, params: readonly string[], values: Readonly<Record<string, Value>>) {
    return this.inner.findByValues?.(parentKeys, params, values);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.inner.snapshot?.(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void | Promise<void> {
    return this.inner.restore?.(keys, snap);
  }

  private async readerMayRead(ref: string, ctx: RequestContext): Promise<boolean> {
    try {
      const path = parsePath(ref);
      if (path.kind !== 'parameter') return false;
      const matches = await new PathResolver(this.model, ctx).resolve(path);
      return matches.length === 1 && !matches[0].table && (await mayRead(ctx, matches[0], path.leaf));
    } catch {
      return false;
    }
  }
}
