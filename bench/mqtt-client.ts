/**
 * The controller side over MQTT 5: one MQTT.js connection (Nagle off, like the agent's MTP) that
 * publishes pre-encoded Records to a request topic with its reply topic as the Response Topic,
 * and hands every PUBLISH on that reply topic to the current listener. The agent path and the
 * bare echo path each get their own connection built by this same code.
 */
import { connectAsync, type IClientPublishOptions, type MqttClient } from 'mqtt';
import { publishOptions } from '../mtp/mqtt/MqttTopicConnection.js';
import type { MqttQoS } from '../mtp/mqtt/topics.js';
import type { AnswerListener } from './client.js';
import type { PipeClient } from './pipe-client.js';

/** One MQTT.js v5 connection to the loopback broker with Nagle off. */
export async function connectMqtt(port: number): Promise<MqttClient> {
  const client = await connectAsync({ host: '127.0.0.1', port, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000 });
  (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  return client;
}

export class MqttBenchClient implements PipeClient {
  private listener: AnswerListener = () => undefined;
  private readonly opts: IClientPublishOptions;

  private constructor(
    private readonly client: MqttClient,
    private readonly requestTopic: string,
    readonly replyTopic: string,
    qos: MqttQoS,
  ) {
    // The same properties the agent's MTP puts on its publishes: content type usp.msg, a reply-to.
    this.opts = publishOptions(true, qos, false, replyTopic);
    client.on('message', (topic, payload) => {
      if (topic === replyTopic) this.listener(payload);
    });
  }

  static async connect(port: number, requestTopic: string, replyTopic: string, qos: MqttQoS): Promise<MqttBenchClient> {
    const client = await connectMqtt(port);
    await client.subscribeAsync(replyTopic, { qos });
    return new MqttBenchClient(client, requestTopic, replyTopic, qos);
  }

  listen(fn: AnswerListener): void {
    this.listener = fn;
  }

  send(record: Buffer): void {
    this.client.publish(this.requestTopic, record, this.opts);
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}
