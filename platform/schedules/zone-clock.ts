/**
 * Local wall-clock time under a TR-181 Device.Time.LocalTimeZone, which is a POSIX TZ string
 * (IEEE 1003.1 §8.3: "CET-1CEST,M3.5.0,M10.5.0/3"): the device's local time is what a
 * Device.Schedules.Schedule.{i}.StartTime counts in, and it is the zone the agent serves, not
 * the zone of the process the agent happens to run in. Node's Intl takes IANA names only, so the
 * string is evaluated here: a standard offset, and a summer-time offset between two yearly rules.
 */

/** A summer-time rule date: Jn (1..365, Feb 29 never counted), n (0..365) or Mm.w.d; `at` seconds after local midnight. */
type RuleDate = { kind: 'julian1'; day: number; at: number } | { kind: 'julian0'; day: number; at: number } | { kind: 'month'; month: number; week: number; weekday: number; at: number };

/** A parsed zone: offsets in seconds west of UTC (POSIX sign), as in the string. */
export interface PosixZone {
  stdWest: number;
  dst?: { west: number; start: RuleDate; end: RuleDate };
}

const NAME = /^(?:[A-Za-z]{3,}|<[A-Za-z0-9+-]{3,}>)/;
const OFFSET = /^[+-]?\d{1,3}(?::\d{2}(?::\d{2})?)?/;

/** "[+-]hh[:mm[:ss]]" → seconds. */
function seconds(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const [h = 0, m = 0, s = 0] = text.replace(/^[+-]/, '').split(':').map(Number);
  return sign * (h * 3600 + m * 60 + s);
}

function ruleDate(text: string): RuleDate | undefined {
  const [date = '', time] = text.split('/');
  const at = time === undefined ? 7200 : seconds(time);
  let m = /^J(\d{1,3})$/.exec(date);
  if (m) return { kind: 'julian1', day: Number(m[1]), at };
  m = /^(\d{1,3})$/.exec(date);
  if (m) return { kind: 'julian0', day: Number(m[1]), at };
  m = /^M(\d{1,2})\.([1-5])\.([0-6])$/.exec(date);
  if (m) return { kind: 'month', month: Number(m[1]), week: Number(m[2]), weekday: Number(m[3]), at };
  return undefined;
}

/** The zone of a POSIX TZ string, or undefined when it is none. */
export function parsePosixZone(tz: string): PosixZone | undefined {
  let rest = tz;
  const take = (re: RegExp): string | undefined => {
    const m = re.exec(rest);
    if (!m) return undefined;
    rest = rest.slice(m[0].length);
    return m[0];
  };
  if (take(NAME) === undefined) return undefined;
  const std = take(OFFSET);
  if (std === undefined) return undefined;
  const stdWest = seconds(std);
  if (rest === '') return { stdWest };
  if (take(NAME) === undefined) return undefined;
  const dstOffset = take(OFFSET);
  const west = dstOffset === undefined ? stdWest - 3600 : seconds(dstOffset);
  // No rules given: the US rules, as glibc assumes.
  const rules = rest === '' ? ['M3.2.0', 'M11.1.0'] : rest.startsWith(',') ? rest.slice(1).split(',') : [];
  if (rules.length !== 2) return undefined;
  const start = ruleDate(rules[0]!);
  const end = ruleDate(rules[1]!);
  if (!start || !end) return undefined;
  return { stdWest, dst: { west, start, end } };
}

function leap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Seconds from 1970-01-01 (as if UTC) to the rule's moment in `year`, in the local time it is given in. */
function ruleMoment(r: RuleDate, year: number): number {
  const jan1 = Date.UTC(year, 0, 1) / 1000;
  if (r.kind === 'julian0') return jan1 + r.day * 86400 + r.at;
  if (r.kind === 'julian1') {
    // Jn never counts February 29: from March on, a leap year's day index is one more.
    const index = r.day - 1 + (leap(year) && r.day >= 60 ? 1 : 0);
    return jan1 + index * 86400 + r.at;
  }
  const first = new Date(Date.UTC(year, r.month - 1, 1));
  const days = new Date(Date.UTC(year, r.month, 0)).getUTCDate();
  let day = 1 + ((r.weekday - first.getUTCDay() + 7) % 7) + (r.week - 1) * 7;
  if (day > days) day -= 7;
  return Date.UTC(year, r.month - 1, day) / 1000 + r.at;
}

/** Seconds west of UTC in force at `ms` (UTC). */
export function offsetWestAt(zone: PosixZone, ms: number): number {
  const { dst } = zone;
  if (!dst) return zone.stdWest;
  const t = ms / 1000;
  const year = new Date(ms - zone.stdWest * 1000).getUTCFullYear();
  // The start is given in standard time, the end in summer time.
  const start = ruleMoment(dst.start, year) + zone.stdWest;
  const end = ruleMoment(dst.end, year) + dst.west;
  const summer = start < end ? t >= start && t < end : t < end || t >= start;
  return summer ? dst.west : zone.stdWest;
}

/** The local wall-clock time at `ms` (UTC) as a Date whose UTC fields read the local time. */
export function localFields(zone: PosixZone, ms: number): Date {
  return new Date(ms - offsetWestAt(zone, ms) * 1000);
}
