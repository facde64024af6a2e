/**
 * The MQTT MTP end to end (TR-369 §"MQTT Binding"): a real Mosquitto, the real agent
 * (Agent.start) with its MQTT client configured only through TR-181, the independent usp-js
 * controller over MQTT, and raw MQTT.js peers that observe what the agent publishes.
 * The agent starts its MQTT MTP from the factory defaults like any other; the test finds it
 * among the agent's running MTPs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IClientPublishOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import * as mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'usp-js';
import { connectClient, loadProtobuf } from 'usp-js/node/configurations/mqtt.js';
import { decodeId } from 'usp-js/node/commands/index.js';
import type { USP } from 'usp-js/node/types.js';
import { Agent } from '../../agent/Agent.js';
import { decodeMsg, encodeMsg, requestMsg } from '../../agent/codec/msg.js';
import { decodeRecord, encodeRecord, mqttConnectRecord, noSessionContextRecord, type DecodedRecord } from '../../agent/codec/record.js';
import type { Request, UspMsg } from '../../agent/codec/types.js';
import { StartedMqtt } from '../../agent/transports/start-mqtt.js';
import { createLogger, silentLogger, type Logger } from '../../datamodel/Logger.js';
import { connectRetryWindow } from '../../mtp/mqtt/connect-backoff.js';
import { MqttClientMtp, type MqttClientMtpOptions } from '../../mtp/mqtt/MqttClientMtp.js';
import { filterCovers, planSubscriptions, replyToOf, withReplyTo } from '../../mtp/mqtt/topics.js';
import { testSchema } from '../peers/agent-fixture.js';
import { startMosquitto, type Mosquitto } from '../peers/mosquitto.js';
import { mqttAgentDefaults } from '../peers/mqtt-agent-defaults.js';

const CONTROLLER_EID = 'proto::controller-1';
const log: Logger = process.env.MQTT_TEST_LOG ? createLogger('debug', 'test') : silentLogger;

// ---------------------------------------------------------------------------------------------
// Peers and fixtures

interface Received {
  topic: string;
  payload: Buffer;
  props: IPublishPacket['properties'];
  at: number;
}

/** A bare MQTT.js client that records everything it receives on its filters. */
class RawPeer {
  readonly got: Received[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.got.push({ topic, payload, props: packet.properties, at: Date.now() });
      for (const w of this.waiters) w();
    });
  }

  static async connect(port: number, version: 4 | 5, filters: string[]): Promise<RawPeer> {
    const client = await connectAsync({ host: '127.0.0.1', port, protocolVersion: version, reconnectPeriod: 100, connectTimeout: 2000 });
    // Same footing as the agent, whose MTP turns Nagle off.
    (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    const peer = new RawPeer(client);
    await client.subscribeAsync(filters, { qos: 1 });
    return peer;
  }

  /** The first message at index >= from that matches. */
  async waitFor(pred: (m: Received) => boolean, timeoutMs = 3000, from = 0): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.got.slice(from).find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching MQTT message within ${timeoutMs} ms; got ${this.got.map((m) => m.topic).join(', ')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.add(() => {
          clearTimeout(t);
          r();
        });
      });
      this.waiters.clear();
    }
  }

  publish(topic: string, payload: Uint8Array, opts: IClientPublishOptions = {}): Promise<unknown> {
    return this.client.publishAsync(topic, Buffer.from(payload), { qos: 1, ...opts });
  }

  end(): Promise<void> {
    return this.client.endAsync(true);
  }
}

function record(m: Received): DecodedRecord {
  return decodeRecord(new Uint8Array(m.payload));
}
function isConnectRecord(m: Received): boolean {
  try {
    return record(m).body.kind === 'mqttConnect';
  } catch {
    return false;
  }
}
function msgOf(m: Received): UspMsg {
  const r = record(m);
  if (r.body.kind !== 'noSessionContext') throw new Error(`expected a Msg record, got ${r.body.kind}`);
  return decodeMsg(r.body.payload);
}

let seq = 0;
function requestRecord(agentEid: string, request: Request, msgId = `mq-${++seq}`): { msgId: string; bytes: Uint8Array } {
  return { msgId, bytes: encodeRecord(noSessionContextRecord({ toId: agentEid, fromId: CONTROLLER_EID }, encodeMsg(requestMsg(msgId, request)))) };
}
const getEndpointId: Request = { reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } };

interface MqttAgentConfig {
  eid: string;
  version: '3.1.1' | '5.0';
  controllerTopic: string;
  subscription?: string;
  responseTopicConfigured?: string;
}

interface MqttAgent {
  agent: Agent;
  mqtt: StartedMqtt;
  dir: string;
  close(): Promise<void>;
}

/** Agent.start with LocalAgent.MTP.1 = MQTT over Device.MQTT.Client.1, from factory defaults. */
async function startMqttAgent(port: number, cfg: MqttAgentConfig): Promise<MqttAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'usp-agent-mqtt-'));
  // The configuration is the data model: the agent starts its MQTT MTP from these defaults.
  const agent = await Agent.start({
    defaults: mqttAgentDefaults({
      agentEid: cfg.eid,
      controllerEid: CONTROLLER_EID,
      controllerTopic: cfg.controllerTopic,
      brokerPort: port,
      version: cfg.version,
      subscription: cfg.subscription,
      responseTopicConfigured: cfg.responseTopicConfigured,
    }),
    dataDir: dir,
    platform: 'simulated',
    log: silentLogger,
    seed: 42,
    schema: testSchema(),
  });
  const mqtt = agent.controllerLinks.find((m) => m instanceof StartedMqtt);
  if (!(mqtt instanceof StartedMqtt)) throw new Error('no MQTT MTP started');
  return {
    agent,
    mqtt,
    dir,
    async close() {
      await mqtt.stop();
      await agent.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function readParam(agent: Agent, objPath: string, param: string): Promise<unknown> {
  const node = agent.model.requireNode(objPath.replace(/\.\d+\./g, '.{i}.'));
  const keys = [...objPath.matchAll(/\.(\d+)\./g)].map((m) => Number(m[1]));
  return (await agent.model.readValues({ node, keys }, {}))[param];
}

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** usp-js over MQTT, as it ships (its own connect, its own protobuf encoding). */
async function connectUspJsMqtt(port: number, agentEid: string, extra: Record<string, unknown>): Promise<{ device: USP; errors: unknown[] }> {
  const errors: unknown[] = [];
  const connect = build({ connectClient, decodeID: decodeId, loadProtobuf });
  const device = await connect(
    {
      host: '127.0.0.1',
      port,
      protocol: 'mqtt',
      username: '',
      password: '',
      fromId: CONTROLLER_EID,
      toId: agentEid,
      connectTimeout: 3000,
      closeOnDisconnect: true,
      ...extra,
    },
    { onError: (e) => errors.push(e) },
  );
  return { device, errors };
}

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.stop();
});

// ---------------------------------------------------------------------------------------------

describe('topic helpers and back-off', () => {
  it('encodes and decodes the 3.1.1 reply-to suffix (R-MQTT.24/25)', () => {
    const t = withReplyTo('usp/agents/a1', 'usp/controllers/c:1');
    expect(t).toBe('usp/agents/a1/reply-to=usp%2Fcontrollers%2Fc:1');
    expect(replyToOf(t)).toBe('usp/controllers/c:1');
    expect(replyToOf('usp/agents/a1')).toBeUndefined();
  });

  it('plans subscriptions without overlaps, reply-to last (R-MQTT.15)', () => {
    expect(filterCovers('a/#', 'a')).toBe(true);
    expect(filterCovers('a/+', 'a/#')).toBe(false);
    const v3 = planSubscriptions({ v5: false, configured: [{ topic: '/x', qos: 0 }], subscribeTopics: [], responseTopicConfigured: '/x', qos: 1 });
    expect(v3).toEqual({ filters: [{ topic: '/x/#', qos: 1 }], replyTo: '/x' });
    const v5 = planSubscriptions({ v5: true, configured: [{ topic: 'c/#', qos: 1 }], subscribeTopics: ['s/1'], responseInformation: 'c/ri', responseTopicConfigured: 'ignored', qos: 0 });
    expect(v5).toEqual({
      filters: [
        { topic: 'c/#', qos: 1 },
        { topic: 's/1', qos: 0 },
      ],
      replyTo: 'c/ri',
    });
  });

  it('waits by the ConnectRetry* windows, capped by ConnectRetryMaxInterval', () => {
    const p = { retryTime: 5, multiplier: 2000, maxInterval: 30 };
    expect(connectRetryWindow(1, p)).toEqual({ minMs: 5000, maxMs: 10000 });
    expect(connectRetryWindow(2, p)).toEqual({ minMs: 10000, maxMs: 20000 });
    expect(connectRetryWindow(3, p)).toEqual({ minMs: 20000, maxMs: 30000 });
    expect(connectRetryWindow(50, p)).toEqual({ minMs: 30000, maxMs: 30000 });
  });
});

describe('MQTT 5.0 against Mosquitto', () => {
  const EID = 'proto::agent-mqtt5';
  let observer: RawPeer;
  let a: MqttAgent;
  let announced: Received;

  beforeAll(async () => {
    observer = await RawPeer.connect(broker.port, 5, ['/usp/controller', '/test5/#']);
    a = await startMqttAgent(broker.port, { eid: EID, version: '5.0', subscription: '/usp/endpoint', controllerTopic: '/usp/controller' });
    announced = await observer.waitFor(isConnectRecord, 5000);
  }, 15_000);
  afterAll(async () => {
    await observer?.end();
    await a?.close();
  });

  it('announces itself with an MQTTConnectRecord (V5, subscribed topic) on the controller topic', () => {
    const r = record(announced);
    expect(announced.topic).toBe('/usp/controller');
    expect(r.toId).toBe(CONTROLLER_EID);
    expect(r.fromId).toBe(EID);
    expect(r.body).toEqual({ kind: 'mqttConnect', version: 'V5', subscribedTopic: '/usp/endpoint' });
    expect(announced.props?.contentType).toBe('usp.msg');
    expect(announced.props?.responseTopic).toBe('/usp/endpoint');
  });

  it('keeps no outgoing Topic Alias cache although the broker allows aliases: it never sends one, nor the spent CONNACK timer (issue 14: memory per fleet gateway)', async () => {
    // The MTP's MQTT.js client (private: what is checked is MQTT.js's own state).
    const client = (a.mqtt.client as unknown as { client: { topicAliasSend?: unknown; connackTimer?: unknown; connected: boolean } }).client;
    await until(() => client.connected, 3000, 'connected');
    // Mosquitto offers 10 aliases by default: MQTT.js made the cache, the MTP dropped it.
    expect(client.topicAliasSend).toBeUndefined();
    expect(client.connackTimer).toBeNull();
    // Publishing still works without it (the answer below goes out on the Response Topic).
    const { msgId, bytes } = requestRecord(EID, getEndpointId);
    const from = observer.got.length;
    await observer.publish('/usp/endpoint', bytes, { properties: { responseTopic: '/test5/reply-alias', contentType: 'usp.msg' } });
    const m = await observer.waitFor((x) => x.topic === '/test5/reply-alias', 3000, from);
    expect(msgOf(m).header.msgId).toBe(msgId);
  });

  it('saves the broker-assigned ClientId into Device.MQTT.Client.1.ClientID and shows ResponseTopicDiscovered', async () => {
    await until(async () => String(await readParam(a.agent, 'Device.MQTT.Client.1.', 'ClientID')).length > 0, 2000, 'ClientID');
    const saved = String(await readParam(a.agent, 'Device.MQTT.Client.1.', 'ClientID'));
    expect(saved).toBe(a.mqtt.client.clientId);
    expect(saved).toMatch(/^auto-/);
    await until(async () => (await readParam(a.agent, 'Device.LocalAgent.MTP.1.MQTT.', 'ResponseTopicDiscovered')) === '/usp/endpoint', 2000, 'ResponseTopicDiscovered');
  });

  it("answers on the request's Response Topic with Content Type usp.msg and its own reply-to", async () => {
    const { msgId, bytes } = requestRecord(EID, getEndpointId);
    const from = observer.got.length;
    await observer.publish('/usp/endpoint', bytes, { properties: { responseTopic: '/test5/reply-a', contentType: 'usp.msg' } });
    const m = await observer.waitFor((x) => x.topic === '/test5/reply-a', 3000, from);
    expect(msgOf(m).header.msgId).toBe(msgId);
    expect(m.props?.contentType).toBe('usp.msg');
    expect(m.props?.responseTopic).toBe('/usp/endpoint');
    // Only there: nothing went to the controller topic.
    expect(observer.got.slice(from).filter((x) => x.topic === '/usp/controller')).toHaveLength(0);
  });

  it('accepts Content Type application/vnd.bbf.usp.msg and ignores other content types', async () => {
    const ok = requestRecord(EID, getEndpointId);
    const other = requestRecord(EID, getEndpointId);
    const from = observer.got.length;
    await observer.publish('/usp/endpoint', other.bytes, { properties: { responseTopic: '/test5/reply-b', contentType: 'text/plain' } });
    await observer.publish('/usp/endpoint', ok.bytes, { properties: { responseTopic: '/test5/reply-b', contentType: 'application/vnd.bbf.usp.msg' } });
    const m = await observer.waitFor((x) => x.topic === '/test5/reply-b', 3000, from);
    expect(msgOf(m).header.msgId).toBe(ok.msgId);
    await new Promise((r) => setTimeout(r, 200));
    expect(observer.got.slice(from).filter((x) => x.topic === '/test5/reply-b')).toHaveLength(1);
  });

  it('connectionFor(controller) publishes to Controller.1.MTP.1.MQTT.Topic', async () => {
    const conn = a.mqtt.connectionFor(CONTROLLER_EID)!;
    expect(conn.open).toBe(true);
    expect(a.mqtt.connectionFor('proto::nobody')).toBeUndefined();
    const from = observer.got.length;
    const bytes = encodeRecord(mqttConnectRecord({ toId: CONTROLLER_EID, fromId: EID }, 'V5', 'marker'));
    expect(conn.send(bytes)).toBe(true);
    const m = await observer.waitFor((x) => x.topic === '/usp/controller', 2000, from);
    expect(record(m).body).toMatchObject({ subscribedTopic: 'marker' });
  });

  it('usp-js (MQTT 5, no Response Topic) drives get/set/add/del/supportedProto', async () => {
    const { device } = await connectUspJsMqtt(broker.port, EID, { protocolVersion: 5 });
    try {
      await expect(device.get('Device.LocalAgent.EndpointID')).resolves.toBe(EID);
      await expect(device.supportedProto('1.3,1.4' as '1.4')).resolves.toEqual(['1.3', '1.4']);
      await expect(device.set('Device.WiFi.SSID.1.SSID', 'over-mqtt')).resolves.toEqual([{ affectedPath: 'Device.WiFi.SSID.1.', updatedParams: { SSID: 'over-mqtt' } }]);
      await expect(device.get('Device.WiFi.SSID.1.SSID')).resolves.toBe('over-mqtt');
      const added = (await device.add('Device.LocalAgent.Subscription.', { ID: 'mqtt-sub', NotifType: 'ValueChange', ReferenceList: 'Device.DeviceInfo.HostName' })) as unknown as string;
      expect(added).toMatch(/^Device\.LocalAgent\.Subscription\.\d+\.$/);
      await expect(device.get(`${added}ID`)).resolves.toBe('mqtt-sub');
      await expect(device.del(added)).resolves.toEqual([added]);
      await expect(device.get(`${added}ID`)).rejects.toMatchObject({ errCode: 7026 });
      await expect(device.get('Device.MQTT.Client.1.BrokerPort')).resolves.toBe(String(broker.port));
      await expect(device.get('Device.MQTT.Capabilities.ProtocolVersionsSupported')).resolves.toBe('3.1.1,5.0');
      await expect(device.get('Device.MQTT.ClientNumberOfEntries')).resolves.toBe('1');
      await expect(device.get('Device.MQTT.Client.1.Subscription.1.Topic')).resolves.toBe('/usp/endpoint');
      // ProtocolVersion is an enumerationRef to Capabilities.ProtocolVersionsSupported.
      const refused = await device.set('Device.MQTT.Client.1.ProtocolVersion', '3.1').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toMatchObject({ errCode: 7021, updatedInstFailures: [{ paramErrs: [{ param: 'ProtocolVersion', errCode: 7012 }] }] });
    } finally {
      await device.disconnect();
    }
  }, 15_000);

  it('survives garbage on its topic and keeps answering', async () => {
    const from = observer.got.length;
    await observer.publish('/usp/endpoint', Buffer.from('not a usp record \x00\xff\x10'), { properties: { responseTopic: '/test5/garbage' } });
    await observer.publish('/usp/endpoint', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
    await observer.publish('/usp/endpoint', Buffer.alloc(0), { properties: { responseTopic: '/test5/garbage' } });
    const { msgId, bytes } = requestRecord(EID, getEndpointId);
    await observer.publish('/usp/endpoint', bytes, { properties: { responseTopic: '/test5/garbage' } });
    const answers = () => observer.got.slice(from).filter((x) => x.topic === '/test5/garbage');
    const m = await observer.waitFor((x) => x.topic === '/test5/garbage', 3000, from);
    expect(msgOf(m).header.msgId).toBe(msgId);
    expect(answers()).toHaveLength(1);
    expect(a.mqtt.client.connected).toBe(true);
  });

  it('broker restart: reconnects within the back-off window, resubscribes, announces again, answers', async () => {
    const clientId = a.mqtt.client.clientId;
    const from = observer.got.length;
    const t0 = Date.now();
    await broker.restart();
    const again = await observer.waitFor(isConnectRecord, 6000, from);
    const took = again.at - t0;
    // First retry waits within [ConnectRetryTime, ConnectRetryTime * 2] = [1 s, 2 s], never at once.
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(3000);
    expect(record(again).body).toEqual({ kind: 'mqttConnect', version: 'V5', subscribedTopic: '/usp/endpoint' });
    // R-MQTT.11: the same (assigned) ClientId again.
    expect(a.mqtt.client.clientId).toBe(clientId);
    const { msgId, bytes } = requestRecord(EID, getEndpointId);
    await observer.publish('/usp/endpoint', bytes, { properties: { responseTopic: '/test5/after-restart' } });
    const m = await observer.waitFor((x) => x.topic === '/test5/after-restart', 3000, from);
    expect(msgOf(m).header.msgId).toBe(msgId);
  }, 15_000);

  it('round trip of a one-parameter Get, 32 in flight, vs a bare MQTT echo (logged, not asserted)', async () => {
    const N = 2000;
    const echo = await RawPeer.connect(broker.port, 5, ['/bench/echo']);
    echo.client.on('message', (_t, payload, packet) => {
      const to = packet.properties?.responseTopic;
      if (to) echo.client.publish(to, payload, { qos: 1 });
    });
    const viaAgent = (n: number, tag: string) =>
      pipeline(
        broker.port,
        n,
        32,
        '/usp/endpoint',
        '/test5/bench-agent',
        (i) => requestRecord(EID, getEndpointId, `${tag}-${i}`).bytes,
        (m) => msgOf(m).header.msgId.slice(tag.length + 1),
      );
    const viaEcho = (n: number) =>
      pipeline(
        broker.port,
        n,
        32,
        '/bench/echo',
        '/test5/bench-echo',
        (i) => Buffer.from(`echo-${i}`),
        (m) => m.payload.toString().slice('echo-'.length),
      );
    // Warm both paths up (JIT), then alternate so background load hits both alike.
    await viaAgent(300, 'warm');
    await viaEcho(300);
    const runs: { agent: PipelineStats; echo: PipelineStats }[] = [];
    for (let k = 0; k < 2; k++) runs.push({ agent: await viaAgent(N, `bench${k}`), echo: await viaEcho(N) });
    await echo.end();
    const fmt = (s: PipelineStats): string => `mean ${s.meanMs.toFixed(2)} ms p50 ${s.p50.toFixed(2)} p99 ${s.p99.toFixed(2)} ${s.perSec.toFixed(0)}/s`;
    for (const r of runs) {
      console.log(
        `[mqtt bench] one-parameter Get, ${N} requests, 32 in flight, QoS 1, via Mosquitto, all clients in this process: ` +
          `agent ${fmt(r.agent)} | bare echo ${fmt(r.echo)} | ratio agent/echo ${(r.agent.meanMs / r.echo.meanMs).toFixed(2)}`,
      );
    }
    expect(runs.every((r) => r.agent.count === N)).toBe(true);
  }, 30_000);
});

interface PipelineStats {
  count: number;
  meanMs: number;
  p50: number;
  p99: number;
  perSec: number;
}

/** Sends `total` requests keeping `window` in flight; returns round-trip statistics. */
async function pipeline(port: number, total: number, window: number, topic: string, replyTopic: string, make: (i: number) => Uint8Array, idOf: (m: Received) => string): Promise<PipelineStats> {
  const peer = await RawPeer.connect(port, 5, [replyTopic]);
  const sentAt = new Map<string, number>();
  const rtts: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pipeline stalled at ${rtts.length}/${total}`)), 20_000);
    const send = (): void => {
      const i = next++;
      sentAt.set(String(i), performance.now());
      peer.client.publish(topic, Buffer.from(make(i)), { qos: 1, properties: { responseTopic: replyTopic } });
    };
    peer.client.on('message', (t, payload, packet) => {
      const id = idOf({ topic: t, payload, props: packet.properties, at: 0 });
      const at = sentAt.get(id);
      if (at === undefined) return;
      sentAt.delete(id);
      rtts.push(performance.now() - at);
      if (rtts.length === total) {
        clearTimeout(timer);
        resolve();
        return;
      }
      if (next < total) send();
    });
    for (let i = 0; i < window && next < total; i++) send();
  });
  const elapsed = performance.now() - t0;
  await peer.end();
  rtts.sort((x, y) => x - y);
  return {
    count: rtts.length,
    meanMs: rtts.reduce((s, x) => s + x, 0) / rtts.length,
    p50: rtts[Math.floor(rtts.length * 0.5)],
    p99: rtts[Math.floor(rtts.length * 0.99)],
    perSec: (total / elapsed) * 1000,
  };
}

describe('MQTT 3.1.1 against Mosquitto', () => {
  const EID = 'proto::agent-mqtt311';
  let observer: RawPeer;
  let a: MqttAgent;
  let announced: Received;

  beforeAll(async () => {
    observer = await RawPeer.connect(broker.port, 4, ['/usp311/controller/#', '/test311/#']);
    // R-MQTT.16: 3.1.1 has no CONNACK subscribe-topic, so a Subscription row is what the agent listens on.
    a = await startMqttAgent(broker.port, { eid: EID, version: '3.1.1', subscription: '/usp311/agent/#', responseTopicConfigured: '/usp311/agent', controllerTopic: '/usp311/controller' });
    announced = await observer.waitFor(isConnectRecord, 5000);
  }, 15_000);
  afterAll(async () => {
    await observer?.end();
    await a?.close();
  });

  it('announces with version V3_1_1 and its reply-to in the topic name; ClientId is the Endpoint ID', () => {
    expect(announced.topic).toBe('/usp311/controller/reply-to=%2Fusp311%2Fagent');
    expect(record(announced).body).toEqual({ kind: 'mqttConnect', version: 'V3_1_1', subscribedTopic: '/usp311/agent' });
    expect(a.mqtt.client.clientId).toBe(EID);
  });

  it('answers on the decoded /reply-to= topic, adding its own reply-to', async () => {
    const { msgId, bytes } = requestRecord(EID, getEndpointId);
    const from = observer.got.length;
    await observer.publish(withReplyTo('/usp311/agent', '/test311/r1'), bytes);
    const m = await observer.waitFor((x) => x.topic.startsWith('/test311/r1'), 3000, from);
    expect(m.topic).toBe('/test311/r1/reply-to=%2Fusp311%2Fagent');
    expect(msgOf(m).header.msgId).toBe(msgId);
  });

  it("a request without reply-to is answered on the sender's configured controller topic", async () => {
    const { msgId, bytes } = requestRecord(EID, getEndpointId);
    const from = observer.got.length;
    await observer.publish('/usp311/agent', bytes);
    const m = await observer.waitFor((x) => x.topic.startsWith('/usp311/controller') && !isConnectRecord(x), 3000, from);
    expect(msgOf(m).header.msgId).toBe(msgId);
  });

  it('usp-js (MQTT 3.1.1) drives get/set/supportedProto', async () => {
    const { device } = await connectUspJsMqtt(broker.port, EID, { publishEndpoint: '/usp311/agent', subscribeEndpoint: '/usp311/controller/#' });
    try {
      await expect(device.get('Device.LocalAgent.EndpointID')).resolves.toBe(EID);
      await expect(device.supportedProto('1.3,1.4' as '1.4')).resolves.toEqual(['1.3', '1.4']);
      await expect(device.set('Device.DeviceInfo.HostName', 'mqtt311')).resolves.toEqual([{ affectedPath: 'Device.DeviceInfo.', updatedParams: { HostName: 'mqtt311' } }]);
      await expect(device.get('Device.MQTT.Client.1.ProtocolVersion')).resolves.toBe('3.1.1');
    } finally {
      await device.disconnect();
    }
  }, 15_000);

  it('survives garbage with and without reply-to', async () => {
    await observer.publish(withReplyTo('/usp311/agent', '/test311/g'), Buffer.from('garbage'));
    await observer.publish('/usp311/agent', Buffer.from([0xff, 0xff, 0xff]));
    const { msgId, bytes } = requestRecord(EID, getEndpointId);
    const from = observer.got.length;
    await observer.publish(withReplyTo('/usp311/agent', '/test311/g'), bytes);
    const m = await observer.waitFor((x) => x.topic.startsWith('/test311/g'), 3000, from);
    expect(msgOf(m).header.msgId).toBe(msgId);
  });
});

describe('MqttClientMtp edge cases', () => {
  const base = (port: number, over: Partial<MqttClientMtpOptions> = {}): MqttClientMtpOptions => ({
    brokerAddress: '127.0.0.1',
    brokerPort: port,
    protocolVersion: '5.0',
    transport: 'TCP/IP',
    clientId: '',
    keepAliveTime: 30,
    connectRetryTime: 1,
    connectRetryIntervalMultiplier: 2000,
    connectRetryMaxInterval: 4,
    subscriptions: [],
    responseTopicConfigured: '',
    publishQoS: 0,
    agentEndpointId: 'proto::edge',
    controllers: [{ endpointId: CONTROLLER_EID, topic: '/edge/controller' }],
    connectRecord: (v, t, to) => encodeRecord(mqttConnectRecord({ toId: to, fromId: 'proto::edge' }, v, t)),
    onRecord: () => undefined,
    log,
    ...over,
  });

  it('no topic at all: disconnects and stays disabled (R-MQTT.16)', async () => {
    const mtp = new MqttClientMtp(base(broker.port));
    try {
      await mtp.start();
      await until(() => mtp.status === 'Error_Misconfigured', 3000, 'Error_Misconfigured');
      await new Promise((r) => setTimeout(r, 1500));
      expect(mtp.status).toBe('Error_Misconfigured');
      expect(mtp.connected).toBe(false);
    } finally {
      await mtp.stop();
    }
  });

  it('sends usp-endpoint-id and Request Response Information; uses CONNACK Response Information and subscribe-topic', async () => {
    const fake = await FakeBroker.start({
      assignedClientIdentifier: 'assigned-by-fake',
      responseInformation: 'ri/agent-edge',
      userProperties: { 'subscribe-topic': ['st/one', 'st/two'] },
    });
    const assigned: string[] = [];
    const mtp = new MqttClientMtp(base(fake.port, { subscriptions: [{ topic: 'conf/agent', qos: 1 }], responseTopicConfigured: 'not/used', onClientIdAssigned: (id) => assigned.push(id) }));
    try {
      await mtp.start();
      await until(() => fake.publishes.length > 0, 3000, 'a PUBLISH at the fake broker');
      const connect = fake.connect!;
      expect(connect.clientId).toBe('');
      expect(connect.properties?.requestResponseInformation).toBe(true);
      expect(connect.properties?.userProperties).toEqual({ 'usp-endpoint-id': 'proto::edge' });
      expect(assigned).toEqual(['assigned-by-fake']);
      expect(mtp.clientId).toBe('assigned-by-fake');
      expect(fake.subscriptions).toEqual(['conf/agent', 'st/one', 'st/two', 'ri/agent-edge']);
      expect(mtp.responseTopicDiscovered).toBe('ri/agent-edge');
      const pub = fake.publishes[0];
      expect(pub.topic).toBe('/edge/controller');
      expect(pub.properties).toMatchObject({ responseTopic: 'ri/agent-edge', contentType: 'usp.msg' });
      expect(decodeRecord(new Uint8Array(pub.payload as Buffer)).body).toEqual({ kind: 'mqttConnect', version: 'V5', subscribedTopic: 'ri/agent-edge' });
    } finally {
      await mtp.stop();
      await fake.stop();
    }
  });
});

/** Just enough of an MQTT 5 broker to see the CONNECT and answer with chosen CONNACK properties. */
class FakeBroker {
  connect?: mqttPacket.IConnectPacket;
  readonly subscriptions: string[] = [];
  readonly publishes: mqttPacket.IPublishPacket[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(connack: NonNullable<mqttPacket.IConnackPacket['properties']>): Promise<FakeBroker> {
    let self: FakeBroker | undefined;
    const server = createServer((sock) => {
      self!.sockets.add(sock);
      const parser = mqttPacket.parser({ protocolVersion: 5 });
      const send = (p: mqttPacket.Packet): void => {
        sock.write(mqttPacket.generate(p, { protocolVersion: 5 }));
      };
      parser.on('packet', (p: mqttPacket.Packet) => {
        if (p.cmd === 'connect') {
          self!.connect = p;
          send({ cmd: 'connack', sessionPresent: false, reasonCode: 0, properties: connack });
        }
        if (p.cmd === 'subscribe') {
          self!.subscriptions.push(...p.subscriptions.map((s) => s.topic));
          send({ cmd: 'suback', messageId: p.messageId!, granted: p.subscriptions.map((s) => s.qos) });
        }
        if (p.cmd === 'publish') self!.publishes.push(p);
        if (p.cmd === 'pingreq') send({ cmd: 'pingresp' });
      });
      sock.on('data', (d) => parser.parse(d));
      sock.on('error', () => undefined);
      sock.on('close', () => self!.sockets.delete(sock));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const addr = server.address();
    self = new FakeBroker(server, typeof addr === 'object' && addr ? addr.port : 0);
    return self;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
