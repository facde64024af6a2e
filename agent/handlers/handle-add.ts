/**
 * Add (TR-369 §"The Add Message", R-ADD.*): obj_path names a table, or since USP 1.3 a search
 * path matching several parent instances (one result each, failures included with
 * allow_partial, TP-469 2.23; without it any failure is an Error, R-ADD.2a). Unique keys the
 * controller left out are generated; all supported keys come back in unique_keys.
 * Access control: the table needs Obj w (else 7006 for that object); a parameter the controller
 * may not write fails with 7006 when given (normal required/allow_partial rules) and gets its
 * default when left out; keys it may not read are left out of unique_keys (R-ADD.6).
 */
import { PERM_W, type InstanceAccess } from '../../datamodel/access/AccessView.js';
import { parsePath } from '../../datamodel/path/parse-path.js';
import { PathResolver, type PathMatch } from '../../datamodel/tree/resolve-path.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import { ErrorCode, UspError, toUspError } from '../../datamodel/UspError.js';
import type { AddReq, AddResp, CreatedObjectResult, CreateObject, ErrorBody, ParameterError } from '../codec/types.js';
import type { HandlerContext } from './HandlerContext.js';
import { checkEnumerationRefs, checkStrongReferences, validateSettings } from './param-settings.js';
import { uniqueKeys } from './unique-keys.js';

class AddFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly paramErrs: { paramPath: string; errCode: number; errMsg: string }[],
  ) {
    super(message);
  }
}

export async function handleAdd(h: HandlerContext, add: AddReq): Promise<{ resp: AddResp } | { error: ErrorBody }> {
  const tx = new Transaction(h.model, h.req);
  const createdObjResults: CreatedObjectResult[] = [];
  for (const obj of add.createObjs) {
    const sp = tx.savepoint();
    try {
      for (const r of await addObject(h, tx, obj, add.allowPartial)) createdObjResults.push(r);
    } catch (e) {
      await tx.rollbackTo(sp);
      const f = asFailure(h, e, obj.objPath);
      if (!add.allowPartial) {
        await tx.rollback();
        const paramErrs = f.paramErrs.length > 0 ? f.paramErrs : [{ paramPath: obj.objPath, errCode: f.code, errMsg: f.message }];
        return { error: { errCode: f.code, errMsg: f.message, paramErrs } };
      }
      createdObjResults.push({ requestedPath: obj.objPath, operStatus: { operStatus: 'operFailure', operFailure: { errCode: f.code, errMsg: f.message } } });
    }
  }
  await tx.commit();
  return { resp: { createdObjResults } };
}

async function addObject(h: HandlerContext, tx: Transaction, obj: CreateObject, allowPartial: boolean): Promise<CreatedObjectResult[]> {
  const path = parsePath(obj.objPath);
  if (path.kind !== 'object') throw new UspError(ErrorCode.InvalidPath, `Add needs a table path: ${obj.objPath}`);
  const matches = await new PathResolver(h.model, h.req).resolve(path);
  if (matches.length === 0 && !path.isSearch) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such object: ${obj.objPath}`);
  const results: CreatedObjectResult[] = [];
  for (const m of matches) {
    const sp = tx.savepoint();
    try {
      results.push(await addInstance(h, tx, obj, m));
    } catch (e) {
      // R-ADD.2a: without allow_partial any failure fails the whole message. With it, each table
      // the search matched gets its own result (TP-469 2.23), failed ones naming their table.
      if (!allowPartial) throw e;
      await tx.rollbackTo(sp);
      const f = asFailure(h, e, obj.objPath);
      results.push({ requestedPath: obj.objPath, operStatus: { operStatus: 'operFailure', operFailure: { errCode: f.code, errMsg: f.message } } });
    }
  }
  return results;
}

/** One new row in the table `m` matched (one CreatedObjectResult). */
async function addInstance(h: HandlerContext, tx: Transaction, obj: CreateObject, m: PathMatch): Promise<CreatedObjectResult> {
  if (!m.table) throw new UspError(ErrorCode.ObjectNotTable, `not a table: ${m.node.pathOf(m.keys)}`);
  if (m.node.def.access !== 'readWrite' || !h.model.bindingOf(m.node)?.add) {
    throw new UspError(ErrorCode.ObjectNotCreatable, `${m.node.tablePathOf(m.keys)} does not allow Add`);
  }
  const tablePath = m.node.tablePathOf(m.keys);
  const writable = await writeRights(h, m.node, m.keys);
  if (writable && !writable.table) throw new UspError(ErrorCode.PermissionDenied, `${tablePath}: permission denied (Add needs Obj w)`, { path: tablePath });
  const v = validateSettings(m.node, obj.paramSettings, 'add', undefined, writable?.param);
  await checkStrongReferences(h.model, h.req, v, obj.paramSettings);
  await checkEnumerationRefs(h.model, h.req, m.keys, v, obj.paramSettings);
  if (v.requiredFailed) {
    const why = v.requiredCode === ErrorCode.PermissionDenied ? 'permission denied' : 'required parameter failed';
    throw new AddFailure(
      v.requiredCode,
      `${why} creating in ${tablePath}`,
      v.paramErrors.map((e) => ({ paramPath: tablePath + e.param, errCode: e.code, errMsg: e.message })),
    );
  }
  const own = v.byObject.get('')?.values ?? {};
  const inst = await tx.add(m.node, m.keys, own);
  const paramErrs: ParameterError[] = v.paramErrors.map((e) => ({ param: e.param, errCode: e.code, errMsg: e.message }));
  for (const [rel, g] of v.byObject) {
    if (rel === '') continue;
    await tx.set({ node: g.node, keys: inst.keys }, g.values);
  }
  return {
    requestedPath: obj.objPath,
    operStatus: { operStatus: 'operSuccess', operSuccess: { instantiatedPath: inst.node.pathOf(inst.keys), paramErrs, uniqueKeys: await uniqueKeys(h.model, h.req, inst) } },
  };
}

function asFailure(h: HandlerContext, e: unknown, objPath: string): AddFailure {
  if (e instanceof AddFailure) return e;
  const u = toUspError(e);
  if (u.code === ErrorCode.InternalError && !u.logged) h.log.error('add failed', { path: objPath, error: u.message });
  return new AddFailure(u.code, u.message, []);
}

/**
 * What the controller may write in a new row of `table` under `parentKeys`: the table itself
 * (Obj w) and each parameter, by relative sub-object path and name. Undefined for the agent.
 */
async function writeRights(h: HandlerContext, table: ModelNode, parentKeys: readonly number[]): Promise<{ table: boolean; param: (rel: string, name: string) => boolean } | undefined> {
  const access = h.req.access;
  if (!access) return undefined;
  // The new row's number is not known yet: targets naming particular rows of this table do not apply.
  const own = await access.supported(table, parentKeys);
  const subs = new Map<string, InstanceAccess>([['', own]]);
  const collect = async (node: ModelNode, rel: string): Promise<void> => {
    for (const c of node.children.values()) {
      if (!c.supported || c.multi) continue;
      subs.set(`${rel}${c.name}.`, await access.supported(c, parentKeys));
      await collect(c, `${rel}${c.name}.`);
    }
  };
  await collect(table, '');
  return { table: (own.obj & PERM_W) !== 0, param: (rel, name) => ((subs.get(rel)?.param(name) ?? 0) & PERM_W) !== 0 };
}
