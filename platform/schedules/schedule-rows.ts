/**
 * The checks a Device.Schedules.Schedule.{i} row (and the deprecated
 * Hosts.AccessControl.{i}.Schedule.{i}, which has the same Day/StartTime/Duration) gets before
 * it is kept, and the window an enabled row stands for. A refused value is a 7012 naming the
 * parameter. An enabled row must be complete: a firewall cannot count TR-181's "daily
 * allowance" (a Duration without StartTime), and a row that would silently do nothing is
 * refused rather than kept.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { MAX_DURATION_S, parseDays, parseStartTime, type ScheduleWindow } from './schedule-window.js';

export const SCHEDULES = 'Device.Schedules.';
export const SCHEDULE_ROW = 'Device.Schedules.Schedule.{i}.';
export const SCHEDULE_TABLE = 'Device.Schedules.Schedule.';
/** Schedule rows a device keeps: more is 7005. */
export const MAX_SCHEDULE_ROWS = 64;
/** The most references one ScheduleRef may hold. */
export const MAX_SCHEDULE_REFS = 8;

/** A refused value: the parameter and why (a 7012 parameter error). */
export interface BadParam {
  param: string;
  message: string;
}

type RowValues = Readonly<Record<string, Value>>;

/** What is wrong with a schedule row `v` (the row after the change). */
export function windowProblems(v: RowValues): BadParam[] {
  const bad: BadParam[] = [];
  const days = parseDays(String(v.Day ?? ''));
  if (typeof days === 'string') bad.push({ param: 'Day', message: `${JSON.stringify(days)} is no weekday (Monday … Sunday)` });
  const start = String(v.StartTime ?? '');
  if (start !== '' && parseStartTime(start) === undefined) bad.push({ param: 'StartTime', message: 'must be hh:mm' });
  const duration = Number(v.Duration ?? 0);
  if (duration > MAX_DURATION_S) bad.push({ param: 'Duration', message: `at most ${MAX_DURATION_S} seconds (a week)` });
  if (v.Enable === true) {
    if (Array.isArray(days) && days.length === 0) bad.push({ param: 'Day', message: 'an enabled schedule needs at least one day' });
    // TR-181 reads a Duration without StartTime as a daily allowance, which a firewall rule cannot count.
    if (start === '') bad.push({ param: 'StartTime', message: 'an enabled schedule needs a start time here (a daily allowance without one is not enforced)' });
    if (!(duration >= 1)) bad.push({ param: 'Duration', message: 'an enabled schedule needs a Duration of at least 1 second' });
  }
  return bad;
}

/** The window of an enabled, complete row (InverseMode included); undefined for any other. */
export function windowOfRow(v: RowValues): ScheduleWindow | undefined {
  if (v.Enable !== true || windowProblems(v).length > 0) return undefined;
  const days = parseDays(String(v.Day ?? ''));
  const start = parseStartTime(String(v.StartTime ?? ''));
  if (typeof days === 'string' || start === undefined) return undefined;
  return { days, start, duration: Number(v.Duration), inverse: v.InverseMode === true };
}

/** The items of a ScheduleRef list ("" → none), canonical (no trailing "."). */
export function scheduleRefs(list: Value | undefined): string[] {
  return String(list ?? '')
    .split(',')
    .map((s) => s.trim().replace(/\.$/, ''))
    .filter((s) => s !== '');
}

/** The instance number a ScheduleRef item names (Device.Schedules.Schedule.3 → 3), undefined for any other path. */
export function scheduleInstance(ref: string): number | undefined {
  const m = /^Device\.Schedules\.Schedule\.([1-9]\d{0,9})$/.exec(ref);
  return m ? Number(m[1]) : undefined;
}
