/**
 * Keeps a running MTP's list of controllers (CoAP addresses) in step with the Controller.{i} and
 * Controller.{i}.MTP.{j} rows: after a burst of changes to `watched` objects (a transaction
 * commits many at once) the list is read again once and handed to `apply`. The MQTT MTP has its
 * own follower for its controller topics and Subscription rows (mqtt-client-row.ts).
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';

/** Subscribes to the change feed; returns the unsubscribe. `what` names the list in the error log. */
export function followControllerRows<T>(model: DataModel, watched: ReadonlySet<string>, read: () => Promise<T>, apply: (list: T) => void, log: Logger, what: string): () => void {
  let pending = false;
  return model.changes.subscribe((change) => {
    if (pending || !watched.has(change.inst.node.supportedPath)) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      read()
        .then(apply)
        .catch((e: unknown) => log.error(`could not re-read ${what}`, { error: e instanceof Error ? e.message : String(e) }));
    });
  });
}
