/**
 * One device's alarms (TR-181 Device.FaultMgmt.): the active ones (CurrentAlarm) and the rolling
 * event tables (HistoryEvent, ExpeditedEvent, QueuedEvent). A raise of an alarm that is not
 * active adds a CurrentAlarm row and a NewAlarm event; a raise of an active one with another
 * severity or text changes the row and records a ChangedAlarm event; a clear removes the row and
 * records a ClearedAlarm event. Which tables an event enters is decided by the ReportingMechanism
 * of the SupportedAlarm row covering it, at the time of the event (a change applies to new events).
 *
 * Every table is bounded (alarm-types.ts FAULT_LIMITS), the oldest row leaving first. Nothing is
 * held until the first raise: a fleet gateway that never raises keeps one empty object.
 */
import { eventDateTime, FAULT_LIMITS, FAULT_SIZES, type AlarmEvent, type AlarmKey, type AlarmRaise, type NotificationType, type ReportingMechanism } from './alarm-types.js';

/** The tables an AlarmLog fills, as their TR-181 object names. */
export type FaultTable = 'CurrentAlarm' | 'HistoryEvent' | 'ExpeditedEvent' | 'QueuedEvent';

/** Told of every row that comes, goes or changes (the data model's ObjectCreation/ObjectDeletion/ValueChange news). */
export interface AlarmLogListener {
  rowCreated(table: FaultTable, n: number): void;
  rowDeleted(table: FaultTable, n: number): void;
  rowChanged(table: 'CurrentAlarm', n: number, changed: Record<string, string>): void;
}

/** One active alarm. */
export interface ActiveAlarm {
  readonly n: number;
  readonly alarmIdentifier: string;
  readonly raisedAt: number;
  changedAt: number;
  raise: AlarmRaise;
}

/** One row of an event table: its instance number and the event (one object shared by the tables it entered). */
export interface EventRow {
  readonly n: number;
  readonly event: AlarmEvent;
}

class EventTable {
  readonly rows: EventRow[] = [];
  private next = 1;

  constructor(private readonly max: number) {}

  /** Appends `event`; returns its number and the numbers that left (the oldest beyond the bound, and `replaces`). */
  push(event: AlarmEvent, replaces?: (e: AlarmEvent) => boolean): { n: number; gone: number[] } {
    const gone: number[] = [];
    if (replaces) {
      for (let i = this.rows.length - 1; i >= 0; i--) if (replaces(this.rows[i].event)) gone.push(...this.rows.splice(i, 1).map((r) => r.n));
    }
    while (this.rows.length >= this.max) gone.push(this.rows.shift()!.n);
    const n = this.next++;
    this.rows.push({ n, event });
    return { n, gone };
  }

  find(n: number): EventRow | undefined {
    return this.rows.find((r) => r.n === n);
  }
}

/** The state made at the first raise. */
class AlarmState {
  readonly current = new Map<string, ActiveAlarm>();
  readonly history = new EventTable(FAULT_LIMITS.maxHistoryEvents);
  readonly expedited = new EventTable(FAULT_LIMITS.maxExpeditedEvents);
  readonly queued = new EventTable(FAULT_LIMITS.maxQueuedEvents);
  nextAlarm = 1;
  nextRow = 1;
  lastEventAt = 0;
}

function cut(s: string | undefined, max: number): string {
  return (s ?? '').slice(0, max);
}

/** CurrentAlarm's second unique key as one string. */
export function alarmKeyOf(a: AlarmKey): string {
  return `${a.eventType}\u0000${a.probableCause}\u0000${a.specificProblem ?? ''}`;
}

export class AlarmLog {
  private state?: AlarmState;

  /**
   * `idPrefix` makes AlarmIdentifier unique across restarts (the agent's start time); `now` is
   * the clock (ms).
   */
  constructor(
    private readonly listener: AlarmLogListener,
    private readonly idPrefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  get active(): readonly ActiveAlarm[] {
    return this.state ? [...this.state.current.values()] : [];
  }

  activeRow(n: number): ActiveAlarm | undefined {
    for (const a of this.state?.current.values() ?? []) if (a.n === n) return a;
    return undefined;
  }

  isActive(key: AlarmKey): boolean {
    return this.state?.current.has(alarmKeyOf(key)) ?? false;
  }

  events(table: Exclude<FaultTable, 'CurrentAlarm'>): readonly EventRow[] {
    const s = this.state;
    if (!s) return [];
    return (table === 'HistoryEvent' ? s.history : table === 'ExpeditedEvent' ? s.expedited : s.queued).rows;
  }

  eventRow(table: Exclude<FaultTable, 'CurrentAlarm'>, n: number): EventRow | undefined {
    return this.events(table).find((r) => r.n === n);
  }

  /** Raises (or changes) an alarm reported by `mechanism`; true when anything changed. */
  raise(given: AlarmRaise, mechanism: ReportingMechanism): boolean {
    const raise = clean(given);
    const key = alarmKeyOf(raise);
    const s = this.state;
    const was = s?.current.get(key);
    if (mechanism === '3 Disabled') {
      // Ignored: not even CurrentAlarm. An alarm active from before the change leaves quietly.
      if (was) this.drop(was, key);
      return was !== undefined;
    }
    if (was) {
      const changed = diff(was.raise, raise);
      if (Object.keys(changed).length === 0) return false;
      const at = this.eventTime();
      was.raise = raise;
      was.changedAt = at;
      this.listener.rowChanged('CurrentAlarm', was.n, { ...changed, AlarmChangedTime: eventDateTime(at) });
      this.record(was, 'ChangedAlarm', at, mechanism);
      return true;
    }
    const st = (this.state ??= new AlarmState());
    if (st.current.size >= FAULT_LIMITS.maxCurrentAlarms) {
      const [oldestKey, oldest] = st.current.entries().next().value as [string, ActiveAlarm];
      this.drop(oldest, oldestKey);
    }
    const at = this.eventTime();
    const alarm: ActiveAlarm = { n: st.nextRow++, alarmIdentifier: `${this.idPrefix}-${st.nextAlarm++}`, raisedAt: at, changedAt: at, raise };
    st.current.set(key, alarm);
    this.listener.rowCreated('CurrentAlarm', alarm.n);
    this.record(alarm, 'NewAlarm', at, mechanism);
    return true;
  }

  /** Clears an active alarm; false when it was not active. */
  clear(given: AlarmKey, mechanism: ReportingMechanism): boolean {
    const key = alarmKeyOf(clean({ ...given, perceivedSeverity: 'Indeterminate' }));
    const was = this.state?.current.get(key);
    if (!was) return false;
    this.drop(was, key);
    if (mechanism !== '3 Disabled') this.record(was, 'ClearedAlarm', this.eventTime(), mechanism);
    return true;
  }

  private drop(alarm: ActiveAlarm, key: string): void {
    this.state?.current.delete(key);
    this.listener.rowDeleted('CurrentAlarm', alarm.n);
  }

  /** Event times strictly increase, so (EventTime, AlarmIdentifier) stays unique in HistoryEvent. */
  private eventTime(): number {
    const s = (this.state ??= new AlarmState());
    s.lastEventAt = Math.max(this.now(), s.lastEventAt + 1);
    return s.lastEventAt;
  }

  private record(alarm: ActiveAlarm, type: NotificationType, at: number, mechanism: ReportingMechanism): void {
    const s = this.state!;
    const r = alarm.raise;
    const event: AlarmEvent = {
      eventTime: at,
      alarmIdentifier: alarm.alarmIdentifier,
      notificationType: type,
      managedObjectInstance: r.managedObjectInstance ?? '',
      eventType: r.eventType,
      probableCause: r.probableCause,
      specificProblem: r.specificProblem ?? '',
      perceivedSeverity: type === 'ClearedAlarm' ? 'Cleared' : r.perceivedSeverity,
      additionalText: r.additionalText ?? '',
      additionalInformation: r.additionalInformation ?? '',
    };
    this.enter('HistoryEvent', s.history, event);
    // ExpeditedEvent and QueuedEvent are keyed by AlarmIdentifier: an alarm's newer event replaces its older one.
    const sameAlarm = (e: AlarmEvent): boolean => e.alarmIdentifier === event.alarmIdentifier;
    if (mechanism === '0 Expedited') this.enter('ExpeditedEvent', s.expedited, event, sameAlarm);
    if (mechanism === '1 Queued') this.enter('QueuedEvent', s.queued, event, sameAlarm);
  }

  private enter(name: Exclude<FaultTable, 'CurrentAlarm'>, table: EventTable, event: AlarmEvent, replaces?: (e: AlarmEvent) => boolean): void {
    const { n, gone } = table.push(event, replaces);
    for (const g of gone) this.listener.rowDeleted(name, g);
    this.listener.rowCreated(name, n);
  }
}

/** The raise with its strings cut to the schema's sizes. */
function clean(r: AlarmRaise): AlarmRaise {
  return {
    eventType: cut(r.eventType, FAULT_SIZES.eventType),
    probableCause: cut(r.probableCause, FAULT_SIZES.probableCause),
    specificProblem: cut(r.specificProblem, FAULT_SIZES.specificProblem),
    perceivedSeverity: r.perceivedSeverity,
    managedObjectInstance: cut(r.managedObjectInstance, FAULT_SIZES.managedObjectInstance),
    additionalText: cut(r.additionalText, FAULT_SIZES.text),
    additionalInformation: cut(r.additionalInformation, FAULT_SIZES.text),
  };
}

/** The CurrentAlarm parameters a re-raise changes. */
function diff(was: AlarmRaise, now: AlarmRaise): Record<string, string> {
  const out: Record<string, string> = {};
  if (was.perceivedSeverity !== now.perceivedSeverity) out.PerceivedSeverity = now.perceivedSeverity;
  if ((was.additionalText ?? '') !== (now.additionalText ?? '')) out.AdditionalText = now.additionalText ?? '';
  if ((was.additionalInformation ?? '') !== (now.additionalInformation ?? '')) out.AdditionalInformation = now.additionalInformation ?? '';
  if ((was.managedObjectInstance ?? '') !== (now.managedObjectInstance ?? '')) out.ManagedObjectInstance = now.managedObjectInstance ?? '';
  return out;
}
