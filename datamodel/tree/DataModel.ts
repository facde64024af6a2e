/**
 * The supported data model: the generated TR-181 schema with bindings registered per object.
 * This is the seam handlers talk to (through resolve-path, read-object and Transaction); it knows
 * nothing of protobuf or of where values come from.
 */
import { ParsedPathCache } from '../path/ParsedPathCache.js';
import type { SchemaCommand, SchemaEvent, SchemaObject, SchemaParam } from '../schema/types.js';
import { supportedObjectName, supportedParentPath } from '../schema/Schema.js';
import { ErrorCode, UspError } from '../UspError.js';
import type { Value } from '../value/Value.js';
import type { Awaitable, CommandBinding, InstanceKeys, ObjectBinding, RequestContext } from './binding.js';
import { ModelNode, type ObjectInstance, type SchemaDefinitions } from './ModelNode.js';
import type { Transaction } from './Transaction.js';
import { ChangeFeed } from './ChangeFeed.js';
import { WriteLock } from './WriteLock.js';

const NUM_ENTRIES_TYPE = 'unsignedInt';
/** TR-106 §3.3 vendor-specific name: X_<VENDOR>_<Name>, VENDOR an OUI or a domain with dots as hyphens. */
export const VENDOR_PARAM_NAME = /^X_[0-9A-Za-z-]+_[A-Za-z][0-9A-Za-z_-]*$/;

export interface RegisterOptions {
  /**
   * Vendor-specific parameters the binding serves besides the schema's (e.g.
   * `X_EXAMPLE-COM_SINR`). The schema cannot list them, so their definitions come here; they
   * are served, typed and described (GetSupportedDM) like schema parameters, after them.
   */
  vendorParams?: readonly SchemaParam[];
  /**
   * Replace the object's binding if it has one (a plugin overriding a platform's object): its
   * parameters and commands go with it. Without it a second binding is a programming error.
   */
  override?: boolean;
}

/** Deletes what depends on a deleted instance, through the same transaction. */
export type DeleteCascade = (deleted: ObjectInstance, tx: Transaction) => Promise<void>;

export class DataModel {
  readonly root: ModelNode;
  /** Every node, in schema order; `schemaOrder` says where each supported path is. */
  private readonly nodes: ModelNode[] = [];
  private readonly order: ReadonlyMap<string, number>;
  /** Vendor-specific objects (addVendorObject), which the shared schema order does not list. */
  private vendorNodes: Map<string, ModelNode> | undefined;
  /** Value changes, object creation/deletion and events, for subscriptions. */
  readonly changes = new ChangeFeed();
  private readonly commitHooks: Array<() => Promise<void>> = [];
  private readonly revertHooks: Array<() => void> = [];
  /** Serialises write transactions (see WriteLock). */
  readonly writeLock = new WriteLock();
  private readonly cascades = new Map<ModelNode, DeleteCascade[]>();
  /** Request path texts already parsed (bounded), for the handlers' hot path. */
  readonly paths = new ParsedPathCache();
  private shapeVersion = 0;

  /**
   * `schema` is a loaded Schema (or anything listing the supported paths in document order and
   * giving their definitions). Definitions are looked up when a node first needs one.
   */
  constructor(schema: SchemaDefinitions & { paths(): readonly string[] }) {
    let root: ModelNode | undefined;
    this.order = schemaOrder(schema);
    for (const path of schema.paths()) {
      const parentPath = supportedParentPath(path);
      const parent = parentPath ? this.node(parentPath) : undefined;
      if (parentPath && !parent) throw new Error(`schema: ${path} has no parent object ${parentPath}`);
      const node = new ModelNode(supportedObjectName(path), path, parent, schema);
      parent?.addChild(node);
      this.nodes.push(node);
      if (!parent) root = node;
    }
    if (!root) throw new Error('schema: no Device. object');
    this.root = root;
  }

  /** Node by supported path ("Device.WiFi.Radio.{i}."), or undefined. */
  node(supportedPath: string): ModelNode | undefined {
    const i = this.order.get(supportedPath);
    return i === undefined ? this.vendorNodes?.get(supportedPath) : this.nodes[i];
  }

  /** Node by supported path; throws for a path the schema does not have (a programming error). */
  requireNode(supportedPath: string): ModelNode {
    const n = this.node(supportedPath);
    if (!n) throw new Error(`no such object in the TR-181 schema: ${supportedPath}`);
    return n;
  }

  /**
   * Serves one object. Parameters default to all of the schema's; naming one the schema lacks
   * is a programming error and throws at start-up, not at request time. Vendor-specific
   * parameters are added with `opts.vendorParams`.
   */
  register(supportedPath: string, binding: ObjectBinding, opts: RegisterOptions = {}): ModelNode {
    const node = this.requireNode(supportedPath);
    if (node.binding && !opts.override) throw new Error(`object already bound: ${supportedPath}`);
    if (node.binding) this.unbind(node);
    node.binding = binding;
    // NumberOfEntries of child tables are derived (and only while the table is supported).
    const counts = new Set<string>();
    for (const c of node.children.values()) if (c.def.numEntriesParameter) counts.add(c.def.numEntriesParameter);
    const names = binding.params ?? node.def.params.map((p) => p.name).filter((n) => !counts.has(n));
    for (const name of names) {
      const p = node.def.params.find((q) => q.name === name);
      if (!p) throw new Error(`${supportedPath}${name} is not in the TR-181 schema`);
      node.setParam(name, p);
    }
    for (const p of opts.vendorParams ?? []) {
      if (!VENDOR_PARAM_NAME.test(p.name)) throw new Error(`${supportedPath}${p.name} is not a vendor-specific name (X_<VENDOR>_<Name>)`);
      if (node.params.has(p.name) || node.def.params.some((q) => q.name === p.name)) throw new Error(`${supportedPath}${p.name} is defined twice`);
      node.setParam(p.name, p);
    }
    for (const [name, cmd] of Object.entries(binding.commands ?? {})) this.bindCommand(node, name, cmd);
    this.markSupported(node);
    return node;
  }

  /** Forgets `node`'s binding with the parameters and commands it served (derived NumberOfEntries stay). */
  private unbind(node: ModelNode): void {
    const old = node.binding;
    node.binding = undefined;
    for (const name of [...node.params.keys()]) if (!node.derivedCounts.has(name)) node.deleteParam(name);
    for (const [name, cmd] of [...node.commands]) if (old?.commands?.[name] === cmd.binding) node.deleteCommand(name);
    this.shapeVersion++;
  }

  /**
   * Adds a command to an already supported object (e.g. Device.Reboot() on Device.). A
   * vendor-specific command (TR-106 `X_<VENDOR>_Name()`) brings its definition in `vendorDef`.
   */
  registerCommand(supportedPath: string, name: string, binding: CommandBinding, vendorDef?: SchemaCommand): void {
    const node = this.requireNode(supportedPath);
    this.bindCommand(node, name, binding, vendorDef);
    this.markSupported(node);
  }

  /**
   * Declares that the agent emits this event (it then shows in GetSupportedDM). A
   * vendor-specific event (`X_<VENDOR>_Name!`) brings its definition in `vendorDef`.
   */
  registerEvent(supportedPath: string, name: string, vendorDef?: SchemaEvent): void {
    const node = this.requireNode(supportedPath);
    const ev = vendorDef ? checkedVendorDef(node, name, vendorDef, '!') : node.def.events.find((e) => e.name === name);
    if (!ev) throw new Error(`${supportedPath}${name} is not in the TR-181 schema`);
    if (vendorDef && node.events.has(name)) throw new Error(`${supportedPath}${name} is defined twice`);
    node.setEvent(name, ev);
    this.markSupported(node);
  }

  /**
   * Adds a vendor-specific object (TR-106 §3.3: `X_<VENDOR>_Name.` or `X_<VENDOR>_Name.{i}.`)
   * under an object of the model, with its definition; it is served once a binding is
   * registered for it (register()), like a schema object. Its parent may itself be a vendor
   * object added before.
   */
  addVendorObject(def: SchemaObject): ModelNode {
    const path = def.path;
    const name = supportedObjectName(path);
    if (!VENDOR_PARAM_NAME.test(name)) throw new Error(`${path} is not a vendor-specific object name (X_<VENDOR>_<Name>)`);
    if (def.multi !== path.endsWith('.{i}.')) throw new Error(`${path}: a table's path ends in ".{i}." (multi ${def.multi})`);
    if (this.node(path)) throw new Error(`${path} is defined twice`);
    const parentPath = supportedParentPath(path);
    const parent = parentPath ? this.node(parentPath) : undefined;
    if (!parent) throw new Error(`${path}: its parent object ${parentPath} is not in the data model`);
    const node = new ModelNode(name, path, parent, { getObject: () => def });
    parent.addVendorChild(node);
    (this.vendorNodes ??= new Map()).set(path, node);
    this.shapeVersion++;
    return node;
  }

  private bindCommand(node: ModelNode, name: string, binding: CommandBinding, vendorDef?: SchemaCommand): void {
    const def = vendorDef ? checkedVendorDef(node, name, vendorDef, '()') : node.def.commands.find((c) => c.name === name);
    if (!def) throw new Error(`${node.supportedPath}${name} is not in the TR-181 schema`);
    if (vendorDef && node.commands.has(name)) throw new Error(`${node.supportedPath}${name} is defined twice`);
    node.setCommand(name, { def, binding });
  }

  /**
   * Changes whenever the supported model does (a node, parameter, command or event served): what
   * was computed from it alone (resolve-path.ts's plain-name matches) is stale once it moves.
   */
  get shape(): number {
    return this.shapeVersion;
  }

  /** A served node makes its ancestors supported, and its table's NumberOfEntries derived. */
  private markSupported(node: ModelNode): void {
    this.shapeVersion++;
    for (let n: ModelNode | undefined = node; n && !n.supported; n = n.parent) {
      n.supported = true;
      const count = n.def.numEntriesParameter;
      const parent = n.parent;
      if (n.multi && count && parent) {
        const p = parent.def.params.find((q) => q.name === count);
        const def: SchemaParam = p ?? { name: count, type: NUM_ENTRIES_TYPE, access: 'readOnly' };
        parent.setDerivedCount(count, n);
        // Keep schema order: NumberOfEntries params are listed where the schema lists them.
        parent.setParam(count, def);
      }
    }
  }

  /**
   * What else goes when an instance of `supportedPath` is deleted, in the same transaction:
   * TR-181 strong references whose description says the referring row is deleted with its
   * target (e.g. Subscription.{i}.Recipient → Controller.{i}, TP-469 1.78).
   */
  onDelete(supportedPath: string, cascade: DeleteCascade): void {
    const node = this.requireNode(supportedPath);
    this.cascades.set(node, [...(this.cascades.get(node) ?? []), cascade]);
  }

  /** The cascades registered for `node` (Transaction.delete runs them). */
  deleteCascades(node: ModelNode): readonly DeleteCascade[] {
    return this.cascades.get(node) ?? [];
  }

  /**
   * `hook` runs when a transaction with changes commits (the persistent store flushes here);
   * `revert`, after a commit whose hooks failed, puts the hook's state back to what it saved.
   */
  onCommit(hook: () => Promise<void>, revert?: () => void): void {
    this.commitHooks.push(hook);
    if (revert) this.revertHooks.push(revert);
  }

  /**
   * After runCommitHooks rejected, called under the write lock: the stored values go back to
   * what is saved, so a change answered with 7003 is not in the model either.
   */
  revertFailedCommit(): void {
    for (const r of this.revertHooks) r();
  }

  /**
   * Calls every hook at once; each takes what it saves synchronously (DataStore.flush snapshots
   * at the call), so the caller may release the write lock before awaiting the result.
   */
  runCommitHooks(): Promise<void> {
    return Promise.all(this.commitHooks.map((h) => h())).then(() => undefined);
  }

  /** Instance numbers of a table under its parent instance (empty when the table has no binding). */
  async listInstances(node: ModelNode, parentKeys: InstanceKeys, ctx: RequestContext): Promise<number[]> {
    const list = node.binding?.list;
    if (!list) return [];
    return list.call(node.binding, parentKeys, ctx);
  }

  /** Whether one instance exists (its parents are assumed to exist). */
  async exists(inst: ObjectInstance, ctx: RequestContext): Promise<boolean> {
    if (!inst.node.multi) return true;
    const own = inst.keys[inst.keys.length - 1];
    const list = await this.listInstances(inst.node, inst.keys.slice(0, -1), ctx);
    return list.includes(own);
  }

  /** All served values of one instance, including derived NumberOfEntries. */
  async readValues(inst: ObjectInstance, ctx: RequestContext): Promise<Record<string, Value>> {
    const { node, keys } = inst;
    const b = node.binding;
    // A binding returns a new object per call (binding.ts), so the derived counts can go straight
    // into it: copying every object of a whole-tree Get again was a measurable share of its cost.
    const values: Record<string, Value> = b ? await b.get(keys, ctx) : {};
    for (const [name, table] of node.derivedCounts) {
      values[name] = (await this.listInstances(table, keys, ctx)).length;
    }
    return values;
  }

  /**
   * One served value of one instance: readValues(inst, ctx)[name] without reading the other
   * derived NumberOfEntries (each lists a table). Synchronous when the binding is.
   */
  readValue(inst: ObjectInstance, name: string, ctx: RequestContext): Awaitable<Value | undefined> {
    const table = inst.node.derivedCounts.get(name);
    if (table) return this.listInstances(table, inst.keys, ctx).then((l) => l.length);
    const b = inst.node.binding;
    if (!b) return undefined;
    if (b.getParam) return b.getParam(inst.keys, name, ctx);
    const values = b.get(inst.keys, ctx);
    return values instanceof Promise ? values.then((v) => v[name]) : values[name];
  }

  /** Every supported object in schema order, for GetSupportedDM. */
  *supportedNodes(): Iterable<ModelNode> {
    for (const n of this.nodes) if (n.supported) yield n;
    // Vendor objects after the schema's (GetSupportedDM lists them; their order is not the schema's).
    if (this.vendorNodes) for (const n of this.vendorNodes.values()) if (n.supported) yield n;
  }

  /** Schema definition lookup for nodes that are not necessarily supported. */
  schemaObject(supportedPath: string): SchemaObject | undefined {
    return this.node(supportedPath)?.def;
  }
}

/** A vendor command's or event's definition, checked: its name is a vendor name with `suffix` and not the schema's. */
function checkedVendorDef<T extends { name: string }>(node: ModelNode, name: string, def: T, suffix: '()' | '!'): T {
  const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : '';
  if (def.name !== name || !VENDOR_PARAM_NAME.test(base)) throw new Error(`${node.supportedPath}${name} is not a vendor-specific name (X_<VENDOR>_<Name>${suffix})`);
  return def;
}

const orders = new WeakMap<object, ReadonlyMap<string, number>>();

/**
 * Supported path → its place in the schema's document order: one map per schema, shared by every
 * data model over it (a fleet runs thousands; a map of ~800 paths each was ~25 KB per gateway).
 */
function schemaOrder(schema: { paths(): readonly string[] }): ReadonlyMap<string, number> {
  let order = orders.get(schema);
  if (!order) {
    const m = new Map<string, number>();
    // Position in paths(), as the data model pushes its nodes (a repeated path: the last one, as before).
    schema.paths().forEach((path, i) => m.set(path, i));
    orders.set(schema, (order = m));
  }
  return order;
}

/** A 7026 for a path outside the supported model. */
export function invalidPath(path: string, why = 'path is not in the supported data model'): UspError {
  return new UspError(ErrorCode.InvalidPath, `${why}: ${path}`, { path });
}
