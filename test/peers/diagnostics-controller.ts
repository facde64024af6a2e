/** Running async diagnostics from a TestController: subscribe to OperationComplete, operate, wait. */
import { readdirSync, readFileSync } from 'node:fs';
import type { OperationResult, StringMap } from '../../agent/codec/types.js';
import { operateOne } from './operate.js';
import { type TestController, asResponse, notifications, waitForNotification } from './TestController.js';

/** Adds an OperationComplete Subscription for `referenceList` (e.g. "Device.IP.Diagnostics."). */
export async function subscribeOperationComplete(c: TestController, id: string, referenceList: string): Promise<void> {
  const params = { Enable: 'true', ID: id, NotifType: 'OperationComplete', ReferenceList: referenceList };
  const r = asResponse(
    await c.send({
      reqType: 'add',
      add: { allowPartial: false, createObjs: [{ objPath: 'Device.LocalAgent.Subscription.', paramSettings: Object.entries(params).map(([param, value]) => ({ param, value, required: true })) }] },
    }),
  );
  if (r.respType !== 'addResp' || r.addResp.createdObjResults[0].operStatus.operStatus !== 'operSuccess') throw new Error(JSON.stringify(r));
}

let keys = 0;

/** Operates an async command; returns its OperateResp result and the command key to wait on. */
export async function startCommand(c: TestController, command: string, input: Record<string, string>): Promise<{ result: OperationResult; key: string }> {
  const key = `diag-${++keys}`;
  return { result: await operateOne(c, command, input, key), key };
}

export type Completion = { output: StringMap } | { errCode: number; errMsg: string };

/** Waits for the OperationComplete of `key` (the deadline only bounds a hang). */
export async function completion(c: TestController, key: string, deadlineMs = 30_000): Promise<Completion> {
  const n = await waitForNotification(c, (ns) => ns.find((x) => x.notify.notification === 'operComplete' && x.notify.operComplete.commandKey === key)?.notify, deadlineMs);
  if (n.notification !== 'operComplete') throw new Error('not an OperationComplete');
  const oc = n.operComplete;
  if (oc.operationResp === 'reqOutputArgs') return { output: oc.reqOutputArgs.outputArgs };
  return { errCode: oc.cmdFailure.errCode, errMsg: oc.cmdFailure.errMsg ?? '' };
}

/** Operates and waits: the output arguments, or throws with the failure. */
export async function runDiagnostic(c: TestController, command: string, input: Record<string, string>): Promise<StringMap> {
  const { result, key } = await startCommand(c, command, input);
  if (result.operationResp !== 'reqObjPath') throw new Error(`not started: ${JSON.stringify(result)}`);
  const done = await completion(c, key);
  if (!('output' in done)) throw new Error(`failed: ${done.errCode} ${done.errMsg}`);
  return done.output;
}

/** Pids of running processes whose argv contains every one of `words` (read from /proc). */
export function processesWith(words: readonly string[]): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (words.every((w) => argv.includes(w))) out.push(Number(d));
  }
  return out;
}

export { notifications };
