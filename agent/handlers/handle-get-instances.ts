/**
 * GetInstances (TR-369 §"The GetInstances Message", R-GIN.*): the instances of the tables a
 * path names, with their unique keys; first_level_only=false also lists nested tables' rows.
 */
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { ModelNode, ObjectInstance } from '../../datamodel/tree/ModelNode.js';
import { PathResolver } from '../../datamodel/tree/resolve-path.js';
import { ErrorCode, UspError, toUspError } from '../../datamodel/UspError.js';
import type { CurrInstance, GetInstancesReq, GetInstancesResp, InstancesRequestedPathResult } from '../codec/types.js';
import { uniqueKeys } from './handle-add.js';
import type { HandlerContext } from './HandlerContext.js';

export async function handleGetInstances(h: HandlerContext, req: GetInstancesReq): Promise<GetInstancesResp> {
  const reqPathResults: InstancesRequestedPathResult[] = [];
  for (const text of req.objPaths) {
    try {
      reqPathResults.push({ requestedPath: text, errCode: 0, errMsg: '', currInsts: await instancesOf(h, text, req.firstLevelOnly) });
    } catch (e) {
      const u = toUspError(e);
      reqPathResults.push({ requestedPath: text, errCode: u.code, errMsg: u.message, currInsts: [] });
    }
  }
  return { reqPathResults };
}

async function instancesOf(h: HandlerContext, text: string, firstLevelOnly: boolean): Promise<CurrInstance[]> {
  const path = parsePath(text);
  if (path.kind !== 'object') throw new UspError(ErrorCode.InvalidPath, `GetInstances needs an object path: ${text}`);
  const matches = await new PathResolver(h.model, h.req).resolve(path);
  if (matches.length === 0 && !path.isSearch) throw new UspError(ErrorCode.InvalidPath, `no instantiated object matches ${text}`);
  const out: CurrInstance[] = [];
  for (const m of matches) {
    if (!m.node.multi && firstLevelOnly) throw new UspError(ErrorCode.ObjectNotTable, `not a table: ${m.node.pathOf(m.keys)}`);
    if (m.table) {
      for (const n of await h.model.listInstances(m.node, m.keys, h.req)) await collect(h, { node: m.node, keys: [...m.keys, n] }, firstLevelOnly, out);
    } else if (m.node.multi) {
      await collect(h, { node: m.node, keys: m.keys }, firstLevelOnly, out);
    } else {
      await collectBelow(h, m.node, m.keys, out);
    }
  }
  return out;
}

async function collect(h: HandlerContext, inst: ObjectInstance, firstLevelOnly: boolean, out: CurrInstance[]): Promise<void> {
  out.push({ instantiatedObjPath: inst.node.pathOf(inst.keys), uniqueKeys: await uniqueKeys(h, inst) });
  if (!firstLevelOnly) await collectBelow(h, inst.node, inst.keys, out);
}

/** Rows of every table below an object, through single-instance sub-objects. */
async function collectBelow(h: HandlerContext, node: ModelNode, keys: readonly number[], out: CurrInstance[]): Promise<void> {
  for (const child of node.children.values()) {
    if (!child.supported) continue;
    if (!child.multi) { await collectBelow(h, child, keys, out); continue; }
    for (const n of await h.model.listInstances(child, keys, h.req)) await collect(h, { node: child, keys: [...keys, n] }, false, out);
  }
}
