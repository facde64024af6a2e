/**
 * `usp-agent operate` for asynchronous commands (TR-369 §"Operate": the OperateResp carries the
 * Request object path, the output comes later in an OperationComplete Notify): subscribes to the
 * command's OperationComplete first, runs it, waits for the completion of its own CommandKey,
 * prints the output arguments, then deletes the Subscription row. Synchronous commands answer
 * in the OperateResp and need none of it.
 */
import type { NotifyReq, OperationComplete, Request } from '../codec/types.js';
import { CliError, EXIT_OK, EXIT_UNREACHABLE, EXIT_USP_ERROR } from './cli-error.js';
import { ControlClient } from './control-client.js';
import { alignRows, errorLine, renderAnswer } from './format-response.js';
import type { ConnectionArgs } from './requests.js';

/** Runs `request` (an Operate) and, for each command that ran asynchronously, waits for its OperationComplete. */
export async function runOperateAndWait(args: ConnectionArgs, request: Extract<Request, { reqType: 'operate' }>): Promise<void> {
  const client = await ControlClient.connect(args.dataDir);
  const timeoutMs = args.timeout * 1000;
  const key = request.operate.commandKey;
  const completed: OperationComplete[] = [];
  let wake: (() => void) | undefined;
  const subId = `usp-agent-operate-${process.pid}`;
  client.onNotify = (n: NotifyReq) => {
    if (n.subscriptionId !== subId || n.notification !== 'operComplete' || n.operComplete.commandKey !== key) return;
    completed.push(n.operComplete);
    wake?.();
  };
  let row: string | undefined;
  try {
    const sub = await client.request(
      {
        reqType: 'add',
        add: {
          allowPartial: false,
          createObjs: [
            {
              objPath: 'Device.LocalAgent.Subscription.',
              paramSettings: [
                { param: 'ID', value: subId, required: true },
                { param: 'Enable', value: 'true', required: true },
                { param: 'Persistent', value: 'false', required: true },
                { param: 'NotifType', value: 'OperationComplete', required: true },
                { param: 'ReferenceList', value: request.operate.command, required: true },
              ],
            },
          ],
        },
      },
      timeoutMs,
    );
    const status = sub.kind === 'response' && sub.response.respType === 'addResp' ? sub.response.addResp.createdObjResults[0]?.operStatus : undefined;
    if (status?.operStatus === 'operSuccess') row = status.operSuccess.instantiatedPath;
    // Without the subscription the command still runs; only its later output cannot be shown.

    const answer = await client.request(request, timeoutMs);
    const { rows, errors } = renderAnswer(answer);
    const pending = answer.kind === 'response' && answer.response.respType === 'operateResp' ? answer.response.operateResp.operationResults.filter((r) => r.operationResp === 'reqObjPath').length : 0;
    if (pending > 0 && row !== undefined) {
      const until = Date.now() + timeoutMs;
      while (completed.length < pending) {
        const left = until - Date.now();
        if (left <= 0) throw new CliError(EXIT_UNREACHABLE, `no OperationComplete for ${request.operate.command} (CommandKey ${key}) within ${args.timeout} s; it may still be running`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, Math.min(left, 1000));
        });
      }
    }
    const out: Array<[string, string]> = pending > 0 && row !== undefined ? [] : rows;
    for (const c of completed) {
      const cmd = `${c.objPath}${c.commandName}`;
      if (c.operationResp === 'cmdFailure') errors.push(errorLine(c.cmdFailure.errCode, c.cmdFailure.errMsg, cmd));
      else {
        const entries = Object.entries(c.reqOutputArgs.outputArgs);
        if (entries.length === 0) out.push([cmd, 'done']);
        for (const [k, v] of entries) out.push([`${cmd}.${k}`, v]);
      }
    }
    if (args.json) process.stdout.write(`${JSON.stringify({ answer: answer.kind === 'response' ? answer.response : { error: answer.error }, completed }, null, 2)}\n`);
    else if (out.length > 0) process.stdout.write(`${alignRows(out)}\n`);
    for (const line of errors) process.stderr.write(`${line}\n`);
    process.exitCode = errors.length > 0 ? EXIT_USP_ERROR : EXIT_OK;
  } finally {
    if (row !== undefined) await client.request({ reqType: 'delete', delete: { allowPartial: true, objPaths: [row] } }, timeoutMs).catch(() => undefined);
    client.close();
  }
}
