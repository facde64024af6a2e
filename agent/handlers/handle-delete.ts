/**
 * Delete (TR-369 §"The Delete Message", R-DEL.*). Following TP-469 (tests
 * 1.25/1.29): a valid path to a non-existent instance is an empty success; a path outside the
 * supported model is a failure (an Error with allow_partial=false, oper_failure otherwise).
 * Access control: rows the controller may not read are absent (never in affected lists,
 * R-DEL.2/4); deleting a row needs InstantiatedObj w, else 7006 (R-DEL.1).
 */
import { PERM_W } from '../../datamodel/access/AccessView.js';
import { parsePath } from '../../datamodel/path/parse-path.js';
import { PathResolver } from '../../datamodel/tree/resolve-path.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import { ErrorCode, UspError, toUspError } from '../../datamodel/UspError.js';
import type { DeleteReq, DeleteResp, DeletedObjectResult, ErrorBody } from '../codec/types.js';
import type { HandlerContext } from './HandlerContext.js';

export async function handleDelete(h: HandlerContext, del: DeleteReq): Promise<{ resp: DeleteResp } | { error: ErrorBody }> {
  const tx = new Transaction(h.model, h.req);
  const deletedObjResults: DeletedObjectResult[] = [];
  for (const text of del.objPaths) {
    const sp = tx.savepoint();
    try {
      const affectedPaths = await deletePath(h, tx, text);
      deletedObjResults.push({ requestedPath: text, operStatus: { operStatus: 'operSuccess', operSuccess: { affectedPaths, unaffectedPathErrs: [] } } });
    } catch (e) {
      await tx.rollbackTo(sp);
      const u = toUspError(e);
      if (u.code === ErrorCode.InternalError && !u.logged) h.log.error('delete failed', { path: text, error: u.message });
      if (!del.allowPartial) {
        await tx.rollback();
        return { error: { errCode: u.code, errMsg: u.message, paramErrs: [{ paramPath: text, errCode: u.code, errMsg: u.message }] } };
      }
      deletedObjResults.push({ requestedPath: text, operStatus: { operStatus: 'operFailure', operFailure: { errCode: u.code, errMsg: u.message } } });
    }
  }
  await tx.commit();
  return { resp: { deletedObjResults } };
}

async function deletePath(h: HandlerContext, tx: Transaction, text: string): Promise<string[]> {
  const path = parsePath(text);
  if (path.kind !== 'object') throw new UspError(ErrorCode.InvalidPath, `Delete needs an object instance path: ${text}`);
  const matches = await new PathResolver(h.model, h.req).resolve(path);
  const affected: string[] = [];
  for (const m of matches) {
    if (m.table || !m.node.multi) throw new UspError(ErrorCode.DeleteFailure, `not an object instance: ${text}`);
    if (m.node.def.access !== 'readWrite' || !h.model.bindingOf(m.node)?.delete) {
      throw new UspError(ErrorCode.DeleteFailure, `${m.node.pathOf(m.keys)} cannot be deleted`);
    }
    const access = h.req.access;
    if (access && ((await access.instance(m)).inst & PERM_W) === 0) {
      throw new UspError(ErrorCode.PermissionDenied, `${m.node.pathOf(m.keys)}: permission denied (Delete needs InstantiatedObj w)`);
    }
    await tx.delete({ node: m.node, keys: m.keys });
    affected.push(m.node.pathOf(m.keys));
  }
  return affected;
}
