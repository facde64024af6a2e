/**
 * The OpenWrt uxc EE (platform/openwrt/uxc-ee.ts) and what it reads: `uxc list --json` as OpenWrt's
 * own uxc printed it (test/fixtures/openwrt/uxc/session.json), the stand-in `uxc` checked against
 * that whole recorded session, then the EE driving the stand-in: create/start, SIGTERM then
 * SIGKILL, an exit nobody asked for, a bundle that cannot run, a container taken over after an
 * agent restart.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../datamodel/Logger.js';
import { CommandRunner } from '../../../../platform/exec/CommandRunner.js';
import type { ExecutionUnitHandle, ExecutionUnitState } from '../../../../platform/software/ExecutionEnvironment.js';
import { UxcExecutionEnv } from '../../../../platform/openwrt/uxc-ee.js';
import { parseUxcList } from '../../../../platform/openwrt/uxc-list.js';
import { REPO } from '../../../peers/agent-process.js';

interface Step {
  step: string;
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
}

const FIX = join(REPO, 'test/fixtures/openwrt/uxc');
const BIN = join(FIX, 'bin');
const SESSION = JSON.parse(readFileSync(join(FIX, 'session.json'), 'utf8')) as Step[];
const recorded = (label: string): Step => SESSION.find((s) => s.step.replace(/^\d+-/, '') === label)!;
/** Where the recording's bundles were: /srv/usp-agent/software/du-<n>-1764921600000 (README). */
const REC_DIR = '/srv/usp-agent/software';
const KINDS = ['ticker', 'stubborn', 'crasher', 'broken'] as const;

let dir: string;
let standin: string;
let tests = 0;
/** The EEs a test made: shut down after it, so none of their `uxc` children outlives it. */
const made: UxcExecutionEnv[] = [];

/** A DU directory holding the recorded bundle `kind`'s config.json (the stand-in reads its hostname). */
function bundle(kind: (typeof KINDS)[number], name: string): string {
  const d = join(dir, name);
  mkdirSync(join(d, 'rootfs'), { recursive: true });
  cpSync(join(FIX, 'bundles', `${kind}.config.json`), join(d, 'config.json'));
  return d;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'usp-uxc-'));
  KINDS.forEach((k, i) => bundle(k, `du-${i + 1}-1764921600000`));
});
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));
// A stand-in directory of its own per test: the state and call log of one test never meet the next's.
beforeEach(() => {
  standin = join(dir, `standin-${++tests}`);
  mkdirSync(standin);
  process.env.UXC_STANDIN_DIR = standin;
});
afterEach(async () => {
  await Promise.all(made.splice(0).map((ee) => ee.shutdown()));
});

describe('uxc list --json as recorded', () => {
  it('is `{ [ ... ] }`, not JSON; every recorded list reads', () => {
    const lists = SESSION.filter((s) => s.argv.join(' ') === 'uxc list --json');
    expect(lists.length).toBeGreaterThan(10);
    expect(() => JSON.parse(recorded('two-list-json').stdout) as unknown).toThrow();
    for (const s of lists) expect(() => parseUxcList(s.stdout)).not.toThrow();
    expect(parseUxcList(recorded('list-empty-json').stdout).size).toBe(0);
  });

  it('a running and a created container; the exit code of a stopped one', () => {
    expect([...parseUxcList(recorded('two-list-json').stdout).values()]).toEqual([
      { name: 'usp-eu-1', status: 'running', autostart: false, runtimePid: 364, containerPid: 366 },
      { name: 'usp-eu-2', status: 'created', autostart: false, runtimePid: 370, containerPid: 373 },
    ]);
    expect(parseUxcList(recorded('stubborn-list-killed-json').stdout).get('usp-eu-2')).toEqual({ name: 'usp-eu-2', status: 'stopped', autostart: false, exitCode: 137 });
  });

  it('valid JSON (a later uxc) reads too; anything else is an error', () => {
    expect(parseUxcList('[{"name":"a","status":"running"}]').get('a')?.status).toBe('running');
    expect(parseUxcList('{"containers":[{"name":"a","status":"stopped","exitcode":0}]}').get('a')?.exitCode).toBe(0);
    expect(() => parseUxcList('uxc error: No such file or directory')).toThrow(/neither JSON/);
    expect(() => parseUxcList('{ [ {"name":"a","status":"paused"} ] }')).toThrow(/unknown status/);
  });
});

describe('the stand-in uxc', () => {
  // 58 node processes: the 120 s is a hang limit for a loaded machine, not a speed limit.
  it('answers the whole recorded session as uxc did (pids aside)', () => {
    const pids = (s: string): string => s.replace(/("(?:pid|runtime_pid|container_pid)": )\d+/g, '$1N');
    // The text `uxc list` is not replayed (the EE reads --json); ubus and cat steps are not uxc.
    const steps = SESSION.filter((s) => s.argv[0] === 'uxc' && s.argv.join(' ') !== 'uxc list');
    expect(steps.length).toBe(58);
    for (const s of steps) {
      const r = spawnSync(
        join(BIN, 'uxc'),
        s.argv.slice(1).map((a) => a.replace(REC_DIR, dir)),
        { encoding: 'utf8', env: { ...process.env, UXC_STANDIN_CRASH_MS: '0' } },
      );
      expect({ step: s.step, exitCode: r.status, stdout: pids(r.stdout.replaceAll(dir, REC_DIR)), stderr: r.stderr }).toEqual({
        step: s.step,
        exitCode: s.exitCode,
        stdout: pids(s.stdout),
        stderr: s.stderr,
      });
    }
  }, 120_000);
});

describe('the uxc EE', () => {
  const runner = new CommandRunner({ commandPath: BIN });
  const env = (pollMs = 50): UxcExecutionEnv => {
    const ee = new UxcExecutionEnv({ runner, log: silentLogger, version: '0.3', pollMs, stepMs: 20, stopGraceMs: 300 });
    made.push(ee);
    return ee;
  };
  const calls = (): string[] =>
    readFileSync(join(standin, 'uxc.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as string[]).join(' ').replaceAll(dir, '<dir>'))
      .filter((l) => l !== 'list --json');
  function unit(key: number, kind: (typeof KINDS)[number]): { eu: ExecutionUnitHandle; states: ExecutionUnitState[]; next: (pred: (s: ExecutionUnitState) => boolean) => Promise<ExecutionUnitState> } {
    const states: ExecutionUnitState[] = [];
    const waiters: Array<() => void> = [];
    const d = bundle(kind, `eu-${key}`);
    const eu: ExecutionUnitHandle = {
      key,
      dir: d,
      spec: { name: kind, label: kind, vendor: '', version: '1', description: '', autoStart: false },
      report: (s) => {
        states.push(s);
        waiters.splice(0).forEach((w) => w());
      },
    };
    const next = async (pred: (s: ExecutionUnitState) => boolean): Promise<ExecutionUnitState> => {
      for (;;) {
        const hit = states.find(pred);
        if (hit) return hit;
        await new Promise<void>((r) => waiters.push(r));
      }
    };
    return { eu, states, next };
  }

  it('uxc -V gives the version', async () => {
    expect((await UxcExecutionEnv.open(runner, silentLogger)).version).toBe('0.3');
  });

  it('start: create, start; stop: SIGTERM, delete', async () => {
    const ee = env();
    const u = unit(1, 'ticker');
    await ee.start(u.eu);
    expect(u.states).toEqual([{ status: 'Starting' }, { status: 'Active' }]);
    expect((await ee.usage(u.eu)).pids).toHaveLength(1);
    await ee.stop(u.eu);
    expect(u.states.slice(2)).toEqual([{ status: 'Stopping' }, { status: 'Idle' }]);
    expect(calls()).toEqual(['create usp-eu-1 --bundle <dir>/eu-1', 'start usp-eu-1', 'kill usp-eu-1', 'delete usp-eu-1']);
  });

  it('a container that ignores SIGTERM gets SIGKILL after the grace time', async () => {
    const ee = env();
    const u = unit(2, 'stubborn');
    await ee.start(u.eu);
    await ee.stop(u.eu);
    expect(u.states.at(-1)).toEqual({ status: 'Idle' });
    expect(calls()).toEqual(['create usp-eu-2 --bundle <dir>/eu-2', 'start usp-eu-2', 'kill usp-eu-2', 'kill usp-eu-2 --signal KILL', 'delete usp-eu-2']);
  });

  it('a container that exits on its own: Idle with FailureWhileActive and its exit code; deleted from uxc', async () => {
    process.env.UXC_STANDIN_CRASH_MS = '1500';
    try {
      const ee = env();
      const u = unit(3, 'crasher');
      await ee.start(u.eu);
      expect(await u.next((s) => s.fault !== undefined)).toEqual({ status: 'Idle', fault: { code: 'FailureWhileActive', message: 'the container exited with code 3' } });
      expect(calls()).toEqual(['create usp-eu-3 --bundle <dir>/eu-3', 'start usp-eu-3', 'delete usp-eu-3 --force']);
    } finally {
      delete process.env.UXC_STANDIN_CRASH_MS;
    }
  });

  it('a container killed from outside (the OOM killer): FailureWhileActive, killed by signal 9', async () => {
    const ee = env();
    const u = unit(8, 'stubborn');
    await ee.start(u.eu);
    spawnSync(join(BIN, 'uxc'), ['kill', 'usp-eu-8', '--signal', 'KILL']);
    expect(await u.next((s) => s.fault !== undefined)).toEqual({ status: 'Idle', fault: { code: 'FailureWhileActive', message: 'the container was killed by signal 9' } });
  });

  it('a bundle whose program cannot run: FailureOnStart, nothing left in uxc', async () => {
    const ee = env();
    const u = unit(4, 'broken');
    await ee.start(u.eu);
    expect(u.states).toEqual([{ status: 'Starting' }, { status: 'Idle', fault: { code: 'FailureOnStart', message: 'the container exited with code 1' } }]);
    expect(calls()).toEqual(['create usp-eu-4 --bundle <dir>/eu-4', 'start usp-eu-4', 'delete usp-eu-4 --force']);
    expect(parseUxcList(spawnSync(join(BIN, 'uxc'), ['list', '--json'], { encoding: 'utf8' }).stdout).size).toBe(0);
  });

  it("a unit directory that is gone: FailureOnStart with uxc create's message", async () => {
    const ee = env();
    const u = unit(5, 'ticker');
    rmSync(u.eu.dir, { recursive: true });
    await ee.start(u.eu);
    expect(u.states[1]).toEqual({
      status: 'Idle',
      fault: { code: 'FailureOnStart', message: expect.stringMatching(/uxc create usp-eu-5 .*: exit 254: uxc error: No such file or directory/) as string },
    });
  });

  it('after an agent restart a container procd kept running is taken over, not created again', async () => {
    const u = unit(6, 'ticker');
    // The agent that started it is "killed": it never looks again.
    await env(3_600_000).start(u.eu);
    const again = unit(6, 'ticker');
    const ee = env();
    await ee.start(again.eu);
    expect(again.states).toEqual([{ status: 'Starting' }, { status: 'Active' }]);
    expect(calls()).toEqual(['create usp-eu-6 --bundle <dir>/eu-6', 'start usp-eu-6']);
    await ee.shutdown();
    expect(calls().slice(2)).toEqual(['kill usp-eu-6', 'delete usp-eu-6']);
  });

  it('a container left created or stopped (another bundle directory) is deleted and created again', async () => {
    writeFileSync(join(standin, 'uxc.log'), '');
    spawnSync(join(BIN, 'uxc'), ['create', 'usp-eu-7', '--bundle', bundle('ticker', 'old-7')]);
    const ee = env();
    const u = unit(7, 'ticker');
    await ee.start(u.eu);
    expect(u.states.at(-1)).toEqual({ status: 'Active' });
    expect(calls()).toEqual(['create usp-eu-7 --bundle <dir>/old-7', 'delete usp-eu-7 --force', 'create usp-eu-7 --bundle <dir>/eu-7', 'start usp-eu-7']);
    await ee.shutdown();
  });
});
