/**
 * The supported model's structure: one ModelNode per schema object (and per vendor object), with
 * what is served of each (parameters, derived NumberOfEntries, commands, events, children). It
 * holds no binding: a DataModel keeps its bindings in dense arrays indexed by the slots this tree
 * numbers, so data models registered the same way (a fleet's gateways: one schema, one platform,
 * one defaults file) can share one tree read-only (SharedSupportedModel) and keep only their
 * bindings. A TR-181 tree is ~800 nodes and their maps: ~250 KB that each gateway paid before.
 */
import type { SchemaCommand, SchemaEvent, SchemaObject, SchemaParam } from '../schema/types.js';
import { supportedObjectName, supportedParentPath } from '../schema/Schema.js';
import { ModelNode, type SchemaDefinitions } from './ModelNode.js';

const NUM_ENTRIES_TYPE = 'unsignedInt';

/** A loaded Schema, or anything listing the supported paths in document order and giving their definitions. */
export type TreeSchema = SchemaDefinitions & { paths(): readonly string[] };

export class SupportedTree {
  readonly root: ModelNode;
  /** Every node, in schema order; `order` says where each supported path is. */
  private readonly nodes: ModelNode[] = [];
  private readonly order: ReadonlyMap<string, number>;
  /** Vendor-specific objects (addVendorObject), which the shared schema order does not list. */
  private vendorNodes: Map<string, ModelNode> | undefined;
  /** How many object binding slots (ModelNode.slot) are numbered. */
  objectSlots = 0;
  /** Command binding slots by "<supported path><name>()": the same slot when a command is bound again after an override. */
  private readonly commandSlotByName = new Map<string, number>();

  constructor(readonly schema: TreeSchema) {
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

  /** How many command binding slots (SupportedCommand.slot) are numbered. */
  get commandSlots(): number {
    return this.commandSlotByName.size;
  }

  /** Node by supported path ("Device.WiFi.Radio.{i}."), or undefined. */
  node(supportedPath: string): ModelNode | undefined {
    const i = this.order.get(supportedPath);
    return i === undefined ? this.vendorNodes?.get(supportedPath) : this.nodes[i];
  }

  /** Every supported object in schema order, then the vendor objects. */
  *supportedNodes(): Iterable<ModelNode> {
    for (const n of this.nodes) if (n.supported) yield n;
    // Vendor objects after the schema's (GetSupportedDM lists them; their order is not the schema's).
    if (this.vendorNodes) for (const n of this.vendorNodes.values()) if (n.supported) yield n;
  }

  /** The object binding slot of `node`, numbered at its first registration. */
  objectSlot(node: ModelNode): number {
    if (node.slot < 0) node.slot = this.objectSlots++;
    return node.slot;
  }

  /** The command binding slot of `name` on `node`, numbered at its first registration (with `number`; else undefined until then). */
  commandSlot(node: ModelNode, name: string, number: true): number;
  commandSlot(node: ModelNode, name: string, number: boolean): number | undefined;
  commandSlot(node: ModelNode, name: string, number: boolean): number | undefined {
    const key = node.supportedPath + name;
    let slot = this.commandSlotByName.get(key);
    if (slot === undefined && number) this.commandSlotByName.set(key, (slot = this.commandSlotByName.size));
    return slot;
  }

  /**
   * Serves `names` of `node` (default: every schema parameter but the derived NumberOfEntries)
   * and the vendor-specific `vendorParams`, checked against the schema (a programming error throws).
   */
  /**
   * Serves the parameters `names` (default: every schema parameter but derived counts) and the
   * vendor ones; `writable` is what a Set can change (ObjectBinding.writable; undefined: every
   * writable one), the other writable ones are served read-only.
   */
  serveParams(node: ModelNode, names: readonly string[] | undefined, vendorParams: readonly SchemaParam[], vendorName: RegExp, writable?: readonly string[]): void {
    const path = node.supportedPath;
    // NumberOfEntries of child tables are derived (and only while the table is supported).
    const counts = new Set<string>();
    for (const c of node.children.values()) if (c.def.numEntriesParameter) counts.add(c.def.numEntriesParameter);
    for (const name of names ?? node.def.params.map((p) => p.name).filter((n) => !counts.has(n))) {
      const p = node.def.params.find((q) => q.name === name);
      if (!p) throw new Error(`${path}${name} is not in the TR-181 schema`);
      node.setParam(name, p);
    }
    for (const p of vendorParams) {
      if (!vendorName.test(p.name)) throw new Error(`${path}${p.name} is not a vendor-specific name (X_<VENDOR>_<Name>)`);
      if (node.params.has(p.name) || node.def.params.some((q) => q.name === p.name)) throw new Error(`${path}${p.name} is defined twice`);
      node.setParam(p.name, p);
    }
    if (writable === undefined) return;
    const canChange = new Set(writable);
    for (const [name, p] of node.params) if (p.access !== 'readOnly' && !node.derivedCounts.has(name) && !canChange.has(name)) node.setFixed(name);
  }

  /** Forgets the parameters `node` serves (derived NumberOfEntries stay): its binding was replaced. */
  forgetParams(node: ModelNode): void {
    for (const name of [...node.params.keys()]) if (!node.derivedCounts.has(name)) node.deleteParam(name);
  }

  /** Serves command `name` of `node` (a vendor one brings its definition). */
  serveCommand(node: ModelNode, name: string, vendorDef: SchemaCommand | undefined, vendorName: RegExp): void {
    const def = vendorDef ? checkedVendorDef(node, name, vendorDef, '()', vendorName) : node.def.commands.find((c) => c.name === name);
    if (!def) throw new Error(`${node.supportedPath}${name} is not in the TR-181 schema`);
    if (vendorDef && node.commands.has(name)) throw new Error(`${node.supportedPath}${name} is defined twice`);
    node.setCommand(name, { def, slot: this.commandSlot(node, name, true) });
  }

  /** Declares event `name` of `node` (a vendor one brings its definition). */
  serveEvent(node: ModelNode, name: string, vendorDef: SchemaEvent | undefined, vendorName: RegExp): void {
    const ev = vendorDef ? checkedVendorDef(node, name, vendorDef, '!', vendorName) : node.def.events.find((e) => e.name === name);
    if (!ev) throw new Error(`${node.supportedPath}${name} is not in the TR-181 schema`);
    if (vendorDef && node.events.has(name)) throw new Error(`${node.supportedPath}${name} is defined twice`);
    node.setEvent(name, ev);
  }

  /** Adds a vendor-specific object under an object of the tree (DataModel.addVendorObject checks the name). */
  addVendorObject(def: SchemaObject): ModelNode {
    const path = def.path;
    if (this.node(path)) throw new Error(`${path} is defined twice`);
    const parentPath = supportedParentPath(path);
    const parent = parentPath ? this.node(parentPath) : undefined;
    if (!parent) throw new Error(`${path}: its parent object ${parentPath} is not in the data model`);
    const node = new ModelNode(supportedObjectName(path), path, parent, { getObject: () => def });
    parent.addVendorChild(node);
    (this.vendorNodes ??= new Map()).set(path, node);
    return node;
  }

  /** A served node makes its ancestors supported, and its table's NumberOfEntries derived. */
  markSupported(node: ModelNode): void {
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
}

/**
 * One supported tree for every data model built by the same steps: the fleet makes one and hands
 * it to each gateway's DataModel (`share`). The first data model builds the tree and records its
 * structural steps (what it registered, not the bindings); once it is sealed (DataModel.seal, at
 * the end of the agent's build) every later data model replays: each of its steps must equal the
 * recorded one at that position, and then only its bindings are kept. A step that differs (or a
 * build that ends early) throws SupportedModelDiverged before anything shared is touched, and
 * that agent builds a tree of its own: one gateway's extra object never shows in another's model.
 */
export class SharedSupportedModel {
  /** The tree, once a data model started building it. */
  tree: SupportedTree | undefined;
  /** The structural steps of its build, in order; compared, never applied, by the data models that replay it. */
  readonly steps: string[] = [];
  /** True once its builder sealed it: from then on it never changes. */
  sealed = false;
  /** The deferred groups its builder registered (DataModel.registerDeferred), in order. */
  readonly groups: DeferredGroup[] = [];
  /** Object binding slot → index in `groups` of the deferred group that binds it (absent: none). */
  readonly objectSlotGroup: number[] = [];
  /** Command binding slot → index in `groups` of the deferred group that binds it (absent: none). */
  readonly commandSlotGroup: number[] = [];
  /**
   * Object binding slot → what the builder's binding lets a Controller do to the table's rows
   * (ROW_ADD | ROW_DELETE; absent: neither), so a replaying data model answers GetSupportedDM
   * without building the deferred group that binds it. The register steps name the same, so a
   * replay whose binding differs diverges.
   */
  readonly objectSlotRowOps: number[] = [];
}

/** SharedSupportedModel.objectSlotRowOps: the binding adds rows. */
export const ROW_ADD = 1;
/** SharedSupportedModel.objectSlotRowOps: the binding deletes rows. */
export const ROW_DELETE = 2;

/**
 * What the builder of a shared tree recorded of one deferred group (DataModel.registerDeferred):
 * where its steps are, and what a replaying data model must build it for (its slots, and the
 * tables whose deletion runs a cascade it registers).
 */
export interface DeferredGroup {
  readonly name: string;
  /** Its index in SharedSupportedModel.groups. */
  readonly index: number;
  /** Index of its own step (`deferred <name>`) in the shared steps; its build's steps follow. */
  readonly start: number;
  /** Index just past its build's last step. */
  end: number;
  /** Nodes it registers a delete cascade on (DataModel.onDelete). */
  readonly cascadeNodes: ModelNode[];
}

/** A data model's registrations differ from the shared tree's recorded steps: it must build its own tree. */
export class SupportedModelDiverged extends Error {
  constructor(step: number, what: string) {
    super(`the supported model differs from the shared one at step ${step}: ${what}`);
    this.name = 'SupportedModelDiverged';
  }
}

/** A vendor command's or event's definition, checked: its name is a vendor name with `suffix` and not the schema's. */
function checkedVendorDef<T extends { name: string }>(node: ModelNode, name: string, def: T, suffix: '()' | '!', vendorName: RegExp): T {
  const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : '';
  if (def.name !== name || !vendorName.test(base)) throw new Error(`${node.supportedPath}${name} is not a vendor-specific name (X_<VENDOR>_<Name>${suffix})`);
  return def;
}

const orders = new WeakMap<object, ReadonlyMap<string, number>>();

/**
 * Supported path → its place in the schema's document order: one map per schema, shared by every
 * tree over it (a map of ~800 paths each was ~25 KB per gateway).
 */
function schemaOrder(schema: { paths(): readonly string[] }): ReadonlyMap<string, number> {
  let order = orders.get(schema);
  if (!order) {
    const m = new Map<string, number>();
    // Position in paths(), as the tree pushes its nodes (a repeated path: the last one, as before).
    schema.paths().forEach((path, i) => m.set(path, i));
    orders.set(schema, (order = m));
  }
  return order;
}
