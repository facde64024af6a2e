/**
 * Device.SoftwareModules. end to end on the simulated gateway (TR-181 SoftwareModules:1, TR-369
 * Appendix I): a real agent, a real WebSocket controller subscribed to DUStateChange!,
 * OperationComplete and the EU Status, packages served over loopback HTTP (good, stalling, 404,
 * corrupt, too big) and made by the real `tar`.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotifyReq, StringMap } from '../../agent/codec/types.js';
import { add } from '../peers/controller-steps.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { asResponse, notifications, waitForNotification, type TestController } from '../peers/TestController.js';
import { operateOne, outputArgs } from '../peers/operate.js';
import { corruptGzip, tarGz } from '../peers/software-packages.js';
import { startImageServer, type ImageServer } from '../unit/agent/firmware/image-server.js';

const SM = 'Device.SoftwareModules.';
const UUID = '6f1d7c2a-3b4e-5f60-8a9b-0c1d2e3f4a5b';
const HELLO_1 = tarGz({ 'bin/hello.sh': '#!/bin/sh\necho hello\n' }, { name: 'hello', version: '1.0.0', vendor: 'Example', description: 'says hello', executionUnits: [{ name: 'hello-svc' }] });
const HELLO_2 = tarGz(
  { 'bin/hello.sh': '#!/bin/sh\necho hello again\n' },
  { name: 'hello', version: '2.0.0', vendor: 'Example', description: 'says hello twice', executionUnits: [{ name: 'hello-svc' }] },
);

let f: AgentFixture;
let c: TestController;
let server: ImageServer;
let closedPort: number;

beforeAll(async () => {
  server = await startImageServer();
  server.routes.set('/hello-1.0.0.tar.gz', { body: HELLO_1 });
  server.routes.set('/hello-2.0.0.tar.gz', { body: HELLO_2 });
  server.routes.set('/plain-app_3.1.bin', { body: Buffer.from('not an archive, any file will do') });
  server.routes.set('/corrupt-1.0.tar.gz', { body: corruptGzip() });
  server.routes.set('/stall-1.0.tar.gz', { body: HELLO_1, stallAfter: 100 });
  server.routes.set('/huge-1.0.bin', { body: Buffer.alloc(17 * 1024 * 1024, 1) });
  closedPort = await unusedPort();
  f = await startAgent({ pollIntervalMs: 100, agent: { softwareLimits: { idleTimeoutMs: 1500 } } });
  c = f.controller;
  await subscribe({ ID: 'sm-du', NotifType: 'Event', ReferenceList: `${SM}DUStateChange!` });
  await subscribe({ ID: 'sm-oc', NotifType: 'OperationComplete', ReferenceList: SM });
  await subscribe({ ID: 'sm-eu', NotifType: 'ValueChange', ReferenceList: `${SM}ExecutionUnit.*.Status` });
});
afterAll(async () => {
  await f?.close();
  await server?.close();
});

async function subscribe(params: Record<string, string>): Promise<void> {
  await add(c, 'Device.LocalAgent.Subscription.', { Enable: 'true', ...params });
}

async function get(path: string): Promise<Record<string, string>> {
  const r = asResponse(await c.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  const out: Record<string, string> = {};
  for (const p of r.getResp.reqPathResults) {
    if (p.errCode) throw new Error(`${p.requestedPath}: ${p.errCode} ${p.errMsg ?? ''}`);
    for (const res of p.resolvedPathResults ?? []) for (const [k, v] of Object.entries(res.resultParams)) out[res.resolvedPath + k] = v;
  }
  return out;
}

type Ns = ReturnType<typeof notifications>;
const operComplete = (key: string) => (ns: Ns) => ns.find((n) => n.notify.notification === 'operComplete' && n.notify.operComplete.commandKey === key)?.notify;
/** The DUStateChange! that follows the OperationComplete of `key` (the events carry no CommandKey). */
function duStateChangeAfter(key: string) {
  return (ns: Ns) => {
    const i = ns.findIndex((n) => n.notify.notification === 'operComplete' && n.notify.operComplete.commandKey === key);
    if (i < 0) return undefined;
    return ns.slice(i + 1).find((n) => n.notify.notification === 'event' && n.notify.event.eventName === 'DUStateChange!')?.notify;
  };
}
const euStatus = (path: string, value: string, from: number) => (ns: Ns) =>
  ns.slice(from).find((n) => n.notify.notification === 'valueChange' && n.notify.valueChange.paramPath === path && n.notify.valueChange.paramValue === value)?.notify;
function params(n: NotifyReq): StringMap {
  if (n.notification !== 'event') throw new Error(n.notification);
  return n.event.params ?? {};
}

/** Runs an async command and waits for its OperationComplete and the DUStateChange! after it (in that order). */
async function duOperation(command: string, input: Record<string, string>, key: string): Promise<{ oc: NotifyReq; du: StringMap }> {
  const res = await operateOne(c, command, input, key);
  expect(res.operationResp).toBe('reqObjPath');
  const oc = await waitForNotification(c, operComplete(key), 8000);
  const du = await waitForNotification(c, duStateChangeAfter(key), 8000);
  // Nothing about this operation came before its OperationComplete.
  const ns = notifications(c);
  expect(ns.findIndex((n) => n.notify === oc)).toBeLessThan(ns.findIndex((n) => n.notify === du));
  expect(du.subscriptionId).toBe('sm-du');
  return { oc, du: params(du) };
}

function failure(oc: NotifyReq): number | undefined {
  return oc.notification === 'operComplete' && oc.operComplete.operationResp === 'cmdFailure' ? oc.operComplete.cmdFailure.errCode : undefined;
}

describe('the supported model', () => {
  it('serves ExecEnv.1 (the simulated EE) and empty unit tables', async () => {
    const v = await get(SM);
    expect(v).toMatchObject({
      [`${SM}ExecEnvNumberOfEntries`]: '1',
      [`${SM}DeploymentUnitNumberOfEntries`]: '0',
      [`${SM}ExecutionUnitNumberOfEntries`]: '0',
      [`${SM}ExecEnv.1.Name`]: 'Simulated EE',
      [`${SM}ExecEnv.1.Status`]: 'Up',
      [`${SM}ExecEnv.1.Enable`]: 'true',
    });
    expect(Number(v[`${SM}ExecEnv.1.AvailableDiskSpace`])).toBeGreaterThan(1000);
  });
});

describe('InstallDU → SetRequestedState → Update → Uninstall', () => {
  let du = '';
  let eu = '';
  it('InstallDU: Request row, OperationComplete with UUID/Version/ExecEnvRef, then DUStateChange! Installed; the EU is Idle', async () => {
    const url = server.url('/hello-1.0.0.tar.gz');
    const { oc, du: ev } = await duOperation(`${SM}InstallDU()`, { URL: url, UUID, ExecutionEnvRef: `${SM}ExecEnv.1` }, 'inst-1');
    expect(oc).toMatchObject({
      subscriptionId: 'sm-oc',
      operComplete: { objPath: SM, commandName: 'InstallDU()', operationResp: 'reqOutputArgs', reqOutputArgs: { outputArgs: { UUID, Version: '1.0.0', ExecEnvRef: `${SM}ExecEnv.1` } } },
    });
    du = ev.DeploymentUnitRef;
    expect(du).toMatch(/^Device\.SoftwareModules\.DeploymentUnit\.\d+$/);
    eu = ev.ExecutionUnitRefList;
    expect(eu).toMatch(/^Device\.SoftwareModules\.ExecutionUnit\.\d+$/);
    expect(ev).toMatchObject({ UUID, Version: '1.0.0', CurrentState: 'Installed', Resolved: 'true', OperationPerformed: 'Install', 'Fault.FaultCode': '0', 'Fault.FaultString': '' });
    expect(Date.parse(ev.CompleteTime)).toBeGreaterThanOrEqual(Date.parse(ev.StartTime));
    expect(await get(`${du}.`)).toMatchObject({
      [`${du}.UUID`]: UUID,
      [`${du}.Name`]: 'hello',
      [`${du}.Version`]: '1.0.0',
      [`${du}.Vendor`]: 'Example',
      [`${du}.Description`]: 'says hello',
      [`${du}.Status`]: 'Installed',
      [`${du}.Resolved`]: 'true',
      [`${du}.URL`]: url,
      [`${du}.ExecutionUnitList`]: eu,
      [`${du}.ExecutionEnvRef`]: `${SM}ExecEnv.1`,
    });
    expect(await get(`${eu}.`)).toMatchObject({
      [`${eu}.Name`]: 'hello-svc',
      [`${eu}.Status`]: 'Idle',
      [`${eu}.ExecutionFaultCode`]: 'NoFault',
      [`${eu}.Vendor`]: 'Example',
      [`${eu}.ExecutionEnvRef`]: `${SM}ExecEnv.1`,
    });
  });

  it('SetRequestedState(Active): Starting, then Active', async () => {
    const from = notifications(c).length;
    outputArgs(await operateOne(c, `${eu}.SetRequestedState()`, { RequestedState: 'Active' }, 'eu-on'));
    await waitForNotification(c, euStatus(`${eu}.Status`, 'Active', from), 5000);
    expect((await get(`${eu}.Status`))[`${eu}.Status`]).toBe('Active');
    expect((await get(`${SM}ExecEnv.1.ActiveExecutionUnits`))[`${SM}ExecEnv.1.ActiveExecutionUnits`]).toBe(eu);
  });

  it('ExecutionUnit Restart(): Restarting, then Active again', async () => {
    const from = notifications(c).length;
    outputArgs(await operateOne(c, `${eu}.Restart()`, {}, 'eu-restart'));
    await waitForNotification(c, euStatus(`${eu}.Status`, 'Restarting', from), 5000);
    await waitForNotification(c, euStatus(`${eu}.Status`, 'Active', from), 5000);
  });

  it('a second operation on a DU while one runs is refused with 7229; the first can be canceled (7023)', async () => {
    const first = await operateOne(c, `${du}.Update()`, { URL: server.url('/stall-1.0.tar.gz') }, 'upd-stall');
    expect(first.operationResp).toBe('reqObjPath');
    expect((await get(`${du}.Status`))[`${du}.Status`]).toBe('Updating');
    const { oc, du: ev } = await duOperation(`${du}.Uninstall()`, {}, 'uninst-busy');
    expect(failure(oc)).toBe(7229);
    expect(ev).toMatchObject({ CurrentState: 'Installed', OperationPerformed: 'Uninstall', 'Fault.FaultCode': '7229' });
    const req = first.operationResp === 'reqObjPath' ? first.reqObjPath : '';
    outputArgs(await operateOne(c, `${req}Cancel()`, {}, 'cancel'));
    const oc2 = await waitForNotification(c, operComplete('upd-stall'), 5000);
    expect(failure(oc2)).toBe(7023);
    const ev2 = params(await waitForNotification(c, duStateChangeAfter('upd-stall'), 5000));
    expect(ev2).toMatchObject({ CurrentState: 'Installed', Version: '1.0.0', OperationPerformed: 'Update', 'Fault.FaultCode': '7023' });
    expect(await get(`${du}.`)).toMatchObject({ [`${du}.Status`]: 'Installed', [`${du}.Version`]: '1.0.0' });
  });

  it('Update(): new version, the EU keeps its row and runs again', async () => {
    const from = notifications(c).length;
    const { oc, du: ev } = await duOperation(`${du}.Update()`, { URL: server.url('/hello-2.0.0.tar.gz') }, 'upd-2');
    expect(failure(oc)).toBeUndefined();
    expect(ev).toMatchObject({ UUID, DeploymentUnitRef: du, Version: '2.0.0', CurrentState: 'Installed', OperationPerformed: 'Update', ExecutionUnitRefList: eu, 'Fault.FaultCode': '0' });
    expect(await get(`${du}.`)).toMatchObject({ [`${du}.Version`]: '2.0.0', [`${du}.Description`]: 'says hello twice', [`${du}.Status`]: 'Installed' });
    await waitForNotification(c, euStatus(`${eu}.Status`, 'Active', from), 5000);
  });

  it('SetRequestedState(Idle): Stopping, then Idle', async () => {
    const from = notifications(c).length;
    outputArgs(await operateOne(c, `${eu}.SetRequestedState()`, { RequestedState: 'Idle' }, 'eu-off'));
    await waitForNotification(c, euStatus(`${eu}.Status`, 'Idle', from), 5000);
  });

  it('Uninstall(): DUStateChange! Uninstalled, the rows are gone', async () => {
    const { oc, du: ev } = await duOperation(`${du}.Uninstall()`, {}, 'uninst');
    expect(failure(oc)).toBeUndefined();
    expect(ev).toMatchObject({ UUID, DeploymentUnitRef: du, Version: '2.0.0', CurrentState: 'Uninstalled', OperationPerformed: 'Uninstall', 'Fault.FaultCode': '0' });
    expect(await get(SM)).toMatchObject({ [`${SM}DeploymentUnitNumberOfEntries`]: '0', [`${SM}ExecutionUnitNumberOfEntries`]: '0' });
  });
});

describe('any file is a unit on the simulated EE', () => {
  it('a file that is no tar.gz is named from its URL, with one EU; no UUID given: one is made', async () => {
    const { du: ev } = await duOperation(`${SM}InstallDU()`, { URL: server.url('/plain-app_3.1.bin') }, 'inst-plain');
    expect(ev).toMatchObject({ CurrentState: 'Installed', Version: '3.1', 'Fault.FaultCode': '0' });
    expect(ev.UUID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await get(`${ev.DeploymentUnitRef}.Name`))[`${ev.DeploymentUnitRef}.Name`]).toBe('plain-app');
    await duOperation(`${ev.DeploymentUnitRef}.Uninstall()`, {}, 'uninst-plain');
  });
});

describe('faults: OperationComplete fails and DUStateChange! says Failed with the TR-181 code', () => {
  async function installFails(input: Record<string, string>, key: string, code: number): Promise<StringMap> {
    const { oc, du: ev } = await duOperation(`${SM}InstallDU()`, input, key);
    expect(failure(oc), JSON.stringify(ev)).toBe(code);
    expect(ev).toMatchObject({ CurrentState: 'Failed', Resolved: 'false', OperationPerformed: 'Install', DeploymentUnitRef: '', 'Fault.FaultCode': String(code) });
    expect(ev['Fault.FaultString']).not.toBe('');
    // No half unit is left.
    expect((await get(`${SM}DeploymentUnitNumberOfEntries`))[`${SM}DeploymentUnitNumberOfEntries`]).toBe('0');
    return ev;
  }

  it('404: 7002', async () => {
    expect((await installFails({ URL: server.url('/missing-1.0.tar.gz') }, 'f-404', 7002))['Fault.FaultString']).toMatch(/404/);
  });
  it('nobody listening: 7033 Server Unreachable', async () => {
    await installFails({ URL: `http://127.0.0.1:${closedPort}/x-1.0.tar.gz` }, 'f-unreach', 7033);
  });
  it('a server that stalls past the idle timeout: 7033', async () => {
    await installFails({ URL: server.url('/stall-1.0.tar.gz') }, 'f-stall', 7033);
  });
  it('a corrupt package: 7035 Corrupt Data', async () => {
    await installFails({ URL: server.url('/corrupt-1.0.tar.gz') }, 'f-corrupt', 7035);
  });
  it('an unknown ExecEnv: 7223', async () => {
    await installFails({ URL: server.url('/hello-1.0.0.tar.gz'), ExecutionEnvRef: `${SM}ExecEnv.9` }, 'f-ee', 7223);
  });
  it('userinfo in the URL: 7004', async () => {
    await installFails({ URL: `http://u:p@127.0.0.1:${server.url('/').split(':')[2]!.split('/')[0]}/hello-1.0.0.tar.gz` }, 'f-userinfo', 7004);
  });
  it('a malformed UUID is refused in the OperateResp (7027, the UUID pattern of the schema): no operation starts', async () => {
    const res = await operateOne(c, `${SM}InstallDU()`, { URL: server.url('/hello-1.0.0.tar.gz'), UUID: 'not-a-uuid' }, 'f-uuid');
    expect(res).toMatchObject({ operationResp: 'cmdFailure', cmdFailure: { errCode: 7027 } });
  });
  it('an argument object given without its mandatory argument is refused (AutoRestart.Enable; without AutoRestart.* the install above ran)', async () => {
    const res = await operateOne(c, `${SM}InstallDU()`, { URL: server.url('/missing-2.0.tar.gz'), 'AutoRestart.RetryMinimumWaitInterval': '5' }, 'f-args');
    expect(res).toMatchObject({ operationResp: 'cmdFailure', cmdFailure: { errCode: 7027, errMsg: expect.stringMatching(/AutoRestart\.Enable/) } });
  });
  it('more than the EE has room for: 7227 System Resources Exceeded', async () => {
    await installFails({ URL: server.url('/huge-1.0.bin') }, 'f-space', 7227);
  });
  it('the same UUID and Version again on the same EE: 7226 Duplicate Deployment Unit', async () => {
    const { du: ok } = await duOperation(`${SM}InstallDU()`, { URL: server.url('/hello-1.0.0.tar.gz'), UUID }, 'dup-1');
    expect(ok.CurrentState).toBe('Installed');
    const { oc, du: ev } = await duOperation(`${SM}InstallDU()`, { URL: server.url('/hello-1.0.0.tar.gz'), UUID }, 'dup-2');
    expect(failure(oc)).toBe(7226);
    expect(ev).toMatchObject({ CurrentState: 'Failed', 'Fault.FaultCode': '7226', UUID });
    expect((await get(`${SM}DeploymentUnitNumberOfEntries`))[`${SM}DeploymentUnitNumberOfEntries`]).toBe('1');
    // Another version of the same UUID is another DU (TR-181 Annex C: UUID + Version + EE).
    const { du: v2 } = await duOperation(`${SM}InstallDU()`, { URL: server.url('/hello-2.0.0.tar.gz'), UUID }, 'dup-3');
    expect(v2).toMatchObject({ CurrentState: 'Installed', Version: '2.0.0' });
    await duOperation(`${ok.DeploymentUnitRef}.Uninstall()`, {}, 'dup-u1');
    await duOperation(`${v2.DeploymentUnitRef}.Uninstall()`, {}, 'dup-u2');
  });
});

describe('ExecEnv.1: Enable, Restart(), Reset()', () => {
  let du = '';
  let eu = '';
  beforeAll(async () => {
    const { du: ev } = await duOperation(`${SM}InstallDU()`, { URL: server.url('/hello-1.0.0.tar.gz') }, 'ee-inst');
    du = ev.DeploymentUnitRef;
    eu = ev.ExecutionUnitRefList;
    const from = notifications(c).length;
    outputArgs(await operateOne(c, `${eu}.SetRequestedState()`, { RequestedState: 'Active' }, 'ee-on'));
    await waitForNotification(c, euStatus(`${eu}.Status`, 'Active', from), 5000);
  });

  it('Enable false: Disabled, its EUs stop, InstallDU() and SetRequestedState() get 7224; Enable true starts them again', async () => {
    const from = notifications(c).length;
    const r = asResponse(
      await c.send({ reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath: `${SM}ExecEnv.1.`, paramSettings: [{ param: 'Enable', value: 'false', required: true }] }] } }),
    );
    expect(r.respType).toBe('setResp');
    expect((await get(`${SM}ExecEnv.1.Status`))[`${SM}ExecEnv.1.Status`]).toBe('Disabled');
    await waitForNotification(c, euStatus(`${eu}.Status`, 'Idle', from), 5000);
    const { oc } = await duOperation(`${SM}InstallDU()`, { URL: server.url('/hello-2.0.0.tar.gz') }, 'ee-disabled');
    expect(failure(oc)).toBe(7224);
    expect(await operateOne(c, `${eu}.SetRequestedState()`, { RequestedState: 'Active' }, 'ee-off-set')).toMatchObject({ operationResp: 'cmdFailure', cmdFailure: { errCode: 7224 } });
    const from2 = notifications(c).length;
    asResponse(await c.send({ reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath: `${SM}ExecEnv.1.`, paramSettings: [{ param: 'Enable', value: 'true', required: true }] }] } }));
    await waitForNotification(c, euStatus(`${eu}.Status`, 'Active', from2), 5000);
  });

  it('Restart(): the EUs stop and start again, Restarted! is sent, RestartCount and RestartReason follow', async () => {
    await subscribe({ ID: 'ee-restarted', NotifType: 'Event', ReferenceList: `${SM}ExecEnv.1.Restarted!` });
    const from = notifications(c).length;
    expect((await operateOne(c, `${SM}ExecEnv.1.Restart()`, { Reason: 'test restart' }, 'ee-restart')).operationResp).toBe('reqObjPath');
    await waitForNotification(c, operComplete('ee-restart'), 8000);
    const ev = await waitForNotification(c, (ns: Ns) => ns.slice(from).find((n) => n.notify.notification === 'event' && n.notify.event.eventName === 'Restarted!')?.notify, 5000);
    expect(params(ev)).toMatchObject({ RestartReason: 'test restart' });
    await waitForNotification(c, euStatus(`${eu}.Status`, 'Idle', from), 5000);
    await waitForNotification(c, euStatus(`${eu}.Status`, 'Active', from), 5000);
    expect(await get(`${SM}ExecEnv.1.`)).toMatchObject({ [`${SM}ExecEnv.1.RestartCount`]: '1', [`${SM}ExecEnv.1.RestartReason`]: 'test restart', [`${SM}ExecEnv.1.Status`]: 'Up' });
  });

  it('Reset(): every DU of the EE is uninstalled (DUStateChange! Uninstalled), the EE restarts', async () => {
    const { oc, du: ev } = await duOperation(`${SM}ExecEnv.1.Reset()`, {}, 'ee-reset');
    expect(failure(oc)).toBeUndefined();
    expect(ev).toMatchObject({ DeploymentUnitRef: du, CurrentState: 'Uninstalled', OperationPerformed: 'Uninstall' });
    expect(await get(SM)).toMatchObject({ [`${SM}DeploymentUnitNumberOfEntries`]: '0', [`${SM}ExecutionUnitNumberOfEntries`]: '0', [`${SM}ExecEnv.1.RestartCount`]: '2' });
  });
});

function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
