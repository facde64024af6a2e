/**
 * The Will Message of the agent's MQTT client (TR-181 Device.MQTT.Client.{i}.Will*,
 * MQTTClientExtended:1): what goes into the CONNECT packet's Will fields (MQTT 3.1.1 §3.1.2.5-7,
 * §3.1.3.2-3; MQTT 5.0 §3.1.2.5-7, §3.1.3.2-4), and whether the configured Will can be sent.
 *
 * The broker publishes the Will when the connection ends without a DISCONNECT (a crash, a cut
 * link, a missed keep-alive). The MTP always ends its connection with a normal DISCONNECT (reason
 * 0x00, never 0x04 "Disconnect with Will Message"): an agent stopping, disabled or reconnecting on
 * purpose has not died, which is what a Will announces.
 */
import type { IClientOptions } from 'mqtt';
import type { MqttQoS } from './topics.js';

/** Device.MQTT.Client.{i}.WillEnable ... WillResponseTopic, as plain values. */
export interface MqttWill {
  /** WillEnable: false sends no Will. */
  enable: boolean;
  /** WillTopic: a topic name (no wildcards). */
  topic: string;
  /** WillValue: the payload, sent as UTF-8. */
  value: string;
  /** WillQoS. */
  qos: MqttQoS;
  /** WillRetain. */
  retain: boolean;
  /** WillDelayInterval, seconds (MQTT 5.0 only; 0: publish at once). */
  delayInterval: number;
  /** WillMessageExpiryInterval, seconds (MQTT 5.0 only; 0: not sent). */
  messageExpiryInterval: number;
  /** WillContentType (MQTT 5.0 only; "": not sent). */
  contentType: string;
  /** WillResponseTopic (MQTT 5.0 only; "": not sent). */
  responseTopic: string;
}

/**
 * Why `will` cannot go into a CONNECT, or undefined when it can (or is disabled). TR-181
 * WillEnable: an enabled Will with an empty WillTopic or WillValue makes the client's Status
 * Error_Misconfigured. A wildcard or NUL in a topic name is refused by the broker (MQTT 5.0
 * §4.7.3); the data model refuses it at Set, so this only catches a defaults file.
 */
export function willProblem(will: MqttWill | undefined): string | undefined {
  if (!will?.enable) return undefined;
  if (will.topic === '') return 'WillEnable is true but WillTopic is empty';
  if (will.value === '') return 'WillEnable is true but WillValue is empty';
  const bad = topicNameProblem(will.topic) ?? (will.responseTopic === '' ? undefined : topicNameProblem(will.responseTopic));
  return bad && `Will topic: ${bad}`;
}

/** MQTT 5.0 §4.7.3 / 3.1.1 §4.7.3: why `name` is not a valid topic name, or undefined. */
export function topicNameProblem(name: string): string | undefined {
  if (name === '') return 'a topic name must not be empty';
  if (name.includes('+') || name.includes('#')) return `${JSON.stringify(name)} has a wildcard ("+" or "#"), which only topic filters may hold`;
  if (name.includes('\u0000')) return 'a topic name must not hold U+0000';
  return undefined;
}

/**
 * The MQTT.js `will` option for CONNECT: undefined when disabled; MQTT 5.0 properties only where
 * set. `sessionExpiryInterval` is the CONNECT's (the MTP sends none: 0).
 */
export function connectWill(will: MqttWill | undefined, v5: boolean, sessionExpiryInterval = 0): IClientOptions['will'] {
  if (!will?.enable) return undefined;
  const base = { topic: will.topic, payload: Buffer.from(will.value, 'utf8'), qos: will.qos, retain: will.retain };
  if (!v5) return base;
  const properties: NonNullable<NonNullable<IClientOptions['will']>['properties']> = {};
  // MQTT 5.0 §3.1.3.2.2: the Will waits for the delay or the end of the session, whichever comes
  // first; a session that ends with its connection (Session Expiry Interval 0) sends it at once,
  // so the delay is left out then. Sending it anyway makes Mosquitto 2.0.11 publish the Will
  // seconds later or not at all (seen here with TR-181's default 5 s: 2 runs of 6 had no Will within 8 s).
  if (will.delayInterval > 0 && sessionExpiryInterval > 0) properties.willDelayInterval = Math.min(will.delayInterval, sessionExpiryInterval);
  if (will.messageExpiryInterval > 0) properties.messageExpiryInterval = will.messageExpiryInterval;
  if (will.contentType !== '') properties.contentType = will.contentType;
  if (will.responseTopic !== '') properties.responseTopic = will.responseTopic;
  return Object.keys(properties).length > 0 ? { ...base, properties } : base;
}
