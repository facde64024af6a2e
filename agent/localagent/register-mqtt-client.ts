/**
 * Device.MQTT. as the agent's stored configuration (TR-181 MQTTClientCon:1, MQTTClientBase:1,
 * MQTTClientSubscribe:1, MQTTClientExtended:1): the broker connections the MQTT MTPs make, seeded by the
 * factory-defaults file, persisted by the DataStore and read by agent/transports/start-mqtt.ts.
 * Client.{i}.Status, ResponseInformation and Stats. are read live from the running MQTT MTP of
 * that row (TP-469 11.1). Device.MQTT.Capabilities. states what the MTP implements. The Will*
 * parameters go into the next CONNECT (mtp/mqtt/mqtt-will.ts; a running MTP follows them without
 * reconnecting, as TR-181 says, and ForceReconnect() applies them at once).
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored, type StoredOptions } from '../../datamodel/store/stored-binding.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { UNKNOWN_TIME, type Value } from '../../datamodel/value/Value.js';
import type { MqttClientStats, MqttClientStatus, MqttSubscriptionStatus } from '../../mtp/mqtt/MqttClientMtp.js';
import { topicNameProblem } from '../../mtp/mqtt/mqtt-will.js';

/** What mtp/mqtt implements (Device.MQTT.Capabilities.). */
export const MQTT_PROTOCOL_VERSIONS = ['3.1.1', '5.0'] as const;
export const MQTT_TRANSPORTS = ['TCP/IP', 'TLS'] as const;
/** Subscription rows per client (Capabilities.MaxNumberOfClientSubscriptions); Add beyond it fails with 7005. */
export const MAX_CLIENT_SUBSCRIPTIONS = 32;

/**
 * Device.MQTT.Client.{i}. Will parameters (MQTTClientExtended:1; the last four MQTT 5.0 Will
 * properties): read into the CONNECT by agent/transports/start-mqtt.ts.
 */
export const WILL_PARAMS = ['WillEnable', 'WillTopic', 'WillValue', 'WillQoS', 'WillRetain', 'WillDelayInterval', 'WillMessageExpiryInterval', 'WillContentType', 'WillResponseTopic'] as const;

/**
 * The configuration the MQTT MTP honours, and the live Status and ResponseInformation; the rest
 * of Client.{i} waits until it does. MessageRetryTime (MQTTClientCon:1) is stored only: TR-181
 * applies it to ProtocolVersion 3.1 alone, which this MTP does not offer.
 */
const CLIENT_PARAMS = [
  'Alias',
  'Name',
  'Enable',
  'Status',
  'ProtocolVersion',
  'BrokerAddress',
  'BrokerPort',
  'TransportProtocol',
  'CleanSession',
  'CleanStart',
  'KeepAliveTime',
  'ClientID',
  'Username',
  'Password',
  'MessageRetryTime',
  'ConnectRetryTime',
  'ConnectRetryIntervalMultiplier',
  'ConnectRetryMaxInterval',
  'ResponseInformation',
  ...WILL_PARAMS,
] as const;

/** What the running MQTT MTP of one Device.MQTT.Client.{i} row shows (mtp/mqtt/MqttClientMtp.ts). */
export interface MqttClientLive {
  readonly status: MqttClientStatus;
  readonly responseInformation: string;
  readonly statistics: MqttClientStats;
  /** Subscription.{i}.Status of an enabled row with this Topic. */
  subscriptionStatus(topic: string): MqttSubscriptionStatus;
}

/** Finds the running MQTT MTP of the row at `clientRow` ("Device.MQTT.Client.1."), if one runs. */
export interface MqttClientLookup {
  mqttClientFor(clientRow: string): MqttClientLive | undefined;
}

/** Status is live: the state of the row's filter on the running client's session. */
const SUBSCRIPTION_PARAMS = ['Alias', 'Enable', 'Status', 'Topic', 'QoS'] as const;
const CLIENT_LIVE = ['Status', 'ResponseInformation'] as const;
const SUBSCRIPTION_LIVE = ['Status'] as const;

/** Device.MQTT.Client.{i}.Stats. of a row no MTP runs for: nothing counted yet. */
const NO_STATS: MqttClientStats = { publishSent: 0, publishReceived: 0, subscribeSent: 0, unsubscribeSent: 0, messagesSent: 0, messagesReceived: 0, connectionErrors: 0, publishErrors: 0 };
/** No MTP runs (tests that only need the stored rows). */
const NONE_RUNNING: MqttClientLookup = { mqttClientFor: () => undefined };

export function registerMqttClient(model: DataModel, store: DataStore, running: MqttClientLookup = NONE_RUNNING): void {
  // Classes over the gateway's store and MTPs: their methods are one copy for a whole fleet (issue 14).
  registerStored(model, store, 'Device.MQTT.Client.{i}.', new ClientOptions(store, running));
  registerStored(model, store, 'Device.MQTT.Client.{i}.Subscription.{i}.', new SubscriptionOptions(store, running));
  model.register('Device.MQTT.Client.{i}.Stats.', new StatsBinding(running));
  model.register('Device.MQTT.Capabilities.', CAPABILITIES_BINDING);
}

const rowOf = (keys: readonly number[]): string => `Device.MQTT.Client.${keys[0]}.`;

/** Device.MQTT.Client.{i}.: stored, with Status and ResponseInformation from the row's running MTP. */
class ClientOptions implements StoredOptions {
  readonly params: readonly string[] = CLIENT_PARAMS;
  readonly liveParams: readonly string[] = CLIENT_LIVE;

  constructor(
    private readonly store: DataStore,
    private readonly running: MqttClientLookup,
  ) {}

  liveValue(name: string, keys: InstanceKeys): Value {
    const client = this.running.mqttClientFor(rowOf(keys));
    if (name === 'ResponseInformation') return client?.responseInformation ?? '';
    // An enabled row with no running MTP was skipped at start (no MTP references it, no
    // BrokerAddress, shared with another MTP): the start-up log names which.
    return client?.status ?? (this.store.row(rowOf(keys))?.Enable === true ? 'Error_Misconfigured' : 'Disabled');
  }

  // ProtocolVersion and TransportProtocol are enumerationRefs to the Capabilities lists.
  validate(_keys: InstanceKeys, changes: Record<string, Value>): void {
    oneOf(changes, 'ProtocolVersion', ['', ...MQTT_PROTOCOL_VERSIONS]);
    oneOf(changes, 'TransportProtocol', MQTT_TRANSPORTS);
    // MQTT 5.0 §4.7.3: the broker refuses a CONNECT whose Will topic is a filter. "" is allowed
    // here (TR-181: an enabled Will with an empty WillTopic makes Status Error_Misconfigured).
    topicName(changes, 'WillTopic');
    topicName(changes, 'WillResponseTopic');
  }
}

/** Device.MQTT.Client.{i}.Subscription.{i}.: stored, with Status from the running MTP's session. */
class SubscriptionOptions implements StoredOptions {
  readonly params: readonly string[] = SUBSCRIPTION_PARAMS;
  readonly liveParams: readonly string[] = SUBSCRIPTION_LIVE;

  constructor(
    private readonly store: DataStore,
    private readonly running: MqttClientLookup,
  ) {}

  // TR-181: a disabled row is Unsubscribed (its UNSUBSCRIBE is sent at once, TP-469 11.9).
  liveValue(_name: string, keys: InstanceKeys): Value {
    const row = this.store.row(`${rowOf(keys)}Subscription.${keys[1]}.`);
    if (row?.Enable !== true || !row.Topic) return 'Unsubscribed';
    return this.running.mqttClientFor(rowOf(keys))?.subscriptionStatus(String(row.Topic)) ?? 'Unsubscribed';
  }

  validate(keys: InstanceKeys, changes: Record<string, Value>): void {
    if ('Topic' in changes && /[+#]/.test(String(changes.Topic)) && !isValidFilter(String(changes.Topic))) {
      throw new UspError(ErrorCode.InvalidValue, `Topic ${JSON.stringify(changes.Topic)} is not a valid MQTT topic filter`);
    }
    const isAdd = keys[keys.length - 1] === 0;
    if (isAdd && this.store.instances(`Device.MQTT.Client.${keys[0]}.Subscription.`).length >= MAX_CLIENT_SUBSCRIPTIONS) {
      throw new UspError(ErrorCode.ResourcesExceeded, `at most ${MAX_CLIENT_SUBSCRIPTIONS} subscriptions per MQTT client`);
    }
  }
}

/** Device.MQTT.Client.{i}.Stats.: the running MTP's counters. */
class StatsBinding implements ObjectBinding {
  readonly params: readonly string[] = STATS_PARAMS;

  constructor(private readonly running: MqttClientLookup) {}

  get(keys: InstanceKeys): Record<string, Value> {
    return statsValues(this.running.mqttClientFor(rowOf(keys))?.statistics ?? NO_STATS);
  }
}

const STATS_PARAMS = [
  'BrokerConnectionEstablished',
  'LastPublishMessageSent',
  'LastPublishMessageReceived',
  'PublishSent',
  'PublishReceived',
  'SubscribeSent',
  'UnSubscribeSent',
  'MQTTMessagesSent',
  'MQTTMessagesReceived',
  'ConnectionErrors',
  'PublishErrors',
] as const;

/** Device.MQTT.Capabilities.: what this MTP implements, the same for every gateway. */
const CAPABILITIES: Record<string, Value> = {
  ProtocolVersionsSupported: MQTT_PROTOCOL_VERSIONS.join(','),
  TransportProtocolSupported: MQTT_TRANSPORTS.join(','),
  MaxNumberOfClientSubscriptions: MAX_CLIENT_SUBSCRIPTIONS,
};
const CAPABILITIES_BINDING: ObjectBinding = { params: Object.keys(CAPABILITIES), get: () => CAPABILITIES };

/** Device.MQTT.Client.{i}.Stats. values: StatsCounter64 as decimal strings, times as dateTime (Unknown Time until the first). */
function statsValues(s: MqttClientStats): Record<string, Value> {
  const time = (d: Date | undefined): string => (d ? `${d.toISOString().slice(0, 19)}Z` : UNKNOWN_TIME);
  return {
    BrokerConnectionEstablished: time(s.brokerConnectionEstablished),
    LastPublishMessageSent: time(s.lastPublishSent),
    LastPublishMessageReceived: time(s.lastPublishReceived),
    PublishSent: String(s.publishSent),
    PublishReceived: String(s.publishReceived),
    SubscribeSent: String(s.subscribeSent),
    UnSubscribeSent: String(s.unsubscribeSent),
    MQTTMessagesSent: String(s.messagesSent),
    MQTTMessagesReceived: String(s.messagesReceived),
    ConnectionErrors: s.connectionErrors,
    PublishErrors: s.publishErrors,
  };
}

function oneOf(changes: Record<string, Value>, name: string, allowed: readonly string[]): void {
  if (name in changes && !allowed.includes(String(changes[name]))) {
    throw new UspError(ErrorCode.InvalidValue, `${name} must be one of ${allowed.filter(Boolean).join(', ')}`, { path: name });
  }
}

function topicName(changes: Record<string, Value>, name: string): void {
  const v = changes[name];
  const problem = v === undefined || v === '' ? undefined : topicNameProblem(String(v));
  if (problem) throw new UspError(ErrorCode.InvalidValue, `${name}: ${problem}`, { path: name });
}

/** MQTT 5.0 §4.7.1: "#" only as the whole last level, "+" only as a whole level. */
function isValidFilter(filter: string): boolean {
  const levels = filter.split('/');
  return levels.every((l, n) => (l.includes('#') ? l === '#' && n === levels.length - 1 : !l.includes('+') || l === '+'));
}
