/**
 * What an MQTT MTP is built from: Device.MQTT.Client.{i} (MQTTClientCon:1, MQTTClientSubscribe:1),
 * Device.LocalAgent.MTP.{i}.MQTT (MQTTAgent:1) and Controller.{i}.MTP.{j}.MQTT (MQTTController:2),
 * as plain values: the agent layer reads the data model, this layer never does.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { RecordHandler } from '../Mtp.js';
import type { MqttWill } from './mqtt-will.js';
import type { MqttQoS, TopicSubscription } from './topics.js';

export type MqttProtocolVersion = '3.1.1' | '5.0';
/** Device.MQTT.Client.{i}.TransportProtocol: plain TCP, or TLS 1.2+ (mqtts, see mqtt-tls.ts). */
export type MqttTransport = 'TCP/IP' | 'TLS';
/** Device.MQTT.Client.{i}.Status. */
export type MqttClientStatus = 'Disabled' | 'Connecting' | 'Connected' | 'Error_Misconfigured' | 'Error_BrokerUnreachable' | 'Error';
/** MQTTConnectRecord.version. */
export type MqttRecordVersion = 'V3_1_1' | 'V5';

/**
 * For TransportProtocol "TLS" (R-MQTT.48): the trust anchors the broker certificate must chain to
 * (undefined: Node's built-in CA list) and the agent's certificate chain and key (PEM), presented
 * when the broker asks for one (mutual TLS).
 */
export interface MqttTlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** SNI and the name the certificate must carry, when it differs from BrokerAddress. */
  servername?: string;
}

/** One controller reachable over this broker: Controller.{i}.EndpointID and its MTP's MQTT.Topic. */
export interface MqttControllerTopic {
  endpointId: string;
  topic: string;
  /** Controller.{i}.MTP.{j}.MQTT.PublishRetainResponse / PublishRetainNotify. */
  retainResponse?: boolean;
  retainNotify?: boolean;
}

export interface MqttClientMtpOptions {
  brokerAddress: string;
  brokerPort: number;
  protocolVersion: MqttProtocolVersion;
  transport: MqttTransport;
  /** Used only with transport "TLS". */
  tls?: MqttTlsOptions;
  /** Device.MQTT.Client.{i}.ClientID; "" lets the broker assign one (5.0) or uses the Endpoint ID (3.1.1). */
  clientId: string;
  username?: string;
  password?: string;
  /** CleanSession (3.1.1) / CleanStart (5.0); default true. */
  cleanSession?: boolean;
  /** KeepAliveTime, seconds (0 = off). */
  keepAliveTime: number;
  /** Will* at start; MqttClientMtp.setWill() replaces it for the next CONNECT. */
  will?: MqttWill;
  /** ConnectRetryTime (s), ConnectRetryIntervalMultiplier (thousandths), ConnectRetryMaxInterval (s). */
  connectRetryTime: number;
  connectRetryIntervalMultiplier: number;
  connectRetryMaxInterval: number;
  /** Enabled Client.{i}.Subscription.{i} rows at start; MqttClientMtp.setSubscriptions() replaces them live. */
  subscriptions: readonly TopicSubscription[];
  /** LocalAgent.MTP.{i}.MQTT.ResponseTopicConfigured. */
  responseTopicConfigured: string;
  /** LocalAgent.MTP.{i}.MQTT.PublishQoS. */
  publishQoS: MqttQoS;
  /** Device.LocalAgent.EndpointID: the usp-endpoint-id CONNECT property and the 3.1.1 ClientId fallback. */
  agentEndpointId: string;
  /** Where notifications and the MQTTConnectRecord go. */
  controllers: readonly MqttControllerTopic[];
  /** Builds the MQTTConnectRecord for one controller (the MTP never encodes Records itself). */
  connectRecord(version: MqttRecordVersion, subscribedTopic: string, controllerEndpointId: string): Uint8Array;
  /** The from_id of a received Record, to answer a sender that gave no "reply to" topic on its configured one. */
  recordSender?(record: Uint8Array): string | undefined;
  onRecord: RecordHandler;
  /** R-MQTT.9: the broker assigned a ClientId (5.0); the agent saves it into ClientID. */
  onClientIdAssigned?(clientId: string): void;
  /** The "reply to" topic after each (re)subscription, for ResponseTopicDiscovered. */
  onReplyTopic?(topic: string): void;
  onStatus?(status: MqttClientStatus): void;
  /** Largest Record accepted (bytes). */
  maxRecordSize?: number;
  /** Unsent bytes allowed on the socket before publishes are refused. */
  maxBufferedBytes?: number;
  /** Random source for the back-off (tests). */
  random?: () => number;
  log: Logger;
}
