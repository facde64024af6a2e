/**
 * Every agent message handler end to end: a real agent, a real WebSocket, the project's own
 * test controller. Response shapes and error codes as TR-369 and TP-469 expect.
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

async function get(paths: string[], maxDepth = 0) {
  const r = asResponse(await f.controller.send({ reqType: 'get', get: { paramPaths: paths, maxDepth } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  return r.getResp.reqPathResults;
}
async function add(objPath: string, params: Record<string, string>, allowPartial = false, required = true) {
  return f.controller.send({ reqType: 'add', add: { allowPartial, createObjs: [{ objPath, paramSettings: Object.entries(params).map(([param, value]) => ({ param, value, required })) }] } });
}
async function set(objPath: string, params: Record<string, string>, allowPartial = false, required = true) {
  return f.controller.send({ reqType: 'set', set: { allowPartial, updateObjs: [{ objPath, paramSettings: Object.entries(params).map(([param, value]) => ({ param, value, required })) }] } });
}
async function del(paths: string[], allowPartial = false) {
  return f.controller.send({ reqType: 'delete', delete: { allowPartial, objPaths: paths } });
}

describe('Get', () => {
  it('returns a parameter with its object as resolved path', async () => {
    const [r] = await get(['Device.LocalAgent.EndpointID']);
    expect(r.errCode ?? 0).toBe(0);
    expect(r.resolvedPathResults).toEqual([{ resolvedPath: 'Device.LocalAgent.', resultParams: { EndpointID: 'proto::agent-under-test' } }]);
  });

  it('gives one result per object with relative keys, honouring max_depth', async () => {
    const [deep] = await get(['Device.LocalAgent.'], 0);
    const paths = deep.resolvedPathResults!.map((x) => x.resolvedPath);
    expect(paths).toContain('Device.LocalAgent.');
    expect(paths).toContain('Device.LocalAgent.Controller.1.');
    const ctrl = deep.resolvedPathResults!.find((x) => x.resolvedPath === 'Device.LocalAgent.Controller.1.')!;
    expect(ctrl.resultParams.EndpointID).toBe('proto::controller-1');
    expect(ctrl.resultParams.Enable).toBe('true');
    const [shallow] = await get(['Device.LocalAgent.'], 1);
    expect(shallow.resolvedPathResults!.map((x) => x.resolvedPath)).toEqual(['Device.LocalAgent.']);
    expect(shallow.resolvedPathResults![0].resultParams.ControllerNumberOfEntries).toBe('1');
  });

  it('keeps errors per path: unknown path 7026, bad syntax 7008, others still answered', async () => {
    const r = await get(['Device.Nope.', 'Device.LocalAgent.[', 'Device.LocalAgent.EndpointID', 'Device.LocalAgent.Controller.99.']);
    expect(r.map((x) => x.errCode ?? 0)).toEqual([7026, 7008, 0, 7026]);
  });

  it('wildcards and search expressions; a search matching nothing is an empty success', async () => {
    const [w] = await get(['Device.LocalAgent.Controller.*.EndpointID']);
    expect(w.resolvedPathResults).toEqual([{ resolvedPath: 'Device.LocalAgent.Controller.1.', resultParams: { EndpointID: 'proto::controller-1' } }]);
    const [s] = await get(['Device.LocalAgent.Controller.[EndpointID=="proto::controller-1"].Enable']);
    expect(s.resolvedPathResults![0].resultParams).toEqual({ Enable: 'true' });
    const [none] = await get(['Device.LocalAgent.Controller.[EndpointID=="nobody"].Enable']);
    expect(none.errCode ?? 0).toBe(0);
    expect(none.resolvedPathResults).toEqual([]);
  });

  it('follows references with +', async () => {
    const [r] = await get(['Device.LocalAgent.Controller.1.AssignedRole+.Name']);
    expect(r.resolvedPathResults).toEqual([{ resolvedPath: 'Device.LocalAgent.ControllerTrust.Role.1.', resultParams: { Name: 'Full Access' } }]);
  });
});

describe('Add, Set, Delete on Device.LocalAgent.Subscription.', () => {
  it('Add returns the instance and every unique key, Recipient filled by the agent', async () => {
    const m = asResponse(await add('Device.LocalAgent.Subscription.', { ID: 'sub-a', NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.EndpointID', Enable: 'true' }));
    if (m.respType !== 'addResp') throw new Error();
    const r = m.addResp.createdObjResults[0].operStatus;
    if (r.operStatus !== 'operSuccess') throw new Error(JSON.stringify(r));
    expect(r.operSuccess.instantiatedPath).toMatch(/^Device\.LocalAgent\.Subscription\.\d+\.$/);
    expect(r.operSuccess.uniqueKeys).toMatchObject({ ID: 'sub-a', Recipient: 'Device.LocalAgent.Controller.1' });
    expect(r.operSuccess.uniqueKeys!.Alias).toMatch(/^cpe-\d+$/);
  });

  it('two Adds without keys get different generated Alias and ID (TP-469 1.81)', async () => {
    const a = asResponse(await add('Device.LocalAgent.Subscription.', { NotifType: 'Event', ReferenceList: 'Device.Boot!' }));
    const b = asResponse(await add('Device.LocalAgent.Subscription.', { NotifType: 'Event', ReferenceList: 'Device.Boot!' }));
    const keys = [a, b].map((x) =>
      x.respType === 'addResp' && x.addResp.createdObjResults[0].operStatus.operStatus === 'operSuccess' ? x.addResp.createdObjResults[0].operStatus.operSuccess.uniqueKeys! : {},
    );
    expect(keys[0].Alias).not.toBe(keys[1].Alias);
    expect(keys[0].ID).not.toBe(keys[1].ID);
    expect(keys[0].Recipient).toBe(keys[1].Recipient);
  });

  it('refuses a duplicate unique key with 7025 and leaves nothing behind', async () => {
    const before = await get(['Device.LocalAgent.SubscriptionNumberOfEntries']);
    const e = asError(await add('Device.LocalAgent.Subscription.', { ID: 'sub-a', NotifType: 'ValueChange' }));
    expect(e.errCode).toBe(7025);
    const after = await get(['Device.LocalAgent.SubscriptionNumberOfEntries']);
    expect(after).toEqual(before);
  });

  it('Add: bad value with allow_partial=false is an Error with param_errs; with true an oper_failure', async () => {
    const e = asError(await add('Device.LocalAgent.Subscription.', { ID: 'x1', NotifType: 'Bogus' }));
    expect(e.errCode).toBe(7021);
    expect(e.paramErrs![0]).toMatchObject({ paramPath: 'Device.LocalAgent.Subscription.NotifType', errCode: 7012 });
    const r = asResponse(await add('Device.LocalAgent.Subscription.', { ID: 'x2', Enable: 'maybe' }, true));
    if (r.respType !== 'addResp') throw new Error();
    expect(r.addResp.createdObjResults[0].operStatus.operStatus).toBe('operFailure');
  });

  it('Add: not a table 7018, read-only table 7019, unknown parameter 7010', async () => {
    expect(asError(await add('Device.LocalAgent.', {})).errCode).toBe(7018);
    expect(asError(await add('Device.LocalAgent.Request.', {})).errCode).toBe(7019);
    const e = asError(await add('Device.LocalAgent.Subscription.', { ID: 'x3', Nope: '1' }));
    expect(e.paramErrs![0].errCode).toBe(7010);
  });

  it('Set updates, echoes updated params, and refuses read-only (7013) and wrong types (7011)', async () => {
    const ok = asResponse(await set('Device.LocalAgent.Subscription.[ID=="sub-a"].', { Enable: 'false', TimeToLive: '600' }));
    if (ok.respType !== 'setResp') throw new Error();
    const st = ok.setResp.updatedObjResults[0].operStatus;
    if (st.operStatus !== 'operSuccess') throw new Error(JSON.stringify(st));
    expect(st.operSuccess.updatedInstResults![0].updatedParams).toEqual({ Enable: 'false', TimeToLive: '600' });
    const ro = asError(await set('Device.LocalAgent.Subscription.*.', { CreationDate: '2020-01-01T00:00:00Z' }));
    expect(ro.errCode).toBe(7021);
    expect(ro.paramErrs![0]).toMatchObject({ errCode: 7013 });
    expect(ro.paramErrs![0].paramPath).toMatch(/^Device\.LocalAgent\.Subscription\.\d+\.CreationDate$/);
    const ty = asError(await set('Device.LocalAgent.Subscription.*.', { TimeToLive: 'soon' }));
    expect(ty.paramErrs![0].errCode).toBe(7011);
  });

  it('Set on a wildcard is all-or-nothing (R-SET.2a): nothing changes when one instance fails', async () => {
    // ID must stay unique per Recipient: setting every ID to the same value fails on the second row.
    const r = asResponse(await set('Device.LocalAgent.Subscription.*.', { ID: 'same' }, true));
    if (r.respType !== 'setResp') throw new Error();
    expect(r.setResp.updatedObjResults[0].operStatus.operStatus).toBe('operFailure');
    const [ids] = await get(['Device.LocalAgent.Subscription.*.ID']);
    expect(ids.resolvedPathResults!.map((x) => x.resultParams.ID)).not.toContain('same');
  });

  it('Set on a search path that matches nothing is an empty success (TP-469 1.23)', async () => {
    const r = asResponse(await set('Device.LocalAgent.Subscription.[ID=="nobody"].', { Enable: 'true' }));
    if (r.respType !== 'setResp') throw new Error();
    expect(r.setResp.updatedObjResults[0].operStatus).toEqual({ operStatus: 'operSuccess', operSuccess: { updatedInstResults: [] } });
  });

  it('Alias is write-once: a Set after creation is refused (TP-469 1.104)', async () => {
    const e = asError(await set('Device.LocalAgent.Subscription.[ID=="sub-a"].', { Alias: 'renamed' }));
    expect(e.paramErrs![0].errCode).toBe(7013);
  });

  it('Delete: existing instance, non-existent instance (empty success), unsupported path (Error 7026)', async () => {
    const [list] = await get(['Device.LocalAgent.Subscription.[ID=="sub-a"].ID']);
    const path = list.resolvedPathResults![0].resolvedPath;
    const ok = asResponse(await del([path]));
    if (ok.respType !== 'deleteResp') throw new Error();
    expect(ok.deleteResp.deletedObjResults[0].operStatus).toEqual({ operStatus: 'operSuccess', operSuccess: { affectedPaths: [path], unaffectedPathErrs: [] } });
    const gone = asResponse(await del(['Device.LocalAgent.Subscription.9999.']));
    if (gone.respType !== 'deleteResp') throw new Error();
    expect(gone.deleteResp.deletedObjResults[0].operStatus).toEqual({ operStatus: 'operSuccess', operSuccess: { affectedPaths: [], unaffectedPathErrs: [] } });
    const bad = asError(await del(['Device.LocalAgent.InvalidObject.']));
    expect(bad.errCode).toBe(7026);
    expect(bad.paramErrs![0].paramPath).toBe('Device.LocalAgent.InvalidObject.');
    const partial = asResponse(await del(['Device.LocalAgent.InvalidObject.'], true));
    if (partial.respType !== 'deleteResp') throw new Error();
    expect(partial.deleteResp.deletedObjResults[0].operStatus.operStatus).toBe('operFailure');
  });

  it('instance numbers are never reused', async () => {
    const a = asResponse(await add('Device.LocalAgent.Subscription.', { ID: 'reuse-1' }));
    const pathA = a.respType === 'addResp' && a.addResp.createdObjResults[0].operStatus.operStatus === 'operSuccess' ? a.addResp.createdObjResults[0].operStatus.operSuccess.instantiatedPath : '';
    await del([pathA]);
    const b = asResponse(await add('Device.LocalAgent.Subscription.', { ID: 'reuse-2' }));
    const pathB = b.respType === 'addResp' && b.addResp.createdObjResults[0].operStatus.operStatus === 'operSuccess' ? b.addResp.createdObjResults[0].operStatus.operSuccess.instantiatedPath : '';
    const n = (p: string) => Number(p.split('.').at(-2));
    expect(n(pathB)).toBeGreaterThan(n(pathA));
  });
});

describe('GetInstances, GetSupportedDM, GetSupportedProtocol', () => {
  it('GetInstances lists rows with unique keys, nested tables unless first_level_only', async () => {
    const r = asResponse(await f.controller.send({ reqType: 'getInstances', getInstances: { objPaths: ['Device.LocalAgent.ControllerTrust.Role.'], firstLevelOnly: false } }));
    if (r.respType !== 'getInstancesResp') throw new Error();
    expect(r.getInstancesResp.reqPathResults[0].currInsts![0]).toEqual({ instantiatedObjPath: 'Device.LocalAgent.ControllerTrust.Role.1.', uniqueKeys: { Name: 'Full Access', Alias: 'cpe-1' } });
  });

  it('GetSupportedDM describes only what is served, with unique key sets (TP-469 1.99)', async () => {
    const r = asResponse(
      await f.controller.send({
        reqType: 'getSupportedDm',
        getSupportedDm: { objPaths: ['Device.LocalAgent.Subscription.{i}.'], firstLevelOnly: false, returnCommands: true, returnEvents: true, returnParams: true, returnUniqueKeySets: true },
      }),
    );
    if (r.respType !== 'getSupportedDmResp') throw new Error();
    const obj = r.getSupportedDmResp.reqObjResults[0].supportedObjs![0];
    expect(obj.supportedObjPath).toBe('Device.LocalAgent.Subscription.{i}.');
    expect(obj.access).toBe('OBJ_ADD_DELETE');
    expect(obj.isMultiInstance).toBe(true);
    expect(obj.uniqueKeySets).toEqual([{ keyNames: ['Alias'] }, { keyNames: ['Recipient', 'ID'] }]);
    const alias = obj.supportedParams!.find((p) => p.paramName === 'Alias')!;
    expect(alias.access).toBe('PARAM_READ_WRITE');
    const bad = asResponse(
      await f.controller.send({
        reqType: 'getSupportedDm',
        getSupportedDm: { objPaths: ['Device.NoSuchThing.'], firstLevelOnly: false, returnCommands: false, returnEvents: false, returnParams: false, returnUniqueKeySets: false },
      }),
    );
    if (bad.respType !== 'getSupportedDmResp') throw new Error();
    expect(bad.getSupportedDmResp.reqObjResults[0].errCode).toBe(7026);
  });

  it('GetSupportedDM of a command path returns just that command (TP-469 1.105)', async () => {
    const r = asResponse(
      await f.controller.send({
        reqType: 'getSupportedDm',
        getSupportedDm: { objPaths: ['Device.ScheduleTimer()'], firstLevelOnly: false, returnCommands: false, returnEvents: false, returnParams: false, returnUniqueKeySets: false },
      }),
    );
    if (r.respType !== 'getSupportedDmResp') throw new Error();
    expect(r.getSupportedDmResp.reqObjResults[0].supportedObjs![0].supportedCommands).toEqual([
      { commandName: 'ScheduleTimer()', inputArgNames: ['DelaySeconds'], outputArgNames: [], commandType: 'CMD_ASYNC' },
    ]);
  });

  it('GetSupportedProtocol advertises 1.3,1.4', async () => {
    const r = asResponse(await f.controller.send({ reqType: 'getSupportedProtocol', getSupportedProtocol: { controllerSupportedProtocolVersions: '1.4' } }));
    expect(r).toEqual({ respType: 'getSupportedProtocolResp', getSupportedProtocolResp: { agentSupportedProtocolVersions: '1.3,1.4' } });
  });
});

describe('Operate', () => {
  it('async ScheduleTimer() creates a Request row and removes it when done', async () => {
    const r = asResponse(await f.controller.send({ reqType: 'operate', operate: { command: 'Device.ScheduleTimer()', commandKey: 'k1', sendResp: true, inputArgs: { DelaySeconds: '1' } } }));
    if (r.respType !== 'operateResp') throw new Error();
    const res = r.operateResp.operationResults[0];
    expect(res.executedCommand).toBe('Device.ScheduleTimer()');
    if (res.operationResp !== 'reqObjPath') throw new Error(JSON.stringify(res));
    const [row] = await get([res.reqObjPath]);
    expect(row.resolvedPathResults![0].resultParams).toMatchObject({ Command: 'Device.ScheduleTimer()', CommandKey: 'k1', Originator: 'proto::controller-1', Status: 'Active' });
    await new Promise((ok) => setTimeout(ok, 1300));
    const [after] = await get([res.reqObjPath]);
    expect(after.errCode).toBe(7026);
  });

  it('missing mandatory input is a cmd_failure 7027, not an Error (TP-469 1.100)', async () => {
    const r = asResponse(await f.controller.send({ reqType: 'operate', operate: { command: 'Device.ScheduleTimer()', commandKey: '', sendResp: true, inputArgs: {} } }));
    if (r.respType !== 'operateResp') throw new Error();
    expect(r.operateResp.operationResults[0]).toMatchObject({ operationResp: 'cmdFailure', cmdFailure: { errCode: 7027 } });
  });

  it('Request.{i}.Cancel() ends the command', async () => {
    const r = asResponse(await f.controller.send({ reqType: 'operate', operate: { command: 'Device.ScheduleTimer()', commandKey: 'c', sendResp: true, inputArgs: { DelaySeconds: '100' } } }));
    if (r.respType !== 'operateResp' || r.operateResp.operationResults[0].operationResp !== 'reqObjPath') throw new Error();
    const reqPath = r.operateResp.operationResults[0].reqObjPath;
    const c = asResponse(await f.controller.send({ reqType: 'operate', operate: { command: `${reqPath}Cancel()`, commandKey: '', sendResp: true, inputArgs: {} } }));
    if (c.respType !== 'operateResp') throw new Error();
    expect(c.operateResp.operationResults[0].operationResp).toBe('reqOutputArgs');
    await new Promise((ok) => setTimeout(ok, 50));
    expect((await get([reqPath]))[0].errCode).toBe(7026);
  });

  it('send_resp=false sends no OperateResp', async () => {
    const r = await f.controller.sendNoReply({ reqType: 'operate', operate: { command: 'Device.ScheduleTimer()', commandKey: '', sendResp: false, inputArgs: { DelaySeconds: '1' } } });
    expect(r).toBeUndefined();
  });

  it('an unknown command path is an Error 7026', async () => {
    const e = asError(await f.controller.send({ reqType: 'operate', operate: { command: 'Device.Nope()', commandKey: '', sendResp: true, inputArgs: {} } }));
    expect(e.errCode).toBe(7026);
  });
});

describe('OperationComplete', () => {
  it('a subscribed controller gets OperationComplete with the CommandKey when an async command ends', async () => {
    const a = asResponse(await add('Device.LocalAgent.Subscription.', { ID: 'oc-1', Enable: 'true', NotifType: 'OperationComplete', ReferenceList: 'Device.ScheduleTimer()' }));
    if (a.respType !== 'addResp') throw new Error();
    const before = f.controller.unsolicited.length;
    const r = asResponse(await f.controller.send({ reqType: 'operate', operate: { command: 'Device.ScheduleTimer()', commandKey: 'ck-42', sendResp: true, inputArgs: { DelaySeconds: '1' } } }));
    if (r.respType !== 'operateResp') throw new Error();
    await new Promise((ok) => setTimeout(ok, 1400));
    // Earlier tests' timers may complete meanwhile; this one is told apart by its CommandKey.
    const notes = f.controller.unsolicited
      .slice(before)
      .filter(
        (m) =>
          m.body.msgBody === 'request' && m.body.request.reqType === 'notify' && m.body.request.notify.notification === 'operComplete' && m.body.request.notify.operComplete.commandKey === 'ck-42',
      );
    expect(notes).toHaveLength(1);
    const n = notes[0].body.msgBody === 'request' && notes[0].body.request.reqType === 'notify' ? notes[0].body.request.notify : undefined;
    expect(n).toMatchObject({
      subscriptionId: 'oc-1',
      notification: 'operComplete',
      operComplete: { objPath: 'Device.', commandName: 'ScheduleTimer()', commandKey: 'ck-42', operationResp: 'reqOutputArgs' },
    });
  });

  it('a canceled command completes with cmd_failure 7023; an object-path reference covers commands below it', async () => {
    asResponse(await add('Device.LocalAgent.Subscription.', { ID: 'oc-2', Enable: 'true', NotifType: 'OperationComplete', ReferenceList: 'Device.' }));
    const before = f.controller.unsolicited.length;
    const r = asResponse(await f.controller.send({ reqType: 'operate', operate: { command: 'Device.ScheduleTimer()', commandKey: 'ck-c', sendResp: true, inputArgs: { DelaySeconds: '60' } } }));
    if (r.respType !== 'operateResp' || r.operateResp.operationResults[0].operationResp !== 'reqObjPath') throw new Error();
    await f.controller.send({ reqType: 'operate', operate: { command: `${r.operateResp.operationResults[0].reqObjPath}Cancel()`, commandKey: '', sendResp: true, inputArgs: {} } });
    await new Promise((ok) => setTimeout(ok, 200));
    const notes = f.controller.unsolicited.slice(before).flatMap((m) => (m.body.msgBody === 'request' && m.body.request.reqType === 'notify' ? [m.body.request.notify] : []));
    const mine = notes.filter((n) => n.notification === 'operComplete' && n.operComplete.commandKey === 'ck-c');
    // oc-1 references only ScheduleTimer() itself, oc-2 all of Device.: both cover it.
    expect(mine.map((n) => n.subscriptionId).sort()).toEqual(['oc-1', 'oc-2']);
    expect(mine[0]).toMatchObject({ operComplete: { operationResp: 'cmdFailure', cmdFailure: { errCode: 7023 } } });
  });
});

describe('strong references (R-ARC.11/12)', () => {
  it('refuses a reference to nothing and stores key-based references as instance numbers', async () => {
    const e = asError(await set('Device.LocalAgent.Controller.1.', { AssignedRole: 'Device.LocalAgent.ControllerTrust.Role.99' }));
    expect(e.paramErrs![0]).toMatchObject({ paramPath: 'Device.LocalAgent.Controller.1.AssignedRole', errCode: 7012 });
    const ok = asResponse(await set('Device.LocalAgent.Controller.1.', { AssignedRole: 'Device.LocalAgent.ControllerTrust.Role.[Name=="Full Access"]' }));
    if (ok.respType !== 'setResp' || ok.setResp.updatedObjResults[0].operStatus.operStatus !== 'operSuccess') throw new Error(JSON.stringify(ok));
    expect(ok.setResp.updatedObjResults[0].operStatus.operSuccess.updatedInstResults![0].updatedParams).toEqual({ AssignedRole: 'Device.LocalAgent.ControllerTrust.Role.1' });
  });
});
