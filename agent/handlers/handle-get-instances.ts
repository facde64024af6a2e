/**
 * GetInstances (TR-369 §"The GetInstances Message", R-GIN.*): the instances of the tables a
 * path names, with their unique keys; first_level_only=false also lists nested tables' rows.
 * Access control: rows without InstantiatedObj r, or matched through a parameter the controller
 * may not read, are absent (R-GIN.0); keys it may not read are left out (R-GIN.1).
 */
import { PERM_R } from '../../datamodel/access/AccessView.js';
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { ModelNode, ObjectInstance } from '../../datamodel/tree/ModelNode.js';
import { PathResolver, visibleInstances } from '../../datamodel/tree/resolve-path.js';
import { ErrorCode, UspError, toUspError } from '../../datamodel/UspError.js';
import type { CurrInstance, GetInstancesReq, GetInstancesResp, InstancesRequestedPathResult } from '../codec/types.js';
import { uniqueKeys } from './unique-keys.js';
import type { HandlerContext } from './HandlerContext.js';
import { DEFAULT_MAX_RESPONSE_SIZE, ResponseBudget, yieldToEventLoop } from '../request-limits.js';

/**
 * Bounded like Get (request-limits.ts): one requested path at a time with a yield to the event
 * loop in between, and Error 7005 as soon as the response would not fit in a Record.
 */
export async function handleGetInstances(h: HandlerContext, req: GetInstancesReq, budget = new ResponseBudget(DEFAULT_MAX_RESPONSE_SIZE, 'the GetInstancesResp')): Promise<GetInstancesResp> {
  const reqPathResults: InstancesRequestedPathResult[] = [];
  for (const [i, text] of req.objPaths.entries()) {
    if (i > 0) await yieldToEventLoop();
    let r: InstancesRequestedPathResult;
    try {
      r = { requestedPath: text, errCode: 0, errMsg: '', currInsts: await instancesOf(h, text, req.firstLevelOnly) };
    } catch (e) {
      const u = toUspError(e);
      r = { requestedPath: text, errCode: u.code, errMsg: u.message, currInsts: [] };
    }
    budget.addValue(r);
    reqPathResults.push(r);
  }
  return { reqPathResults };
}

async function instancesOf(h: HandlerContext, text: string, firstLevelOnly: boolean): Promise<CurrInstance[]> {
  const path = parsePath(text);
  if (path.kind !== 'object') throw new UspError(ErrorCode.InvalidPath, `GetInstances needs an object path: ${text}`);
  const matches = await new PathResolver(h.model, h.req).resolve(path);
  const absent = (): UspError => new UspError(ErrorCode.InvalidPath, `no instantiated object matches ${text}`);
  if (matches.length === 0 && !path.isSearch) throw absent();
  const out: CurrInstance[] = [];
  for (const m of matches) {
    if (!m.node.multi && firstLevelOnly) throw new UspError(ErrorCode.ObjectNotTable, `not a table: ${m.node.pathOf(m.keys)}`);
    if (m.table) {
      const rows = await visibleInstances(h.model, m.node, m.keys, h.req);
      // R-GIN.0 / R-GET.1: a table the controller may not see at all does not exist for it.
      if (rows.length === 0 && !path.isSearch && h.req.access && ((await h.req.access.supported(m.node, m.keys)).obj & PERM_R) === 0) throw absent();
      for (const n of rows) await collect(h, { node: m.node, keys: [...m.keys, n] }, firstLevelOnly, out);
    } else if (m.node.multi) {
      await collect(h, { node: m.node, keys: m.keys }, firstLevelOnly, out);
    } else {
      await collectBelow(h, m.node, m.keys, out);
    }
  }
  return out;
}

async function collect(h: HandlerContext, inst: ObjectInstance, firstLevelOnly: boolean, out: CurrInstance[]): Promise<void> {
  out.push({ instantiatedObjPath: inst.node.pathOf(inst.keys), uniqueKeys: await uniqueKeys(h.model, h.req, inst) });
  if (!firstLevelOnly) await collectBelow(h, inst.node, inst.keys, out);
}

/** Rows of every table below an object, through single-instance sub-objects. */
async function collectBelow(h: HandlerContext, node: ModelNode, keys: readonly number[], out: CurrInstance[]): Promise<void> {
  for (const child of node.children.values()) {
    if (!child.supported) continue;
    if (!child.multi) {
      await collectBelow(h, child, keys, out);
      continue;
    }
    for (const n of await visibleInstances(h.model, child, keys, h.req)) await collect(h, { node: child, keys: [...keys, n] }, false, out);
  }
}
