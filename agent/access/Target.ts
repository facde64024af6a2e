/**
 * One entry of Permission.{i}.Targets (TR-181 ControllerTrust:1): a partial path (covers the
 * object and everything below it), an instance path, a parameter, command or event path, each
 * possibly with wildcards, instance numbers, search expressions or `{i}` (read as `*`). How a
 * target relates to a supported node is worked out once per node (`relate`); only instance
 * numbers and search expressions leave something to decide per instance (a Condition).
 */
import type { ParsedPath, SearchTerm } from '../../datamodel/path/Path.js';
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { UspError } from '../../datamodel/UspError.js';

export interface CompiledTarget {
  /** Unique per compiled target, so conditions can be memoised per request. */
  readonly id: number;
  readonly path: ParsedPath;
}

export type LeafKind = 'param' | 'command' | 'event';

/**
 * The instance at key `level` must be number `instance`, or match `search` (evaluated on the
 * row of `node`, the table at that level).
 */
export type Condition =
  | { readonly level: number; readonly kind: 'instance'; readonly n: number }
  | { readonly level: number; readonly kind: 'search'; readonly id: string; readonly node: ModelNode; readonly terms: readonly SearchTerm[]; readonly path: ParsedPath };

/** A target covering items of a node: all of them, or one parameter/command/event (`leaf`). */
export interface Relation {
  readonly leaf?: { readonly kind: LeafKind; readonly name: string };
  readonly conds: readonly Condition[];
}

let nextId = 1;

/** The comma-separated Targets value → the targets that parse; the others match nothing. */
export function compileTargets(model: DataModel, list: string): CompiledTarget[] {
  const out: CompiledTarget[] = [];
  for (const text of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const path = parseTarget(model, text);
    if (path) out.push({ id: nextId++, path });
  }
  return out;
}

function parseTarget(model: DataModel, text: string): ParsedPath | undefined {
  const p = tryParse(text) ?? (text.endsWith('.') ? undefined : tryParse(`${text}.`));
  // "Device.LocalAgent.ControllerTrust" (the dot left off) names an object, not a parameter.
  if (p?.kind === 'parameter' && namesObject(model, p)) return tryParse(`${text}.`);
  return p;
}

function tryParse(text: string): ParsedPath | undefined {
  for (const mode of ['instantiated', 'supported'] as const) {
    try {
      return parsePath(text, { mode });
    } catch (e) {
      if (!(e instanceof UspError)) throw e;
    }
  }
  return undefined;
}

function namesObject(model: DataModel, p: ParsedPath): boolean {
  let node = model.root;
  for (let i = 1; i < p.segments.length; i++) {
    const s = p.segments[i];
    if (s.kind !== 'name') continue;
    if (s.ref) return false;
    const c = node.children.get(s.name);
    if (!c) return false;
    node = c;
  }
  return p.leaf !== undefined && node.children.has(p.leaf);
}

/**
 * How `t` covers the items of the node at the end of `chain` (root first), or undefined when it
 * covers none of them. An object target covers the node when its object part is a prefix of the
 * node's path; a leaf target only when its object part is exactly the node.
 */
export function relate(t: CompiledTarget, chain: readonly ModelNode[]): Relation | undefined {
  const segs = t.path.segments;
  const first = segs[0];
  if (first.kind !== 'name' || first.name !== chain[0].name) return undefined;
  let c = 0;
  const conds: Condition[] = [];
  for (let i = 1; i < segs.length; i++) {
    const s = segs[i];
    if (s.kind === 'name') {
      // Reference following in a target is not meaningful for a static permission: no match.
      if (s.ref) return undefined;
      c++;
      if (c >= chain.length || chain[c].name !== s.name) return undefined;
      continue;
    }
    const table = chain[c];
    if (!table.multi) return undefined;
    const level = table.keyCount - 1;
    if (s.kind === 'instance') conds.push({ level, kind: 'instance', n: s.n });
    else if (s.kind === 'search') conds.push({ level, kind: 'search', id: `${t.id}:${i}`, node: table, terms: s.terms, path: t.path });
    // '*' and '{i}': every instance.
  }
  if (t.path.kind === 'object') return { conds };
  if (c !== chain.length - 1) return undefined;
  const kind: LeafKind = t.path.kind === 'parameter' ? 'param' : t.path.kind;
  return { leaf: { kind, name: t.path.leaf }, conds };
}
