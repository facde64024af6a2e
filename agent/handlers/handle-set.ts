/**
 * Set (TR-369 §"The Set Message", R-SET.*): each obj_path is all-or-nothing
 * over the instances it matches (R-SET.2a); with allow_partial=false any object failure rolls
 * back the whole message and becomes an Error with param_errs naming full parameter paths.
 * Access control: each parameter needs Param w (else a 7006 parameter error, under the usual
 * required/allow_partial rules; an object failing for it fails with 7006, TP-469 2.24/2.26);
 * parameters the controller cannot read are not echoed (R-SET.3).
 */
import { PERM_R, PERM_W, type InstanceAccess } from '../../datamodel/access/AccessView.js';
import { parsePath } from '../../datamodel/path/parse-path.js';
import { PathResolver } from '../../datamodel/tree/resolve-path.js';
import type { ModelNode, ObjectInstance } from '../../datamodel/tree/ModelNode.js';
import type { Value } from '../../datamodel/value/Value.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import { ErrorCode, UspError, toUspError, type ParamError } from '../../datamodel/UspError.js';
import type { SetReq, SetResp, UpdatedInstanceFailure, UpdatedInstanceResult, UpdatedObjectResult, UpdateObject, ErrorBody } from '../codec/types.js';
import { formatParam, seesSecured } from './format-params.js';
import type { HandlerContext } from './HandlerContext.js';
import { checkEnumerationRefs, checkStrongReferences, validateSettings } from './param-settings.js';

/** An object-level failure: its code and the instances/parameters that caused it. */
class ObjectFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly failures: UpdatedInstanceFailure[],
    readonly logged = false,
  ) {
    super(message);
  }
}

export async function handleSet(h: HandlerContext, set: SetReq): Promise<{ resp: SetResp } | { error: ErrorBody }> {
  const tx = new Transaction(h.model, h.req);
  const updatedObjResults: UpdatedObjectResult[] = [];
  for (const obj of set.updateObjs) {
    const sp = tx.savepoint();
    try {
      const updatedInstResults = await setObject(h, tx, obj);
      updatedObjResults.push({ requestedPath: obj.objPath, operStatus: { operStatus: 'operSuccess', operSuccess: { updatedInstResults } } });
    } catch (e) {
      await tx.rollbackTo(sp);
      const f = asFailure(e, obj.objPath);
      if (f.code === ErrorCode.InternalError && !f.logged) h.log.error('set failed', { path: obj.objPath, error: f.message });
      if (!set.allowPartial) {
        await tx.rollback();
        return { error: { errCode: f.code, errMsg: f.message, paramErrs: errorParams(f, obj.objPath) } };
      }
      updatedObjResults.push({
        requestedPath: obj.objPath,
        operStatus: { operStatus: 'operFailure', operFailure: { errCode: f.code, errMsg: f.message, updatedInstFailures: f.failures } },
      });
    }
  }
  await tx.commit();
  return { resp: { updatedObjResults } };
}

async function setObject(h: HandlerContext, tx: Transaction, obj: UpdateObject): Promise<UpdatedInstanceResult[]> {
  const path = parsePath(obj.objPath);
  if (path.kind !== 'object') throw new UspError(ErrorCode.InvalidPath, `Set needs an object path: ${obj.objPath}`);
  const matches = await new PathResolver(h.model, h.req).resolve(path);
  if (matches.some((m) => m.table)) throw new UspError(ErrorCode.ObjectNotUpdated, `Set needs object instances, not a table: ${obj.objPath}`);
  // R-MSG.4a / TP-469 1.23: a search matching nothing is an empty success.
  if (matches.length === 0 && !path.isSearch) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such object: ${obj.objPath}`);
  const results: UpdatedInstanceResult[] = [];
  for (const m of matches) results.push(await setInstance(h, tx, { node: m.node, keys: m.keys }, obj));
  return results;
}

async function setInstance(h: HandlerContext, tx: Transaction, inst: ObjectInstance, obj: UpdateObject): Promise<UpdatedInstanceResult> {
  const affectedPath = inst.node.pathOf(inst.keys);
  // writeOnceReadOnly needs current values: read each touched (sub-)object once; the same for rights.
  const current = new Map<string, Record<string, Value>>();
  const rights = new Map<string, InstanceAccess>();
  const access = h.req.access;
  for (const s of obj.paramSettings) {
    const rel = s.param.includes('.') ? s.param.slice(0, s.param.lastIndexOf('.') + 1) : '';
    if (current.has(rel)) continue;
    const node = subObject(inst.node, rel);
    current.set(rel, node ? await h.model.readValues({ node, keys: inst.keys }, h.req) : {});
    if (node && access) rights.set(rel, await access.instance({ node, keys: inst.keys }));
  }
  const may = (rel: string, name: string, need: number): boolean => !access || ((rights.get(rel)?.param(name) ?? 0) & need) !== 0;
  const checked = validateSettings(
    inst.node,
    obj.paramSettings,
    'set',
    (rel, name) => current.get(rel)?.[name],
    (rel, name) => may(rel, name, PERM_W),
  );
  await checkStrongReferences(h.model, h.req, checked, obj.paramSettings);
  await checkEnumerationRefs(h.model, h.req, inst.keys, checked, obj.paramSettings);
  if (checked.requiredFailed) {
    const why = checked.requiredCode === ErrorCode.PermissionDenied ? 'permission denied' : 'required parameter failed';
    throw new ObjectFailure(checked.requiredCode, `${why} on ${affectedPath}`, [{ affectedPath, paramErrs: checked.paramErrors.map(toParameterError) }]);
  }
  const paramErrs = checked.paramErrors.map(toParameterError);
  const updatedParams: Record<string, string> = {};
  for (const [rel, g] of checked.byObject) {
    try {
      await tx.set({ node: g.node, keys: inst.keys }, g.values);
      for (const [name, value] of Object.entries(g.values)) {
        if (may(rel, name, PERM_R)) updatedParams[rel + name] = formatParam(g.node.params.get(name)!, value, seesSecured(access));
      }
    } catch (e) {
      const u = toUspError(e);
      const names = Object.keys(g.values).map((n) => rel + n);
      const required = obj.paramSettings.some((s) => s.required && names.includes(s.param));
      const errs = names.map((param) => ({ param, errCode: u.code, errMsg: u.message }));
      if (required || u.code === ErrorCode.DuplicateUniqueKey) {
        throw new ObjectFailure(required ? ErrorCode.RequiredParamFailed : u.code, u.message, [{ affectedPath, paramErrs: errs }]);
      }
      paramErrs.push(...errs);
    }
  }
  return { affectedPath, updatedParams, paramErrs };
}

/** "Security." → the single-instance child node, "" → the node itself. */
function subObject(node: ModelNode, rel: string): ModelNode | undefined {
  let n: ModelNode | undefined = node;
  for (const name of rel.split('.').filter(Boolean)) n = n?.supportedChild(name);
  return n;
}

function toParameterError(e: ParamError): { param: string; errCode: number; errMsg: string } {
  return { param: e.param, errCode: e.code, errMsg: e.message };
}

function asFailure(e: unknown, objPath: string): ObjectFailure {
  if (e instanceof ObjectFailure) return e;
  const u = toUspError(e);
  return new ObjectFailure(u.code, u.message, [{ affectedPath: u.path ?? objPath, paramErrs: [] }], u.logged);
}

/** Error.param_errs name full parameter paths (TP-469 1.20: "...Subscription.<n>.Param"). */
function errorParams(f: ObjectFailure, objPath: string): ErrorBody['paramErrs'] {
  const out = f.failures.flatMap((i) => (i.paramErrs ?? []).map((p) => ({ paramPath: i.affectedPath + p.param, errCode: p.errCode, errMsg: p.errMsg ?? '' })));
  return out.length > 0 ? out : [{ paramPath: objPath, errCode: f.code, errMsg: f.message }];
}
