/**
 * Counters of one MQTT client (TR-181 Device.MQTT.Client.{i}.Stats., MQTTClientBase:1 and
 * MQTTClientExtended:1), kept from the packets MQTT.js reports sending and receiving, so every
 * packet counts once whoever wrote it (PINGREQ, PUBACK and retransmissions included).
 */
import type { Packet } from 'mqtt';

/** A snapshot of the counters; times are absent until the first such event. */
export interface MqttClientStats {
  /** Stats.BrokerConnectionEstablished: the last CONNACK that accepted the connection. */
  brokerConnectionEstablished?: Date;
  /** Stats.LastPublishMessageSent / LastPublishMessageReceived. */
  lastPublishSent?: Date;
  lastPublishReceived?: Date;
  /** Stats.PublishSent / PublishReceived / SubscribeSent / UnSubscribeSent: packets of that type. */
  publishSent: number;
  publishReceived: number;
  subscribeSent: number;
  unsubscribeSent: number;
  /** Stats.MQTTMessagesSent / MQTTMessagesReceived: control packets of every type. */
  messagesSent: number;
  messagesReceived: number;
  /** Stats.ConnectionErrors: attempts that failed and sessions that ended without our DISCONNECT. */
  connectionErrors: number;
  /** Stats.PublishErrors: Records not published (not connected, send buffer full, write failed). */
  publishErrors: number;
}

/** The default clock: one function for every client, not a closure per client (issue 14). */
const newDate = (): Date => new Date();

export class MqttStatsCounter {
  private s: MqttClientStats = emptyStats();

  constructor(private readonly now: () => Date = newDate) {}

  sent(packet: Packet): void {
    this.s.messagesSent++;
    switch (packet.cmd) {
      case 'publish':
        this.s.publishSent++;
        this.s.lastPublishSent = this.now();
        break;
      case 'subscribe':
        this.s.subscribeSent++;
        break;
      case 'unsubscribe':
        this.s.unsubscribeSent++;
        break;
      default:
        break;
    }
  }

  received(packet: Packet): void {
    this.s.messagesReceived++;
    if (packet.cmd === 'publish') {
      this.s.publishReceived++;
      this.s.lastPublishReceived = this.now();
    }
  }

  connected(): void {
    this.s.brokerConnectionEstablished = this.now();
  }
  connectionError(): void {
    this.s.connectionErrors++;
  }
  publishError(): void {
    this.s.publishErrors++;
  }

  /** A copy: callers may keep it while the counters move on. */
  snapshot(): MqttClientStats {
    return { ...this.s };
  }
}

function emptyStats(): MqttClientStats {
  return { publishSent: 0, publishReceived: 0, subscribeSent: 0, unsubscribeSent: 0, messagesSent: 0, messagesReceived: 0, connectionErrors: 0, publishErrors: 0 };
}
