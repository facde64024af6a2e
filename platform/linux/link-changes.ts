/**
 * When each interface last changed its operational state, for IP.Interface.{i}.LastChange
 * (TR-181: seconds since the interface entered its current Status). The kernel keeps no such
 * timestamp, so the agent watches: one long-lived `ip -o monitor link` (one netlink event per
 * line), restarted with back-off when it exits (LineProcess), records the time each interface's
 * Status changed.
 *
 * What the agent could not see counts from when it started watching: after each (re)start of the
 * watcher, the first read of the interfaces (`observe`, from the `ip -j addr` snapshot the Get
 * has anyway) records every Status as held since that start, so an interface that has not changed
 * since reads the time since the watcher (re)started, a lower bound, and a later event for it
 * counts only when its Status differs. An event before that first read, for an interface not yet
 * recorded, counts as a change. The table is bounded (MAX_TRACKED interfaces; a deleted
 * interface is forgotten at once).
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import { LineProcess } from '../exec/LineProcess.js';
import { interfaceStatus } from './net-status.js';

/** Interfaces tracked at most; past it the one recorded longest ago is forgotten (and reads the lower bound again). */
export const MAX_TRACKED = 4096;

/** One `ip -o monitor link` line: `[Deleted ]IDX: NAME[@PEER]: <FLAGS> ... state STATE ...`. */
const EVENT_RE = /^(Deleted )?\d+:\s+([^:@\s]+)(?:@\S+)?:\s+<([^>]*)>.*?\bstate (\S+)/;

/** The interface and Status an event line describes (deleted: Status undefined); undefined for another kind of line. */
export function parseLinkEvent(line: string): { ifname: string; status?: string } | undefined {
  const m = EVENT_RE.exec(line);
  if (!m) return undefined;
  if (m[1]) return { ifname: m[2] };
  const flags = new Set(m[3].split(','));
  return { ifname: m[2], status: interfaceStatus(m[4], flags.has('UP'), flags.has('LOWER_UP'), true) };
}

export class LinkChanges {
  private readonly changes = new Map<string, { status: string; at: number }>();
  /** When the watcher last (re)started: the lower bound of every state not seen changing since. */
  private watchingSince: number;
  private readonly watcher: LineProcess;

  /** The watcher (re)started and no read has recorded the interfaces' Status since. */
  private seedPending = true;

  constructor(
    runner: CommandRunner,
    private readonly now: () => number,
    log?: Logger,
  ) {
    this.watchingSince = now();
    this.watcher = new LineProcess({
      runner,
      cmd: 'ip',
      args: ['-o', 'monitor', 'link'],
      log,
      onLine: (line) => this.onEvent(line),
      onStart: () => {
        // Events missed while no watcher ran: what changed then is known only from now on.
        this.watchingSince = this.now();
        this.seedPending = true;
      },
    });
  }

  start(): void {
    this.watcher.start();
  }

  stop(): void {
    this.watcher.stop();
  }

  /**
   * Every interface's Status as a read found it: after a (re)start of the watcher, what no event
   * has said more about since is recorded as held since that start.
   */
  observe(all: () => Iterable<{ ifname: string; status: string }>): void {
    if (!this.seedPending) return;
    this.seedPending = false;
    for (const { ifname, status } of all()) {
      const seen = this.changes.get(ifname);
      if (!seen || seen.at < this.watchingSince) this.record(ifname, status, this.watchingSince);
    }
  }

  /** Seconds `ifname` has been in `status` (its Status read now), as far as the agent has seen. */
  lastChange(ifname: string, status: string): number {
    const seen = this.changes.get(ifname);
    const since = seen && seen.status === status ? seen.at : this.watchingSince;
    return Math.max(0, Math.floor((this.now() - since) / 1000));
  }

  private onEvent(line: string): void {
    const e = parseLinkEvent(line);
    if (!e) return;
    if (e.status === undefined) {
      this.changes.delete(e.ifname);
      return;
    }
    const seen = this.changes.get(e.ifname);
    // Events come for any link change (MTU, address...): only a new Status restarts the count.
    if (seen?.status === e.status) return;
    // An interface never seen before was created now (or changed before the seed was read).
    this.record(e.ifname, e.status, this.now());
  }

  private record(ifname: string, status: string, at: number): void {
    this.changes.delete(ifname);
    if (this.changes.size >= MAX_TRACKED) this.changes.delete(this.changes.keys().next().value!);
    this.changes.set(ifname, { status, at });
  }
}
