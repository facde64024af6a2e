/**
 * Device.SoftwareModules. across restarts of the real `usp-agent run` process (simulated
 * gateway): installed units and their requested states survive a stop and start, AutoStart
 * units start at boot, and an install cut short by kill -9 leaves no unit and no files behind
 * (the unit is absent at the next start; SoftwareUnits.ts). The counters TR-181 keeps across
 * restarts survive too: ExecEnv.{i}.RestartCount ("since it was last disabled"), RestartReason,
 * LastRestarted, and ExecutionUnit.{i}.AutoRestart.RetryCount (reset only by a Set, Restart()
 * or a ResetPeriod without failure) and AutoRestart.LastRestarted.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AGENT_EID, CONTROLLER_EID } from '../peers/agent-fixture.js';
import { AgentProcess, writeDefaultsFile } from '../peers/agent-process.js';
import { TestController, asResponse, freePort } from '../peers/TestController.js';
import { operateOne, outputArgs } from '../peers/operate.js';
import { tarGz } from '../peers/software-packages.js';
import { startImageServer, type ImageServer } from '../unit/agent/firmware/image-server.js';

const SM = 'Device.SoftwareModules.';
const tmpDirs: string[] = [];
const controllers: TestController[] = [];
let server: ImageServer | undefined;

afterEach(async () => {
  await Promise.allSettled(controllers.splice(0).map((c) => c.close()));
  await AgentProcess.killAll();
});
afterAll(async () => {
  await server?.close();
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

async function get(c: TestController, path: string): Promise<Record<string, string>> {
  const r = asResponse(await c.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  const out: Record<string, string> = {};
  for (const p of r.getResp.reqPathResults) for (const res of p.resolvedPathResults ?? []) for (const [k, v] of Object.entries(res.resultParams)) out[res.resolvedPath + k] = v;
  return out;
}

/** Reads `path` until it has `value` (the state the test waits for), at most `timeoutMs`. */
async function until(c: TestController, path: string, value: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = (await get(c, path))[path];
    if (v === value) return;
    if (Date.now() > deadline) throw new Error(`${path} is ${v}, not ${value}, after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function start(defaultsFile: string, dataDir: string, url: string): Promise<{ agent: AgentProcess; c: TestController }> {
  const agent = AgentProcess.start(defaultsFile, dataDir);
  await agent.waitForLine(/msg="agent started"/);
  const c = await TestController.connect(url, CONTROLLER_EID, AGENT_EID);
  controllers.push(c);
  return { agent, c };
}

async function install(c: TestController, url: string, key: string): Promise<void> {
  const r = await operateOne(c, `${SM}InstallDU()`, { URL: url }, key);
  expect(r.operationResp).toBe('reqObjPath');
}

describe('SoftwareModules across agent restarts', () => {
  it('units, their EUs and requested states survive a restart; AutoStart EUs start at boot', async () => {
    server = await startImageServer();
    server.routes.set('/app-1.0.tar.gz', { body: tarGz({ 'a.txt': 'a' }, { name: 'app', version: '1.0', executionUnits: [{ name: 'app' }] }) });
    server.routes.set('/boot-2.0.tar.gz', { body: tarGz({ 'b.txt': 'b' }, { name: 'boot', version: '2.0', executionUnits: [{ name: 'boot', autoStart: true }] }) });
    server.routes.set('/stall-1.0.tar.gz', { body: Buffer.alloc(100_000, 7), stallAfter: 10_000 });
    const dir = mkdtempSync(join(tmpdir(), 'usp-agent-sw-restart-'));
    tmpDirs.push(dir);
    const port = await freePort();
    const defaultsFile = join(dir, 'defaults.json');
    writeDefaultsFile(defaultsFile, port);
    const dataDir = join(dir, 'data');
    const url = `ws://127.0.0.1:${port}/usp`;

    let { agent, c } = await start(defaultsFile, dataDir, url);
    // One after the other: an EU is numbered when its unit's install completes, and this test needs
    // app's EU to be ExecutionUnit.1 (two parallel installs may complete in either order).
    await install(c, server.url('/app-1.0.tar.gz'), 'i1');
    await until(c, `${SM}DeploymentUnit.1.Status`, 'Installed');
    await install(c, server.url('/boot-2.0.tar.gz'), 'i2');
    await until(c, `${SM}DeploymentUnitNumberOfEntries`, '2');
    await until(c, `${SM}DeploymentUnit.2.Status`, 'Installed');
    outputArgs(await operateOne(c, `${SM}ExecutionUnit.1.SetRequestedState()`, { RequestedState: 'Active' }, 'on'));
    await until(c, `${SM}ExecutionUnit.1.Status`, 'Active');
    // A new unit is Idle even with AutoStart: AutoStart acts when the EE starts.
    expect((await get(c, `${SM}ExecutionUnit.2.Status`))[`${SM}ExecutionUnit.2.Status`]).toBe('Idle');
    const before = await get(c, `${SM}DeploymentUnit.`);

    expect((await agent.terminate()).code).toBe(0);
    ({ agent, c } = await start(defaultsFile, dataDir, url));
    expect(await get(c, `${SM}DeploymentUnit.`)).toEqual(before);
    await until(c, `${SM}ExecutionUnit.1.Status`, 'Active');
    // On failure, show what the agent said at boot.
    await until(c, `${SM}ExecutionUnit.2.Status`, 'Active').catch((e: unknown) => {
      throw new Error(`${String(e)}\n${agent.text}`);
    });

    // kill -9 while an install downloads: the next start has no trace of it.
    await install(c, server.url('/stall-1.0.tar.gz'), 'i3');
    await until(c, `${SM}DeploymentUnit.3.Status`, 'Installing');
    const software = join(dataDir, 'software');
    // The download has begun: its partial file is there.
    for (const deadline = Date.now() + 5000; !readdirSync(software).some((n) => n.startsWith('download-'));) {
      if (Date.now() > deadline) throw new Error(`no partial download in ${software}: ${readdirSync(software).join(',')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await agent.kill9();
    ({ agent, c } = await start(defaultsFile, dataDir, url));
    expect((await get(c, `${SM}DeploymentUnitNumberOfEntries`))[`${SM}DeploymentUnitNumberOfEntries`]).toBe('2');
    expect(readdirSync(software).filter((n) => n.startsWith('download-') || n.startsWith('du-3-'))).toEqual([]);
    expect(agent.count(/removed what an interrupted install or update left/)).toBeGreaterThan(0);
    expect(existsSync(join(software, 'units.json'))).toBe(true);

    // A factory reset forgets the installed software: no unit, no files.
    const mark = agent.lines.length;
    outputArgs(await operateOne(c, 'Device.FactoryReset()', {}, 'reset'));
    await agent.waitForLine(/msg="agent started"/, { from: mark });
    c = await TestController.connect(url, CONTROLLER_EID, AGENT_EID);
    controllers.push(c);
    expect((await get(c, `${SM}DeploymentUnitNumberOfEntries`))[`${SM}DeploymentUnitNumberOfEntries`]).toBe('0');
    expect(readdirSync(software).filter((n) => n.startsWith('du-'))).toEqual([]);
  });

  it('ExecEnv RestartCount/RestartReason/LastRestarted and EU AutoRestart.RetryCount survive a restart; disabling the EE resets RestartCount', async () => {
    server ??= await startImageServer();
    server.routes.set('/count-1.0.tar.gz', { body: tarGz({ 'a.txt': 'a' }, { name: 'count', version: '1.0', executionUnits: [{ name: 'count' }] }) });
    const dir = mkdtempSync(join(tmpdir(), 'usp-agent-sw-counts-'));
    tmpDirs.push(dir);
    const port = await freePort();
    const defaultsFile = join(dir, 'defaults.json');
    writeDefaultsFile(defaultsFile, port);
    const dataDir = join(dir, 'data');
    const url = `ws://127.0.0.1:${port}/usp`;
    const EE = `${SM}ExecEnv.1.`;
    const EU = `${SM}ExecutionUnit.1.`;

    let { agent, c } = await start(defaultsFile, dataDir, url);
    await install(c, server.url('/count-1.0.tar.gz'), 'c1');
    await until(c, `${SM}DeploymentUnit.1.Status`, 'Installed');
    expect(
      asResponse(await c.send({ reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath: `${EU}AutoRestart.`, paramSettings: [{ param: 'RetryCount', value: '3', required: true }] }] } }))
        .respType,
    ).toBe('setResp');
    expect((await operateOne(c, `${EE}Restart()`, { Reason: 'kept across restarts' }, 'ee-r')).operationResp).toBe('reqObjPath');
    await until(c, `${EE}RestartCount`, '1');
    const before = await get(c, EE);
    expect(before[`${EE}LastRestarted`]).not.toBe('0001-01-01T00:00:00Z');

    expect((await agent.terminate()).code).toBe(0);
    ({ c } = await start(defaultsFile, dataDir, url)); // the agent is stopped by afterEach's killAll
    const after = await get(c, EE);
    expect({ RestartCount: after[`${EE}RestartCount`], RestartReason: after[`${EE}RestartReason`], LastRestarted: after[`${EE}LastRestarted`] }).toEqual({
      RestartCount: '1',
      RestartReason: 'kept across restarts',
      LastRestarted: before[`${EE}LastRestarted`],
    });
    expect((await get(c, `${EU}AutoRestart.RetryCount`))[`${EU}AutoRestart.RetryCount`]).toBe('3');

    // "The number of times the ExecEnv has been restarted since it was last disabled".
    expect(
      asResponse(await c.send({ reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath: EE, paramSettings: [{ param: 'Enable', value: 'false', required: true }] }] } })).respType,
    ).toBe('setResp');
    expect((await get(c, `${EE}RestartCount`))[`${EE}RestartCount`]).toBe('0');
  });
});
