/**
 * Protocol USPEventNotif (TR-369 Annex A; TR-181 Profile.{i}.Push!): the report, in the Profile's
 * CSV or JSON encoding, is the `Data` argument of Device.BulkData.Profile.{i}.Push!, put on the
 * change feed for the subscription engine, which sends it to the Profile's Controller when that
 * Controller subscribes to it (push-recipient.ts). Delivery and retries are the subscription's
 * (NotifRetry); NumberOfRetainedFailedReports does not apply.
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ReportChannel, ReportEncoder } from './report-contract.js';

export const PUSH_EVENT = 'Push!';
export const PROFILE_NODE = 'Device.BulkData.Profile.{i}.';

export function pushEventChannel(model: DataModel, n: number, encode: ReportEncoder): ReportChannel {
  const node = model.requireNode(PROFILE_NODE);
  return {
    deliver(report) {
      const { body } = encode([report]);
      model.changes.emit({ kind: 'event', inst: { node, keys: [n] }, path: node.pathOf([n]), event: PUSH_EVENT, args: { Data: body } });
      return Promise.resolve({ ok: true });
    },
    stop() {
      /* nothing held: the subscription engine owns delivery */
    },
  };
}
