/**
 * The `usp-agent run` process as a user (or procd) sees it: the real binary, a real data
 * directory, real signals. Start-up failures, persistence across restarts, the corrupt-state
 * recovery, Reboot()/FactoryReset() restarting in-process, and the one-line-per-event log format.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { GetResp, Request } from '../../agent/codec/types.js';
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';
import { AGENT_EID, CONTROLLER_EID, testDefaults } from '../peers/agent-fixture.js';
import { add } from '../peers/controller-steps.js';
import { AgentProcess, type AgentProcessOptions, type OutputLine } from '../peers/agent-process.js';
import { TestController, asResponse, freePort, waitForNotification } from '../peers/TestController.js';

/** agent/cli/main.ts EXIT_START_FAILED and EXIT_RESTART (not imported: main.ts pulls in the whole agent). */
const EXIT_START_FAILED = 2;
const EXIT_RESTART = 3;
const LOG_LINE = /^level=(error|warn|info|debug) component=\S+ msg=".*"/;
const KEEP_ALIVE = 'Device.LocalAgent.MTP.1.WebSocket.KeepAliveInterval';

/** The tests' factory defaults, plus a KeepAliveInterval that the persistence tests change and read back. */
function defaults(port: number, extra: DefaultsFile = {}): DefaultsFile {
  return testDefaults(port, { [KEEP_ALIVE]: 60, ...extra });
}

/** Every line any agent process printed in this file, for the log-format check at the end. */
const allLines: OutputLine[] = [];
const tmpDirs: string[] = [];
const controllers: TestController[] = [];

/** `usp-agent run` as every agent process of this file starts, its lines also kept in `allLines`. */
function spawnAgent(defaultsFile: string, dataDir: string, logLevel?: AgentProcessOptions['logLevel']): AgentProcess {
  return AgentProcess.start(defaultsFile, dataDir, { logLevel, onLine: (l) => allLines.push(l) });
}

/** A fresh temp dir with a defaults file on a free port, and the data dir path (not created). */
async function setup(extra: DefaultsFile = {}): Promise<{ dir: string; port: number; defaultsFile: string; dataDir: string; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'usp-agent-cli-'));
  tmpDirs.push(dir);
  const port = await freePort();
  const defaultsFile = join(dir, 'defaults.json');
  writeFileSync(defaultsFile, JSON.stringify(defaults(port, extra), null, 2));
  return { dir, port, defaultsFile, dataDir: join(dir, 'data'), url: `ws://127.0.0.1:${port}/usp` };
}

/** Starts the agent and waits until it serves WebSocket. */
async function startListening(defaultsFile: string, dataDir: string, logLevel?: AgentProcessOptions['logLevel']): Promise<AgentProcess> {
  const p = spawnAgent(defaultsFile, dataDir, logLevel);
  await p.waitForLine(/websocket server listening/);
  return p;
}

async function connect(url: string): Promise<TestController> {
  const c = await TestController.connect(url, CONTROLLER_EID, AGENT_EID);
  controllers.push(c);
  return c;
}

async function get(c: TestController, paths: string[]): Promise<GetResp['reqPathResults']> {
  const r = asResponse(await c.send({ reqType: 'get', get: { paramPaths: paths, maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(`expected GetResp, got ${r.respType}`);
  return r.getResp.reqPathResults;
}

/** The value of one parameter, or throws with the per-path error. */
async function getValue(c: TestController, path: string): Promise<string> {
  const [r] = await get(c, [path]);
  if (r.errCode) throw new Error(`${path}: ${r.errCode} ${r.errMsg ?? ''}`);
  const leaf = path.slice(path.lastIndexOf('.') + 1);
  return r.resolvedPathResults![0].resultParams[leaf];
}

async function addSubscription(c: TestController, id: string, persistent = true): Promise<string> {
  const req: Request = {
    reqType: 'add',
    add: {
      allowPartial: false,
      createObjs: [
        {
          objPath: 'Device.LocalAgent.Subscription.',
          paramSettings: [
            { param: 'ID', value: id, required: true },
            // Only persistent subscriptions survive a restart (TR-181 Subscription.Persistent).
            { param: 'Persistent', value: String(persistent), required: true },
            { param: 'NotifType', value: 'ValueChange', required: true },
            { param: 'ReferenceList', value: 'Device.DeviceInfo.HostName', required: true },
          ],
        },
      ],
    },
  };
  const r = asResponse(await c.send(req));
  if (r.respType !== 'addResp') throw new Error(r.respType);
  const st = r.addResp.createdObjResults[0].operStatus;
  if (st.operStatus !== 'operSuccess') throw new Error(JSON.stringify(st));
  return st.operSuccess.instantiatedPath;
}

async function setValue(c: TestController, objPath: string, param: string, value: string): Promise<void> {
  const r = asResponse(await c.send({ reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath, paramSettings: [{ param, value, required: true }] }] } }));
  if (r.respType !== 'setResp' || r.setResp.updatedObjResults[0].operStatus.operStatus !== 'operSuccess') throw new Error(JSON.stringify(r));
}

async function del(c: TestController, path: string): Promise<void> {
  const r = asResponse(await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [path] } }));
  if (r.respType !== 'deleteResp' || r.deleteResp.deletedObjResults[0].operStatus.operStatus !== 'operSuccess') throw new Error(JSON.stringify(r));
}

/** The IDs of the Subscription rows, by instance path. */
async function subscriptions(c: TestController): Promise<Record<string, string>> {
  const [r] = await get(c, ['Device.LocalAgent.Subscription.*.ID']);
  expect(r.errCode ?? 0).toBe(0);
  return Object.fromEntries(r.resolvedPathResults!.map((x) => [x.resolvedPath, x.resultParams.ID]));
}

const instanceOf = (path: string): number => Number(path.split('.').at(-2));

async function waitClosed(c: TestController, timeoutMs = 3000): Promise<{ code: number; reason: string }> {
  const deadline = Date.now() + timeoutMs;
  while (!c.closed) {
    if (Date.now() > deadline) throw new Error(`connection not closed within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return c.closed;
}

afterEach(async () => {
  await Promise.allSettled(controllers.splice(0).map((c) => c.close()));
  await AgentProcess.killAll();
});

afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

describe('usp-agent run: stopping', () => {
  it('SIGTERM with a controller connected: exit 0 within 2 s, state.json saved and parseable', async () => {
    const s = await setup();
    const agent = await startListening(s.defaultsFile, s.dataDir);
    const c = await connect(s.url);
    expect(await getValue(c, 'Device.LocalAgent.EndpointID')).toBe(AGENT_EID);

    const outputClosed = new Promise((r) => agent.child.once('close', r));
    const { code, ms } = await agent.terminate();
    expect(code).toBe(0);
    // The README's bound for SIGTERM.
    expect(ms).toBeLessThan(2000);
    // main.ts's 1.9 s hard-stop fallback also exits 0: its log line tells a stop() that hung.
    await outputClosed;
    expect(agent.count(/stop did not finish in time/)).toBe(0);
    // The controller is told the agent is going away (1001), not just dropped.
    expect((await waitClosed(c)).code).toBe(1001);
    const file = join(s.dataDir, 'state.json');
    expect(existsSync(file)).toBe(true);
    const state = JSON.parse(readFileSync(file, 'utf8')) as { format: number; rows: Record<string, Record<string, unknown>> };
    expect(state.format).toBe(1);
    expect(state.rows['Device.LocalAgent.']?.EndpointID).toBe(AGENT_EID);
    expect(state.rows['Device.LocalAgent.Controller.1.']?.EndpointID).toBe(CONTROLLER_EID);
  });
});

describe('usp-agent run: persistence', () => {
  it('a Subscription survives a restart with its instance number; instance numbers are never reused', async () => {
    const s = await setup();
    let agent = await startListening(s.defaultsFile, s.dataDir);
    let c = await connect(s.url);
    const kept = await addSubscription(c, 'persist-kept');
    const dropped = await addSubscription(c, 'persist-dropped');
    const volatile = await addSubscription(c, 'not-persistent', false);
    expect(instanceOf(dropped)).toBeGreaterThan(instanceOf(kept));
    await del(c, dropped);
    expect((await agent.terminate()).code).toBe(0);

    agent = await startListening(s.defaultsFile, s.dataDir);
    await agent.waitForLine(/msg="agent started"/);
    expect(agent.count(/msg="agent started".* restored=true/)).toBe(1);
    expect(agent.count(/factory defaults applied/)).toBe(0);
    c = await connect(s.url);
    // The non-persistent subscription is gone after the restart; the persistent one stays.
    expect(await subscriptions(c)).toEqual({ [kept]: 'persist-kept' });
    expect(instanceOf(volatile)).toBeGreaterThan(instanceOf(dropped));
    expect(await getValue(c, `${kept}NotifType`)).toBe('ValueChange');
    expect(await getValue(c, `${kept}Recipient`)).toBe('Device.LocalAgent.Controller.1');
    // The counter was saved too: the deleted row's number is not handed out again.
    const next = await addSubscription(c, 'persist-next');
    expect(instanceOf(next)).toBeGreaterThan(instanceOf(dropped));
  }, 15_000);

  it('saved state wins over a changed defaults file', async () => {
    const s = await setup();
    const agent = await startListening(s.defaultsFile, s.dataDir);
    let c = await connect(s.url);
    expect(await getValue(c, KEEP_ALIVE)).toBe('60');
    expect((await agent.terminate()).code).toBe(0);

    writeFileSync(s.defaultsFile, JSON.stringify(defaults(s.port, { [KEEP_ALIVE]: 30, 'Device.LocalAgent.Controller.1.Enable': false })));
    await startListening(s.defaultsFile, s.dataDir); // stopped by afterEach's killAll
    c = await connect(s.url);
    expect(await getValue(c, KEEP_ALIVE)).toBe('60');
    expect(await getValue(c, 'Device.LocalAgent.Controller.1.Enable')).toBe('true');
  }, 15_000);
});

describe('usp-agent run: bad factory defaults stop the start', () => {
  const cases: { name: string; write: (file: string, port: number) => void; expected: string }[] = [
    { name: 'an unknown path', write: (f, p) => writeFileSync(f, JSON.stringify(defaults(p, { 'Device.LocalAgent.Nope': 1 }))), expected: 'Device.LocalAgent.Nope' },
    { name: 'a bad value', write: (f, p) => writeFileSync(f, JSON.stringify(defaults(p, { 'Device.LocalAgent.MTP.1.Enable': 'maybe' }))), expected: 'Device.LocalAgent.MTP.1.Enable' },
    { name: 'a file that is not JSON', write: (f) => writeFileSync(f, '{ "Device.LocalAgent.EndpointID": "proto::x", oops'), expected: 'defaults.json' },
  ];
  for (const t of cases) {
    it(`${t.name}: non-zero exit, stderr names it, no state written`, async () => {
      const s = await setup();
      t.write(s.defaultsFile, s.port);
      const agent = spawnAgent(s.defaultsFile, s.dataDir);
      expect(await agent.exit()).toBe(EXIT_START_FAILED);
      expect(agent.stderr()).toContain(t.expected);
      expect(agent.stderr()).toMatch(/^level=error component=\S+ msg=".*factory defaults/m);
      expect(agent.count(/websocket server listening/)).toBe(0);
      // Nothing half-applied is saved: fixing the file and starting again applies it cleanly.
      expect(existsSync(join(s.dataDir, 'state.json'))).toBe(false);
    });
  }
});

describe('usp-agent run: corrupt state file', () => {
  it('is moved aside and logged; the agent starts from factory defaults and answers', async () => {
    const s = await setup();
    mkdirSync(s.dataDir, { recursive: true });
    const garbage = '{"format":1,"rows":{"Device.LocalAgent.":{"EndpointID":"trunc';
    writeFileSync(join(s.dataDir, 'state.json'), garbage);

    const agent = await startListening(s.defaultsFile, s.dataDir);
    const aside = readdirSync(s.dataDir).filter((f) => /^state\.json\.corrupt-\d+$/.test(f));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(s.dataDir, aside[0]), 'utf8')).toBe(garbage);
    expect(agent.stderr()).toMatch(/^level=error component=agent msg="state file unreadable; starting from factory defaults".*movedTo=".*state\.json\.corrupt-\d+"/m);
    expect(agent.count(/msg="factory defaults applied"/)).toBe(1);
    // A fresh, valid state file replaces the corrupt one.
    expect(JSON.parse(readFileSync(join(s.dataDir, 'state.json'), 'utf8'))).toMatchObject({ format: 1 });

    const c = await connect(s.url);
    expect(await getValue(c, 'Device.LocalAgent.EndpointID')).toBe(AGENT_EID);
    expect(await getValue(c, KEEP_ALIVE)).toBe('60');
  });
});

/** Sends Operate(command) and returns the single OperationResult. */
async function operate(c: TestController, command: string, commandKey: string) {
  const r = asResponse(await c.send({ reqType: 'operate', operate: { command, commandKey, sendResp: true, inputArgs: {} } }));
  if (r.respType !== 'operateResp') throw new Error(r.respType);
  expect(r.operateResp.operationResults).toHaveLength(1);
  return r.operateResp.operationResults[0];
}

describe('usp-agent run: Boot! after Reboot()', () => {
  it('a persistent Boot! subscriber gets Cause RemoteReboot, the CommandKey and its BootParameter map (TP-469 9.10 style)', async () => {
    const s = await setup({
      'Device.LocalAgent.Controller.1.BootParameter.1.Enable': true,
      'Device.LocalAgent.Controller.1.BootParameter.1.ParameterName': 'Device.LocalAgent.EndpointID',
    });
    const agent = await startListening(s.defaultsFile, s.dataDir);
    let c = await connect(s.url);
    await add(c, 'Device.LocalAgent.Subscription.', { ID: 'boot', Enable: 'true', Persistent: 'true', NotifType: 'Event', ReferenceList: 'Device.Boot!' });
    const from = agent.lines.length;
    await operate(c, 'Device.Reboot()', 'rb-42');
    await waitClosed(c);
    await agent.waitForLine(/websocket server listening/, { from });
    c = await connect(s.url);
    const boot = await waitForNotification(c, (ns) => ns.find((n) => n.notify.subscriptionId === 'boot'), 5000);
    expect(boot.notify).toMatchObject({ notification: 'event', event: { objPath: 'Device.', eventName: 'Boot!', params: { Cause: 'RemoteReboot', CommandKey: 'rb-42', FirmwareUpdated: 'false' } } });
    const n = boot.notify;
    if (n.notification !== 'event') throw new Error();
    expect(JSON.parse(n.event.params!.ParameterMap)).toEqual({ 'Device.LocalAgent.EndpointID': AGENT_EID });
  }, 15_000);
});

describe('usp-agent run --platform linux: Reboot() exits for the service manager', () => {
  it('answers, saves state and exits with EXIT_RESTART (3); the next start says RemoteReboot in Boot!', async () => {
    const s = await setup();
    let agent = AgentProcess.start(s.defaultsFile, s.dataDir, { platform: 'linux', onLine: (l) => allLines.push(l) });
    await agent.waitForLine(/websocket server listening/);
    let c = await connect(s.url);
    await add(c, 'Device.LocalAgent.Subscription.', { ID: 'boot-after-exit', Enable: 'true', Persistent: 'true', NotifType: 'Event', ReferenceList: 'Device.Boot!' });
    const res = await operate(c, 'Device.Reboot()', 'rb-exit');
    expect(res.operationResp).toBe('reqOutputArgs');
    expect(await agent.exit()).toBe(EXIT_RESTART);
    expect(agent.count(/msg="restart requested; exiting for the service manager to start the agent again" cause="RemoteReboot" exitCode=3/)).toBe(1);
    // What procd does: start it again.
    agent = AgentProcess.start(s.defaultsFile, s.dataDir, { platform: 'linux', onLine: (l) => allLines.push(l) });
    await agent.waitForLine(/websocket server listening/);
    c = await connect(s.url);
    const boot = await waitForNotification(c, (ns) => ns.find((n) => n.notify.subscriptionId === 'boot-after-exit'), 5000);
    expect(boot.notify).toMatchObject({ event: { eventName: 'Boot!', params: { Cause: 'RemoteReboot', CommandKey: 'rb-exit' } } });
    expect((await agent.terminate()).code).toBe(0);
  }, 20_000);
});

describe('usp-agent run: Reboot() and FactoryReset() restart in-process', () => {
  it('Device.Reboot(): OperateResp, connection dropped, same process serves again, state kept', async () => {
    const s = await setup();
    const agent = await startListening(s.defaultsFile, s.dataDir);
    const pid = agent.child.pid;
    let c = await connect(s.url);
    const sub = await addSubscription(c, 'survives-reboot');
    await setValue(c, 'Device.LocalAgent.MTP.1.WebSocket.', 'KeepAliveInterval', '45');

    const firstListen = await agent.waitForLine(/websocket server listening/);
    const res = await operate(c, 'Device.Reboot()', 'reboot-1');
    expect(res).toEqual({ executedCommand: 'Device.Reboot()', operationResp: 'reqOutputArgs', reqOutputArgs: { outputArgs: {} } });
    expect((await waitClosed(c)).code).toBe(1001);

    const restarting = await agent.waitForLine(/msg="restarting in-process" cause="RemoteReboot"/, { from: firstListen + 1 });
    await agent.waitForLine(/websocket server listening/, { from: restarting + 1 });
    expect(agent.alive).toBe(true);
    expect(agent.child.pid).toBe(pid);
    await agent.waitForLine(/msg="agent started"/, { from: restarting + 1 });
    expect(agent.count(/msg="agent started".* restored=true/)).toBe(1);

    c = await connect(s.url);
    expect(await getValue(c, 'Device.LocalAgent.EndpointID')).toBe(AGENT_EID);
    expect(await subscriptions(c)).toEqual({ [sub]: 'survives-reboot' });
    expect(await getValue(c, KEEP_ALIVE)).toBe('45');
    expect((await agent.terminate()).code).toBe(0);
  }, 15_000);

  it('Device.FactoryReset(): Subscriptions gone and the defaults back after the in-process restart', async () => {
    const s = await setup();
    const agent = await startListening(s.defaultsFile, s.dataDir);
    let c = await connect(s.url);
    await addSubscription(c, 'gone-after-reset');
    await setValue(c, 'Device.LocalAgent.MTP.1.WebSocket.', 'KeepAliveInterval', '45');
    expect(await getValue(c, KEEP_ALIVE)).toBe('45');

    const firstListen = await agent.waitForLine(/websocket server listening/);
    const res = await operate(c, 'Device.FactoryReset()', 'reset-1');
    expect(res).toEqual({ executedCommand: 'Device.FactoryReset()', operationResp: 'reqOutputArgs', reqOutputArgs: { outputArgs: {} } });
    expect((await waitClosed(c)).code).toBe(1001);

    const restarting = await agent.waitForLine(/msg="restarting in-process" cause="RemoteFactoryReset"/, { from: firstListen + 1 });
    await agent.waitForLine(/websocket server listening/, { from: restarting + 1 });
    expect(agent.alive).toBe(true);
    // The saved state is forgotten before the next start (this once raced the supervisor loop).
    const started = await agent.waitForLine(/msg="agent started"/, { from: restarting + 1 });
    expect(agent.lines[started].text).toContain('restored=false');
    expect(agent.count(/msg="factory defaults applied"/)).toBe(2);

    c = await connect(s.url);
    // R-NOT.5: after a factory reset the agent asks every enabled controller to on-board it again.
    const onboard = await waitForNotification(c, (ns) => ns.find((n) => n.notify.notification === 'onBoardReq'), 3000);
    expect(onboard.notify).toMatchObject({ subscriptionId: '', sendResp: true });
    expect(await subscriptions(c)).toEqual({});
    expect(await getValue(c, 'Device.LocalAgent.SubscriptionNumberOfEntries')).toBe('0');
    expect(await getValue(c, KEEP_ALIVE)).toBe('60');
    expect(await getValue(c, 'Device.LocalAgent.Controller.1.EndpointID')).toBe(CONTROLLER_EID);
    // What was saved after the reset is the defaults, not the old state.
    expect((await agent.terminate()).code).toBe(0);
    const state = JSON.parse(readFileSync(join(s.dataDir, 'state.json'), 'utf8')) as { rows: Record<string, Record<string, unknown>> };
    expect(Object.keys(state.rows).filter((k) => k.startsWith('Device.LocalAgent.Subscription.'))).toEqual([]);
    expect(state.rows['Device.LocalAgent.MTP.1.WebSocket.']?.KeepAliveInterval).toBe(60);
  }, 15_000);
});

describe('usp-agent run: log format', () => {
  it('every line at debug level is level=... component=... msg="..."', async () => {
    const s = await setup();
    const agent = await startListening(s.defaultsFile, s.dataDir, 'debug');
    const c = await connect(s.url);
    expect(await getValue(c, 'Device.LocalAgent.EndpointID')).toBe(AGENT_EID);
    await get(c, ['Device.Nope.', 'Device.LocalAgent.[']);
    await c.close();
    await agent.waitForLine(/msg="controller disconnected"/);
    expect((await agent.terminate()).code).toBe(0);
    expect(agent.lines.length).toBeGreaterThanOrEqual(5);
    expect(agent.lines.filter((l) => !LOG_LINE.test(l.text))).toEqual([]);
    // Warnings and errors go to stderr, the rest to stdout.
    for (const l of agent.lines) expect(l.stream).toBe(/^level=(error|warn) /.test(l.text) ? 'stderr' : 'stdout');
  });

  it('so is every line printed by every agent process in this file (start failures included)', () => {
    expect(allLines.length).toBeGreaterThan(30);
    expect(allLines.filter((l) => !LOG_LINE.test(l.text))).toEqual([]);
    expect(allLines.filter((l) => /^level=(error|warn) /.test(l.text) !== (l.stream === 'stderr'))).toEqual([]);
  });
});
