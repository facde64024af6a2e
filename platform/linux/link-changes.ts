/**
 * When each interface last changed its operational state, for the LastChange of IP.Interface.{i},
 * Ethernet.Interface.{i} and Bridging.Bridge.{i}.Port.{i} (TR-181: seconds since the interface
 * entered its current Status). The kernel keeps no such timestamp, so the agent watches: one
 * long-lived `ip -o monitor link` (one netlink event per line), restarted with back-off when it
 * exits (LineProcess), records the time each interface's Status changed. One watcher serves all
 * three tables: they read the same netdevs.
 *
 * A device has two Status readings (net-status.ts): as a port (Ethernet.Interface: no carrier is
 * Down) and as the lower layer of an object stacked on it (IP.Interface, Bridge Port: no carrier
 * under an enabled object is LowerLayerDown). Each reading keeps its own time, so a change that
 * leaves a port Down (administratively down, then only without carrier) does not restart its count.
 *
 * What the agent could not see counts from when it started watching: after each (re)start of the
 * watcher, the first read of the interfaces (`observe`, from the `ip -j addr` snapshot the Get
 * has anyway) records every Status as held since that start, so an interface that has not changed
 * since reads the time since the watcher (re)started, a lower bound, and a later event for it
 * counts only when its Status differs. An event before that first read, for an interface not yet
 * recorded, counts as a change. The table is bounded (MAX_TRACKED interfaces; a deleted
 * interface is forgotten at once). A read of an interface no read or event has recorded since the
 * (re)start records it the same way, so a table read alone (Ethernet without IP) needs no seed.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import { LineProcess } from '../exec/LineProcess.js';
import { interfaceStatus } from './net-status.js';

const LAYERS: readonly StatusLayer[] = ['port', 'stacked'];

/** Interfaces tracked at most; past it the one recorded longest ago is forgotten (and reads the lower bound again). */
export const MAX_TRACKED = 4096;

/** One `ip -o monitor link` line: `[Deleted ]IDX: NAME[@PEER]: <FLAGS> ... state STATE ...`. */
const EVENT_RE = /^(Deleted )?\d+:\s+([^:@\s]+)(?:@\S+)?:\s+<([^>]*)>.*?\bstate (\S+)/;

/** Which Status reading of a device: as a port (Ethernet.Interface) or under a stacked object (IP.Interface, Bridge Port). */
export type StatusLayer = 'port' | 'stacked';

/** A device's Status in both readings. */
export type LinkStatuses = Record<StatusLayer, string>;

/** Both Status readings of a device from its RFC 2863 operstate, IFF_UP and carrier (LOWER_UP). */
export function linkStatuses(operstate: string | undefined, up: boolean, lowerUp: boolean): LinkStatuses {
  return { port: interfaceStatus(operstate, up, lowerUp), stacked: interfaceStatus(operstate, up, lowerUp, true) };
}

/** The interface and Status an event line describes (deleted: Status undefined); undefined for another kind of line. */
export function parseLinkEvent(line: string): { ifname: string; status?: LinkStatuses } | undefined {
  const m = EVENT_RE.exec(line);
  if (!m) return undefined;
  if (m[1]) return { ifname: m[2] };
  const flags = new Set(m[3].split(','));
  return { ifname: m[2], status: linkStatuses(m[4], flags.has('UP'), flags.has('LOWER_UP')) };
}

/** Since when (ms) a device has held its Status, per reading. */
type Held = Partial<Record<StatusLayer, { status: string; at: number }>>;

export class LinkChanges {
  private readonly changes = new Map<string, Held>();
  /** When the watcher last (re)started: the lower bound of every state not seen changing since. */
  private watchingSince: number;
  private readonly watcher: LineProcess;

  /** The watcher (re)started and no read has recorded the interfaces' Status since. */
  private seedPending = true;
  /** Told of every link event (a device made again needs its settings again); a few fixed ones. */
  private readonly listeners: Array<(ifname: string, gone: boolean) => void> = [];

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

  /** Calls `listener` on each link event: the device's name, and whether it was deleted. */
  onLink(listener: (ifname: string, gone: boolean) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Every interface's Status as a read found it: after a (re)start of the watcher, what no event
   * has said more about since is recorded as held since that start.
   */
  observe(all: () => Iterable<{ ifname: string; status: LinkStatuses }>): void {
    if (!this.seedPending) return;
    this.seedPending = false;
    for (const { ifname, status } of all()) for (const layer of LAYERS) this.seed(ifname, layer, status[layer]);
  }

  /**
   * Seconds `ifname` has been in `status` (its Status read now, in the `layer` reading), as far
   * as the agent has seen.
   */
  lastChange(ifname: string, status: string, layer: StatusLayer = 'stacked'): number {
    this.seed(ifname, layer, status);
    const seen = this.changes.get(ifname)?.[layer];
    const since = seen && seen.status === status ? seen.at : this.watchingSince;
    return Math.max(0, Math.floor((this.now() - since) / 1000));
  }

  /** Records `status` as held since the watcher (re)started, unless seen since. */
  private seed(ifname: string, layer: StatusLayer, status: string): void {
    const held = this.changes.get(ifname);
    const seen = held?.[layer];
    if (seen && seen.at >= this.watchingSince) return;
    this.record(ifname, { ...held, [layer]: { status, at: this.watchingSince } });
  }

  private onEvent(line: string): void {
    const e = parseLinkEvent(line);
    if (!e) return;
    for (const l of this.listeners) l(e.ifname, e.status === undefined);
    if (e.status === undefined) {
      this.changes.delete(e.ifname);
      return;
    }
    const held = this.changes.get(e.ifname);
    const at = this.now();
    // Events come for any link change (MTU, address...): only a new Status restarts a count.
    // An interface never seen before was created now (or changed before the seed was read).
    const next: Held = { ...held };
    for (const layer of LAYERS) if (held?.[layer]?.status !== e.status[layer]) next[layer] = { status: e.status[layer], at };
    this.record(e.ifname, next);
  }

  private record(ifname: string, held: Held): void {
    this.changes.delete(ifname);
    if (this.changes.size >= MAX_TRACKED) this.changes.delete(this.changes.keys().next().value!);
    this.changes.set(ifname, held);
  }
}
