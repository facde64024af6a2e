/**
 * A transport-neutral USP Controller for the shared conformance suite (style.md: "one shared
 * suite runs over every MTP"). A ControllerLink sends requests and Records to the agent and
 * collects what comes back, whatever carries it:
 * - `websocket-server`: the controller dials the agent's WebSocket server (wraps TestController);
 * - `websocket-client`: the agent dials a `ws` server the test runs (v1.usp; first Record a
 *   WebSocketConnectRecord, R-MTP.6);
 * - `mqtt5` / `mqtt311`: a raw MQTT.js client on a real Mosquitto, subscribed to its own topic,
 *   publishing to the agent's topic with a Response Topic (5.0) or a `/reply-to=` suffix (3.1.1);
 * - `uds`: a UNIX domain socket to the agent's Listen socket, after the Handshake TLVs.
 * startAgentWith(kind) starts a real agent (and Mosquitto when needed) whose factory defaults
 * configure exactly that MTP and a full-access Controller row for the link.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as mqttConnect, type MqttClient } from 'mqtt';
import WebSocket, { WebSocketServer } from 'ws';
import { Agent } from '../../agent/Agent.js';
import { decodeMsg, encodeMsg, requestMsg } from '../../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord, type DecodedRecord, type RecordAddress } from '../../agent/codec/record.js';
import type { NotifyReq, Request, UspMsg } from '../../agent/codec/types.js';
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';
import { StartedMqtt } from '../../agent/transports/start-mqtt.js';
import { silentLogger } from '../../datamodel/Logger.js';
import { withReplyTo } from '../../mtp/mqtt/topics.js';
import { AGENT_EID, CONTROLLER_EID, testSchema } from './agent-fixture.js';
import { startMosquitto, type Mosquitto } from './mosquitto.js';
import { ANSWER_TIMEOUT_MS, TestController, freePort } from './TestController.js';
import { UdsTestPeer } from './UdsTestPeer.js';

export type MtpKind = 'websocket-server' | 'websocket-client' | 'mqtt5' | 'mqtt311' | 'uds';
export const MTP_KINDS: readonly MtpKind[] = ['websocket-server', 'websocket-client', 'mqtt5', 'mqtt311', 'uds'];

/** One PUBLISH the MQTT controller received, with what the agent put around the Record. */
export interface MqttPublishSeen {
  topic: string;
  /** MQTT 5 properties (undefined in 3.1.1). */
  responseTopic?: string;
  contentType?: string;
  record?: DecodedRecord;
  msg?: UspMsg;
}

/** A Notify request the controller received. */
export interface ReceivedNotify {
  msgId: string;
  notify: NotifyReq;
  at: number;
}

export interface ControllerLink {
  readonly kind: MtpKind;
  /** Every Record received from the agent, decoded, in order (Connect records included). */
  readonly records: readonly DecodedRecord[];
  /** Every Msg received, in order (responses, errors, Notify requests). */
  readonly messages: readonly UspMsg[];
  /** What the agent sent that did not decode as a Record or Msg: none is expected. */
  readonly garbage: readonly string[];
  /** MQTT only: every PUBLISH the controller received, in order. */
  readonly publishes?: readonly MqttPublishSeen[];
  /** Sends a request and resolves with the response or Error Msg carrying its msg_id. */
  send(request: Request, timeoutMs?: number): Promise<UspMsg>;
  /** Sends a Msg in a NoSessionContext Record (a NotifyResp, ...); `addr` overrides to_id/from_id. */
  sendMsg(msg: UspMsg, addr?: Partial<RecordAddress>): void;
  /** Sends raw Msg bytes (well-formed or not) in a valid NoSessionContext Record. */
  sendPayload(payload: Uint8Array, addr?: Partial<RecordAddress>): void;
  /** Sends raw Record bytes. */
  sendRecord(bytes: Uint8Array): void;
  /** A fresh msg_id for this link. */
  nextMsgId(tag?: string): string;
  /** Resolves with the first Msg (received before or after the call) carrying `msgId`. */
  waitForMsg(msgId: string, timeoutMs?: number): Promise<UspMsg>;
  /** The Notify requests received so far, from index `from`. */
  notifications(from?: number): ReceivedNotify[];
  /** Waits until `pick` returns something for the notifications received so far. */
  waitForNotification<T>(pick: (ns: ReceivedNotify[]) => T | undefined, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
  /**
   * Drops the link as this MTP loses it (the controller disconnects; the controller that the agent
   * dials goes away; the broker crashes), runs `whileDown`, brings it back and resolves once the
   * agent can reach the controller again.
   */
  reconnect?(opts?: { whileDown?: () => Promise<void> }): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** What every link shares: decoding, msg_id matching and the notification log. */
abstract class BaseLink implements ControllerLink {
  readonly records: DecodedRecord[] = [];
  readonly messages: UspMsg[] = [];
  readonly garbage: string[] = [];
  private readonly received: ReceivedNotify[] = [];
  private readonly waiters = new Set<() => void>();
  private seq = 0;

  constructor(
    readonly kind: MtpKind,
    readonly controllerId = CONTROLLER_EID,
    readonly agentId = AGENT_EID,
  ) {}

  abstract sendRecord(bytes: Uint8Array): void;
  abstract close(): Promise<void>;

  /** Called by the transport with each Record the agent sent. */
  protected onRecordBytes(bytes: Uint8Array): { record?: DecodedRecord; msg?: UspMsg } {
    let rec: DecodedRecord;
    let msg: UspMsg | undefined;
    try {
      rec = decodeRecord(bytes);
    } catch (e) {
      this.garbage.push(`record: ${(e as Error).message}`);
      return {};
    }
    this.records.push(rec);
    if (rec.body.kind === 'noSessionContext') {
      try {
        msg = decodeMsg(rec.body.payload);
        this.messages.push(msg);
        if (msg.body.msgBody === 'request' && msg.body.request.reqType === 'notify') {
          this.received.push({ msgId: msg.header.msgId, notify: msg.body.request.notify, at: Date.now() });
        }
      } catch (e) {
        this.garbage.push(`msg: ${(e as Error).message}`);
      }
    }
    for (const w of [...this.waiters]) w();
    return { record: rec, msg };
  }

  nextMsgId(tag = 'ctl'): string {
    return `${this.kind}-${tag}-${++this.seq}`;
  }

  async send(request: Request, timeoutMs = ANSWER_TIMEOUT_MS): Promise<UspMsg> {
    const msgId = this.nextMsgId();
    this.sendMsg(requestMsg(msgId, request));
    return this.waitForMsg(msgId, timeoutMs);
  }

  sendMsg(msg: UspMsg, addr?: Partial<RecordAddress>): void {
    this.sendPayload(encodeMsg(msg), addr);
  }

  sendPayload(payload: Uint8Array, addr: Partial<RecordAddress> = {}): void {
    this.sendRecord(encodeRecord(noSessionContextRecord({ toId: addr.toId ?? this.agentId, fromId: addr.fromId ?? this.controllerId }, payload)));
  }

  waitForMsg(msgId: string, timeoutMs = ANSWER_TIMEOUT_MS): Promise<UspMsg> {
    // Only answers count: a request from the agent (a Notify) is never the answer to ours.
    const find = (): UspMsg | undefined => this.messages.find((m) => m.header.msgId === msgId && m.body.msgBody !== 'request');
    return this.until(find, timeoutMs, `the answer to ${msgId} over ${this.kind}`);
  }

  notifications(from = 0): ReceivedNotify[] {
    return this.received.slice(from);
  }

  waitForNotification<T>(pick: (ns: ReceivedNotify[]) => T | undefined, timeoutMs = 3000): Promise<T> {
    return this.until(() => pick(this.notifications()), timeoutMs, `a notification over ${this.kind}; got ${JSON.stringify(this.received.map((n) => n.notify))}`);
  }

  /** Resolves with `probe()` once it is defined, re-checking on every Record received. */
  private until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const now = probe();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const v = probe();
        if (v === undefined) return;
        clearTimeout(t);
        this.waiters.delete(check);
        resolve(v);
      };
      const t = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// WebSocket: the controller dials the agent's server.

class WebSocketServerLink extends BaseLink {
  private tc!: TestController;

  private constructor(private readonly url: string) {
    super('websocket-server');
  }

  static async open(url: string): Promise<WebSocketServerLink> {
    const link = new WebSocketServerLink(url);
    await link.dial();
    return link;
  }

  private async dial(): Promise<void> {
    this.tc = await TestController.connect(this.url, this.controllerId, this.agentId);
    this.tc.ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.onRecordBytes(new Uint8Array(data));
    });
  }

  sendRecord(bytes: Uint8Array): void {
    this.tc.sendRaw(bytes);
  }
  close(): Promise<void> {
    return this.tc.close();
  }

  async reconnect({ whileDown }: { whileDown?: () => Promise<void> } = {}): Promise<void> {
    await this.tc.close();
    await whileDown?.();
    await this.dial();
  }
}

// ---------------------------------------------------------------------------------------------
// WebSocket: the agent dials the controller (Device.LocalAgent.Controller.{i}.MTP.{j}.WebSocket).

class WebSocketClientLink extends BaseLink {
  /** Connections the agent opened, oldest first. */
  readonly connections: { ws: WebSocket; url: URL; protocol: string; firstRecord?: DecodedRecord['body']['kind'] }[] = [];
  private http?: Server;
  private wss?: WebSocketServer;

  private constructor(readonly port: number) {
    super('websocket-client');
  }

  /** Listens on a free loopback port (or `port`); the agent is started afterwards and dials it. */
  static async listen(port?: number): Promise<WebSocketClientLink> {
    const link = new WebSocketClientLink(port ?? (await freePort()));
    await link.up();
    return link;
  }

  private async up(): Promise<void> {
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => (offered.has('v1.usp') ? 'v1.usp' : false) });
    const http = createHttpServer((_req, res) => {
      res.writeHead(426).end();
    });
    http.on('upgrade', (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws) => {
        const conn: WebSocketClientLink['connections'][number] = { ws, url: new URL(req.url ?? '/', 'ws://controller'), protocol: ws.protocol };
        this.connections.push(conn);
        ws.on('message', (data: Buffer, isBinary) => {
          if (!isBinary) return;
          const bytes = new Uint8Array(data);
          if (conn.firstRecord === undefined) {
            try {
              conn.firstRecord = decodeRecord(bytes).body.kind;
            } catch {
              /* counted as garbage below */
            }
          }
          this.onRecordBytes(bytes);
        });
        ws.on('error', () => undefined);
      });
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(this.port, '127.0.0.1', () => {
        http.off('error', reject);
        resolve();
      });
    });
    this.http = http;
    this.wss = wss;
  }

  private async down(): Promise<void> {
    const { http, wss } = this;
    this.http = undefined;
    this.wss = undefined;
    for (const c of wss?.clients ?? []) c.terminate();
    if (wss) await new Promise<void>((r) => wss.close(() => r()));
    if (http)
      await new Promise<void>((r) => {
        http.close(() => r());
        http.closeAllConnections();
      });
  }

  /**
   * Waits for connection number `n` (1-based) from the agent and its first Record, which must be
   * a WebSocketConnectRecord (R-MTP.6; TP-469 7.10 after a reconnect).
   */
  async connected(n: number, timeoutMs = 5000): Promise<void> {
    await waitUntil(() => this.connections[n - 1]?.firstRecord !== undefined, timeoutMs, `connection #${n} from the agent and its first Record`);
    const c = this.connections[n - 1]!;
    if (c.firstRecord !== 'websocketConnect') throw new Error(`the agent's first Record on connection #${n} is ${c.firstRecord}, not a WebSocketConnectRecord`);
    if (c.ws.readyState !== WebSocket.OPEN) throw new Error(`connection #${n} closed at once`);
  }

  sendRecord(bytes: Uint8Array): void {
    const c = this.connections.at(-1);
    if (!c || c.ws.readyState !== WebSocket.OPEN) throw new Error('the agent is not connected');
    c.ws.send(bytes, { binary: true });
  }

  close(): Promise<void> {
    return this.down();
  }

  /** The controller goes away (its server closes) and comes back on the same port; the agent redials. */
  async reconnect({ whileDown }: { whileDown?: () => Promise<void> } = {}): Promise<void> {
    const before = this.connections.length;
    await this.down();
    await whileDown?.();
    await this.up();
    await this.connected(before + 1, 8000);
  }
}

// ---------------------------------------------------------------------------------------------
// MQTT 5.0 and 3.1.1: both ends are clients of one Mosquitto.

interface MqttLinkOptions {
  broker: Mosquitto;
  version: 5 | 4;
  /** Where the agent listens (its Subscription / ResponseTopicConfigured). */
  agentTopic: string;
  /** Controller.{i}.MTP.{j}.MQTT.Topic: notifications arrive here. */
  controllerTopic: string;
  /** The reply-to topic of our requests (Response Topic, or the 3.1.1 `/reply-to=` suffix): answers arrive here. */
  replyTopic: string;
  /** Whether the agent's MQTT client is connected and subscribed (read in-process). */
  agentConnected: () => boolean;
}

class MqttLink extends BaseLink {
  readonly publishes: MqttPublishSeen[] = [];
  private client!: MqttClient;
  /** True between our SUBACK and the next disconnect. */
  private subscribed = false;
  private closed = false;

  private constructor(private readonly o: MqttLinkOptions) {
    super(o.version === 5 ? 'mqtt5' : 'mqtt311');
  }

  static async open(o: MqttLinkOptions): Promise<MqttLink> {
    const link = new MqttLink(o);
    link.client = mqttConnect({
      host: '127.0.0.1',
      port: o.broker.port,
      protocolVersion: o.version,
      clientId: `usp-test-controller-${o.version}-${process.pid}`,
      // The controller's own client reconnects quickly after a broker restart and subscribes
      // itself, so the test knows when it is listening again.
      reconnectPeriod: 100,
      connectTimeout: 2000,
      resubscribe: false,
      clean: true,
    });
    link.client.on('connect', () => {
      // "t/#" also matches "t"; the 3.1.1 agent appends /reply-to=... to both topics.
      link.client.subscribe([`${o.controllerTopic}/#`, `${o.replyTopic}/#`], { qos: 1 }, (err) => {
        if (!err) link.subscribed = true;
      });
    });
    link.client.on('close', () => {
      link.subscribed = false;
    });
    link.client.on('error', () => undefined);
    link.client.on('message', (topic, payload, packet) => {
      const seen: MqttPublishSeen = { topic, responseTopic: packet.properties?.responseTopic, contentType: packet.properties?.contentType };
      // Logged before decoding so a waiter woken by the Record finds its PUBLISH.
      link.publishes.push(seen);
      Object.assign(seen, link.onRecordBytes(new Uint8Array(payload)));
    });
    await waitUntil(() => link.subscribed, 5000, "the controller's MQTT subscription");
    return link;
  }

  sendRecord(bytes: Uint8Array): void {
    const payload = Buffer.from(bytes);
    if (this.o.version === 5) {
      this.client.publish(this.o.agentTopic, payload, { qos: 1, properties: { responseTopic: this.o.replyTopic, contentType: 'usp.msg' } });
    } else {
      this.client.publish(withReplyTo(this.o.agentTopic, this.o.replyTopic), payload, { qos: 1 });
    }
  }

  /** The agent's MQTTConnectRecord(s) seen so far. */
  get connectRecords(): DecodedRecord[] {
    return this.records.filter((r) => r.body.kind === 'mqttConnect');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.endAsync(true);
  }

  /** The broker crashes (SIGKILL) and comes back; both clients reconnect on their own. */
  async reconnect({ whileDown }: { whileDown?: () => Promise<void> } = {}): Promise<void> {
    const restarted = this.o.broker.restart({ downMs: 1500 });
    await waitUntil(() => !this.o.agentConnected(), 3000, 'the agent to see the broker go');
    await whileDown?.();
    await restarted;
    await waitUntil(() => this.subscribed && this.o.agentConnected(), 8000, 'both clients back on the broker');
  }
}

// ---------------------------------------------------------------------------------------------
// UNIX domain socket: the controller dials the agent's Listen socket.

class UdsLink extends BaseLink {
  private peer!: UdsTestPeer;
  /** Endpoint IDs in the agent's Handshake TLVs, one per connection. */
  readonly agentHandshakes: string[] = [];

  private constructor(private readonly path: string) {
    super('uds');
  }

  static async open(path: string): Promise<UdsLink> {
    const link = new UdsLink(path);
    await link.dial();
    return link;
  }

  private async dial(): Promise<void> {
    const peer = await UdsTestPeer.connect(this.path);
    this.peer = peer;
    let seen = 0;
    // Runs after UdsTestPeer's own 'data' listener has decoded the frame.
    peer.socket.on('data', () => {
      const recs = peer.records;
      for (; seen < recs.length; seen++) this.onRecordBytes(recs[seen]!);
    });
    peer.handshake(this.controllerId);
    await waitUntil(() => peer.handshakes.length > 0 && peer.records.length > 0, 3000, "the agent's Handshake and UDSConnectRecord");
    // R-MTP.6: the first Record on every link is the UDSConnectRecord.
    const first = decodeRecord(peer.records[0]!).body.kind;
    if (first !== 'udsConnect') throw new Error(`the agent's first Record on a UDS link is ${first}, not a UDSConnectRecord`);
    this.agentHandshakes.push(...peer.handshakes);
  }

  sendRecord(bytes: Uint8Array): void {
    this.peer.sendRecord(bytes);
  }
  close(): Promise<void> {
    return this.peer.close();
  }

  async reconnect({ whileDown }: { whileDown?: () => Promise<void> } = {}): Promise<void> {
    await this.peer.close();
    await whileDown?.();
    await this.dial();
  }
}

// ---------------------------------------------------------------------------------------------
// The agent under test, configured for exactly one MTP.

export interface AgentUnderTest {
  kind: MtpKind;
  agent: Agent;
  link: ControllerLink;
  stop(): Promise<void>;
}

export interface StartAgentOptions {
  /** More factory defaults (notification back-off, extra rows). */
  extra?: DefaultsFile;
  pollIntervalMs?: number;
}

/** The identity and access rows every kind shares: the agent's EID and a full-access controller. */
function baseDefaults(): DefaultsFile {
  return {
    'Device.LocalAgent.EndpointID': AGENT_EID,
    // Role.1 is the built-in full-access role; the row must exist with Name/Enable.
    'Device.LocalAgent.ControllerTrust.Role.1.Name': 'Full Access',
    'Device.LocalAgent.ControllerTrust.Role.1.Enable': true,
    'Device.LocalAgent.Controller.1.EndpointID': CONTROLLER_EID,
    'Device.LocalAgent.Controller.1.Enable': true,
    'Device.LocalAgent.Controller.1.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.1',
  };
}

function mqttDefaults(port: number, version: '5.0' | '3.1.1', agentTopic: string, controllerTopic: string): DefaultsFile {
  return {
    'Device.MQTT.Client.1.Enable': true,
    'Device.MQTT.Client.1.BrokerAddress': '127.0.0.1',
    'Device.MQTT.Client.1.BrokerPort': port,
    'Device.MQTT.Client.1.ProtocolVersion': version,
    'Device.MQTT.Client.1.KeepAliveTime': 30,
    // Every reconnect attempt after exactly 1 s (k = 1000): a broker restart costs 1-2 s.
    'Device.MQTT.Client.1.ConnectRetryTime': 1,
    'Device.MQTT.Client.1.ConnectRetryIntervalMultiplier': 1000,
    'Device.MQTT.Client.1.ConnectRetryMaxInterval': 2,
    'Device.MQTT.Client.1.Subscription.1.Enable': true,
    'Device.MQTT.Client.1.Subscription.1.Topic': agentTopic,
    'Device.MQTT.Client.1.Subscription.1.QoS': 1,
    'Device.LocalAgent.MTP.1.Enable': true,
    'Device.LocalAgent.MTP.1.Protocol': 'MQTT',
    'Device.LocalAgent.MTP.1.MQTT.Reference': 'Device.MQTT.Client.1',
    'Device.LocalAgent.MTP.1.MQTT.ResponseTopicConfigured': agentTopic,
    'Device.LocalAgent.MTP.1.MQTT.PublishQoS': 1,
    'Device.LocalAgent.Controller.1.MTP.1.Enable': true,
    'Device.LocalAgent.Controller.1.MTP.1.Protocol': 'MQTT',
    'Device.LocalAgent.Controller.1.MTP.1.MQTT.Topic': controllerTopic,
  };
}

/**
 * Starts Mosquitto when the kind needs it, the controller's end when the agent dials it, and a
 * real agent (platform 'simulated') whose factory defaults enable only that MTP; resolves once
 * the link is up (Connect record received where the MTP sends one).
 */
export async function startAgentWith(kind: MtpKind, opts: StartAgentOptions = {}): Promise<AgentUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), `usp-conf-${kind}-`));
  const cleanups: Array<() => Promise<void>> = [() => Promise.resolve(rmSync(dir, { recursive: true, force: true }))];
  const runCleanups = async (): Promise<void> => {
    while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
  };
  const start = async (mtp: DefaultsFile): Promise<Agent> => {
    const agent = await Agent.start({
      defaults: { ...baseDefaults(), ...mtp, ...opts.extra },
      dataDir: join(dir, 'data'),
      platform: 'simulated',
      log: silentLogger,
      seed: 42,
      schema: testSchema(),
      pollIntervalMs: opts.pollIntervalMs,
    });
    cleanups.push(() => agent.stop());
    return agent;
  };
  try {
    let agent: Agent;
    let link: BaseLink;
    switch (kind) {
      case 'websocket-server': {
        const port = await freePort();
        agent = await start({
          'Device.LocalAgent.MTP.1.Enable': true,
          'Device.LocalAgent.MTP.1.Protocol': 'WebSocket',
          'Device.LocalAgent.MTP.1.WebSocket.Port': port,
          'Device.LocalAgent.MTP.1.WebSocket.Path': '/usp',
          'Device.LocalAgent.MTP.1.WebSocket.EnableEncryption': false,
        });
        link = await WebSocketServerLink.open(`ws://127.0.0.1:${port}/usp`);
        break;
      }
      case 'websocket-client': {
        const ws = await WebSocketClientLink.listen();
        cleanups.push(() => ws.close());
        const P = 'Device.LocalAgent.Controller.1.MTP.1.';
        agent = await start({
          [`${P}Enable`]: true,
          [`${P}Protocol`]: 'WebSocket',
          [`${P}WebSocket.Host`]: '127.0.0.1',
          [`${P}WebSocket.Port`]: ws.port,
          [`${P}WebSocket.Path`]: '/usp',
          [`${P}WebSocket.EnableEncryption`]: false,
          // Redial after exactly 1 s (k = 1000) when the controller goes away.
          [`${P}WebSocket.SessionRetryMinimumWaitInterval`]: 1,
          [`${P}WebSocket.SessionRetryIntervalMultiplier`]: 1000,
        });
        await ws.connected(1);
        link = ws;
        break;
      }
      case 'mqtt5':
      case 'mqtt311': {
        const broker = await startMosquitto();
        cleanups.push(() => broker.stop());
        const v = kind === 'mqtt5' ? '5.0' : '3.1.1';
        const agentTopic = `/usp-conf/${kind}/agent`;
        const controllerTopic = `/usp-conf/${kind}/controller`;
        const replyTopic = `/usp-conf/${kind}/replies`;
        let started: Agent | undefined;
        const agentConnected = (): boolean => started?.controllerLinks.some((l) => l instanceof StartedMqtt && l.client.connected) ?? false;
        // The controller listens first so it sees the agent's MQTTConnectRecord.
        const mq = await MqttLink.open({ broker, version: kind === 'mqtt5' ? 5 : 4, agentTopic, controllerTopic, replyTopic, agentConnected });
        cleanups.push(() => mq.close());
        started = agent = await start(mqttDefaults(broker.port, v, agentTopic, controllerTopic));
        await waitUntil(() => mq.connectRecords.length > 0, 5000, "the agent's MQTTConnectRecord");
        link = mq;
        break;
      }
      case 'uds': {
        const path = join(dir, 'agent.sock');
        agent = await start({
          'Device.UnixDomainSockets.UnixDomainSocket.1.Mode': 'Listen',
          'Device.UnixDomainSockets.UnixDomainSocket.1.Path': path,
          'Device.LocalAgent.MTP.1.Enable': true,
          'Device.LocalAgent.MTP.1.Protocol': 'UDS',
          'Device.LocalAgent.MTP.1.UDS.UnixDomainSocketRef': 'Device.UnixDomainSockets.UnixDomainSocket.1',
        });
        link = await UdsLink.open(path);
        break;
      }
    }
    cleanups.push(() => link.close());
    return { kind, agent, link, stop: runCleanups };
  } catch (e) {
    await runCleanups();
    throw e;
  }
}
