/**
 * TP-469 MQTT cases 11.1, 11.9 and 11.10 against a real Mosquitto and the real agent
 * (Agent.start), configured only through TR-181 and driven by a controller over MQTT (or, where
 * the MQTT MTP is down by design, over the agent's WebSocket server).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../agent/Agent.js';
import { decodeMsg, encodeMsg, requestMsg } from '../../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord } from '../../agent/codec/record.js';
import type { Request, Response, UspMsg } from '../../agent/codec/types.js';
import { StartedMqtt } from '../../agent/transports/start-mqtt.js';
import { silentLogger } from '../../datamodel/Logger.js';
import { UNKNOWN_TIME } from '../../datamodel/value/Value.js';
import { startAgent, testSchema, type AgentFixture } from '../peers/agent-fixture.js';
import { startMosquitto, type Mosquitto } from '../peers/mosquitto.js';
import { mqttAgentDefaults } from '../peers/mqtt-agent-defaults.js';
import { asResponse, waitForNotification } from '../peers/TestController.js';

const CONTROLLER_EID = 'proto::controller-tp469';
const C = 'Device.MQTT.Client.1.';

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A controller on MQTT 5: publishes requests to an agent topic and collects the responses on its own reply topic. */
class MqttController {
  private readonly answers = new Map<string, UspMsg>();
  private seq = 0;
  private constructor(
    private readonly client: MqttClient,
    private readonly agentEid: string,
    readonly replyTopic: string,
  ) {
    client.on('message', (_t, payload) => {
      try {
        const r = decodeRecord(new Uint8Array(payload));
        if (r.body.kind === 'noSessionContext') {
          const m = decodeMsg(r.body.payload);
          this.answers.set(m.header.msgId, m);
        }
      } catch {
        /* not a Msg record */
      }
    });
  }

  static async connect(port: number, agentEid: string, replyTopic: string): Promise<MqttController> {
    const client = await connectAsync({ host: '127.0.0.1', port, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 2000 });
    await client.subscribeAsync(replyTopic, { qos: 1 });
    return new MqttController(client, agentEid, replyTopic);
  }

  /** Publishes `request` on `topic`; returns its msg_id. */
  async publish(topic: string, request: Request): Promise<string> {
    const msgId = `tp469-${++this.seq}`;
    const bytes = encodeRecord(noSessionContextRecord({ toId: this.agentEid, fromId: CONTROLLER_EID }, encodeMsg(requestMsg(msgId, request))));
    await this.client.publishAsync(topic, Buffer.from(bytes), { qos: 1, properties: { responseTopic: this.replyTopic, contentType: 'usp.msg' } });
    return msgId;
  }

  answered(msgId: string): boolean {
    return this.answers.has(msgId);
  }

  async send(topic: string, request: Request): Promise<Response> {
    const msgId = await this.publish(topic, request);
    return asResponse(await until(() => this.answers.get(msgId), 5000, `the answer to ${msgId}`));
  }

  /** Get of `path` as a map of full parameter path → value. */
  async get(topic: string, path: string): Promise<Record<string, string>> {
    const r = await this.send(topic, { reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } });
    if (r.respType !== 'getResp') throw new Error(`expected a GetResp, got ${r.respType}`);
    const out: Record<string, string> = {};
    for (const req of r.getResp.reqPathResults) {
      if (req.errCode) throw new Error(`Get ${path}: ${req.errCode} ${req.errMsg ?? ''}`);
      for (const res of req.resolvedPathResults ?? []) for (const [k, v] of Object.entries(res.resultParams)) out[res.resolvedPath + k] = v;
    }
    return out;
  }

  end(): Promise<void> {
    return this.client.endAsync(true);
  }
}

const set = (objPath: string, param: string, value: string): Request => ({
  reqType: 'set',
  set: { allowPartial: false, updateObjs: [{ objPath, paramSettings: [{ param, value, required: true }] }] },
});

let broker: Mosquitto;
// log_type notice: Mosquitto logs each client's connect and how it left ("disconnected" = DISCONNECT sent).
beforeAll(async () => {
  broker = await startMosquitto({ extraConfig: ['log_type notice'] });
});
afterAll(async () => {
  await broker?.stop();
});

const brokerLines = (clientId: string, what: RegExp): string[] => broker.output.filter((l) => l.includes(clientId) && what.test(l));
const CONNECTED = /New client connected/;

describe('MQTT 5.0 agent with a Subscription row, driven over MQTT', () => {
  const EID = 'proto::agent-tp469';
  const AGENT_TOPIC = '/tp469/agent';
  let agent: Agent;
  let dir: string;
  let ctl: MqttController;
  const mqtt = (): StartedMqtt => {
    const m = agent.controllerLinks.find((x): x is StartedMqtt => x instanceof StartedMqtt);
    if (!m) throw new Error('no MQTT MTP running');
    return m;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'usp-agent-tp469-'));
    agent = await Agent.start({
      defaults: mqttAgentDefaults({ agentEid: EID, controllerEid: CONTROLLER_EID, controllerTopic: '/tp469/controller', brokerPort: broker.port, version: '5.0', subscription: AGENT_TOPIC }),
      dataDir: dir,
      platform: 'simulated',
      log: silentLogger,
      seed: 42,
      schema: testSchema(),
    });
    ctl = await MqttController.connect(broker.port, EID, '/tp469/reply');
    await until(() => (mqtt().client.connected ? true : undefined), 5000, 'the agent to subscribe');
  }, 15_000);
  afterAll(async () => {
    await ctl?.end();
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('TP-469 11.1: Device.MQTT.Client.1. serves Status, MessageRetryTime, ResponseInformation and Stats live', async () => {
    const before = Date.now();
    const v = await ctl.get(AGENT_TOPIC, C);
    expect(v[`${C}Status`]).toBe('Connected');
    // Mosquitto sends no Response Information.
    expect(v[`${C}ResponseInformation`]).toBe('');
    expect(v[`${C}MessageRetryTime`]).toBe('5');
    const established = v[`${C}Stats.BrokerConnectionEstablished`];
    expect(established).not.toBe(UNKNOWN_TIME);
    expect(Date.parse(established)).toBeLessThanOrEqual(before);
    // At least the MQTTConnectRecord went out and this Get came in.
    expect(Number(v[`${C}Stats.PublishSent`])).toBeGreaterThanOrEqual(1);
    expect(Number(v[`${C}Stats.PublishReceived`])).toBeGreaterThanOrEqual(1);
    expect(v[`${C}Stats.LastPublishMessageSent`]).not.toBe(UNKNOWN_TIME);
    expect(v[`${C}Stats.LastPublishMessageReceived`]).not.toBe(UNKNOWN_TIME);
    expect(Number(v[`${C}Stats.SubscribeSent`])).toBe(1);
    expect(v[`${C}Stats.UnSubscribeSent`]).toBe('0');
    // CONNECT + SUBSCRIBE + the publishes (and their PUBACKs at QoS 1): more than the publishes alone.
    expect(Number(v[`${C}Stats.MQTTMessagesSent`])).toBeGreaterThan(Number(v[`${C}Stats.PublishSent`]));
    expect(Number(v[`${C}Stats.MQTTMessagesReceived`])).toBeGreaterThan(Number(v[`${C}Stats.PublishReceived`]));
    expect(v[`${C}Stats.ConnectionErrors`]).toBe('0');
    expect(v[`${C}Stats.PublishErrors`]).toBe('0');
    // Live: the next Get has counted the previous exchange.
    const again = await ctl.get(AGENT_TOPIC, `${C}Stats.`);
    expect(Number(again[`${C}Stats.PublishReceived`])).toBeGreaterThan(Number(v[`${C}Stats.PublishReceived`]));
    expect(Number(again[`${C}Stats.PublishSent`])).toBeGreaterThan(Number(v[`${C}Stats.PublishSent`]));
  });

  it('TP-469 11.1: GetSupportedDM of Device.MQTT. and Device.LocalAgent. lists every parameter of the MQTT profiles', async () => {
    // TR-181 MQTTClientCon:1, MQTTClientBase:1, MQTTClientSubscribe:1, MQTTAgent:1, MQTTController:2.
    const required: Record<string, string[]> = {
      'Device.MQTT.': ['ClientNumberOfEntries'],
      'Device.MQTT.Capabilities.': ['ProtocolVersionsSupported', 'TransportProtocolSupported'],
      'Device.MQTT.Client.{i}.': [
        'Enable',
        'Status',
        'ProtocolVersion',
        'BrokerAddress',
        'BrokerPort',
        'CleanSession',
        'KeepAliveTime',
        'Name',
        'ClientID',
        'Username',
        'Password',
        'TransportProtocol',
        'MessageRetryTime',
        'ConnectRetryTime',
        'ConnectRetryIntervalMultiplier',
        'ConnectRetryMaxInterval',
        'ResponseInformation',
        'SubscriptionNumberOfEntries',
      ],
      'Device.MQTT.Client.{i}.Stats.': ['BrokerConnectionEstablished', 'MQTTMessagesSent', 'MQTTMessagesReceived', 'ConnectionErrors'],
      'Device.MQTT.Client.{i}.Subscription.{i}.': ['Topic', 'QoS', 'Enable'],
      'Device.LocalAgent.MTP.{i}.MQTT.': ['Reference', 'ResponseTopicConfigured', 'ResponseTopicDiscovered'],
      'Device.LocalAgent.Controller.{i}.MTP.{i}.MQTT.': ['AgentMTPReference', 'Topic'],
    };
    const r = await ctl.send(AGENT_TOPIC, {
      reqType: 'getSupportedDm',
      getSupportedDm: { objPaths: ['Device.MQTT.', 'Device.LocalAgent.'], firstLevelOnly: false, returnCommands: false, returnEvents: false, returnParams: true, returnUniqueKeySets: false },
    });
    if (r.respType !== 'getSupportedDmResp') throw new Error(`expected a GetSupportedDMResp, got ${r.respType}`);
    const supported = new Map<string, string[]>();
    for (const req of r.getSupportedDmResp.reqObjResults) {
      for (const o of req.supportedObjs ?? [])
        supported.set(
          o.supportedObjPath,
          (o.supportedParams ?? []).map((p) => p.paramName),
        );
    }
    for (const [obj, params] of Object.entries(required)) expect({ obj, params: supported.get(obj) ?? [] }).toEqual({ obj, params: expect.arrayContaining(params) });
  });

  it('TP-469 11.9: adding, disabling, enabling and deleting a Subscription row (UN)SUBSCRIBEs on the live session', async () => {
    const NEW = '/tp469/new-topic';
    const clientId = mqtt().client.clientId;
    const running = mqtt();
    const stat = async (name: string): Promise<number> => Number((await ctl.get(AGENT_TOPIC, `${C}Stats.${name}`))[`${C}Stats.${name}`]);
    const subscribes = await stat('SubscribeSent');
    const unsubscribes = await stat('UnSubscribeSent');
    const getHostName: Request = { reqType: 'get', get: { paramPaths: ['Device.DeviceInfo.HostName'], maxDepth: 0 } };
    /** Waits until the agent reports `name` at `n`: the packet left on the session the Get's answer then follows. */
    const waitStat = (name: string, n: number): Promise<true> => until(async () => ((await stat(name)) === n ? true : undefined), 3000, `Stats.${name} = ${n}`);
    /** A request on NEW, then one on the agent's own topic: once the second is answered, the first was delivered or never will be. */
    const reachesNew = async (): Promise<boolean> => {
      const onNew = await ctl.publish(NEW, getHostName);
      await ctl.send(AGENT_TOPIC, getHostName);
      return ctl.answered(onNew);
    };

    const added = await ctl.send(AGENT_TOPIC, {
      reqType: 'add',
      add: {
        allowPartial: false,
        createObjs: [
          {
            objPath: `${C}Subscription.`,
            paramSettings: [
              { param: 'Enable', value: 'true', required: true },
              { param: 'Topic', value: NEW, required: true },
            ],
          },
        ],
      },
    });
    if (added.respType !== 'addResp') throw new Error(`expected an AddResp, got ${added.respType}`);
    const status = added.addResp.createdObjResults[0].operStatus;
    if (status.operStatus !== 'operSuccess') throw new Error(`Add failed: ${JSON.stringify(status)}`);
    const row = status.operSuccess.instantiatedPath;
    expect(row).toBe(`${C}Subscription.2.`);
    await waitStat('SubscribeSent', subscribes + 1);
    expect(await ctl.send(NEW, getHostName)).toMatchObject({ respType: 'getResp' });
    // Once the broker delivered on NEW, its SUBACK had come back.
    expect((await ctl.get(AGENT_TOPIC, `${row}Status`))[`${row}Status`]).toBe('Subscribed');

    await ctl.send(AGENT_TOPIC, set(row, 'Enable', 'false'));
    await waitStat('UnSubscribeSent', unsubscribes + 1);
    expect(await reachesNew()).toBe(false);
    expect((await ctl.get(AGENT_TOPIC, `${row}Status`))[`${row}Status`]).toBe('Unsubscribed');

    await ctl.send(AGENT_TOPIC, set(row, 'Enable', 'true'));
    await waitStat('SubscribeSent', subscribes + 2);
    expect(await reachesNew()).toBe(true);

    await ctl.send(AGENT_TOPIC, { reqType: 'delete', delete: { allowPartial: false, objPaths: [row] } });
    await waitStat('UnSubscribeSent', unsubscribes + 2);
    expect(await reachesNew()).toBe(false);

    // One session all along: the same MTP, connected once, never DISCONNECTed.
    expect(mqtt()).toBe(running);
    expect(brokerLines(clientId, CONNECTED)).toHaveLength(1);
    expect(brokerLines(clientId, /disconnected|closed its connection/)).toHaveLength(0);
  });
});

describe('TP-469 11.10: no Subscription row and no subscribe-topic in the CONNACK', () => {
  let f: AgentFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  it('DISCONNECTs and keeps the MTP disabled (R-MQTT.16); adding a Subscription row connects again', async () => {
    const clientId = 'tp469-no-topic';
    f = await startAgent({
      extra: {
        'Device.LocalAgent.MTP.2.Enable': true,
        'Device.LocalAgent.MTP.2.Protocol': 'MQTT',
        'Device.LocalAgent.MTP.2.MQTT.Reference': 'Device.MQTT.Client.1',
        // A reply-to topic alone is not a subscription topic in R-MQTT.16.
        'Device.LocalAgent.MTP.2.MQTT.ResponseTopicConfigured': '/tp469/no-topic/agent',
        [`${C}Enable`]: true,
        [`${C}BrokerAddress`]: '127.0.0.1',
        [`${C}BrokerPort`]: broker.port,
        [`${C}ProtocolVersion`]: '5.0',
        [`${C}ClientID`]: clientId,
        [`${C}ConnectRetryTime`]: 1,
      },
    });
    const status = async (): Promise<string> => {
      const r = asResponse(await f!.controller.send({ reqType: 'get', get: { paramPaths: [`${C}Status`], maxDepth: 0 } }));
      if (r.respType !== 'getResp') throw new Error(`expected a GetResp, got ${r.respType}`);
      return r.getResp.reqPathResults[0].resolvedPathResults?.[0]?.resultParams.Status ?? '';
    };
    // Mosquitto logs "Client <id> disconnected." for a DISCONNECT packet, "closed its connection" for a bare close.
    await until(() => (brokerLines(clientId, /Client \S+ disconnected/).length === 1 ? true : undefined), 5000, "the agent's DISCONNECT");
    expect(brokerLines(clientId, /closed its connection/)).toHaveLength(0);
    expect(await status()).toBe('Error_Misconfigured');
    expect(brokerLines(clientId, CONNECTED)).toHaveLength(1);
    // Status is live, not stored: a ValueChange Subscription on it still hears of each change.
    const vc = asResponse(
      await f.controller.send({
        reqType: 'add',
        add: {
          allowPartial: false,
          createObjs: [
            {
              objPath: 'Device.LocalAgent.Subscription.',
              paramSettings: Object.entries({ Enable: 'true', ID: 'mqtt-status', NotifType: 'ValueChange', ReferenceList: `${C}Status` }).map(([param, value]) => ({ param, value, required: true })),
            },
          ],
        },
      }),
    );
    expect(vc.respType).toBe('addResp');

    const added = asResponse(
      await f.controller.send({
        reqType: 'add',
        add: {
          allowPartial: false,
          createObjs: [
            {
              objPath: `${C}Subscription.`,
              paramSettings: [
                { param: 'Enable', value: 'true', required: true },
                { param: 'Topic', value: '/tp469/no-topic/agent', required: true },
              ],
            },
          ],
        },
      }),
    );
    if (added.respType !== 'addResp' || added.addResp.createdObjResults[0].operStatus.operStatus !== 'operSuccess') throw new Error(`Add failed: ${JSON.stringify(added)}`);
    const row = added.addResp.createdObjResults[0].operStatus.operSuccess.instantiatedPath;
    await until(async () => ((await status()) === 'Connected' ? true : undefined), 5000, 'Status Connected');
    expect(brokerLines(clientId, CONNECTED)).toHaveLength(2);
    const connectedNotify = await waitForNotification(f.controller, (ns) =>
      ns.find((n) => n.notify.subscriptionId === 'mqtt-status' && n.notify.notification === 'valueChange' && n.notify.valueChange.paramValue === 'Connected'),
    );
    expect(connectedNotify.notify).toMatchObject({ valueChange: { paramPath: `${C}Status` } });

    // The last Subscription row deleted under a live session: DISCONNECT again, disabled again.
    expect(asResponse(await f.controller.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [row] } })).respType).toBe('deleteResp');
    await until(() => (brokerLines(clientId, /Client \S+ disconnected/).length === 2 ? true : undefined), 5000, 'the second DISCONNECT');
    expect(await status()).toBe('Error_Misconfigured');
    expect(brokerLines(clientId, /closed its connection/)).toHaveLength(0);
  }, 15_000);
});
