/**
 * Device.Hosts.AccessControl.{i}. and its deprecated Schedule.{i}. (TR-181 AccessControl:2 and
 * AccessControl:1) as configuration the agent keeps in its store, taking effect through a
 * platform's firewall (an AccessBackend: the Linux nftables table, OpenWrt's fw4 rules, the
 * simulated gateway's LAN).
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
import type { InstanceKeys, ObjectBinding, RequestContext } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { defaultValue } from '../../datamodel/value/default-value.js';
import type { Value } from '../../datamodel/value/Value.js';
import {
  ACCESS_CONTROL,
  type AccessRule,
  type BadParam,
  CONTROL_PARAMS,
  controlProblems,
  MAX_ACCESS_CONTROLS,
  MAX_SCHEDULES,
  ruleOf,
  SCHEDULE,
  SCHEDULE_PARAMS,
  scheduleProblems,
} from './access-rows.js';

/** Where the rows take effect. `apply` gets every blocking rule at each change; rejecting leaves the firewall as it was. */
export interface AccessBackend {
  /** What the rules are written to, for the log ("nftables table inet usp_agent_access"). */
  readonly name: string;
  apply(rules: readonly AccessRule[]): Promise<void>;
}

type Row = Readonly<Record<string, Value>>;
type Kind = 'control' | 'schedule';

/** The AccessControl rows, their schedules and the backend they are written to. */
export class AccessControlTables {
  private controls!: ModelNode;
  private schedules!: ModelNode;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly model: DataModel,
    private readonly store: DataStore,
    private readonly backend: AccessBackend,
    private readonly log?: Logger,
  ) {}

  /** Serves Device.Hosts.AccessControl.{i}. (AccessControlNumberOfEntries is derived) and its Schedule.{i}. */
  register(): void {
    const { model, store } = this;
    this.controls = model.register(ACCESS_CONTROL, new AccessTable(this, store, model.requireNode(ACCESS_CONTROL), CONTROL_PARAMS, 'control'));
    this.schedules = model.register(SCHEDULE, new AccessTable(this, store, model.requireNode(SCHEDULE), SCHEDULE_PARAMS, 'schedule'));
    // A commit whose save failed puts the store back as saved (DataStore.revert): the firewall follows.
    model.onCommit(
      () => Promise.resolve(),
      () => void this.write().catch(() => undefined),
    );
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
      const rule = ruleOf(this.controls.pathOf([n]).slice(0, -1), row, schedules);
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

  /** The other AccessControl rows than `n`, for the MAC uniqueness check. */
  otherControls(n: number): Row[] {
    return this.store
      .instances(this.controls.tablePathOf([]))
      .filter((m) => m !== n)
      .map((m) => this.store.row(this.controls.pathOf([m])) ?? {});
  }
}

/**
 * One of the two tables: rows in the store, each change checked, then written to the firewall
 * before it is answered (the store put back when that fails).
 */
class AccessTable implements ObjectBinding {
  readonly stored = true;
  readonly changesOnlyThroughAgent = true;
  private readonly defaults: Record<string, Value> = {};

  constructor(
    private readonly tables: AccessControlTables,
    private readonly store: DataStore,
    private readonly node: ModelNode,
    readonly params: readonly string[],
    private readonly kind: Kind,
  ) {
    for (const name of params) {
      const p = node.def.params.find((q) => q.name === name);
      if (p) this.defaults[name] = defaultValue(p);
    }
  }

  list(parentKeys: InstanceKeys): number[] {
    return this.store.instances(this.node.tablePathOf(parentKeys));
  }

  private row(keys: InstanceKeys): Row {
    const row = this.store.row(this.node.pathOf(keys));
    if (!row) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${this.node.pathOf(keys)}`);
    return row;
  }

  get(keys: InstanceKeys): Record<string, Value> {
    return { ...this.defaults, ...this.row(keys) };
  }

  /** The row after `changes`; 7012 naming each parameter this device cannot take. */
  private next(keys: InstanceKeys, current: Row, changes: Record<string, Value>): Record<string, Value> {
    const merged: Record<string, Value> = { ...current, ...changes };
    const bad: BadParam[] = this.kind === 'control' ? controlProblems(merged, this.tables.otherControls(keys[0]!)) : scheduleProblems(merged);
    if (bad.length > 0) {
      throw new UspError(ErrorCode.InvalidValue, bad.map((b) => `${b.param}: ${b.message}`).join('; '), { paramErrors: bad.map((b) => ({ ...b, code: ErrorCode.InvalidValue })) });
    }
    return merged;
  }

  /** Runs `change` on the store and writes the firewall; when that fails, `undo` puts the store back and the change is refused. */
  private async commit(change: () => void, undo: () => void): Promise<void> {
    change();
    try {
      await this.tables.write();
    } catch (e) {
      undo();
      throw new UspError(ErrorCode.InternalError, `the firewall did not take the access control rules, so nothing changed: ${message(e)}`);
    }
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const path = this.node.pathOf(keys);
    const current = this.row(keys);
    const next = this.next(keys, current, changes);
    await this.commit(
      () => this.store.setRow(path, next),
      () => this.store.setRow(path, { ...current }),
    );
  }

  async add(parentKeys: InstanceKeys, params: Record<string, Value>, _ctx: RequestContext, requested?: number): Promise<number> {
    const tablePath = this.node.tablePathOf(parentKeys);
    const max = this.kind === 'control' ? MAX_ACCESS_CONTROLS : MAX_SCHEDULES;
    if (this.store.instances(tablePath).length >= max) throw new UspError(ErrorCode.ResourcesExceeded, `${tablePath} holds at most ${max} rows on this device`);
    // Instance 0: not numbered yet, so a refused Add uses no number.
    const row = this.next([...parentKeys, 0], { ...this.defaults }, { ...params });
    const n = this.store.allocate(tablePath, requested);
    // TR-181 Alias: an Agent that was not given one assigns one with the "cpe-" prefix.
    if (row.Alias === '' || row.Alias === undefined) row.Alias = `cpe-${n}`;
    const path = this.node.pathOf([...parentKeys, n]);
    await this.commit(
      () => this.store.setRow(path, row),
      () => this.store.remove(path, tablePath, n),
    );
    return n;
  }

  async delete(keys: InstanceKeys): Promise<void> {
    const path = this.node.pathOf(keys);
    const tablePath = this.node.tablePathOf(keys.slice(0, -1));
    const n = keys[keys.length - 1]!;
    const before = this.store.snapshotSubtree(path);
    await this.commit(
      () => this.store.remove(path, tablePath, n),
      () => this.store.restoreSubtree(tablePath, n, before),
    );
  }

  /** The row with its schedules, for a rolled-back Delete. */
  snapshot(keys: InstanceKeys): unknown {
    return this.store.snapshotSubtree(this.node.pathOf(keys));
  }

  async restore(keys: InstanceKeys, snap: unknown): Promise<void> {
    this.store.restoreSubtree(this.node.tablePathOf(keys.slice(0, -1)), keys[keys.length - 1]!, snap as ReturnType<DataStore['snapshotSubtree']>);
    await this.tables.write().catch(() => undefined);
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
