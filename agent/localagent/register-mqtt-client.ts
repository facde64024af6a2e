/**
 * Device.MQTT. as the agent's stored configuration (TR-181 MQTTClientCon:1, MQTTClientSubscribe:1):
 * the broker connections the MQTT MTPs make, seeded by the factory-defaults file, persisted by the
 * DataStore and read by agent/transports/start-mqtt.ts. Device.MQTT.Capabilities. states what the
 * MTP implements. Live status (Client.{i}.Status, ResponseInformation, Stats) is not served yet.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored } from '../../datamodel/store/stored-binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';

/** What mtp/mqtt implements (Device.MQTT.Capabilities.). */
export const MQTT_PROTOCOL_VERSIONS = ['3.1.1', '5.0'] as const;
export const MQTT_TRANSPORTS = ['TCP/IP', 'TLS'] as const;
/** Subscription rows per client (Capabilities.MaxNumberOfClientSubscriptions); Add beyond it fails with 7005. */
export const MAX_CLIENT_SUBSCRIPTIONS = 32;

/** The configuration the MQTT MTP honours; the rest of Client.{i} waits until it does. */
const CLIENT_PARAMS = [
  'Alias', 'Name', 'Enable', 'ProtocolVersion', 'BrokerAddress', 'BrokerPort', 'TransportProtocol',
  'CleanSession', 'CleanStart', 'KeepAliveTime', 'ClientID', 'Username', 'Password',
  'ConnectRetryTime', 'ConnectRetryIntervalMultiplier', 'ConnectRetryMaxInterval',
] as const;

const SUBSCRIPTION_PARAMS = ['Alias', 'Enable', 'Topic', 'QoS'] as const;

export function registerMqttClient(model: DataModel, store: DataStore): void {
  registerStored(model, store, 'Device.MQTT.Client.{i}.', {
    params: CLIENT_PARAMS,
    // ProtocolVersion and TransportProtocol are enumerationRefs to the Capabilities lists.
    validate: (_keys, changes) => {
      oneOf(changes, 'ProtocolVersion', ['', ...MQTT_PROTOCOL_VERSIONS]);
      oneOf(changes, 'TransportProtocol', MQTT_TRANSPORTS);
    },
  });
  registerStored(model, store, 'Device.MQTT.Client.{i}.Subscription.{i}.', {
    params: SUBSCRIPTION_PARAMS,
    validate: (keys, changes) => {
      if ('Topic' in changes && /[+#]/.test(String(changes.Topic)) && !isValidFilter(String(changes.Topic))) {
        throw new UspError(ErrorCode.InvalidValue, `Topic ${JSON.stringify(changes.Topic)} is not a valid MQTT topic filter`);
      }
      const isAdd = keys[keys.length - 1] === 0;
      if (isAdd && store.instances(`Device.MQTT.Client.${keys[0]}.Subscription.`).length >= MAX_CLIENT_SUBSCRIPTIONS) {
        throw new UspError(ErrorCode.ResourcesExceeded, `at most ${MAX_CLIENT_SUBSCRIPTIONS} subscriptions per MQTT client`);
      }
    },
  });
  const capabilities: Record<string, Value> = {
    ProtocolVersionsSupported: MQTT_PROTOCOL_VERSIONS.join(','),
    TransportProtocolSupported: MQTT_TRANSPORTS.join(','),
    MaxNumberOfClientSubscriptions: MAX_CLIENT_SUBSCRIPTIONS,
  };
  model.register('Device.MQTT.Capabilities.', { params: Object.keys(capabilities), get: () => capabilities });
}

function oneOf(changes: Record<string, Value>, name: string, allowed: readonly string[]): void {
  if (name in changes && !allowed.includes(String(changes[name]))) {
    throw new UspError(ErrorCode.InvalidValue, `${name} must be one of ${allowed.filter(Boolean).join(', ')}`, { path: name });
  }
}

/** MQTT 5.0 §4.7.1: "#" only as the whole last level, "+" only as a whole level. */
function isValidFilter(filter: string): boolean {
  const levels = filter.split('/');
  return levels.every((l, n) => (l.includes('#') ? l === '#' && n === levels.length - 1 : !l.includes('+') || l === '+'));
}
