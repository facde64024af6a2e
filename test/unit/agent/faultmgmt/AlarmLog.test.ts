/**
 * The alarm rules of TR-181 Device.FaultMgmt. (agent/faultmgmt/FaultMgmt.ts, AlarmLog.ts) on a
 * fake clock: which tables each ReportingMechanism fills, a re-raise that changes nothing, the
 * bounds (oldest first), unique identifiers and event times, and what a source gets wrong.
 */
import { describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { FAULT_LIMITS, type AlarmType } from '../../../../agent/faultmgmt/alarm-types.js';
import type { AlarmLogListener, FaultTable } from '../../../../agent/faultmgmt/AlarmLog.js';
import { FaultMgmt } from '../../../../agent/faultmgmt/FaultMgmt.js';

const TYPE: AlarmType = { eventType: 'Equipment Alarm', probableCause: 'Power Problem', specificProblem: '*', perceivedSeverity: '*', reportingMechanism: '0 Expedited' };
const PSU = { eventType: 'Equipment Alarm', probableCause: 'Power Problem', specificProblem: 'PSU1' };

class Recorder implements AlarmLogListener {
  readonly news: string[] = [];
  rowCreated(t: FaultTable, n: number): void {
    this.news.push(`+${t}.${n}`);
  }
  rowDeleted(t: FaultTable, n: number): void {
    this.news.push(`-${t}.${n}`);
  }
  rowChanged(t: string, n: number, changed: Record<string, string>): void {
    this.news.push(`~${t}.${n}:${Object.keys(changed).sort().join(',')}`);
  }
}

function setup(): { fm: FaultMgmt; news: string[]; clock: { t: number } } {
  const rec = new Recorder();
  const clock = { t: Date.UTC(2026, 11, 6, 4, 0, 0) };
  const fm = new FaultMgmt([TYPE], new DataStore(undefined), rec, 'boot', () => clock.t);
  return { fm, news: rec.news, clock };
}

describe('ReportingMechanism decides the tables', () => {
  it('0 Expedited: CurrentAlarm, HistoryEvent and ExpeditedEvent, the latest event of an alarm replacing its earlier one', () => {
    const { fm, news } = setup();
    fm.raise({ ...PSU, perceivedSeverity: 'Minor' });
    fm.raise({ ...PSU, perceivedSeverity: 'Major' });
    fm.clear(PSU);
    expect(news).toEqual([
      '+CurrentAlarm.1',
      '+HistoryEvent.1',
      '+ExpeditedEvent.1',
      '~CurrentAlarm.1:AlarmChangedTime,PerceivedSeverity',
      '+HistoryEvent.2',
      '-ExpeditedEvent.1',
      '+ExpeditedEvent.2',
      '-CurrentAlarm.1',
      '+HistoryEvent.3',
      '-ExpeditedEvent.2',
      '+ExpeditedEvent.3',
    ]);
    expect(fm.log.events('HistoryEvent').map((r) => [r.event.notificationType, r.event.perceivedSeverity])).toEqual([
      ['NewAlarm', 'Minor'],
      ['ChangedAlarm', 'Major'],
      ['ClearedAlarm', 'Cleared'],
    ]);
  });

  it('1 Queued fills QueuedEvent; 2 Logged only CurrentAlarm and HistoryEvent; a change applies to the next event', () => {
    const { fm } = setup();
    fm.setMechanism(1, '1 Queued');
    fm.raise({ ...PSU, perceivedSeverity: 'Minor' });
    fm.setMechanism(1, '2 Logged');
    fm.clear(PSU);
    expect(fm.log.events('QueuedEvent').map((r) => r.event.notificationType)).toEqual(['NewAlarm']);
    expect(fm.log.events('ExpeditedEvent')).toEqual([]);
    expect(fm.log.events('HistoryEvent').map((r) => r.event.notificationType)).toEqual(['NewAlarm', 'ClearedAlarm']);
  });

  it('3 Disabled ignores the alarm (not even CurrentAlarm); an alarm active from before leaves without an event', () => {
    const { fm, news } = setup();
    fm.setMechanism(1, '3 Disabled');
    fm.raise({ ...PSU, perceivedSeverity: 'Critical' });
    expect(fm.log.active).toEqual([]);
    expect(news).toEqual([]);
    fm.setMechanism(1, '2 Logged');
    fm.raise({ ...PSU, perceivedSeverity: 'Critical' });
    fm.setMechanism(1, '3 Disabled');
    fm.clear(PSU);
    expect(fm.log.active).toEqual([]);
    expect(fm.log.events('HistoryEvent').map((r) => r.event.notificationType)).toEqual(['NewAlarm']);
  });
});

describe('rows and bounds', () => {
  it('a re-raise with the same severity and text changes nothing; identifiers are unique and event times increase', () => {
    const { fm, news } = setup();
    fm.raise({ ...PSU, perceivedSeverity: 'Minor', additionalText: 'on battery' });
    const n = news.length;
    fm.raise({ ...PSU, perceivedSeverity: 'Minor', additionalText: 'on battery' });
    expect(news.length).toBe(n);
    fm.raise({ ...PSU, specificProblem: 'PSU2', perceivedSeverity: 'Minor' });
    const [a, b] = fm.log.active;
    expect(a.alarmIdentifier).not.toBe(b.alarmIdentifier);
    // Same clock reading: still strictly increasing, so HistoryEvent's (EventTime, AlarmIdentifier) stays unique.
    const times = fm.log.events('HistoryEvent').map((r) => r.event.eventTime);
    expect(times[1]).toBeGreaterThan(times[0]);
  });

  it('every table keeps at most its bound, the oldest row leaving first', () => {
    const { fm } = setup();
    for (let i = 0; i < FAULT_LIMITS.maxCurrentAlarms + 5; i++) fm.raise({ ...PSU, specificProblem: `PSU${i}`, perceivedSeverity: 'Minor' });
    expect(fm.log.active).toHaveLength(FAULT_LIMITS.maxCurrentAlarms);
    expect(fm.log.active[0].raise.specificProblem).toBe('PSU5');
    for (let i = 0; i < FAULT_LIMITS.maxHistoryEvents; i++) fm.raise({ ...PSU, specificProblem: 'PSU40', perceivedSeverity: i % 2 ? 'Minor' : 'Major' });
    expect(fm.log.events('HistoryEvent')).toHaveLength(FAULT_LIMITS.maxHistoryEvents);
    expect(fm.log.events('ExpeditedEvent').length).toBeLessThanOrEqual(FAULT_LIMITS.maxExpeditedEvents);
  });

  it('cuts text to the schema sizes', () => {
    const { fm } = setup();
    fm.raise({ ...PSU, perceivedSeverity: 'Minor', additionalText: 'x'.repeat(1000) });
    expect(fm.log.active[0].raise.additionalText).toHaveLength(256);
  });
});

describe('what a source gets wrong', () => {
  it('a raise no SupportedAlarm row covers, or a severity TR-181 does not have, throws to the source', () => {
    const { fm } = setup();
    expect(() => fm.raise({ eventType: 'Other', probableCause: 'X', perceivedSeverity: 'Minor' })).toThrow(/no SupportedAlarm row covers/);
    expect(() => fm.raise({ ...PSU, perceivedSeverity: 'Loud' as never })).toThrow(/PerceivedSeverity Loud/);
    // Clearing what is not active is no error.
    fm.clear({ eventType: 'Other', probableCause: 'X' });
  });

  it('supportAlarm refuses bad types and returns the existing row for a known one', () => {
    const { fm } = setup();
    expect(fm.supportAlarm(TYPE)).toBe(1);
    expect(() => fm.supportAlarm({ ...TYPE, reportingMechanism: '4 Loud' as never })).toThrow(/reportingMechanism/);
    expect(() => fm.supportAlarm({ ...TYPE, eventType: '' })).toThrow(/non-empty/);
    expect(fm.supportAlarm({ ...TYPE, probableCause: 'Other' })).toBe(2);
  });
});
