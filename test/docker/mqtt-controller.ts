/**
 * A USP Controller over MQTT 5 for the container tests: a real MQTT.js client on a real broker,
 * subscribed to its own topic, sending Records to the agent's topic with a Response Topic.
 */
import { connect as mqttConnect, type MqttClient } from 'mqtt';
import { decodeMsg, encodeMsg, requestMsg } from '../../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord, type DecodedRecord } from '../../agent/codec/record.js';
import type { Request, UspMsg } from '../../agent/codec/types.js';

export class MqttController {
  readonly records: DecodedRecord[] = [];
  private wake = (): void => undefined;
  private seq = 0;

  private constructor(
    private readonly client: MqttClient,
    readonly endpointId: string,
    readonly agentId: string,
    readonly ownTopic: string,
    readonly agentTopic: string,
  ) {
    client.on('message', (_topic, payload) => {
      this.records.push(decodeRecord(new Uint8Array(payload)));
      this.wake();
    });
  }

  /** Connects to `url` and subscribes to `ownTopic` before returning, so nothing sent to it is missed. */
  static async open(url: string, o: { endpointId: string; agentId: string; ownTopic: string; agentTopic: string }): Promise<MqttController> {
    const client = mqttConnect(url, { protocolVersion: 5, reconnectPeriod: 0 });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(o.ownTopic, { qos: 1 });
    return new MqttController(client, o.endpointId, o.agentId, o.ownTopic, o.agentTopic);
  }

  /** Waits for a Record on the controller's topic that `match` accepts. */
  async waitRecord(match: (r: DecodedRecord) => boolean, what: string, timeoutMs = 30_000): Promise<DecodedRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.records.find(match);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no ${what} on ${this.ownTopic} within ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 200).unref();
      });
    }
  }

  /** Publishes a request to the agent's topic and waits for the Msg that answers it. */
  async send(request: Request): Promise<UspMsg> {
    const msgId = `mqtt-${++this.seq}`;
    const record = encodeRecord(noSessionContextRecord({ toId: this.agentId, fromId: this.endpointId }, encodeMsg(requestMsg(msgId, request))));
    await this.client.publishAsync(this.agentTopic, Buffer.from(record), { qos: 1, properties: { responseTopic: this.ownTopic } });
    const answer = await this.waitRecord((r) => r.body.kind === 'noSessionContext' && decodeMsg(r.body.payload).header.msgId === msgId, `answer to ${msgId}`);
    if (answer.body.kind !== 'noSessionContext') throw new Error('unreachable');
    return decodeMsg(answer.body.payload);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
