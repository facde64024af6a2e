/**
 * Device.LocalAgent.TransferComplete! (TR-181 LocalAgent; Firmware:1, TR-369 Appendix I): sent when a
 * file transfer has finished, successfully (FaultCode 0) or not, to every controller with an
 * Event subscription on it — and only to those whose
 * Controller.{i}.TransferCompletePolicy.ResultTypeFilter admits the result.
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';

export const LOCAL_AGENT_PATH = 'Device.LocalAgent.';
export const TRANSFER_COMPLETE = 'TransferComplete!';

/** CheckSumAlgorithm values of the event (Download()'s, plus "Unknown" when none was used). */
export type CheckSumAlgorithm = 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512' | 'Unknown';

export interface TransferResult {
  /** Path of the command that asked for the transfer, e.g. "Device.DeviceInfo.FirmwareImage.2.Download()". */
  command: string;
  commandKey: string;
  /** Endpoint ID of the controller that asked ("" for the agent itself). */
  requestor: string;
  transferType: 'Download' | 'Upload';
  /** Path of the object the transfer affected, e.g. "Device.DeviceInfo.FirmwareImage.2.". */
  affected: string;
  url: string;
  startTime: Date;
  /** Undefined when the transfer did not complete (TR-181: the Unknown Time). */
  completeTime?: Date;
  /** 0 = success; otherwise a TR-369 error code. */
  faultCode: number;
  faultString: string;
  checkSumAlgorithm: CheckSumAlgorithm;
  /** Hex checksum of the transferred file by `checkSumAlgorithm`, "" when not computed. */
  checkSum: string;
}

/** TR-181 FaultString is string(256). */
const MAX_FAULT_STRING = 256;
const UNKNOWN_TIME = '0001-01-01T00:00:00Z';

/** The event's arguments, typed as the schema says (the notification edge formats them). */
export function transferCompleteArgs(r: TransferResult): Record<string, Value> {
  return {
    Command: r.command,
    CommandKey: r.commandKey,
    Requestor: r.requestor,
    TransferType: r.transferType,
    Affected: r.affected,
    TransferURL: r.url,
    StartTime: dateTime(r.startTime),
    CompleteTime: r.completeTime ? dateTime(r.completeTime) : UNKNOWN_TIME,
    FaultCode: r.faultCode,
    FaultString: r.faultCode === 0 ? '' : truncate(r.faultString, MAX_FAULT_STRING),
    CheckSumAlgorithm: r.checkSumAlgorithm,
    CheckSum: r.checkSum,
  };
}

/** Puts TransferComplete! on the change feed, where the subscription engine picks it up. */
export function emitTransferComplete(model: DataModel, r: TransferResult): void {
  model.changes.emit({
    kind: 'event',
    inst: { node: model.requireNode(LOCAL_AGENT_PATH), keys: [] },
    path: LOCAL_AGENT_PATH,
    event: TRANSFER_COMPLETE,
    args: transferCompleteArgs(r),
  });
}

/**
 * Controller.{i}.TransferCompletePolicy.ResultTypeFilter: whether a transfer with `faultCode`
 * is reported to that controller. "Success" admits FaultCode 0 only, "Failure" the others,
 * "Both" (and an empty value) everything.
 */
export function transferCompleteWanted(resultTypeFilter: Value | undefined, faultCode: number): boolean {
  if (resultTypeFilter === 'Success') return faultCode === 0;
  if (resultTypeFilter === 'Failure') return faultCode !== 0;
  return true;
}

/**
 * For the subscription engine (per recipient): whether the controller `recipientEid` wants this
 * TransferComplete! (its `args` as emitted). Controllers not in the table get everything.
 */
export async function recipientWantsTransferComplete(model: DataModel, recipientEid: string, args: Record<string, Value>): Promise<boolean> {
  const ctrl = model.requireNode('Device.LocalAgent.Controller.{i}.');
  const policy = model.node('Device.LocalAgent.Controller.{i}.TransferCompletePolicy.');
  if (!policy?.supported) return true;
  for (const c of await model.listInstances(ctrl, [], {})) {
    if ((await model.readValues({ node: ctrl, keys: [c] }, {})).EndpointID !== recipientEid) continue;
    const values = await model.readValues({ node: policy, keys: [c] }, {});
    return transferCompleteWanted(values.ResultTypeFilter, Number(args.FaultCode ?? 0));
  }
  return true;
}

/** TR-106 dateTime in UTC, whole seconds. */
export function dateTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function truncate(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}
