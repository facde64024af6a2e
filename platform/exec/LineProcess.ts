/**
 * A long-running child that reports one event per output line (`ubus listen`, `ubus subscribe`,
 * `mmcli --monitor-state`), kept alive: when it exits it is started again after an exponential
 * back-off with jitter (never a fixed period), and the back-off resets once a run has lasted a
 * while. Events arrive as they happen, so platforms need no polling for them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../../datamodel/Logger.js';
import { commandLine, type CommandRunner, killGroup } from './CommandRunner.js';

export interface LineProcessOptions {
  runner: CommandRunner;
  cmd: string;
  args: readonly string[];
  /** One complete output line, without the newline. */
  onLine: (line: string) => void;
  /** Called each time the child has been (re)started. */
  onStart?: () => void;
  log?: Logger;
  /** First restart delay (default 1 s); doubles per failed run up to maxDelayMs (default 60 s). */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** A run this long counts as healthy and resets the back-off (default 30 s). */
  healthyAfterMs?: number;
  /** Lines longer than this are dropped, so a broken producer cannot grow our buffer (64 KiB). */
  maxLineBytes?: number;
}

export class LineProcess {
  /** Times the child has been started (the first start included). */
  starts = 0;
  private child?: ChildProcess;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private failures = 0;
  private readonly line: string;

  constructor(private readonly opts: LineProcessOptions) {
    this.line = commandLine(opts.cmd, opts.args);
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  start(): void {
    if (this.stopped || this.child) return;
    const { opts } = this;
    const startedAt = Date.now();
    this.starts++;
    const child = spawn(opts.runner.executable(opts.cmd), opts.args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    const maxLine = opts.maxLineBytes ?? 64 * 1024;
    let pending = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line !== '') this.deliver(line);
      }
      if (pending.length > maxLine) {
        opts.log?.warn('event line too long; dropped', { command: this.line, bytes: pending.length });
        pending = '';
      }
    });
    child.stderr!.resume(); // not read, but must not fill up and block the child
    let ended = false;
    const onEnd = (why: string): void => {
      if (ended) return;
      ended = true;
      if (this.child === child) this.child = undefined;
      if (this.stopped) return;
      const healthy = Date.now() - startedAt >= (opts.healthyAfterMs ?? 30_000);
      this.failures = healthy ? 0 : this.failures + 1;
      const delay = this.backoff();
      opts.log?.warn('event listener ended; restarting', { command: this.line, why, restartInMs: delay });
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.start();
      }, delay);
      this.timer.unref();
    };
    child.on('error', (e) => onEnd(e.message));
    child.on('close', (code, signal) => onEnd(`exit ${code ?? signal}`));
    opts.onStart?.();
  }

  /** Kills the child and cancels any pending restart; the process stays stopped. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.child) killGroup(this.child, 'SIGTERM');
    this.child = undefined;
  }

  private deliver(line: string): void {
    try {
      this.opts.onLine(line);
    } catch (e) {
      this.opts.log?.warn('event handler failed', { command: this.line, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** min · 2^(failures−1), capped, with ±20 % jitter so a fleet does not restart in step. */
  private backoff(): number {
    const min = this.opts.minDelayMs ?? 1000;
    const max = this.opts.maxDelayMs ?? 60_000;
    const base = Math.min(max, min * 2 ** Math.max(0, this.failures - 1));
    return Math.round(base * (0.8 + 0.4 * Math.random()));
  }
}
