/**
 * An MtpConnection over MQTT is a destination topic: the request's "reply to" topic for a
 * response (R-MQTT.25/26), or a controller's configured topic for a notification. There is no
 * per-peer link to close; it is open while the client is subscribed.
 */
import type { X509Certificate } from 'node:crypto';
import type { IClientPublishOptions } from 'mqtt';
import type { MtpConnection } from '../Mtp.js';
import type { MqttQoS } from './topics.js';

/** R-MQTT.27: the Content Type of every USP Record this agent publishes over MQTT 5. */
export const USP_CONTENT_TYPE = 'usp.msg';

/** What a topic connection needs from its client. */
export interface MqttPublisher {
  readonly connected: boolean;
  /** The broker's verified TLS certificate for the current broker session, if any. */
  readonly brokerCertificate?: X509Certificate;
  publish(topic: string, record: Uint8Array, retain: boolean): boolean;
}

export class MqttTopicConnection implements MtpConnection {
  readonly protocol = 'MQTT' as const;
  /** MQTT does not authenticate the peer's Endpoint ID; the Record's from_id is all there is. */
  readonly peerEndpointId = undefined;
  /** The TLS peer is the broker, not the controller (Trusted Broker rules apply). */
  readonly certificateHolder = 'broker' as const;

  constructor(
    private readonly client: MqttPublisher,
    readonly topic: string | undefined,
    private readonly retain: boolean,
  ) {}

  get open(): boolean {
    return this.topic !== undefined && this.client.connected;
  }
  get peerCertificate(): X509Certificate | undefined {
    return this.client.brokerCertificate;
  }

  send(record: Uint8Array): boolean {
    return this.topic !== undefined && this.client.publish(this.topic, record, this.retain);
  }

  /** Nothing to close: the broker connection is shared by every peer. */
  close(): void {}
}

/** PUBLISH options: QoS, RETAIN and, in MQTT 5, the Content Type and the "reply to" Response Topic (R-MQTT.23). */
export function publishOptions(v5: boolean, qos: MqttQoS, retain: boolean, replyTo: string | undefined): IClientPublishOptions {
  const opts: IClientPublishOptions = { qos, retain };
  if (v5) opts.properties = { contentType: USP_CONTENT_TYPE, ...(replyTo ? { responseTopic: replyTo } : {}) };
  return opts;
}
