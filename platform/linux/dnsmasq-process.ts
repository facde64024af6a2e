/**
 * The dnsmasq the agent owns on generic Linux: one configuration file in the agent's data
 * directory (replaced atomically: written beside it, then renamed) and one supervised child,
 * `dnsmasq --keep-in-foreground --conf-file=FILE`.
 *
 * - A new configuration restarts the child. SIGHUP is not enough: on SIGHUP dnsmasq re-reads
 *   /etc/hosts, --addn-hosts, --dhcp-hostsfile, --dhcp-optsfile, --servers-file and the resolv
 *   file, but not its main configuration, where the `server=`, `dhcp-range` and `port` lines are.
 *   Before the switch the new file is checked with `dnsmasq --test`: a file dnsmasq refuses is
 *   not installed, and the running child keeps the old one.
 * - A restart is a gap of a few tens of milliseconds for DNS (queries in flight are retried by
 *   the stub resolvers) and DHCP; leases live in the lease file, so clients keep their
 *   addresses and renew as before.
 * - A child that exits on its own is started again after a back-off: 1 s, doubling up to 60 s,
 *   back to 1 s once a child has run for a minute. `status()` reads Error meanwhile.
 * - `stop()` (the agent's SIGTERM) ends the child with SIGTERM: the LAN has no DNS relay and
 *   no DHCP server until the agent is back. Clients keep their leases meanwhile; only a client
 *   that asks then (a new one, or one renewing) waits for the agent's start.
 * - A child left by an agent that was killed (SIGKILL, no stop) is found at the next start by
 *   its pid file and ended, so the new one can bind its ports.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';

/** Where Debian, Yocto and Buildroot install it. */
export const DNSMASQ_BIN = '/usr/sbin/dnsmasq';
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 60_000;
/** A child that ran this long is healthy: the next failure starts the back-off afresh. */
const HEALTHY_MS = 60_000;
/** The last lines of dnsmasq's output kept for the log (bounded). */
const MAX_LINES = 20;

export interface DnsmasqProcessOptions {
  binary: string;
  confFile: string;
  pidFile: string;
  log?: Logger;
}

/** Supervises the one dnsmasq child; `apply` installs a configuration (undefined: none runs). */
export class DnsmasqProcess {
  private child?: ChildProcess;
  private text?: string;
  private timer?: ReturnType<typeof setTimeout>;
  private backoffMs = BACKOFF_MIN_MS;
  private startedAt = 0;
  private stopped = false;
  /** Why the child is not running as configured (Status Error), undefined when it runs. */
  private failure?: string;
  private readonly lines: string[] = [];
  /** Serialises apply(): a restart waits for the previous child to be gone. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly opts: DnsmasqProcessOptions) {}

  /** 'running' while the child runs the current file, 'failed' when it cannot, 'off' with no configuration. */
  status(): 'running' | 'failed' | 'off' {
    if (this.text === undefined) return 'off';
    return this.failure === undefined && this.child !== undefined ? 'running' : 'failed';
  }

  /** Ends a dnsmasq an earlier agent left running on the same file (it was killed without its stop). */
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
      if (!cmdline.includes(`--conf-file=${this.opts.confFile}`)) return;
      process.kill(pid, 'SIGTERM');
      this.opts.log?.info('ended the dnsmasq an earlier agent left running', { pid });
    } catch {
      /* gone already */
    }
  }

  /** Installs `text` and (re)starts the child; undefined stops it. Resolves once done; an equal text does nothing. */
  apply(text: string | undefined): Promise<void> {
    const run = this.queue.then(() => this.applyNow(text));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(text: string | undefined): Promise<void> {
    if (this.stopped) return;
    if (text === this.text && (text === undefined || this.child !== undefined || this.timer !== undefined)) return;
    if (text !== undefined) {
      const why = await this.check(text);
      if (why !== undefined) {
        this.opts.log?.warn('dnsmasq refused the configuration made from the data model; the running one is kept', { file: this.opts.confFile, why });
        return;
      }
    }
    await this.end();
    this.text = text;
    this.failure = undefined;
    if (text === undefined) {
      this.opts.log?.info('dnsmasq stopped: no DNS relay and no DHCPv4 pool to serve');
      return;
    }
    this.write(this.opts.confFile, text);
    this.backoffMs = BACKOFF_MIN_MS;
    this.launch();
  }

  /** dnsmasq's own check of `text` (`--test`), its message when it refuses. */
  private async check(text: string): Promise<string | undefined> {
    const candidate = `${this.opts.confFile}.new`;
    this.write(candidate, text);
    const why = await new Promise<string | undefined>((resolve) => {
      execFile(this.opts.binary, ['--test', `--conf-file=${candidate}`], { encoding: 'utf8', timeout: 10_000 }, (e, stdout, stderr) => {
        resolve(e ? (stderr || stdout || e.message).trim().split('\n').slice(-3).join(' ') : undefined);
      });
    });
    rmSync(candidate, { force: true });
    return why;
  }

  private write(file: string, text: string): void {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, file);
  }

  private launch(): void {
    this.timer = undefined;
    if (this.stopped || this.text === undefined) return;
    const child = spawn(this.opts.binary, ['--keep-in-foreground', '--log-facility=-', `--conf-file=${this.opts.confFile}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.startedAt = Date.now();
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        // dnsmasq says so once it has its sockets: a restart after a failure worked.
        if (/started, version/.test(line)) this.failure = undefined;
        this.lines.push(line);
        if (this.lines.length > MAX_LINES) this.lines.shift();
        this.opts.log?.debug('dnsmasq', { line });
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (e) => {
      this.failure = e.message;
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.stopped) return;
      const ran = Date.now() - this.startedAt;
      if (ran >= HEALTHY_MS) this.backoffMs = BACKOFF_MIN_MS;
      this.failure = `dnsmasq exited (${signal ?? `code ${String(code)}`}): ${this.lines.slice(-3).join(' | ')}`;
      this.opts.log?.warn('dnsmasq exited; starting it again after a back-off', { why: this.failure, retryInMs: this.backoffMs });
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
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** The agent stops: the child ends with SIGTERM (not awaited; dnsmasq exits at once). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.child?.kill('SIGTERM');
    this.child = undefined;
  }
}

/** Whether the agent may run its dnsmasq: the setting, the binary, and root (ports 53 and 67, raw DHCP sockets). */
export function dnsmasqUsable(setting: boolean | undefined, binary = DNSMASQ_BIN, uid = process.getuid?.() ?? -1): { usable: boolean; why?: string } {
  if (setting === false) return { usable: false, why: 'switched off (--dnsmasq off)' };
  if (!existsSync(binary)) return { usable: false, why: `${binary} is not installed` };
  if (uid !== 0) return { usable: false, why: 'the agent does not run as root (dnsmasq needs ports 53 and 67)' };
  return { usable: true };
}
