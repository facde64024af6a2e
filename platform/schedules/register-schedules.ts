/**
 * Device.Schedules. (TR-181 Schedules:1) on every platform: the rows are configuration the agent
 * keeps in its store; Status and TimeLeft are computed on read in the device's local time
 * (ScheduleBook). A Set, Add or Delete of a row is checked first (7012 naming the parameter,
 * 7005 past MAX_SCHEDULE_ROWS), then put into effect wherever a ScheduleRef uses it (the
 * firewall written again) before it is answered; when that fails the store is put back and the
 * change refused, like the referring tables' own changes.
 *
 * Registered as a deferred group: a gateway of a fleet builds it only when something reads it.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import { invalid, type Row, StoredTable } from '../stored-table.js';
import { type ScheduleBook, scheduleBookOf, stopScheduleBook } from './ScheduleBook.js';
import { MAX_SCHEDULE_ROWS, SCHEDULE_ROW, SCHEDULES, windowProblems } from './schedule-rows.js';

const ROW_PARAMS = ['Alias', 'Enable', 'Status', 'Description', 'Day', 'StartTime', 'Duration', 'InverseMode', 'TimeLeft'] as const;
const STACK_PARAMS = ['Enable'] as const;
const LIVE: ReadonlySet<string> = new Set(['Status', 'TimeLeft']);
const ROW_WRITABLE: readonly string[] = ['Alias', 'Enable', 'Description', 'Day', 'StartTime', 'Duration', 'InverseMode'];

/** The rules of the Schedule.{i} table: a class, so its methods are shared (one instance per gateway holds only its book). */
class ScheduleRules {
  readonly params = ROW_PARAMS;
  readonly writable = ROW_WRITABLE;
  readonly live = LIVE;
  readonly max = MAX_SCHEDULE_ROWS;
  // Status and TimeLeft follow the clock: the book tells Status changes itself.
  readonly changesOnlyThroughAgent = true;

  constructor(private readonly book: ScheduleBook) {}

  check(_keys: InstanceKeys, merged: Record<string, Value>): Record<string, Value> {
    const bad = windowProblems(merged);
    if (bad.length > 0) throw invalid(bad);
    return merged;
  }

  async read(_keys: InstanceKeys, row: Row): Promise<Record<string, Value>> {
    return { ...row, ...(await this.book.reading(row)) };
  }

  apply(): Promise<void> {
    return this.book.apply();
  }

  added(): void {
    this.book.changed();
  }

  updated(): void {
    this.book.changed();
  }

  deleted(): void {
    this.book.changed();
  }

  restored(): void {
    this.book.changed();
  }
}

/**
 * Device.Schedules.Enable, stored: a disabled stack schedules nothing (TR-181: the enabled rows
 * read StackDisabled), so the referring firewalls are written again before the Set is answered,
 * and the Set is refused (the store put back) when that fails.
 */
class SchedulesStack {
  readonly params = STACK_PARAMS;
  readonly stored = true;
  readonly changesOnlyThroughAgent = true;

  constructor(private readonly book: ScheduleBook) {}

  get(): Record<string, Value> {
    return { Enable: this.book.stackEnabled() };
  }

  async set(_keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const { store } = this.book;
    const before = store.row(SCHEDULES);
    store.setRow(SCHEDULES, { ...before, ...changes });
    try {
      await this.book.apply();
    } catch (e) {
      store.setRow(SCHEDULES, { ...before });
      throw e;
    }
    this.book.changed();
  }
}

/** What the agent does with the schedules beside serving them: start the timer once its state is loaded, stop it. */
export class SchedulesService {
  constructor(
    private readonly model: DataModel,
    private readonly store: DataStore,
    private readonly log?: Logger,
  ) {}

  /** Arms the timer for the stored rows; nothing when there are none (a fleet gateway without schedules). */
  start(): void {
    if (this.store.instances('Device.Schedules.Schedule.').length > 0) scheduleBookOf(this.model, this.store, this.log).start();
  }

  stop(): void {
    stopScheduleBook(this.model);
  }
}

/** Serves Device.Schedules. (Enable; ScheduleNumberOfEntries derived) and Device.Schedules.Schedule.{i}. */
export function registerSchedules(model: DataModel, store: DataStore, log?: Logger): SchedulesService {
  model.registerDeferred('Schedules', () => {
    const book = scheduleBookOf(model, store, log);
    model.register(SCHEDULES, new SchedulesStack(book));
    model.register(SCHEDULE_ROW, new StoredTable(store, model.requireNode(SCHEDULE_ROW), new ScheduleRules(book)));
  });
  return new SchedulesService(model, store, log);
}
