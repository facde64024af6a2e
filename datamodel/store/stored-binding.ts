/**
 * A binding whose values live in the agent's DataStore: configuration objects such as
 * Device.LocalAgent.Controller.{i}., Subscription.{i}., MQTT.Client.{i}. Some parameters of a
 * stored object may be live (UpTime) or guarded (a validate hook), without a second binding.
 */
import type { ObjectBinding, InstanceKeys, RequestContext, CommandBinding } from '../tree/binding.js';
import type { DataModel } from '../tree/DataModel.js';
import type { ModelNode } from '../tree/ModelNode.js';
import type { Value } from '../value/Value.js';
import type { SchemaParam } from '../schema/types.js';
import { defaultValue } from '../value/default-value.js';
import type { DataStore } from './DataStore.js';
import type { RowIndex } from './RowIndex.js';

export interface StoredOptions {
  /** Served parameters; default all of the schema object's (NumberOfEntries are derived). */
  params?: readonly string[];
  /** Parameters computed on read instead of stored. */
  live?: Readonly<Record<string, (keys: InstanceKeys) => Value>>;
  /** Called before a Set/Add is applied; throw UspError to refuse (e.g. a value conflict). */
  validate?: (keys: InstanceKeys, changes: Record<string, Value>, ctx: RequestContext) => void;
  /** Called after values changed (including on Add), e.g. to reconfigure an MTP. */
  onChange?: (keys: InstanceKeys, changes: Record<string, Value>) => void;
  onDelete?: (keys: InstanceKeys) => void;
  /** Values a new row gets from the agent itself (e.g. Subscription.Recipient, CreationDate). */
  initial?: (parentKeys: InstanceKeys, ctx: RequestContext) => Record<string, Value>;
  commands?: Readonly<Record<string, CommandBinding>>;
  /**
   * Vendor-specific parameters (X_<VENDOR>_<Name>) stored like the schema's, each with the value
   * it reads as until one is stored.
   */
  vendorParams?: ReadonlyArray<{ param: SchemaParam; default: Value }>;
}

/** Registers `supportedPath` as a stored object and returns its node. */
export function registerStored(model: DataModel, store: DataStore, supportedPath: string, opts: StoredOptions = {}): ModelNode {
  const node = model.requireNode(supportedPath);
  return model.register(supportedPath, storedBinding(node, store, opts), { vendorParams: opts.vendorParams?.map((v) => v.param) });
}

interface StoredParams {
  names: readonly string[];
  /** Read only: every binding of the object shares it. */
  defaults: Readonly<Record<string, Value>>;
}

/**
 * StoredParams by node, then by the names asked for ("" for the default): immutable tables that
 * every data model over the same tree would otherwise copy per object (a fleet: per gateway).
 */
const storedParamsOf = new WeakMap<ModelNode, Map<string, StoredParams>>();

/** What a stored object without live values reads as: shared, never written. */
const NO_LIVE: ReadonlyArray<[string, (keys: InstanceKeys) => Value]> = [];

/**
 * The parameters a stored object serves (default: the schema's, less the derived NumberOfEntries)
 * and what each reads as until stored; the same tables for every binding of one node and names
 * (vendor parameters bring defaults of their own, so those are the binding's).
 */
function storedParams(node: ModelNode, opts: StoredOptions): StoredParams {
  if (opts.vendorParams) return computeStoredParams(node, opts);
  const key = opts.params?.join(',') ?? '';
  let byNames = storedParamsOf.get(node);
  if (!byNames) storedParamsOf.set(node, (byNames = new Map<string, StoredParams>()));
  let known = byNames.get(key);
  if (!known) byNames.set(key, (known = computeStoredParams(node, opts)));
  return known;
}

/** Apart from storedBinding, so the set of derived names is not kept in the context its closures share. */
function computeStoredParams(node: ModelNode, opts: StoredOptions): StoredParams {
  const counts = new Set([...node.children.values()].map((c) => c.def.numEntriesParameter).filter(Boolean));
  const names = opts.params ?? node.def.params.map((p) => p.name).filter((n) => !counts.has(n));
  const defaults: Record<string, Value> = {};
  for (const name of names) {
    const p = node.def.params.find((q) => q.name === name);
    if (p) defaults[name] = defaultValue(p);
  }
  for (const v of opts.vendorParams ?? []) defaults[v.param.name] = v.default;
  return { names, defaults };
}

function storedBinding(node: ModelNode, store: DataStore, opts: StoredOptions): ObjectBinding {
  const { names, defaults } = storedParams(node, opts);
  const live = opts.live ? Object.entries(opts.live) : NO_LIVE;
  const binding: ObjectBinding = {
    params: names,
    // Live parameters (UpTime) are computed, but they are counters the poller ignores anyway.
    changesOnlyThroughAgent: true,
    stored: true,
    commands: opts.commands,
    get(keys) {
      const row = store.row(node.pathOf(keys));
      const v: Record<string, Value> = row ? { ...defaults, ...row } : { ...defaults };
      for (const [name, fn] of live) v[name] = fn(keys);
      return v;
    },
    set(keys, changes, ctx) {
      opts.validate?.(keys, changes, ctx);
      const path = node.pathOf(keys);
      store.setRow(path, { ...(store.row(path) ?? {}), ...changes });
      opts.onChange?.(keys, changes);
    },
  };
  if (node.multi) {
    binding.list = (parentKeys) => store.instances(node.tablePathOf(parentKeys));
    binding.add = (parentKeys, params, ctx, requested) => {
      const values = { ...(opts.initial?.(parentKeys, ctx) ?? {}), ...params };
      opts.validate?.([...parentKeys, 0], values, ctx);
      const n = store.allocate(node.tablePathOf(parentKeys), requested);
      store.setRow(node.pathOf([...parentKeys, n]), values);
      opts.onChange?.([...parentKeys, n], values);
      return n;
    };
    binding.delete = (keys) => {
      store.remove(node.pathOf(keys), node.tablePathOf(keys.slice(0, -1)), keys[keys.length - 1]);
      opts.onDelete?.(keys);
    };
    // An index per unique key made of stored parameters only (a live one is read per row).
    const indexed = new Map<string, RowIndex>();
    for (const key of node.def.uniqueKeys ?? []) {
      if (key.params.every((p) => p in defaults && !opts.live?.[p])) {
        indexed.set(key.params.join('+'), store.indexRows(node.supportedPath, key.params, defaults));
      }
    }
    binding.findByValues = (parentKeys, params, values) => indexed.get(params.join('+'))?.find(node.tablePathOf(parentKeys), values);
    binding.snapshot = (keys) => store.snapshotSubtree(node.pathOf(keys));
    binding.restore = (keys, snap) => {
      store.restoreSubtree(node.tablePathOf(keys.slice(0, -1)), keys[keys.length - 1], snap as ReturnType<DataStore['snapshotSubtree']>);
    };
  }
  return binding;
}
