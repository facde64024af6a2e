/**
 * The bindings of Device.FaultMgmt. and its five tables, served from one agent's FaultMgmt.
 * Classes, not closures: their methods are one copy for a whole fleet, each gateway holding one
 * small object per table (issue 14). Every value but SupportedAlarm.{i}.ReportingMechanism is
 * read-only; the tables change only when an alarm is raised or cleared, and the AlarmLog's
 * listener reports that as ObjectCreation/ObjectDeletion/ValueChange, so nothing is polled.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { eventDateTime, FAULT_LIMITS, REPORTING_MECHANISMS, type AlarmEvent, type ReportingMechanism } from './alarm-types.js';
import type { FaultTable } from './AlarmLog.js';
import type { FaultMgmt } from './FaultMgmt.js';

export const FAULT_MGMT = 'Device.FaultMgmt.';
export const FAULT_TABLE_PATHS: Readonly<Record<FaultTable | 'SupportedAlarm', string>> = {
  SupportedAlarm: 'Device.FaultMgmt.SupportedAlarm.{i}.',
  CurrentAlarm: 'Device.FaultMgmt.CurrentAlarm.{i}.',
  HistoryEvent: 'Device.FaultMgmt.HistoryEvent.{i}.',
  ExpeditedEvent: 'Device.FaultMgmt.ExpeditedEvent.{i}.',
  QueuedEvent: 'Device.FaultMgmt.QueuedEvent.{i}.',
};

/** Device.FaultMgmt. itself: the bound of CurrentAlarm (the NumberOfEntries are the data model's counts). One object for every agent. */
export const FAULT_MGMT_BINDING: ObjectBinding = {
  params: ['MaxCurrentAlarmEntries'],
  get: () => ({ MaxCurrentAlarmEntries: FAULT_LIMITS.maxCurrentAlarms }),
  changesOnlyThroughAgent: true,
};

function gone(path: string, n: number): UspError {
  return new UspError(ErrorCode.ObjectDoesNotExist, `${path.replace('{i}.', '')}${n}. is gone`);
}

/** SupportedAlarm.{i}.: the alarm types, ReportingMechanism writable and kept in the store. */
export class SupportedAlarmBinding implements ObjectBinding {
  readonly params = ['EventType', 'ProbableCause', 'SpecificProblem', 'PerceivedSeverity', 'ReportingMechanism'];
  readonly writable = ['ReportingMechanism'];
  readonly changesOnlyThroughAgent = true;

  constructor(private readonly fm: FaultMgmt) {}

  list(): number[] {
    return this.fm.supported.map((_, i) => i + 1);
  }

  get([n]: InstanceKeys): Record<string, Value> {
    const t = this.fm.supported[n - 1];
    if (!t) throw gone(FAULT_TABLE_PATHS.SupportedAlarm, n);
    return { EventType: t.eventType, ProbableCause: t.probableCause, SpecificProblem: t.specificProblem, PerceivedSeverity: t.perceivedSeverity, ReportingMechanism: this.fm.mechanism(n) };
  }

  set([n]: InstanceKeys, changes: Record<string, Value>): void {
    const m = changes.ReportingMechanism;
    if (m === undefined) return;
    // The schema's enumeration check comes first; this guards a caller that bypassed it.
    if (!REPORTING_MECHANISMS.includes(m as ReportingMechanism)) {
      throw new UspError(ErrorCode.InvalidValue, `ReportingMechanism must be one of ${REPORTING_MECHANISMS.join(', ')}`, {
        paramErrors: [{ param: 'ReportingMechanism', code: ErrorCode.InvalidValue, message: `one of ${REPORTING_MECHANISMS.join(', ')}` }],
      });
    }
    this.fm.setMechanism(n, m as ReportingMechanism);
  }
}

/** CurrentAlarm.{i}.: the active alarms. */
export class CurrentAlarmBinding implements ObjectBinding {
  readonly changesOnlyThroughAgent = true;

  constructor(private readonly fm: FaultMgmt) {}

  list(): number[] {
    return this.fm.log.active.map((a) => a.n).sort((a, b) => a - b);
  }

  get([n]: InstanceKeys): Record<string, Value> {
    const a = this.fm.log.activeRow(n);
    if (!a) throw gone(FAULT_TABLE_PATHS.CurrentAlarm, n);
    const r = a.raise;
    return {
      AlarmIdentifier: a.alarmIdentifier,
      AlarmRaisedTime: eventDateTime(a.raisedAt),
      AlarmChangedTime: eventDateTime(a.changedAt),
      ManagedObjectInstance: r.managedObjectInstance ?? '',
      EventType: r.eventType,
      ProbableCause: r.probableCause,
      SpecificProblem: r.specificProblem ?? '',
      PerceivedSeverity: r.perceivedSeverity,
      AdditionalText: r.additionalText ?? '',
      AdditionalInformation: r.additionalInformation ?? '',
    };
  }
}

/** HistoryEvent.{i}., ExpeditedEvent.{i}., QueuedEvent.{i}.: one class, the table named. */
export class AlarmEventBinding implements ObjectBinding {
  readonly changesOnlyThroughAgent = true;

  constructor(
    private readonly fm: FaultMgmt,
    private readonly table: Exclude<FaultTable, 'CurrentAlarm'>,
  ) {}

  list(): number[] {
    return this.fm.log.events(this.table).map((r) => r.n);
  }

  get([n]: InstanceKeys): Record<string, Value> {
    const row = this.fm.log.eventRow(this.table, n);
    if (!row) throw gone(FAULT_TABLE_PATHS[this.table], n);
    return eventValues(row.event);
  }
}

function eventValues(e: AlarmEvent): Record<string, Value> {
  return {
    EventTime: eventDateTime(e.eventTime),
    AlarmIdentifier: e.alarmIdentifier,
    NotificationType: e.notificationType,
    ManagedObjectInstance: e.managedObjectInstance,
    EventType: e.eventType,
    ProbableCause: e.probableCause,
    SpecificProblem: e.specificProblem,
    PerceivedSeverity: e.perceivedSeverity,
    AdditionalText: e.additionalText,
    AdditionalInformation: e.additionalInformation,
  };
}
