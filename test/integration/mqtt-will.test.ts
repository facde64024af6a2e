/**
 * Device.MQTT.Client.{i}.Will* (TR-181 MQTTClientExtended:1) with real effect: a real agent
 * process (dist/, so `npm run build` first) whose MQTT client connects to a real Mosquitto, a
 * TestController over WebSocket that configures the Will, and a plain MQTT.js subscriber on the
 * Will topic. A kill -9 of the agent (no DISCONNECT) makes the broker publish the Will; a SIGTERM
 * (DISCONNECT, reason 0x00) makes it discard the Will. MQTT 3.1.1 and 5.0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IPublishPacket, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentProcess, writeDefaultsFile } from '../peers/agent-process.js';
import { AGENT_EID, CONTROLLER_EID } from '../peers/agent-fixture.js';
import { add, get, operate, set, trySet } from '../peers/controller-steps.js';
import { startMosquitto, type Mosquitto } from '../peers/mosquitto.js';
import { freePort, TestController } from '../peers/TestController.js';

const C = 'Device.MQTT.Client.1.';

let broker: Mosquitto;
let dir: string;

beforeAll(async () => {
  // notice: the broker logs "Client X disconnected." when a DISCONNECT ends a session (the Will discarded).
  broker = await startMosquitto({ extraConfig: ['log_type notice'] });
  dir = mkdtempSync(join(tmpdir(), 'usp-agent-mqtt-will-'));
});
afterEach(() => AgentProcess.killAll());
afterAll(async () => {
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A plain MQTT peer that keeps every PUBLISH it receives. */
class Subscriber {
  readonly got: IPublishPacket[] = [];
  private constructor(readonly client: MqttClient) {
    client.on('message', (_topic, _payload, packet) => this.got.push(packet));
  }
  static async on(topic: string, version: 4 | 5): Promise<Subscriber> {
    const client = await connectAsync({ host: '127.0.0.1', port: broker.port, protocolVersion: version, reconnectPeriod: 0 });
    const s = new Subscriber(client);
    await client.subscribeAsync(topic, { qos: 2 });
    return s;
  }
  async waitFor(pred: (p: IPublishPacket) => boolean, what: string, timeoutMs = 10_000): Promise<IPublishPacket> {
    await until(() => this.got.some(pred), what, timeoutMs);
    return this.got.find(pred)!;
  }
  end(): Promise<void> {
    return this.client.endAsync();
  }
}

async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The WebSocket MTP for the controller, plus the MQTT client under test (MTP.2) with a fixed ClientID. */
function defaultsWithMqtt(wsPort: number, version: '3.1.1' | '5.0', clientId: string): string {
  const file = join(dir, `defaults-${clientId}.json`);
  writeDefaultsFile(file, wsPort, {
    'Device.LocalAgent.MTP.2.Enable': true,
    'Device.LocalAgent.MTP.2.Protocol': 'MQTT',
    'Device.LocalAgent.MTP.2.MQTT.Reference': 'Device.MQTT.Client.1',
    [`${C}Enable`]: true,
    [`${C}BrokerAddress`]: '127.0.0.1',
    [`${C}BrokerPort`]: broker.port,
    [`${C}ProtocolVersion`]: version,
    [`${C}ClientID`]: clientId,
    [`${C}KeepAliveTime`]: 30,
    [`${C}ConnectRetryTime`]: 1,
    [`${C}Subscription.1.Enable`]: true,
    [`${C}Subscription.1.Topic`]: `usp/agent/${clientId}`,
  });
  return file;
}

describe.each([
  { version: '3.1.1' as const, wire: 4 as const, qos: 1 as const },
  { version: '5.0' as const, wire: 5 as const, qos: 2 as const },
])('MQTT $version: the agent MQTT client Will', ({ version, wire, qos }) => {
  const clientId = `will-agent-${wire}`;
  const willTopic = `gateway/${clientId}/status`;
  const willValue = `offline ${clientId}`;
  /** The first test's WebSocket port: a restart on its data directory keeps it (the state holds it). */
  let wsPort = 0;

  it('is validated, held back while unusable (Error_Misconfigured), sent with the next CONNECT, published by the broker on kill -9 (QoS, Retain)', async () => {
    wsPort = await freePort();
    const defaults = defaultsWithMqtt(wsPort, version, clientId);
    const data = join(dir, `data-${wire}`);
    const agent = AgentProcess.start(defaults, data);
    await agent.waitForLine(/msg="mqtt connected"/);
    const ctl = await TestController.connect(`ws://127.0.0.1:${wsPort}/usp`, CONTROLLER_EID, AGENT_EID);
    const live = await Subscriber.on(willTopic, wire);
    try {
      // Topic names only (MQTT §4.7.3), QoS 0..2: refused like the other Client parameters.
      for (const [param, value] of [
        ['WillTopic', 'gateway/+/status'],
        ['WillTopic', 'gateway/#'],
        ['WillResponseTopic', 'reply/#'],
        ['WillQoS', '3'],
      ]) {
        const r = await trySet(ctl, C, { [param]: value });
        expect(r.ok, `${param}=${value}`).toBe(false);
        if (!r.ok) expect([r.errCode, r.paramErrCode]).toContain(7012);
      }

      // TR-181: a Will change reaches the broker with the next CONNECT; ForceReconnect() makes one now.
      // An enabled Will with no WillTopic: Status Error_Misconfigured, and no CONNECT.
      await set(ctl, C, { WillEnable: 'true' });
      expect(await get(ctl, `${C}Status`)).toBe('Connected');
      const before = agent.lines.length;
      expect(await operate(ctl, `${C}ForceReconnect()`)).toEqual({ ok: true, value: true });
      await agent.waitForLine(/WillEnable is true but WillTopic is empty; not connecting/, { from: before });
      expect(await get(ctl, `${C}Status`)).toBe('Error_Misconfigured');

      // Usable again: the client connects by itself, its CONNECT carrying the Will.
      const fix = agent.lines.length;
      await set(ctl, C, {
        WillTopic: willTopic,
        WillValue: willValue,
        WillQoS: String(qos),
        WillRetain: 'true',
        // MQTT 5.0 Will properties (ignored by a 3.1.1 CONNECT); WillDelayInterval keeps TR-181's 5 s,
        // which a session that ends with its connection does not wait for (MQTT 5.0 §3.1.3.2.2).
        WillContentType: 'text/plain',
        WillMessageExpiryInterval: '3600',
      });
      await agent.waitForLine(/msg="mqtt connected"/, { from: fix });
      expect(await get(ctl, `${C}Status`)).toBe('Connected');
      expect(await get(ctl, `${C}WillTopic`)).toBe(willTopic);
      expect(await get(ctl, `${C}WillDelayInterval`)).toBe('5');
      // No Will change restarted the MTP (TR-181: they wait for the next CONNECT).
      expect(agent.count(/MTP configuration changed; restarting/)).toBe(0);
      expect(live.got).toHaveLength(0);
      await ctl.close();

      // The connection dies without DISCONNECT: the broker publishes the Will.
      await agent.kill9();
      const will = await live.waitFor((p) => p.topic === willTopic, 'the Will after kill -9');
      expect(will.payload.toString()).toBe(willValue);
      expect(will.qos).toBe(qos);
      if (wire === 5) {
        expect(will.properties?.contentType).toBe('text/plain');
        expect(will.properties?.messageExpiryInterval).toBeGreaterThan(0);
      }
      // WillRetain: a subscriber that comes later gets it as a retained message.
      const late = await Subscriber.on(willTopic, wire);
      const retained = await late.waitFor((p) => p.topic === willTopic, 'the retained Will');
      expect(retained.retain).toBe(true);
      expect(retained.payload.toString()).toBe(willValue);
      // Clear it for the next test.
      await late.client.publishAsync(willTopic, '', { retain: true, qos: 1 });
      await late.end();
    } finally {
      await live.end();
    }
  }, 60_000);

  it('is persisted, and discarded by the broker when the agent stops cleanly (SIGTERM: DISCONNECT)', async () => {
    // The data directory of the test above: the Will was set there by the controller.
    const data = join(dir, `data-${wire}`);
    const agent = AgentProcess.start(defaultsWithMqtt(wsPort, version, clientId), data);
    await agent.waitForLine(/msg="mqtt connected"/);
    const ctl = await TestController.connect(`ws://127.0.0.1:${wsPort}/usp`, CONTROLLER_EID, AGENT_EID);
    for (const [p, v] of Object.entries({ WillEnable: 'true', WillTopic: willTopic, WillValue: willValue, WillQoS: String(qos), WillRetain: 'true' })) {
      expect(await get(ctl, `${C}${p}`), p).toBe(v);
    }
    await ctl.close();
    const sub = await Subscriber.on(willTopic, wire);
    try {
      const from = broker.output.length;
      expect((await agent.terminate()).code).toBe(0);
      // The broker took the DISCONNECT (not a dropped connection): the Will is discarded now.
      await until(() => broker.output.slice(from).some((l) => l.includes(`Client ${clientId} disconnected.`)), 'the broker to log the DISCONNECT');
      expect(broker.output.slice(from).some((l) => l.includes(`Client ${clientId} closed its connection`))).toBe(false);
      // A marker on the Will topic from another client: everything published before it has arrived.
      await sub.client.publishAsync(willTopic, 'marker', { qos: 1 });
      await sub.waitFor((p) => p.payload.toString() === 'marker', 'the marker');
      expect(sub.got.map((p) => p.payload.toString())).toEqual(['marker']);
      await sub.client.publishAsync(willTopic, '', { retain: true, qos: 1 });
    } finally {
      await sub.end();
    }
  }, 60_000);

  it('is discarded on SIGTERM even while a packet of the agent awaits its acknowledgement (a slow broker): DISCONNECT goes out anyway', async () => {
    const data = join(dir, `data-${wire}`);
    const agent = AgentProcess.start(defaultsWithMqtt(wsPort, version, clientId), data);
    await agent.waitForLine(/msg="mqtt connected"/);
    const ctl = await TestController.connect(`ws://127.0.0.1:${wsPort}/usp`, CONTROLLER_EID, AGENT_EID);
    const sub = await Subscriber.on(willTopic, wire);
    try {
      // The broker stops answering: the SUBSCRIBE for a new Subscription row waits for its SUBACK.
      broker.pause();
      const row = await add(ctl, `${C}Subscription.`, { Enable: 'true', Topic: `usp/agent/${clientId}/more`, QoS: '1' });
      for (let s = ''; s !== 'Subscribing';) s = await get(ctl, `${row}Status`);
      await ctl.close();
      const from = broker.output.length;
      expect((await agent.terminate()).code).toBe(0);
      broker.resume();
      // The broker reads what the agent sent before it exited: a DISCONNECT, so the Will is discarded.
      await until(() => broker.output.slice(from).some((l) => l.includes(`Client ${clientId} `)), 'the broker to log how the agent left');
      expect(broker.output.slice(from).filter((l) => l.includes(`Client ${clientId} `))).toEqual([expect.stringContaining(`Client ${clientId} disconnected.`)]);
      await sub.client.publishAsync(willTopic, 'marker', { qos: 1 });
      await sub.waitFor((p) => p.payload.toString() === 'marker', 'the marker');
      expect(sub.got.map((p) => p.payload.toString())).toEqual(['marker']);
    } finally {
      broker.resume();
      await sub.end();
    }
  }, 60_000);

  it('is published by the broker when the agent stops answering (keep-alive missed: a hung process, as a lost link looks to the broker)', async () => {
    const data = join(dir, `data-${wire}`);
    const agent = AgentProcess.start(defaultsWithMqtt(wsPort, version, clientId), data);
    await agent.waitForLine(/msg="mqtt connected"/);
    const ctl = await TestController.connect(`ws://127.0.0.1:${wsPort}/usp`, CONTROLLER_EID, AGENT_EID);
    // KeepAliveTime restarts the MTP (a new CONNECT with it); the broker then cuts a silent client after 1.5 s.
    const from = agent.lines.length;
    await set(ctl, C, { KeepAliveTime: '1' });
    await agent.waitForLine(/msg="mqtt connected"/, { from });
    await ctl.close();
    const sub = await Subscriber.on(willTopic, wire);
    try {
      agent.child.kill('SIGSTOP');
      const will = await sub.waitFor((p) => p.topic === willTopic, 'the Will after the missed keep-alive');
      expect(will.payload.toString()).toBe(willValue);
      await sub.client.publishAsync(willTopic, '', { retain: true, qos: 1 });
    } finally {
      await sub.end();
      agent.child.kill('SIGKILL');
      await agent.exited;
    }
  }, 60_000);
});
