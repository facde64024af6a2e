/**
 * The agent's alarm service (TR-181 Device.FaultMgmt.): the SupportedAlarm rows, each with its
 * ReportingMechanism (the factory one, or what a Controller set, kept in the agent's store), and
 * the AlarmLog of the alarms raised against them. Sources reach it through `raise` and `clear`:
 * the agent's own condition watch (condition-watch.ts) and plugins (PluginApi.alarms).
 *
 * The SupportedAlarm rows start as one immutable list shared by every agent of the process (a
 * fleet's gateways): an agent copies it only when a plugin adds a type of its own.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { covers, FAULT_LIMITS, type AlarmKey, type AlarmRaise, type AlarmType, type ReportingMechanism, REPORTING_MECHANISMS, PERCEIVED_SEVERITIES } from './alarm-types.js';
import { AlarmLog, type AlarmLogListener } from './AlarmLog.js';

export const SUPPORTED_ALARM_ROW = 'Device.FaultMgmt.SupportedAlarm.';

/** What a source (a plugin, the agent's own watch) uses: the binding-API-level alarm calls. */
export interface AlarmApi {
  /**
   * Adds a SupportedAlarm row (an alarm type this source can raise); returns its instance
   * number. Call it at start (a plugin's register()), in the same order at every start, so
   * the instance number, and the ReportingMechanism a Controller set on it, stay the row's.
   */
  supportAlarm(type: AlarmType): number;
  /** Raises an alarm, or changes an active one (another severity or text). Throws when no SupportedAlarm row covers it. */
  raise(alarm: AlarmRaise): void;
  /** Clears an active alarm (nothing happens when it is not active). */
  clear(alarm: AlarmKey): void;
}

export class FaultMgmt implements AlarmApi {
  readonly log: AlarmLog;
  private types: readonly AlarmType[];

  constructor(
    builtin: readonly AlarmType[],
    private readonly store: DataStore,
    listener: AlarmLogListener,
    idPrefix: string,
    now?: () => number,
  ) {
    this.types = builtin;
    this.log = new AlarmLog(listener, idPrefix, now);
  }

  get supported(): readonly AlarmType[] {
    return this.types;
  }

  supportAlarm(type: AlarmType): number {
    checkType(type);
    const i = this.types.findIndex(
      (t) => t.eventType === type.eventType && t.probableCause === type.probableCause && t.specificProblem === type.specificProblem && t.perceivedSeverity === type.perceivedSeverity,
    );
    if (i >= 0) return i + 1;
    if (this.types.length >= FAULT_LIMITS.maxSupportedAlarms) throw new Error(`at most ${FAULT_LIMITS.maxSupportedAlarms} SupportedAlarm rows`);
    // A new list: the shared one stays as the other agents of the process see it.
    this.types = [...this.types, { ...type, specificProblem: type.specificProblem ?? '' }];
    return this.types.length;
  }

  /** SupportedAlarm.{n}.ReportingMechanism: the Controller's, else the factory one. */
  mechanism(n: number): ReportingMechanism {
    const stored = this.store.row(`${SUPPORTED_ALARM_ROW}${n}.`)?.ReportingMechanism;
    return REPORTING_MECHANISMS.includes(stored as ReportingMechanism) ? (stored as ReportingMechanism) : this.types[n - 1].reportingMechanism;
  }

  setMechanism(n: number, m: ReportingMechanism): void {
    this.store.setRow(`${SUPPORTED_ALARM_ROW}${n}.`, { ReportingMechanism: m });
  }

  raise(alarm: AlarmRaise): void {
    if (!PERCEIVED_SEVERITIES.includes(alarm.perceivedSeverity)) throw new Error(`PerceivedSeverity ${String(alarm.perceivedSeverity)} is not one of ${PERCEIVED_SEVERITIES.join(', ')}`);
    this.log.raise(alarm, this.mechanism(this.rowFor(alarm)));
  }

  clear(alarm: AlarmKey): void {
    if (!this.log.isActive(alarm)) return;
    this.log.clear(alarm, this.mechanism(this.rowFor(alarm)));
  }

  /** The SupportedAlarm row covering `alarm` (the first that does). */
  private rowFor(alarm: AlarmKey & { perceivedSeverity?: AlarmRaise['perceivedSeverity'] }): number {
    const i = this.types.findIndex((t) => covers(t, alarm));
    if (i < 0) throw new Error(`no SupportedAlarm row covers ${alarm.eventType}/${alarm.probableCause}/${alarm.specificProblem ?? ''}; call supportAlarm() first`);
    return i + 1;
  }
}

function checkType(t: AlarmType): void {
  if (!t || typeof t.eventType !== 'string' || t.eventType === '' || typeof t.probableCause !== 'string' || t.probableCause === '')
    throw new Error('an alarm type needs a non-empty eventType and probableCause');
  if (t.eventType.length > 64 || t.probableCause.length > 64 || (t.specificProblem ?? '').length > 128) throw new Error('eventType and probableCause hold at most 64 characters, specificProblem 128');
  if (!['', '*', ...PERCEIVED_SEVERITIES].includes(t.perceivedSeverity))
    throw new Error(`perceivedSeverity ${String(t.perceivedSeverity)} is not "", "*" or one of ${PERCEIVED_SEVERITIES.join(', ')}`);
  if (!REPORTING_MECHANISMS.includes(t.reportingMechanism)) throw new Error(`reportingMechanism ${String(t.reportingMechanism)} is not one of ${REPORTING_MECHANISMS.join(', ')}`);
}
