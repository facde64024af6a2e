/**
 * OpenWrt's container execution environment (Device.SoftwareModules.ExecEnv.{i} "uxc EE", TR-181
 * SoftwareModules:1): a Deployment Unit is a .tar.gz holding an OCI runtime bundle (as for the
 * Linux OCI EE), its one Execution Unit a container that procd runs through ujail, driven with
 * procd's `uxc` tool. What uxc prints and how it answers were recorded from OpenWrt's own procd,
 * ujail and uxc (test/fixtures/openwrt/uxc/README.md); the calls made:
 *
 * | agent                         | uxc                                                                |
 * |-------------------------------|--------------------------------------------------------------------|
 * | start (Active)                | `uxc create usp-eu-<n> --bundle <DU dir>`, until `created`, `uxc start usp-eu-<n>` |
 * | stop (Idle, Uninstall, Update)| `uxc kill usp-eu-<n>` (SIGTERM), after STOP_GRACE_MS `--signal KILL`, then `uxc delete usp-eu-<n>` |
 * | state, exits, usage           | `uxc list --json`, every POLL_MS while a unit runs                 |
 *
 * A container exists in uxc (an /etc/uxc/usp-eu-<n>.json and a procd service) only while its unit
 * is Starting, Active or Stopping: a stopped uxc container cannot be started again without a new
 * `create` anyway (`uxc start` answers "No such file or directory" once ujail has exited), and an
 * installed unit then holds no ujail process and leaves nothing for `uxc boot` to start behind the
 * agent's back (the agent does AutoStart itself). procd, not the agent, is the containers' parent:
 * a container still running when the agent starts again (after kill -9) is taken over as Active.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from '../../datamodel/Logger.js';
import { CommandError } from '../exec/CommandError.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import { hostResources } from '../software/disk-space.js';
import type { ExecEnvResources, ExecutionEnvironment, ExecutionUnitHandle, ExecutionUnitUsage, UnpackedUnit } from '../software/ExecutionEnvironment.js';
import { installOciBundle } from '../software/oci-bundle.js';
import { treeSize } from '../software/unpack.js';
import { parseUxcList, type UxcContainer } from './uxc-list.js';

/** How often running containers are checked for an exit the agent did not ask for. */
export const POLL_MS = 2000;
/** How often a container being created or stopped is looked at. */
export const STEP_MS = 200;
/** How long a container has after SIGTERM before SIGKILL (a shell as PID 1 ignores SIGTERM). */
export const STOP_GRACE_MS = 5000;
/** How long `uxc create` may take until ujail reports `created`. */
export const CREATE_WAIT_MS = 10_000;

export interface UxcOptions {
  runner: CommandRunner;
  log: Logger;
  /** `uxc -V`'s version, for ExecEnv.{i}.Version. */
  version: string;
  pollMs?: number;
  stepMs?: number;
  stopGraceMs?: number;
}

interface Tracked {
  eu: ExecutionUnitHandle;
  /** Set once stop() began: the exit that follows is asked for. */
  stopping: boolean;
  containerPid?: number;
}

export class UxcExecutionEnv implements ExecutionEnvironment {
  readonly name = 'uxc EE';
  readonly type = 'OCI container (procd ujail)';
  readonly vendor = 'OpenWrt';
  readonly version: string;
  private readonly runner: CommandRunner;
  private readonly log: Logger;
  private readonly pollMs: number;
  private readonly stepMs: number;
  private readonly stopGraceMs: number;
  /** Units started and not yet stopped, by EU key (bounded by the agent's EU table). */
  private readonly running = new Map<number, Tracked>();
  /** The last operation per unit: a start and a stop of one unit run one after the other. */
  private readonly ops = new Map<number, Promise<void>>();
  private pollTimer?: NodeJS.Timeout;
  /** The poll in flight, which shutdown() waits for so no `uxc list` outlives the agent's stop. */
  private polling?: Promise<void>;
  /** After shutdown(): no more polling (a poll in flight must not schedule the next). */
  private closed = false;

  constructor(opts: UxcOptions) {
    this.runner = opts.runner;
    this.log = opts.log;
    this.version = opts.version;
    this.pollMs = opts.pollMs ?? POLL_MS;
    this.stepMs = opts.stepMs ?? STEP_MS;
    this.stopGraceMs = opts.stopGraceMs ?? STOP_GRACE_MS;
  }

  /** `uxc -V` ("uxc 0.3"): the EE when uxc answers (it needs ubus and procd), else the reason it does not. */
  static async open(runner: CommandRunner, log: Logger, opts: Partial<UxcOptions> = {}): Promise<UxcExecutionEnv> {
    const out = await runner.run('uxc', ['-V']);
    const version = /^uxc\s+(\S+)/.exec(out.trim())?.[1] ?? out.trim();
    return new UxcExecutionEnv({ ...opts, runner, log, version });
  }

  install(file: string, dir: string, url: string): Promise<UnpackedUnit> {
    return installOciBundle(file, dir, url, this.name);
  }

  start(eu: ExecutionUnitHandle): Promise<void> {
    return this.serial(eu.key, () => this.doStart(eu));
  }

  stop(eu: ExecutionUnitHandle): Promise<void> {
    return this.serial(eu.key, () => this.doStop(eu, this.stopGraceMs));
  }

  resources(dir: string): Promise<ExecEnvResources> {
    return hostResources(dir);
  }

  async usage(eu: ExecutionUnitHandle): Promise<ExecutionUnitUsage> {
    const pid = this.running.get(eu.key)?.containerPid;
    return { diskSpaceInUse: Math.ceil((await treeSize(eu.dir)) / 1024), memoryInUse: pid === undefined ? 0 : await residentKb(pid), pids: pid === undefined ? [] : [pid] };
  }

  /** Agent stop: every container this EE runs is stopped and deleted, 1 s of grace each, all at once. */
  async shutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    await this.polling;
    await Promise.allSettled([...this.running.values()].map((t) => this.serial(t.eu.key, () => this.doStop(t.eu, 1000))));
  }

  private async doStart(eu: ExecutionUnitHandle): Promise<void> {
    if (this.running.has(eu.key)) return;
    const name = containerName(eu);
    eu.report({ status: 'Starting' });
    try {
      const found = (await this.list()).get(name);
      if (found?.status === 'running') {
        // Left running by an agent that was killed: procd kept it.
        this.track(eu, found);
        eu.report({ status: 'Active' });
        return;
      }
      // One left created or stopped may name another bundle directory (an Update moves it).
      if (found) await this.uxc(['delete', name, '--force']);
      await this.uxc(['create', name, '--bundle', eu.dir]);
      const created = await this.waitFor(name, (c) => c?.status !== 'creating', CREATE_WAIT_MS);
      if (created?.status !== 'created') throw new Error(`uxc create ${name}: the container ${describe(created)}`);
      await this.uxc(['start', name]);
      const after = (await this.list()).get(name);
      if (after?.status === 'stopped') throw new Error(`the container ${describe(after)}`);
      this.track(eu, after);
      eu.report({ status: 'Active' });
    } catch (e) {
      await this.uxc(['delete', name, '--force']).catch(() => undefined);
      eu.report({ status: 'Idle', fault: { code: 'FailureOnStart', message: errorText(e) } });
    }
  }

  private async doStop(eu: ExecutionUnitHandle, graceMs: number): Promise<void> {
    const t = this.running.get(eu.key);
    if (!t) {
      eu.report({ status: 'Idle' });
      return;
    }
    t.stopping = true;
    eu.report({ status: 'Stopping' });
    const name = containerName(eu);
    const ended = (c: UxcContainer | undefined): boolean => !c || c.status === 'stopped';
    try {
      // "No such file or directory": ujail has exited already.
      await this.uxc(['kill', name]).catch(() => undefined);
      let last = await this.waitFor(name, ended, graceMs);
      if (!ended(last)) {
        await this.uxc(['kill', name, '--signal', 'KILL']).catch(() => undefined);
        last = await this.waitFor(name, ended, graceMs);
      }
      if (last) await this.uxc(['delete', name, ...(ended(last) ? [] : ['--force'])]);
    } finally {
      // Whatever failed (the agent reports it as FailureOnStop), the unit is no longer ours to watch.
      this.running.delete(eu.key);
      eu.report({ status: 'Idle' });
    }
  }

  private track(eu: ExecutionUnitHandle, c: UxcContainer | undefined): void {
    this.running.set(eu.key, { eu, stopping: false, containerPid: c?.containerPid });
    this.schedulePoll();
  }

  private schedulePoll(): void {
    if (this.closed || this.pollTimer || this.running.size === 0) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      void this.poll().finally(() => this.schedulePoll());
    }, this.pollMs);
    this.pollTimer.unref();
  }

  /** One `uxc list --json` for every running unit: an exit nobody asked for is FailureWhileActive. */
  private poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    let list: Map<string, UxcContainer>;
    try {
      list = await this.list();
    } catch (e) {
      this.log.warn('uxc list failed; running containers are looked at again later', { why: errorText(e) });
      return;
    }
    for (const t of [...this.running.values()]) {
      const c = list.get(containerName(t.eu));
      if (t.stopping || c?.status === 'running') {
        if (c?.containerPid !== undefined) t.containerPid = c.containerPid;
        continue;
      }
      await this.serial(t.eu.key, () => this.exited(t, c));
    }
  }

  private async exited(t: Tracked, c: UxcContainer | undefined): Promise<void> {
    if (this.running.get(t.eu.key) !== t || t.stopping) return;
    this.running.delete(t.eu.key);
    const name = containerName(t.eu);
    if (c) await this.uxc(['delete', name, '--force']).catch((e: unknown) => this.log.warn('uxc delete failed', { container: name, why: errorText(e) }));
    t.eu.report({ status: 'Idle', fault: { code: 'FailureWhileActive', message: c ? `the container ${describe(c)}` : 'the container is gone from uxc' } });
  }

  private list(): Promise<Map<string, UxcContainer>> {
    return this.uxc(['list', '--json']).then((out) => {
      try {
        return parseUxcList(out);
      } catch (e) {
        throw new CommandError('parse', 'uxc list --json', `unexpected output (${errorText(e)})`);
      }
    });
  }

  /** Polls the list every stepMs until `done` says yes or `ms` pass; the container's last entry. */
  private async waitFor(name: string, done: (c: UxcContainer | undefined) => boolean, ms: number): Promise<UxcContainer | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const c = (await this.list()).get(name);
      if (done(c) || Date.now() >= deadline) return c;
      await new Promise((r) => setTimeout(r, this.stepMs));
    }
  }

  private uxc(args: string[]): Promise<string> {
    return this.runner.run('uxc', args);
  }

  private serial(key: number, op: () => Promise<void>): Promise<void> {
    const next = (this.ops.get(key) ?? Promise.resolve()).then(op);
    const settled = next.catch(() => undefined);
    this.ops.set(key, settled);
    void settled.then(() => {
      if (this.ops.get(key) === settled) this.ops.delete(key);
    });
    return next;
  }
}

/** The uxc container of an EU: unique on the device, stable across agent restarts (the EU's instance number). */
export function containerName(eu: ExecutionUnitHandle): string {
  return `usp-eu-${eu.key}`;
}

/** After "the container ": "exited with code 3", "was killed by signal 9" (ujail exits 128 + N when its container died of signal N), "is running". */
function describe(c: UxcContainer | undefined): string {
  if (!c) return 'is gone';
  if (c.status !== 'stopped') return `is ${c.status}`;
  if (c.exitCode === undefined) return 'stopped';
  return c.exitCode > 128 && c.exitCode < 160 ? `was killed by signal ${c.exitCode - 128}` : `exited with code ${c.exitCode}`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** VmRSS of `pid`, kilobytes (-1 when unknown): the agent shares procd's PID namespace. */
async function residentKb(pid: number): Promise<number> {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : -1;
  } catch {
    return -1;
  }
}
