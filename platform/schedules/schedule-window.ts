/**
 * When a TR-181 schedule is on, as periods of the local week: the one evaluation behind
 * Device.Schedules.Schedule.{i} (Status, TimeLeft), the objects that refer to schedules through
 * ScheduleRef (Hosts.AccessControl, NAT.PortMapping) and the deprecated
 * Hosts.AccessControl.{i}.Schedule.{i} table.
 *
 * A window opens at StartTime (local time) on each of its Days and lasts Duration seconds,
 * running on into the next days when it passes midnight (a Sunday window runs into Monday).
 * InverseMode turns the schedule around: it is on outside its windows. Several schedules
 * together are on when any of them is (ScheduleRef: each reference "provides a schedule where
 * access can be enabled", so the union). Everything here is pure: the caller gives the clock.
 */
import { localFields, type PosixZone } from './zone-clock.js';

/** TR-181 Day values, in the order the week is counted here (Monday = 0). */
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
export const DAY_S = 86400;
export const WEEK_S = 7 * DAY_S;
/** The longest Duration a window may have: a week, which is on all the time. */
export const MAX_DURATION_S = WEEK_S;

/** One period of one weekday: seconds of the day, start inclusive, end exclusive (at most 86400). */
export interface DaySegment {
  day: number;
  start: number;
  end: number;
}

/** One schedule's windows: its Days (Monday = 0), StartTime in seconds of the day, Duration; `inverse` for InverseMode. */
export interface ScheduleWindow {
  days: readonly number[];
  start: number;
  duration: number;
  inverse?: boolean;
}

/** "hh:mm" → seconds of the day; undefined for anything else (the schema's pattern). */
export function parseStartTime(text: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 : undefined;
}

/** The Day list as weekday numbers (Monday = 0), or the first item that is no weekday. */
export function parseDays(list: string): number[] | string {
  const out: number[] = [];
  for (const item of list.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const d = WEEKDAYS.indexOf(item as (typeof WEEKDAYS)[number]);
    if (d < 0) return item;
    if (!out.includes(d)) out.push(d);
  }
  return out;
}

/** The periods a window is open, split at each midnight (InverseMode not applied). */
function windowSegments(w: ScheduleWindow): DaySegment[] {
  const out: DaySegment[] = [];
  for (const day of w.days) {
    let from = day * DAY_S + w.start;
    let left = Math.min(w.duration, WEEK_S);
    while (left > 0) {
      const d = Math.floor(from / DAY_S) % 7;
      const s = from % DAY_S;
      const e = Math.min(DAY_S, s + left);
      out.push({ day: d, start: s, end: e });
      left -= e - s;
      from = (d + 1) * DAY_S;
    }
  }
  return out;
}

/** `segments` merged per day, in day and time order. */
export function merged(segments: readonly DaySegment[]): DaySegment[] {
  const out: DaySegment[] = [];
  for (let day = 0; day < 7; day++) {
    for (const s of segments.filter((g) => g.day === day).sort((a, b) => a.start - b.start)) {
      const last = out[out.length - 1];
      if (last && last.day === day && s.start <= last.end) last.end = Math.max(last.end, s.end);
      else out.push({ ...s });
    }
  }
  return out;
}

/** The rest of the week: what `segments` leave out of each day, merged, in day and time order. */
export function complement(segments: readonly DaySegment[]): DaySegment[] {
  const out: DaySegment[] = [];
  for (let day = 0; day < 7; day++) {
    let at = 0;
    for (const s of merged(segments.filter((g) => g.day === day))) {
      if (s.start > at) out.push({ day, start: at, end: s.start });
      at = Math.max(at, s.end);
    }
    if (at < DAY_S) out.push({ day, start: at, end: DAY_S });
  }
  return out;
}

/** When one schedule is on (InverseMode applied), merged. */
export function activeSegments(w: ScheduleWindow): DaySegment[] {
  const open = windowSegments(w);
  return w.inverse === true ? complement(open) : merged(open);
}

/** When any of `windows` is on: their union, merged. */
export function unionSegments(windows: readonly ScheduleWindow[]): DaySegment[] {
  return merged(windows.flatMap(activeSegments));
}

/**
 * Seconds (fractional) since the start of the local week (Monday 00:00) at `ms` (UTC): local
 * time under `zone` (Device.Time.LocalTimeZone), the process's own zone when there is none.
 */
export function weekSecond(ms: number, zone?: PosixZone): number {
  if (zone) {
    const d = localFields(zone, ms);
    return ((d.getUTCDay() + 6) % 7) * DAY_S + d.getUTCHours() * 3600 + d.getUTCMinutes() * 60 + d.getUTCSeconds() + d.getUTCMilliseconds() / 1000;
  }
  const d = new Date(ms);
  return ((d.getDay() + 6) % 7) * DAY_S + d.getHours() * 3600 + d.getMinutes() * 60 + d.getSeconds() + d.getMilliseconds() / 1000;
}

/** Whether the week-second `w` falls in one of `segments`. */
export function inSegments(segments: readonly DaySegment[], w: number): boolean {
  const day = Math.floor(w / DAY_S) % 7;
  const s = w - day * DAY_S;
  return segments.some((g) => g.day === day && g.start <= s && s < g.end);
}

/** On or off at week-second `w`, and the seconds until that changes (undefined: it never does). */
export interface ScheduleState {
  active: boolean;
  changesIn: number | undefined;
}

/** The state of `segments` (merged) at week-second `w`. */
export function stateAt(segments: readonly DaySegment[], w: number): ScheduleState {
  const active = inSegments(segments, w);
  // The week as boundaries in week seconds: the next one where on/off flips.
  const edges: number[] = [];
  for (const g of segments) {
    const a = g.day * DAY_S + g.start;
    const e = g.day * DAY_S + g.end;
    edges.push(a, e % WEEK_S);
  }
  let best: number | undefined;
  for (const edge of edges) {
    let ahead = edge - w;
    if (ahead <= 0) ahead += WEEK_S;
    // A boundary where the state does not flip (a segment ending at midnight and the next
    // day's starting there) is no change.
    if (inSegments(segments, edge % WEEK_S) === active) continue;
    if (best === undefined || ahead < best) best = ahead;
  }
  return { active, changesIn: best };
}
