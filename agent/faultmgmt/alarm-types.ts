/**
 * The vocabulary of TR-181 Device.FaultMgmt. (FaultMgmtSupportedAlarms:1, FaultMgmtActive:1,
 * FaultMgmtHistory:1, FaultMgmtExpedited:1, FaultMgmtQueued:1): an alarm type a source can
 * raise, one raise or clear of it, and the bounds of the tables. The names follow ITU-T X.733,
 * which TR-181 cites for EventType, ProbableCause and PerceivedSeverity.
 */

/** CurrentAlarm.{i}.PerceivedSeverity: how urgent an active alarm is (X.733 §8.1.2.3). */
export type PerceivedSeverity = 'Critical' | 'Major' | 'Minor' | 'Warning' | 'Indeterminate';
export const PERCEIVED_SEVERITIES: readonly PerceivedSeverity[] = ['Critical', 'Major', 'Minor', 'Warning', 'Indeterminate'];

/**
 * SupportedAlarm.{i}.ReportingMechanism. Every mechanism but Disabled keeps the alarm in
 * CurrentAlarm and its events in HistoryEvent; Expedited and Queued also copy each event into
 * their own table; Disabled ignores the alarm altogether.
 */
export type ReportingMechanism = '0 Expedited' | '1 Queued' | '2 Logged' | '3 Disabled';
export const REPORTING_MECHANISMS: readonly ReportingMechanism[] = ['0 Expedited', '1 Queued', '2 Logged', '3 Disabled'];

/** HistoryEvent/ExpeditedEvent/QueuedEvent NotificationType. */
export type NotificationType = 'NewAlarm' | 'ChangedAlarm' | 'ClearedAlarm';

/**
 * One SupportedAlarm row: an alarm type whoever can raise it registers. `specificProblem` and
 * `perceivedSeverity` may be "*" (any) so one row covers a family (one row for every
 * temperature sensor, whose SpecificProblem is the sensor's name).
 */
export interface AlarmType {
  readonly eventType: string;
  readonly probableCause: string;
  readonly specificProblem: string;
  readonly perceivedSeverity: PerceivedSeverity | '*' | '';
  /** The factory ReportingMechanism; a Controller's Set overrides it (kept in the agent's store). */
  readonly reportingMechanism: ReportingMechanism;
}

/** What identifies one active alarm (CurrentAlarm's second unique key). */
export interface AlarmKey {
  readonly eventType: string;
  readonly probableCause: string;
  /** Default "". */
  readonly specificProblem?: string;
}

/** One raise (new, or a change of an active one's severity or text). */
export interface AlarmRaise extends AlarmKey {
  readonly perceivedSeverity: PerceivedSeverity;
  /** The TR-181 path of the object the alarm is about ("Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1"). */
  readonly managedObjectInstance?: string;
  readonly additionalText?: string;
  readonly additionalInformation?: string;
}

/** One event, as HistoryEvent, ExpeditedEvent and QueuedEvent rows hold it (shared by the three). */
export interface AlarmEvent {
  readonly eventTime: number;
  readonly alarmIdentifier: string;
  readonly notificationType: NotificationType;
  readonly managedObjectInstance: string;
  readonly eventType: string;
  readonly probableCause: string;
  readonly specificProblem: string;
  readonly perceivedSeverity: PerceivedSeverity | 'Cleared';
  readonly additionalText: string;
  readonly additionalInformation: string;
}

/**
 * The bounds of the tables (TR-181 gives MaxCurrentAlarmEntries as a parameter; the event tables
 * roll, the oldest row going first). Small: a CPE has a handful of alarm sources.
 */
export const FAULT_LIMITS = {
  maxSupportedAlarms: 64,
  maxCurrentAlarms: 32,
  maxHistoryEvents: 128,
  maxExpeditedEvents: 32,
  maxQueuedEvents: 32,
} as const;

/** The schema's string sizes: longer text is cut, not refused (a source's message must not lose the alarm). */
export const FAULT_SIZES = { eventType: 64, probableCause: 64, specificProblem: 128, managedObjectInstance: 512, text: 256 } as const;

/** Whether SupportedAlarm row `t` covers the alarm `a` ("*" and "" match any value). */
export function covers(t: AlarmType, a: AlarmKey & { perceivedSeverity?: PerceivedSeverity }): boolean {
  const any = (v: string): boolean => v === '*' || v === '';
  if (t.eventType !== a.eventType || t.probableCause !== a.probableCause) return false;
  if (!any(t.specificProblem) && t.specificProblem !== (a.specificProblem ?? '')) return false;
  return a.perceivedSeverity === undefined || any(t.perceivedSeverity) || t.perceivedSeverity === a.perceivedSeverity;
}

/**
 * A TR-106 dateTime of `ms` to the millisecond, canonical (no trailing zeros in the fraction):
 * alarm events of one second must still differ in HistoryEvent's unique key (EventTime, AlarmIdentifier).
 */
export function eventDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0*Z$/, 'Z');
}
