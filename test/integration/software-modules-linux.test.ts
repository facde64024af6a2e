/**
 * Device.SoftwareModules. on the Linux platform with real execution environments: a unit of the
 * process EE is a real shell process (started by SetRequestedState(Active), its output in the
 * unit's log file, stopped by SetRequestedState(Idle), a crash reported as FailureWhileActive),
 * and a unit of the OCI EE is a real container run by the host's OCI runtime (crun, or runc where
 * crun cannot run: platform/linux/oci-ee.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOciRuntime } from '../../platform/linux/oci-ee.js';
import { add } from '../peers/controller-steps.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { asResponse, notifications, waitForNotification, type TestController } from '../peers/TestController.js';
import { operateOne, outputArgs } from '../peers/operate.js';
import { tarGz } from '../peers/software-packages.js';
import { startImageServer, type ImageServer } from '../unit/agent/firmware/image-server.js';

const SM = 'Device.SoftwareModules.';
const PREFIX = 'X_EXAMPLE-COM_';
const RUNTIME = findOciRuntime();

/** Writes a line per 100 ms into a file of its own and stops cleanly on SIGTERM. */
const TICKER = tarGz(
  {
    'run.sh': '#!/bin/sh\ntrap \'echo stopping; exit 0\' TERM\necho "ticker $1 up"\nwhile :; do date +%s%N >> ticks.txt; sleep 0.1; done\n',
  },
  { name: 'ticker', version: '1.0', vendor: 'Example', executionUnits: [{ name: 'ticker', entryPoint: ['./run.sh', 'one'] }] },
);
const CRASHER = tarGz(
  { 'crash.sh': '#!/bin/sh\necho about to fail >&2\nsleep 0.3\nexit 3\n' },
  { name: 'crasher', version: '1.0', executionUnits: [{ name: 'crasher', entryPoint: ['/bin/sh', './crash.sh'] }] },
);
const NO_ENTRY = tarGz({ 'x.txt': 'x' }, { name: 'inert', version: '1.0' });

let f: AgentFixture;
let c: TestController;
let server: ImageServer;

beforeAll(async () => {
  server = await startImageServer();
  server.routes.set('/ticker-1.0.tar.gz', { body: TICKER });
  server.routes.set('/crasher-1.0.tar.gz', { body: CRASHER });
  server.routes.set('/inert-1.0.tar.gz', { body: NO_ENTRY });
  server.routes.set('/plain-1.0.bin', { body: Buffer.from('no archive') });
  f = await startAgent({ platform: 'linux', vendorPrefix: PREFIX, pollIntervalMs: 100, extra: { [`Device.LocalAgent.${PREFIX}AllowLocalDownloads`]: true } });
  c = f.controller;
  await subscribe({ ID: 'du', NotifType: 'Event', ReferenceList: `${SM}DUStateChange!` });
  await subscribe({ ID: 'eu', NotifType: 'ValueChange', ReferenceList: `${SM}ExecutionUnit.*.Status` });
  await subscribe({ ID: 'fault', NotifType: 'ValueChange', ReferenceList: `${SM}ExecutionUnit.*.ExecutionFaultCode` });
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
  for (const p of r.getResp.reqPathResults) for (const res of p.resolvedPathResults ?? []) for (const [k, v] of Object.entries(res.resultParams)) out[res.resolvedPath + k] = v;
  return out;
}

type Ns = ReturnType<typeof notifications>;
const duEvent = (from: number) => (ns: Ns) => ns.slice(from).find((n) => n.notify.notification === 'event' && n.notify.event.eventName === 'DUStateChange!')?.notify;
const euStatus = (path: string, value: string, from: number) => (ns: Ns) =>
  ns.slice(from).find((n) => n.notify.notification === 'valueChange' && n.notify.valueChange.paramPath === path && n.notify.valueChange.paramValue === value);

/** InstallDU() into ExecEnv.`ee`; the DUStateChange! arguments. */
async function install(path: string, ee: number): Promise<Record<string, string>> {
  const from = notifications(c).length;
  expect((await operateOne(c, `${SM}InstallDU()`, { URL: server.url(path), ExecutionEnvRef: `${SM}ExecEnv.${ee}` }, path)).operationResp).toBe('reqObjPath');
  const n = await waitForNotification(c, duEvent(from), 10_000);
  return n.notification === 'event' ? (n.event.params ?? {}) : {};
}

async function setState(eu: string, state: 'Active' | 'Idle', timeoutMs = 10_000): Promise<void> {
  const from = notifications(c).length;
  outputArgs(await operateOne(c, `${eu}.SetRequestedState()`, { RequestedState: state }, `${eu}-${state}`));
  await waitForNotification(c, euStatus(`${eu}.Status`, state, from), timeoutMs);
}

/** The unit's directory: the EU's log file lives there (docs/software-modules.md). */
function duDir(): string {
  const units = JSON.parse(readFileSync(join(f.dataDir, 'software', 'units.json'), 'utf8')) as { units: Array<{ n: number; dir: string }> };
  return join(f.dataDir, 'software', units.units.at(-1)!.dir);
}

describe('Process EE (ExecEnv.1)', () => {
  it('is ExecEnv.1 with the host file system free space', async () => {
    const v = await get(`${SM}ExecEnv.1.`);
    expect(v).toMatchObject({ [`${SM}ExecEnv.1.Name`]: 'Process EE', [`${SM}ExecEnv.1.Status`]: 'Up' });
    expect(Number(v[`${SM}ExecEnv.1.AvailableDiskSpace`])).toBeGreaterThan(0);
  });

  it('a real process: Active runs it (output in its log), Idle stops it with SIGTERM', async () => {
    const ev = await install('/ticker-1.0.tar.gz', 1);
    expect(ev).toMatchObject({ CurrentState: 'Installed', 'Fault.FaultCode': '0', Version: '1.0' });
    const eu = ev.ExecutionUnitRefList;
    const dir = duDir();
    await setState(eu, 'Active');
    // The process runs: its ticks appear, and it shows in MemoryInUse.
    for (const deadline = Date.now() + 5000; !existsSync(join(dir, 'ticks.txt'));) {
      if (Date.now() > deadline) throw new Error('the unit never ran');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(Number((await get(`${eu}.MemoryInUse`))[`${eu}.MemoryInUse`])).toBeGreaterThan(0);
    await setState(eu, 'Idle');
    const log = readFileSync(join(dir, '.usp-logs', 'ticker.log'), 'utf8');
    expect(log).toContain('ticker one up');
    expect(log).toContain('stopping');
    // Stopped means stopped: no more ticks.
    const ticks = readFileSync(join(dir, 'ticks.txt'), 'utf8');
    await new Promise((r) => setTimeout(r, 300));
    expect(readFileSync(join(dir, 'ticks.txt'), 'utf8')).toBe(ticks);
    expect((await get(`${eu}.ExecutionFaultCode`))[`${eu}.ExecutionFaultCode`]).toBe('NoFault');
  });

  it('a process that exits on its own: Idle with FailureWhileActive', async () => {
    const ev = await install('/crasher-1.0.tar.gz', 1);
    const eu = ev.ExecutionUnitRefList;
    const from = notifications(c).length;
    outputArgs(await operateOne(c, `${eu}.SetRequestedState()`, { RequestedState: 'Active' }, 'crash'));
    // Active is brief (polled values may skip it); the fault is what stays.
    await waitForNotification(c, (ns: Ns) => ns.slice(from).find((n) => n.notify.notification === 'valueChange' && n.notify.valueChange.paramPath === `${eu}.ExecutionFaultCode`), 5000);
    expect(await get(`${eu}.`)).toMatchObject({ [`${eu}.ExecutionFaultCode`]: 'FailureWhileActive', [`${eu}.ExecutionFaultMessage`]: 'exited with code 3' });
  });

  it('AutoRestart: a crashing unit is started again by the back-off, MaximumRetryCount times, then stays Idle', async () => {
    server.routes.set('/crasher-2.0.tar.gz', {
      body: tarGz(
        { 'crash.sh': '#!/bin/sh\necho about to fail\nsleep 0.2\nexit 3\n' },
        { name: 'crasher2', version: '2.0', executionUnits: [{ name: 'crasher2', entryPoint: ['/bin/sh', './crash.sh'] }] },
      ),
    });
    const from = notifications(c).length;
    expect(
      (
        await operateOne(
          c,
          `${SM}InstallDU()`,
          {
            URL: server.url('/crasher-2.0.tar.gz'),
            ExecutionEnvRef: `${SM}ExecEnv.1`,
            'AutoRestart.Enable': 'true',
            'AutoRestart.RetryMinimumWaitInterval': '0',
            'AutoRestart.RetryMaximumWaitInterval': '1',
            'AutoRestart.RetryIntervalMultiplier': '1000',
            'AutoRestart.MaximumRetryCount': '2',
          },
          'ar',
        )
      ).operationResp,
    ).toBe('reqObjPath');
    const ev = await waitForNotification(c, duEvent(from), 10_000);
    const eu = ev.notification === 'event' ? ev.event.params!.ExecutionUnitRefList : '';
    const dir = duDir();
    expect(await get(`${eu}.AutoRestart.`)).toMatchObject({ [`${eu}.AutoRestart.Enable`]: 'true', [`${eu}.AutoRestart.MaximumRetryCount`]: '2', [`${eu}.AutoRestart.RetryCount`]: '0' });
    outputArgs(await operateOne(c, `${eu}.SetRequestedState()`, { RequestedState: 'Active' }, 'ar-on'));
    // The first run and two restarts, then no more: RetryCount 2, nothing scheduled, Idle with the fault.
    const logFile = join(dir, '.usp-logs', 'crasher2.log');
    for (const deadline = Date.now() + 10_000; ;) {
      const runs = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('about to fail').length - 1 : 0;
      const v = await get(`${eu}.`);
      if (runs === 3 && v[`${eu}.Status`] === 'Idle' && v[`${eu}.AutoRestart.RetryCount`] === '2' && v[`${eu}.AutoRestart.NextRestart`] === '0001-01-01T00:00:00Z') {
        expect(v[`${eu}.ExecutionFaultCode`]).toBe('FailureWhileActive');
        expect(v[`${eu}.AutoRestart.LastRestarted`]).not.toBe('0001-01-01T00:00:00Z');
        break;
      }
      if (runs > 3) throw new Error(`restarted more than MaximumRetryCount times: ${runs} runs`);
      if (Date.now() > deadline) throw new Error(`after 10 s: ${runs} runs, ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('a package without an entry point, or no tar.gz at all: 7225 Deployment Unit to Execution Environment Mismatch', async () => {
    expect(await install('/inert-1.0.tar.gz', 1)).toMatchObject({ CurrentState: 'Failed', 'Fault.FaultCode': '7225' });
    expect(await install('/plain-1.0.bin', 1)).toMatchObject({ CurrentState: 'Failed', 'Fault.FaultCode': '7225' });
  });
});

describe(`OCI EE (ExecEnv.2, ${RUNTIME ?? 'no runtime'})`, () => {
  it('a real container: Active runs it, Idle stops it', async () => {
    // No skipping: without a runtime this fails saying what to install.
    if (!RUNTIME) throw new Error('no OCI runtime (crun or runc) on this machine, so the OCI EE is NOT tested: apt-get install -y crun (.ci/run does)');
    expect((await get(`${SM}ExecEnv.2.Name`))[`${SM}ExecEnv.2.Name`]).toBe('OCI EE');
    // The bundle's root file system is the host's own /bin, /lib and /usr, mounted read-only.
    const config = {
      ociVersion: '1.0.2',
      process: {
        terminal: false,
        user: { uid: 0, gid: 0 },
        cwd: '/',
        env: ['PATH=/usr/bin:/bin'],
        args: ['/bin/sh', '-c', "trap 'echo container stopping; exit 0' TERM; echo container up; hostname; while :; do sleep 0.1; done"],
      },
      root: { path: 'rootfs', readonly: true },
      hostname: 'usp-eu',
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc' },
        ...['/bin', '/lib', '/lib64', '/usr'].filter((d) => existsSync(d)).map((d) => ({ destination: d, type: 'bind', source: d, options: ['rbind', 'ro'] })),
      ],
      linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'uts' }, { type: 'ipc' }] },
    };
    server.routes.set('/box-1.0.tar.gz', { body: tarGz({ 'config.json': JSON.stringify(config), 'rootfs/.keep': '' }, { name: 'box', version: '1.0', executionUnits: [{ name: 'box' }] }) });
    const ev = await install('/box-1.0.tar.gz', 2);
    expect(ev).toMatchObject({ CurrentState: 'Installed', 'Fault.FaultCode': '0' });
    const eu = ev.ExecutionUnitRefList;
    const dir = duDir();
    await setState(eu, 'Active');
    const logFile = join(dir, '.usp-logs', 'box.log');
    for (const deadline = Date.now() + 10_000; !(existsSync(logFile) && readFileSync(logFile, 'utf8').includes('usp-eu'));) {
      if (Date.now() > deadline) throw new Error(`the container never said its hostname: ${existsSync(logFile) ? readFileSync(logFile, 'utf8') : 'no log'}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await setState(eu, 'Idle');
    expect(readFileSync(logFile, 'utf8')).toContain('container stopping');
    expect((await get(`${eu}.ExecutionFaultCode`))[`${eu}.ExecutionFaultCode`]).toBe('NoFault');
  });
});
