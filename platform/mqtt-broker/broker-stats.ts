/**
 * The counters of Device.MQTT.Broker.{i}.Stats. as the Linux Mosquitto's $SYS topics and the
 * simulated broker give them. In a file of its own, without MQTT.js: the simulated gateway uses
 * them, and importing BrokerSysStats.ts would load the MQTT client library at every start.
 */

/** The TR-181 Stats of one broker. */
export interface BrokerStats {
  TotalNumberOfClients: number;
  NumberOfActiveClients: number;
  NumberOfInactiveClients: number;
  Subscriptions: number;
  MQTTMessagesSent: number;
  MQTTMessagesReceived: number;
  PublishSent: number;
  PublishReceived: number;
  PublishErrors: number;
  ConnectionErrors: number;
}

export const ZERO_STATS: Readonly<BrokerStats> = Object.freeze({
  TotalNumberOfClients: 0,
  NumberOfActiveClients: 0,
  NumberOfInactiveClients: 0,
  Subscriptions: 0,
  MQTTMessagesSent: 0,
  MQTTMessagesReceived: 0,
  PublishSent: 0,
  PublishReceived: 0,
  PublishErrors: 0,
  ConnectionErrors: 0,
});
