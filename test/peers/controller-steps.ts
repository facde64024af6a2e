/**
 * Controller-side steps tests share (Bulk Data, SoftwareModules, ...): Add/Set/Operate through a real TestController
 * (or any peer with the same `send`), answered either by a response or by a USP Error.
 */
import type { Request, UspMsg } from '../../agent/codec/types.js';

interface Sender {
  send(request: Request, timeoutMs?: number): Promise<UspMsg>;
}

/** The outcome of one non-partial request: the Response, or the Error's code and first parameter error code. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; errCode: number; paramErrCode?: number; errMsg: string };

function outcome<T>(m: UspMsg, pick: (m: UspMsg) => T): Outcome<T> {
  if (m.body.msgBody === 'error') {
    const e = m.body.error;
    return { ok: false, errCode: e.errCode, paramErrCode: e.paramErrs?.[0]?.errCode, errMsg: `${e.errMsg} ${e.paramErrs?.map((p) => p.errMsg).join('; ') ?? ''}` };
  }
  return { ok: true, value: pick(m) };
}

/** Adds one object with these parameters (allow_partial false); the new instance path. */
export async function tryAdd(c: Sender, objPath: string, params: Record<string, string>): Promise<Outcome<string>> {
  const m = await c.send({
    reqType: 'add',
    add: { allowPartial: false, createObjs: [{ objPath, paramSettings: Object.entries(params).map(([param, value]) => ({ param, value, required: true })) }] },
  });
  return outcome(m, (r) => {
    if (r.body.msgBody !== 'response' || r.body.response.respType !== 'addResp') throw new Error(JSON.stringify(r.body));
    const st = r.body.response.addResp.createdObjResults[0].operStatus;
    if (st.operStatus !== 'operSuccess') throw new Error(JSON.stringify(st));
    return st.operSuccess.instantiatedPath;
  });
}

export async function add(c: Sender, objPath: string, params: Record<string, string>): Promise<string> {
  const r = await tryAdd(c, objPath, params);
  if (!r.ok) throw new Error(`Add ${objPath} failed: ${r.errCode} ${r.errMsg}`);
  return r.value;
}

export async function trySet(c: Sender, objPath: string, params: Record<string, string>): Promise<Outcome<true>> {
  const m = await c.send({
    reqType: 'set',
    set: { allowPartial: false, updateObjs: [{ objPath, paramSettings: Object.entries(params).map(([param, value]) => ({ param, value, required: true })) }] },
  });
  return outcome(m, () => true as const);
}

export async function set(c: Sender, objPath: string, params: Record<string, string>): Promise<void> {
  const r = await trySet(c, objPath, params);
  if (!r.ok) throw new Error(`Set ${objPath} failed: ${r.errCode} ${r.errMsg}`);
}

/** Deletes objects (allow_partial false); throws with the USP Error when refused. */
export async function del(c: Sender, ...objPaths: string[]): Promise<void> {
  const m = await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths } });
  if (m.body.msgBody !== 'response' || m.body.response.respType !== 'deleteResp') throw new Error(`Delete ${objPaths.join(' ')} failed: ${JSON.stringify(m.body)}`);
}

/** Value of one parameter path. */
export async function get(c: Sender, path: string): Promise<string> {
  const m = await c.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } });
  if (m.body.msgBody !== 'response' || m.body.response.respType !== 'getResp') throw new Error(JSON.stringify(m.body));
  const r = m.body.response.getResp.reqPathResults[0];
  if (r.errCode !== 0) throw new Error(`Get ${path}: ${r.errCode} ${r.errMsg}`);
  const leaf = path.slice(path.lastIndexOf('.') + 1);
  return r.resolvedPathResults?.[0]?.resultParams[leaf] ?? '';
}

/** Runs a synchronous command: ok, or the command failure's code. */
export async function operate(c: Sender, command: string): Promise<Outcome<true>> {
  const m = await c.send({ reqType: 'operate', operate: { command, commandKey: 'bulk', sendResp: true, inputArgs: {} } });
  if (m.body.msgBody !== 'response' || m.body.response.respType !== 'operateResp') return outcome(m, () => true as const);
  const res = m.body.response.operateResp.operationResults[0];
  if (res.operationResp === 'cmdFailure') return { ok: false, errCode: res.cmdFailure.errCode, errMsg: res.cmdFailure.errMsg ?? '' };
  return { ok: true, value: true };
}

/** Subscribes `c` to Push! of the profiles `reference` names (a Subscription row of its own). */
export async function subscribePush(c: Sender, id: string, reference = 'Device.BulkData.Profile.*.Push!'): Promise<void> {
  await add(c, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: id, NotifType: 'Event', ReferenceList: reference, NotifRetry: 'false' });
}
