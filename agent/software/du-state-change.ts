/**
 * Device.SoftwareModules.DUStateChange! (TR-181 SoftwareModules:1, TR-369 Appendix I): sent when
 * an InstallDU(), Update() or Uninstall() has finished, successfully or not, after the command's
 * OperationComplete (the caller schedules it so), one event per operation (no aggregation).
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import { dateTime } from '../firmware/transfer-complete.js';

export const SOFTWARE_MODULES_PATH = 'Device.SoftwareModules.';
export const DU_STATE_CHANGE = 'DUStateChange!';

export interface DuStateChange {
  uuid: string;
  /** "Device.SoftwareModules.DeploymentUnit.3" ("" when an install failed: no row is left). */
  deploymentUnitRef: string;
  version: string;
  currentState: 'Installed' | 'Uninstalled' | 'Failed';
  resolved: boolean;
  executionUnitRefList: string[];
  startTime: Date;
  /** Undefined: the Unknown Time (the operation never got that far). */
  completeTime?: Date;
  operationPerformed: 'Install' | 'Update' | 'Uninstall';
  faultCode: number;
  faultString: string;
}

const UNKNOWN_TIME = '0001-01-01T00:00:00Z';
/** TR-181: Fault.FaultString is string(256). */
const MAX_FAULT_STRING = 256;

export function duStateChangeArgs(c: DuStateChange): Record<string, Value> {
  return {
    UUID: c.uuid,
    DeploymentUnitRef: c.deploymentUnitRef,
    Version: c.version.slice(0, 32),
    CurrentState: c.currentState,
    Resolved: c.resolved,
    ExecutionUnitRefList: c.executionUnitRefList.join(','),
    StartTime: dateTime(c.startTime),
    CompleteTime: c.completeTime ? dateTime(c.completeTime) : UNKNOWN_TIME,
    OperationPerformed: c.operationPerformed,
    'Fault.FaultCode': c.faultCode,
    'Fault.FaultString': c.faultCode === 0 ? '' : [...c.faultString].slice(0, MAX_FAULT_STRING).join(''),
  };
}

/** Puts DUStateChange! on the change feed, where the subscription engine picks it up. */
export function emitDuStateChange(model: DataModel, c: DuStateChange): void {
  model.changes.emit({
    kind: 'event',
    inst: { node: model.requireNode(SOFTWARE_MODULES_PATH), keys: [] },
    path: SOFTWARE_MODULES_PATH,
    event: DU_STATE_CHANGE,
    args: duStateChangeArgs(c),
  });
}
