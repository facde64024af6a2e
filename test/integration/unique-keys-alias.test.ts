/**
 * Alias values and unique-key immutability over a real WebSocket (TR-181 Alias data type: not
 * empty, starts with a letter; TR-369 R-KEY.1: non-functional unique keys never change after
 * creation; TP-469 1.88 and 1.96).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { asError, asResponse } from '../peers/TestController.js';

let f: AgentFixture;
beforeAll(async () => {
  f = await startAgent();
});
afterAll(async () => {
  await f.close();
});

const settings = (params: Record<string, string>, required: boolean) => Object.entries(params).map(([param, value]) => ({ param, value, required }));
async function add(objPath: string, params: Record<string, string>, allowPartial = false, required = true) {
  return f.controller.send({ reqType: 'add', add: { allowPartial, createObjs: [{ objPath, paramSettings: settings(params, required) }] } });
}
async function set(objPath: string, params: Record<string, string>, allowPartial = false, required = true) {
  return f.controller.send({ reqType: 'set', set: { allowPartial, updateObjs: [{ objPath, paramSettings: settings(params, required) }] } });
}
async function value(path: string): Promise<string | undefined> {
  const r = asResponse(await f.controller.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  const leaf = path.slice(path.lastIndexOf('.') + 1);
  return r.getResp.reqPathResults[0].resolvedPathResults?.[0]?.resultParams[leaf];
}
async function created(objPath: string, params: Record<string, string>): Promise<string> {
  const r = asResponse(await add(objPath, params));
  if (r.respType !== 'addResp') throw new Error(r.respType);
  const st = r.addResp.createdObjResults[0].operStatus;
  if (st.operStatus !== 'operSuccess') throw new Error(JSON.stringify(st));
  return st.operSuccess.instantiatedPath;
}
const SUB = 'Device.LocalAgent.Subscription.';
const count = async () => value('Device.LocalAgent.SubscriptionNumberOfEntries');

describe('Alias must start with a letter (TP-469 1.88)', () => {
  it('Add refuses an Alias starting with a digit or a dash, or empty (7012), and creates nothing', async () => {
    const before = await count();
    for (const alias of ['1-sub', '-sub', '']) {
      const e = asError(await add(SUB, { Alias: alias, ID: `alias-${alias}`, NotifType: 'ValueChange' }));
      expect(e.errCode).toBe(7021);
      expect(e.paramErrs).toEqual([expect.objectContaining({ paramPath: `${SUB}Alias`, errCode: 7012 })]);
    }
    // An Alias is a unique key: even when not flagged required it fails the object.
    const r = asResponse(await add(SUB, { Alias: '9lives', ID: 'alias-partial' }, true, false));
    if (r.respType !== 'addResp') throw new Error(r.respType);
    expect(r.addResp.createdObjResults[0].operStatus).toMatchObject({ operStatus: 'operFailure', operFailure: { errCode: 7021 } });
    expect(await count()).toBe(before);
    const ok = await created(SUB, { Alias: 'a1-sub', ID: 'alias-ok' });
    expect(await value(`${ok}Alias`)).toBe('a1-sub');
  });

  it('Set refuses an Alias that does not start with a letter (7012) before its write-once rule (7013)', async () => {
    const path = await created(SUB, { ID: 'alias-set' });
    const e = asError(await set(path, { Alias: '0abc' }));
    expect(e.paramErrs).toEqual([expect.objectContaining({ paramPath: `${path}Alias`, errCode: 7012 })]);
    expect(await value(`${path}Alias`)).toMatch(/^cpe-/);
  });
});

describe('non-functional unique keys do not change after creation (TP-469 1.96, R-KEY.1)', () => {
  it('a Set changing Subscription.{i}.ID is refused as an Error and changes nothing', async () => {
    const a = await created(SUB, { ID: 'key-a', NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.EndpointID' });
    await created(SUB, { ID: 'key-b', NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.EndpointID' });
    // To another row's value (Recipient+ID would no longer be unique): refused.
    const dup = asError(await set(a, { ID: 'key-b' }));
    expect(dup.paramErrs).toEqual([expect.objectContaining({ paramPath: `${a}ID`, errCode: 7013 })]);
    // To a fresh value: still a change of a non-functional key, refused the same way, even when
    // the setting is not flagged required.
    const fresh = asError(await set(a, { ID: 'key-c' }, false, false));
    expect(fresh.paramErrs).toEqual([expect.objectContaining({ paramPath: `${a}ID`, errCode: 7013 })]);
    const partial = asResponse(await set(a, { ID: 'key-c', Enable: 'true' }, true, false));
    if (partial.respType !== 'setResp') throw new Error(partial.respType);
    expect(partial.setResp.updatedObjResults[0].operStatus.operStatus).toBe('operFailure');
    expect(await value(`${a}ID`)).toBe('key-a');
    expect(await value(`${a}Enable`)).toBe('false');
    // Setting it to the value it has is no change, and fine.
    const same = asResponse(await set(a, { ID: 'key-a', Enable: 'true' }));
    expect(same.respType).toBe('setResp');
    expect(await value(`${a}Enable`)).toBe('true');
  });
});
