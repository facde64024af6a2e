/**
 * One dhcpcd the agent owns for an enabled Device.DHCPv6.Client.{i}. on generic Linux:
 * `dhcpcd -6 -B -f CONF DEV` in the foreground (dhcpcd keeps its DUID, lease and control socket
 * in its own directories, /var/lib/dhcpcd and /run/dhcpcd).
 *
 * - Signals (dhcpcd's signal handler): SIGUSR1 renews now (Renew()); SIGALRM releases the lease
 *   (DHCPv6 Release), removes the address and exits (Delete, Enable false); SIGTERM exits keeping
 *   the address (`persistent`: the agent stops, the next one's dhcpcd takes over).
 * - Each child records into a state file of its own (`stateFile`): dhcpcd's privilege-separated
 *   helper may run the hook of a stopping child's last events after the child has exited, and
 *   must not overwrite what its successor recorded.
 * - dhcpcd forks privilege-separation helpers (one listens on the leased address's port 546):
 *   the child runs in a process group of its own, and ending it waits for the whole group to
 *   go (SIGKILL after 3 s), or the next dhcpcd on the device cannot bind its port.
 * - A child that exits on its own is started again after 1 s, doubling up to 60 s.
 * - The source address of the server's last Reply is taken from dhcpcd's own log line
 *   ("REPLY6 received from ADDR"): its hook variables do not carry it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../../datamodel/Logger.js';
import { endChild } from '../exec/end-child.js';

const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 60_000;
const HEALTHY_MS = 60_000;
const RELEASE_WAIT_MS = 3000;
const MAX_LINES = 10;

export class DhcpcdProcess {
  private child?: ChildProcess;
  private timer?: ReturnType<typeof setTimeout>;
  private backoffMs = BACKOFF_MIN_MS;
  private startedAt = 0;
  private ended = false;
  private readonly lines: string[] = [];
  /** Why no child runs (Status Error); undefined while one runs. */
  failure?: string;
  /** The link-local address the last Reply came from. */
  serverAddress?: string;

  constructor(
    readonly device: string,
    /** The settings it runs with (compared to restart it on a change). */
    readonly conf: string,
    readonly stateFile: string,
    private readonly confFile: string,
    private readonly binary: string,
    private readonly log?: Logger,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.failure === undefined;
  }

  start(): void {
    this.timer = undefined;
    if (this.ended) return;
    const child = spawn(this.binary, ['-6', '-B', '-d', '-f', this.confFile, this.device], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    this.child = child;
    this.failure = undefined;
    this.startedAt = Date.now();
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        const from = /REPLY6 received from (\S+)/.exec(line);
        if (from) this.serverAddress = from[1];
        this.lines.push(line);
        if (this.lines.length > MAX_LINES) this.lines.shift();
        this.log?.debug('dhcpcd', { device: this.device, line });
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
      this.failure = `dhcpcd exited (${signal ?? `code ${String(code)}`}): ${this.lines.slice(-3).join(' | ')}`;
      this.log?.warn('dhcpcd exited; starting it again after a back-off', { device: this.device, why: this.failure, retryInMs: this.backoffMs });
      this.timer = setTimeout(() => this.start(), this.backoffMs);
      this.timer.unref?.();
      this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
    });
  }

  /** Renew(): false when no child runs. */
  renew(): boolean {
    return this.child ? this.child.kill('SIGUSR1') : false;
  }

  /** Releases the lease (SIGALRM) and waits for dhcpcd to exit; then ends it in any case. */
  async release(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      this.ended = true;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGALRM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, RELEASE_WAIT_MS))]);
    }
    await this.end();
  }

  /** Ends the child (SIGTERM, SIGKILL after 5 s) and any pending restart; the address is kept. */
  async end(): Promise<void> {
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const child = this.child;
    this.child = undefined;
    await endChild(child);
    if (child?.pid !== undefined) await endGroup(child.pid);
  }
}

/** Waits for the process group `pgid` (dhcpcd's helpers) to be gone; SIGKILL after 3 s. */
async function endGroup(pgid: number): Promise<void> {
  const alive = (): boolean => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + RELEASE_WAIT_MS;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive()) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
}
