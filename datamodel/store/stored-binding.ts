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

export interface StoredOptions {
  /** Served parameters; default all of the schema object's (NumberOfEntries are derived). */
  params?: readonly string[];
  /** Parameters computed on read instead of stored. */
  live?: Readonly<Record<string, (keys: InstanceKeys) => Value>>;
  /**
   * Parameters computed on read by `liveValue`, the alternative to `live` for options that are a
   * class instance: its methods then live once on the prototype for every gateway of a fleet
   * instead of one closure per parameter per gateway.
   */
  liveParams?: readonly string[];
  /** The value of one of `liveParams` (called with the options as `this`). */
  liveValue?(name: string, keys: InstanceKeys): Value;
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

/** No options: one object for every stored binding that has none (a fleet's gateways have dozens). */
const NO_OPTIONS: StoredOptions = Object.freeze({});

/**
 * Registers `supportedPath` as a stored object and returns its node. The binding keeps `opts`:
 * options built from constants (or a class instance over the gateway's state) may be shared.
 */
export function registerStored(model: DataModel, store: DataStore, supportedPath: string, opts: StoredOptions = NO_OPTIONS): ModelNode {
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

export function storedBinding(node: ModelNode, store: DataStore, opts: StoredOptions): ObjectBinding {
  const { names, defaults } = storedParams(node, opts);
  return node.multi ? new StoredTableBinding(node, store, opts, names, defaults) : new StoredObjectBinding(node, store, opts, names, defaults);
}

/**
 * A stored object's binding. A class, not an object of closures: every gateway of a fleet has a
 * few dozen of these, and their methods then live once on the prototype instead of once per
 * binding with a context each.
 */
class StoredObjectBinding implements ObjectBinding {
  // Live parameters (UpTime) are computed, but they are counters the poller ignores anyway.
  readonly changesOnlyThroughAgent = true;
  readonly stored = true;
  readonly commands: Readonly<Record<string, CommandBinding>> | undefined;

  constructor(
    protected readonly node: ModelNode,
    protected readonly store: DataStore,
    protected readonly opts: StoredOptions,
    readonly params: readonly string[],
    /** Read only: shared by every binding of the node (storedParams). */
    protected readonly defaults: Readonly<Record<string, Value>>,
  ) {
    this.commands = opts.commands;
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const row = this.store.row(this.node.pathOf(keys));
    const v: Record<string, Value> = row ? { ...this.defaults, ...row } : { ...this.defaults };
    const live = this.opts.live;
    if (live) for (const name in live) v[name] = live[name]!(keys);
    const computed = this.opts.liveParams;
    if (computed) for (const name of computed) v[name] = this.opts.liveValue!(name, keys);
    return v;
  }

  set(keys: InstanceKeys, changes: Record<string, Value>, ctx: RequestContext): void {
    this.opts.validate?.(keys, changes, ctx);
    const path = this.node.pathOf(keys);
    this.store.setRow(path, { ...(this.store.row(path) ?? {}), ...changes });
    this.opts.onChange?.(keys, changes);
  }
}

/** A stored table's binding: rows, instance numbers and unique-key lookups from the DataStore. */
class StoredTableBinding extends StoredObjectBinding {
  list(parentKeys: InstanceKeys): number[] {
    return this.store.instances(this.node.tablePathOf(parentKeys));
  }

  add(parentKeys: InstanceKeys, params: Record<string, Value>, ctx: RequestContext, requested?: number): number {
    const { node, store, opts } = this;
    const values = { ...(opts.initial?.(parentKeys, ctx) ?? {}), ...params };
    opts.validate?.([...parentKeys, 0], values, ctx);
    const n = store.allocate(node.tablePathOf(parentKeys), requested);
    store.setRow(node.pathOf([...parentKeys, n]), values);
    opts.onChange?.([...parentKeys, n], values);
    return n;
  }

  delete(keys: InstanceKeys): void {
    this.store.remove(this.node.pathOf(keys), this.node.tablePathOf(keys.slice(0, -1)), keys[keys.length - 1]!);
    this.opts.onDelete?.(keys);
  }

  /**
   * From the store's index for this unique key (made at the first lookup, kept by the store
   * from then on), when the key is made of stored parameters only: a live one is read per row.
   */
  findByValues(parentKeys: InstanceKeys, params: readonly string[], values: Readonly<Record<string, Value>>): number[] | undefined {
    const key = this.node.def.uniqueKeys?.find((k) => k.params.length === params.length && k.params.every((p, i) => p === params[i]));
    if (!key || !params.every((p) => p in this.defaults && !this.opts.live?.[p] && !this.opts.liveParams?.includes(p))) return undefined;
    return this.store.indexRows(this.node.supportedPath, params, this.defaults).find(this.node.tablePathOf(parentKeys), values);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.store.snapshotSubtree(this.node.pathOf(keys));
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.store.restoreSubtree(this.node.tablePathOf(keys.slice(0, -1)), keys[keys.length - 1]!, snap as ReturnType<DataStore['snapshotSubtree']>);
  }
}
