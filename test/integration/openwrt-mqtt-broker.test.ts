/**
 * Device.MQTT.Broker.{i}. (MQTTBrokerBase:1, MQTTBrokerExtended:1, MQTTBrokerBridgeBase:1) on
 * OpenWrt, for real: the built agent process (`npm run build` first) runs `usp-agent run
 * --platform openwrt --mqtt-broker mosquitto` in a router namespace, its ubus and uci the
 * recorded stand-ins of test/unit/platform/openwrt/fake-openwrt.ts, its brokers the real
 * /usr/sbin/mosquitto. A Controller over a real WebSocket adds Broker rows; a real MQTT.js client
 * connects and publishes and the Stats count it; a Bridge reaches a second real Mosquitto; bad
 * values are refused; a port held by another broker (as the mosquitto package's own service
 * would hold it) reads Status Error with the fix logged; SIGTERM leaves no Mosquitto behind.
 *
 * Recorded vs. written here: `ubus call network.interface dump` is the recorded file with two
 * changes this test makes, since the router's own addresses do not exist on this machine: lan's
 * IPv4 address becomes the namespace's end of the veth (named br-lan, lan's l3_device), and a
 * `loopback` entry is added (lo, 127.0.0.1/8, as netifd reports the interface config_generate
 * makes; the recorded dump left it out). Needs root and /usr/sbin/mosquitto (`.ci/run`).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_EID, CONTROLLER_EID } from '../peers/agent-fixture.js';
import { AgentProcess, writeDefaultsFile } from '../peers/agent-process.js';
import { add, get, set, trySet, tryAdd } from '../peers/controller-steps.js';
import { brokerStats, connectMqttClient, ipInterfaceNamed, relayThroughBroker } from '../peers/mqtt-broker-steps.js';
import { startMosquitto, type Mosquitto } from '../peers/mosquitto.js';
import { NetNamespace } from '../peers/netns.js';
import { TestController, freePort } from '../peers/TestController.js';
import { FIXTURES, fakeOpenWrt, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const tag = process.pid % 100_000;
const net = `10.247.${tag % 250}`;
const router = NetNamespace.create(`usp-omb-${tag}`, net, `uspomb${tag}`, 'br-lan');
const REMOTE_HOST = `${net}.1`;
const LAN_PORT = 18730 + (tag % 100);
const TAKEN_PORT = LAN_PORT + 100;
const MOSQUITTO = '/usr/sbin/mosquitto';
const dir = mkdtempSync(join(tmpdir(), 'usp-openwrt-broker-'));
let fake: FakeOpenWrt;
let agent: AgentProcess | undefined;
let controller: TestController | undefined;
let remote: Mosquitto | undefined;
let remotePort = 0;
let packageBroker: ChildProcess | undefined;
const clients: MqttClient[] = [];

/** The recorded interface dump, lan on the namespace's address and netifd's loopback added. */
function interfaceDump(): unknown {
  const dump = JSON.parse(readFileSync(join(FIXTURES, 'ubus-network-interface-dump.json'), 'utf8')) as { interface: Array<Record<string, unknown>> };
  for (const i of dump.interface) if (i.interface === 'lan') i['ipv4-address'] = [{ address: router.agentAddress, mask: 30 }];
  dump.interface.push({
    interface: 'loopback',
    up: true,
    pending: false,
    available: true,
    autostart: true,
    dynamic: false,
    uptime: 266780,
    l3_device: 'lo',
    proto: 'static',
    device: 'lo',
    updated: ['addresses'],
    metric: 0,
    dns_metric: 0,
    delegation: true,
    'ipv4-address': [{ address: '127.0.0.1', mask: 8 }],
    'ipv6-address': [],
    'ipv6-prefix': [],
    'ipv6-prefix-assignment': [],
    route: [],
    'dns-server': [],
    'dns-search': [],
    neighbors: [],
    inactive: { 'ipv4-address': [], 'ipv6-address': [], route: [], 'dns-server': [], 'dns-search': [], neighbors: [] },
    data: {},
  });
  return dump;
}

beforeAll(async () => {
  fake = fakeOpenWrt();
  fake.respond('network.interface dump', { json: interfaceDump() });
  remotePort = await freePort();
  // The remote broker, reachable from the router namespace on the veth's far end.
  remote = await startMosquitto({ users: { bridge: 'bridge-pw', tester: 'tester-pw' }, extraConfig: [`listener ${remotePort} ${REMOTE_HOST}`] });
  const port = await freePort();
  const defaults = join(dir, 'defaults.json');
  writeDefaultsFile(defaults, port);
  agent = AgentProcess.start(defaults, join(dir, 'data'), {
    platform: 'openwrt',
    // /usr/sbin/ip itself: the stand-ins (an `ip` among them) come first on the agent's PATH.
    wrap: ['/usr/sbin/ip', 'netns', 'exec', router.name],
    env: { PATH: `${fake.bin}:${process.env.PATH ?? ''}` },
    args: ['--mqtt-broker', 'mosquitto'],
  });
  await agent.waitForLine(/websocket server listening/, { timeoutMs: 20_000 });
  controller = await TestController.connect(`ws://${router.agentAddress}:${port}/usp`, CONTROLLER_EID, AGENT_EID);
}, 40_000);

afterAll(async () => {
  for (const c of clients.splice(0)) c.end(true);
  packageBroker?.kill('SIGKILL');
  await controller?.close();
  await agent?.terminate();
  await AgentProcess.killAll();
  await remote?.stop();
  router.remove();
  fake?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function ipInterface(name: string): Promise<string> {
  return ipInterfaceNamed(controller!, name);
}

/** Connects to a broker: the client, or the reason it was refused. */
function mqttClient(host: string, port: number, opts: IClientOptions = {}): Promise<MqttClient | string> {
  return connectMqttClient(clients, host, port, opts);
}

function stats(row: string): Promise<Record<string, number>> {
  return brokerStats(controller!, row);
}

/** The pids of the Mosquittos running in the router namespace. */
function mosquittosInRouter(): number[] {
  const inNs = new Set(
    readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'mosquitto';
        } catch {
          return false;
        }
      }),
  );
  const pids = new Set(
    execFileSync('/usr/sbin/ip', ['netns', 'pids', router.name], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((p) => p.trim()),
  );
  return [...inNs].filter((p) => pids.has(p)).map(Number);
}

describe('Device.MQTT.Broker on OpenWrt (the agent runs the package’s Mosquitto)', () => {
  let row = '';

  it('a row added without an Interface listens on netifd’s loopback only, and is Enabled', async () => {
    const c = controller!;
    row = await add(c, 'Device.MQTT.Broker.', { Name: 'lan', Enable: 'true', Port: String(LAN_PORT) });
    expect(await get(c, `${row}Interface`)).toBe(await ipInterface('loopback'));
    await expect.poll(() => get(c, `${row}Status`), { timeout: 15_000 }).toBe('Enabled');
    expect(mosquittosInRouter()).toHaveLength(1);
    // Not on lan's address.
    expect(await mqttClient(router.agentAddress, LAN_PORT)).toMatch(/ECONNREFUSED/);
  }, 30_000);

  it('with Interface lan: the listener binds lan’s address, a client connects and publishes, the Stats count it', async () => {
    const c = controller!;
    await set(c, row, { Interface: await ipInterface('lan') });
    expect(await get(c, `${row}Interface`)).toBe(await ipInterface('lan'));
    let sub: MqttClient | string = '';
    await expect
      .poll(
        async () => {
          sub = await mqttClient(router.agentAddress, LAN_PORT, { clientId: 'sub-1' });
          return typeof sub;
        },
        { timeout: 15_000 },
      )
      .toBe('object');
    const subscriber = sub as unknown as MqttClient;
    const pub = await relayThroughBroker(subscriber, () => mqttClient(router.agentAddress, LAN_PORT, { clientId: 'pub-1' }));
    await expect
      .poll(() => stats(row), { timeout: 20_000, interval: 500 })
      .toMatchObject({
        PublishReceived: expect.toSatisfy((n: number) => n >= 3),
        PublishSent: expect.toSatisfy((n: number) => n >= 3),
        NumberOfActiveClients: 2,
        Subscriptions: 1,
      });
    pub.end(true);
    await expect.poll(async () => (await stats(row)).NumberOfActiveClients, { timeout: 20_000, interval: 500 }).toBe(1);
  }, 60_000);

  it('refuses an Interface that names no IP.Interface row and a port 0, keeping nothing', async () => {
    const c = controller!;
    const before = await get(c, `${row}Interface`);
    const bad = await trySet(c, row, { Interface: 'Device.IP.Interface.999' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.paramErrCode ?? bad.errCode).toBe(7012);
    expect(await get(c, `${row}Interface`)).toBe(before);
    const added = await tryAdd(c, 'Device.MQTT.Broker.', { Name: 'nowhere', Interface: 'Device.IP.Interface.999' });
    expect(added.ok).toBe(false);
    if (!added.ok) expect(added.paramErrCode).toBe(7012);
    expect(await get(c, 'Device.MQTT.BrokerNumberOfEntries')).toBe('1');
    const port = await trySet(c, row, { Port: '0' });
    expect(port.ok).toBe(false);
    expect(await get(c, `${row}Port`)).toBe(String(LAN_PORT));
    expect(agent!.alive).toBe(true);
  }, 30_000);

  it('a Bridge to a second real Mosquitto connects and carries messages out', async () => {
    const c = controller!;
    const bridge = await add(c, `${row}Bridge.`, { Name: 'cloud', Enable: 'true', Username: 'bridge', Password: 'bridge-pw', ConnectRetryTime: '2' });
    await add(c, `${bridge}Server.`, { Address: REMOTE_HOST, Port: String(remotePort), Enable: 'true' });
    await add(c, `${bridge}Subscription.`, { Topic: 'up/#', Direction: 'out', QoS: '1', Enable: 'true' });
    await expect.poll(() => get(c, `${bridge}Status`), { timeout: 30_000, interval: 500 }).toBe('Connected');
    const far = await mqttClient('127.0.0.1', remote!.port, { username: 'tester', password: 'tester-pw' });
    if (typeof far === 'string') throw new Error(far);
    const got: string[] = [];
    far.on('message', (t, m) => got.push(`${t}=${m.toString()}`));
    await far.subscribeAsync('up/#', { qos: 1 });
    const local = await mqttClient(router.agentAddress, LAN_PORT);
    if (typeof local === 'string') throw new Error(local);
    await local.publishAsync('up/a', 'from-lan', { qos: 1 });
    await expect.poll(() => got, { timeout: 10_000 }).toContain('up/a=from-lan');
  }, 60_000);

  it('a port another broker holds (the package’s own service) reads Status Error, with the fix logged', async () => {
    const c = controller!;
    // As /etc/init.d/mosquitto would run it: Mosquitto 2 without a listener line serves localhost.
    const conf = join(dir, 'package-mosquitto.conf');
    writeFileSync(conf, `listener ${TAKEN_PORT} 127.0.0.1\nallow_anonymous true\n`);
    packageBroker = spawn('/usr/sbin/ip', ['netns', 'exec', router.name, MOSQUITTO, '-c', conf], { stdio: 'ignore' });
    await expect.poll(() => mosquittosInRouter().length, { timeout: 10_000 }).toBe(2);
    const from = agent!.lines.length;
    const second = await add(c, 'Device.MQTT.Broker.', { Name: 'clash', Enable: 'true', Port: String(TAKEN_PORT) });
    await expect.poll(() => get(c, `${second}Status`), { timeout: 20_000 }).toBe('Error');
    await agent!.waitForLine(/MQTT broker port in use.*\/etc\/init\.d\/mosquitto disable/, { from, timeoutMs: 15_000 });
    // Another port: it runs.
    await set(c, second, { Port: String(TAKEN_PORT + 1) });
    await expect.poll(() => get(c, `${second}Status`), { timeout: 20_000 }).toBe('Enabled');
    expect(await get(c, `${row}Status`)).toBe('Enabled');
    packageBroker.kill('SIGTERM');
    await expect.poll(() => mosquittosInRouter().length, { timeout: 10_000 }).toBe(2);
  }, 60_000);

  it('a row on an interface netifd reports down reads Error_Misconfigured and runs nothing', async () => {
    const c = controller!;
    const dump = interfaceDump() as { interface: Array<Record<string, unknown>> };
    // As netifd reports an interface that is down: no uptime, no addresses.
    for (const i of dump.interface) if (i.interface === 'wan') Object.assign(i, { up: false, uptime: undefined, 'ipv4-address': [] });
    fake.respond('network.interface dump', { json: dump });
    const before = mosquittosInRouter().length;
    const wan = await add(c, 'Device.MQTT.Broker.', { Name: 'wan', Enable: 'true', Port: String(TAKEN_PORT + 2), Interface: await ipInterface('wan') });
    await expect.poll(() => get(c, `${wan}Status`), { timeout: 15_000 }).toBe('Error_Misconfigured');
    expect(mosquittosInRouter()).toHaveLength(before);
    expect(await get(c, `${row}Status`)).toBe('Enabled');
  }, 30_000);

  it('SIGTERM stops the agent and leaves no Mosquitto behind', async () => {
    await controller!.close();
    controller = undefined;
    const r = await agent!.terminate();
    expect(r.code).not.toBeNull();
    agent = undefined;
    await expect.poll(() => mosquittosInRouter(), { timeout: 10_000 }).toEqual([]);
  }, 30_000);
});
