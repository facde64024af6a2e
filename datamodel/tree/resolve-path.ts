/**
 * The single path resolver shared by every handler (TR-369 "Path Names"): walks a
 * parsed path over the supported model and the instances the bindings list, evaluating
 * wildcards, search expressions, unique-key addresses and reference following.
 *
 * With an AccessView in the request context, rows the controller may not read (InstantiatedObj r)
 * are absent, and search terms or references on parameters it may not read match nothing
 * (R-GET.1, R-GIN.0).
 */
import { PERM_R } from '../access/AccessView.js';
import type { NameSegment, ParsedPath, SearchTerm, Segment } from '../path/Path.js';
import { parsePath } from '../path/parse-path.js';
import { compareForSearch } from '../value/compare-value.js';
import { ErrorCode, UspError } from '../UspError.js';
import type { InstanceKeys, RequestContext } from './binding.js';
import { invalidPath, type DataModel } from './DataModel.js';
import type { ModelNode, ObjectInstance } from './ModelNode.js';

/**
 * One match of the object part of a path. `table` is true when the path stops at a table name
 * without choosing an instance ("Device.LocalAgent.Controller."); then `keys` are the parent's.
 */
export interface PathMatch {
  node: ModelNode;
  keys: InstanceKeys;
  table: boolean;
}

/** Bound on reference hops inside one path, so a reference cycle cannot loop. */
const MAX_REF_DEPTH = 8;

/** resolveNow()'s results, shared between requests (nothing modifies a PathMatch it is given). */
const plainMatches = new WeakMap<ParsedPath, { model: DataModel; shape: number; matches: readonly PathMatch[] }>();

export class PathResolver {
  constructor(
    private readonly model: DataModel,
    private readonly ctx: RequestContext,
  ) {}

  /**
   * Object part of `path` → matches that exist in the instantiated model. Throws 7026 when the
   * path leaves the supported model, whatever the instances; a leaf (parameter, command, event)
   * is checked against the last object's supported items.
   */
  async resolve(path: ParsedPath, depth = 0): Promise<PathMatch[]> {
    const segs = path.segments;
    let matches = this.rootMatches(path);
    for (let i = 1; i < segs.length; i++) {
      const seg = segs[i];
      // A plain name lists no instances: stepped without an async hop (most segments of most paths).
      matches = seg.kind === 'name' && !seg.ref ? this.stepName(matches, seg, path) : await this.step(matches, seg, path, depth);
    }
    this.checkLeaves(matches, path);
    return matches;
  }

  /**
   * resolve(path) without any async hop, for a path of plain names only (no instance number,
   * wildcard, search or reference: nothing to list); undefined for any other path. Throws as
   * resolve() rejects. The array and its matches may be shared with other requests: read only.
   */
  resolveNow(path: ParsedPath): readonly PathMatch[] | undefined {
    // Such a path's matches depend on the supported model alone: kept per parsed path (request
    // paths come from the model's bounded ParsedPathCache) until the model's shape changes.
    const known = plainMatches.get(path);
    if (known && known.model === this.model && known.shape === this.model.shape) return known.matches;
    const segs = path.segments;
    for (let i = 1; i < segs.length; i++) {
      const seg = segs[i];
      if (seg.kind !== 'name' || seg.ref) return undefined;
    }
    let matches = this.rootMatches(path);
    for (let i = 1; i < segs.length; i++) matches = this.stepName(matches, segs[i] as NameSegment, path);
    this.checkLeaves(matches, path);
    plainMatches.set(path, { model: this.model, shape: this.model.shape, matches });
    return matches;
  }

  /** The match of the path's first name, Device. */
  private rootMatches(path: ParsedPath): PathMatch[] {
    const first = path.segments[0];
    if (first.kind !== 'name' || first.name !== this.model.root.name || !this.model.root.supported) throw invalidPath(path.text);
    return [{ node: this.model.root, keys: [], table: false }];
  }

  /** A leaf (parameter, command, event) must be one of the last object's supported items. */
  private checkLeaves(matches: PathMatch[], path: ParsedPath): void {
    if (path.kind === 'object') return;
    for (const m of matches) checkLeaf(m, path);
    // Even with no instances the leaf must exist in the supported model.
    if (matches.length === 0) this.checkLeafStatically(path);
  }

  /** Parses and resolves a path string (used for reference values). */
  async resolveText(text: string, depth: number): Promise<PathMatch[]> {
    return this.resolve(parsePath(text), depth);
  }

  private async step(matches: PathMatch[], seg: Segment, path: ParsedPath, depth: number): Promise<PathMatch[]> {
    const out: PathMatch[] = [];
    if (seg.kind === 'name') {
      if (seg.ref) {
        for (const m of matches) {
          if (m.table) throw invalidPath(path.text, 'a table needs an instance before a parameter');
          for (const t of await this.followRef({ node: m.node, keys: m.keys }, seg, path, depth)) out.push(t);
        }
        return out;
      }
      return this.stepName(matches, seg, path);
    }
    if (seg.kind === 'placeholder') throw new UspError(ErrorCode.InvalidPathSyntax, `{i} is not allowed here: ${path.text}`, { path: path.text });
    for (const m of matches) {
      if (!m.table) throw invalidPath(path.text, `${m.node.name} is not a table`);
      const list = await visibleInstances(this.model, m.node, m.keys, this.ctx);
      if (seg.kind === 'instance') {
        if (list.includes(seg.n)) out.push({ node: m.node, keys: [...m.keys, seg.n], table: false });
        continue;
      }
      for (const n of list) {
        const inst = { node: m.node, keys: [...m.keys, n] };
        if (seg.kind === 'wildcard' || (await this.matchesSearch(inst, seg.terms, path, depth))) out.push({ ...inst, table: false });
      }
    }
    return out;
  }

  /** A name segment without reference following: the matches' supported child of that name. */
  private stepName(matches: PathMatch[], seg: NameSegment, path: ParsedPath): PathMatch[] {
    const out: PathMatch[] = [];
    // The supported-model check does not depend on instances, so do it once per node.
    for (const m of matches) {
      if (m.table) throw invalidPath(path.text, 'a table needs an instance number, * or a search expression');
      const child = m.node.supportedChild(seg.name);
      if (!child) throw invalidPath(path.text);
      out.push({ node: child, keys: m.keys, table: child.multi });
    }
    if (matches.length === 0) this.checkNameStatically(path);
    return out;
  }

  /** Every term must hold (only && exists in the grammar). `path` is for error messages. */
  async matchesSearch(inst: ObjectInstance, terms: readonly SearchTerm[], path: ParsedPath, depth = 0): Promise<boolean> {
    for (const t of terms) {
      if (!(await this.termHolds(inst, t, path, depth))) return false;
    }
    return true;
  }

  private async termHolds(inst: ObjectInstance, term: SearchTerm, path: ParsedPath, depth: number): Promise<boolean> {
    const access = this.ctx.access;
    let targets: ObjectInstance[] = [inst];
    const names = term.path;
    for (let i = 0; i < names.length - 1; i++) {
      const seg = names[i];
      const next: ObjectInstance[] = [];
      for (const t of targets) {
        if (seg.ref) next.push(...(await this.followRef(t, seg, path, depth)).map((m) => ({ node: m.node, keys: m.keys })));
        else {
          const child = t.node.supportedChild(seg.name);
          // A search term may pass through single-instance sub-objects only (R-ARC.9).
          if (!child || child.multi) throw invalidPath(path.text, `search term ${seg.name} is not a single-instance sub-object`);
          next.push({ node: child, keys: t.keys });
        }
      }
      targets = next;
    }
    const leaf = names[names.length - 1].name;
    for (const t of targets) {
      const syntax = t.node.params.get(leaf);
      if (!syntax) throw invalidPath(path.text, `search term parameter ${leaf} is not supported`);
      if (access) {
        // A value the controller cannot read (or reads as "") must not be probed by searching.
        if (syntax.hidden || (syntax.secured && !access.secured)) continue;
        if (((await access.instance(t)).param(leaf) & PERM_R) === 0) continue;
      }
      const values = await this.model.readValues(t, this.ctx);
      const actual = values[leaf];
      if (actual !== undefined && compareForSearch(syntax, actual, term.op, term.value, term.quoted)) return true;
    }
    return false;
  }

  /** `Ref+`, `Ref#n+`, `Ref#*+`: continue at the object(s) the reference parameter names. */
  private async followRef(inst: ObjectInstance, seg: NameSegment, path: ParsedPath, depth: number): Promise<PathMatch[]> {
    if (depth >= MAX_REF_DEPTH) throw invalidPath(path.text, 'too many reference hops');
    const syntax = inst.node.params.get(seg.name);
    if (!syntax) throw invalidPath(path.text, `${seg.name} is not a supported parameter`);
    const access = this.ctx.access;
    if (access && ((await access.instance(inst)).param(seg.name) & PERM_R) === 0) return [];
    const raw = String((await this.model.readValues(inst, this.ctx))[seg.name] ?? '');
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const idx = seg.ref!.index;
    const chosen = idx === '*' ? items : items.slice(idx - 1, idx);
    const out: PathMatch[] = [];
    for (const ref of chosen) {
      const text = ref.endsWith('.') ? ref : `${ref}.`;
      try {
        for (const m of await this.resolveText(text, depth + 1)) if (!m.table) out.push(m);
      } catch (e) {
        // A dangling or malformed reference value matches nothing; it is not the caller's error.
        if (!(e instanceof UspError)) throw e;
      }
    }
    return out;
  }

  /** With no instances to walk, still refuse names outside the supported model (7026). */
  private checkNameStatically(path: ParsedPath): void {
    staticNode(this.model, path);
  }

  private checkLeafStatically(path: ParsedPath): void {
    const node = staticNode(this.model, path);
    if (node) checkLeaf({ node, keys: [], table: false }, path);
  }
}

/** The supported node a path names, walking names only; undefined after a reference follow. */
function staticNode(model: DataModel, path: ParsedPath): ModelNode | undefined {
  let node = model.root;
  for (let i = 1; i < path.segments.length; i++) {
    const s = path.segments[i];
    if (s.kind !== 'name') continue;
    if (s.ref) return undefined;
    const c = node.supportedChild(s.name);
    if (!c) throw invalidPath(path.text);
    node = c;
  }
  return node;
}

function checkLeaf(m: PathMatch, path: ParsedPath): void {
  if (path.kind === 'object') return;
  if (m.table) throw invalidPath(path.text, 'a table needs an instance before a parameter');
  const leaf = path.leaf;
  const ok = path.kind === 'parameter' ? m.node.params.has(leaf) : path.kind === 'command' ? m.node.commands.has(leaf) : m.node.events.has(leaf);
  if (!ok) throw invalidPath(path.text);
}

/** Table matches become one match per existing instance ("Device.X.Table." means every row). */
export async function expandTables(model: DataModel, matches: readonly PathMatch[], ctx: RequestContext): Promise<ObjectInstance[]> {
  const out: ObjectInstance[] = [];
  for (const m of matches) {
    if (!m.table) {
      out.push({ node: m.node, keys: m.keys });
      continue;
    }
    for (const n of await visibleInstances(model, m.node, m.keys, ctx)) out.push({ node: m.node, keys: [...m.keys, n] });
  }
  return out;
}

/**
 * Instance numbers of a table under its parent instance that the requesting controller may see
 * (InstantiatedObj r); all of them for the agent itself.
 */
export async function visibleInstances(model: DataModel, node: ModelNode, parentKeys: InstanceKeys, ctx: RequestContext): Promise<number[]> {
  const list = await model.listInstances(node, parentKeys, ctx);
  return ctx.access && list.length > 0 ? ctx.access.visibleInstances(node, parentKeys, list) : list;
}
