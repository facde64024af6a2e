/**
 * Serves Device.FaultMgmt. (TR-181 FaultMgmtSupportedAlarms:1, FaultMgmtActive:1,
 * FaultMgmtHistory:1, FaultMgmtExpedited:1, FaultMgmtQueued:1) on every platform: the agent's
 * FaultMgmt, its bindings, and the condition watch that raises the agent's own alarms. Returns
 * the AlarmApi plugins get (PluginApi.alarms) and the watch to start and stop.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { AlarmLogListener, FaultTable } from './AlarmLog.js';
import { BUILTIN_ALARM_TYPES } from './builtin-alarms.js';
import { ConditionWatch } from './condition-watch.js';
import { FaultMgmt } from './FaultMgmt.js';
import { AlarmEventBinding, CurrentAlarmBinding, FAULT_MGMT, FAULT_MGMT_BINDING, FAULT_TABLE_PATHS, SupportedAlarmBinding } from './faultmgmt-bindings.js';

export interface FaultMgmtOptions {
  /** How often the agent's own alarm sources are read, ms (condition-watch.ts DEFAULT_ALARM_CHECK_MS). */
  checkMs?: number;
  /** Where in the period the checks fall (condition-watch.ts ConditionWatchOptions.phase). */
  checkPhase?: number;
  dataDir?: string;
  log: Logger;
  /** The agent's start (ms): the first part of every AlarmIdentifier, so identifiers differ across restarts. */
  startedAt: number;
  now?: () => number;
}

/** Turns the AlarmLog's news into the data model's ObjectCreation/ObjectDeletion/ValueChange. */
class ChangeReporter implements AlarmLogListener {
  constructor(
    private readonly model: DataModel,
    private readonly nodes: Readonly<Record<FaultTable, ModelNode>>,
  ) {}

  rowCreated(table: FaultTable, n: number): void {
    const node = this.nodes[table];
    this.model.changes.emit({ kind: 'created', inst: { node, keys: [n] }, path: node.pathOf([n]) });
  }

  rowDeleted(table: FaultTable, n: number): void {
    const node = this.nodes[table];
    this.model.changes.emit({ kind: 'deleted', inst: { node, keys: [n] }, path: node.pathOf([n]) });
  }

  rowChanged(table: 'CurrentAlarm', n: number, changed: Record<string, string>): void {
    const node = this.nodes[table];
    const inst = { node, keys: [n] };
    const path = node.pathOf([n]);
    for (const [param, value] of Object.entries(changed)) this.model.changes.emit({ kind: 'value', inst, path, param, value });
  }
}

export function registerFaultMgmt(model: DataModel, store: DataStore, opts: FaultMgmtOptions): { alarms: FaultMgmt; watch: ConditionWatch } {
  const nodes = {
    CurrentAlarm: model.requireNode(FAULT_TABLE_PATHS.CurrentAlarm),
    HistoryEvent: model.requireNode(FAULT_TABLE_PATHS.HistoryEvent),
    ExpeditedEvent: model.requireNode(FAULT_TABLE_PATHS.ExpeditedEvent),
    QueuedEvent: model.requireNode(FAULT_TABLE_PATHS.QueuedEvent),
  };
  const fm = new FaultMgmt(BUILTIN_ALARM_TYPES, store, new ChangeReporter(model, nodes), Math.floor(opts.startedAt / 1000).toString(36), opts.now);
  model.register(FAULT_MGMT, FAULT_MGMT_BINDING);
  model.register(FAULT_TABLE_PATHS.SupportedAlarm, new SupportedAlarmBinding(fm));
  model.register(FAULT_TABLE_PATHS.CurrentAlarm, new CurrentAlarmBinding(fm));
  for (const t of ['HistoryEvent', 'ExpeditedEvent', 'QueuedEvent'] as const) model.register(FAULT_TABLE_PATHS[t], new AlarmEventBinding(fm, t));
  const watch = new ConditionWatch(model, fm, { periodMs: opts.checkMs, phase: opts.checkPhase, dataDir: opts.dataDir, log: opts.log });
  return { alarms: fm, watch };
}
