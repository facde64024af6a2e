/**
 * Live MTP reconfiguration (agent/transports/reconfigure-mtps.ts): a controller's Set of the
 * TR-181 rows that configure an MTP applies at once, against real peers: two Mosquitto brokers,
 * the project's TestController on the agent's WebSocket server, and `ws` servers the agent dials
 * as a controller's WebSocket MTP. Also ForceReconnect() / WebSocket.Reset(), refused values, and
 * the ordering promise: the response to a Set leaves before the link the Set replaces goes down.
 */
import { connect as tcpConnect } from 'node:net';
import { connectAsync, type IPublishPacket, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { decodeMsg, encodeMsg, requestMsg } from '../../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord, type DecodedRecord } from '../../agent/codec/record.js';
import type { Request, Response, UspMsg } from '../../agent/codec/types.js';
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';
import type { MtpKind } from '../../agent/transports/mtp-kinds.js';
import { RunningMtps } from '../../agent/transports/RunningMtps.js';
import { StartedMqtt } from '../../agent/transports/start-mqtt.js';
import type { StartedTransport } from '../../agent/transports/TransportDeps.js';
import { silentLogger } from '../../datamodel/Logger.js';
import { WebSocketClientMtp } from '../../mtp/websocket/WebSocketClientMtp.js';
import { AGENT_EID, startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { startMosquitto, type Mosquitto } from '../peers/mosquitto.js';
import { TestController, asResponse, freePort } from '../peers/TestController.js';
import { MAX_PENDING_CHANGES } from '../../agent/transports/reconfigure-mtps.js';

const MQTT_CONTROLLER = 'proto::controller-mqtt';
const DIALLED_CONTROLLER = 'proto::controller-dialled';
const ROLE = 'Device.LocalAgent.ControllerTrust.Role.1';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

// ---------------------------------------------------------------------------------------------
// Peers

/** A bare MQTT 5 client on one broker: publishes requests as a controller, records what arrives. */
class MqttPeer {
  readonly got: Array<{ topic: string; record: DecodedRecord }> = [];
  private seq = 0;
  private constructor(
    readonly client: MqttClient,
    readonly topic: string,
  ) {
    client.on('message', (t: string, payload: Buffer, _p: IPublishPacket) => {
      try {
        this.got.push({ topic: t, record: decodeRecord(new Uint8Array(payload)) });
      } catch {
        /* not a Record */
      }
    });
  }

  static async connect(port: number, topic: string): Promise<MqttPeer> {
    const client = await connectAsync({ host: '127.0.0.1', port, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 2000 });
    await client.subscribeAsync(topic, { qos: 1 });
    return new MqttPeer(client, topic);
  }

  connectRecords(): DecodedRecord[] {
    return this.got.map((g) => g.record).filter((r) => r.body.kind === 'mqttConnect');
  }

  msgs(): UspMsg[] {
    return this.got.flatMap((g) => (g.record.body.kind === 'noSessionContext' ? [decodeMsg(g.record.body.payload)] : []));
  }

  /** Publishes a request from MQTT_CONTROLLER to the agent's topic and waits for its answer here. */
  async send(agentTopic: string, request: Request, timeoutMs = 3000): Promise<UspMsg> {
    const msgId = `mq-${++this.seq}-${Date.now()}`;
    const bytes = encodeRecord(noSessionContextRecord({ toId: AGENT_EID, fromId: MQTT_CONTROLLER }, encodeMsg(requestMsg(msgId, request))));
    await this.client.publishAsync(agentTopic, Buffer.from(bytes), { qos: 1, properties: { responseTopic: this.topic, contentType: 'usp.msg' } });
    let found: UspMsg | undefined;
    await until(() => (found = this.msgs().find((m) => m.header.msgId === msgId)) !== undefined, timeoutMs, `the answer to ${msgId}`);
    return found!;
  }

  end(): Promise<void> {
    return this.client.endAsync(true);
  }
}

/** A controller's WebSocket endpoint that the agent dials (Controller.{i}.MTP.{j}.WebSocket). */
class DialTarget {
  readonly conns: Array<{ ws: WebSocket; url: URL; records: DecodedRecord[]; closed?: number }> = [];
  private constructor(
    readonly wss: WebSocketServer,
    readonly port: number,
  ) {
    wss.on('connection', (ws, req) => {
      const conn: DialTarget['conns'][number] = { ws, url: new URL(req.url ?? '/', 'ws://controller'), records: [] };
      ws.on('message', (data: Buffer) => conn.records.push(decodeRecord(new Uint8Array(data))));
      ws.on('close', (code) => {
        conn.closed = code;
      });
      this.conns.push(conn);
    });
  }

  static async listen(): Promise<DialTarget> {
    const port = await freePort();
    const wss = new WebSocketServer({ port, host: '127.0.0.1', handleProtocols: (p) => (p.has('v1.usp') ? 'v1.usp' : false) });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    return new DialTarget(wss, port);
  }

  /** A Get from DIALLED_CONTROLLER over connection `n` (0-based). */
  async get(n: number, path: string): Promise<UspMsg> {
    const conn = this.conns[n]!;
    const msgId = `dial-${Date.now()}`;
    conn.ws.send(encodeRecord(noSessionContextRecord({ toId: AGENT_EID, fromId: DIALLED_CONTROLLER }, encodeMsg(requestMsg(msgId, getReq(path))))));
    let found: UspMsg | undefined;
    const answer = (): UspMsg | undefined => conn.records.flatMap((r) => (r.body.kind === 'noSessionContext' ? [decodeMsg(r.body.payload)] : [])).find((m) => m.header.msgId === msgId);
    await until(() => (found = answer()) !== undefined, 3000, `the answer to ${msgId}`);
    return found!;
  }

  close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}

// ---------------------------------------------------------------------------------------------
// Requests and answers

const getReq = (path: string): Request => ({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } });

function setReq(objPath: string, params: Record<string, string>): Request {
  return { reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath, paramSettings: Object.entries(params).map(([param, value]) => ({ param, value, required: true })) }] } };
}

function operateReq(command: string): Request {
  return { reqType: 'operate', operate: { command, commandKey: '', sendResp: true, inputArgs: {} } };
}

/** The updated_params of a successful one-object SetResp. */
function setOk(m: UspMsg): Record<string, string> {
  const r: Response = asResponse(m);
  if (r.respType !== 'setResp') throw new Error(JSON.stringify(r));
  const st = r.setResp.updatedObjResults[0]!.operStatus;
  if (st.operStatus !== 'operSuccess') throw new Error(JSON.stringify(st));
  return st.operSuccess.updatedInstResults?.[0]?.updatedParams ?? {};
}

function getValue(m: UspMsg, param: string): string | undefined {
  const r = asResponse(m);
  if (r.respType !== 'getResp') throw new Error(JSON.stringify(r));
  return r.getResp.reqPathResults[0]?.resolvedPathResults?.[0]?.resultParams[param];
}

function operateOk(m: UspMsg): void {
  const r = asResponse(m);
  if (r.respType !== 'operateResp') throw new Error(JSON.stringify(r));
  expect(r.operateResp.operationResults[0]).toMatchObject({ operationResp: 'reqOutputArgs' });
}

/** True when something accepts TCP connections on the loopback port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------------------------
// Fixtures

let brokerA: Mosquitto;
let brokerB: Mosquitto;
// log_type notice: the broker logs each client's connect and disconnect, what these tests observe.
beforeAll(async () => {
  [brokerA, brokerB] = await Promise.all([startMosquitto({ extraConfig: ['log_type notice'] }), startMosquitto({ extraConfig: ['log_type notice'] })]);
});
afterAll(async () => {
  await Promise.all([brokerA?.stop(), brokerB?.stop()]);
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

let testSeq = 0;

interface MqttSetup {
  clientId: string;
  agentTopic: string;
  controllerTopic: string;
}

/** LocalAgent.MTP.2 = MQTT through Device.MQTT.Client.1 to `brokerPort`; Controller.2 reached on its MQTT topic. */
function mqttConfig(brokerPort: number, clientId: string): { extra: DefaultsFile; setup: MqttSetup } {
  const n = ++testSeq;
  const setup = { clientId, agentTopic: `usp/agent/t${n}`, controllerTopic: `usp/controller/t${n}` };
  return {
    setup,
    extra: {
      'Device.LocalAgent.MTP.2.Enable': true,
      'Device.LocalAgent.MTP.2.Protocol': 'MQTT',
      'Device.LocalAgent.MTP.2.MQTT.Reference': 'Device.MQTT.Client.1',
      'Device.LocalAgent.MTP.2.MQTT.ResponseTopicConfigured': setup.agentTopic,
      'Device.LocalAgent.MTP.2.MQTT.PublishQoS': 1,
      'Device.MQTT.Client.1.Enable': true,
      'Device.MQTT.Client.1.BrokerAddress': '127.0.0.1',
      'Device.MQTT.Client.1.BrokerPort': brokerPort,
      'Device.MQTT.Client.1.ProtocolVersion': '5.0',
      'Device.MQTT.Client.1.ClientID': clientId,
      'Device.MQTT.Client.1.ConnectRetryTime': 1,
      'Device.MQTT.Client.1.ConnectRetryMaxInterval': 2,
      // R-MQTT.16: without a Subscription topic (or a CONNACK subscribe-topic) the agent disconnects.
      'Device.MQTT.Client.1.Subscription.1.Enable': true,
      'Device.MQTT.Client.1.Subscription.1.Topic': setup.agentTopic,
      'Device.LocalAgent.Controller.2.EndpointID': MQTT_CONTROLLER,
      'Device.LocalAgent.Controller.2.Enable': true,
      'Device.LocalAgent.Controller.2.AssignedRole': ROLE,
      'Device.LocalAgent.Controller.2.MTP.1.Enable': true,
      'Device.LocalAgent.Controller.2.MTP.1.Protocol': 'MQTT',
      'Device.LocalAgent.Controller.2.MTP.1.MQTT.Topic': setup.controllerTopic,
    },
  };
}

/** Controller.3 has a WebSocket MTP row the agent dials at `port`. */
function dialConfig(port: number): DefaultsFile {
  const P = 'Device.LocalAgent.Controller.3.MTP.1.';
  return {
    'Device.LocalAgent.Controller.3.EndpointID': DIALLED_CONTROLLER,
    'Device.LocalAgent.Controller.3.Enable': true,
    'Device.LocalAgent.Controller.3.AssignedRole': ROLE,
    [`${P}Enable`]: true,
    [`${P}Protocol`]: 'WebSocket',
    [`${P}WebSocket.Host`]: '127.0.0.1',
    [`${P}WebSocket.Port`]: port,
    [`${P}WebSocket.Path`]: '/usp',
    [`${P}WebSocket.EnableEncryption`]: false,
    [`${P}WebSocket.SessionRetryMinimumWaitInterval`]: 1,
  };
}

async function agentWith(extra: DefaultsFile): Promise<AgentFixture> {
  const f = await startAgent({ extra });
  cleanups.push(() => f.close());
  return f;
}

async function mqttPeer(broker: Mosquitto, topic: string): Promise<MqttPeer> {
  const p = await MqttPeer.connect(broker.port, topic);
  cleanups.push(() => p.end());
  return p;
}

async function dialTarget(): Promise<DialTarget> {
  const t = await DialTarget.listen();
  cleanups.push(() => t.close());
  return t;
}

const mqttMtps = (f: AgentFixture): StartedMqtt[] => f.agent.controllerLinks.filter((m): m is StartedMqtt => m instanceof StartedMqtt);
const wsClients = (f: AgentFixture): WebSocketClientMtp[] => f.agent.controllerLinks.filter((m): m is WebSocketClientMtp => m instanceof WebSocketClientMtp);
const connected = (f: AgentFixture): boolean => mqttMtps(f).some((m) => m.client.connected);
/** Broker log lines (log_type notice) about `clientId`, from index `from` on. */
const brokerLines = (b: Mosquitto, clientId: string, what: RegExp, from = 0): string[] => b.output.slice(from).filter((l) => l.includes(clientId) && what.test(l));
const CONNECTED = /New client connected/;
const DISCONNECTED = /Client \S+ (disconnected|closed its connection)/;

// ---------------------------------------------------------------------------------------------

describe('MQTT: Device.MQTT.Client.{i} changes apply live', () => {
  it('BrokerPort set over WebSocket: the SetResp comes back, the MQTTConnectRecord arrives on broker B, a Get via broker B is answered', async () => {
    // Empty ClientID: the broker assigns one (R-MQTT.9), which the agent saves back into ClientID.
    const { extra, setup } = mqttConfig(brokerA.port, '');
    const f = await agentWith(extra);
    await until(() => connected(f), 3000, 'the MQTT MTP to connect to broker A');
    const first = mqttMtps(f)[0]!;
    const assigned = first.client.clientId;
    expect(assigned).not.toBe('');
    await sleep(500);
    // Saving the assigned ClientID is the agent's own write-back: the MTP that learned it keeps running.
    expect(mqttMtps(f)).toEqual([first]);
    expect(brokerLines(brokerA, assigned, CONNECTED)).toHaveLength(1);

    const peerB = await mqttPeer(brokerB, setup.controllerTopic);
    expect(setOk(await f.controller.send(setReq('Device.MQTT.Client.1.', { BrokerPort: String(brokerB.port) })))).toEqual({ BrokerPort: String(brokerB.port) });

    await until(() => peerB.connectRecords().length > 0, 3000, 'an MQTTConnectRecord on broker B');
    const rec = peerB.connectRecords()[0]!;
    expect(rec).toMatchObject({ toId: MQTT_CONTROLLER, fromId: AGENT_EID, body: { kind: 'mqttConnect', version: 'V5', subscribedTopic: setup.agentTopic } });
    expect(getValue(await peerB.send(setup.agentTopic, getReq('Device.LocalAgent.EndpointID')), 'EndpointID')).toBe(AGENT_EID);

    // One MQTT MTP, a new one; the old one left broker A.
    const now = mqttMtps(f);
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(first);
    expect(first.client.connected).toBe(false);
    await until(() => brokerLines(brokerA, assigned, DISCONNECTED).length > 0, 2000, 'broker A to log the disconnect');
    // The WebSocket server the Set came through was not restarted.
    expect(f.controller.closed).toBeUndefined();
    expect(getValue(await f.controller.send(getReq('Device.MQTT.Client.1.BrokerPort')), 'BrokerPort')).toBe(String(brokerB.port));
  });

  it('BrokerPort set over the MQTT link it moves: the SetResp is published on broker A before the client leaves for B', async () => {
    const { extra, setup } = mqttConfig(brokerA.port, `agent-over-mqtt-${testSeq + 1}`);
    const f = await agentWith(extra);
    await until(() => connected(f), 3000, 'the MQTT MTP to connect to broker A');
    const peerA = await mqttPeer(brokerA, setup.controllerTopic);
    const peerB = await mqttPeer(brokerB, setup.controllerTopic);

    const resp = await peerA.send(setup.agentTopic, setReq('Device.MQTT.Client.1.', { BrokerPort: String(brokerB.port) }));
    expect(setOk(resp)).toEqual({ BrokerPort: String(brokerB.port) });
    await until(() => peerB.connectRecords().length > 0, 3000, 'an MQTTConnectRecord on broker B');
    expect(getValue(await peerB.send(setup.agentTopic, getReq('Device.LocalAgent.EndpointID')), 'EndpointID')).toBe(AGENT_EID);
  });

  it('Enable=false stops the MTP (the broker sees it leave); a notification queued meanwhile goes out on the re-enabled link to broker B', async () => {
    const clientId = `agent-disable-${testSeq + 1}`;
    const { extra, setup } = mqttConfig(brokerA.port, clientId);
    const f = await agentWith(extra);
    await until(() => connected(f), 3000, 'the MQTT MTP to connect to broker A');
    const mark = brokerA.output.length;

    setOk(await f.controller.send(setReq('Device.LocalAgent.MTP.2.', { Enable: 'false' })));
    await until(() => brokerLines(brokerA, clientId, DISCONNECTED, mark).length > 0, 3000, 'broker A to log the disconnect');
    expect(mqttMtps(f)).toEqual([]);

    // Controller.2 is reachable only over MQTT: its OnBoardRequest waits in the queue.
    operateOk(await f.controller.send(operateReq('Device.LocalAgent.Controller.2.SendOnBoardRequest()')));
    await sleep(300);
    expect(f.agent.notifications.delivery.pendingFor(MQTT_CONTROLLER)).toBe(1);

    const peerB = await mqttPeer(brokerB, setup.controllerTopic);
    // One Set message, two objects: applied once, after the debounce.
    const both = await f.controller.send({
      reqType: 'set',
      set: {
        allowPartial: false,
        updateObjs: [
          { objPath: 'Device.MQTT.Client.1.', paramSettings: [{ param: 'BrokerPort', value: String(brokerB.port), required: true }] },
          { objPath: 'Device.LocalAgent.MTP.2.', paramSettings: [{ param: 'Enable', value: 'true', required: true }] },
        ],
      },
    });
    expect(asResponse(both).respType).toBe('setResp');
    await until(() => peerB.msgs().some((m) => m.body.msgBody === 'request' && m.body.request.reqType === 'notify'), 4000, 'the queued OnBoardRequest on broker B');
    const notify = peerB.msgs().find((m) => m.body.msgBody === 'request' && m.body.request.reqType === 'notify')!;
    if (notify.body.msgBody !== 'request' || notify.body.request.reqType !== 'notify') throw new Error('not a Notify');
    expect(notify.body.request.notify.notification).toBe('onBoardReq');
    expect(brokerLines(brokerB, clientId, CONNECTED)).toHaveLength(1);
  });

  it('ForceReconnect(): the OperateResp comes back, then the same client disconnects and connects again (a new MQTTConnectRecord)', async () => {
    const clientId = `agent-force-${testSeq + 1}`;
    const { extra, setup } = mqttConfig(brokerA.port, clientId);
    const f = await agentWith(extra);
    await until(() => connected(f), 3000, 'the MQTT MTP to connect to broker A');
    const mtp = mqttMtps(f)[0]!;
    const peerA = await mqttPeer(brokerA, setup.controllerTopic);
    const mark = brokerA.output.length;

    operateOk(await f.controller.send(operateReq('Device.MQTT.Client.1.ForceReconnect()')));
    await until(() => peerA.connectRecords().length > 0, 3000, 'a new MQTTConnectRecord');
    expect(brokerLines(brokerA, clientId, DISCONNECTED, mark)).toHaveLength(1);
    expect(brokerLines(brokerA, clientId, CONNECTED, mark)).toHaveLength(1);
    // A toggle of the same MTP, not a reconfiguration.
    expect(mqttMtps(f)).toEqual([mtp]);
  });
});

describe('WebSocket: MTP rows change live', () => {
  it('Controller.{i}.MTP.{j}.WebSocket.Port: the agent leaves the old controller endpoint and dials the new one', async () => {
    const [one, two] = [await dialTarget(), await dialTarget()];
    const f = await agentWith(dialConfig(one.port));
    await until(() => one.conns.length === 1 && one.conns[0]!.records.length > 0, 3000, 'the agent to dial endpoint one');
    expect(one.conns[0]!.records[0]!.body.kind).toBe('websocketConnect');

    setOk(await f.controller.send(setReq('Device.LocalAgent.Controller.3.MTP.1.WebSocket.', { Port: String(two.port) })));
    await until(() => two.conns.length === 1 && two.conns[0]!.records.length > 0, 3000, 'the agent to dial endpoint two');
    expect(two.conns[0]!.url.searchParams.get('eid')).toBe(AGENT_EID);
    expect(two.conns[0]!.records[0]).toMatchObject({ toId: DIALLED_CONTROLLER, fromId: AGENT_EID, body: { kind: 'websocketConnect' } });
    expect(getValue(await two.get(0, 'Device.LocalAgent.EndpointID'), 'EndpointID')).toBe(AGENT_EID);
    await until(() => one.conns[0]!.closed !== undefined, 2000, 'the old link to close');
    expect(one.conns[0]!.closed).toBe(1001);
    expect(wsClients(f)).toHaveLength(1);
    // The agent's WebSocket server (another kind) was left alone.
    expect(f.controller.closed).toBeUndefined();
  });

  it('Controller.{i}.MTP.{j}.WebSocket.Reset(): answered, then the session restarts', async () => {
    const target = await dialTarget();
    const f = await agentWith(dialConfig(target.port));
    await until(() => target.conns.length === 1, 3000, 'the agent to dial');
    operateOk(await f.controller.send(operateReq('Device.LocalAgent.Controller.3.MTP.1.WebSocket.Reset()')));
    await until(() => target.conns.length === 2, 3000, 'a new session');
    await until(() => target.conns[0]!.closed !== undefined, 2000, 'the old session to close');
    expect(getValue(await target.get(1, 'Device.LocalAgent.EndpointID'), 'EndpointID')).toBe(AGENT_EID);
  });

  it('LocalAgent.MTP.{i}.WebSocket.Port of the server the controller is connected through: SetResp first, then the server moves', async () => {
    const f = await agentWith({});
    const newPort = await freePort();
    const resp = await f.controller.send(setReq('Device.LocalAgent.MTP.1.WebSocket.', { Port: String(newPort) }));
    // The answer arrived on the connection the Set is about to close, and only then did it close.
    expect(setOk(resp)).toEqual({ Port: String(newPort) });
    expect(f.controller.closed).toBeUndefined();
    await until(() => f.controller.closed !== undefined, 3000, 'the old connection to close');
    expect(f.controller.closed?.code).toBe(1001);
    expect(await listening(f.port)).toBe(false);

    const again = await TestController.connect(`ws://127.0.0.1:${newPort}/usp`, f.controller.endpointId, AGENT_EID);
    cleanups.push(() => again.close());
    expect(getValue(await again.send(getReq('Device.LocalAgent.MTP.1.WebSocket.Port')), 'Port')).toBe(String(newPort));
  });

  it('Enable=false on a second WebSocket server row closes its port and its connections', async () => {
    const lanPort = await freePort();
    const f = await agentWith({
      'Device.LocalAgent.MTP.2.Enable': true,
      'Device.LocalAgent.MTP.2.Protocol': 'WebSocket',
      'Device.LocalAgent.MTP.2.WebSocket.Port': lanPort,
      'Device.LocalAgent.MTP.2.WebSocket.Path': '/usp',
      'Device.LocalAgent.MTP.2.WebSocket.EnableEncryption': false,
    });
    const lan = await TestController.connect(`ws://127.0.0.1:${lanPort}/usp`, 'proto::controller-lan', AGENT_EID);
    cleanups.push(() => lan.close());

    setOk(await f.controller.send(setReq('Device.LocalAgent.MTP.2.', { Enable: 'false' })));
    await until(() => lan.closed !== undefined, 3000, 'the LAN connection to close');
    expect(await listening(lanPort)).toBe(false);
    expect(f.agent.webSocketServers).toHaveLength(1);
    // The kind restarts as a whole: MTP.1's controller was dropped too and comes back on the same port.
    const again = await TestController.connect(f.url, f.controller.endpointId, AGENT_EID);
    cleanups.push(() => again.close());
    expect(getValue(await again.send(getReq('Device.LocalAgent.MTP.2.Enable')), 'Enable')).toBe('false');
  });
});

describe('refused and unrelated changes restart nothing', () => {
  it.each([
    ['Device.MQTT.Client.1.', 'BrokerPort', '0'],
    ['Device.MQTT.Client.1.', 'BrokerPort', '70000'],
    ['Device.LocalAgent.Controller.3.MTP.1.WebSocket.', 'Port', '0'],
    ['Device.LocalAgent.MTP.1.WebSocket.', 'Port', '70000'],
  ])('%s%s = %s: Error 7021 with the parameter error 7012 (out of range); every MTP keeps running', async (objPath, param, value) => {
    const target = await dialTarget();
    const clientId = `agent-refused-${testSeq + 1}`;
    const { extra } = mqttConfig(brokerA.port, clientId);
    const f = await agentWith({ ...extra, ...dialConfig(target.port) });
    await until(() => connected(f) && target.conns.length === 1, 3000, 'the MTPs to connect');
    const before = [...f.agent.controllerLinks];
    const mark = brokerA.output.length;

    const m = await f.controller.send(setReq(objPath, { [param]: value }));
    if (m.body.msgBody !== 'error') throw new Error(`expected an Error, got ${JSON.stringify(m.body)}`);
    expect(m.body.error.errCode).toBe(7021);
    expect(m.body.error.paramErrs).toEqual([expect.objectContaining({ paramPath: `${objPath}${param}`, errCode: 7012 })]);
    // Not a restart either: parameters no MTP reads, a controller row's Order, and the Controller
    // row the agent adds for an unknown controller (it has no MTP rows).
    setOk(await f.controller.send(setReq('Device.LocalAgent.Controller.1.', { PeriodicNotifInterval: '600' })));
    setOk(await f.controller.send(setReq('Device.LocalAgent.Controller.3.MTP.1.', { Order: '2' })));
    const stranger = await TestController.connect(f.url, 'proto::controller-unknown', AGENT_EID);
    cleanups.push(() => stranger.close());
    await stranger.send(getReq('Device.LocalAgent.EndpointID'));
    expect(getValue(await f.controller.send(getReq('Device.LocalAgent.Controller.[EndpointID=="proto::controller-unknown"].Enable')), 'Enable')).toBe('true');
    // A burst of Sets of a parameter no MTP reads, more than the watcher keeps per window.
    const burst = Array.from({ length: MAX_PENDING_CHANGES + 44 }, (_, i) => f.controller.send(setReq('Device.LocalAgent.Controller.1.', { ProvisioningCode: `burst-${i}` })));
    for (const m of await Promise.all(burst)) setOk(m);

    await sleep(600);
    expect(f.agent.controllerLinks).toEqual(before);
    expect(connected(f)).toBe(true);
    expect(brokerLines(brokerA, clientId, /./, mark)).toEqual([]);
    expect(target.conns).toHaveLength(1);
    expect(target.conns[0]!.closed).toBeUndefined();
    expect(f.controller.closed).toBeUndefined();
    expect(stranger.closed).toBeUndefined();
  });
});

describe('RunningMtps: a swap waits for settle', () => {
  it('the old MTP stops only after in-flight requests are answered, and the list is swapped in place', async () => {
    const events: string[] = [];
    let n = 0;
    const fake = (): StartedTransport => {
      const id = ++n;
      return {
        start: async () => {
          events.push(`start ${id}`);
        },
        stop: async () => {
          events.push(`stop ${id}`);
        },
      };
    };
    const kind: MtpKind = { name: 'fake', protocol: 'WebSocket', sources: [], start: async () => [fake()] };
    const running = new RunningMtps({ model: undefined as never, onRecord: () => {}, endpointId: AGENT_EID, log: silentLogger }, [kind]);
    await running.startAll();
    const list = running.list;
    const first = list[0];

    let answered!: () => void;
    const settle = new Promise<void>((r) => {
      answered = r;
    });
    const swap = running.restart(new Set([kind]), () => {
      events.push('settling');
      return settle;
    });
    await sleep(50);
    expect(events).toEqual(['settling']);
    expect(list).toEqual([first]);
    answered();
    await swap;
    expect(events).toEqual(['settling', 'stop 1']);
    expect(running.list).toBe(list);
    expect(list).toHaveLength(1);
    expect(list[0]).not.toBe(first);
    await running.stop();
    expect(list).toEqual([]);
    expect(events).toEqual(['settling', 'stop 1', 'stop 2']);
  });
});
