/**
 * Device.SoftwareModules. on OpenWrt with procd's containers (the uxc EE,
 * platform/openwrt/uxc-ee.ts): the real agent process on `--platform openwrt`, a real WebSocket
 * controller subscribed to DUStateChange!, OperationComplete and the EU Status, OCI bundles served
 * over loopback HTTP, and a stand-in `uxc` that replays what OpenWrt's own uxc printed
 * (test/fixtures/openwrt/uxc/README.md) and logs its argv. InstallDU(), SetRequestedState(Active,
 * Idle), a container that exits on its own, a package that is no bundle, a container procd keeps
 * running across a kill -9 of the agent, Update() and Uninstall() of a running unit.
 */
import { mkdtempSync, readFileSync, rmSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotifyReq } from '../../agent/codec/types.js';
import { AGENT_EID, CONTROLLER_EID } from '../peers/agent-fixture.js';
import { AgentProcess, REPO, writeDefaultsFile } from '../peers/agent-process.js';
import { add } from '../peers/controller-steps.js';
import { operateOne, outputArgs } from '../peers/operate.js';
import { tarGz } from '../peers/software-packages.js';
import { TestController, asResponse, freePort, notifications, waitForNotification } from '../peers/TestController.js';
import { startImageServer, type ImageServer } from '../unit/agent/firmware/image-server.js';

const SM = 'Device.SoftwareModules.';
const PREFIX = 'X_TEST_';
const FIX = join(REPO, 'test/fixtures/openwrt');

/** An OCI bundle as the uxc EE takes it: the recorded bundle's config.json, a root file system, a manifest. */
const bundle = (kind: 'ticker' | 'crasher', version: string): Buffer =>
  tarGz({ 'config.json': readFileSync(join(FIX, 'uxc/bundles', `${kind}.config.json`), 'utf8'), 'rootfs/bin/.keep': '' }, { name: kind, version, vendor: 'Example', executionUnits: [{ name: kind }] });

let dir: string;
let standin: string;
let defaults: string;
let url: string;
let server: ImageServer;
let proc: AgentProcess;
let c: TestController;

async function startAgent(): Promise<void> {
  proc = AgentProcess.start(defaults, join(dir, 'data'), {
    platform: 'openwrt',
    args: ['--vendor-prefix', PREFIX],
    env: { UXC_STANDIN_DIR: standin, FW_STANDIN_DIR: standin, PATH: `${join(FIX, 'uxc/bin')}:${join(FIX, 'standin-bin')}:${process.env.PATH ?? ''}` },
  });
  await proc.waitForLine(/msg="agent started"/, { timeoutMs: 15_000 });
  c = await TestController.connect(url, CONTROLLER_EID, AGENT_EID);
  c.ws.on('error', () => undefined);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'usp-agent-uxc-'));
  standin = join(dir, 'standin');
  mkdirSync(standin);
  copyFileSync(join(FIX, 'ubus-system-board.24.10.json'), join(standin, 'board.json'));
  server = await startImageServer();
  server.routes.set('/ticker-1.0.tar.gz', { body: bundle('ticker', '1.0') });
  server.routes.set('/ticker-2.0.tar.gz', { body: bundle('ticker', '2.0') });
  server.routes.set('/crasher-1.0.tar.gz', { body: bundle('crasher', '1.0') });
  server.routes.set('/plain-1.0.tar.gz', { body: tarGz({ 'run.sh': '#!/bin/sh\n' }, { name: 'plain', version: '1.0', executionUnits: [{ name: 'plain', entryPoint: ['./run.sh'] }] }) });
  const port = await freePort();
  defaults = join(dir, 'defaults.json');
  // Loopback package server: the live platforms refuse local URLs unless the operator allows them.
  writeDefaultsFile(defaults, port, { [`Device.LocalAgent.${PREFIX}AllowLocalDownloads`]: true });
  url = `ws://127.0.0.1:${port}/usp`;
  await startAgent();
  for (const [ID, NotifType, ReferenceList] of [
    ['du', 'Event', `${SM}DUStateChange!`],
    ['oc', 'OperationComplete', SM],
    ['eu', 'ValueChange', `${SM}ExecutionUnit.*.Status`],
    ['fault', 'ValueChange', `${SM}ExecutionUnit.*.ExecutionFaultCode`],
  ]) {
    await add(c, 'Device.LocalAgent.Subscription.', { Enable: 'true', Persistent: 'true', ID, NotifType, ReferenceList });
  }
}, 60_000);
afterAll(async () => {
  await c?.close();
  if (proc?.alive) await proc.terminate();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string): Promise<Record<string, string>> {
  const r = asResponse(await c.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  const out: Record<string, string> = {};
  for (const p of r.getResp.reqPathResults) for (const res of p.resolvedPathResults ?? []) for (const [k, v] of Object.entries(res.resultParams)) out[res.resolvedPath + k] = v;
  return out;
}

/** The uxc calls since the last look, `list --json` (the EE's polling) left out; the data directory as <data>. */
let seen = 0;
function uxcCalls(): string[] {
  const all = readFileSync(join(standin, 'uxc.log'), 'utf8').trim().split('\n');
  const fresh = all.slice(seen);
  seen = all.length;
  return fresh.map((l) => (JSON.parse(l) as string[]).join(' ').replaceAll(join(dir, 'data'), '<data>')).filter((l) => l !== 'list --json');
}

type Ns = ReturnType<typeof notifications>;
const since = (from: number, pick: (n: NotifyReq) => boolean) => (ns: Ns) => ns.slice(from).find((n) => pick(n.notify))?.notify;
const isDuEvent = (n: NotifyReq): boolean => n.notification === 'event' && n.event.eventName === 'DUStateChange!';
const statusIs = (eu: string, value: string) => (n: NotifyReq) => n.notification === 'valueChange' && n.valueChange.paramPath === `${eu}.Status` && n.valueChange.paramValue === value;

/** An async command; its OperationComplete, then its DUStateChange! arguments. */
async function duOperation(command: string, args: Record<string, string>, key: string): Promise<Record<string, string>> {
  const from = notifications(c).length;
  expect((await operateOne(c, command, args, key)).operationResp).toBe('reqObjPath');
  const ev = await waitForNotification(c, since(from, isDuEvent), 15_000);
  const ns = notifications(c).slice(from);
  const oc = ns.findIndex((n) => n.notify.notification === 'operComplete' && n.notify.operComplete.commandKey === key);
  // TR-369: the command's OperationComplete comes before the DUStateChange! it causes.
  expect(oc).toBeGreaterThanOrEqual(0);
  expect(oc).toBeLessThan(ns.findIndex((n) => isDuEvent(n.notify)));
  return ev.notification === 'event' ? (ev.event.params ?? {}) : {};
}

async function setState(eu: string, state: 'Active' | 'Idle'): Promise<void> {
  const from = notifications(c).length;
  outputArgs(await operateOne(c, `${eu}.SetRequestedState()`, { RequestedState: state }, `${eu}-${state}`));
  await waitForNotification(c, since(from, statusIs(eu, state)), 15_000);
}

describe('the uxc EE on OpenWrt', () => {
  let ticker: string;
  let tickerDu: string;

  it('is ExecEnv.1, named by uxc -V', async () => {
    expect(await get(`${SM}ExecEnv.1.`)).toMatchObject({ [`${SM}ExecEnv.1.Name`]: 'uxc EE', [`${SM}ExecEnv.1.Vendor`]: 'OpenWrt', [`${SM}ExecEnv.1.Version`]: '0.3', [`${SM}ExecEnv.1.Status`]: 'Up' });
    expect(uxcCalls()).toEqual(['-V']);
  });

  it('InstallDU(): the bundle is unpacked, Installed; uxc is not called until the unit runs', async () => {
    const ev = await duOperation(`${SM}InstallDU()`, { URL: server.url('/ticker-1.0.tar.gz'), ExecutionEnvRef: `${SM}ExecEnv.1` }, 'install-ticker');
    expect(ev).toMatchObject({ CurrentState: 'Installed', 'Fault.FaultCode': '0', Version: '1.0', OperationPerformed: 'Install' });
    ticker = ev.ExecutionUnitRefList!;
    tickerDu = ev.DeploymentUnitRef!;
    expect(await get(`${ticker}.`)).toMatchObject({ [`${ticker}.Status`]: 'Idle', [`${ticker}.ExecEnvLabel`]: 'ticker' });
    expect(uxcCalls()).toEqual([]);
  });

  it('SetRequestedState(Active): uxc create with the unit directory as bundle, then uxc start', async () => {
    await setState(ticker, 'Active');
    const n = ticker.split('.').at(-1)!;
    expect(uxcCalls()).toEqual([expect.stringMatching(new RegExp(`^create usp-eu-${n} --bundle <data>/software/du-\\d+-[0-9a-z]+$`)), `start usp-eu-${n}`]);
  });

  it('SetRequestedState(Idle): uxc kill (SIGTERM), then uxc delete', async () => {
    await setState(ticker, 'Idle');
    const n = ticker.split('.').at(-1)!;
    expect(uxcCalls()).toEqual([`kill usp-eu-${n}`, `delete usp-eu-${n}`]);
    expect((await get(`${ticker}.ExecutionFaultCode`))[`${ticker}.ExecutionFaultCode`]).toBe('NoFault');
  });

  it('a container that exits on its own: Idle with FailureWhileActive and its exit code', async () => {
    const ev = await duOperation(`${SM}InstallDU()`, { URL: server.url('/crasher-1.0.tar.gz'), ExecutionEnvRef: `${SM}ExecEnv.1` }, 'install-crasher');
    const eu = ev.ExecutionUnitRefList!;
    const from = notifications(c).length;
    outputArgs(await operateOne(c, `${eu}.SetRequestedState()`, { RequestedState: 'Active' }, 'crash'));
    await waitForNotification(
      c,
      since(from, (n) => n.notification === 'valueChange' && n.valueChange.paramPath === `${eu}.ExecutionFaultCode`),
      15_000,
    );
    expect(await get(`${eu}.`)).toMatchObject({ [`${eu}.Status`]: 'Idle', [`${eu}.ExecutionFaultCode`]: 'FailureWhileActive', [`${eu}.ExecutionFaultMessage`]: 'the container exited with code 3' });
    const n = eu.split('.').at(-1)!;
    expect(uxcCalls()).toEqual([expect.stringMatching(/^create /), `start usp-eu-${n}`, `delete usp-eu-${n} --force`]);
    // An Idle unit has no container: its Uninstall() calls no uxc.
    expect(await duOperation(`${ev.DeploymentUnitRef}.Uninstall()`, {}, 'uninstall-crasher')).toMatchObject({ CurrentState: 'Uninstalled', 'Fault.FaultCode': '0' });
    expect(uxcCalls()).toEqual([]);
  });

  it('a package that is no OCI bundle: 7225, no unit', async () => {
    const ev = await duOperation(`${SM}InstallDU()`, { URL: server.url('/plain-1.0.tar.gz'), ExecutionEnvRef: `${SM}ExecEnv.1` }, 'install-plain');
    expect(ev).toMatchObject({ CurrentState: 'Failed', DeploymentUnitRef: '', 'Fault.FaultCode': '7225' });
  });

  it('kill -9 of the agent: procd keeps the container; the next agent takes it over as Active', async () => {
    await setState(ticker, 'Active');
    uxcCalls();
    await proc.kill9();
    await c.close();
    await startAgent();
    await expect.poll(async () => (await get(`${ticker}.Status`))[`${ticker}.Status`], { timeout: 15_000 }).toBe('Active');
    // Looked at, not created again.
    expect(uxcCalls()).toEqual(['-V']);
  });

  it('Update() of a running unit: its container is deleted and created again from the new files', async () => {
    const ev = await duOperation(`${tickerDu}.Update()`, { URL: server.url('/ticker-2.0.tar.gz') }, 'update-ticker');
    expect(ev).toMatchObject({ CurrentState: 'Installed', 'Fault.FaultCode': '0', Version: '2.0', OperationPerformed: 'Update' });
    const n = ticker.split('.').at(-1)!;
    await expect.poll(async () => (await get(`${ticker}.Status`))[`${ticker}.Status`], { timeout: 15_000 }).toBe('Active');
    const calls = uxcCalls();
    expect(calls).toEqual([`kill usp-eu-${n}`, `delete usp-eu-${n}`, expect.stringMatching(new RegExp(`^create usp-eu-${n} --bundle <data>/software/du-`)), `start usp-eu-${n}`]);
    const units = JSON.parse(readFileSync(join(dir, 'data', 'software', 'units.json'), 'utf8')) as { units: Array<{ dir: string; version: string }> };
    expect(calls[2]).toBe(`create usp-eu-${n} --bundle <data>/software/${units.units.find((u) => u.version === '2.0')!.dir}`);
  });

  it('Uninstall() of a running unit: the container is stopped and deleted, the DU Uninstalled', async () => {
    const ev = await duOperation(`${tickerDu}.Uninstall()`, {}, 'uninstall-ticker');
    expect(ev).toMatchObject({ CurrentState: 'Uninstalled', 'Fault.FaultCode': '0', OperationPerformed: 'Uninstall' });
    const n = ticker.split('.').at(-1)!;
    expect(uxcCalls()).toEqual([`kill usp-eu-${n}`, `delete usp-eu-${n}`]);
    expect(Object.keys((JSON.parse(readFileSync(join(standin, 'uxc-state.json'), 'utf8')) as { containers: object }).containers)).toEqual([]);
  });
});
