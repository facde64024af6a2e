/**
 * TR-181 Device.Time.LocalTimeZone holds an IEEE 1003.1 §8.3 TZ string: std offset [dst
 * [offset] [,start[/time],end[/time]]], a zone name being 3+ letters or <quoted> with digits
 * and signs. Shared by every platform that serves Time:2, so they refuse the same values.
 */
const NAME = '(?:[A-Za-z]{3,}|<[A-Za-z0-9+-]{3,}>)';
const OFFSET = '[+-]?\\d{1,2}(?::\\d{2}(?::\\d{2})?)?';
const DATE = '(?:J\\d{1,3}|\\d{1,3}|M\\d{1,2}\\.[1-5]\\.[0-6])(?:/[+-]?\\d{1,3}(?::\\d{2}(?::\\d{2})?)?)?';
const POSIX_TZ = new RegExp(`^${NAME}${OFFSET}(?:${NAME}(?:${OFFSET})?(?:,${DATE},${DATE})?)?$`);

/** True for a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3", "GMT0", "<+0530>-5:30"). */
export function isPosixTz(tz: string): boolean {
  return POSIX_TZ.test(tz);
}

/** The 7012 message for a LocalTimeZone that is no POSIX TZ string. */
export function posixTzProblem(tz: string): string {
  return `${JSON.stringify(tz)} is not a POSIX TZ string (e.g. CET-1CEST,M3.5.0,M10.5.0/3)`;
}
