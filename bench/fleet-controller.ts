/**
 * A controller over MQTT 5 for a fleet of agents (bench/fleet.ts and test/integration/fleet.test.ts):
 * one MQTT.js connection subscribed to the controller's topic, which sends requests to any
 * gateway's topic with that topic as the Response Topic, matches answers by msg_id, and keeps
 * every Event notification (Boot!, Periodic!) by the sending agent's Endpoint ID (fleet-inbox.ts).
 */
import type { MqttClient } from 'mqtt';
import { decodeRecord } from '../agent/codec/record.js';
import type { Request, UspMsg } from '../agent/codec/types.js';
import { publishOptions } from '../mtp/mqtt/MqttTopicConnection.js';
import { FleetInbox, type FleetEvent } from './fleet-inbox.js';
import { connectMqtt } from './mqtt-client.js';

export type { FleetEvent };

export class FleetController {
  private readonly inbox: FleetInbox;

  private constructor(
    private readonly client: MqttClient,
    readonly endpointId: string,
    readonly topic: string,
  ) {
    this.inbox = new FleetInbox(endpointId);
    client.on('message', (t, payload) => {
      if (t === topic) this.onRecord(payload);
    });
  }

  static async connect(port: number, endpointId: string, topic: string): Promise<FleetController> {
    return FleetController.over(await connectMqtt(port), endpointId, topic);
  }

  /** Over a client already connected (e.g. to a TLS listener with the controller's own certificate). */
  static async over(client: MqttClient, endpointId: string, topic: string): Promise<FleetController> {
    await client.subscribeAsync(topic, { qos: 1 });
    return new FleetController(client, endpointId, topic);
  }

  /** Agent Endpoint ID → the Event notifications it sent, oldest first. */
  get events(): Map<string, FleetEvent[]> {
    return this.inbox.events;
  }

  private onRecord(bytes: Buffer): void {
    let rec;
    try {
      rec = decodeRecord(bytes);
    } catch {
      return;
    }
    this.inbox.onRecord(rec);
  }

  /** Sends `request` to the agent `agentEid` on `agentTopic`; resolves with its answer (Response or Error). */
  request(agentEid: string, agentTopic: string, request: Request, timeoutMs = 10_000): Promise<UspMsg> {
    return this.inbox.request(agentEid, request, (record) => this.client.publish(agentTopic, Buffer.from(record), publishOptions(true, 1, false, this.topic)), timeoutMs);
  }

  /** Resolves once `done()` holds, checked after each Event notification; rejects after `timeoutMs`. */
  waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return this.inbox.waitFor(done, timeoutMs, what);
  }

  /** How many agents sent the event `name`. */
  agentsThatSent(name: string): number {
    return this.inbox.agentsThatSent(name);
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}
