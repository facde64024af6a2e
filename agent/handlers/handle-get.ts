/**
 * Get (TR-369 §"The Get Message", R-GET.0–5): one RequestedPathResult per requested path,
 * errors per path, one ResolvedPathResult per object with parameter names relative to it.
 * Access control (R-GET.1/4): what the controller may not read is absent, so a non-search path
 * naming it fails with 7026 like a path that does not exist; unreadable parameters are left out.
 */
import { PERM_R } from '../../datamodel/access/AccessView.js';
import { readSubtree, type ObjectValues } from '../../datamodel/tree/read-object.js';
import { PathResolver, expandTables, type PathMatch } from '../../datamodel/tree/resolve-path.js';
import { ErrorCode, UspError, toUspError } from '../../datamodel/UspError.js';
import type { GetReq, GetResp, GetRequestedPathResult, ResolvedPathResult, StringMap } from '../codec/types.js';
import { formatParam, formatParams, seesSecured } from './format-params.js';
import type { HandlerContext } from './HandlerContext.js';
import { DEFAULT_MAX_RESPONSE_SIZE, ResponseBudget, yieldToEventLoop } from '../request-limits.js';

/**
 * The response is bounded (`budget`, Error 7005 once it would not fit in a Record) and built one
 * requested path at a time, yielding to the event loop in between so one large Get never holds
 * up other controllers for longer than one path takes.
 */
export async function handleGet(h: HandlerContext, get: GetReq, budget = new ResponseBudget(DEFAULT_MAX_RESPONSE_SIZE, 'the GetResp')): Promise<GetResp> {
  const reqPathResults: GetRequestedPathResult[] = [];
  const paths = get.paramPaths;
  for (let i = 0; i < paths.length; i++) {
    // One requested path may cover the whole model (tens of ms): yield between every two.
    if (i > 0) await yieldToEventLoop();
    const r = await getPath(h, paths[i]!, get.maxDepth);
    charge(budget, r);
    reqPathResults.push(r);
  }
  return { reqPathResults };
}

function charge(budget: ResponseBudget, r: GetRequestedPathResult): void {
  budget.addString(r.requestedPath);
  budget.addString(r.errMsg ?? '');
  for (const res of r.resolvedPathResults ?? []) {
    budget.addString(res.resolvedPath);
    budget.addMap(res.resultParams);
  }
}

async function getPath(h: HandlerContext, text: string, maxDepth: number): Promise<GetRequestedPathResult> {
  try {
    const path = h.model.paths.parse(text);
    if (path.kind === 'command' || path.kind === 'event') {
      throw new UspError(ErrorCode.InvalidPath, `Get takes object and parameter paths: ${text}`);
    }
    const resolver = new PathResolver(h.model, h.req);
    const matches = resolver.resolveNow(path) ?? (await resolver.resolve(path));
    const access = h.req.access;
    const secured = seesSecured(access);
    const resolvedPathResults: ResolvedPathResult[] = [];
    if (path.kind === 'parameter') {
      for (const m of matches) {
        // Rights and values are usually at hand (fixed rights, synchronous bindings): awaited
        // only when they are promises, as each await costs a turn of the microtask queue.
        if (access) {
          const rights = access.instance(m);
          if (((rights instanceof Promise ? await rights : rights).param(path.leaf) & PERM_R) === 0) continue;
        }
        const syntax = m.node.params.get(path.leaf)!;
        const read = h.model.readValue(m, path.leaf, h.req);
        const value = read instanceof Promise ? await read : read;
        // Filled in, not a computed-key literal: that literal takes V8's slow path.
        const resultParams: StringMap = {};
        resultParams[path.leaf] = formatParam(syntax, value, secured);
        resolvedPathResults.push({ resolvedPath: m.node.pathOf(m.keys), resultParams });
      }
      // R-GET.0: a non-search path must resolve to something instantiated (and readable, R-GET.1).
      if (resolvedPathResults.length === 0 && !path.isSearch) throw notInstantiated(text);
      return { requestedPath: text, errCode: 0, errMsg: '', resolvedPathResults };
    }
    if (matches.length === 0 && !path.isSearch) throw notInstantiated(text);
    if (!path.isSearch && !(await readable(h, matches[0]))) throw notInstantiated(text);
    const objects: ObjectValues[] = [];
    for (const inst of await expandTables(h.model, matches, h.req)) await readSubtree(h.model, inst, maxDepth, h.req, objects);
    for (const o of objects) resolvedPathResults.push({ resolvedPath: o.path, resultParams: formatParams(o.inst.node, o.values, o.access, secured) });
    return { requestedPath: text, errCode: 0, errMsg: '', resolvedPathResults };
  } catch (e) {
    const u = toUspError(e);
    if (u.code === ErrorCode.InternalError && !u.logged) h.log.error('get failed', { path: text, error: u.message });
    return { requestedPath: text, errCode: u.code, errMsg: u.message, resolvedPathResults: [] };
  }
}

/**
 * Whether the object a non-search path names exists for this controller (R-GET.1): Obj r on it;
 * a table counts as readable when Obj r covers the table or one of its rows is visible.
 */
async function readable(h: HandlerContext, m: PathMatch): Promise<boolean> {
  const access = h.req.access;
  if (!access) return true;
  if (!m.table) return ((await access.instance(m)).obj & PERM_R) !== 0;
  if (((await access.supported(m.node, m.keys)).obj & PERM_R) !== 0) return true;
  return (await expandTables(h.model, [m], h.req)).length > 0;
}

function notInstantiated(text: string): UspError {
  return new UspError(ErrorCode.InvalidPath, `no instantiated object matches ${text}`, { path: text });
}
