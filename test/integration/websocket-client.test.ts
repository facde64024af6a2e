/**
 * The WebSocket client MTP end to end (TR-369 R-WS.5, R-MTP.6, R-WS.10b–21): a real agent with a
 * Device.LocalAgent.Controller.1.MTP.1 row dials a real `ws` server acting as the controller.
 * Back-off timings use m = 1 s, k = 2000, so retry n waits within [2^(n-1), 2^n] s.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { Agent } from '../../agent/Agent.js';
import { decodeMsg, encodeMsg, requestMsg } from '../../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord, websocketConnectRecord, type DecodedRecord } from '../../agent/codec/record.js';
import type { UspMsg } from '../../agent/codec/types.js';
import { silentLogger } from '../../datamodel/Logger.js';
import { dialUrl, encodeEidParam, webSocketUrl } from '../../mtp/websocket/client-handshake.js';
import { WebSocketClientMtp } from '../../mtp/websocket/WebSocketClientMtp.js';
import { AGENT_EID, CONTROLLER_EID, testDefaults, testSchema } from '../peers/agent-fixture.js';
import { TestController, freePort } from '../peers/TestController.js';

/** Slack for loopback latency and timer granularity on a busy CI machine. */
const SLACK_MS = 400;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** One accepted connection, seen from the controller's side. */
class Peer {
  readonly records: DecodedRecord[] = [];
  readonly pings: number[] = [];
  closed?: { code: number; at: number };
  private seq = 0;
  private readonly pending = new Map<string, (m: UspMsg) => void>();

  constructor(
    readonly ws: WebSocket,
    readonly at: number,
    readonly url: URL,
    readonly headers: IncomingHttpHeaders,
  ) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return;
      const rec = decodeRecord(new Uint8Array(data));
      this.records.push(rec);
      if (rec.body.kind !== 'noSessionContext') return;
      const msg = decodeMsg(rec.body.payload);
      this.pending.get(msg.header.msgId)?.(msg);
    });
    ws.on('ping', () => this.pings.push(Date.now()));
    ws.on('close', (code) => {
      this.closed = { code, at: Date.now() };
    });
  }

  async firstRecord(timeoutMs = 2000): Promise<DecodedRecord> {
    await waitFor(() => this.records.length > 0, timeoutMs, 'a record');
    return this.records[0];
  }

  /** Sends a Get; with `fragments` > 1 the Record goes as that many WebSocket fragments (R-WS.14b). */
  async get(path: string, fragments = 1): Promise<UspMsg> {
    const msgId = `ctl-${++this.seq}`;
    const answer = new Promise<UspMsg>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no answer to ${msgId}`)), 3000);
      this.pending.set(msgId, (m) => {
        clearTimeout(t);
        resolve(m);
      });
    });
    const msg = requestMsg(msgId, { reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } });
    const bytes = encodeRecord(noSessionContextRecord({ toId: AGENT_EID, fromId: CONTROLLER_EID }, encodeMsg(msg)));
    const size = Math.ceil(bytes.length / fragments);
    for (let i = 0; i < fragments; i++) {
      this.ws.send(bytes.subarray(i * size, (i + 1) * size), { binary: true, fin: i === fragments - 1 });
    }
    return answer;
  }
}

interface FakeControllerOptions {
  /** false: answer the upgrade without Sec-WebSocket-Protocol. */
  echoSubprotocol?: boolean;
  /** A Sec-WebSocket-Extensions value to answer every upgrade with. */
  extensionHeader?: string;
  autoPong?: boolean;
  tls?: { cert: string; key: string };
}

/** The operator's controller: a real `ws` server on loopback that records what the agent does. */
class FakeController {
  readonly peers: Peer[] = [];
  /** Upgrade requests, accepted or not, with their arrival time. */
  readonly arrivals: number[] = [];
  readonly refusedAt: number[] = [];
  /** How many of the next upgrade requests to answer 503. */
  refuseNext = 0;
  /** How many of the next upgrade requests to leave unanswered (a handshake stuck on a dead route). */
  hangNext = 0;
  private readonly hung: Duplex[] = [];
  private readonly http: Server;
  private readonly wss: WebSocketServer;

  constructor(opts: FakeControllerOptions = {}) {
    const onRequest = (_req: unknown, res: { writeHead(s: number): { end(): void } }): void => {
      res.writeHead(426).end();
    };
    this.http = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, onRequest) : createHttpServer(onRequest);
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      autoPong: opts.autoPong ?? true,
      handleProtocols: (offered) => (opts.echoSubprotocol !== false && offered.has('v1.usp') ? 'v1.usp' : false),
    });
    if (opts.extensionHeader)
      this.wss.on('headers', (headers) => {
        headers.push(`Sec-WebSocket-Extensions: ${opts.extensionHeader}`);
      });
    this.http.on('upgrade', (req, socket, head) => {
      this.arrivals.push(Date.now());
      if (this.hangNext > 0) {
        this.hangNext--;
        this.hung.push(socket);
        return;
      }
      if (this.refuseNext > 0) {
        this.refuseNext--;
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () => this.refusedAt.push(Date.now()));
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.peers.push(new Peer(ws, Date.now(), new URL(req.url ?? '/', 'ws://controller'), req.headers));
      });
    });
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, '127.0.0.1', () => resolve());
    });
    const a = this.http.address();
    return typeof a === 'object' && a ? a.port : port;
  }

  async peer(n: number, timeoutMs: number): Promise<Peer> {
    await waitFor(() => this.peers.length >= n, timeoutMs, `connection #${n}`);
    return this.peers[n - 1];
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    for (const s of this.hung) s.destroy();
    await new Promise<void>((r) => this.wss.close(() => r()));
    await new Promise<void>((r) => {
      this.http.close(() => r());
      this.http.closeAllConnections();
    });
  }
}

interface WsRow {
  port: number;
  keepAlive?: number;
  m?: number;
  k?: number;
  encrypt?: boolean;
}

/** A real agent whose Controller.1.MTP.1 dials the fake controller (the agent starts the client itself). */
async function startDiallingAgent(row: WsRow): Promise<{ agent: Agent; client: WebSocketClientMtp; stop(): Promise<void> }> {
  const P = 'Device.LocalAgent.Controller.1.MTP.1.';
  const agent = await Agent.start({
    defaults: testDefaults(await freePort(), {
      [`${P}Enable`]: true,
      [`${P}Protocol`]: 'WebSocket',
      [`${P}WebSocket.Host`]: '127.0.0.1',
      [`${P}WebSocket.Port`]: row.port,
      [`${P}WebSocket.Path`]: '/usp',
      [`${P}WebSocket.EnableEncryption`]: row.encrypt ?? false,
      ...(row.keepAlive ? { [`${P}WebSocket.KeepAliveInterval`]: row.keepAlive } : {}),
      [`${P}WebSocket.SessionRetryMinimumWaitInterval`]: row.m ?? 1,
      [`${P}WebSocket.SessionRetryIntervalMultiplier`]: row.k ?? 2000,
    }),
    platform: 'none',
    log: silentLogger,
    schema: testSchema(),
  });
  const clients = agent.controllerLinks.filter((l): l is WebSocketClientMtp => l instanceof WebSocketClientMtp);
  expect(clients).toHaveLength(1);
  expect(clients[0].name).toBe(P);
  return {
    agent,
    client: clients[0],
    async stop() {
      await agent.stop();
    },
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function controller(opts?: FakeControllerOptions, port?: number): Promise<{ fc: FakeController; port: number }> {
  const fc = new FakeController(opts);
  cleanups.push(() => fc.close());
  return { fc, port: await fc.listen(port) };
}
async function agentFor(row: WsRow): Promise<WebSocketClientMtp> {
  const a = await startDiallingAgent(row);
  cleanups.push(() => a.stop());
  return a.client;
}

function expectConnectRecord(rec: DecodedRecord): void {
  expect(rec.body.kind).toBe('websocketConnect');
  expect(rec.toId).toBe(CONTROLLER_EID);
  expect(rec.fromId).toBe(AGENT_EID);
}

function getValue(m: UspMsg): string | undefined {
  if (m.body.msgBody !== 'response' || m.body.response.respType !== 'getResp') throw new Error(`expected a GetResp, got ${JSON.stringify(m.body)}`);
  return m.body.response.getResp.reqPathResults[0]?.resolvedPathResults?.[0]?.resultParams.EndpointID;
}

describe('handshake helpers', () => {
  it('builds the controller URL from Host, Port, Path and EnableEncryption', () => {
    expect(webSocketUrl({ host: 'acs.example.com', port: 443, path: '/usp', encrypt: true })).toBe('wss://acs.example.com:443/usp');
    expect(webSocketUrl({ host: '10.0.0.1', port: 8080, path: 'usp', encrypt: false })).toBe('ws://10.0.0.1:8080/usp');
    expect(webSocketUrl({ host: 'fd00::1', port: 0, path: '', encrypt: true })).toBe('wss://[fd00::1]:443/');
  });

  it('percent-encodes the eid query parameter (R-WS.10c)', () => {
    expect(encodeEidParam('os::00256D-0123456789')).toBe('os::00256D-0123456789');
    expect(encodeEidParam('self::a%41b')).toBe('self::a%2541b');
    expect(encodeEidParam('user::a&b=c d+e#f')).toBe('user::a%26b%3Dc%20d%2Be%23f');
    expect(dialUrl('ws://h:1/usp', 'proto::x')).toBe('ws://h:1/usp?eid=proto::x');
    expect(dialUrl('ws://h:1/usp?tenant=7', 'proto::x')).toBe('ws://h:1/usp?tenant=7&eid=proto::x');
    expect(() => dialUrl('http://h/usp', 'proto::x')).toThrow(TypeError);
  });
});

describe('WebSocket client MTP against a real controller', () => {
  it('sends a WebSocketConnectRecord first, then answers a Get on the same connection', async () => {
    const { fc, port } = await controller();
    const client = await agentFor({ port });
    const peer = await fc.peer(1, 3000);
    expect(peer.url.pathname).toBe('/usp');
    expect(peer.url.searchParams.get('eid')).toBe(AGENT_EID);
    expect(peer.headers['sec-websocket-protocol']).toBe('v1.usp');
    expect(peer.headers['sec-websocket-extensions']).toBe(`bbf-usp-protocol; eid="${AGENT_EID}"`);
    expectConnectRecord(await peer.firstRecord());
    expect(getValue(await peer.get('Device.LocalAgent.EndpointID'))).toBe(AGENT_EID);
    expect(getValue(await peer.get('Device.LocalAgent.EndpointID', 3))).toBe(AGENT_EID);
    expect(client.currentRetryCount).toBe(0);
    expect(client.connectionFor(CONTROLLER_EID)?.open).toBe(true);
    expect(client.connectionFor('proto::someone-else')).toBeUndefined();
  });

  it('closes with 1003 when the controller sends a text frame (R-WS.16)', async () => {
    const { fc, port } = await controller();
    await agentFor({ port });
    const peer = await fc.peer(1, 3000);
    await peer.firstRecord();
    peer.ws.send('not a record');
    await waitFor(() => peer.closed !== undefined, 2000, 'the close');
    expect(peer.closed?.code).toBe(1003);
  });

  it('reconnects after the controller closes, waiting within the back-off window each retry', async () => {
    const { fc, port } = await controller();
    const client = await agentFor({ port, m: 1, k: 2000 });
    const first = await fc.peer(1, 3000);
    expectConnectRecord(await first.firstRecord());

    fc.refuseNext = 1; // retry 1 is answered 503, so retry 2 follows
    const closedAt = Date.now();
    first.ws.close(1000, 'bye');
    await waitFor(() => client.currentRetryCount === 1, 1000, 'retry count 1');
    await waitFor(() => fc.refusedAt.length === 1, 2000 + SLACK_MS, 'retry 1');
    const wait1 = fc.arrivals[1] - closedAt;
    expect(wait1).toBeGreaterThanOrEqual(1000);
    expect(wait1).toBeLessThanOrEqual(2000 + SLACK_MS);
    await waitFor(() => client.currentRetryCount === 2, 1000, 'retry count 2');

    const second = await fc.peer(2, 4000 + SLACK_MS);
    const wait2 = second.at - fc.refusedAt[0];
    expect(wait2).toBeGreaterThanOrEqual(2000);
    expect(wait2).toBeLessThanOrEqual(4000 + SLACK_MS);
    // R-MTP.6 on every connection; the retry count resets once connected.
    expectConnectRecord(await second.firstRecord());
    expect(client.currentRetryCount).toBe(0);
    expect(getValue(await second.get('Device.LocalAgent.EndpointID'))).toBe(AGENT_EID);
  }, 12_000);

  it('keeps dialling an unreachable controller and connects once it comes up', async () => {
    const port = await freePort();
    const client = await agentFor({ port, m: 1, k: 2000 });
    await waitFor(() => client.currentRetryCount >= 1, 2000, 'the first failure');
    expect(client.connectionFor(CONTROLLER_EID)).toBeUndefined();
    const { fc } = await controller({}, port);
    const peer = await fc.peer(1, 4000 + SLACK_MS);
    expectConnectRecord(await peer.firstRecord());
    expect(client.currentRetryCount).toBe(0);
  }, 8000);

  it("a controller connecting to the agent while the agent's own link to it is up is refused with 409 (R-WS.4, TP-469 7.2)", async () => {
    const { fc, port } = await controller();
    const a = await startDiallingAgent({ port });
    cleanups.push(() => a.stop());
    const peer = await fc.peer(1, 3000);
    await peer.firstRecord();
    const serverUrl = `ws://127.0.0.1:${a.agent.webSocketServers[0]!.port}/usp`;
    await expect(TestController.connect(serverUrl, CONTROLLER_EID, AGENT_EID)).rejects.toThrow(/409/);
    expect(peer.closed).toBeUndefined();
    expect(getValue(await peer.get('Device.LocalAgent.EndpointID'))).toBe(AGENT_EID);
  });

  it('the dialled link speaks only for the controller dialled: a Record with another from_id gets no answer', async () => {
    const { fc, port } = await controller();
    await agentFor({ port });
    const peer = await fc.peer(1, 3000);
    await peer.firstRecord();
    const msgId = 'spoofed-from';
    const msg = requestMsg(msgId, { reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } });
    peer.ws.send(encodeRecord(noSessionContextRecord({ toId: AGENT_EID, fromId: 'proto::someone-else' }, encodeMsg(msg))), { binary: true });
    // The next Get on the link is answered; the spoofed one, sent before it, never is.
    expect(getValue(await peer.get('Device.LocalAgent.EndpointID'))).toBe(AGENT_EID);
    const answered = peer.records.filter((r) => r.body.kind === 'noSessionContext').map((r) => decodeMsg((r.body as { payload: Uint8Array }).payload).header.msgId);
    expect(answered).not.toContain(msgId);
    expect(peer.records.every((r) => r.toId === CONTROLLER_EID)).toBe(true);
  });

  it("when the agent's own link opens, the controller's connection to the agent is closed: one session is kept", async () => {
    const port = await freePort();
    const a = await startDiallingAgent({ port, m: 30 });
    cleanups.push(() => a.stop());
    await waitFor(() => a.client.currentRetryCount >= 1, 2000, 'the first failed dial');
    const inbound = await TestController.connect(`ws://127.0.0.1:${a.agent.webSocketServers[0]!.port}/usp`, CONTROLLER_EID, AGENT_EID);
    cleanups.push(() => inbound.close());
    expect((await inbound.send({ reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } })).body.msgBody).toBe('response');
    const { fc } = await controller({}, port);
    a.client.kick();
    const peer = await fc.peer(1, 3000);
    await peer.firstRecord();
    await waitFor(() => inbound.closed !== undefined, 3000, 'the inbound connection to close');
    expect(inbound.closed?.code).toBe(1000);
    expect(getValue(await peer.get('Device.LocalAgent.EndpointID'))).toBe(AGENT_EID);
  });

  it('kick() reconnects at once instead of waiting out the back-off', async () => {
    const { fc, port } = await controller();
    // The first retry would wait at least SessionRetryMinimumWaitInterval: 30 s.
    const m = 30;
    const client = await agentFor({ port, m });
    const first = await fc.peer(1, 3000);
    await first.firstRecord();
    first.ws.close(1000);
    await waitFor(() => client.state === 'waiting', 1000, 'the back-off wait');
    expect(client.currentRetryCount).toBe(1);
    const kickedAt = Date.now();
    client.kick();
    const second = await fc.peer(2, 10_000);
    // Back before the back-off could have ended: the kick, not the retry timer, reconnected.
    expect(second.at - kickedAt).toBeLessThan(m * 1000);
    expectConnectRecord(await second.firstRecord());
    expect(client.currentRetryCount).toBe(0);
  });

  it('kick() also abandons a handshake that hangs and dials again', async () => {
    const { fc, port } = await controller();
    fc.hangNext = 1;
    const client = await agentFor({ port, m: 30 });
    await waitFor(() => fc.arrivals.length === 1, 2000, 'the first attempt');
    expect(client.state).toBe('connecting');
    client.kick();
    const peer = await fc.peer(1, 1000);
    expectConnectRecord(await peer.firstRecord());
    expect(client.currentRetryCount).toBe(0);
  });

  it('pings every KeepAliveInterval and drops a link whose pings go unanswered (R-WS.17)', async () => {
    const { fc, port } = await controller({ autoPong: false });
    await agentFor({ port, keepAlive: 1 });
    const peer = await fc.peer(1, 3000);
    // Answer the first ping only: the second goes unanswered, and the next tick drops the link.
    peer.ws.once('ping', (data) => peer.ws.pong(data));
    await waitFor(() => peer.closed !== undefined, 3000 + 4 * SLACK_MS, 'the link to be dropped');
    expect(peer.pings).toHaveLength(2);
    expect(peer.pings[0] - peer.at).toBeGreaterThanOrEqual(900);
    expect(peer.pings[1] - peer.pings[0]).toBeGreaterThanOrEqual(900);
    expect(peer.closed!.at - peer.at).toBeGreaterThanOrEqual(2900);
    expect(peer.closed!.code).toBe(1006);
  });

  it('accepts a controller that answers with Sec-WebSocket-Extensions: bbf-usp-protocol', async () => {
    const header = `bbf-usp-protocol; eid="${CONTROLLER_EID}"`;
    const { fc, port } = await controller({ extensionHeader: header });
    // A plain ws client refuses that answer: the reason the MTP strips it in its 'upgrade' listener.
    const plain = new WebSocket(`ws://127.0.0.1:${port}/usp?eid=x`, 'v1.usp', { perMessageDeflate: false });
    const refused = await new Promise<string>((r) => {
      plain.once('error', (e) => r(e.message));
      plain.once('open', () => r('opened'));
    });
    expect(refused).toMatch(/Sec-WebSocket-Extensions/);

    const client = await agentFor({ port });
    const peer = await fc.peer(2, 3000);
    expectConnectRecord(await peer.firstRecord());
    expect(getValue(await peer.get('Device.LocalAgent.EndpointID'))).toBe(AGENT_EID);
    expect(client.currentRetryCount).toBe(0);
  });

  it('still refuses an extension it did not offer alongside bbf-usp-protocol', async () => {
    const { fc, port } = await controller({ extensionHeader: `bbf-usp-protocol; eid="${CONTROLLER_EID}", x-unknown` });
    const client = await agentFor({ port });
    const peer = await fc.peer(1, 3000);
    await waitFor(() => peer.closed !== undefined, 2000, 'the client to drop the link');
    expect(peer.records).toHaveLength(0);
    expect(client.connectionFor(CONTROLLER_EID)).toBeUndefined();
    expect(client.currentRetryCount).toBeGreaterThanOrEqual(1);
  });

  it('refuses a server that does not echo v1.usp (R-WS.11)', async () => {
    const { fc, port } = await controller({ echoSubprotocol: false });
    const client = await agentFor({ port });
    const peer = await fc.peer(1, 3000);
    await waitFor(() => peer.closed !== undefined, 2000, 'the client to drop the link');
    expect(peer.records).toHaveLength(0);
    expect(client.connectionFor(CONTROLLER_EID)).toBeUndefined();
    expect(client.currentRetryCount).toBeGreaterThanOrEqual(1);
  });
});

/**
 * wss with a test CA made by the openssl CLI. Like every TLS test (test/peers/test-pki.ts) it needs
 * openssl, which CI installs: without it these tests fail rather than pass unchecked.
 */
describe('WebSocket client MTP over TLS', () => {
  let dir: string;
  const pem: Record<string, string> = {};
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'usp-ws-client-tls-'));
    const ossl = (...args: string[]): void => {
      execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    };
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ossl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=usp-test-ca');
    ossl('req', '-x509', ...ec, '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-days', '1', '-subj', '/CN=usp-other-ca');
    ossl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    ossl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'san.ext');
    for (const f of ['ca.pem', 'other-ca.pem', 'server.key', 'server.pem']) pem[f] = readFileSync(join(dir, f), 'utf8');
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function tlsClient(port: number, ca: string): WebSocketClientMtp {
    const connect = encodeRecord(websocketConnectRecord({ toId: CONTROLLER_EID, fromId: AGENT_EID }));
    const client = new WebSocketClientMtp({
      url: webSocketUrl({ host: '127.0.0.1', port, path: '/usp', encrypt: true }),
      agentEndpointId: AGENT_EID,
      controllerEndpointId: CONTROLLER_EID,
      retryMinimumWaitInterval: 30,
      tls: { ca },
      connectRecord: () => connect,
      onRecord: () => undefined,
      log: silentLogger,
    });
    cleanups.push(() => client.stop());
    return client;
  }

  it('connects when the controller certificate chains to ca', async () => {
    const { fc, port } = await controller({ tls: { cert: pem['server.pem'], key: pem['server.key'] } });
    const client = tlsClient(port, pem['ca.pem']);
    await client.start();
    const peer = await fc.peer(1, 3000);
    expectConnectRecord(await peer.firstRecord());
    expect(client.currentRetryCount).toBe(0);
  });

  it('refuses a controller certificate from another CA', async () => {
    const { fc, port } = await controller({ tls: { cert: pem['server.pem'], key: pem['server.key'] } });
    const client = tlsClient(port, pem['other-ca.pem']);
    await client.start();
    await waitFor(() => client.currentRetryCount === 1, 3000, 'the TLS failure');
    expect(fc.arrivals).toHaveLength(0);
    expect(client.connectionFor(CONTROLLER_EID)).toBeUndefined();
  });
});
