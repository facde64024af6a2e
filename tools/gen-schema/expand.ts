/**
 * Builds the flattened model from the modular XML (docs/schema.md, "Building the model"): the base model
 * first, then the top-level model's own additions, modifications and deletions, expanding
 * `<component ref>` with path prefixes as it goes, all in document order.
 *
 * Command input/output and event argument lists are built with the same machinery as the
 * model itself: each is a small tree whose root object has the path "", so components,
 * relative objects (`Result.{i}.`) and `base=` modifications work identically there.
 */
import type { ObjectAccess, ParamAccess, UniqueKey } from '../../datamodel/schema/types.js';
import type { DmDocument, DocumentSet } from './documents.js';
import type { ProfileDefinition } from './profiles.js';
import type { SyntaxResolver, TypedSyntax } from './syntax.js';
import type { XmlElement } from './xml.js';

export type Status = 'current' | 'deprecated' | 'obsoleted';

export interface ParamNode {
  name: string;
  access: ParamAccess;
  status: Status;
  mandatory: boolean;
  syntax?: TypedSyntax;
  /** Raw description text (TR-181 markup kept), after every base= modification. */
  description?: string;
}

export interface CommandNode {
  name: string;
  async: boolean;
  status: Status;
  input: Tree;
  output: Tree;
  /** Raw description text (TR-181 markup kept), after every base= modification. */
  description?: string;
}

export interface EventNode {
  name: string;
  status: Status;
  args: Tree;
  /** Raw description text (TR-181 markup kept), after every base= modification. */
  description?: string;
}

export interface ObjectNode {
  path: string;
  access: ObjectAccess;
  minEntries: number;
  maxEntries: number | 'unbounded';
  numEntriesParameter?: string;
  enableParameter?: string;
  status: Status;
  uniqueKeys: UniqueKey[];
  params: Map<string, ParamNode>;
  commands: Map<string, CommandNode>;
  events: Map<string, EventNode>;
  /** Raw description text (TR-181 markup kept), after every base= modification. */
  description?: string;
}

/** Objects by path, in insertion (document) order. */
export type Tree = Map<string, ObjectNode>;

interface Context {
  /** The document whose names are in scope (the one the elements were read from). */
  doc: DmDocument;
  tree: Tree;
  /** Path of the object the current elements belong to, and prefix of relative object names. */
  prefix: string;
  /**
   * True while expanding a model or the components it references directly (not inside an
   * object or an argument list): only profiles met there belong to the model. A component
   * such as IoT's is also expanded inside tables (Device.ProxiedDevice.{i}.Node.{i}.), where
   * its profiles would name paths no profile of TR-181 means.
   */
  modelLevel?: boolean;
}

function newObject(path: string): ObjectNode {
  return {
    path,
    access: 'readOnly',
    minEntries: 1,
    maxEntries: 1,
    status: 'current',
    uniqueKeys: [],
    params: new Map(),
    commands: new Map(),
    events: new Map(),
  };
}

/** An argument list: a tree with just its root object "". */
function newArgTree(): Tree {
  return new Map([['', newObject('')]]);
}

function status(el: XmlElement): Status | 'deleted' | undefined {
  const s = el.attrs.status;
  if (s === undefined) return undefined;
  if (s === 'current' || s === 'deprecated' || s === 'obsoleted' || s === 'deleted') return s;
  throw new Error(`unknown status "${s}"`);
}

/**
 * A `base=` modification's description replaces, prefixes or appends to the one it modifies
 * (DM-schema `action`; a plain description with no action replaces).
 */
function mergeDescription(old: string | undefined, el: XmlElement): string | undefined {
  const d = el.description;
  if (d === undefined) return old;
  if (old === undefined || d.action === undefined || d.action === 'replace') return d.text;
  return d.action === 'prefix' ? `${d.text}\n\n${old}` : `${old}\n\n${d.text}`;
}

/** Guards against runaway component recursion; the real nesting depth is under 10. */
const MAX_COMPONENT_DEPTH = 40;

export class ModelBuilder {
  /** Things the XML asks for that do not fit (modifying a missing item, ...). */
  readonly warnings: string[] = [];
  /** Every `<profile>` of the model, in document order, with the path prefix it was met under (profiles.ts resolves them). */
  readonly profiles: ProfileDefinition[] = [];
  private depth = 0;

  constructor(
    private readonly docs: DocumentSet,
    private readonly syntax: SyntaxResolver,
  ) {}

  /** Builds the top-level document's model; returns its name and objects. */
  build(): { name: string; tree: Tree } {
    const models = this.docs.top.root.children.filter((c) => c.tag === 'model');
    if (models.length !== 1) throw new Error(`${this.docs.top.file}: expected exactly one <model>`);
    const tree: Tree = new Map();
    this.buildModel(models[0]!, this.docs.top, tree);
    return { name: models[0]!.attrs.name ?? '', tree };
  }

  private buildModel(model: XmlElement, doc: DmDocument, tree: Tree): void {
    const base = model.attrs.base;
    if (base !== undefined) {
      const res = this.docs.resolveModel(doc, base);
      this.buildModel(res.el, res.doc, tree);
    }
    this.expand(model.children, { doc, tree, prefix: '', modelLevel: true });
  }

  private warn(ctx: Context, msg: string): void {
    this.warnings.push(`${ctx.doc.file}: ${msg}`);
  }

  private expand(children: readonly XmlElement[], ctx: Context): void {
    for (const el of children) {
      switch (el.tag) {
        case 'object':
          this.object(el, ctx);
          break;
        case 'parameter':
          this.parameter(el, ctx);
          break;
        case 'command':
          this.command(el, ctx);
          break;
        case 'event':
          this.event(el, ctx);
          break;
        case 'component':
          this.component(el, ctx);
          break;
        case 'uniqueKey':
          this.uniqueKey(el, ctx);
          break;
        // Profiles say what an implementation must support, not what exists: kept apart (profiles.ts).
        case 'profile':
          if (ctx.modelLevel) this.profiles.push({ el, file: ctx.doc.file, prefix: ctx.prefix });
          break;
        default:
          break;
      }
    }
  }

  private component(el: XmlElement, ctx: Context): void {
    const ref = el.attrs.ref;
    if (ref === undefined) return;
    const res = this.docs.resolveComponent(ctx.doc, ref);
    if (++this.depth > MAX_COMPONENT_DEPTH) throw new Error(`${ctx.doc.file}: component ${ref} nested too deep`);
    this.expand(res.el.children, { doc: res.doc, tree: ctx.tree, prefix: ctx.prefix + (el.attrs.path ?? ''), modelLevel: ctx.modelLevel });
    this.depth--;
  }

  /** The object that parameters, commands, events and keys at this level belong to. */
  private owner(ctx: Context, what: string): ObjectNode | undefined {
    const obj = ctx.tree.get(ctx.prefix);
    if (obj === undefined) this.warn(ctx, `${what} outside a known object "${ctx.prefix}", ignored`);
    return obj;
  }

  private object(el: XmlElement, ctx: Context): void {
    const name = el.attrs.name ?? el.attrs.base;
    if (name === undefined) return; // <object ref> belongs to profiles
    const path = ctx.prefix + name;
    const st = status(el);
    if (st === 'deleted') {
      // Deleting an object deletes its whole subtree.
      for (const p of [...ctx.tree.keys()]) if (p.startsWith(path)) ctx.tree.delete(p);
      return;
    }
    let obj = ctx.tree.get(path);
    if (obj === undefined) {
      if (el.attrs.base !== undefined) {
        this.warn(ctx, `object base="${path}" modifies an object that does not exist, ignored`);
        return;
      }
      obj = newObject(path);
      ctx.tree.set(path, obj);
    }
    const a = el.attrs;
    if (a.access !== undefined) obj.access = a.access as ObjectAccess;
    if (a.minEntries !== undefined) obj.minEntries = Number(a.minEntries);
    if (a.maxEntries !== undefined) obj.maxEntries = a.maxEntries === 'unbounded' ? 'unbounded' : Number(a.maxEntries);
    if (a.numEntriesParameter !== undefined) obj.numEntriesParameter = a.numEntriesParameter;
    if (a.enableParameter !== undefined) obj.enableParameter = a.enableParameter;
    if (st !== undefined) obj.status = st;
    obj.description = mergeDescription(obj.description, el);
    this.expand(el.children, { ...ctx, prefix: path, modelLevel: false });
  }

  private parameter(el: XmlElement, ctx: Context): void {
    const name = el.attrs.name ?? el.attrs.base;
    if (name === undefined) return; // <parameter ref> belongs to profiles and unique keys
    const obj = this.owner(ctx, `parameter ${name}`);
    if (obj === undefined) return;
    const st = status(el);
    if (st === 'deleted') {
      obj.params.delete(name);
      return;
    }
    let p = obj.params.get(name);
    if (p === undefined) {
      if (el.attrs.base !== undefined) {
        this.warn(ctx, `parameter base="${ctx.prefix}${name}" modifies a parameter that does not exist, ignored`);
        return;
      }
      p = { name, access: 'readOnly', status: 'current', mandatory: false };
      obj.params.set(name, p);
    }
    const a = el.attrs;
    if (a.access !== undefined) p.access = a.access as ParamAccess;
    if (st !== undefined) p.status = st;
    if (a.mandatory !== undefined) p.mandatory = a.mandatory === 'true';
    p.description = mergeDescription(p.description, el);
    const syntax = el.children.find((c) => c.tag === 'syntax');
    if (syntax !== undefined) p.syntax = this.syntax.apply(p.syntax, syntax, ctx.doc);
    if (p.syntax === undefined) this.warn(ctx, `parameter ${ctx.prefix}${name} has no syntax`);
  }

  private command(el: XmlElement, ctx: Context): void {
    const name = el.attrs.name ?? el.attrs.base;
    if (name === undefined) return;
    const obj = this.owner(ctx, `command ${name}`);
    if (obj === undefined) return;
    const st = status(el);
    if (st === 'deleted') {
      obj.commands.delete(name);
      return;
    }
    let cmd = obj.commands.get(name);
    if (cmd === undefined) {
      if (el.attrs.base !== undefined) {
        this.warn(ctx, `command base="${ctx.prefix}${name}" modifies a command that does not exist, ignored`);
        return;
      }
      cmd = { name, async: false, status: 'current', input: newArgTree(), output: newArgTree() };
      obj.commands.set(name, cmd);
    }
    if (el.attrs.async !== undefined) cmd.async = el.attrs.async === 'true';
    if (st !== undefined) cmd.status = st;
    cmd.description = mergeDescription(cmd.description, el);
    for (const c of el.children) {
      if (c.tag === 'input') this.expand(c.children, { doc: ctx.doc, tree: cmd.input, prefix: '' });
      else if (c.tag === 'output') this.expand(c.children, { doc: ctx.doc, tree: cmd.output, prefix: '' });
    }
  }

  private event(el: XmlElement, ctx: Context): void {
    const name = el.attrs.name ?? el.attrs.base;
    if (name === undefined) return;
    const obj = this.owner(ctx, `event ${name}`);
    if (obj === undefined) return;
    const st = status(el);
    if (st === 'deleted') {
      obj.events.delete(name);
      return;
    }
    let ev = obj.events.get(name);
    if (ev === undefined) {
      if (el.attrs.base !== undefined) {
        this.warn(ctx, `event base="${ctx.prefix}${name}" modifies an event that does not exist, ignored`);
        return;
      }
      ev = { name, status: 'current', args: newArgTree() };
      obj.events.set(name, ev);
    }
    if (st !== undefined) ev.status = st;
    ev.description = mergeDescription(ev.description, el);
    // An event's arguments are its direct children.
    this.expand(el.children, { doc: ctx.doc, tree: ev.args, prefix: '' });
  }

  private uniqueKey(el: XmlElement, ctx: Context): void {
    const obj = this.owner(ctx, 'uniqueKey');
    if (obj === undefined) return;
    const key: UniqueKey = {
      functional: el.attrs.functional !== 'false', // XSD default: functional="true"
      params: el.children.filter((c) => c.tag === 'parameter').map((c) => c.attrs.ref ?? ''),
    };
    const same = (k: UniqueKey): boolean => k.functional === key.functional && k.params.join(',') === key.params.join(',');
    if (!obj.uniqueKeys.some(same)) obj.uniqueKeys.push(key);
  }
}
