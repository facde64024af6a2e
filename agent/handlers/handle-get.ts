/**
 * Get (TR-369 §"The Get Message", R-GET.0–5): one RequestedPathResult per requested path,
 * errors per path, one ResolvedPathResult per object with parameter names relative to it.
 */
import { parsePath } from '../../datamodel/path/parse-path.js';
import { readSubtree, type ObjectValues } from '../../datamodel/tree/read-object.js';
import { PathResolver, expandTables } from '../../datamodel/tree/resolve-path.js';
import { ErrorCode, UspError, toUspError } from '../../datamodel/UspError.js';
import type { GetReq, GetResp, GetRequestedPathResult, ResolvedPathResult } from '../codec/types.js';
import { formatParam, formatParams } from './format-params.js';
import type { HandlerContext } from './HandlerContext.js';

export async function handleGet(h: HandlerContext, get: GetReq): Promise<GetResp> {
  const reqPathResults: GetRequestedPathResult[] = [];
  for (const text of get.paramPaths) reqPathResults.push(await getPath(h, text, get.maxDepth));
  return { reqPathResults };
}

async function getPath(h: HandlerContext, text: string, maxDepth: number): Promise<GetRequestedPathResult> {
  try {
    const path = parsePath(text);
    if (path.kind === 'command' || path.kind === 'event') {
      throw new UspError(ErrorCode.InvalidPath, `Get takes object and parameter paths: ${text}`);
    }
    const matches = await new PathResolver(h.model, h.req).resolve(path);
    const resolvedPathResults: ResolvedPathResult[] = [];
    if (path.kind === 'parameter') {
      // R-GET.0: a non-search path must resolve to something instantiated.
      if (matches.length === 0 && !path.isSearch) throw notInstantiated(text);
      for (const m of matches) {
        const syntax = m.node.params.get(path.leaf)!;
        const values = await h.model.readValues(m, h.req);
        resolvedPathResults.push({ resolvedPath: m.node.pathOf(m.keys), resultParams: { [path.leaf]: formatParam(syntax, values[path.leaf]) } });
      }
      return { requestedPath: text, errCode: 0, errMsg: '', resolvedPathResults };
    }
    if (matches.length === 0 && !path.isSearch) throw notInstantiated(text);
    const objects: ObjectValues[] = [];
    for (const inst of await expandTables(h.model, matches, h.req)) await readSubtree(h.model, inst, maxDepth, h.req, objects);
    for (const o of objects) resolvedPathResults.push({ resolvedPath: o.path, resultParams: formatParams(o.inst.node, o.values) });
    return { requestedPath: text, errCode: 0, errMsg: '', resolvedPathResults };
  } catch (e) {
    const u = toUspError(e);
    if (u.code === ErrorCode.InternalError) h.log.error('get failed', { path: text, error: u.message });
    return { requestedPath: text, errCode: u.code, errMsg: u.message, resolvedPathResults: [] };
  }
}

function notInstantiated(text: string): UspError {
  return new UspError(ErrorCode.InvalidPath, `no instantiated object matches ${text}`, { path: text });
}
