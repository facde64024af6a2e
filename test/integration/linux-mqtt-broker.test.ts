/**
 * Device.MQTT.Broker.{i}. (MQTTBrokerBase:1, MQTTBrokerExtended:1) on generic Linux, for real:
 * the built agent process (`npm run build` first) runs with `--platform linux --mqtt-broker
 * mosquitto` in a router namespace; a controller Adds and Sets Broker rows over a real WebSocket;
 * real MQTT clients (MQTT.js) connect to the Mosquitto the agent runs, are refused without the
 * password and let in with it, publish, and the controller reads Stats that count them. Bad
 * values are refused with nothing kept; a port another broker holds reads Status Error with
 * Mosquitto's reason in the log; Enable false closes the port. Needs root and
 * /usr/sbin/mosquitto (`.ci/run`); the namespace is removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, get, set, trySet } from '../peers/controller-steps.js';
import { brokerStats, connectMqttClient, ipInterfaceNamed, relayThroughBroker } from '../peers/mqtt-broker-steps.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace } from '../peers/netns.js';

const tag = process.pid % 100_000;
const router = NetNamespace.create(`usp-mb-${tag}`, `10.245.${tag % 250}`, `uspmb${tag}`, 'ctl0');
const PORT = 18830 + (tag % 100);
const dataDir = mkdtempSync(join(tmpdir(), 'usp-mqtt-broker-data-'));
let a: NamespacedAgent | undefined;
const clients: MqttClient[] = [];

beforeAll(async () => {
  a = await startAgentInNamespace(router, 'ctl0', { dataDir, args: ['--mqtt-broker', 'mosquitto'] });
}, 40_000);

afterAll(async () => {
  for (const c of clients.splice(0)) c.end(true);
  await a?.close();
  router.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

function ipInterface(name: string): Promise<string> {
  return ipInterfaceNamed(a!.controller, name);
}

/** Connects to the router's broker: the client, or the reason it was refused. */
function mqttClient(port: number, opts: IClientOptions = {}): Promise<MqttClient | string> {
  return connectMqttClient(clients, router.agentAddress, port, opts);
}

function stats(row: string): Promise<Record<string, number>> {
  return brokerStats(a!.controller, row);
}

describe('Device.MQTT.Broker on Linux (the agent runs Mosquitto)', () => {
  let row = '';

  it('a row added without an Interface listens on loopback only, and is Enabled', async () => {
    const c = a!.controller;
    row = await add(c, 'Device.MQTT.Broker.', { Name: 'lan', Enable: 'true', Port: String(PORT) });
    expect(await get(c, `${row}Interface`)).toBe(await ipInterface('lo'));
    await expect.poll(() => get(c, `${row}Status`), { timeout: 15_000 }).toBe('Enabled');
    expect(await get(c, 'Device.MQTT.BrokerNumberOfEntries')).toBe('1');
    // Not on the router's other addresses.
    expect(await mqttClient(PORT)).toMatch(/ECONNREFUSED/);
  }, 30_000);

  it('with Interface, Username and Password set: refused without the password, counted with it', async () => {
    const c = a!.controller;
    await set(c, row, { Interface: await ipInterface('ctl0'), Username: 'iot', Password: 's3cret-pw' });
    expect(await get(c, `${row}Password`)).toBe('');
    expect(await get(c, `${row}Username`)).toBe('iot');
    await expect.poll(() => get(c, `${row}Status`), { timeout: 15_000 }).toBe('Enabled');
    // Mosquitto restarted on the new file: wait until it accepts the right password.
    let sub: MqttClient | string = '';
    await expect
      .poll(
        async () => {
          sub = await mqttClient(PORT, { username: 'iot', password: 's3cret-pw', clientId: 'sub-1' });
          return typeof sub;
        },
        { timeout: 15_000 },
      )
      .toBe('object');
    expect(await mqttClient(PORT)).toMatch(/Not authorized|Bad username or password/);
    expect(await mqttClient(PORT, { username: 'iot', password: 'wrong' })).toMatch(/Not authorized|Bad username or password/);
    const subscriber = sub as unknown as MqttClient;
    const pub = await relayThroughBroker(subscriber, () => mqttClient(PORT, { username: 'iot', password: 's3cret-pw', clientId: 'pub-1' }));
    await expect
      .poll(() => stats(row), { timeout: 20_000, interval: 500 })
      .toMatchObject({
        PublishReceived: expect.toSatisfy((n: number) => n >= 3),
        PublishSent: expect.toSatisfy((n: number) => n >= 3),
        NumberOfActiveClients: 2,
        TotalNumberOfClients: 2,
        ConnectionErrors: expect.toSatisfy((n: number) => n >= 2),
        MQTTMessagesReceived: expect.toSatisfy((n: number) => n >= 3 + 2 + 1),
        MQTTMessagesSent: expect.toSatisfy((n: number) => n >= 3 + 3),
        Subscriptions: 1,
      });
    pub.end(true);
    await expect.poll(async () => (await stats(row)).NumberOfActiveClients, { timeout: 20_000, interval: 500 }).toBe(1);
  }, 90_000);

  it('refuses an Interface that names no IP.Interface row and a Username the password file cannot hold, keeping nothing', async () => {
    const c = a!.controller;
    const before = await get(c, `${row}Interface`);
    const bad = await trySet(c, row, { Interface: 'Device.IP.Interface.999' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect([7012, 7004, 7002]).toContain(bad.paramErrCode ?? bad.errCode);
    expect(await get(c, `${row}Interface`)).toBe(before);
    const colon = await trySet(c, row, { Username: 'a:b' });
    expect(colon.ok).toBe(false);
    if (!colon.ok) expect(colon.paramErrCode ?? colon.errCode).toBe(7012);
    expect(await get(c, `${row}Username`)).toBe('iot');
    const port = await trySet(c, row, { Port: '0' });
    expect(port.ok).toBe(false);
    expect(await get(c, `${row}Port`)).toBe(String(PORT));
    expect(a!.agent.alive).toBe(true);
  }, 30_000);

  it('a second broker on a port the first holds reads Status Error, with Mosquitto’s reason logged', async () => {
    const c = a!.controller;
    const from = a!.agent.lines.length;
    const second = await add(c, 'Device.MQTT.Broker.', { Name: 'clash', Enable: 'true', Port: String(PORT), Interface: await ipInterface('ctl0') });
    await expect.poll(() => get(c, `${second}Status`), { timeout: 20_000 }).toBe('Error');
    await a!.agent.waitForLine(/mosquitto exited.*Address already in use/, { from, timeoutMs: 15_000 });
    // The first still serves.
    expect(await get(c, `${row}Status`)).toBe('Enabled');
    await set(c, second, { Enable: 'false' });
    expect(await get(c, `${second}Status`)).toBe('Disabled');
  }, 40_000);

  it('Enable false stops the broker: Status Disabled and the port closed', async () => {
    const c = a!.controller;
    await set(c, row, { Enable: 'false' });
    expect(await get(c, `${row}Status`)).toBe('Disabled');
    await expect.poll(() => mqttClient(PORT, { username: 'iot', password: 's3cret-pw' }), { timeout: 10_000 }).toMatch(/ECONNREFUSED/);
    expect((await stats(row)).NumberOfActiveClients).toBe(0);
  }, 30_000);

  it('a restarted agent starts the stored enabled rows again, with their password', async () => {
    await set(a!.controller, row, { Enable: 'true' });
    await expect.poll(() => get(a!.controller, `${row}Status`), { timeout: 15_000 }).toBe('Enabled');
    const port = a!.port;
    await a!.close();
    a = await startAgentInNamespace(router, 'ctl0', { dataDir, port, args: ['--mqtt-broker', 'mosquitto'] });
    await expect.poll(() => get(a!.controller, `${row}Status`), { timeout: 15_000 }).toBe('Enabled');
    await expect.poll(async () => typeof (await mqttClient(PORT, { username: 'iot', password: 's3cret-pw' })), { timeout: 15_000 }).toBe('object');
    expect(await mqttClient(PORT)).toMatch(/Not authorized|Bad username or password/);
  }, 60_000);
});
