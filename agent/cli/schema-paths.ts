/**
 * Paths as the user types them, against the committed TR-181 schema (no agent needed): instance
 * numbers, `*`, search expressions and `{i}` all become the supported-path `{i}`; an unknown name
 * gets the nearest names the schema knows at that place.
 */
import type { Schema } from '../../datamodel/schema/Schema.js';
import type { SchemaCommand, SchemaEvent, SchemaObject, SchemaParam } from '../../datamodel/schema/types.js';
import { CliError, EXIT_USAGE } from './cli-error.js';

/** What a path names in the schema. */
export type SchemaItem =
  | { kind: 'object'; path: string; object: SchemaObject }
  | { kind: 'parameter'; path: string; object: SchemaObject; param: SchemaParam }
  | { kind: 'command'; path: string; object: SchemaObject; command: SchemaCommand }
  | { kind: 'event'; path: string; object: SchemaObject; event: SchemaEvent };

/** Splits a path at the dots that are not inside a search expression `[...]`. */
function segments(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of path) {
    if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === '.' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const isInstanceSelector = (s: string): boolean => /^(\d+|\*|\{i\}|\[.*\]|#\d+)$/.test(s);

/**
 * "Device.WiFi.Radio.1.Channel", "Device.WiFi.Radio.*.", "Device.WiFi.Radio.{i}." → the supported
 * path ("Device.WiFi.Radio.{i}.Channel"). A trailing dot marks an object.
 */
export function supportedPathOf(path: string): string {
  return segments(path.trim())
    .map((s) => (isInstanceSelector(s) ? '{i}' : s))
    .join('.');
}

/** The schema item `path` names, or CliError(EXIT_USAGE) naming the nearest known names. */
export function lookupSchemaItem(schema: Schema, path: string): SchemaItem {
  const supported = supportedPathOf(path);
  const item = findItem(schema, supported);
  if (item) return item;
  throw new CliError(EXIT_USAGE, `${path}: not in the TR-181 schema (${schema.model})${hintFor(schema, supported)}`);
}

function findItem(schema: Schema, supported: string): SchemaItem | undefined {
  if (supported.endsWith('.')) {
    const object = schema.getObject(supported) ?? schema.getObject(`${supported}{i}.`);
    return object && { kind: 'object', path: object.path, object };
  }
  const cut = supported.lastIndexOf('.') + 1;
  const objPath = supported.slice(0, cut);
  const name = supported.slice(cut);
  const object = schema.getObject(objPath);
  if (!object) return undefined;
  const command = schema.getCommand(objPath, name);
  if (command) return { kind: 'command', path: supported, object, command };
  const event = schema.getEvent(objPath, name);
  if (event) return { kind: 'event', path: supported, object, event };
  const param = schema.getParam(objPath, name);
  if (param) return { kind: 'parameter', path: supported, object, param };
  // "Device.WiFi" without its dot still names the object.
  const asObject = schema.getObject(`${supported}.`) ?? schema.getObject(`${supported}.{i}.`);
  return asObject && { kind: 'object', path: asObject.path, object: asObject };
}

/**
 * "; nearest known: A, B, C" for the first segment of `supported` the schema does not know,
 * ranked by edit distance among the names it does know there ("" when the path is fine).
 */
export function hintFor(schema: Schema, supported: string): string {
  const parts = segments(supported);
  let known = `${parts[0]}.`;
  if (!schema.getObject(known)) return `; paths start with ${schema.objects()[0]?.path ?? 'Device.'}`;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '') break;
    const nextObj = `${known}${part}.`;
    if (schema.getObject(nextObj)) {
      known = nextObj;
      continue;
    }
    const object = schema.getObject(known)!;
    const last = i === parts.length - 1;
    if (last && (object.params.some((p) => p.name === part) || object.commands.some((c) => c.name === part) || object.events.some((e) => e.name === part))) return '';
    const names = [
      ...schema.children(known).map(
        (c) =>
          c.path
            .slice(known.length)
            .replace(/\{i\}\.$/, '')
            .replace(/\.$/, '') + '.',
      ),
      ...object.params.map((p) => p.name),
      ...object.commands.map((c) => c.name),
      ...object.events.map((e) => e.name),
    ];
    const nearest = nearestNames(part, names);
    return nearest.length === 0 ? `; ${known} has no such name` : `; nearest known: ${nearest.map((n) => known + n).join(', ')}`;
  }
  return '';
}

/** Up to three of `names` closest to `wanted` (case-insensitive edit distance), close ones only. */
export function nearestNames(wanted: string, names: readonly string[]): string[] {
  const w = wanted.toLowerCase().replace(/[.()!]$/, '');
  const scored = names.map((n) => ({ n, d: editDistance(w, n.toLowerCase().replace(/[.()!]+$/, '')) }));
  const limit = Math.max(2, Math.ceil(w.length / 2));
  return scored
    .filter((s) => s.d <= limit || s.n.toLowerCase().startsWith(w.slice(0, 3)))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, 3)
    .map((s) => s.n);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Shell completion of a TR-181 path being typed: the names the schema knows after the last dot
 * that start with what follows it ("Device.WiFi.Ra" → "Device.WiFi.Radio.", ...); after a table
 * name, its rows as `*.`.
 */
export function completePath(schema: Schema, typed: string): string[] {
  const cut = typed.lastIndexOf('.') + 1;
  if (cut === 0) return 'Device.'.startsWith(typed) ? ['Device.'] : [];
  const base = typed.slice(0, cut);
  const partial = typed.slice(cut);
  const supported = supportedPathOf(base);
  if (!supported.endsWith('{i}.') && !schema.getObject(supported) && schema.getObject(`${supported}{i}.`)) {
    return partial === '' || '*'.startsWith(partial) ? [`${base}*.`] : [];
  }
  const object = schema.getObject(supported);
  if (!object) return [];
  const names = [
    ...schema.children(supported).map((c) => `${c.path.slice(supported.length).replace(/\{i\}\.$/, '')}`),
    ...object.params.map((p) => p.name),
    ...object.commands.map((c) => c.name),
    ...object.events.map((e) => e.name),
  ];
  return names.filter((n) => n.startsWith(partial)).map((n) => base + n);
}
