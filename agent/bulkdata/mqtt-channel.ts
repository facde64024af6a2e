/**
 * Protocol MQTT (TR-369 Annex A; TR-181 Profile.{i}.MQTT.): each report is published through the
 * running MQTT client of the Device.MQTT.Client.{i} row that MQTT.Reference names, to
 * PublishTopic with PublishQoS and PublishRetain, Content Type set with MQTT 5.0 (R-BULK.8a).
 * Reports that could not be published are retained, as NumberOfRetainedFailedReports says
 * (bounded by MAX_RETAINED_REPORTS), and sent with the next one.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { CollectedReport, DeliveryOutcome, ReportChannel, ReportEncoder } from './report-contract.js';

/** Reports kept for the next attempt when NumberOfRetainedFailedReports is -1 ("as many as possible"). */
export const MAX_RETAINED_REPORTS = 16;

/** What the channel needs of a running MQTT client (mtp/mqtt/MqttClientMtp.ts publishMessage). */
export interface MqttReportPublisher {
  publishMessage(topic: string, payload: Uint8Array, opts: { qos: 0 | 1 | 2; retain: boolean; contentType: string }): Promise<boolean>;
}

export interface MqttTarget {
  /** Device.MQTT.Client.{i} reference, as stored. */
  readonly reference: string;
  readonly publishTopic: string;
  readonly publishQoS: number;
  readonly publishRetain: boolean;
  readonly numberOfRetainedFailedReports: number;
  /** Profile.{i}.EncodingType: when it changes, retained reports are deleted (TR-181 NumberOfRetainedFailedReports). */
  readonly encodingType: string;
}

export interface MqttChannelOptions {
  readonly target: () => MqttTarget;
  readonly encode: ReportEncoder;
  /** The running MQTT client of a "Device.MQTT.Client.{i}." row, if one runs. */
  readonly clientFor: (clientRow: string) => MqttReportPublisher | undefined;
  readonly log: Logger;
}

export function mqttReportChannel(opts: MqttChannelOptions): ReportChannel {
  let retained: CollectedReport[] = [];
  let retainedEncoding: string | undefined;
  return {
    async deliver(report): Promise<DeliveryOutcome> {
      const t = opts.target();
      if (t.encodingType !== retainedEncoding) retained = [];
      retainedEncoding = t.encodingType;
      const reports = [...retained, report];
      const fail = (reason: string): DeliveryOutcome => {
        const keep = t.numberOfRetainedFailedReports < 0 ? MAX_RETAINED_REPORTS : Math.min(t.numberOfRetainedFailedReports, MAX_RETAINED_REPORTS);
        // The oldest go first when the bound is reached (TR-181 NumberOfRetainedFailedReports).
        retained = keep === 0 ? [] : reports.slice(-keep);
        return { ok: false, reason, retained: keep > 0 };
      };
      const m = /^Device\.MQTT\.Client\.(\d+)\.?$/.exec(t.reference.trim());
      if (!m) return fail(`MQTT.Reference ${JSON.stringify(t.reference)} names no Device.MQTT.Client row`);
      if (t.publishTopic === '') return fail('MQTT.PublishTopic is empty');
      const client = opts.clientFor(`Device.MQTT.Client.${m[1]}.`);
      if (!client) return fail(`no MQTT client runs for ${t.reference} (it must be the client of an enabled LocalAgent.MTP)`);
      const encoded = opts.encode(reports);
      const qos = t.publishQoS === 1 || t.publishQoS === 2 ? t.publishQoS : 0;
      const sent = await client.publishMessage(t.publishTopic, Buffer.from(encoded.body, 'utf8'), { qos, retain: t.publishRetain, contentType: encoded.contentType });
      if (!sent) return fail(`publish to ${t.publishTopic} failed (client not connected or broker refused)`);
      retained = [];
      return { ok: true };
    },
    stop() {
      retained = [];
    },
  };
}
