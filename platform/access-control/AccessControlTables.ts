/**
 * Device.Hosts.AccessControl.{i}. and its deprecated Schedule.{i}. (TR-181 AccessControl:2 and
 * AccessControl:1) as configuration the agent keeps in its store, taking effect through a
 * platform's firewall (an AccessBackend: the Linux nftables table, OpenWrt's fw4 rules, the
 * simulated gateway's LAN). A row's ScheduleRef names Device.Schedules rows (platform/schedules/),
 * whose windows count like its own Schedule.{i} rows; a change of those rows rewrites the rules too.
 *
 * Every Set, Add and Delete is checked first (access-rows.ts: 7012 naming the parameter, 7005
 * past the bounds), then put in the store and the whole rule set handed to the backend before
 * it is answered. A backend that fails puts the store back and the change is refused with 7003,
 * so nothing is half-applied; a transaction's undo comes back through the same methods, so a
 * rolled-back change leaves the firewall as the store is. The rules are written again at start
 * (`start`): a reboot empties netfilter.
 */
import type { Logger } from '../../datamodel/Logger.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import {
  ACCESS_CONTROL,
  type AccessRule,
  type BadParam,
  CONTROL_PARAMS,
  CONTROL_WRITABLE,
  controlProblems,
  MAX_ACCESS_CONTROLS,
  MAX_SCHEDULES,
  ruleOf,
  SCHEDULE,
  SCHEDULE_PARAMS,
  scheduleProblems,
} from './access-rows.js';
import { invalid, type Row, StoredTable } from '../stored-table.js';
import { type ScheduleBook, scheduleBookOf } from '../schedules/ScheduleBook.js';
import { dropScheduleRefsOnDelete, scheduleRefProblem } from '../schedules/schedule-refs.js';

/** Where the rows take effect. `apply` gets every blocking rule at each change; rejecting leaves the firewall as it was. */
export interface AccessBackend {
  /** What the rules are written to, for the log ("nftables table inet usp_agent_access"). */
  readonly name: string;
  /**
   * Why the firewall matches whole MAC addresses only, so a PhysAddressMask other than "" or
   * FF:FF:FF:FF:FF:FF is refused (7012) with this reason; undefined: it matches under any mask
   * (AccessRule.mask).
   */
  readonly maskRefusal?: string;
  apply(rules: readonly AccessRule[]): Promise<void>;
}

/** The AccessControl rows, their schedules and the backend they are written to. */
export class AccessControlTables {
  private controls!: ModelNode;
  private schedules!: ModelNode;
  private writing: Promise<void> = Promise.resolve();
  private book!: ScheduleBook;

  constructor(
    private readonly model: DataModel,
    private readonly store: DataStore,
    private readonly backend: AccessBackend,
    private readonly log?: Logger,
  ) {}

  /** Serves Device.Hosts.AccessControl.{i}. (AccessControlNumberOfEntries is derived) and its Schedule.{i}. */
  register(): void {
    const { model } = this;
    this.book = scheduleBookOf(model, this.store, this.log);
    this.controls = model.register(
      ACCESS_CONTROL,
      this.table(ACCESS_CONTROL, CONTROL_PARAMS, MAX_ACCESS_CONTROLS, (keys, merged) => this.controlProblems(keys, merged), CONTROL_WRITABLE),
    );
    this.schedules = model.register(
      SCHEDULE,
      this.table(SCHEDULE, SCHEDULE_PARAMS, MAX_SCHEDULES, (_keys, merged) => scheduleProblems(merged)),
    );
    // ScheduleRef: a change of a Device.Schedules row is written to the firewall before it is
    // answered, and a deleted row leaves the lists that named it.
    this.book.use(() => (this.namesSchedules() ? this.writeOrRefuse() : Promise.resolve()));
    dropScheduleRefsOnDelete(model, this.store, ACCESS_CONTROL);
    // A commit whose save failed puts the store back as saved (DataStore.revert): the firewall follows.
    model.onCommit(
      () => Promise.resolve(),
      () => void this.write().catch(() => undefined),
    );
  }

  /**
   * One of the two tables: rows in the store, each change checked (`problems`), then written to
   * the firewall before it is answered (refused with 7003, the store put back, when that fails).
   */
  private table(path: string, params: readonly string[], max: number, problems: (keys: InstanceKeys, merged: Row) => BadParam[], writable?: readonly string[]): StoredTable {
    return new StoredTable(this.store, this.model.requireNode(path), {
      params,
      writable,
      max,
      references: ['ScheduleRef'],
      check: (keys, merged) => {
        const bad = problems(keys, merged);
        if (bad.length > 0) throw invalid(bad);
        return merged;
      },
      apply: () => this.writeOrRefuse(),
    });
  }

  /** The row's own checks and its ScheduleRef (each item an existing Device.Schedules row). */
  private controlProblems(keys: InstanceKeys, merged: Row): BadParam[] {
    const bad = controlProblems(merged, this.otherControls(keys[0]!), this.backend.maskRefusal);
    const ref = scheduleRefProblem(this.book, merged.ScheduleRef);
    if (ref !== undefined) bad.push({ param: 'ScheduleRef', message: ref });
    return bad;
  }

  /** Writes the rules; a firewall that does not take them refuses the change (7003). */
  private async writeOrRefuse(): Promise<void> {
    try {
      await this.write();
    } catch (e) {
      throw new UspError(ErrorCode.InternalError, `the firewall did not take the access control rules, so nothing changed: ${message(e)}`);
    }
  }

  /** Writes the stored rules to the firewall (a reboot empties netfilter); nothing stored, nothing written. */
  async start(): Promise<void> {
    if (this.store.instances(this.controls.tablePathOf([])).length === 0) return;
    try {
      await this.write();
      this.log?.info('access control rules written from the stored rows', { to: this.backend.name, rules: this.rules().length });
    } catch (e) {
      this.log?.warn('access control rules could not be written; they are written again at the next change', { to: this.backend.name, why: message(e) });
    }
  }

  /** The blocking rules of the stored rows, in instance order. */
  rules(): AccessRule[] {
    const out: AccessRule[] = [];
    for (const n of this.store.instances(this.controls.tablePathOf([]))) {
      const row = this.store.row(this.controls.pathOf([n])) ?? {};
      const schedules = this.store.instances(this.schedules.tablePathOf([n])).map((m) => this.store.row(this.schedules.pathOf([n, m])) ?? {});
      const rule = ruleOf(this.controls.pathOf([n]).slice(0, -1), row, schedules, this.book.windowsOf(row.ScheduleRef));
      if (rule) out.push(rule);
    }
    return out;
  }

  /** Hands the stored rules to the backend, once the writes before it are done. */
  write(): Promise<void> {
    const run = this.writing.then(() => this.backend.apply(this.rules()));
    this.writing = run.catch(() => undefined);
    return run;
  }

  /** Whether a row's ScheduleRef names a schedule: else a change of Device.Schedules leaves the firewall alone. */
  private namesSchedules(): boolean {
    return this.store.instances(this.controls.tablePathOf([])).some((n) => String(this.store.row(this.controls.pathOf([n]))?.ScheduleRef ?? '') !== '');
  }

  /** The other AccessControl rows than `n`, for the MAC uniqueness check. */
  otherControls(n: number): Row[] {
    return this.store
      .instances(this.controls.tablePathOf([]))
      .filter((m) => m !== n)
      .map((m) => this.store.row(this.controls.pathOf([m])) ?? {});
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
