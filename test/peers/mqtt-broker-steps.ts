/**
 * Steps the Device.MQTT.Broker tests share on every platform: a real MQTT client (mqtt.js) that
 * connects to the broker the agent runs, a broker row's Stats. as numbers, and the
 * Device.IP.Interface. row of a named interface (what a broker's Interface refers to).
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { expect } from 'vitest';
import { getObjects } from './get-objects.js';
import type { TestController } from './TestController.js';

/** The path (without the final dot) of the IP.Interface row whose Name is `name`; throws when there is none. */
export async function ipInterfaceNamed(c: TestController, name: string): Promise<string> {
  const rows = await getObjects(c, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no IP.Interface for ${name}: ${JSON.stringify(rows)}`);
  return path.slice(0, -1);
}

/**
 * Connects to a broker at `host`:`port`: the client (kept in `clients` for the caller to end),
 * or the reason it was refused.
 */
export function connectMqttClient(clients: MqttClient[], host: string, port: number, opts: IClientOptions = {}): Promise<MqttClient | string> {
  return new Promise((resolve) => {
    const c = connect({ host, port, protocol: 'mqtt', reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    c.once('connect', () => {
      clients.push(c);
      resolve(c);
    });
    c.once('error', (e) => {
      c.end(true);
      resolve(e.message);
    });
    c.once('close', () => resolve('closed'));
  });
}

/** The broker row's Stats. (`row` ends with a dot), each counter as a number. */
export async function brokerStats(c: TestController, row: string): Promise<Record<string, number>> {
  const v = (await getObjects(c, [`${row}Stats.`]))[`${row}Stats.`] ?? {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, Number(x)]));
}

/**
 * Sends a, b and c (QoS 1) on lan/t through the broker: `subscriber` subscribes, a publisher
 * connects with `connectPublisher` and publishes, and this waits until all three arrived.
 * Returns the publisher, still connected.
 */
export async function relayThroughBroker(subscriber: MqttClient, connectPublisher: () => Promise<MqttClient | string>): Promise<MqttClient> {
  const got: string[] = [];
  subscriber.on('message', (_t, m) => got.push(m.toString()));
  await subscriber.subscribeAsync('lan/t', { qos: 1 });
  const pub = await connectPublisher();
  if (typeof pub === 'string') throw new Error(pub);
  for (const m of ['a', 'b', 'c']) await pub.publishAsync('lan/t', m, { qos: 1 });
  await expect.poll(() => got.length, { timeout: 10_000 }).toBe(3);
  return pub;
}
