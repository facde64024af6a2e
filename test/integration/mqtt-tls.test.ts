/**
 * MQTT over TLS with mutual authentication (TR-181 Device.MQTT.Client.{i}.TransportProtocol "TLS";
 * TR-369 R-MQTT.48, R-MTP.1): a real Mosquitto with a TLS listener that requires client
 * certificates (test PKI: broker certificate for localhost/127.0.0.1, `use_identity_as_username`),
 * the real agent (Agent.start with --cert/--key/--ca) configured only through TR-181, and a raw
 * MQTT.js controller that also connects over TLS with its own certificate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IPublishPacket, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, type AgentTlsFiles } from '../../agent/Agent.js';
import { decodeMsg, encodeMsg, requestMsg } from '../../agent/codec/msg.js';
import { decodeRecord, encodeRecord, mqttConnectRecord, noSessionContextRecord } from '../../agent/codec/record.js';
import type { Request, UspMsg } from '../../agent/codec/types.js';
import { StartedMqtt } from '../../agent/transports/start-mqtt.js';
import { createLogger, silentLogger, type Logger } from '../../datamodel/Logger.js';
import { MqttClientMtp, type MqttClientMtpOptions } from '../../mtp/mqtt/MqttClientMtp.js';
import { MQTT_TLS_MIN_VERSION, mqttTlsConnectOptions } from '../../mtp/mqtt/mqtt-tls.js';
import { testSchema } from '../peers/agent-fixture.js';
import { startMosquitto, type Mosquitto } from '../peers/mosquitto.js';
import { TEST_AGENT_EID, TEST_CONTROLLER_1_EID, testPki, type TestPki } from '../peers/test-pki.js';
import { mqttAgentDefaults } from '../peers/mqtt-agent-defaults.js';

const AGENT_EID = TEST_AGENT_EID;
const CONTROLLER_EID = TEST_CONTROLLER_1_EID;
const AGENT_TOPIC = '/usp-tls/agent';
const CONTROLLER_TOPIC = '/usp-tls/controller';

interface Received {
  topic: string;
  payload: Buffer;
  props: IPublishPacket['properties'];
}
interface LogLine {
  at: number;
  line: string;
}

/** A logger that keeps every line (debug and up) with the time it was written. */
function captureLog(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    log: createLogger('debug', 'test', (_lvl, line) => {
      lines.push({ at: Date.now(), line });
    }),
  };
}

/** A controller on the broker's TLS listener with its own certificate (MQTT 5). */
class TlsController {
  readonly got: Received[] = [];
  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => this.got.push({ topic, payload, props: packet.properties }));
  }

  static async connect(pki: TestPki, port: number): Promise<TlsController> {
    const client = await connectAsync({
      protocol: 'mqtts',
      host: '127.0.0.1',
      port,
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 3000,
      ca: pki.ca.cert,
      cert: pki.controller1.cert,
      key: pki.controller1.key,
    });
    const c = new TlsController(client);
    await client.subscribeAsync([CONTROLLER_TOPIC, '/usp-tls/replies/#'], { qos: 1 });
    return c;
  }

  async waitFor(pred: (m: Received) => boolean, timeoutMs = 5000, from = 0): Promise<Received> {
    await until(() => this.got.slice(from).some(pred), timeoutMs, 'an MQTT message from the agent');
    return this.got.slice(from).find(pred)!;
  }

  end(): Promise<void> {
    return this.client.endAsync(true);
  }
}

const isConnectRecord = (m: Received): boolean => {
  try {
    return decodeRecord(new Uint8Array(m.payload)).body.kind === 'mqttConnect';
  } catch {
    return false;
  }
};
function msgOf(m: Received): UspMsg {
  const r = decodeRecord(new Uint8Array(m.payload));
  if (r.body.kind !== 'noSessionContext') throw new Error(`expected a Msg record, got ${r.body.kind}`);
  return decodeMsg(r.body.payload);
}
let seq = 0;
function requestRecord(request: Request, fromId = CONTROLLER_EID): { msgId: string; bytes: Uint8Array } {
  const msgId = `tls-${++seq}`;
  return { msgId, bytes: encodeRecord(noSessionContextRecord({ toId: AGENT_EID, fromId }, encodeMsg(requestMsg(msgId, request)))) };
}
const get = (...paths: string[]): Request => ({ reqType: 'get', get: { paramPaths: paths, maxDepth: 0 } });

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface TlsMqttAgent {
  agent: Agent;
  mqtt: StartedMqtt;
  close(): Promise<void>;
}

/** The real agent with LocalAgent.MTP.1 = MQTT over Device.MQTT.Client.1 (TransportProtocol TLS). */
async function startTlsMqttAgent(port: number, tls: AgentTlsFiles, log: Logger = silentLogger, extra: Record<string, string | number | boolean> = {}): Promise<TlsMqttAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'usp-agent-mqtt-tls-'));
  const agent = await Agent.start({
    defaults: {
      ...mqttAgentDefaults({
        agentEid: AGENT_EID,
        controllerEid: CONTROLLER_EID,
        controllerTopic: CONTROLLER_TOPIC,
        brokerPort: port,
        version: '5.0',
        subscription: AGENT_TOPIC,
        tls: true,
      }),
      ...extra,
    },
    dataDir: dir,
    platform: 'none',
    log,
    schema: testSchema(),
    tls,
  });
  const mqtt = agent.controllerLinks.find((m) => m instanceof StartedMqtt);
  if (!(mqtt instanceof StartedMqtt)) throw new Error('no MQTT MTP started');
  return {
    agent,
    mqtt,
    async close() {
      await agent.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An MqttClientMtp over TLS on its own (no agent), for the handshake cases. */
function tlsClient(port: number, over: Partial<MqttClientMtpOptions>): MqttClientMtp {
  return new MqttClientMtp({
    brokerAddress: '127.0.0.1',
    brokerPort: port,
    protocolVersion: '5.0',
    transport: 'TLS',
    clientId: '',
    keepAliveTime: 30,
    connectRetryTime: 1,
    connectRetryIntervalMultiplier: 2000,
    connectRetryMaxInterval: 4,
    subscriptions: [{ topic: '/usp-tls/edge', qos: 0 }],
    responseTopicConfigured: '',
    publishQoS: 0,
    agentEndpointId: 'proto::tls-edge',
    controllers: [],
    connectRecord: (v, t, to) => encodeRecord(mqttConnectRecord({ toId: to, fromId: 'proto::tls-edge' }, v, t)),
    onRecord: () => undefined,
    log: silentLogger,
    ...over,
  });
}

let pki: TestPki;
let broker: Mosquitto;
let tlsPort: number;
beforeAll(async () => {
  pki = testPki();
  broker = await startMosquitto({
    tls: { cafile: pki.ca.certFile, certfile: pki.broker.certFile, keyfile: pki.broker.keyFile, requireCertificate: true, useIdentityAsUsername: true },
  });
  tlsPort = broker.tlsPort!;
}, 20_000);
afterAll(async () => {
  await broker?.stop();
});

describe('mqtts options', () => {
  it('TLS 1.2 minimum, broker always verified, client certificate only with its key', () => {
    expect(mqttTlsConnectOptions({ ca: 'CA', cert: 'C', key: 'K' })).toEqual({
      protocol: 'mqtts',
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
      ca: 'CA',
      cert: 'C',
      key: 'K',
    });
    expect(MQTT_TLS_MIN_VERSION).toBe('TLSv1.2');
    // No CA: Node's built-in list; no certificate: none presented.
    expect(mqttTlsConnectOptions()).toEqual({ protocol: 'mqtts', minVersion: 'TLSv1.2', rejectUnauthorized: true });
    expect(() => mqttTlsConnectOptions({ cert: 'C' })).toThrow(/needs its key/);
    expect(() => tlsClient(1, { tls: { key: 'K' } })).toThrow(/needs its key/);
  });
});

describe('the agent over MQTT/TLS with its certificate (mutual TLS)', () => {
  let controller: TlsController;
  let a: TlsMqttAgent;
  let announced: Received;

  beforeAll(async () => {
    controller = await TlsController.connect(pki, tlsPort);
    a = await startTlsMqttAgent(tlsPort, { cert: pki.agent.certFile, key: pki.agent.keyFile, ca: pki.ca.certFile });
    announced = await controller.waitFor(isConnectRecord, 8000);
  }, 15_000);
  afterAll(async () => {
    await controller?.end();
    await a?.close();
  });

  it('connects with mqtts, subscribes and announces itself to the controller', () => {
    expect(a.mqtt.client.status).toBe('Connected');
    expect(announced.topic).toBe(CONTROLLER_TOPIC);
    const r = decodeRecord(new Uint8Array(announced.payload));
    expect(r.fromId).toBe(AGENT_EID);
    expect(r.body).toEqual({ kind: 'mqttConnect', version: 'V5', subscribedTopic: AGENT_TOPIC });
    expect(announced.props?.responseTopic).toBe(AGENT_TOPIC);
  });

  it('answers a Get from the TLS controller on its Response Topic', async () => {
    const { msgId, bytes } = requestRecord(get('Device.LocalAgent.EndpointID', 'Device.MQTT.Client.1.TransportProtocol', 'Device.MQTT.Capabilities.TransportProtocolSupported'));
    const from = controller.got.length;
    await controller.client.publishAsync(AGENT_TOPIC, Buffer.from(bytes), { qos: 1, properties: { responseTopic: '/usp-tls/replies/1', contentType: 'usp.msg' } });
    const m = await controller.waitFor((x) => x.topic === '/usp-tls/replies/1', 3000, from);
    const msg = msgOf(m);
    expect(msg.header.msgId).toBe(msgId);
    if (msg.body.msgBody !== 'response' || msg.body.response.respType !== 'getResp') throw new Error('expected a GetResp');
    const params = Object.assign({}, ...msg.body.response.getResp.reqPathResults.flatMap((p) => (p.resolvedPathResults ?? []).map((x) => x.resultParams)));
    expect(params).toEqual({ EndpointID: AGENT_EID, TransportProtocol: 'TLS', TransportProtocolSupported: 'TCP/IP,TLS' });
  });
});

describe('refused handshakes', () => {
  it('an agent trusting another CA refuses the broker and retries by the ConnectRetry back-off', async () => {
    const { log, lines } = captureLog();
    const controller = await TlsController.connect(pki, tlsPort);
    const a = await startTlsMqttAgent(tlsPort, { cert: pki.agent.certFile, key: pki.agent.keyFile, ca: pki.foreignCa.certFile }, log);
    try {
      const refusals = (): LogLine[] => lines.filter((l) => l.line.includes('mqtt tls: broker certificate refused'));
      // Retry 1 waits 1-2 s, retry 2 waits 2-4 s (ConnectRetryTime 1, multiplier 2000, max 4).
      await until(() => refusals().length >= 2, 6000, 'two refused handshakes');
      const [first, second] = refusals();
      expect(second.at - first.at).toBeGreaterThanOrEqual(950);
      const waits = (): number[] => lines.filter((l) => l.line.includes('mqtt disconnected; reconnecting')).map((l) => Number(/waitMs=(\d+)/.exec(l.line)?.[1]));
      await until(() => waits().length >= 2, 1000, 'the second retry');
      const [w1, w2] = waits();
      expect(w1).toBeGreaterThanOrEqual(1000);
      expect(w1).toBeLessThanOrEqual(2000);
      expect(w2).toBeGreaterThanOrEqual(2000);
      expect(w2).toBeLessThanOrEqual(4000);
      expect(second.at - first.at).toBeGreaterThanOrEqual(w1 - 50);
      expect(a.mqtt.client.status).toBe('Error_BrokerUnreachable');
      expect(a.mqtt.client.connected).toBe(false);
      expect(controller.got.filter(isConnectRecord)).toHaveLength(0);
    } finally {
      await a.close();
      await controller.end();
    }
  }, 15_000);

  it('a broker requiring client certificates refuses a client without one, which keeps retrying', async () => {
    const { log, lines } = captureLog();
    const mtp = tlsClient(tlsPort, { tls: { ca: pki.ca.cert }, log });
    try {
      await mtp.start();
      await until(() => lines.some((l) => l.line.includes('mqtt disconnected; reconnecting') && l.line.includes('attempt=1')), 4000, 'a refused connection');
      expect(lines.some((l) => l.line.includes('mqtt tls: broker refused the agent certificate'))).toBe(true);
      expect(mtp.connected).toBe(false);
      expect(mtp.status).not.toBe('Connected');
    } finally {
      await mtp.stop();
    }
  });

  it('the broker certificate must name the broker: a certificate for another host is refused', async () => {
    const other = await startMosquitto({ tls: { cafile: pki.ca.certFile, certfile: pki.fqdn.certFile, keyfile: pki.fqdn.keyFile } });
    const { log, lines } = captureLog();
    const mtp = tlsClient(other.tlsPort!, { tls: { ca: pki.ca.cert, cert: pki.agent.cert, key: pki.agent.key }, log });
    try {
      await mtp.start();
      await until(() => lines.some((l) => l.line.includes('mqtt tls: broker certificate refused')), 4000, 'a refused certificate');
      expect(lines.some((l) => l.line.includes('ERR_TLS_CERT_ALTNAME_INVALID'))).toBe(true);
      expect(mtp.connected).toBe(false);
    } finally {
      await mtp.stop();
      await other.stop();
    }
  });

  it('a broker named by its DNS name (localhost) is accepted with the same certificate', async () => {
    const mtp = tlsClient(tlsPort, { brokerAddress: 'localhost', tls: { ca: pki.ca.cert, cert: pki.agent.cert, key: pki.agent.key } });
    try {
      await mtp.start();
      await until(() => mtp.status === 'Connected', 4000, 'Connected');
    } finally {
      await mtp.stop();
    }
  });
});

describe('Trusted Broker (ControllerTrust.Credential AllowedUses MTP-and-broker; TR-369 "Authentication and Authorization")', () => {
  const VIA_BROKER = 'proto::via-trusted-broker';
  const TRUST = 'Device.LocalAgent.ControllerTrust.';
  let controller: TlsController;
  let a: TlsMqttAgent;
  let replies = 0;

  /** `request` from `fromId` through the broker; the answer's Response. */
  async function ask(request: Request, fromId = CONTROLLER_EID) {
    const { msgId, bytes } = requestRecord(request, fromId);
    const topic = `/usp-tls/replies/tb-${++replies}`;
    const from = controller.got.length;
    await controller.client.publishAsync(AGENT_TOPIC, Buffer.from(bytes), { qos: 1, properties: { responseTopic: topic, contentType: 'usp.msg' } });
    const msg = msgOf(await controller.waitFor((x) => x.topic === topic, 3000, from));
    expect(msg.header.msgId).toBe(msgId);
    if (msg.body.msgBody !== 'response') throw new Error(`expected a response, got ${JSON.stringify(msg.body)}`);
    return msg.body.response;
  }
  /** One parameter as `fromId` reads it, or its error code. */
  async function read(path: string, fromId = CONTROLLER_EID): Promise<string | number> {
    const r = await ask(get(path), fromId);
    if (r.respType !== 'getResp') throw new Error(r.respType);
    const [res] = r.getResp.reqPathResults;
    return res.errCode || res.resolvedPathResults![0].resultParams[path.slice(path.lastIndexOf('.') + 1)];
  }
  async function setParam(objPath: string, param: string, value: string): Promise<void> {
    const r = await ask({ reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath, paramSettings: [{ param, value, required: true }] }] } });
    expect(r.respType).toBe('setResp');
  }

  beforeAll(async () => {
    controller = await TlsController.connect(pki, tlsPort);
    a = await startTlsMqttAgent(tlsPort, { cert: pki.agent.certFile, key: pki.agent.keyFile, ca: pki.ca.certFile }, silentLogger, {
      [`${TRUST}UntrustedRole`]: '',
      [`${TRUST}Role.2.Name`]: 'Reader',
      [`${TRUST}Role.2.Enable`]: true,
      [`${TRUST}Role.2.Permission.1.Enable`]: true,
      [`${TRUST}Role.2.Permission.1.Order`]: 1,
      [`${TRUST}Role.2.Permission.1.Targets`]: 'Device.LocalAgent.',
      [`${TRUST}Role.2.Permission.1.Param`]: 'r---',
      [`${TRUST}Role.2.Permission.1.Obj`]: 'r---',
      [`${TRUST}Role.2.Permission.1.InstantiatedObj`]: 'r---',
    });
    await controller.waitFor(isConnectRecord, 8000);
    // Controller-1 (Role.1) installs the CA that signed the broker's certificate as a Credential.
    const add = await ask({
      reqType: 'operate',
      operate: { command: 'Device.LocalAgent.AddCertificate()', commandKey: 'tb', sendResp: true, inputArgs: { Certificate: pki.ca.cert, Alias: 'test-ca' } },
    });
    expect(add.respType).toBe('operateResp');
    const rows = await ask({ reqType: 'get', get: { paramPaths: ['Device.LocalAgent.Certificate.[Alias=="test-ca"].Alias'], maxDepth: 0 } });
    if (rows.respType !== 'getResp') throw new Error(rows.respType);
    const certRow = rows.getResp.reqPathResults[0].resolvedPathResults![0].resolvedPath.slice(0, -1);
    const cred = await ask({
      reqType: 'add',
      add: {
        allowPartial: false,
        createObjs: [
          {
            objPath: `${TRUST}Credential.`,
            paramSettings: [
              { param: 'Enable', value: 'true', required: true },
              { param: 'Role', value: `${TRUST}Role.2`, required: true },
              { param: 'Credential', value: certRow, required: true },
              { param: 'AllowedUses', value: 'MTP-and-USP', required: true },
            ],
          },
        ],
      },
    });
    expect(cred.respType).toBe('addResp');
  }, 20_000);
  afterAll(async () => {
    await controller?.end();
    await a?.close();
  });

  it('a CA trusted only for MTP-and-USP does not make the broker speak for the controllers behind it', async () => {
    expect(await read('Device.LocalAgent.EndpointID', VIA_BROKER)).toBe(7026);
    expect(await read(`Device.LocalAgent.Controller.[EndpointID=="${VIA_BROKER}"].InheritedRole`)).toBe('');
  });

  it('with MTP-and-broker, a controller behind the broker gets the Credential Role as InheritedRole, and only that', async () => {
    await setParam(`${TRUST}Credential.1.`, 'AllowedUses', 'MTP-and-broker');
    expect(await read('Device.LocalAgent.EndpointID', VIA_BROKER)).toBe(AGENT_EID);
    expect(await read('Device.MQTT.Client.1.TransportProtocol', VIA_BROKER)).toBe(7026);
    expect(await read(`Device.LocalAgent.Controller.[EndpointID=="${VIA_BROKER}"].InheritedRole`)).toBe(`${TRUST}Role.2`);
    // Known controllers keep their AssignedRole on top: controller-1 still has full access.
    expect(await read('Device.MQTT.Client.1.TransportProtocol')).toBe('TLS');
    // Withdrawing the trust takes effect on the next Record.
    await setParam(`${TRUST}Credential.1.`, 'Enable', 'false');
    expect(await read('Device.LocalAgent.EndpointID', VIA_BROKER)).toBe(7026);
  });
});
