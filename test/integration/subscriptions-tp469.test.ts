/**
 * Device.LocalAgent.Subscription.{i} rules and the LocalAgent TP-469 cases around them: the
 * per-controller bound, ReferenceList checked against the supported model, subscriptions that
 * go with their controller (1.78), TriggerAction (1.93/1.94) and OnBoardingRestartTime (1.102).
 * A real agent, a real WebSocket, the project's own test controller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Request } from '../../agent/codec/types.js';
import { MAX_SUBSCRIPTIONS_PER_RECIPIENT } from '../../agent/notify/subscription-rules.js';
import { startAgent, AGENT_EID, type AgentFixture } from '../peers/agent-fixture.js';
import { cmdFailureCode, operateOne } from '../peers/operate.js';
import { responseMsg } from '../../agent/codec/msg.js';
import { TestController, asError, asResponse, notifications, waitForNotification } from '../peers/TestController.js';

const OTHER_EID = 'proto::controller-2';
const LIMITED_EID = 'proto::subscriber-only';

let f: AgentFixture;
let c: TestController;
beforeAll(async () => {
  f = await startAgent({
    extra: {
      'Device.LocalAgent.Controller.2.EndpointID': OTHER_EID,
      'Device.LocalAgent.Controller.2.Enable': true,
      'Device.LocalAgent.Controller.2.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.1',
      // A controller that may read everything but write only its subscriptions.
      'Device.LocalAgent.ControllerTrust.Role.2.Name': 'Subscriber',
      'Device.LocalAgent.ControllerTrust.Role.2.Enable': true,
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.1.Enable': true,
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.1.Order': 1,
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.1.Targets': 'Device.',
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.1.Param': 'r--n',
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.1.Obj': 'r---',
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.1.InstantiatedObj': 'r---',
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.1.CommandEvent': 'r---',
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.2.Enable': true,
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.2.Order': 2,
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.2.Targets': 'Device.LocalAgent.Subscription.',
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.2.Param': 'rw-n',
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.2.Obj': 'rw--',
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.2.InstantiatedObj': 'rw--',
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.2.CommandEvent': 'r---',
      'Device.LocalAgent.Controller.3.EndpointID': LIMITED_EID,
      'Device.LocalAgent.Controller.3.Enable': true,
      'Device.LocalAgent.Controller.3.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.2',
    },
  });
  c = f.controller;
});
afterAll(async () => {
  await f.close();
});

const settings = (params: Record<string, string>) => Object.entries(params).map(([param, value]) => ({ param, value, required: true }));
const addSub = (params: Record<string, string>): Request => ({
  reqType: 'add',
  add: { allowPartial: false, createObjs: [{ objPath: 'Device.LocalAgent.Subscription.', paramSettings: settings({ Enable: 'true', ...params }) }] },
});
const setReq = (objPath: string, params: Record<string, string>): Request => ({ reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath, paramSettings: settings(params) }] } });

async function subscribe(by: TestController, params: Record<string, string>): Promise<string> {
  const r = asResponse(await by.send(addSub(params)));
  if (r.respType !== 'addResp' || r.addResp.createdObjResults[0].operStatus.operStatus !== 'operSuccess') throw new Error(JSON.stringify(r));
  return r.addResp.createdObjResults[0].operStatus.operSuccess.instantiatedPath;
}

async function getValue(path: string): Promise<string | undefined> {
  const r = asResponse(await c.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(JSON.stringify(r));
  const leaf = path.slice(path.lastIndexOf('.') + 1);
  return r.getResp.reqPathResults[0].resolvedPathResults?.[0]?.resultParams[leaf];
}

async function subscriptionPaths(): Promise<string[]> {
  const r = asResponse(await c.send({ reqType: 'getInstances', getInstances: { objPaths: ['Device.LocalAgent.Subscription.'], firstLevelOnly: true } }));
  if (r.respType !== 'getInstancesResp') throw new Error(JSON.stringify(r));
  return (r.getInstancesResp.reqPathResults[0].currInsts ?? []).map((i) => i.instantiatedObjPath);
}

describe('Subscription rows per controller are bounded', () => {
  it(`the ${MAX_SUBSCRIPTIONS_PER_RECIPIENT + 1}th row of one Recipient is refused with 7005; another controller still subscribes`, async () => {
    const before = new Set(await subscriptionPaths());
    // The first test of the file: controller-1 owns no row yet, so exactly one of these is refused.
    expect(before.size).toBe(0);
    const createObjs = Array.from({ length: MAX_SUBSCRIPTIONS_PER_RECIPIENT + 1 }, (_, k) => ({
      objPath: 'Device.LocalAgent.Subscription.',
      paramSettings: settings({ ID: `bound-${k}`, NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.Controller.1.ProvisioningCode' }),
    }));
    const r = asResponse(await c.send({ reqType: 'add', add: { allowPartial: true, createObjs } }));
    if (r.respType !== 'addResp') throw new Error(JSON.stringify(r));
    const statuses = r.addResp.createdObjResults.map((x) => x.operStatus);
    expect(statuses.slice(0, MAX_SUBSCRIPTIONS_PER_RECIPIENT).every((s) => s.operStatus === 'operSuccess')).toBe(true);
    expect(statuses[MAX_SUBSCRIPTIONS_PER_RECIPIENT]).toMatchObject({ operStatus: 'operFailure', operFailure: { errCode: 7005 } });

    // Counted per Recipient: controller-2 is not affected by controller-1's rows.
    const other = await TestController.connect(f.url, OTHER_EID, AGENT_EID);
    try {
      expect(await subscribe(other, { ID: 'other-1', NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.Controller.2.ProvisioningCode' })).toMatch(
        /^Device\.LocalAgent\.Subscription\.\d+\.$/,
      );
    } finally {
      await other.close();
    }
    // Free the rows for the tests below.
    const mine = (await subscriptionPaths()).filter((p) => !before.has(p));
    asResponse(await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: mine } }));
  });
});

describe('ReferenceList must name the supported model', () => {
  it('an Event subscription on an event the agent does not support is refused at Add with 7026', async () => {
    const e = asError(await c.send(addSub({ ID: 'ref-1', NotifType: 'Event', ReferenceList: 'Device.MoCA.Interface.1.LinkFailureTrap!' })));
    expect(e.errCode).toBe(7026);
  });

  it('a parameter, command or object outside the supported model is refused with 7026', async () => {
    // Every entry is checked, not only the first.
    for (const [type, ref] of [
      ['ValueChange', 'Device.LocalAgent.EndpointID,Device.LocalAgent.NoSuchParameter'],
      ['OperationComplete', 'Device.NoSuchCommand()'],
      ['ObjectCreation', 'Device.NoSuchTable.'],
    ]) {
      const e = asError(await c.send(addSub({ ID: `ref-${type}`, NotifType: type, ReferenceList: ref })));
      expect(e.errCode, ref).toBe(7026);
    }
  });

  it('a path of the wrong kind for the NotifType is refused with 7012', async () => {
    const e = asError(await c.send(addSub({ ID: 'ref-kind', NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.Periodic!' })));
    expect(e.errCode).toBe(7012);
    const e2 = asError(await c.send(addSub({ ID: 'ref-table', NotifType: 'ObjectCreation', ReferenceList: 'Device.LocalAgent.' })));
    expect(e2.errCode).toBe(7012);
    // Also behind a reference follow, whose target is only known when a change happens.
    const e3 = asError(await c.send(addSub({ ID: 'ref-follow', NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.Controller.1.AssignedRole+.Event!' })));
    expect(e3.errCode).toBe(7012);
  });

  it('Set of ReferenceList or NotifType is checked the same way', async () => {
    const path = await subscribe(c, { ID: 'ref-set', NotifType: 'Event' });
    const e = asError(await c.send(setReq(path, { ReferenceList: 'Device.MoCA.Interface.1.LinkFailureTrap!' })));
    expect(e.paramErrs?.[0]).toMatchObject({ paramPath: `${path}ReferenceList`, errCode: 7026 });
    asResponse(await c.send(setReq(path, { ReferenceList: 'Device.LocalAgent.Periodic!' })));
    const e2 = asError(await c.send(setReq(path, { NotifType: 'ValueChange' })));
    expect(e2.paramErrs?.[0]).toMatchObject({ paramPath: `${path}NotifType`, errCode: 7012 });
  });

  it('supported references are accepted: search paths, wildcards, object filters, tables for ObjectCreation', async () => {
    await subscribe(c, { ID: 'ok-1', NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.Controller.[EndpointID=="x"].Alias,Device.WiFi.' });
    await subscribe(c, { ID: 'ok-2', NotifType: 'ObjectCreation', ReferenceList: 'Device.LocalAgent.Controller.*.BootParameter.' });
    await subscribe(c, { ID: 'ok-3', NotifType: 'ObjectDeletion', ReferenceList: 'Device.LocalAgent.Subscription.*.' });
    await subscribe(c, { ID: 'ok-4', NotifType: 'OperationComplete', ReferenceList: 'Device.LocalAgent.' });
    await subscribe(c, { ID: 'ok-5', NotifType: 'Event', ReferenceList: 'Device.Boot!,Device.LocalAgent.Periodic!' });
  });
});

describe('subscriptions go with their controller', () => {
  it('deleting a Controller row deletes the Subscriptions whose Recipient names it (TP-469 1.78)', async () => {
    const other = await TestController.connect(f.url, OTHER_EID, AGENT_EID);
    const theirs = await subscribe(other, { ID: 'orphan', NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.EndpointID' });
    await other.close();
    const mine = await subscribe(c, { ID: 'kept', NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.EndpointID' });
    expect(await subscriptionPaths()).toContain(theirs);

    const d = asResponse(await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: ['Device.LocalAgent.Controller.2.'] } }));
    expect(d).toMatchObject({ respType: 'deleteResp' });
    const left = await subscriptionPaths();
    expect(left).not.toContain(theirs);
    expect(left).toContain(mine);
  });
});

describe('TriggerAction', () => {
  /** TP-469 1.93/1.94 steps 1-4; a second subscription watches the first one's Enable, so the test waits for the change it checks. */
  async function triggerOnProvisioningCode(action: string, id: string, code: string): Promise<{ path: string; from: number }> {
    asResponse(await c.send(setReq('Device.LocalAgent.Controller.1.', { ProvisioningCode: `not-${code}` })));
    const path = await subscribe(c, { TriggerAction: action, ID: id, NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.Controller.1.ProvisioningCode', NotifRetry: 'true' });
    asResponse(await c.send(setReq(path, { TriggerConfigSettings: `${path}Enable=false` })));
    await subscribe(c, { ID: `${id}-watch`, NotifType: 'ValueChange', ReferenceList: `${path}Enable` });
    const from = notifications(c).length;
    asResponse(await c.send(setReq('Device.LocalAgent.Controller.1.', { ProvisioningCode: code })));
    return { path, from };
  }
  const disabled = (id: string, from: number) => (ns: ReturnType<typeof notifications>) =>
    ns.slice(from).find((n) => n.notify.subscriptionId === `${id}-watch` && n.notify.notification === 'valueChange' && n.notify.valueChange.paramValue === 'false');

  it('Config applies TriggerConfigSettings when the subscription fires, without a Notify (TP-469 1.93)', async () => {
    const { path, from } = await triggerOnProvisioningCode('Config', 'notify93', 'TestValue93');
    await waitForNotification(c, disabled('notify93', from));
    expect(await getValue(`${path}Enable`)).toBe('false');
    // A Notify would have left before the configuration was applied, so before the watcher's.
    expect(notifications(c, from).filter((n) => n.notify.subscriptionId === 'notify93')).toHaveLength(0);
  });

  it('NotifyAndConfig sends the ValueChange and applies TriggerConfigSettings (TP-469 1.94)', async () => {
    const { path, from } = await triggerOnProvisioningCode('NotifyAndConfig', 'notify94', 'TestValue94');
    const n = await waitForNotification(c, (ns) => ns.slice(from).find((x) => x.notify.subscriptionId === 'notify94'));
    expect(n.notify).toMatchObject({ sendResp: true, notification: 'valueChange', valueChange: { paramPath: 'Device.LocalAgent.Controller.1.ProvisioningCode', paramValue: 'TestValue94' } });
    c.sendMsg(responseMsg(n.msgId, { respType: 'notifyResp', notifyResp: { subscriptionId: 'notify94' } }));
    await waitForNotification(c, disabled('notify94', from));
    expect(await getValue(`${path}Enable`)).toBe('false');
  });

  it("the configuration is applied with the Recipient's rights: what it may not write stays unchanged", async () => {
    asResponse(await c.send(setReq('Device.LocalAgent.Controller.1.', { ProvisioningCode: 'untouched' })));
    const limited = await TestController.connect(f.url, LIMITED_EID, AGENT_EID);
    try {
      const path = await subscribe(limited, { TriggerAction: 'NotifyAndConfig', ID: 'escalate', NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.Subscription.*.NotifExpiration' });
      // Allowed for its own rows, refused for Controller.1: all or nothing, so neither is written.
      asResponse(await limited.send(setReq(path, { TriggerConfigSettings: `${path}TimeToLive=60,Device.LocalAgent.Controller.1.ProvisioningCode="hacked"` })));
      asResponse(await limited.send(setReq(path, { NotifExpiration: '7' })));
      await waitForNotification(limited, (ns) => ns.find((n) => n.notify.subscriptionId === 'escalate'));
      await f.agent.notifications.engine.idle();
      expect(await getValue('Device.LocalAgent.Controller.1.ProvisioningCode')).toBe('untouched');
      expect(await getValue(`${path}TimeToLive`)).toBe('0');
      // The same subscription with only what it may write does configure.
      asResponse(await limited.send(setReq(path, { TriggerConfigSettings: `${path}TimeToLive=3600` })));
      asResponse(await limited.send(setReq(path, { NotifExpiration: '8' })));
      await waitForNotification(limited, (ns) => ns.filter((n) => n.notify.subscriptionId === 'escalate')[1]);
      await f.agent.notifications.engine.idle();
      expect(await getValue(`${path}TimeToLive`)).toBe('3600');
    } finally {
      await limited.close();
    }
  });

  it('a TriggerConfigSettings value outside its enumerationRef list is not written (as a Set of it is refused, 7012)', async () => {
    const watched = 'Device.LocalAgent.Controller.1.ProvisioningCode';
    const added = asResponse(
      await c.send({ reqType: 'add', add: { allowPartial: false, createObjs: [{ objPath: 'Device.LocalAgent.Controller.1.MTP.', paramSettings: settings({ Protocol: 'UDS', Enable: 'false' }) }] } }),
    );
    if (added.respType !== 'addResp' || added.addResp.createdObjResults[0].operStatus.operStatus !== 'operSuccess') throw new Error(JSON.stringify(added));
    const row = added.addResp.createdObjResults[0].operStatus.operSuccess.instantiatedPath;
    const fire = async (protocol: string): Promise<string | undefined> => {
      const sub = await subscribe(c, { TriggerAction: 'Config', ID: `enum-${protocol}`, NotifType: 'ValueChange', ReferenceList: watched, TriggerConfigSettings: `${row}Protocol=${protocol}` });
      asResponse(await c.send(setReq('Device.LocalAgent.Controller.1.', { ProvisioningCode: `enum-${protocol}` })));
      await f.agent.notifications.engine.idle();
      asResponse(await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [sub] } }));
      return getValue(`${row}Protocol`);
    };
    // One of Device.LocalAgent.SupportedProtocols is applied; a value outside it ("Websocket") is not.
    expect(await fire('MQTT')).toBe('MQTT');
    expect(await fire('Websocket')).toBe('MQTT');
    asResponse(await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [row] } }));
  });

  it('a configuration applied by a trigger does not trigger further configurations (no endless loop)', async () => {
    const watched = 'Device.LocalAgent.Controller.1.ProvisioningCode';
    // Two subscriptions that disagree about the parameter they both watch.
    const a = await subscribe(c, { TriggerAction: 'Config', ID: 'loop-a', NotifType: 'ValueChange', ReferenceList: watched, TriggerConfigSettings: `${watched}="a"` });
    const b = await subscribe(c, { TriggerAction: 'Config', ID: 'loop-b', NotifType: 'ValueChange', ReferenceList: watched, TriggerConfigSettings: `${watched}="b"` });
    asResponse(await c.send(setReq('Device.LocalAgent.Controller.1.', { ProvisioningCode: 'start' })));
    // Settles: each applies once for the controller's change, and their own changes apply nothing.
    await f.agent.notifications.engine.idle();
    expect(await getValue(watched)).toBe('b');
    asResponse(await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [a, b] } }));
  });

  it('TriggerConfigSettings naming no writable supported parameter is refused at Set', async () => {
    const path = await subscribe(c, { TriggerAction: 'Config', ID: 'bad-config', NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.EndpointID' });
    for (const [value, code] of [
      ['Device.LocalAgent.NoSuch=1', 7026],
      ['Device.LocalAgent.UpTime=5', 7012],
      ['Enable', 7012],
    ] as const) {
      const e = asError(await c.send(setReq(path, { TriggerConfigSettings: value })));
      expect(e.paramErrs?.[0], value).toMatchObject({ paramPath: `${path}TriggerConfigSettings`, errCode: code });
    }
  });
});

describe('OnBoardingRestartTime', () => {
  const onBoardRequests = (from: number) => notifications(c, from).filter((n) => n.notify.notification === 'onBoardReq');
  const ack = (msgId: string) => c.sendMsg(responseMsg(msgId, { respType: 'notifyResp', notifyResp: { subscriptionId: '' } }));
  /** Long enough for a restart due after 1 s (and its retry window) to have shown: absence can only be waited for. */
  const QUIET_MS = 2500;

  it('the next OnBoardRequest follows the NotifyResp by OnBoardingRestartTime until OnBoardingComplete is true (TP-469 1.102)', async () => {
    asResponse(await c.send(setReq('Device.LocalAgent.Controller.1.', { OnBoardingRestartTime: '1' })));
    const from = notifications(c).length;
    expect(cmdFailureCode(await operateOne(c, 'Device.LocalAgent.Controller.1.SendOnBoardRequest()', {}, 'test102'))).toBeUndefined();
    const first = await waitForNotification(c, () => onBoardRequests(from)[0]);
    ack(first.msgId);
    const second = await waitForNotification(c, () => onBoardRequests(from)[1], 4000);
    expect(second.msgId).not.toBe(first.msgId);
    expect(second.notify.sendResp).toBe(true);
    ack(second.msgId);
    asResponse(await c.send(setReq('Device.LocalAgent.Controller.1.', { OnBoardingComplete: 'true' })));
    await new Promise((r) => setTimeout(r, QUIET_MS));
    expect(onBoardRequests(from)).toHaveLength(2);
  }, 15_000);

  it('OnBoardingRestartTime 0: no OnBoardRequest after the acknowledged one (TP-469 1.103)', async () => {
    asResponse(await c.send(setReq('Device.LocalAgent.Controller.1.', { OnBoardingRestartTime: '0' })));
    const from = notifications(c).length;
    expect(cmdFailureCode(await operateOne(c, 'Device.LocalAgent.Controller.1.SendOnBoardRequest()', {}, 'test103'))).toBeUndefined();
    const first = await waitForNotification(c, () => onBoardRequests(from)[0]);
    ack(first.msgId);
    await new Promise((r) => setTimeout(r, QUIET_MS));
    expect(onBoardRequests(from)).toHaveLength(1);
  }, 15_000);
});
