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
  const names = new Set(extra.names);
  const split = (changes: Record<string, Value>): { own: Record<string, Value>; held: Record<string, Value> } => {
    const own: Record<string, Value> = {};
    const held: Record<string, Value> = {};
    for (const [k, v] of Object.entries(changes)) (names.has(k) ? held : own)[k] = v;
    return { own, held };
  };
  const get = (keys: InstanceKeys, ctx: RequestContext): Awaitable<Record<string, Value>> => {
    const values = binding.get(keys, ctx);
    // Keep a synchronous binding synchronous: whole-tree Gets read thousands of objects.
    if (values instanceof Promise) return values.then((v) => Object.assign(v, extra.read(keys, v)));
    return Object.assign(values, extra.read(keys, values));
  };
  const out: ObjectBinding = {
    params: [...(binding.params ?? []), ...extra.names],
    get,
    set: async (keys, changes, ctx) => {
      const { own, held } = split(changes);
      if (Object.keys(own).length > 0) {
        if (!binding.set) throw new UspError(ErrorCode.ObjectNotUpdated, `parameters ${Object.keys(own).join(', ')} cannot be updated`);
        await binding.set(keys, own, ctx);
        // Changes the binding's change implied (ObjectBinding.set) belong to the transaction too.
        Object.assign(changes, own);
      }
      if (Object.keys(held).length === 0) return;
      if (!extra.write) throw new UspError(ErrorCode.ParamReadOnly, `${Object.keys(held).join(', ')} cannot be written`);
      await extra.write(keys, held, ctx);
    },
    commands: binding.commands,
    changesOnlyThroughAgent: binding.changesOnlyThroughAgent,
    stored: binding.stored,
  };
  const getParam = binding.getParam?.bind(binding);
  if (getParam) out.getParam = (keys, name, ctx) => (names.has(name) ? extra.read(keys)[name] : getParam(keys, name, ctx));
  if (binding.list) out.list = binding.list.bind(binding);
  if (binding.add) {
    const add = binding.add.bind(binding);
    out.add = async (parentKeys, params, ctx, requested) => {
      const { own, held } = split(params);
      const n = await add(parentKeys, own, ctx, requested);
      if (Object.keys(held).length > 0) await extra.write?.([...parentKeys, n], held, ctx);
      return n;
    };
  }
  if (binding.delete) out.delete = binding.delete.bind(binding);
  const find = binding.findByValues?.bind(binding);
  // The binding's index knows only its own parameters: a key with one of ours is found by reading the rows.
  if (find) out.findByValues = (parentKeys, params, values) => (params.some((p) => names.has(p)) ? undefined : find(parentKeys, params, values));
  if (binding.snapshot) out.snapshot = binding.snapshot.bind(binding);
  if (binding.restore) out.restore = binding.restore.bind(binding);
  return out;
}
