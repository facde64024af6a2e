/**
 * Device.MQTT.Broker.{i}.Bridge.{i}. (MQTTBrokerBridgeBase:1) on generic Linux, for real: the
 * built agent (`npm run build` first) runs `--platform linux --mqtt-broker mosquitto` in a router
 * namespace; a Controller over a real WebSocket creates a Broker, a Bridge with a Server and
 * Subscriptions; a second, real Mosquitto (the remote, with a password) listens on the test's end
 * of the veth. Messages published on one broker arrive at the other through the bridge, each
 * Direction as TR-181 says; the Server in use cannot be deleted; a dead remote reads
 * Error_BrokerUnreachable, Enable false Disabled, and Delete removes the bridge from the broker.
 * The bridge's password never appears in the agent's output. Needs root and /usr/sbin/mosquitto.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, get, set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startMosquitto, type Mosquitto } from '../peers/mosquitto.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace } from '../peers/netns.js';
import { freePort } from '../peers/TestController.js';

const tag = process.pid % 100_000;
const net = `10.246.${tag % 250}`;
const router = NetNamespace.create(`usp-mbb-${tag}`, net, `uspmbb${tag}`, 'ctl0');
const REMOTE_HOST = `${net}.1`;
const LOCAL_PORT = 18930 + (tag % 100);
const BRIDGE_PASSWORD = 'remote pass-7Qx';
const dataDir = mkdtempSync(join(tmpdir(), 'usp-mqtt-bridge-data-'));
let a: NamespacedAgent | undefined;
let remote: Mosquitto | undefined;
let remotePort = 0;
const clients: MqttClient[] = [];

beforeAll(async () => {
  remotePort = await freePort();
  // The remote broker: password only, reachable from the router namespace on the veth's far end.
  remote = await startMosquitto({ users: { bridge: BRIDGE_PASSWORD, tester: 'tester-pw' }, extraConfig: [`listener ${remotePort} ${REMOTE_HOST}`] });
  // At debug level the agent logs each line of its Mosquitto: the password must be in none of them.
  a = await startAgentInNamespace(router, 'ctl0', { dataDir, args: ['--mqtt-broker', 'mosquitto'], logLevel: 'debug' });
}, 40_000);

afterAll(async () => {
  for (const c of clients.splice(0)) c.end(true);
  await a?.close();
  await remote?.stop();
  router.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

async function ipInterface(name: string): Promise<string> {
  const rows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no IP.Interface for ${name}`);
  return path.slice(0, -1);
}

/** An MQTT.js client of one broker, subscribed to `topics`, collecting what it receives. */
async function client(host: string, port: number, topics: string[], auth: { username: string; password: string } | object = {}): Promise<{ c: MqttClient; got: string[] }> {
  const c = connect({ host, port, protocol: 'mqtt', reconnectPeriod: 500, connectTimeout: 5000, ...auth });
  clients.push(c);
  const got: string[] = [];
  c.on('message', (t, m) => got.push(`${t}=${m.toString()}`));
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  if (topics.length > 0) await c.subscribeAsync(topics, { qos: 1 });
  return { c, got };
}

describe('Device.MQTT.Broker.{i}.Bridge on Linux (a Mosquitto bridge to a real remote broker)', () => {
  let broker = '';
  let bridge = '';
  let server = '';

  it('a Bridge without a Server reads Error_Misconfigured; with a Server and Subscriptions it connects', async () => {
    const c = a!.controller;
    broker = await add(c, 'Device.MQTT.Broker.', { Name: 'lan', Enable: 'true', Port: String(LOCAL_PORT), Interface: await ipInterface('ctl0') });
    await expect.poll(() => get(c, `${broker}Status`), { timeout: 15_000 }).toBe('Enabled');
    bridge = await add(c, `${broker}Bridge.`, { Name: 'cloud', Enable: 'true', Username: 'bridge', Password: BRIDGE_PASSWORD, ConnectRetryTime: '2' });
    expect(await get(c, `${bridge}Status`)).toBe('Error_Misconfigured');
    expect(await get(c, `${bridge}Password`)).toBe('');
    server = await add(c, `${bridge}Server.`, { Address: REMOTE_HOST, Port: String(remotePort), Enable: 'true' });
    // No Subscription yet: Mosquitto refuses a bridge without a topic.
    expect(await get(c, `${bridge}Status`)).toBe('Error_Misconfigured');
    await add(c, `${bridge}Subscription.`, { Topic: 'up/#', Direction: 'out', QoS: '1', Enable: 'true' });
    await add(c, `${bridge}Subscription.`, { Topic: 'down/#', Direction: 'in', QoS: '1', Enable: 'true' });
    await add(c, `${bridge}Subscription.`, { Topic: 'sensors/#', Direction: 'both', QoS: '1', Enable: 'true', LocalPrefix: 'lan/', RemotePrefix: 'site7/' });
    await expect.poll(() => get(c, `${bridge}Status`), { timeout: 30_000, interval: 500 }).toBe('Connected');
    expect(await get(c, `${bridge}ServerConnection`)).toBe(server.slice(0, -1));
    expect(await get(c, `${broker}BridgeNumberOfEntries`)).toBe('1');
    expect(await get(c, `${bridge}SubscriptionNumberOfEntries`)).toBe('3');
    expect(await get(c, `${bridge}Subscription.1.Status`)).toBe('Enabled');
  }, 60_000);

  it('messages cross the bridge in the Directions the Subscriptions give, with the prefixes mapped', async () => {
    const local = await client(router.agentAddress, LOCAL_PORT, ['down/#', 'up/#', 'lan/sensors/#']);
    const far = await client('127.0.0.1', remote!.port, ['up/#', 'down/#', 'site7/sensors/#'], { username: 'tester', password: 'tester-pw' });
    // out: local -> remote.
    await local.c.publishAsync('up/a', 'from-lan', { qos: 1 });
    await expect.poll(() => far.got, { timeout: 10_000 }).toContain('up/a=from-lan');
    // Not in: a remote up/ message stays there. It is published before down/b, which crosses.
    await far.c.publishAsync('up/remote-only', 'x', { qos: 1 });
    await far.c.publishAsync('down/b', 'from-cloud', { qos: 1 });
    await expect.poll(() => local.got, { timeout: 10_000 }).toContain('down/b=from-cloud');
    expect(local.got).not.toContain('up/remote-only=x');
    // both, with LocalPrefix lan/ and RemotePrefix site7/.
    await local.c.publishAsync('lan/sensors/t1', '21.5', { qos: 1 });
    await expect.poll(() => far.got, { timeout: 10_000 }).toContain('site7/sensors/t1=21.5');
    await far.c.publishAsync('site7/sensors/t2', '19.0', { qos: 1 });
    await expect.poll(() => local.got, { timeout: 10_000 }).toContain('lan/sensors/t2=19.0');
  }, 40_000);

  it('refuses bad values with 7012 and keeps nothing; the Server in use cannot be deleted (7024)', async () => {
    const c = a!.controller;
    for (const [path, params] of [
      [`${bridge}Subscription.1.`, { Topic: 'a/#/b' }],
      [`${bridge}Subscription.1.`, { Topic: 'has space' }],
      [`${bridge}Subscription.1.`, { LocalPrefix: 'x/+/' }],
      [`${bridge}Server.1.`, { Address: 'bad host!' }],
      [bridge, { KeepAliveTime: '0' }],
      [bridge, { Password: 'line\nbreak' }],
    ] as const) {
      const r = await trySet(c, path, params);
      expect(r.ok, `${path} ${JSON.stringify(params)}`).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7012);
    }
    expect(await get(c, `${bridge}Subscription.1.Topic`)).toBe('up/#');
    const m = await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [server] } });
    expect(m.body.msgBody).toBe('error');
    if (m.body.msgBody === 'error') expect([m.body.error.errCode, ...(m.body.error.paramErrs ?? []).map((p) => p.errCode)]).toContain(7024);
    expect(await get(c, `${bridge}ServerNumberOfEntries`)).toBe('1');
    expect(a!.agent.alive).toBe(true);
  }, 30_000);

  it('a dead remote reads Error_BrokerUnreachable with no ServerConnection; Enable false reads Disabled', async () => {
    const c = a!.controller;
    await remote!.stop();
    remote = undefined;
    await expect.poll(() => get(c, `${bridge}Status`), { timeout: 30_000, interval: 500 }).toBe('Error_BrokerUnreachable');
    expect(await get(c, `${bridge}ServerConnection`)).toBe('');
    expect(await get(c, `${bridge}Subscription.1.Status`)).toBe('Error');
    await set(c, bridge, { Enable: 'false' });
    expect(await get(c, `${bridge}Status`)).toBe('Disabled');
    expect(await get(c, `${bridge}Subscription.1.Status`)).toBe('Error');
  }, 45_000);

  it('Delete removes the bridge from the broker, which keeps serving; the password was never in the output', async () => {
    const c = a!.controller;
    await set(c, bridge, { Enable: 'true' });
    await a!.agent.waitForLine(/Connecting bridge \(step 1\) usp-bridge-1/, { from: a!.agent.lines.length, timeoutMs: 15_000 });
    const from = a!.agent.lines.length;
    await del(c, bridge);
    // The broker restarts on a file without the bridge: it starts without trying it.
    const restarted = await a!.agent.waitForLine(/mosquitto version \S+ starting/, { from, timeoutMs: 15_000 });
    expect(await get(c, `${broker}BridgeNumberOfEntries`)).toBe('0');
    await expect.poll(() => get(c, `${broker}Status`), { timeout: 15_000 }).toBe('Enabled');
    const local = await client(router.agentAddress, LOCAL_PORT, []);
    expect(local.c.connected).toBe(true);
    expect(a!.agent.lines.slice(restarted).some((l) => /Connecting bridge/.test(l.text))).toBe(false);
    expect(a!.agent.text).toMatch(/Connecting bridge \(step 1\) usp-bridge-1/);
    expect(a!.agent.text).not.toContain(BRIDGE_PASSWORD);
  }, 30_000);
});
