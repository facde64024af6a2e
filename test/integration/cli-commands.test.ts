/**
 * `usp-agent get|set|add|delete|operate|instances|supported|watch|schema|completion` as a field
 * engineer runs them: a real agent process on a temp data directory, the real CLI binary talking
 * to it through `<data-dir>/control.sock`. Output, --json, exit codes 0/1/2/3, watch until
 * SIGINT, the socket's permissions, the reserved local controller identity, in-process restart.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from '../../agent/codec/types.js';
import { AGENT_EID, CONTROLLER_EID } from '../peers/agent-fixture.js';
import { add } from '../peers/controller-steps.js';
import { AgentProcess, writeDefaultsFile } from '../peers/agent-process.js';
import { CliProcess, runCli } from '../peers/cli-process.js';
import { TestController, asResponse, freePort, notifications, waitForNotification } from '../peers/TestController.js';

const LOCAL_CONTROLLER_EID = 'self::usp-agent-cli';
const tmpDirs: string[] = [];
const watches: CliProcess[] = [];

interface Running {
  agent: AgentProcess;
  dataDir: string;
  url: string;
}

/** An agent on a fresh data directory, serving WebSocket too (for the identity test). */
async function startAgent(): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'usp-cli-'));
  tmpDirs.push(dir);
  const port = await freePort();
  const defaultsFile = join(dir, 'defaults.json');
  writeDefaultsFile(defaultsFile, port);
  const dataDir = join(dir, 'data');
  const agent = AgentProcess.start(defaultsFile, dataDir);
  await agent.waitForLine(/msg="agent started"/);
  return { agent, dataDir, url: `ws://127.0.0.1:${port}/usp` };
}

let shared: Running;
beforeAll(async () => {
  shared = await startAgent();
}, 20_000);

afterEach(() => {
  for (const w of watches.splice(0)) if (w.alive) w.kill();
});

afterAll(async () => {
  await AgentProcess.killAll();
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

const cli = (...args: string[]): ReturnType<typeof runCli> => runCli([...args, '--data-dir', shared.dataDir]);

describe('usp-agent get', () => {
  it('prints aligned Path  Value rows and exits 0', async () => {
    const r = await cli('get', 'Device.LocalAgent.EndpointID', 'Device.DeviceInfo.Manufacturer');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Device\.LocalAgent\.EndpointID {2,}proto::/);
    expect(lines[0]).toBe(`Device.LocalAgent.EndpointID    ${AGENT_EID}`);
    // Aligned: both values start in the same column.
    expect(lines[1]!.search(/ \S+$/)).toBeGreaterThan(0);
    expect(lines[0]!.indexOf(AGENT_EID)).toBe(lines[1]!.length - lines[1]!.split(/ {2,}/)[1]!.length);
  });

  it('--json prints the GetResp as decoded', async () => {
    const r = await cli('get', 'Device.LocalAgent.EndpointID', '--json');
    expect(r.code).toBe(0);
    const resp = JSON.parse(r.stdout) as Response;
    expect(resp).toEqual({
      respType: 'getResp',
      getResp: {
        reqPathResults: [
          { requestedPath: 'Device.LocalAgent.EndpointID', errCode: 0, errMsg: '', resolvedPathResults: [{ resolvedPath: 'Device.LocalAgent.', resultParams: { EndpointID: AGENT_EID } }] },
        ],
      },
    });
  });

  it('an unknown path: exit 1, the USP error code and message on stderr, with the nearest known names', async () => {
    const r = await cli('get', 'Device.DeviceInfo.HostNam', 'Device.LocalAgent.EndpointID');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Device.LocalAgent.EndpointID');
    expect(r.stderr).toMatch(/^7026 .*\(Device\.DeviceInfo\.HostNam\); nearest known: Device\.DeviceInfo\.HostName/);
  });

  it('no agent on the data directory: exit 3, saying where it looked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-cli-none-'));
    tmpDirs.push(dir);
    const r = await runCli(['get', 'Device.', '--data-dir', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`no agent answering on data directory ${dir}: ${join(dir, 'control.sock')} does not exist`);
  });

  it("a usage error (no path): exit 2 and the command's help", async () => {
    const r = await cli('get');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Not enough non-option arguments/);
    expect(r.stderr).toContain('Examples:');
  });
});

describe('usp-agent set, add, delete, instances, supported, operate', () => {
  it('set changes a value (read back with get); a value of the wrong type is refused before sending (exit 2)', async () => {
    const path = 'Device.LocalAgent.MTP.1.WebSocket.KeepAliveInterval';
    const bad = await cli('set', `${path}=soon`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${path}: "soon" is not an unsignedInt; expected unsignedInt [1:] in seconds`);
    const ok = await cli('set', `${path}=47`);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toMatch(new RegExp(`^${path.replace(/\./g, '\\.')} +47$`));
    expect((await cli('get', path)).stdout).toMatch(/ 47\n$/);
  });

  it('add makes a row, instances lists it, delete removes it', async () => {
    const add = await cli('add', 'Device.LocalAgent.Subscription.', 'ID=cli-row', 'NotifType=ValueChange', 'ReferenceList=Device.DeviceInfo.HostName');
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const row = /^(Device\.LocalAgent\.Subscription\.\d+\.)$/m.exec(add.stdout)?.[1];
    expect(row).toBeDefined();
    const inst = await cli('instances', 'Device.LocalAgent.Subscription.');
    expect(inst.code).toBe(0);
    expect(inst.stdout).toMatch(new RegExp(`^${row!.replace(/\./g, '\\.')} +.*ID=cli-row`, 'm'));
    const del = await cli('delete', row!);
    expect(del.code).toBe(0);
    expect(del.stdout.trim()).toBe(row);
    expect((await cli('instances', 'Device.LocalAgent.Subscription.')).stdout).not.toContain('cli-row');
  });

  it('a failed Add: exit 1 with the code on stderr', async () => {
    const r = await cli('add', 'Device.DeviceInfo.');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^70\d\d /);
  });

  it('supported lists parameters, commands and events of an object', async () => {
    const r = await cli('supported', 'Device.', '--first-level');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Device\.Reboot\(\) +CMD_SYNC/m);
    expect(r.stdout).toMatch(/^Device\.Boot! +event args: /m);
  });

  it('operate runs a synchronous command', async () => {
    const r = await cli('operate', 'Device.LocalAgent.Controller.1.SendOnBoardRequest()');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Device\.LocalAgent\.Controller\.1\.SendOnBoardRequest\(\) +done$/m);
  });
});

describe('usp-agent operate, asynchronous command', () => {
  it('waits for the OperationComplete of its CommandKey, prints it, removes its Subscription row; --no-wait prints the Request path', async () => {
    const r = await cli('operate', 'Device.ScheduleTimer()', 'DelaySeconds=1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Device.ScheduleTimer()  done\n');
    expect((await cli('get', 'Device.LocalAgent.Subscription.*.ID')).stdout).not.toContain('usp-agent-operate-');
    const nowait = await cli('operate', 'Device.ScheduleTimer()', 'DelaySeconds=1', '--no-wait');
    expect(nowait.code).toBe(0);
    expect(nowait.stdout).toMatch(/^Device\.ScheduleTimer\(\) +started: Device\.LocalAgent\.Request\.\d+\.$/m);
  }, 20_000);
});

describe('usp-agent watch', () => {
  it('prints the notification of a change made with set; on SIGINT removes its Subscription rows and exits 0', async () => {
    const w = CliProcess.start(['watch', 'Device.DeviceInfo.HostName', 'Device.LocalAgent.Subscription.', '--data-dir', shared.dataDir]);
    watches.push(w);
    await w.waitForLine('stderr', /watching .*Ctrl-C to stop/);
    const ids = await cli('get', 'Device.LocalAgent.Subscription.*.ID');
    const mine = ids.stdout.split('\n').filter((l) => l.includes(`usp-agent-watch-${w.child.pid}-`));
    expect(mine.length).toBe(3);

    expect((await cli('set', 'Device.DeviceInfo.HostName=watched-host')).code).toBe(0);
    expect(await w.waitForLine('stdout', /^ValueChange /)).toBe('ValueChange  Device.DeviceInfo.HostName  watched-host');
    const added = await cli('add', 'Device.LocalAgent.Subscription.', 'ID=seen-by-watch', 'NotifType=Event', 'ReferenceList=Device.Boot!');
    const row = /^(Device\.LocalAgent\.Subscription\.\d+\.)$/m.exec(added.stdout)![1]!;
    expect(await w.waitForLine('stdout', /seen-by-watch/)).toMatch(new RegExp(`^ObjectCreation  ${row.replace(/\./g, '\\.')}  .*ID=seen-by-watch`));
    await cli('delete', row);
    expect(await w.waitForLine('stdout', /^ObjectDeletion /)).toBe(`ObjectDeletion  ${row}`);

    w.kill('SIGINT');
    expect(await w.exited).toBe(0);
    const after = await cli('get', 'Device.LocalAgent.Subscription.*.ID');
    expect(after.stdout).not.toContain(`usp-agent-watch-${w.child.pid}-`);
  }, 20_000);
});

describe('usp-agent watch when the agent goes away', () => {
  it('says so and exits 3', async () => {
    const r = await startAgent();
    const w = CliProcess.start(['watch', 'Device.DeviceInfo.HostName', '--data-dir', r.dataDir]);
    watches.push(w);
    await w.waitForLine('stderr', /watching /);
    expect((await r.agent.terminate()).code).toBe(0);
    expect(await w.exited).toBe(3);
    expect(w.stderr.join('\n')).toContain('the agent closed the connection');
  }, 20_000);
});

describe('the control socket', () => {
  it('is DIR/control.sock, mode 0600', () => {
    const st = statSync(join(shared.dataDir, 'control.sock'));
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
  });

  it('its Endpoint ID claimed over WebSocket gets nothing: the Record is dropped, although the row holds full access', async () => {
    // The local controller's row exists (made by the commands above) with the full-access role.
    const row = await cli('get', `Device.LocalAgent.Controller.[EndpointID=="${LOCAL_CONTROLLER_EID}"].AssignedRole`);
    expect(row.stdout).toMatch(/AssignedRole +Device\.LocalAgent\.ControllerTrust\.Role\.1$/m);
    const from = shared.agent.lines.length;
    const impostor = await TestController.connect(shared.url, LOCAL_CONTROLLER_EID, AGENT_EID);
    try {
      let answered = false;
      void impostor.send({ reqType: 'get', get: { paramPaths: ['Device.LocalAgent.Controller.'], maxDepth: 0 } }, 10_000).then(
        () => {
          answered = true;
        },
        () => undefined,
      );
      await shared.agent.waitForLine(/msg="record dropped: this Endpoint ID is reserved for the local control socket".*protocol="WebSocket"/, { from });
      expect(answered).toBe(false);
    } finally {
      await impostor.close();
    }
  });

  it('notifications for the local controller never go to a peer claiming its Endpoint ID on another MTP', async () => {
    const r = await startAgent();
    const forCli = await runCli(['add', 'Device.LocalAgent.Subscription.', 'ID=for-cli', 'Enable=true', 'NotifType=ValueChange', 'ReferenceList=Device.DeviceInfo.HostName', '--data-dir', r.dataDir]);
    expect(forCli.code).toBe(0);
    const legit = await TestController.connect(r.url, CONTROLLER_EID, AGENT_EID);
    const impostor = await TestController.connect(r.url, LOCAL_CONTROLLER_EID, AGENT_EID);
    try {
      await add(legit, 'Device.LocalAgent.Subscription.', { ID: 'for-legit', Enable: 'true', NotifType: 'ValueChange', ReferenceList: 'Device.DeviceInfo.HostName' });
      // No `usp-agent` command is connected now: the local controller's notification must wait, not leak.
      const set = asResponse(
        await legit.send({ reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath: 'Device.DeviceInfo.', paramSettings: [{ param: 'HostName', value: 'leak-test', required: true }] }] } }),
      );
      expect(set.respType).toBe('setResp');
      await waitForNotification(legit, (ns) => ns.find((n) => n.notify.subscriptionId === 'for-legit'));
      // for-cli (Subscription.1) is matched before for-legit: whatever the impostor was sent is ahead of this pong.
      await new Promise<void>((resolve) => {
        impostor.ws.once('pong', () => resolve());
        impostor.ws.ping();
      });
      expect(notifications(impostor)).toEqual([]);
    } finally {
      await Promise.allSettled([legit.close(), impostor.close()]);
      await r.agent.terminate();
    }
  }, 20_000);

  it('the local controller row, deleted by a remote controller, is back with the full-access role on the next command', async () => {
    const r = await startAgent();
    const role = (): Promise<string> => runCli(['get', `Device.LocalAgent.Controller.[EndpointID=="${LOCAL_CONTROLLER_EID}"].AssignedRole`, '--data-dir', r.dataDir]).then((x) => x.stdout);
    const first = /^(Device\.LocalAgent\.Controller\.\d+\.)AssignedRole +Device\.LocalAgent\.ControllerTrust\.Role\.1$/m.exec(await role());
    expect(first).not.toBeNull();
    const legit = await TestController.connect(r.url, CONTROLLER_EID, AGENT_EID);
    try {
      const del = asResponse(await legit.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [first![1]!] } }));
      expect(del.respType).toBe('deleteResp');
    } finally {
      await legit.close();
    }
    expect(await role()).toMatch(/AssignedRole +Device\.LocalAgent\.ControllerTrust\.Role\.1$/m);
    await r.agent.terminate();
  }, 20_000);

  it('a data directory too deep for a socket path stops the start, naming --data-dir and the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-cli-deep-'));
    tmpDirs.push(dir);
    const port = await freePort();
    writeDefaultsFile(join(dir, 'd.json'), port);
    const dataDir = join(dir, 'x'.repeat(60), 'y'.repeat(60));
    const agent = AgentProcess.start(join(dir, 'd.json'), dataDir);
    expect(await agent.exit()).toBe(2);
    expect(agent.stderr()).toContain(`--data-dir ${dataDir}: the control socket ${join(dataDir, 'control.sock')} could not be opened`);
    expect(agent.stderr()).toContain('give a shorter --data-dir path');
  });

  it('is open again after an in-process Reboot()', async () => {
    const r = await startAgent();
    const rb = await runCli(['operate', 'Device.Reboot()', '--data-dir', r.dataDir]);
    expect(rb.code).toBe(0);
    const restarting = await r.agent.waitForLine(/msg="restarting in-process"/);
    await r.agent.waitForLine(/msg="agent started"/, { from: restarting + 1 });
    const g = await runCli(['get', 'Device.LocalAgent.EndpointID', '--data-dir', r.dataDir]);
    expect(g.code).toBe(0);
    expect(g.stdout).toContain(AGENT_EID);
    expect((await r.agent.terminate()).code).toBe(0);
  }, 20_000);
});

describe('usp-agent schema (offline), completion, --help', () => {
  it('describes a parameter given with an instance number: type, access, range, units, default, description', async () => {
    const r = await runCli(['schema', 'Device.WiFi.Radio.1.Channel']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Device\.WiFi\.Radio\.\{i\}\.Channel {2}\(parameter\)$/m);
    expect(r.stdout).toMatch(/^ {2}type +unsignedInt$/m);
    expect(r.stdout).toMatch(/^ {2}access +readWrite$/m);
    expect(r.stdout).toMatch(/^ {2}range +1\.\.255$/m);
    expect(r.stdout).toMatch(/^ {2}units +none$/m);
    expect(r.stdout).toMatch(/^ {2}description +The current radio channel used by the connection\.$/m);
  });

  it('prints the first sentence of the TR-181 description, markup rendered (object self-reference), in text and JSON', async () => {
    const r = await runCli(['schema', 'Device.LocalAgent.Subscription.3.NotifType']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^ {2}description +Type of Notification message that will be sent to the USP Controller specified by Recipient when this Device\.LocalAgent\.Subscription\.\{i\}\. is triggered\.$/m,
    );
    const s = await runCli(['schema', 'Device.DeviceInfo.SerialNumber', '--json']);
    expect(JSON.parse(s.stdout)).toMatchObject({
      kind: 'parameter',
      path: 'Device.DeviceInfo.SerialNumber',
      description: 'Identifier of the particular device that is unique for the indicated class of product and manufacturer.',
    });
  });

  it('describes an object given with * (parameters, commands) and a command given with {i} (arguments)', async () => {
    const o = await runCli(['schema', 'Device.LocalAgent.Controller.*.']);
    expect(o.code).toBe(0);
    expect(o.stdout).toMatch(/^ {2}parameters +Alias /m);
    expect(o.stdout).toMatch(/SendOnBoardRequest\(\) {2}sync$/m);
    const c = await runCli(['schema', 'Device.Reboot()']);
    expect(c.stdout).toMatch(/^ {2}input +Cause {2}string one of LocalReboot\|RemoteReboot$/m);
    const e = await runCli(['schema', 'Device.Boot!', '--json']);
    expect(JSON.parse(e.stdout)).toMatchObject({ kind: 'event', path: 'Device.Boot!', event: { name: 'Boot!' } });
  });

  it('an unknown path: exit 2 with the nearest known names', async () => {
    const r = await runCli(['schema', 'Device.WiFi.Radoi.1.Channel']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Device.WiFi.Radoi.1.Channel: not in the TR-181 schema');
    expect(r.stderr).toContain('nearest known: Device.WiFi.Radio.');
  });

  it('completion prints a shell completion script', async () => {
    const r = await runCli(['completion']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usp-agent completion >> ~/.bashrc');
    expect(r.stdout).toContain('--get-yargs-completions');
  });

  it('completion completes TR-181 paths from the schema, and commands and options', async () => {
    const paths = await runCli(['--get-yargs-completions', 'get', 'Device.WiFi.Ra']);
    expect(paths.stdout.trim().split('\n')).toEqual(['Device.WiFi.Radio.', 'Device.WiFi.RadioNumberOfEntries']);
    expect((await runCli(['--get-yargs-completions', 'get', 'Device.WiFi.Radio.'])).stdout.trim()).toBe('Device.WiFi.Radio.*.');
    expect((await runCli(['--get-yargs-completions', 'get', 'Device.WiFi.Radio.1.ChannelS'])).stdout.trim()).toBe('Device.WiFi.Radio.1.ChannelScan()');
    expect((await runCli(['--get-yargs-completions', 'wat'])).stdout).toContain('watch');
    expect((await runCli(['--get-yargs-completions', 'get', '--da'])).stdout).toContain('--data-dir');
  });

  it('--help of every subcommand shows an example', async () => {
    for (const cmd of ['run', 'get', 'set', 'add', 'delete', 'operate', 'instances', 'supported', 'watch', 'schema']) {
      const r = await runCli([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toContain('Examples:');
      expect(r.stdout, cmd).toContain(`usp-agent ${cmd} `);
    }
  }, 30_000);
});
