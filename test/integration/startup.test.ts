/**
 * Start-up as an operator meets it, with the real built agent (`npm run build` first): a data
 * directory the agent cannot use, a second agent on the same directory, the modes of what it
 * writes, bad options, and SIGTERM while it starts. Every refusal exits with 2 and one error line
 * that names the option or path and the fix.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';
import { AGENT_EID, CONTROLLER_EID, testDefaults } from '../peers/agent-fixture.js';
import { AgentProcess, type AgentProcessOptions } from '../peers/agent-process.js';
import { TestController, asResponse, freePort } from '../peers/TestController.js';
import { readSavedState } from '../../datamodel/store/SavedImage.js';

/** agent/cli/main.ts EXIT_START_FAILED (not imported: main.ts pulls in the whole agent). */
const EXIT_START_FAILED = 2;
const LOCK_FILE = 'usp-agent.lock';
const LOG_LINE = /^level=(error|warn|info|debug) component=\S+ msg=".*"/;

const tmpDirs: string[] = [];
const controllers: TestController[] = [];

afterEach(async () => {
  await Promise.allSettled(controllers.splice(0).map((c) => c.close()));
  await AgentProcess.killAll();
});

afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh temp dir with a defaults file on a free port, and the data dir path (not created). */
async function setup(extra: DefaultsFile = {}): Promise<{ dir: string; port: number; defaultsFile: string; dataDir: string; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'usp-agent-startup-'));
  tmpDirs.push(dir);
  const port = await freePort();
  const defaultsFile = join(dir, 'defaults.json');
  writeFileSync(defaultsFile, JSON.stringify(testDefaults(port, extra), null, 2));
  return { dir, port, defaultsFile, dataDir: join(dir, 'data'), url: `ws://127.0.0.1:${port}/usp` };
}

async function startListening(defaultsFile: string, dataDir: string, opts?: AgentProcessOptions): Promise<AgentProcess> {
  const p = AgentProcess.start(defaultsFile, dataDir, opts);
  await p.waitForLine(/websocket server listening/);
  return p;
}

/** Runs an agent that must refuse to start; returns its one error line. */
async function refused(defaultsFile: string, dataDir: string, opts?: AgentProcessOptions): Promise<string> {
  const p = AgentProcess.start(defaultsFile, dataDir, opts);
  expect(await p.exit(), p.text).toBe(EXIT_START_FAILED);
  expect(p.count(/websocket server listening/)).toBe(0);
  expect(p.lines.filter((l) => !LOG_LINE.test(l.text))).toEqual([]);
  const errors = p.lines.filter((l) => l.stream === 'stderr' && l.text.startsWith('level=error '));
  expect(errors, p.text).toHaveLength(1);
  return errors[0].text;
}

async function setKeepAlive(c: TestController, value: string): Promise<void> {
  const r = asResponse(
    await c.send({
      reqType: 'set',
      set: { allowPartial: false, updateObjs: [{ objPath: 'Device.LocalAgent.MTP.1.WebSocket.', paramSettings: [{ param: 'KeepAliveInterval', value, required: true }] }] },
    }),
  );
  if (r.respType !== 'setResp' || r.setResp.updatedObjResults[0].operStatus.operStatus !== 'operSuccess') throw new Error(JSON.stringify(r));
}

const mode = (p: string): number => statSync(p).mode & 0o777;

describe('usp-agent run: a data directory the agent cannot use stops the start', () => {
  it('--data-dir under /proc: exit 2 at once (it used to spin a core and ignore SIGTERM), naming --data-dir and the fix', async () => {
    const s = await setup();
    const line = await refused(s.defaultsFile, '/proc/usp-agent-test');
    expect(line).toContain('--data-dir /proc/usp-agent-test: /proc does not allow creating files or directories');
    expect(line).toContain('give a directory on writable, persistent storage');
  });

  it("--data-dir where the agent's user may not write: exit 2, naming the place and the fix (not a raw EACCES)", async () => {
    const s = await setup();
    const parent = join(s.dir, 'not-yours');
    mkdirSync(parent);
    // Root may write anywhere: then the agent runs as nobody, in a directory only root may write.
    const asRoot = process.getuid?.() === 0;
    chmodSync(s.dir, 0o755);
    chmodSync(parent, asRoot ? 0o755 : 0o555);
    const line = await refused(s.defaultsFile, join(parent, 'data'), asRoot ? { user: { uid: 65534, gid: 65534 } } : {});
    expect(line).toContain(`--data-dir ${join(parent, 'data')}: permission denied in ${parent} for the agent's user`);
    expect(line).toContain('make it owned by that user');
    expect(line).not.toContain('EACCES');
  });

  it('--data-dir through a regular file: exit 2, naming it', async () => {
    const s = await setup();
    const line = await refused(s.defaultsFile, join(s.defaultsFile, 'data'));
    expect(line).toContain(`--data-dir ${join(s.defaultsFile, 'data')}: `);
    expect(line).toContain('is not a directory');
  });
});

describe('usp-agent run: one agent per data directory', () => {
  it('a second agent on the same directory is refused (exit 2, names the directory); the first keeps saving Sets', async () => {
    const s = await setup();
    const first = await startListening(s.defaultsFile, s.dataDir);
    const lock = JSON.parse(readFileSync(join(s.dataDir, LOCK_FILE), 'utf8')) as { pid: number };
    expect(lock.pid).toBe(first.pid);

    const line = await refused(s.defaultsFile, s.dataDir);
    expect(line).toContain(`--data-dir ${s.dataDir}: in use by another usp-agent (pid ${first.pid})`);

    // The refused agent touched nothing: the first one's Sets are still saved.
    const c = await TestController.connect(s.url, CONTROLLER_EID, AGENT_EID);
    controllers.push(c);
    await setKeepAlive(c, '77');
    // While it runs, the saved state is state.json plus the journal.
    expect(readSavedState(s.dataDir)?.rows['Device.LocalAgent.MTP.1.WebSocket.']?.KeepAliveInterval).toBe(77);
    expect((await first.terminate()).code).toBe(0);
    // A clean stop gives the directory back.
    expect(existsSync(join(s.dataDir, LOCK_FILE))).toBe(false);
  });

  it('after kill -9 of the holder the lock is stale: the next agent takes it over and starts', async () => {
    const s = await setup();
    const first = await startListening(s.defaultsFile, s.dataDir);
    await first.kill9();
    expect(existsSync(join(s.dataDir, LOCK_FILE))).toBe(true);
    const second = await startListening(s.defaultsFile, s.dataDir);
    expect(second.count(new RegExp(`level=warn .*msg="removed the stale lock of an agent that is no longer running".* pid=${first.pid}`))).toBe(1);
    expect((await second.terminate()).code).toBe(0);
  });
});

describe("usp-agent run: the data directory is the agent user's only", () => {
  it('under umask 000 the directory is created 0700 and every file in it 0600', async () => {
    const s = await setup();
    const agent = await startListening(s.defaultsFile, join(s.dataDir, 'nested'), { umask: 0o000 });
    expect(mode(s.dataDir)).toBe(0o700);
    expect(mode(join(s.dataDir, 'nested'))).toBe(0o700);
    expect(mode(join(s.dataDir, 'nested', 'state.json'))).toBe(0o600);
    expect(mode(join(s.dataDir, 'nested', LOCK_FILE))).toBe(0o600);
    // The journal a commit appends to holds the same secrets as state.json.
    const c = await TestController.connect(s.url, CONTROLLER_EID, AGENT_EID);
    controllers.push(c);
    await setKeepAlive(c, '78');
    expect(mode(join(s.dataDir, 'nested', 'state.journal'))).toBe(0o600);
    expect((await agent.terminate()).code).toBe(0);
  });

  it('an existing directory open to other users starts with a warning that names it and the fix', async () => {
    const s = await setup();
    mkdirSync(s.dataDir);
    chmodSync(s.dataDir, 0o755);
    const agent = await startListening(s.defaultsFile, s.dataDir);
    expect(
      agent.count(new RegExp(`^level=warn .*msg="data directory is open to other users; the saved state holds secrets in clear text" dir="${s.dataDir}" mode="0755" fix="chmod 700 ${s.dataDir}"`)),
    ).toBe(1);
    expect((await agent.terminate()).code).toBe(0);
  });
});

describe('usp-agent run: SIGTERM during start-up', () => {
  it('stops cleanly with exit 0 and gives the data directory back', async () => {
    const s = await setup();
    const agent = AgentProcess.start(s.defaultsFile, s.dataDir, { logLevel: 'debug' });
    // The first line comes from inside the start (the data directory is already locked then).
    await agent.waitForLine(/./);
    const { code } = await agent.terminate();
    expect(code, agent.text).toBe(0);
    expect(existsSync(join(s.dataDir, LOCK_FILE))).toBe(false);
    const again = await startListening(s.defaultsFile, s.dataDir);
    expect((await again.terminate()).code).toBe(0);
  });
});

describe('usp-agent run: bad options stop the start', () => {
  it('--seed abc: exit 2, naming --seed and what it takes', async () => {
    const s = await setup();
    const line = await refused(s.defaultsFile, s.dataDir, { args: ['--seed', 'abc'] });
    expect(line).toContain('--seed \\"abc\\": not a whole number');
  });

  it('--manage-interfaces or $manageInterfaces naming no possible interface, $manageDns not a path: exit 2, naming the setting and the fix', async () => {
    const s = await setup();
    expect(await refused(s.defaultsFile, s.dataDir, { args: ['--manage-interfaces', 'eth0,br/lan'] })).toContain('--manage-interfaces: \\"br/lan\\" is not a network interface name');
    writeFileSync(s.defaultsFile, JSON.stringify({ ...(JSON.parse(readFileSync(s.defaultsFile, 'utf8')) as object), $manageInterfaces: 'eth0' }));
    expect(await refused(s.defaultsFile, s.dataDir)).toContain('factory defaults: $manageInterfaces');
    writeFileSync(s.defaultsFile, JSON.stringify({ ...(JSON.parse(readFileSync(s.defaultsFile, 'utf8')) as object), $manageInterfaces: ['eth0'], $manageDns: 'resolv.conf' }));
    expect(await refused(s.defaultsFile, s.dataDir)).toContain('\\"resolv.conf\\" is not an absolute file path');
  });
});

describe('usp-agent run: factory defaults that would start a different agent stop the start', () => {
  it('an MTP Protocol outside SupportedProtocols (enumerationRef): exit 2, naming the path and the choices', async () => {
    const s = await setup({ 'Device.LocalAgent.MTP.1.Protocol': 'Websocket' });
    const line = await refused(s.defaultsFile, s.dataDir);
    expect(line).toContain('factory defaults: Device.LocalAgent.MTP.1.Protocol: \\"Websocket\\" is not one of Device.LocalAgent.SupportedProtocols (\\"WebSocket\\", \\"MQTT\\", \\"UDS\\")');
    expect(existsSync(join(s.dataDir, 'state.json'))).toBe(false);
  });

  it('a read-only parameter the device provides: exit 2, naming it (it used to be ignored)', async () => {
    const s = await setup({ 'Device.DeviceInfo.SoftwareVersion': '9.9.9' });
    const line = await refused(s.defaultsFile, s.dataDir);
    expect(line).toContain('factory defaults: Device.DeviceInfo.SoftwareVersion: read-only: the device provides this value, the factory defaults cannot set it; remove it from the file');
  });
});

describe('usp-agent run: a WebSocket port in use', () => {
  it("stops the start (exit 2) naming the MTP row's Port parameter and where to change it", async () => {
    const s = await setup();
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(s.port, r));
    try {
      const line = await refused(s.defaultsFile, s.dataDir);
      expect(line).toContain(
        `msg="Device.LocalAgent.MTP.1.WebSocket.Port ${s.port}: the port is in use by another program; stop that program, or change Device.LocalAgent.MTP.1.WebSocket.Port in the factory-defaults file`,
      );
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });
});
