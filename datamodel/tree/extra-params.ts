/**
 * Parameters held by the agent itself, added to an object another source serves (a platform, a
 * plugin): the Alias of a platform's table row, DeviceInfo.ProvisioningCode where the platform
 * has no such setting. The object keeps one binding, so one Get still reads it with one call
 * of its source; these names are answered beside it and written apart from it.
 */
import type { Value } from '../value/Value.js';
import type { Awaitable, InstanceKeys, ObjectBinding, RequestContext } from './binding.js';
import { ErrorCode, UspError } from '../UspError.js';

export interface ExtraParams {
  /** The names added (schema parameters the binding does not serve). */
  readonly names: readonly string[];
  /**
   * Their values for one instance (every name); `own` is what the binding read for it at the
   * same time, when it did (a whole-object read), so a value may be checked against the row.
   */
  read(keys: InstanceKeys, own?: Readonly<Record<string, Value>>): Record<string, Value>;
  /** Stores validated values of some of them; absent: they are read-only. */
  write?(keys: InstanceKeys, changes: Record<string, Value>, ctx: RequestContext): Awaitable<void>;
}

/** `binding` serving `extra.names` too (read from and written to `extra`). */
export function withExtraParams(binding: ObjectBinding, extra: ExtraParams): ObjectBinding {
  return new ExtraParamsBinding(binding, extra);
}

/**
 * The served parameter lists by the inner binding's list, then by the names added: a fleet's
 * gateways decorate bindings whose lists are shared, and get one list back for all of them.
 */
const paramsOf = new WeakMap<readonly string[], Map<string, readonly string[]>>();
const NO_PARAMS: readonly string[] = [];

function servedParams(inner: readonly string[] | undefined, names: readonly string[]): readonly string[] {
  const own = inner ?? NO_PARAMS;
  let byNames = paramsOf.get(own);
  if (!byNames) paramsOf.set(own, (byNames = new Map<string, readonly string[]>()));
  const key = names.join(',');
  let known = byNames.get(key);
  if (!known) byNames.set(key, (known = [...own, ...names]));
  return known;
}

/**
 * What a Set can change (ObjectBinding.writable): the inner binding's (everything it serves
 * when it says nothing, none without its `set`), and the added names when `extra` writes them.
 * Shared lists as for `params`; undefined (every writable one) costs nothing.
 */
function writableParams(inner: ObjectBinding, extra: ExtraParams): readonly string[] | undefined {
  if (!inner.set) return extra.write ? extra.names : NO_PARAMS;
  if (extra.write) return inner.writable === undefined ? undefined : servedParams(inner.writable, extra.names);
  return inner.writable ?? inner.params;
}

/**
 * A binding with the parameters of `extra` beside its own. A class, not an object of closures:
 * a fleet's gateways each decorate several bindings, and the methods then live once on the
 * prototype (issue 14). The inner binding's optional methods (list, add, delete, ...) are
 * served only when it has them: each is then an own property pointing at one shared function.
 */
export class ExtraParamsBinding implements ObjectBinding {
  readonly params: readonly string[];
  readonly writable: readonly string[] | undefined;
  readonly commands: ObjectBinding['commands'];
  readonly changesOnlyThroughAgent: boolean | undefined;
  readonly stored: boolean | undefined;
  getParam?: ObjectBinding['getParam'];
  list?: ObjectBinding['list'];
  add?: ObjectBinding['add'];
  delete?: ObjectBinding['delete'];
  findByValues?: ObjectBinding['findByValues'];
  snapshot?: ObjectBinding['snapshot'];
  restore?: ObjectBinding['restore'];

  constructor(
    readonly inner: ObjectBinding,
    readonly extra: ExtraParams,
  ) {
    this.params = servedParams(inner.params, extra.names);
    this.writable = writableParams(inner, extra);
    this.commands = inner.commands;
    this.changesOnlyThroughAgent = inner.changesOnlyThroughAgent;
    this.stored = inner.stored;
    if (inner.getParam) this.getParam = getParamThrough;
    if (inner.list) this.list = listThrough;
    if (inner.add) this.add = addThrough;
    if (inner.delete) this.delete = deleteThrough;
    if (inner.findByValues) this.findByValues = findThrough;
    if (inner.snapshot) this.snapshot = snapshotThrough;
    if (inner.restore) this.restore = restoreThrough;
  }

  /** Whether `name` is one of the added parameters. */
  holds(name: string): boolean {
    return this.extra.names.includes(name);
  }

  get(keys: InstanceKeys, ctx: RequestContext): Awaitable<Record<string, Value>> {
    const values = this.inner.get(keys, ctx);
    // Keep a synchronous binding synchronous: whole-tree Gets read thousands of objects.
    if (values instanceof Promise) return values.then((v) => Object.assign(v, this.extra.read(keys, v)));
    return Object.assign(values, this.extra.read(keys, values));
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>, ctx: RequestContext): Promise<void> {
    const { own, held } = this.split(changes);
    if (Object.keys(own).length > 0) {
      if (!this.inner.set) throw new UspError(ErrorCode.ObjectNotUpdated, `parameters ${Object.keys(own).join(', ')} cannot be updated`);
      await this.inner.set(keys, own, ctx);
      // Changes the binding's change implied (ObjectBinding.set) belong to the transaction too.
      Object.assign(changes, own);
    }
    if (Object.keys(held).length === 0) return;
    if (!this.extra.write) throw new UspError(ErrorCode.ParamReadOnly, `${Object.keys(held).join(', ')} cannot be written`);
    await this.extra.write(keys, held, ctx);
  }

  split(changes: Record<string, Value>): { own: Record<string, Value>; held: Record<string, Value> } {
    const own: Record<string, Value> = {};
    const held: Record<string, Value> = {};
    for (const [k, v] of Object.entries(changes)) (this.holds(k) ? held : own)[k] = v;
    return { own, held };
  }
}

function getParamThrough(this: ExtraParamsBinding, keys: InstanceKeys, name: string, ctx: RequestContext): Awaitable<Value | undefined> {
  return this.holds(name) ? this.extra.read(keys)[name] : this.inner.getParam!(keys, name, ctx);
}

function listThrough(this: ExtraParamsBinding, parentKeys: InstanceKeys, ctx: RequestContext): Awaitable<number[]> {
  return this.inner.list!(parentKeys, ctx);
}

async function addThrough(this: ExtraParamsBinding, parentKeys: InstanceKeys, params: Record<string, Value>, ctx: RequestContext, requested?: number): Promise<number> {
  const { own, held } = this.split(params);
  const n = await this.inner.add!(parentKeys, own, ctx, requested);
  // A binding may fill in a value the row really has (the modem an AccessPoint landed on): it
  // writes it into `params`, and the Add's generated unique keys (R-ADD.5) must see it here too.
  Object.assign(params, own);
  if (Object.keys(held).length > 0) await this.extra.write?.([...parentKeys, n], held, ctx);
  return n;
}

function deleteThrough(this: ExtraParamsBinding, keys: InstanceKeys, ctx: RequestContext): Awaitable<void> {
  return this.inner.delete!(keys, ctx);
}

/** The binding's index knows only its own parameters: a key with one of ours is found by reading the rows. */
function findThrough(this: ExtraParamsBinding, parentKeys: InstanceKeys, params: readonly string[], values: Readonly<Record<string, Value>>): Awaitable<number[] | undefined> {
  return params.some((p) => this.holds(p)) ? undefined : this.inner.findByValues!(parentKeys, params, values);
}

function snapshotThrough(this: ExtraParamsBinding, keys: InstanceKeys): unknown {
  return this.inner.snapshot!(keys);
}

function restoreThrough(this: ExtraParamsBinding, keys: InstanceKeys, snap: unknown): Awaitable<void> {
  return this.inner.restore!(keys, snap);
}
