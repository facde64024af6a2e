/**
 * Turns the built model into the `SchemaFile` shape and serialises it deterministically.
 *
 * Every emitted object is built field by field in a fixed order, so the JSON text depends
 * only on the model, never on the order in which merges happened to add keys. Optional
 * fields are left out when absent or default, to keep the file small.
 */
import type { SchemaArgument, SchemaCommand, SchemaEvent, SchemaFile, SchemaObject, SchemaParam, Syntax } from '../../datamodel/schema/types.js';
import type { ObjectNode, ParamNode, Status, Tree } from './expand.js';

/** Copies `value` into `target[key]` unless it is undefined. */
function put<T, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function keptStatus(s: Status): 'deprecated' | 'obsoleted' | undefined {
  return s === 'current' ? undefined : s;
}

/**
 * The XML writes list defaults in bracket notation ("[]", "[0,1,2]"); the schema carries
 * every default as the TR-106 string the parameter would hold ("", "0,1,2").
 */
function listDefault(value: string): string {
  if (!value.startsWith('[') || !value.endsWith(']')) return value;
  return value
    .slice(1, -1)
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .join(',');
}

/** Syntax fields in a fixed order, appended to `target`. */
function emitSyntax(target: Syntax, s: Syntax): void {
  target.type = s.type;
  put(target, 'dataType', s.dataType);
  if (s.list) {
    const l: NonNullable<Syntax['list']> = {};
    put(l, 'minItems', s.list.minItems);
    put(l, 'maxItems', s.list.maxItems);
    if (s.list.sizes) l.sizes = s.list.sizes.map((z) => ({ ...(z.min !== undefined && { min: z.min }), ...(z.max !== undefined && { max: z.max }) }));
    target.list = l;
  }
  if (s.sizes) target.sizes = s.sizes.map((z) => ({ ...(z.min !== undefined && { min: z.min }), ...(z.max !== undefined && { max: z.max }) }));
  if (s.ranges) {
    target.ranges = s.ranges.map((r) => ({
      ...(r.min !== undefined && { min: r.min }),
      ...(r.max !== undefined && { max: r.max }),
      ...(r.step !== undefined && { step: r.step }),
    }));
  }
  if (s.enumerations) target.enumerations = [...s.enumerations];
  if (s.patterns) target.patterns = [...s.patterns];
  put(target, 'units', s.units);
  put(target, 'default', s.list !== undefined && s.default !== undefined ? listDefault(s.default) : s.default);
  put(target, 'defaultType', s.defaultType);
  if (s.secured) target.secured = true;
  if (s.hidden) target.hidden = true;
  if (s.pathRef) {
    const p: NonNullable<Syntax['pathRef']> = {};
    put(p, 'refType', s.pathRef.refType);
    put(p, 'targetParent', s.pathRef.targetParent);
    put(p, 'targetType', s.pathRef.targetType);
    target.pathRef = p;
  }
  if (s.instanceRef) {
    const p: NonNullable<Syntax['instanceRef']> = {};
    put(p, 'refType', s.instanceRef.refType);
    put(p, 'targetParent', s.instanceRef.targetParent);
    target.instanceRef = p;
  }
  if (s.enumerationRef) {
    target.enumerationRef = { targetParam: s.enumerationRef.targetParam };
    put(target.enumerationRef, 'nullValue', s.enumerationRef.nullValue);
  }
  if (s.command) target.command = true;
}

function syntaxOf(p: ParamNode, where: string): Syntax {
  if (p.syntax === undefined) throw new Error(`${where}${p.name}: no syntax`);
  return p.syntax.syntax;
}

function emitParam(p: ParamNode, objPath: string): SchemaParam {
  const out = { name: p.name, access: p.access } as SchemaParam;
  put(out, 'status', keptStatus(p.status));
  emitSyntax(out, syntaxOf(p, objPath));
  return out;
}

/** Flattens an argument tree: objects inside arguments become name prefixes. */
function emitArgs(tree: Tree, where: string): SchemaArgument[] {
  const out: SchemaArgument[] = [];
  for (const obj of tree.values()) {
    for (const p of obj.params.values()) {
      const arg = { name: obj.path + p.name } as SchemaArgument;
      if (p.mandatory) arg.mandatory = true;
      emitSyntax(arg, syntaxOf(p, `${where}${obj.path}`));
      out.push(arg);
    }
  }
  return out;
}

function emitObject(o: ObjectNode): SchemaObject {
  const out = { path: o.path, multi: o.path.endsWith('{i}.'), access: o.access } as SchemaObject;
  out.minEntries = o.minEntries;
  if (o.maxEntries !== 'unbounded') out.maxEntries = o.maxEntries;
  if (o.uniqueKeys.length > 0) out.uniqueKeys = o.uniqueKeys.map((k) => ({ functional: k.functional, params: [...k.params] }));
  put(out, 'numEntriesParameter', o.numEntriesParameter);
  put(out, 'enableParameter', o.enableParameter);
  put(out, 'status', keptStatus(o.status));
  out.params = [...o.params.values()].map((p) => emitParam(p, o.path));
  out.commands = [...o.commands.values()].map((c): SchemaCommand => {
    const cmd = { name: c.name, async: c.async } as SchemaCommand;
    put(cmd, 'status', keptStatus(c.status));
    cmd.input = emitArgs(c.input, `${o.path}${c.name}.Input.`);
    cmd.output = emitArgs(c.output, `${o.path}${c.name}.Output.`);
    return cmd;
  });
  out.events = [...o.events.values()].map((e): SchemaEvent => {
    const ev = { name: e.name } as SchemaEvent;
    put(ev, 'status', keptStatus(e.status));
    ev.args = emitArgs(e.args, `${o.path}${e.name}.`);
    return ev;
  });
  return out;
}

export function emitSchema(model: string, tree: Tree): SchemaFile {
  return { model, objects: [...tree.values()].map(emitObject) };
}

/**
 * Compact JSON with one object per line, so a regenerated file diffs object by object.
 * JSON.stringify keeps insertion order, which emitSchema fixes. The agent relies on this layout
 * (each line starting `{"path":"…"`) to index the file and parse objects only when used
 * (datamodel/schema/schema-lines.ts).
 */
export function serializeSchema(file: SchemaFile): string {
  const lines = file.objects.map((o) => JSON.stringify(o));
  return `{"model":${JSON.stringify(file.model)},"objects":[\n${lines.join(',\n')}\n]}\n`;
}
