/**
 * The blocked week of an AccessControl row (platform/access-control/access-week.ts) and the
 * nftables rules the Linux platform makes of it: Deny blocks always, Allow without windows never,
 * Allow with windows blocks their complement, a window past midnight runs into the next day
 * (Sunday into Monday), and the blocked seconds between two instants follow the same week.
 */
import { describe, expect, it } from 'vitest';
import { blockedAt, blockedSeconds, blockingOf, DAY_S, groupByHours, WEEK_S } from '../../../../platform/access-control/access-week.js';
import { ruleOf, scheduleProblems } from '../../../../platform/access-control/access-rows.js';
import { accessRules, accessScript } from '../../../../platform/linux/access-control-nft.js';

const MON = 0;
const SUN = 6;
/** A local wall-clock instant: 2026-12-07 is a Monday. */
const at = (day: number, h: number, m = 0): number => new Date(2026, 11, 7 + day, h, m).getTime();

describe('access week', () => {
  it('Deny blocks always, Allow without windows never, a window open all week never', () => {
    expect(blockingOf('Deny', [{ days: [MON], start: 0, duration: 60 }])).toEqual({ kind: 'always' });
    expect(blockingOf('Allow', [])).toEqual({ kind: 'never' });
    expect(blockingOf('Allow', [{ days: [0, 1, 2, 3, 4, 5, 6], start: 0, duration: DAY_S }])).toEqual({ kind: 'never' });
    expect(blockingOf('Allow', [{ days: [3], start: 3600, duration: WEEK_S }])).toEqual({ kind: 'never' });
  });

  it('Allow with a window blocks the rest of the week; a window past midnight runs into the next day, Sunday into Monday', () => {
    const b = blockingOf('Allow', [{ days: [SUN], start: 22 * 3600, duration: 4 * 3600 }]);
    expect(b.kind).toBe('segments');
    if (b.kind !== 'segments') return;
    // Monday is open until 02:00, Sunday from 22:00; every other day is blocked whole.
    expect(b.segments.filter((s) => s.day === MON)).toEqual([{ day: MON, start: 2 * 3600, end: DAY_S }]);
    expect(b.segments.filter((s) => s.day === SUN)).toEqual([{ day: SUN, start: 0, end: 22 * 3600 }]);
    expect(groupByHours(b.segments)).toContainEqual({ days: [1, 2, 3, 4, 5], start: 0, end: DAY_S });
    expect(blockedAt(b, at(MON, 1, 30))).toBe(false);
    expect(blockedAt(b, at(MON, 2, 0))).toBe(true);
    expect(blockedAt(b, at(SUN, 23))).toBe(false);
    // One week blocks all but the 4 open hours; two hours from Sunday 21:00 block one of them.
    expect(blockedSeconds(b, at(MON, 0), at(MON + 7, 0))).toBe(WEEK_S - 4 * 3600);
    expect(blockedSeconds(b, at(SUN, 21), at(SUN, 23))).toBe(3600);
    expect(blockedSeconds({ kind: 'always' }, 0, 5000)).toBe(5);
  });

  it('an enabled schedule needs days, a start and a duration; a disabled one may be incomplete', () => {
    expect(scheduleProblems({ Enable: false, Day: '', StartTime: '', Duration: 0 })).toEqual([]);
    expect(scheduleProblems({ Enable: true, Day: '', StartTime: '', Duration: 0 }).map((b) => b.param)).toEqual(['Day', 'StartTime', 'Duration']);
    expect(scheduleProblems({ Enable: true, Day: 'Monday,Someday', StartTime: '8:00', Duration: 604801 }).map((b) => b.param)).toEqual(['Day', 'StartTime', 'Duration']);
  });

  it('becomes nft rules matching the MAC, days and hours, commented with the row path', () => {
    const rule = ruleOf('Device.Hosts.AccessControl.3', { Enable: true, PhysAddress: 'AA:BB:CC:00:11:22', AccessPolicy: 'Allow' }, [
      { Enable: true, Day: 'Monday,Tuesday', StartTime: '08:00', Duration: 3600 },
      { Enable: false, Day: 'Sunday', StartTime: '', Duration: 0 },
    ]);
    expect(rule).toBeDefined();
    const lines = accessRules(rule!);
    expect(lines).toContain('ether saddr aa:bb:cc:00:11:22 meta day { "Monday", "Tuesday" } meta hour "00:00:00"-"07:59:59" drop comment "Device.Hosts.AccessControl.3"');
    expect(lines).toContain('ether saddr aa:bb:cc:00:11:22 meta day { "Monday", "Tuesday" } meta hour "09:00:00"-"23:59:59" drop comment "Device.Hosts.AccessControl.3"');
    expect(lines).toContain('ether saddr aa:bb:cc:00:11:22 meta day { "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" } drop comment "Device.Hosts.AccessControl.3"');
    expect(ruleOf('Device.Hosts.AccessControl.4', { Enable: false, PhysAddress: 'aa:bb:cc:00:11:22', AccessPolicy: 'Deny' }, [])).toBeUndefined();
    expect(accessScript('t', [])).toBe('table inet t {}\ndelete table inet t\n');
  });
});
