/** One Operate request and its single OperationResult, for tests over any controller link. */
import { expect } from 'vitest';
import type { OperationResult, Request, UspMsg } from '../../agent/codec/types.js';
import { asResponse } from './TestController.js';

export interface RequestSender {
  send(request: Request): Promise<UspMsg>;
}

/** Operates `command` (send_resp=true) and returns its one result. */
export async function operateOne(c: RequestSender, command: string, inputArgs: Record<string, string> = {}, commandKey = 'test'): Promise<OperationResult> {
  const r = asResponse(await c.send({ reqType: 'operate', operate: { command, commandKey, sendResp: true, inputArgs } }));
  if (r.respType !== 'operateResp') throw new Error(r.respType);
  expect(r.operateResp.operationResults).toHaveLength(1);
  return r.operateResp.operationResults[0];
}

/** The cmd_failure error code, or undefined when the command succeeded. */
export const cmdFailureCode = (r: OperationResult): number | undefined => (r.operationResp === 'cmdFailure' ? r.cmdFailure.errCode : undefined);

/** The output arguments of a successful command; throws, showing the result, otherwise. */
export function outputArgs(r: OperationResult): Record<string, string> {
  if (r.operationResp !== 'reqOutputArgs') throw new Error(`expected output arguments, got ${JSON.stringify(r)}`);
  return r.reqOutputArgs.outputArgs;
}
