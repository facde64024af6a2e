/**
 * Firmware:1 end to end on the simulated gateway (TR-181 FirmwareImage.{i}.Download()/Activate(),
 * Device.LocalAgent.TransferComplete!, Boot! FirmwareUpdated; TP-469 9.x style): a real agent,
 * real WebSocket controllers, images served over loopback HTTP.
 *
 * Needs the lead's wiring (agent/Agent.ts, agent/platforms.ts, platform/simulated/index.ts and
 * device-info.ts); the ResultTypeFilter case needs the SubscriptionEngine line, and Activate()
 * over USP needs handle-operate to accept argument tables (TimeWindow.{i}.*).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotifyReq, StringMap } from '../../agent/codec/types.js';
import { Agent } from '../../agent/Agent.js';
import { silentLogger } from '../../datamodel/Logger.js';
import { AGENT_EID, CONTROLLER_EID, startAgent, testDefaults, testSchema } from '../peers/agent-fixture.js';
import { TestController, asResponse, notifications, waitForNotification } from '../peers/TestController.js';
import { simImage, startImageServer, type ImageServer } from '../unit/agent/firmware/image-server.js';

const OBSERVER = 'proto::observer';
const IMAGE = simImage('3.3.0', { name: 'FG5600-3.3.0', size: 300_000 });
const IMAGE_SHA256 = createHash('sha256').update(IMAGE).digest('hex');
const NEXT_IMAGE = simImage('3.4.0', { size: 50_000 });
const FW = 'Device.DeviceInfo.FirmwareImage.';

const EXTRA = {
  'Device.LocalAgent.Controller.1.TransferCompletePolicy.ResultTypeFilter': 'Both',
  'Device.LocalAgent.Controller.2.EndpointID': OBSERVER,
  'Device.LocalAgent.Controller.2.Enable': true,
  'Device.LocalAgent.Controller.2.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.1',
  // The observer only wants to hear of successful transfers.
  'Device.LocalAgent.Controller.2.TransferCompletePolicy.ResultTypeFilter': 'Success',
  // A factory-defaults Alias for a bank: the agent holds FirmwareImage Aliases (stored-alias.ts).
  'Device.DeviceInfo.FirmwareImage.2.Alias': 'standby',
};

let dataDir: string;
let agent: Agent;
let url: string;
let port: number;
let c: TestController;
let observer: TestController;
let server: ImageServer;

beforeAll(async () => {
  server = await startImageServer();
  server.routes.set('/fg5600-3.3.0.img', { body: IMAGE });
  server.routes.set('/fg5600-3.4.0.img', { body: NEXT_IMAGE });
  server.routes.set('/slow.img', { body: IMAGE, stallAfter: 1000 });
  dataDir = mkdtempSync(join(tmpdir(), 'usp-agent-fw-'));
  const f = await startAgent({ dataDir, extra: EXTRA });
  ({ agent, url, port } = f);
  c = f.controller;
  observer = await TestController.connect(url, OBSERVER, AGENT_EID);
  await subscribe(c, { ID: 'fw-oc', NotifType: 'OperationComplete', ReferenceList: FW });
  await subscribe(c, { ID: 'fw-tc', NotifType: 'Event', ReferenceList: 'Device.LocalAgent.TransferComplete!' });
  await subscribe(c, { ID: 'fw-boot', NotifType: 'Event', ReferenceList: 'Device.Boot!', Persistent: 'true' });
  await subscribe(observer, { ID: 'obs-tc', NotifType: 'Event', ReferenceList: 'Device.LocalAgent.TransferComplete!' });
});
afterAll(async () => {
  await observer?.close();
  await c?.close();
  await agent?.stop();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function subscribe(ctl: TestController, params: Record<string, string>): Promise<void> {
  const r = asResponse(
    await ctl.send({
      reqType: 'add',
      add: {
        allowPartial: false,
        createObjs: [{ objPath: 'Device.LocalAgent.Subscription.', paramSettings: Object.entries({ Enable: 'true', ...params }).map(([param, value]) => ({ param, value, required: true })) }],
      },
    }),
  );
  if (r.respType !== 'addResp' || r.addResp.createdObjResults[0].operStatus.operStatus !== 'operSuccess') throw new Error(JSON.stringify(r));
}

async function getValues(paths: string[]): Promise<Record<string, string>> {
  const r = asResponse(await c.send({ reqType: 'get', get: { paramPaths: paths, maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  const out: Record<string, string> = {};
  for (const p of r.getResp.reqPathResults) {
    if (p.errCode) throw new Error(`${p.requestedPath}: ${p.errCode} ${p.errMsg ?? ''}`);
    for (const res of p.resolvedPathResults ?? []) for (const [k, v] of Object.entries(res.resultParams)) out[res.resolvedPath + k] = v;
  }
  return out;
}

/** Operate with send_resp; returns the single OperationResult. */
async function operate(command: string, inputArgs: StringMap, commandKey: string) {
  const r = asResponse(await c.send({ reqType: 'operate', operate: { command, commandKey, sendResp: true, inputArgs } }));
  if (r.respType !== 'operateResp') throw new Error(r.respType);
  return r.operateResp.operationResults[0];
}

type Notify = NotifyReq;
const operComplete = (key: string) => (ns: ReturnType<typeof notifications>) => ns.find((n) => n.notify.notification === 'operComplete' && n.notify.operComplete.commandKey === key)?.notify;
const transferComplete = (key: string) => (ns: ReturnType<typeof notifications>) =>
  ns.find((n) => n.notify.notification === 'event' && n.notify.event.eventName === 'TransferComplete!' && n.notify.event.params?.CommandKey === key)?.notify;
function eventParams(n: Notify): StringMap {
  if (n.notification !== 'event') throw new Error(n.notification);
  return n.event.params ?? {};
}

describe('Firmware:1 objects', () => {
  it('two banks, bank 1 active and booting', async () => {
    const v = await getValues([
      'Device.DeviceInfo.FirmwareImageNumberOfEntries',
      'Device.DeviceInfo.ActiveFirmwareImage',
      'Device.DeviceInfo.BootFirmwareImage',
      `${FW}1.Status`,
      `${FW}2.Status`,
      'Device.DeviceInfo.SoftwareVersion',
      `${FW}1.Version`,
    ]);
    expect(v).toMatchObject({
      'Device.DeviceInfo.FirmwareImageNumberOfEntries': '2',
      'Device.DeviceInfo.ActiveFirmwareImage': `${FW}1`,
      'Device.DeviceInfo.BootFirmwareImage': `${FW}1`,
      [`${FW}1.Status`]: 'Active',
      [`${FW}2.Status`]: 'NoImage',
    });
    expect(v[`${FW}1.Version`]).toBe(v['Device.DeviceInfo.SoftwareVersion']);
  });

  it('Alias: the factory defaults name bank 2, bank 1 has its cpe- one; write-once, so a Set answers 7013', async () => {
    expect(await getValues([`${FW}1.Alias`, `${FW}2.Alias`])).toEqual({ [`${FW}1.Alias`]: 'cpe-1', [`${FW}2.Alias`]: 'standby' });
    expect(await getValues([`${FW}[Alias=="standby"].Status`])).toEqual({ [`${FW}2.Status`]: 'NoImage' });
    const r = asResponse(await c.send({ reqType: 'set', set: { allowPartial: true, updateObjs: [{ objPath: `${FW}2.`, paramSettings: [{ param: 'Alias', value: 'other', required: true }] }] } }));
    expect(JSON.stringify(r)).toContain('7013');
    expect(await getValues([`${FW}2.Alias`])).toEqual({ [`${FW}2.Alias`]: 'standby' });
  });
});

describe('Download()', () => {
  it('SHA-256 verified: Request path, OperationComplete, then TransferComplete! to every subscriber; Status Available', async () => {
    const url = server.url('/fg5600-3.3.0.img');
    const res = await operate(`${FW}2.Download()`, { URL: url, AutoActivate: 'false', CheckSumAlgorithm: 'SHA-256', CheckSum: IMAGE_SHA256, FileSize: String(IMAGE.length) }, 'dl-ok');
    expect(res).toMatchObject({ executedCommand: `${FW}2.Download()`, operationResp: 'reqObjPath' });
    const oc = await waitForNotification(c, operComplete('dl-ok'), 5000);
    expect(oc).toMatchObject({ subscriptionId: 'fw-oc', operComplete: { objPath: `${FW}2.`, commandName: 'Download()', operationResp: 'reqOutputArgs' } });
    const tc = await waitForNotification(c, transferComplete('dl-ok'));
    expect(tc.subscriptionId).toBe('fw-tc');
    expect(eventParams(tc)).toMatchObject({
      Command: `${FW}2.Download()`,
      CommandKey: 'dl-ok',
      Requestor: CONTROLLER_EID,
      TransferType: 'Download',
      Affected: `${FW}2.`,
      TransferURL: url,
      FaultCode: '0',
      FaultString: '',
      CheckSumAlgorithm: 'SHA-256',
      CheckSum: IMAGE_SHA256,
    });
    // OperationComplete first, then TransferComplete! (TR-369 Appendix I, firmware management).
    const ns = notifications(c);
    expect(ns.findIndex((n) => n.notify === oc)).toBeLessThan(ns.findIndex((n) => n.notify === tc));
    // The observer (ResultTypeFilter Success) hears of it too.
    expect(eventParams(await waitForNotification(observer, transferComplete('dl-ok')))).toMatchObject({ FaultCode: '0', Requestor: CONTROLLER_EID });
    expect(await getValues([`${FW}2.`])).toMatchObject({ [`${FW}2.Status`]: 'Available', [`${FW}2.Version`]: '3.3.0', [`${FW}2.Name`]: 'FG5600-3.3.0', [`${FW}2.Available`]: 'true' });
  });

  it('wrong checksum: ValidationFailed, cmd_failure, TransferComplete! with a FaultCode', async () => {
    await operate(`${FW}2.Download()`, { URL: server.url('/fg5600-3.3.0.img'), AutoActivate: 'false', CheckSumAlgorithm: 'SHA-256', CheckSum: 'ab'.repeat(32) }, 'dl-bad-sum');
    const oc = await waitForNotification(c, operComplete('dl-bad-sum'), 5000);
    expect(oc).toMatchObject({ operComplete: { operationResp: 'cmdFailure', cmdFailure: { errCode: 7022 } } });
    const p = eventParams(await waitForNotification(c, transferComplete('dl-bad-sum')));
    expect(p.FaultCode).toBe('7022');
    expect(p.FaultString).toMatch(/checksum mismatch/);
    expect((await getValues([`${FW}2.Status`]))[`${FW}2.Status`]).toBe('ValidationFailed');
  });

  it('a URL with userinfo: cmd_failure 7004, nothing transferred', async () => {
    const before = server.requests.length;
    await operate(`${FW}2.Download()`, { URL: server.url('/fg5600-3.3.0.img').replace('http://', 'http://acs:secret@'), AutoActivate: 'false' }, 'dl-userinfo');
    expect(await waitForNotification(c, operComplete('dl-userinfo'))).toMatchObject({ operComplete: { operationResp: 'cmdFailure', cmdFailure: { errCode: 7004 } } });
    expect(server.requests.length).toBe(before);
  });

  it('404: DownloadFailed and a failed TransferComplete!', async () => {
    await operate(`${FW}2.Download()`, { URL: server.url('/no-such.img'), AutoActivate: 'false' }, 'dl-404');
    expect(await waitForNotification(c, operComplete('dl-404'))).toMatchObject({ operComplete: { operationResp: 'cmdFailure', cmdFailure: { errCode: 7022 } } });
    expect(eventParams(await waitForNotification(c, transferComplete('dl-404')))).toMatchObject({ FaultCode: '7022', FaultString: 'HTTP 404 Not Found', CompleteTime: '0001-01-01T00:00:00Z' });
    expect((await getValues([`${FW}2.Status`]))[`${FW}2.Status`]).toBe('DownloadFailed');
  });

  it('ResultTypeFilter Success: the observer hears of no failed transfer (per recipient)', async () => {
    await operate(`${FW}2.Download()`, { URL: server.url('/no-such.img'), AutoActivate: 'false' }, 'dl-filtered');
    expect(eventParams(await waitForNotification(c, transferComplete('dl-filtered')))).toMatchObject({ FaultCode: '7022' });
    await new Promise((r) => setTimeout(r, 200));
    expect(transferComplete('dl-filtered')(notifications(observer))).toBeUndefined();
    const failed = notifications(observer).filter((n) => n.notify.notification === 'event' && n.notify.event.params?.FaultCode !== '0');
    expect(failed).toEqual([]);
  });

  it('Request.{i}.Cancel(): OperationComplete 7023 and the bank as before (of a Download(); TP-469 9.8 cancels an Activate(): firmware-tp469.test.ts)', async () => {
    const before = (await getValues([`${FW}2.Status`]))[`${FW}2.Status`];
    const res = await operate(`${FW}2.Download()`, { URL: server.url('/slow.img'), AutoActivate: 'false' }, 'dl-cancel');
    if (res.operationResp !== 'reqObjPath') throw new Error(JSON.stringify(res));
    await new Promise((r) => setTimeout(r, 200));
    expect((await getValues([`${FW}2.Status`]))[`${FW}2.Status`]).toBe('Downloading');
    const cancel = await operate(`${res.reqObjPath}Cancel()`, {}, '');
    expect(cancel.operationResp).toBe('reqOutputArgs');
    expect(await waitForNotification(c, operComplete('dl-cancel'))).toMatchObject({ operComplete: { operationResp: 'cmdFailure', cmdFailure: { errCode: 7023 } } });
    expect((await getValues([`${FW}2.Status`]))[`${FW}2.Status`]).toBe(before);
  });
});

describe('activation', () => {
  /** Waits for the agent to restart itself, starts it again on the same data dir, and returns the Boot! it sends. */
  async function rebooted(): Promise<StringMap> {
    const reason = await agent.stopped;
    expect(reason).toMatchObject({ kind: 'restart', cause: 'RemoteReboot' });
    await observer.close();
    await c.close();
    // What the CLI's supervisor does (agent/cli/main.ts): start again on the same data directory.
    agent = await Agent.start({ defaults: testDefaults(port, EXTRA), dataDir, platform: 'simulated', log: silentLogger, seed: 42, schema: testSchema() });
    c = await TestController.connect(url, CONTROLLER_EID, AGENT_EID);
    observer = await TestController.connect(url, OBSERVER, AGENT_EID);
    // Non-persistent subscriptions do not survive the restart.
    await subscribe(c, { ID: 'fw-oc', NotifType: 'OperationComplete', ReferenceList: FW });
    await subscribe(c, { ID: 'fw-tc', NotifType: 'Event', ReferenceList: 'Device.LocalAgent.TransferComplete!' });
    return eventParams(await waitForNotification(c, (ns) => ns.find((n) => n.notify.subscriptionId === 'fw-boot')?.notify, 5000));
  }

  it('an image that is not available cannot be activated', async () => {
    await operate(`${FW}2.Download()`, { URL: server.url('/no-such.img'), AutoActivate: 'false' }, 'dl-404-again');
    await waitForNotification(c, operComplete('dl-404-again'));
    await operate(`${FW}2.Activate()`, { 'TimeWindow.1.Start': '0', 'TimeWindow.1.End': '0', 'TimeWindow.1.Mode': 'Immediately' }, 'act-bad');
    expect(await waitForNotification(c, operComplete('act-bad'))).toMatchObject({ operComplete: { operationResp: 'cmdFailure', cmdFailure: { errCode: 7022 } } });
  });

  it('Activate(): reboot into the bank; ActiveFirmwareImage and SoftwareVersion follow; Boot! FirmwareUpdated=true (TP-469 9.3)', async () => {
    await operate(`${FW}2.Download()`, { URL: server.url('/fg5600-3.3.0.img'), AutoActivate: 'false' }, 'dl-again');
    await waitForNotification(c, operComplete('dl-again'), 5000);
    await operate(`${FW}2.Activate()`, { 'TimeWindow.1.Start': '0', 'TimeWindow.1.End': '30', 'TimeWindow.1.Mode': 'Immediately' }, 'act-2');
    expect(await waitForNotification(c, operComplete('act-2'))).toMatchObject({ operComplete: { operationResp: 'reqOutputArgs' } });
    const boot = await rebooted();
    expect(boot).toMatchObject({ Cause: 'RemoteReboot', CommandKey: 'act-2', FirmwareUpdated: 'true' });
    expect(await getValues(['Device.DeviceInfo.ActiveFirmwareImage', 'Device.DeviceInfo.BootFirmwareImage', 'Device.DeviceInfo.SoftwareVersion', `${FW}2.Status`, `${FW}1.Status`])).toEqual({
      'Device.DeviceInfo.ActiveFirmwareImage': `${FW}2`,
      'Device.DeviceInfo.BootFirmwareImage': `${FW}2`,
      'Device.DeviceInfo.SoftwareVersion': '3.3.0',
      [`${FW}2.Status`]: 'Active',
      [`${FW}1.Status`]: 'Available',
    });
  }, 20_000);

  it('Download() with AutoActivate into the active bank (TP-469 9.7): TransferComplete!, then a reboot into the new image', async () => {
    await operate(`${FW}2.Download()`, { URL: server.url('/fg5600-3.4.0.img'), AutoActivate: 'true' }, 'dl-auto');
    expect(eventParams(await waitForNotification(c, transferComplete('dl-auto'), 5000))).toMatchObject({ FaultCode: '0', Affected: `${FW}2.` });
    const boot = await rebooted();
    expect(boot).toMatchObject({ Cause: 'RemoteReboot', CommandKey: 'dl-auto', FirmwareUpdated: 'true' });
    expect(await getValues(['Device.DeviceInfo.ActiveFirmwareImage', 'Device.DeviceInfo.SoftwareVersion'])).toEqual({
      'Device.DeviceInfo.ActiveFirmwareImage': `${FW}2`,
      'Device.DeviceInfo.SoftwareVersion': '3.4.0',
    });
  }, 20_000);

  it('BootFirmwareImage refuses a bank without an installed image', async () => {
    await operate(`${FW}1.Download()`, { URL: server.url('/no-such.img'), AutoActivate: 'false' }, 'dl-404-b1');
    await waitForNotification(c, operComplete('dl-404-b1'));
    const r = asResponse(
      await c.send({ reqType: 'set', set: { allowPartial: true, updateObjs: [{ objPath: 'Device.DeviceInfo.', paramSettings: [{ param: 'BootFirmwareImage', value: `${FW}1`, required: true }] }] } }),
    );
    if (r.respType !== 'setResp') throw new Error(r.respType);
    const st = r.setResp.updatedObjResults[0].operStatus;
    expect(st.operStatus).toBe('operFailure');
    expect(JSON.stringify(st)).toContain('BootFirmwareImage');
    expect((await getValues(['Device.DeviceInfo.BootFirmwareImage']))['Device.DeviceInfo.BootFirmwareImage']).toBe(`${FW}2`);
  });
});
