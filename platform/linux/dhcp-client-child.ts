/**
 * What the agent's DHCP client children on generic Linux (udhcpc for Device.DHCPv4.Client.{i}.,
 * dhcpcd for Device.DHCPv6.Client.{i}.) share: one child per enabled Client row, started again
 * after it exits on its own (1 s, doubling up to 60 s, back to 1 s once a child ran a minute),
 * its last output lines kept (bounded) to say why it failed (Status Error), Renew() as SIGUSR1
 * (both programs renew at once on it), and the end of the child with any pending restart.
 * Each program's own arguments, release signal and clean-up stay in its subclass.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { Logger } from '../../datamodel/Logger.js';
import { endChild } from '../exec/end-child.js';

const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 60_000;
/** A child that ran this long is healthy: the next failure starts the back-off afresh. */
const HEALTHY_MS = 60_000;
/** The last output lines kept for the failure reason (bounded). */
const MAX_LINES = 10;

/** How to start the child: program arguments and spawn options (stdout and stderr are piped). */
export interface DhcpClientCommand {
  args: string[];
  options: Omit<SpawnOptions, 'stdio'>;
}

/** Supervises one DHCP client child for one device. */
export abstract class DhcpClientChild {
  protected child?: ChildProcess;
  private timer?: ReturnType<typeof setTimeout>;
  private backoffMs = BACKOFF_MIN_MS;
  private startedAt = 0;
  /** Set once the agent ends the child: no restart after that. */
  protected ended = false;
  private readonly lines: string[] = [];
  /** Why no child runs (Status Error); undefined while one runs. */
  failure?: string;

  constructor(
    /** The program's name in log lines and failure reasons ("udhcpc", "dhcpcd"). */
    private readonly name: string,
    readonly device: string,
    private readonly binary: string,
    protected readonly log?: Logger,
  ) {}

  /** Whether a child runs now. */
  get running(): boolean {
    return this.child !== undefined && this.failure === undefined;
  }

  /** The program's arguments and environment for the next start. */
  protected abstract command(): DhcpClientCommand;

  /** Each line the child prints (stdout and stderr), for what only its log says. */
  protected onLine(_line: string): void {}

  protected launch(): void {
    this.timer = undefined;
    if (this.ended) return;
    const { args, options } = this.command();
    const child = spawn(this.binary, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.failure = undefined;
    this.startedAt = Date.now();
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.onLine(line);
        this.lines.push(line);
        if (this.lines.length > MAX_LINES) this.lines.shift();
        this.log?.debug(this.name, { device: this.device, line });
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
      if (this.ended) return;
      if (Date.now() - this.startedAt >= HEALTHY_MS) this.backoffMs = BACKOFF_MIN_MS;
      this.failure = `${this.name} exited (${signal ?? `code ${String(code)}`}): ${this.lines.slice(-3).join(' | ')}`;
      this.log?.warn(`${this.name} exited; starting it again after a back-off`, { device: this.device, why: this.failure, retryInMs: this.backoffMs });
      this.timer = setTimeout(() => this.launch(), this.backoffMs);
      this.timer.unref?.();
      this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
    });
  }

  /** Ends the child and any pending restart, the lease kept (what else goes with it is the program's). */
  abstract end(): Promise<void>;

  /** Renew(): SIGUSR1 makes the client renew at once. False when no child runs. */
  renew(): boolean {
    return this.child ? this.child.kill('SIGUSR1') : false;
  }

  /** Ends the child (SIGTERM, SIGKILL after 5 s) and any pending restart; the lease is kept. Returns the child it ended. */
  protected async endChild(): Promise<ChildProcess | undefined> {
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const child = this.child;
    this.child = undefined;
    await endChild(child);
    return child;
  }
}
