/**
 * When a Device.Hosts.AccessControl.{i} row keeps its device off the broadband network, as a
 * week of blocked periods (TR-181 2.14+ AccessControl and its deprecated Schedule.{i} table):
 *
 * - AccessPolicy "Deny": blocked all the time (TR-181: the schedules are then ignored);
 * - "Allow" with no enabled Schedule row: never blocked ("access is enabled if there is no
 *   schedule");
 * - "Allow" with enabled Schedule rows: access only inside their windows, so blocked outside
 *   their union (a Device.Schedules row a ScheduleRef names counts the same, with its InverseMode).
 *
 * The result is per weekday segments, [start, end) in seconds of the day, that every platform
 * turns into its own rules (nftables `meta day`/`meta hour`, fw4 `weekdays`/`start_time`/`stop_time`,
 * the simulated gateway's clock), so the three agree on what a row does. The windows themselves
 * are evaluated as every schedule is (platform/schedules/schedule-window.ts).
 */
import { complement, DAY_S, type DaySegment, type ScheduleWindow, unionSegments, WEEK_S, weekSecond } from '../schedules/schedule-window.js';

export { DAY_S, type DaySegment, MAX_DURATION_S, parseStartTime, WEEK_S, WEEKDAYS } from '../schedules/schedule-window.js';

/** One access window of a Schedule row (or of a Device.Schedules row a ScheduleRef names). */
export type AccessWindow = ScheduleWindow;

/** What a row does: nothing, block always, or block in these segments of each week. */
export type Blocking = { kind: 'never' } | { kind: 'always' } | { kind: 'segments'; segments: DaySegment[] };

/** What a row of `policy` with these enabled windows blocks. */
export function blockingOf(policy: string, windows: readonly AccessWindow[]): Blocking {
  if (policy === 'Deny') return { kind: 'always' };
  if (windows.length === 0) return { kind: 'never' };
  const segments = complement(unionSegments(windows));
  if (segments.length === 0) return { kind: 'never' };
  if (segments.length === 7 && segments.every((s) => s.start === 0 && s.end === DAY_S)) return { kind: 'always' };
  return { kind: 'segments', segments };
}

/** Blocked segments with the same hours on several days, as one entry each (one firewall rule). */
export function groupByHours(segments: readonly DaySegment[]): Array<{ days: number[]; start: number; end: number }> {
  const groups = new Map<string, { days: number[]; start: number; end: number }>();
  for (const s of segments) {
    const key = `${s.start}-${s.end}`;
    const g = groups.get(key);
    if (g) g.days.push(s.day);
    else groups.set(key, { days: [s.day], start: s.start, end: s.end });
  }
  return [...groups.values()];
}

/** Seconds of the day as "hh:mm:ss" (86400 never comes here: an end is written as its last second). */
export function clockText(s: number): string {
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}`;
}

/** Whether `b` blocks at wall-clock `ms` (local time). */
export function blockedAt(b: Blocking, ms: number): boolean {
  if (b.kind !== 'segments') return b.kind === 'always';
  const w = Math.floor(weekSecond(ms));
  const day = Math.floor(w / DAY_S);
  const s = w % DAY_S;
  return b.segments.some((g) => g.day === day && g.start <= s && s < g.end);
}

/** Blocked seconds of the week before week-second `w` (0..WEEK_S). */
function blockedBefore(segments: readonly DaySegment[], w: number): number {
  let sum = 0;
  for (const g of segments) {
    const a = g.day * DAY_S + g.start;
    const e = g.day * DAY_S + g.end;
    if (w > a) sum += Math.min(w, e) - a;
  }
  return sum;
}

/** Seconds (fractional) `b` blocks between wall-clock `fromMs` and `toMs` (local week; a DST shift is not reckoned). */
export function blockedSeconds(b: Blocking, fromMs: number, toMs: number): number {
  const span = Math.max(0, (toMs - fromMs) / 1000);
  if (b.kind === 'never' || span === 0) return 0;
  if (b.kind === 'always') return span;
  const perWeek = blockedBefore(b.segments, WEEK_S);
  const weeks = Math.floor(span / WEEK_S);
  const rest = span - weeks * WEEK_S;
  const a = weekSecond(fromMs);
  const z = a + rest;
  const partial = z <= WEEK_S ? blockedBefore(b.segments, z) - blockedBefore(b.segments, a) : perWeek - blockedBefore(b.segments, a) + blockedBefore(b.segments, z - WEEK_S);
  return weeks * perWeek + partial;
}
