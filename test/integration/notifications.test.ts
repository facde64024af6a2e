/**
 * Subscriptions and notifications end to end (TR-369 §"Notifications"; TP-469 1.5x cases): a
 * real agent, a real WebSocket, the project's own test controller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseMsg } from '../../agent/codec/msg.js';
import type { NotifyReq } from '../../agent/codec/types.js';
import { startAgent, AGENT_EID, CONTROLLER_EID, type AgentFixture } from '../peers/agent-fixture.js';
import { TestController, asResponse, notifications, waitForNotification } from '../peers/TestController.js';

let f: AgentFixture;
let c: TestController;
beforeAll(async () => {
  f = await startAgent({
    pollIntervalMs: 200,
    extra: {
      'Device.LocalAgent.Controller.1.USPNotifRetryMinimumWaitInterval': 1,
      'Device.LocalAgent.Controller.1.USPNotifRetryIntervalMultiplier': 2000,
      'Device.LocalAgent.Controller.1.PeriodicNotifInterval': 1,
      'Device.LocalAgent.Controller.2.EndpointID': 'proto::observer',
      'Device.LocalAgent.Controller.2.Enable': true,
      'Device.LocalAgent.Controller.2.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.1',
      // A role with every right but n (notify).
      'Device.LocalAgent.ControllerTrust.Role.2.Name': 'No Notify',
      'Device.LocalAgent.ControllerTrust.Role.2.Enable': true,
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.1.Enable': true,
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.1.Targets': 'Device.',
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.1.Param': 'rw--',
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.1.Obj': 'rw--',
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.1.InstantiatedObj': 'rw--',
      'Device.LocalAgent.ControllerTrust.Role.2.Permission.1.CommandEvent': 'r-x-',
      'Device.LocalAgent.Controller.3.EndpointID': 'proto::no-notify',
      'Device.LocalAgent.Controller.3.Enable': true,
      'Device.LocalAgent.Controller.3.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.2',
    },
  });
  c = f.controller;
});
afterAll(async () => {
  await f.close();
});

async function subscribe(params: Record<string, string>, to: TestController = c): Promise<string> {
  const r = asResponse(
    await to.send({
      reqType: 'add',
      add: {
        allowPartial: false,
        createObjs: [{ objPath: 'Device.LocalAgent.Subscription.', paramSettings: Object.entries({ Enable: 'true', ...params }).map(([param, value]) => ({ param, value, required: true })) }],
      },
    }),
  );
  if (r.respType !== 'addResp' || r.addResp.createdObjResults[0].operStatus.operStatus !== 'operSuccess') throw new Error(JSON.stringify(r));
  return r.addResp.createdObjResults[0].operStatus.operSuccess.instantiatedPath;
}
async function set(objPath: string, params: Record<string, string>, to: TestController = c) {
  return asResponse(
    await to.send({ reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath, paramSettings: Object.entries(params).map(([param, value]) => ({ param, value, required: true })) }] } }),
  );
}
const byId = (id: string) => (ns: ReturnType<typeof notifications>) => ns.find((n) => n.notify.subscriptionId === id);

describe('ValueChange', () => {
  it('a Set by the subscriber itself is notified at once (event-driven, not polled)', async () => {
    const vc = { ID: 'vc-1', NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.Controller.*.ProvisioningCode' };
    const expected = { notification: 'valueChange', valueChange: { paramPath: 'Device.LocalAgent.Controller.1.ProvisioningCode', paramValue: 'PC-7' }, sendResp: false };
    await subscribe(vc); // kept: later cases rely on vc-1
    await set('Device.LocalAgent.Controller.1.', { ProvisioningCode: 'PC-7' });
    expect((await waitForNotification(c, byId('vc-1'))).notify).toMatchObject(expected);
    // On an agent whose value poller does not pass again during the test (1 h interval) the
    // Notify can only come from the Set itself. How fast it comes is a bench figure (bench/notify.ts).
    const g = await startAgent({ pollIntervalMs: 3_600_000 });
    try {
      await subscribe(vc, g.controller);
      await set('Device.LocalAgent.Controller.1.', { ProvisioningCode: 'PC-7' }, g.controller);
      expect((await waitForNotification(g.controller, byId('vc-1'))).notify).toMatchObject(expected);
    } finally {
      await g.close();
    }
  });

  it("a value changed behind the agent's back is found by polling only the subscribed parameters", async () => {
    await subscribe({ ID: 'vc-2', NotifType: 'ValueChange', ReferenceList: 'Device.WiFi.SSID.1.SSID' });
    await new Promise((r) => setTimeout(r, 350)); // the first poll takes the baseline
    // The platform's own state changes (a local UI, the driver): no transaction, no change feed.
    await f.agent.model.bindingAt('Device.WiFi.SSID.{i}.')!.set!([1], { SSID: 'changed-locally' }, {});
    const n = await waitForNotification(c, byId('vc-2'));
    expect(n.notify).toMatchObject({ valueChange: { paramPath: 'Device.WiFi.SSID.1.SSID', paramValue: 'changed-locally' } });
  });
});

describe('ObjectCreation and ObjectDeletion', () => {
  it('creation carries the unique keys; deletion the instance path (TP-469 1.57/1.58)', async () => {
    await subscribe({ ID: 'oc', NotifType: 'ObjectCreation', ReferenceList: 'Device.LocalAgent.Subscription.' });
    await subscribe({ ID: 'od', NotifType: 'ObjectDeletion', ReferenceList: 'Device.LocalAgent.Subscription.*.' });
    const path = await subscribe({ ID: 'victim', NotifType: 'Event', ReferenceList: 'Device.Boot!' });
    const created = await waitForNotification(c, (ns) => ns.find((n) => n.notify.subscriptionId === 'oc' && n.notify.notification === 'objCreation' && n.notify.objCreation.objPath === path));
    expect(created.notify).toMatchObject({ objCreation: { uniqueKeys: { ID: 'victim', Recipient: 'Device.LocalAgent.Controller.1' } } });
    asResponse(await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [path] } }));
    const deleted = await waitForNotification(c, (ns) => ns.find((n) => n.notify.subscriptionId === 'od' && n.notify.notification === 'objDeletion' && n.notify.objDeletion.objPath === path));
    expect(deleted).toBeDefined();
  });
});

describe('NotifRetry', () => {
  it('retries by the back-off until the NotifyResp arrives, then stops (TP-469 1.54)', async () => {
    await subscribe({ ID: 'retry', NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.Controller.1.ControllerCode', NotifRetry: 'true' });
    const from = notifications(c).length;
    await set('Device.LocalAgent.Controller.1.', { ControllerCode: 'CC-1' });
    const first = await waitForNotification(c, (ns) => ns.slice(from).find((n) => n.notify.subscriptionId === 'retry'));
    const t1 = Date.now();
    expect(first.notify.sendResp).toBe(true);
    // m = 1 s, k = 2000: the first retry comes 1–2 s later, with the same msg_id.
    const again = await waitForNotification(c, (ns) => ns.slice(from).filter((n) => n.notify.subscriptionId === 'retry')[1], 3000);
    const wait = Date.now() - t1;
    expect(again.msgId).toBe(first.msgId);
    expect(wait).toBeGreaterThanOrEqual(900);
    expect(wait).toBeLessThan(2600);
    c.sendMsg(responseMsg(first.msgId, { respType: 'notifyResp', notifyResp: { subscriptionId: 'retry' } }));
    const count = notifications(c)
      .slice(from)
      .filter((n) => n.notify.subscriptionId === 'retry').length;
    await new Promise((r) => setTimeout(r, 4500));
    expect(
      notifications(c)
        .slice(from)
        .filter((n) => n.notify.subscriptionId === 'retry').length,
    ).toBe(count);
    expect(f.agent.notifications.delivery.pendingFor(CONTROLLER_EID)).toBe(0);
  }, 12_000);
});

describe('delivery while the controller is away', () => {
  it('queues notifications and delivers them when the controller reconnects', async () => {
    await subscribe({ ID: 'away', NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.Controller.1.PeriodicNotifTime' });
    const other = await TestController.connect(f.url, 'proto::observer', AGENT_EID);
    await c.close();
    // Changed by another controller while controller-1 is offline.
    const r = await other.send({
      reqType: 'set',
      set: { allowPartial: false, updateObjs: [{ objPath: 'Device.LocalAgent.Controller.1.', paramSettings: [{ param: 'PeriodicNotifTime', value: '2026-01-01T00:00:00Z', required: true }] }] },
    });
    expect(r.body).toMatchObject({ msgBody: 'response' });
    await new Promise((r2) => setTimeout(r2, 200));
    c = await TestController.connect(f.url, CONTROLLER_EID, AGENT_EID);
    const n = await waitForNotification(c, byId('away'));
    expect(n.notify).toMatchObject({ valueChange: { paramPath: 'Device.LocalAgent.Controller.1.PeriodicNotifTime', paramValue: '2026-01-01T00:00:00Z' } });
    await other.close();
    // Put the phase back to "agent chooses" for the Periodic! test.
    await set('Device.LocalAgent.Controller.1.', { PeriodicNotifTime: '0001-01-01T00:00:00Z' });
  });
});

describe('Periodic! and OnBoardRequest', () => {
  it('Periodic! arrives every PeriodicNotifInterval seconds (TP-469 1.59)', async () => {
    await subscribe({ ID: 'periodic', NotifType: 'Event', ReferenceList: 'Device.LocalAgent.Periodic!' });
    const events = () => notifications(c).filter((n) => n.notify.subscriptionId === 'periodic');
    await waitForNotification(c, () => (events().length >= 1 ? true : undefined), 3000);
    const t1 = Date.now();
    await waitForNotification(c, () => (events().length >= 2 ? true : undefined), 3000);
    const gap = Date.now() - t1;
    expect(gap).toBeGreaterThan(600);
    expect(gap).toBeLessThan(1600);
    expect(events()[0].notify).toMatchObject({ notification: 'event', event: { objPath: 'Device.LocalAgent.', eventName: 'Periodic!' } });
  });

  it('SendOnBoardRequest() sends an OnBoardRequest with send_resp=true, retried until acknowledged', async () => {
    const from = notifications(c).length;
    const r = asResponse(await c.send({ reqType: 'operate', operate: { command: 'Device.LocalAgent.Controller.1.SendOnBoardRequest()', commandKey: '', sendResp: true, inputArgs: {} } }));
    expect(r.respType).toBe('operateResp');
    const onboard = (ns: ReturnType<typeof notifications>) => ns.slice(from).filter((n) => n.notify.notification === 'onBoardReq');
    const first = await waitForNotification(c, (ns) => onboard(ns)[0]);
    expect(first.notify).toMatchObject({ subscriptionId: '', sendResp: true, onBoardReq: { agentSupportedProtocolVersions: '1.3,1.4' } });
    const n: NotifyReq = first.notify;
    if (n.notification !== 'onBoardReq') throw new Error();
    expect(n.onBoardReq.serialNumber).not.toBe('');
    await waitForNotification(c, (ns) => onboard(ns)[1], 3000);
    c.sendMsg(responseMsg(first.msgId, { respType: 'notifyResp', notifyResp: { subscriptionId: '' } }));
    await new Promise((ok2) => setTimeout(ok2, 100));
    expect(f.agent.notifications.delivery.pendingFor(CONTROLLER_EID)).toBe(0);
  });
});

describe('notify permission', () => {
  it('a controller without n on a parameter is not notified of its changes (TR-181 Permission n)', async () => {
    const nn = await TestController.connect(f.url, 'proto::no-notify', AGENT_EID);
    const r = await nn.send({
      reqType: 'add',
      add: {
        allowPartial: false,
        createObjs: [
          {
            objPath: 'Device.LocalAgent.Subscription.',
            paramSettings: [
              { param: 'ID', value: 'nn', required: true },
              { param: 'Enable', value: 'true', required: true },
              { param: 'NotifType', value: 'ValueChange', required: true },
              { param: 'ReferenceList', value: 'Device.LocalAgent.Controller.1.ProvisioningCode', required: true },
            ],
          },
        ],
      },
    });
    expect(r.body.msgBody).toBe('response');
    const from = notifications(c).length;
    await set('Device.LocalAgent.Controller.1.', { ProvisioningCode: 'PC-no-notify' });
    // controller-1's own subscription (vc-1) fires, so the change was matched...
    await waitForNotification(c, (ns) => ns.slice(from).find((n) => n.notify.subscriptionId === 'vc-1'));
    await new Promise((ok2) => setTimeout(ok2, 200));
    // ...but the controller without the n right got nothing.
    expect(notifications(nn)).toEqual([]);
    await nn.close();
  });
});
