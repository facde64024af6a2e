/**
 * One daemon the agent owns, run on one configuration file the agent makes (dnsmasq for
 * Device.DNS.Relay./DHCPv4.Server., Mosquitto for Device.MQTT.Broker.): the file is replaced
 * atomically (written beside it, then renamed) and the child supervised.
 *
 * - A new configuration restarts the child (neither daemon re-reads its main file on SIGHUP for
 *   everything the agent writes: dnsmasq keeps its `server=`/`dhcp-range` lines, Mosquitto its
 *   listeners). Where the daemon can check a file without running it (`check`), a file it
 *   refuses is not installed, and the running child keeps the old one.
 * - A child that exits on its own is started again after a back-off: 1 s, doubling up to 60 s,
 *   back to 1 s once a child has run for a minute. `status()` reads 'failed' meanwhile, and
 *   `failure()` says why (the daemon's last lines).
 * - `stop()` (the agent's SIGTERM) ends the child with SIGTERM.
 * - A child left by an agent that was killed (SIGKILL, no stop) is found at the next start by
 *   its pid file and ended, so the new one can bind its ports. The pid file is the daemon's own
 *   (`pidFileWrittenByDaemon`) or, for a daemon that cannot write it after dropping its
 *   privileges (Mosquitto), written by the agent.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import { endChild } from './end-child.js';

const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 60_000;
/** A child that ran this long is healthy: the next failure starts the back-off afresh. */
const HEALTHY_MS = 60_000;
/** The last lines of the daemon's output kept for the log (bounded). */
const MAX_LINES = 20;

export interface ConfiguredDaemonOptions {
  /** The daemon's name in log lines ("dnsmasq", "mosquitto"). */
  name: string;
  binary: string;
  confFile: string;
  pidFile: string;
  /** The daemon's arguments; they must name `confFile` (a leftover child is recognised by it). */
  args: readonly string[];
  /** The daemon's own check of a candidate file: its arguments (it exits non-zero on a file it refuses). */
  checkArgs?: (candidate: string) => string[];
  /** The daemon writes `pidFile` itself (from the configuration); otherwise the agent writes the child's pid there. */
  pidFileWrittenByDaemon?: boolean;
  /** A line the daemon prints once it has its sockets: a restart after a failure worked. */
  ready?: RegExp;
  /** Each line of the daemon's output (stdout and stderr), for counters kept from its log. */
  onLine?: (line: string) => void;
  /** Said in the log when the configuration is withdrawn (nothing to serve). */
  offMessage: string;
  /** Runs the child as this user (uid, gid) from the start: a daemon that needs no privilege never has one. */
  spawnAs?: { uid: number; gid: number };
  /**
   * Asks the running child to re-read `confFile` in place of a restart (bird: `birdc configure`),
   * so what it learnt survives a change. Resolves to its message when it refuses the file (the
   * old file is then put back, and the child keeps the old configuration); rejects when it could
   * not be asked (the child is then restarted on the new file).
   */
  reload?: () => Promise<string | undefined>;
  /** Mode of the configuration file (default 0644). */
  confMode?: number;
  log?: Logger;
}

/** Supervises the one child; `apply` installs a configuration (undefined: none runs). */
export class ConfiguredDaemon {
  private child?: ChildProcess;
  private text?: string;
  private timer?: ReturnType<typeof setTimeout>;
  private backoffMs = BACKOFF_MIN_MS;
  private startedAt = 0;
  private stopped = false;
  /** Why the child is not running as configured (Status Error), undefined when it runs. */
  private why?: string;
  private readonly lines: string[] = [];
  /** Serialises apply(): a restart waits for the previous child to be gone. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ConfiguredDaemonOptions) {}

  /** 'running' while the child runs the current file, 'failed' when it cannot, 'off' with no configuration. */
  status(): 'running' | 'failed' | 'off' {
    if (this.text === undefined) return 'off';
    return this.why === undefined && this.child !== undefined ? 'running' : 'failed';
  }

  /** Why the child does not run the current file (its last lines), undefined when it does. */
  failure(): string | undefined {
    return this.status() === 'failed' ? (this.why ?? `${this.opts.name} is not running`) : undefined;
  }

  /** Ends a child an earlier agent left running on the same file (it was killed without its stop). */
  endLeftover(): void {
    let pid: number;
    try {
      pid = Number(readFileSync(this.opts.pidFile, 'utf8').trim());
    } catch {
      return;
    }
    if (!Number.isInteger(pid) || pid <= 1) return;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes(this.opts.confFile)) return;
      process.kill(pid, 'SIGTERM');
      this.opts.log?.info(`ended the ${this.opts.name} an earlier agent left running`, { pid });
    } catch {
      /* gone already */
    }
  }

  /**
   * Installs `text` and (re)starts or reloads the child; undefined stops it. Resolves once done,
   * to the daemon's message when it refused `text` (the running configuration is then kept); an
   * equal text does nothing.
   */
  apply(text: string | undefined): Promise<string | undefined> {
    const run = this.queue.then(() => this.applyNow(text));
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async applyNow(text: string | undefined): Promise<string | undefined> {
    if (this.stopped) return undefined;
    if (text === this.text && (text === undefined || this.child !== undefined || this.timer !== undefined)) return undefined;
    if (text !== undefined && this.opts.checkArgs) {
      const why = await this.check(text, this.opts.checkArgs);
      if (why !== undefined) return this.refused(why);
    }
    if (text !== undefined && this.text !== undefined && this.child !== undefined && this.opts.reload) {
      const old = this.text;
      this.write(this.opts.confFile, text);
      const why = await this.opts.reload().catch((e: unknown) => {
        this.opts.log?.warn(`${this.opts.name} could not be asked to reload; restarting it`, { why: e instanceof Error ? e.message : String(e) });
        return null;
      });
      if (why === undefined) {
        this.text = text;
        return undefined;
      }
      if (why !== null) {
        // A restart must find the configuration the child still runs.
        this.write(this.opts.confFile, old);
        return this.refused(why);
      }
    }
    await this.end();
    this.text = text;
    this.why = undefined;
    if (text === undefined) {
      if (!this.opts.pidFileWrittenByDaemon) rmSync(this.opts.pidFile, { force: true });
      this.opts.log?.info(`${this.opts.name} stopped: ${this.opts.offMessage}`);
      return undefined;
    }
    this.write(this.opts.confFile, text);
    this.backoffMs = BACKOFF_MIN_MS;
    this.launch();
    return undefined;
  }

  private refused(why: string): string {
    this.opts.log?.warn(`${this.opts.name} refused the configuration made from the data model; the running one is kept`, { file: this.opts.confFile, why });
    return why;
  }

  /** The daemon's own check of `text`, its message when it refuses. */
  private async check(text: string, checkArgs: (candidate: string) => string[]): Promise<string | undefined> {
    const candidate = `${this.opts.confFile}.new`;
    this.write(candidate, text);
    const why = await new Promise<string | undefined>((resolve) => {
      execFile(this.opts.binary, checkArgs(candidate), { encoding: 'utf8', timeout: 10_000 }, (e, stdout, stderr) => {
        resolve(e ? (stderr || stdout || e.message).trim().split('\n').slice(-3).join(' ') : undefined);
      });
    });
    rmSync(candidate, { force: true });
    return why;
  }

  private write(file: string, text: string): void {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, text, { mode: this.opts.confMode ?? 0o644 });
    renameSync(tmp, file);
  }

  private launch(): void {
    this.timer = undefined;
    if (this.stopped || this.text === undefined) return;
    const { name, ready, onLine } = this.opts;
    const child = spawn(this.opts.binary, [...this.opts.args], { stdio: ['ignore', 'pipe', 'pipe'], ...this.opts.spawnAs });
    this.child = child;
    this.startedAt = Date.now();
    if (!this.opts.pidFileWrittenByDaemon && child.pid !== undefined) this.write(this.opts.pidFile, `${child.pid}\n`);
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        if (ready?.test(line) && this.child === child) this.why = undefined;
        this.lines.push(line);
        if (this.lines.length > MAX_LINES) this.lines.shift();
        onLine?.(line);
        this.opts.log?.debug(name, { line });
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (e) => {
      this.why = e.message;
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.stopped) return;
      const ran = Date.now() - this.startedAt;
      if (ran >= HEALTHY_MS) this.backoffMs = BACKOFF_MIN_MS;
      this.why = `${name} exited (${signal ?? `code ${String(code)}`}): ${this.lines.slice(-3).join(' | ')}`;
      this.opts.log?.warn(`${name} exited; starting it again after a back-off`, { why: this.why, retryInMs: this.backoffMs });
      this.timer = setTimeout(() => this.launch(), this.backoffMs);
      this.timer.unref?.();
      this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
    });
  }

  /** Ends the child (SIGTERM, SIGKILL after 5 s) and the pending restart. */
  private async end(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const child = this.child;
    this.child = undefined;
    await endChild(child);
  }

  /** The agent stops: the child ends with SIGTERM (not awaited; both daemons exit at once). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.child?.kill('SIGTERM');
    this.child = undefined;
  }
}
