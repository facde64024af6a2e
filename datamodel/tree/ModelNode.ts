/**
 * One object of the supported model: a node per schema object, with what is served of it
 * (parameters, commands, events, children). The bindings that serve it are the data model's
 * (DataModel.bindingOf), so one tree of nodes can serve many data models (SupportedTree.ts).
 * Instances are not nodes; they are (node, keys) pairs, see ObjectInstance.
 */
import type { SchemaCommand, SchemaEvent, SchemaObject, SchemaParam } from '../schema/types.js';
import type { InstanceKeys } from './binding.js';

/** A served command: its definition, and where each data model keeps its binding (DataModel.commandBinding). */
export interface SupportedCommand {
  readonly def: SchemaCommand;
  /** Index of this command's binding among a data model's command bindings. */
  readonly slot: number;
}

/** Where a node finds its definition (a Schema). */
export interface SchemaDefinitions {
  getObject(supportedPath: string): SchemaObject | undefined;
}

/**
 * What a node without entries of a kind holds: one shared empty map instead of five Maps per node.
 * A TR-181 tree has ~800 objects and a device serves ~100 of them, so empty maps were most of a
 * data model's memory (~0.8 MB per agent, which a fleet of simulated gateways pays per gateway).
 */
const NONE: ReadonlyMap<string, never> = new Map<string, never>();
const NO_NAMES: ReadonlySet<string> = new Set<string>();

/** A node's child objects, by name, in schema order. */
export interface Children {
  get(name: string): ModelNode | undefined;
  has(name: string): boolean;
  values(): IterableIterator<ModelNode>;
  readonly size: number;
}

/**
 * Children as an array beside the names' positions, which every data model over one schema
 * shares (NodeShape.childIndex): a Map per parent node was ~40 KB of each data model.
 */
class ChildList implements Children {
  readonly nodes: ModelNode[] = [];
  /**
   * Vendor-specific children (a plugin's X_<VENDOR>_ objects): per data model, never in the shared
   * index, since another agent in the same process may add other ones under the same object.
   */
  vendor: Map<string, ModelNode> | undefined;
  constructor(private readonly index: ReadonlyMap<string, number>) {}
  get(name: string): ModelNode | undefined {
    const i = this.index.get(name);
    return (i === undefined ? undefined : this.nodes[i]) ?? this.vendor?.get(name);
  }
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
  *values(): IterableIterator<ModelNode> {
    yield* this.nodes;
    if (this.vendor) yield* this.vendor.values();
  }
  get size(): number {
    return this.nodes.length + (this.vendor?.size ?? 0);
  }
}

const NO_CHILDREN: Children = new ChildList(new Map());

export class ModelNode {
  private childList: Children = NO_CHILDREN;
  private paramMap: ReadonlyMap<string, SchemaParam> = NONE;
  private countMap: ReadonlyMap<string, ModelNode> = NONE;
  private commandMap: ReadonlyMap<string, SupportedCommand> = NONE;
  private eventMap: ReadonlyMap<string, SchemaEvent> = NONE;
  private fixedSet: ReadonlySet<string> = NO_NAMES;
  get children(): Children {
    return this.childList;
  }
  /** Served parameters (schema ∩ binding), in schema order. Includes derived NumberOfEntries. */
  get params(): ReadonlyMap<string, SchemaParam> {
    return this.paramMap;
  }
  /** NumberOfEntries parameters this node derives from its child tables. */
  get derivedCounts(): ReadonlyMap<string, ModelNode> {
    return this.countMap;
  }
  /**
   * Served parameters the schema makes writable that this node's binding cannot change
   * (ObjectBinding.writable): read-only in the supported model.
   */
  get fixedParams(): ReadonlySet<string> {
    return this.fixedSet;
  }
  get commands(): ReadonlyMap<string, SupportedCommand> {
    return this.commandMap;
  }
  get events(): ReadonlyMap<string, SchemaEvent> {
    return this.eventMap;
  }
  /**
   * Index of this object's binding among a data model's object bindings (DataModel.bindingOf);
   * -1 until the object is first registered. Numbered by the tree, so every data model sharing
   * it keeps its bindings in one dense array instead of on the nodes.
   */
  slot = -1;
  /** True when this node or a descendant is served; unsupported nodes behave as absent. */
  supported = false;
  /** What every data model over the same schema shares for this object (names, path pieces, definition). */
  private readonly shape: NodeShape;

  constructor(
    name: string,
    /** Supported-model path, e.g. "Device.LocalAgent.Controller.{i}.". */
    supportedPath: string,
    readonly parent: ModelNode | undefined,
    schema: SchemaDefinitions,
  ) {
    this.shape = shapeOf(schema, name, supportedPath, parent?.shape);
  }

  get name(): string {
    return this.shape.name;
  }
  /** Supported-model path, e.g. "Device.LocalAgent.Controller.{i}.". */
  get supportedPath(): string {
    return this.shape.supportedPath;
  }
  /** Number of instance numbers needed to address one instance of this node. */
  get keyCount(): number {
    return this.shape.keyCount;
  }
  /** True for a table ("...{i}."): the supported-path notation says so without the definition. */
  get multi(): boolean {
    return this.shape.multi;
  }

  /**
   * The schema definition. Looked up on first use: the schema parses an object only when asked
   * (Schema.load), and most of TR-181 is never served by a given device.
   */
  get def(): SchemaObject {
    const shape = this.shape;
    if (shape.def) return shape.def;
    const def = shape.schema.getObject(shape.supportedPath);
    if (!def) throw new Error(`schema: no definition of ${shape.supportedPath}`);
    return (shape.def = def);
  }

  /** Concrete path of one instance, e.g. keys [2] → "Device.LocalAgent.Controller.2.". */
  pathOf(keys: InstanceKeys): string {
    const parts = this.shape.parts;
    let s = parts[0];
    for (let i = 1; i < parts.length; i++) s += `${keys[i - 1]}.${parts[i]}`;
    return s;
  }

  /** Concrete path of the table itself (multi nodes): "Device.LocalAgent.Controller.1.MTP.". */
  tablePathOf(parentKeys: InstanceKeys): string {
    const parts = this.shape.parts;
    let s = parts[0];
    for (let i = 1; i < parts.length - 1; i++) s += `${parentKeys[i - 1]}.${parts[i]}`;
    return s;
  }

  /** The data model's writes (DataModel.ts): each table is made on its first entry. */
  addChild(child: ModelNode): void {
    // The first data model over a schema numbers each node's children; the others, built from
    // the same paths() in the same order, find the same numbers.
    const index = (this.shape.childIndex ??= new Map<string, number>());
    let list = this.childList as ChildList;
    if (list === NO_CHILDREN) this.childList = list = new ChildList(index);
    let i = index.get(child.name);
    if (i === undefined) index.set(child.name, (i = index.size));
    if (i > list.nodes.length) throw new Error(`schema: ${child.supportedPath} out of the order its siblings were numbered in`);
    list.nodes[i] = child;
  }
  /** A vendor-specific child object (DataModel.addVendorObject), kept out of the shared numbering. */
  addVendorChild(child: ModelNode): void {
    let list = this.childList as ChildList;
    if (list === NO_CHILDREN) this.childList = list = new ChildList((this.shape.childIndex ??= new Map<string, number>()));
    (list.vendor ??= new Map()).set(child.name, child);
  }
  setParam(name: string, def: SchemaParam): void {
    this.paramMap = put(this.paramMap, name, def);
  }
  /** Marks a served parameter as one its binding cannot change (ObjectBinding.writable). */
  setFixed(name: string): void {
    if (this.fixedSet === NO_NAMES) this.fixedSet = new Set<string>();
    (this.fixedSet as Set<string>).add(name);
  }
  /** Forgets a served parameter or command (a binding replaced with `override`). */
  deleteParam(name: string): void {
    if (this.paramMap !== NONE) (this.paramMap as Map<string, SchemaParam>).delete(name);
    if (this.fixedSet !== NO_NAMES) (this.fixedSet as Set<string>).delete(name);
  }
  deleteCommand(name: string): void {
    if (this.commandMap !== NONE) (this.commandMap as Map<string, SupportedCommand>).delete(name);
  }
  setDerivedCount(name: string, table: ModelNode): void {
    this.countMap = put(this.countMap, name, table);
  }
  setCommand(name: string, cmd: SupportedCommand): void {
    this.commandMap = put(this.commandMap, name, cmd);
  }
  setEvent(name: string, def: SchemaEvent): void {
    this.eventMap = put(this.eventMap, name, def);
  }

  /** Child object by name, only if it is part of the supported model. */
  supportedChild(name: string): ModelNode | undefined {
    const c = this.children.get(name);
    return c && c.supported ? c : undefined;
  }
}

/**
 * The immutable half of a node, made once per schema and object and shared by every DataModel
 * over that schema (a fleet runs thousands): the path pieces alone were ~100 KB per data model.
 */
interface NodeShape {
  readonly name: string;
  readonly supportedPath: string;
  readonly multi: boolean;
  readonly keyCount: number;
  /** Path prefix pieces for building concrete paths fast: parts[i] precedes keys[i]. */
  readonly parts: readonly string[];
  readonly schema: SchemaDefinitions;
  /** The definition, once looked up. */
  def?: SchemaObject;
  /** Child name → its position among the children, numbered by the first data model over the schema. */
  childIndex?: Map<string, number>;
}

const shapes = new WeakMap<SchemaDefinitions, Map<string, NodeShape>>();

function shapeOf(schema: SchemaDefinitions, name: string, supportedPath: string, parent: NodeShape | undefined): NodeShape {
  let bySchema = shapes.get(schema);
  if (!bySchema) shapes.set(schema, (bySchema = new Map<string, NodeShape>()));
  const known = bySchema.get(supportedPath);
  // The supported path fixes the name and the path pieces: one shape per path and schema.
  if (known) return known;
  const multi = supportedPath.endsWith('.{i}.');
  const parts = parent ? parent.parts.slice() : [''];
  parts[parts.length - 1] += `${name}.`;
  if (multi) parts.push('');
  const shape: NodeShape = { name, supportedPath, multi, keyCount: (parent?.keyCount ?? 0) + (multi ? 1 : 0), parts, schema };
  bySchema.set(supportedPath, shape);
  return shape;
}

/** `map` with name → value set; NONE becomes a Map of its own first. */
function put<V>(map: ReadonlyMap<string, V>, name: string, value: V): ReadonlyMap<string, V> {
  const m = map === NONE ? new Map<string, V>() : (map as Map<string, V>);
  m.set(name, value);
  return m;
}

/** An object instance: a node and the instance numbers along its path. */
export interface ObjectInstance {
  node: ModelNode;
  keys: InstanceKeys;
}
