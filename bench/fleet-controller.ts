/**
 * A controller over MQTT 5 for a fleet of agents (bench/fleet.ts and test/integration/fleet.test.ts):
 * one MQTT.js connection subscribed to the controller's topic, which sends requests to any
 * gateway's topic with that topic as the Response Topic, matches answers by msg_id, and keeps
 * every Event notification (Boot!, Periodic!) by the sending agent's Endpoint ID.
 */
import type { MqttClient } from 'mqtt';
import { decodeMsg, encodeMsg, requestMsg } from '../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord } from '../agent/codec/record.js';
import type { Request, UspMsg } from '../agent/codec/types.js';
import { publishOptions } from '../mtp/mqtt/MqttTopicConnection.js';
import { connectMqtt } from './mqtt-client.js';

/** Event notifications kept per agent (Boot!, Periodic!): a bound, as on every table. */
const MAX_EVENTS_PER_AGENT = 64;

export interface FleetEvent {
  eventName: string;
  objPath: string;
  params: Record<string, string>;
  at: number;
}

export class FleetController {
  /** Agent Endpoint ID → the Event notifications it sent, oldest first. */
  readonly events = new Map<string, FleetEvent[]>();
  /** Event name → the agents that sent it at least once. */
  private readonly senders = new Map<string, Set<string>>();
  private readonly pending = new Map<string, (m: UspMsg) => void>();
  private readonly waiters = new Set<() => void>();
  private nextId = 0;

  private constructor(
    private readonly client: MqttClient,
    readonly endpointId: string,
    readonly topic: string,
  ) {
    client.on('message', (t, payload) => {
      if (t === topic) this.onRecord(payload);
    });
  }

  static async connect(port: number, endpointId: string, topic: string): Promise<FleetController> {
    const client = await connectMqtt(port);
    await client.subscribeAsync(topic, { qos: 1 });
    return new FleetController(client, endpointId, topic);
  }

  private onRecord(bytes: Buffer): void {
    let rec;
    try {
      rec = decodeRecord(bytes);
    } catch {
      return;
    }
    if (rec.body.kind !== 'noSessionContext') return;
    const msg = decodeMsg(rec.body.payload);
    const body = msg.body;
    if (body.msgBody === 'request' && body.request.reqType === 'notify' && body.request.notify.notification === 'event') {
      const e = body.request.notify.event;
      const list = this.events.get(rec.fromId) ?? [];
      if (list.length >= MAX_EVENTS_PER_AGENT) list.shift();
      list.push({ eventName: e.eventName, objPath: e.objPath, params: { ...e.params }, at: Date.now() });
      this.events.set(rec.fromId, list);
      let who = this.senders.get(e.eventName);
      if (!who) this.senders.set(e.eventName, (who = new Set()));
      who.add(rec.fromId);
      for (const w of this.waiters) w();
      return;
    }
    const answer = this.pending.get(msg.header.msgId);
    if (answer) {
      this.pending.delete(msg.header.msgId);
      answer(msg);
    }
  }

  /** Sends `request` to the agent `agentEid` on `agentTopic`; resolves with its answer (Response or Error). */
  request(agentEid: string, agentTopic: string, request: Request, timeoutMs = 10_000): Promise<UspMsg> {
    const msgId = `fleet-${++this.nextId}`;
    const record = encodeRecord(noSessionContextRecord({ toId: agentEid, fromId: this.endpointId }, encodeMsg(requestMsg(msgId, request))));
    return new Promise<UspMsg>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(msgId);
        reject(new Error(`no answer from ${agentEid} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(msgId, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.client.publish(agentTopic, Buffer.from(record), publishOptions(true, 1, false, this.topic));
    });
  }

  /** Resolves once `done()` holds, checked after each Event notification; rejects after `timeoutMs`. */
  async waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) return;
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (done()) {
          finish();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${what}: not seen within ${timeoutMs} ms`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  /** How many agents sent the event `name`. */
  agentsThatSent(name: string): number {
    return this.senders.get(name)?.size ?? 0;
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}
