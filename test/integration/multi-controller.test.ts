/**
 * One CPE managed by three controllers at once (issue "Device.LocalAgent"): the operator's ACS
 * with full access over MQTT, an analytics platform that may only read (and subscribe) over
 * WebSocket, and an end-user app limited to Device.WiFi. over WebSocket. Each is held to its
 * role, and a change made by one reaches every subscriber over its own MTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UspMsg } from '../../agent/codec/types.js';
import { TestController, freePort, waitForNotification } from '../peers/TestController.js';
import { startAgentWith, type AgentUnderTest } from '../peers/controller-link.js';
import { AGENT_EID } from '../peers/agent-fixture.js';

const ANALYTICS = 'proto::analytics';
const APP = 'proto::end-user-app';
const SUB = 'Device.LocalAgent.Subscription.';
const own = (role: number, order: number, targets: string, param: string, obj: string, inst: string, cmd: string) => {
  const p = `Device.LocalAgent.ControllerTrust.Role.${role}.Permission.${order}.`;
  return { [`${p}Enable`]: true, [`${p}Order`]: order, [`${p}Targets`]: targets, [`${p}Param`]: param, [`${p}Obj`]: obj, [`${p}InstantiatedObj`]: inst, [`${p}CommandEvent`]: cmd };
};

let a: AgentUnderTest;
let analytics: TestController;
let app: TestController;
beforeAll(async () => {
  const wsPort = await freePort();
  a = await startAgentWith('mqtt5', {
    extra: {
      // A WebSocket server beside the MQTT MTP.
      'Device.LocalAgent.MTP.2.Enable': true,
      'Device.LocalAgent.MTP.2.Protocol': 'WebSocket',
      'Device.LocalAgent.MTP.2.WebSocket.Port': wsPort,
      'Device.LocalAgent.MTP.2.WebSocket.Path': '/usp',
      'Device.LocalAgent.MTP.2.WebSocket.EnableEncryption': false,
      'Device.LocalAgent.ControllerTrust.Role.2.Name': 'Analytics',
      'Device.LocalAgent.ControllerTrust.Role.2.Enable': true,
      ...own(2, 1, 'Device.', 'r--n', 'r--n', 'r--n', 'r--n'),
      ...own(2, 2, SUB, 'rw-n', 'rw-n', 'rw-n', 'r---'),
      'Device.LocalAgent.ControllerTrust.Role.3.Name': 'End-user app',
      'Device.LocalAgent.ControllerTrust.Role.3.Enable': true,
      ...own(3, 1, 'Device.WiFi.', 'rw-n', 'r--n', 'r--n', '----'),
      ...own(3, 2, SUB, 'rw-n', 'rw-n', 'rw-n', 'r---'),
      'Device.LocalAgent.Controller.2.EndpointID': ANALYTICS,
      'Device.LocalAgent.Controller.2.Enable': true,
      'Device.LocalAgent.Controller.2.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.2',
      'Device.LocalAgent.Controller.3.EndpointID': APP,
      'Device.LocalAgent.Controller.3.Enable': true,
      'Device.LocalAgent.Controller.3.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.3',
    },
  });
  analytics = await TestController.connect(`ws://127.0.0.1:${wsPort}/usp`, ANALYTICS, AGENT_EID);
  app = await TestController.connect(`ws://127.0.0.1:${wsPort}/usp`, APP, AGENT_EID);
}, 20_000);
afterAll(async () => {
  await analytics?.close();
  await app?.close();
  await a?.stop();
});

function body(m: UspMsg) {
  return m.body;
}
const subscribe = (id: string) => ({
  reqType: 'add' as const,
  add: {
    allowPartial: false,
    createObjs: [
      {
        objPath: SUB,
        paramSettings: [
          { param: 'ID', value: id, required: true },
          { param: 'Enable', value: 'true', required: true },
          { param: 'NotifType', value: 'ValueChange', required: true },
          { param: 'ReferenceList', value: 'Device.WiFi.SSID.1.SSID', required: true },
        ],
      },
    ],
  },
});
const setSsid = (v: string) => ({
  reqType: 'set' as const,
  set: { allowPartial: false, updateObjs: [{ objPath: 'Device.WiFi.SSID.1.', paramSettings: [{ param: 'SSID', value: v, required: true }] }] },
});
const get = (path: string) => ({ reqType: 'get' as const, get: { paramPaths: [path], maxDepth: 0 } });

describe('three controllers, three roles, MQTT and WebSocket mixed', () => {
  it('all three subscribe; the app changes the SSID; every subscriber is told over its own MTP', async () => {
    for (const [c, id] of [
      [a.link, 'acs'],
      [analytics, 'analytics'],
      [app, 'app'],
    ] as const) {
      expect(body(await c.send(subscribe(id))).msgBody).toBe('response');
    }
    const r = body(await app.send(setSsid('home-by-app')));
    expect(r.msgBody).toBe('response');
    const expected = { notification: 'valueChange', valueChange: { paramPath: 'Device.WiFi.SSID.1.SSID', paramValue: 'home-by-app' } };
    expect((await a.link.waitForNotification((ns) => ns.find((n) => n.notify.subscriptionId === 'acs'))).notify).toMatchObject(expected);
    expect((await waitForNotification(analytics, (ns) => ns.find((n) => n.notify.subscriptionId === 'analytics'))).notify).toMatchObject(expected);
    expect((await waitForNotification(app, (ns) => ns.find((n) => n.notify.subscriptionId === 'app'))).notify).toMatchObject(expected);
  });

  it('analytics may read everything but write nothing outside its subscriptions (7006)', async () => {
    const e = body(await analytics.send(setSsid('by-analytics')));
    if (e.msgBody !== 'error') throw new Error(JSON.stringify(e));
    expect(e.error.paramErrs?.[0]?.errCode).toBe(7006);
    const g = body(await analytics.send(get('Device.DeviceInfo.SerialNumber')));
    if (g.msgBody !== 'response' || g.response.respType !== 'getResp') throw new Error();
    expect(g.response.getResp.reqPathResults[0].resolvedPathResults?.[0]?.resultParams.SerialNumber).toMatch(/\S/);
  });

  it('the end-user app sees Device.WiFi. only: elsewhere is absent (7026), while the ACS sees all', async () => {
    const g = body(await app.send(get('Device.DeviceInfo.SerialNumber')));
    if (g.msgBody !== 'response' || g.response.respType !== 'getResp') throw new Error();
    expect(g.response.getResp.reqPathResults[0].errCode).toBe(7026);
    const w = body(await app.send(get('Device.WiFi.SSID.1.SSID')));
    if (w.msgBody !== 'response' || w.response.respType !== 'getResp') throw new Error();
    expect(w.response.getResp.reqPathResults[0].resolvedPathResults?.[0]?.resultParams).toEqual({ SSID: 'home-by-app' });
    const acs = body(await a.link.send(get('Device.DeviceInfo.SerialNumber')));
    if (acs.msgBody !== 'response' || acs.response.respType !== 'getResp') throw new Error();
    expect(acs.response.getResp.reqPathResults[0].errCode ?? 0).toBe(0);
  });
});
