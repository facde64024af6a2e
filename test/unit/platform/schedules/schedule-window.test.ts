/**
 * The one evaluation of TR-181 schedules (platform/schedules/schedule-window.ts) against fixed
 * clocks: a window on its days, one running past midnight and past Sunday into Monday,
 * InverseMode, the union of several schedules, TimeLeft to the next change, and local time
 * under a POSIX TZ string (Device.Time.LocalTimeZone) with its summer-time rules.
 */
import { describe, expect, it } from 'vitest';
import { activeSegments, DAY_S, parseDays, parseStartTime, stateAt, unionSegments, WEEK_S, weekSecond } from '../../../../platform/schedules/schedule-window.js';
import { offsetWestAt, parsePosixZone } from '../../../../platform/schedules/zone-clock.js';

const MON = 0;
const SUN = 6;
/** Week second of `day` (Monday = 0) at hh:mm[:ss]. */
const at = (day: number, hh: number, mm = 0, ss = 0): number => day * DAY_S + hh * 3600 + mm * 60 + ss;

describe('schedule windows', () => {
  it('is on from StartTime for Duration on each Day, off otherwise, with the seconds to the next change', () => {
    const seg = activeSegments({ days: [MON, 2], start: 8 * 3600, duration: 2 * 3600 });
    expect(stateAt(seg, at(MON, 7, 59))).toEqual({ active: false, changesIn: 60 });
    expect(stateAt(seg, at(MON, 8))).toEqual({ active: true, changesIn: 7200 });
    expect(stateAt(seg, at(MON, 10))).toEqual({ active: false, changesIn: DAY_S + 22 * 3600 });
    // Tuesday is no Day: off until Wednesday 08:00.
    expect(stateAt(seg, at(1, 12)).active).toBe(false);
    expect(stateAt(seg, at(2, 9)).active).toBe(true);
  });

  it('runs a window past midnight into the next day, and Sunday into Monday', () => {
    const seg = activeSegments({ days: [SUN], start: 22 * 3600, duration: 4 * 3600 });
    expect(stateAt(seg, at(SUN, 23, 30)).active).toBe(true);
    expect(stateAt(seg, at(MON, 1, 59)).active).toBe(true);
    // Midnight is no change: from Sunday 23:00 the window closes at Monday 02:00.
    expect(stateAt(seg, at(SUN, 23)).changesIn).toBe(3 * 3600);
    expect(stateAt(seg, at(MON, 2)).active).toBe(false);
    expect(stateAt(seg, at(MON, 2)).changesIn).toBe(6 * DAY_S + 20 * 3600);
  });

  it('turns the schedule around under InverseMode', () => {
    const seg = activeSegments({ days: [MON], start: 8 * 3600, duration: 3600, inverse: true });
    expect(stateAt(seg, at(MON, 8, 30))).toEqual({ active: false, changesIn: 1800 });
    expect(stateAt(seg, at(MON, 9)).active).toBe(true);
    expect(stateAt(seg, at(3, 12)).active).toBe(true);
    // On from Monday 09:00 to the next Monday 08:00.
    expect(stateAt(seg, at(MON, 9)).changesIn).toBe(WEEK_S - 3600);
  });

  it('is on when any of several schedules is (ScheduleRef lists: the union)', () => {
    const seg = unionSegments([
      { days: [MON], start: 8 * 3600, duration: 3600 },
      { days: [MON], start: 8 * 3600 + 1800, duration: 3600 },
    ]);
    expect(stateAt(seg, at(MON, 8, 45))).toEqual({ active: true, changesIn: 45 * 60 });
  });

  it('never changes when on all week (TimeLeft has no next change)', () => {
    const seg = activeSegments({ days: [MON], start: 0, duration: WEEK_S });
    expect(stateAt(seg, at(3, 3))).toEqual({ active: true, changesIn: undefined });
  });

  it('parses Day lists and StartTime as the schema writes them', () => {
    expect(parseDays('Monday,Sunday,Monday')).toEqual([MON, SUN]);
    expect(parseDays('Monday,Funday')).toBe('Funday');
    expect(parseStartTime('23:59')).toBe(at(0, 23, 59));
    expect(parseStartTime('24:00')).toBeUndefined();
    expect(parseStartTime('7:00')).toBeUndefined();
  });
});

describe('local time under Device.Time.LocalTimeZone (POSIX TZ)', () => {
  const cet = parsePosixZone('CET-1CEST,M3.5.0,M10.5.0/3')!;

  it('applies the standard offset in winter and the summer offset between the rules', () => {
    expect(offsetWestAt(cet, Date.UTC(2026, 0, 15, 12))).toBe(-3600);
    expect(offsetWestAt(cet, Date.UTC(2026, 6, 15, 12))).toBe(-7200);
    // 2026-03-29 is the last Sunday of March: summer time from 01:00 UTC (02:00 local).
    expect(offsetWestAt(cet, Date.UTC(2026, 2, 29, 0, 59))).toBe(-3600);
    expect(offsetWestAt(cet, Date.UTC(2026, 2, 29, 1, 0))).toBe(-7200);
    // 2026-10-25: back at 01:00 UTC (03:00 summer time).
    expect(offsetWestAt(cet, Date.UTC(2026, 9, 25, 0, 59))).toBe(-7200);
    expect(offsetWestAt(cet, Date.UTC(2026, 9, 25, 1, 0))).toBe(-3600);
  });

  it('counts a window in the zone, not in UTC: Monday 23:30 UTC is Tuesday 00:30 in Berlin in winter', () => {
    // 2026-01-05 is a Monday.
    const ms = Date.UTC(2026, 0, 5, 23, 30);
    expect(weekSecond(ms, cet)).toBe(at(1, 0, 30));
    expect(weekSecond(ms, parsePosixZone('UTC0'))).toBe(at(MON, 23, 30));
    // West of UTC, a southern zone with summer time across the new year, and offsets in seconds.
    expect(weekSecond(ms, parsePosixZone('EST5EDT,M3.2.0,M11.1.0'))).toBe(at(MON, 18, 30));
    expect(offsetWestAt(parsePosixZone('AEST-10AEDT,M10.1.0,M4.1.0/3')!, ms)).toBe(-11 * 3600);
    expect(weekSecond(ms, parsePosixZone('<+0130>-1:30:25'))).toBe(at(1, 1, 0, 25));
  });

  it('refuses what is no POSIX TZ string', () => {
    expect(parsePosixZone('Europe/Berlin')).toBeUndefined();
    expect(parsePosixZone('CET-1CEST,M3.5.0')).toBeUndefined();
    expect(parsePosixZone('')).toBeUndefined();
  });
});
