/**
 * The Device.Schedules.Schedule.{i} rows of one device as the rest of the agent uses them: the
 * state of each (Status, TimeLeft) in the device's local time, the windows a ScheduleRef list
 * names, and one timer for the next moment any enabled row turns on or off, when the changed
 * Status values are told to the subscriptions (ValueChange).
 *
 * One book per data model (scheduleBookOf): the agent serves the table and the platforms'
 * referring tables (Hosts.AccessControl, NAT.PortMapping) find the same book through the model
 * they serve, with no option threaded through every platform's start. A gateway of a fleet
 * makes one only when something touches schedules, and arms a timer only while an enabled row
 * exists.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { Change, ChangeObserver } from '../../datamodel/tree/ChangeFeed.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import { scheduleInstance, scheduleRefs, SCHEDULE_ROW, SCHEDULE_TABLE, SCHEDULES, windowOfRow } from './schedule-rows.js';
import { activeSegments, type ScheduleWindow, stateAt, unionSegments, weekSecond } from './schedule-window.js';
import { offsetWestAt, parsePosixZone, type PosixZone } from './zone-clock.js';

/** TimeLeft of a row that never changes (on all week, or never on): the unsignedInt's largest value. */
export const NEVER_CHANGES = 4294967295;
/** The timer looks again at least this often, so a new LocalTimeZone or a clock step is caught up with. */
const MAX_TIMER_MS = 3_600_000;
/** How long the zone read from Device.Time. is reused. */
const ZONE_MAX_AGE_MS = 30_000;
/** A moment after the computed transition, so the look sees the new state. */
const TIMER_SLACK_MS = 20;

/** Status and TimeLeft of one row (TR-181 Device.Schedules.Schedule.{i}.). */
export interface ScheduleReading {
  Status: 'Active' | 'Inactive' | 'StackDisabled';
  TimeLeft: number;
}

/** Puts a change of the schedules into effect (a firewall written again); throwing refuses the change. */
export type ScheduleUser = () => Promise<void>;

const books = new WeakMap<DataModel, ScheduleBook>();

/** The schedule book of `model`, made at the first call. */
export function scheduleBookOf(model: DataModel, store: DataStore, log?: Logger): ScheduleBook {
  let book = books.get(model);
  if (!book) books.set(model, (book = new ScheduleBook(model, store, log)));
  return book;
}

/** See the file comment. */
export class ScheduleBook implements ChangeObserver {
  private timer: NodeJS.Timeout | undefined;
  private told: Map<number, string> | undefined;
  /** `tz`: the LocalTimeZone string `zone` was read from (undefined: the process's zone). */
  private zoneRead: { at: number; zone: PosixZone | undefined; tz?: string } | undefined;
  /** The zone's offset from UTC (seconds west) at the last look: the users write again when it moves. */
  private offsetSeen: number | undefined;
  private users: ScheduleUser[] | undefined;
  private looking = false;
  private observing = false;

  constructor(
    readonly model: DataModel,
    readonly store: DataStore,
    private readonly log?: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Device.Schedules.Enable (TR-181 default true). */
  stackEnabled(): boolean {
    return this.store.row(SCHEDULES)?.Enable !== false;
  }

  instances(): number[] {
    return this.store.instances(SCHEDULE_TABLE);
  }

  row(n: number): Readonly<Record<string, Value>> | undefined {
    return this.store.row(`${SCHEDULE_TABLE}${n}.`);
  }

  /** Whether a ScheduleRef item names a row that exists. */
  exists(ref: string): boolean {
    const n = scheduleInstance(ref);
    return n !== undefined && this.row(n) !== undefined;
  }

  /**
   * The windows of the rows a ScheduleRef list names that are in force: enabled and complete,
   * while Device.Schedules.Enable is true (a disabled stack schedules nothing). Missing rows
   * name nothing (a Delete removes them from the list in the same transaction).
   */
  windowsOf(list: Value | undefined): ScheduleWindow[] {
    if (!this.stackEnabled()) return [];
    const out: ScheduleWindow[] = [];
    for (const ref of scheduleRefs(list)) {
      const n = scheduleInstance(ref);
      const w = n === undefined ? undefined : windowOfRow(this.row(n) ?? {});
      if (w) out.push(w);
    }
    return out;
  }

  /** Whether the schedules a ScheduleRef list names are on now (at least one of them), undefined when none is in force. */
  async activeNow(list: Value | undefined): Promise<boolean | undefined> {
    const windows = this.windowsOf(list);
    if (windows.length === 0) return undefined;
    return stateAt(unionSegments(windows), weekSecond(this.now(), await this.zone())).active;
  }

  /**
   * activeNow for a Status computed synchronously (the simulated gateway's): in the zone last
   * read, which is read again in the background when it is old (the process's zone until then).
   */
  activeNowCached(list: Value | undefined): boolean | undefined {
    const windows = this.windowsOf(list);
    if (windows.length === 0) return undefined;
    if (!this.zoneRead || this.now() - this.zoneRead.at >= ZONE_MAX_AGE_MS) void this.zone();
    return stateAt(unionSegments(windows), weekSecond(this.now(), this.zoneRead?.zone)).active;
  }

  /** Status and TimeLeft of row `n` (stored values `row`) now. */
  async reading(row: Readonly<Record<string, Value>>): Promise<ScheduleReading> {
    return this.readingAt(row, weekSecond(this.now(), await this.zone()));
  }

  private readingAt(row: Readonly<Record<string, Value>>, w: number): ScheduleReading {
    if (row.Enable !== true) return { Status: 'Inactive', TimeLeft: 0 };
    if (!this.stackEnabled()) return { Status: 'StackDisabled', TimeLeft: 0 };
    const win = windowOfRow(row);
    if (!win) return { Status: 'Inactive', TimeLeft: 0 };
    const s = stateAt(activeSegments(win), w);
    return { Status: s.active ? 'Active' : 'Inactive', TimeLeft: s.changesIn === undefined ? NEVER_CHANGES : Math.max(1, Math.ceil(s.changesIn)) };
  }

  /**
   * The device's zone: Device.Time.LocalTimeZone as served (read at most every 30 s), the
   * process's own when nothing serves it or it is no POSIX TZ string.
   */
  async zone(): Promise<PosixZone | undefined> {
    const at = this.now();
    if (this.zoneRead && at - this.zoneRead.at < ZONE_MAX_AGE_MS) return this.zoneRead.zone;
    let zone: PosixZone | undefined;
    let tz: string | undefined;
    const node = this.model.node('Device.Time.');
    if (node && this.model.isBound(node)) {
      try {
        const v = await this.model.readValue({ node, keys: [] }, 'LocalTimeZone', {});
        zone = typeof v === 'string' && v !== '' ? parsePosixZone(v) : undefined;
        tz = zone ? (v as string) : undefined;
      } catch {
        zone = undefined;
      }
    }
    this.zoneRead = { at, zone, tz };
    return zone;
  }

  /**
   * The environment a command that reads local time must run with to count in the zone Status
   * counts in: nft turns a rule's `meta hour` into UTC when it loads it, with the offset its own
   * TZ gives then. `{ TZ: <LocalTimeZone> }` (a POSIX TZ string, which glibc and musl read as
   * such), or undefined where the process's own zone is the device's (nothing serves
   * Device.Time., or its value is no POSIX TZ string).
   */
  async commandEnv(): Promise<Record<string, string> | undefined> {
    await this.zone();
    const tz = this.zoneRead?.tz;
    return tz === undefined ? undefined : { TZ: tz };
  }

  /** The change feed's observer method: a new Device.Time.LocalTimeZone is read again at once. */
  modelChanged(change: Change): void {
    if (change.kind !== 'value' || change.param !== 'LocalTimeZone' || change.path !== 'Device.Time.') return;
    this.zoneRead = undefined;
    // The look that follows writes the users' rules again if the offset in force moved.
    if (this.instances().length > 0) this.changed();
  }

  /** `user` puts every later change of the schedules into effect (a referring table's firewall). */
  use(user: ScheduleUser): void {
    (this.users ??= []).push(user);
  }

  /** Puts the stored schedules into effect everywhere they are used; throws when one refuses. */
  async apply(): Promise<void> {
    for (const u of this.users ?? []) await u();
  }

  /**
   * After a change of the rows (or of Device.Schedules.Enable): looks again once the change is
   * through (committed, or undone by the transaction: then the old values come back the same
   * way), telling the Status values that changed and arming the timer.
   */
  changed(): void {
    // From the first row on, a new LocalTimeZone moves every window: read it again and look at
    // once (a gateway without rows listens to nothing).
    if (!this.observing) {
      this.observing = true;
      this.model.changes.observe(this);
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.look(), 0);
    this.timer.unref();
  }

  /** Arms the timer for stored rows (after the state is loaded); nothing when no row exists. */
  start(): void {
    if (this.instances().length > 0) this.changed();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.observing = false;
    this.model.changes.unobserve(this);
  }

  /** Tells the Status values that changed since the last look and arms the timer for the next change. */
  private async look(): Promise<void> {
    if (this.looking) return this.changed();
    this.looking = true;
    try {
      const zone = await this.zone();
      const w = weekSecond(this.now(), zone);
      this.followOffset(zone);
      const node = this.model.requireNode(SCHEDULE_ROW);
      const told = (this.told ??= new Map<number, string>());
      let enabled = false;
      const seen = new Set<number>();
      for (const n of this.instances()) {
        seen.add(n);
        const row = this.row(n) ?? {};
        if (row.Enable === true) enabled = true;
        const reading = this.readingAt(row, w);
        const before = told.get(n);
        told.set(n, reading.Status);
        if (before !== undefined && before !== reading.Status) {
          this.model.changes.emit({ kind: 'value', inst: { node, keys: [n] }, path: node.pathOf([n]), param: 'Status', value: reading.Status });
        }
      }
      for (const n of told.keys()) if (!seen.has(n)) told.delete(n);
      if (told.size === 0) this.told = undefined;
      this.timer = undefined;
      // Only while an enabled row exists: the exact moment of the next change (not the whole
      // seconds TimeLeft counts), or an hourly look when none comes.
      if (enabled && this.stackEnabled()) {
        const exact = this.exactChange(w);
        const ms = exact === undefined ? MAX_TIMER_MS : Math.min(MAX_TIMER_MS, exact * 1000 + TIMER_SLACK_MS);
        this.timer = setTimeout(() => void this.look(), ms);
        this.timer.unref();
      }
    } catch (e) {
      this.log?.warn('schedules could not be looked at; trying again in a minute', { why: e instanceof Error ? e.message : String(e) });
      this.timer = setTimeout(() => void this.look(), 60_000);
      this.timer.unref();
    } finally {
      this.looking = false;
    }
  }

  /**
   * The rules the users wrote hold local hours turned into UTC with the offset in force then
   * (nft's `meta hour`): when the offset moves (a new LocalTimeZone, summer time starting or
   * ending) they are written again. Summer time is caught at the next look: the timer looks at
   * least hourly while an enabled row exists.
   */
  private followOffset(zone: PosixZone | undefined): void {
    const now = this.now();
    const offset = zone ? offsetWestAt(zone, now) : new Date(now).getTimezoneOffset() * 60;
    const before = this.offsetSeen;
    this.offsetSeen = offset;
    if (before === undefined || before === offset || !this.users) return;
    this.log?.info('schedule windows written again: the local time offset changed', { fromWest: before, toWest: offset });
    void this.apply().catch((e: unknown) => this.log?.warn('schedule windows not written again after the local time offset changed', { why: e instanceof Error ? e.message : String(e) }));
  }

  /** Seconds (fractional) from week-second `w` to the next change of any enabled row. */
  private exactChange(w: number): number | undefined {
    let best: number | undefined;
    for (const n of this.instances()) {
      const win = windowOfRow(this.row(n) ?? {});
      const c = win && stateAt(activeSegments(win), w).changesIn;
      if (c !== undefined && (best === undefined || c < best)) best = c;
    }
    return best;
  }
}

/** Stops the timer of `model`'s book, if it has one (the agent stopping). */
export function stopScheduleBook(model: DataModel): void {
  books.get(model)?.stop();
}
