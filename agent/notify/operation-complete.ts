/**
 * OperationComplete notifications (TR-369 R-OPR.2; DIGEST §2.6/§5.2): when an async command
 * ends, every enabled OperationComplete subscription whose ReferenceList covers it gets a Notify
 * with the command's CommandKey and its output arguments or its failure.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { formatValue } from '../../datamodel/value/format-value.js';
import type { OperationRunner, OperationOutcome } from '../operate/OperationRunner.js';
import type { NotifyReq, StringMap } from '../codec/types.js';
import type { NotifySender } from './NotifySender.js';
import { recipientEndpoint, referencesCommand, subscriptionsOf } from './subscriptions.js';

export function notifyOperationComplete(model: DataModel, operations: OperationRunner, sender: NotifySender, log: Logger): void {
  operations.onComplete((o) => {
    void deliver(model, sender, o).catch((e: unknown) => log.error('OperationComplete delivery failed', { error: String(e) }));
  });
}

async function deliver(model: DataModel, sender: NotifySender, o: OperationOutcome): Promise<void> {
  for (const sub of await subscriptionsOf(model, 'OperationComplete')) {
    if (!(await referencesCommand(model, sub.references, o.objPath, o.commandName))) continue;
    const to = await recipientEndpoint(model, sub.recipientPath);
    if (!to) continue;
    const base = { objPath: o.objPath, commandName: o.commandName, commandKey: o.commandKey };
    const notify: NotifyReq = {
      subscriptionId: sub.id,
      sendResp: sub.notifRetry,
      notification: 'operComplete',
      operComplete: o.failure
        ? { ...base, operationResp: 'cmdFailure', cmdFailure: { errCode: o.failure.code, errMsg: o.failure.message } }
        : { ...base, operationResp: 'reqOutputArgs', reqOutputArgs: { outputArgs: outputArgs(model, o) } },
    };
    sender.send(to, notify);
  }
}

/** Output arguments as TR-106 strings, typed by the command's schema where it names them. */
function outputArgs(model: DataModel, o: OperationOutcome): StringMap {
  const out: StringMap = {};
  const supported = o.objPath.replace(/\.\d+\./g, '.{i}.');
  const def = model.schemaObject(supported)?.commands.find((c) => c.name === o.commandName);
  for (const [k, v] of Object.entries(o.output ?? {})) {
    const a = def?.output.find((x) => x.name === k);
    out[k] = a ? formatValue(a, v) : String(v);
  }
  return out;
}
