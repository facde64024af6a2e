/**
 * One object of the supported model: a node per schema object, with the binding that serves it.
 * Instances are not nodes; they are (node, keys) pairs, see ObjectInstance.
 */
import type { SchemaCommand, SchemaEvent, SchemaObject, SchemaParam } from '../schema/types.js';
import type { CommandBinding, InstanceKeys, ObjectBinding } from './binding.js';

export interface SupportedCommand { def: SchemaCommand; binding: CommandBinding }

/** Where a node finds its definition (a Schema). */
export interface SchemaDefinitions { getObject(supportedPath: string): SchemaObject | undefined }

export class ModelNode {
  readonly children = new Map<string, ModelNode>();
  /** Served parameters (schema ∩ binding), in schema order. Includes derived NumberOfEntries. */
  readonly params = new Map<string, SchemaParam>();
  /** NumberOfEntries parameters this node derives from its child tables. */
  readonly derivedCounts = new Map<string, ModelNode>();
  readonly commands = new Map<string, SupportedCommand>();
  readonly events = new Map<string, SchemaEvent>();
  binding?: ObjectBinding;
  /** True when this node or a descendant is served; unsupported nodes behave as absent. */
  supported = false;
  /** Number of instance numbers needed to address one instance of this node. */
  readonly keyCount: number;
  /** Path prefix pieces for building concrete paths fast: parts[i] precedes keys[i]. */
  private readonly parts: string[];

  /** True for a table ("...{i}."): the supported-path notation says so without the definition. */
  readonly multi: boolean;
  private parsedDef?: SchemaObject;

  constructor(
    readonly name: string,
    /** Supported-model path, e.g. "Device.LocalAgent.Controller.{i}.". */
    readonly supportedPath: string,
    readonly parent: ModelNode | undefined,
    private readonly schema: SchemaDefinitions,
  ) {
    this.multi = supportedPath.endsWith('.{i}.');
    const parentCount = parent?.keyCount ?? 0;
    this.keyCount = parentCount + (this.multi ? 1 : 0);
    const parts = parent ? parent.parts.slice() : [''];
    parts[parts.length - 1] += `${name}.`;
    if (this.multi) parts.push('');
    this.parts = parts;
  }

  /**
   * The schema definition. Looked up on first use: the schema parses an object only when asked
   * (Schema.load), and most of TR-181 is never served by a given device.
   */
  get def(): SchemaObject {
    if (this.parsedDef) return this.parsedDef;
    const def = this.schema.getObject(this.supportedPath);
    if (!def) throw new Error(`schema: no definition of ${this.supportedPath}`);
    return (this.parsedDef = def);
  }

  /** Concrete path of one instance, e.g. keys [2] → "Device.LocalAgent.Controller.2.". */
  pathOf(keys: InstanceKeys): string {
    const parts = this.parts;
    let s = parts[0];
    for (let i = 1; i < parts.length; i++) s += `${keys[i - 1]}.${parts[i]}`;
    return s;
  }

  /** Concrete path of the table itself (multi nodes): "Device.LocalAgent.Controller.1.MTP.". */
  tablePathOf(parentKeys: InstanceKeys): string {
    const parts = this.parts;
    let s = parts[0];
    for (let i = 1; i < parts.length - 1; i++) s += `${parentKeys[i - 1]}.${parts[i]}`;
    return s;
  }

  /** Child object by name, only if it is part of the supported model. */
  supportedChild(name: string): ModelNode | undefined {
    const c = this.children.get(name);
    return c && c.supported ? c : undefined;
  }
}

/** An object instance: a node and the instance numbers along its path. */
export interface ObjectInstance { node: ModelNode; keys: InstanceKeys }
