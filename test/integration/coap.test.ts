/**
 * LEGACY: the obsoleted CoAP MTP end to end (TR-369 1.2 §"CoAP Binding"; TR-181 2.17 CoAPAgent:1,
 * CoAPController:1): the real agent, with the legacy CoAP objects added to its schema and its
 * CoAP MTP configured through TR-181, and a controller made of the `coap` package: a client
 * POSTing Records to the agent's /usp resource, and a server receiving the agent's answers as
 * POSTs at the reply-to address (R-COAP.2/2a/7). Plain CoAP only (no DTLS).
 *
 * Agent.ts does not serve CoAP yet (it is off by default and wired by the lead), so the test
 * registers the legacy objects, writes the configuration and starts the MTP itself through the
 * exported registerCoap()/startCoap(), after Agent.start.
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent as CoapAgent, createServer as createCoapServer, request as coapRequest, type IncomingMessage, type Server as CoapServer } from 'coap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../agent/Agent.js';
import { decodeMsg, encodeMsg, requestMsg } from '../../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord } from '../../agent/codec/record.js';
import type { Request, UspMsg } from '../../agent/codec/types.js';
import { applyDefaults } from '../../agent/defaults/apply-defaults.js';
import { registerCoap, withLegacyCoapSchema } from '../../agent/localagent/register-coap.js';
import { type StartedCoap, startCoap } from '../../agent/transports/start-coap.js';
import { createLogger } from '../../datamodel/Logger.js';
import { DataModel } from '../../datamodel/tree/DataModel.js';
import { testSchema } from '../peers/agent-fixture.js';

const AGENT_EID = 'proto::agent-coap';
const CONTROLLER_EID = 'proto::controller-coap';

interface Post {
  path: string;
  query: string[];
  contentFormat: unknown;
  payload: Buffer;
  msg?: UspMsg;
}

/** A controller's CoAP server: keeps every POST it gets and answers 2.04 (R-COAP.7). */
class ControllerServer {
  readonly posts: Post[] = [];
  private constructor(
    private readonly server: CoapServer,
    readonly port: number,
  ) {}

  static async start(): Promise<ControllerServer> {
    const posts: Post[] = [];
    const server = createCoapServer({ reuseAddr: false }, (req, res) => {
      const [path, query] = req.url.split('?');
      const payload = req.payload;
      let msg: UspMsg | undefined;
      try {
        const r = decodeRecord(new Uint8Array(payload));
        if (r.body.kind === 'noSessionContext') msg = decodeMsg(r.body.payload);
      } catch {
        /* recorded as is */
      }
      posts.push({ path, query: query ? query.split('&') : [], contentFormat: req.headers['Content-Format'], payload, msg });
      res.code = '2.04';
      res.end();
    });
    await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', (e?: Error) => (e ? reject(e) : resolve())));
    const c = new ControllerServer(server, (server._sock as Socket).address().port);
    (c as { posts: Post[] }).posts = posts;
    return c;
  }

  async waitFor(pred: (p: Post) => boolean, timeoutMs = 3000, from = 0): Promise<Post> {
    await until(() => this.posts.slice(from).some(pred), timeoutMs, 'a POST from the agent');
    return this.posts.slice(from).find(pred)!;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

interface PostOptions {
  path?: string;
  query?: string;
  method?: 'POST' | 'GET' | 'PUT';
  contentFormat?: string | null;
  blockwise?: boolean;
}

/** The controller's CoAP client: one request, resolved with the agent's CoAP response. */
function send(client: CoapAgent, port: number, payload: Uint8Array, o: PostOptions = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = coapRequest({
      hostname: '127.0.0.1',
      port,
      pathname: o.path ?? '/usp',
      method: o.method ?? 'POST',
      agent: client,
      ...(o.query !== undefined ? { query: o.query } : {}),
      ...(o.contentFormat !== null ? { options: { 'Content-Format': o.contentFormat ?? 'application/octet-stream' } } : {}),
    });
    if (o.blockwise) req.setOption('Block1', Buffer.of(6));
    req.on('response', resolve);
    req.on('error', reject);
    req.on('timeout', reject);
    req.end(Buffer.from(payload));
  });
}

let seq = 0;
function requestRecord(request: Request): { msgId: string; bytes: Uint8Array } {
  const msgId = `coap-${++seq}`;
  return { msgId, bytes: encodeRecord(noSessionContextRecord({ toId: AGENT_EID, fromId: CONTROLLER_EID }, encodeMsg(requestMsg(msgId, request)))) };
}
const get = (...paths: string[]): Request => ({ reqType: 'get', get: { paramPaths: paths, maxDepth: 0 } });

function getRespParams(m: UspMsg | undefined): Record<string, string>[] {
  if (m?.body.msgBody !== 'response' || m.body.response.respType !== 'getResp') throw new Error(`expected a GetResp, got ${JSON.stringify(m?.body)}`);
  return m.body.response.getResp.reqPathResults.flatMap((p) => (p.resolvedPathResults ?? []).map((x) => x.resultParams));
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A UDP port nobody holds right now. */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

let dir: string;
let agent: Agent;
let coap: StartedCoap;
let agentPort: number;
let controller: ControllerServer;
let client: CoapAgent;
const logs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'usp-agent-coap-'));
  controller = await ControllerServer.start();
  client = new CoapAgent({ type: 'udp4' });
  agentPort = await freeUdpPort();
  const log = createLogger('debug', 'test', (_lvl, line) => {
    logs.push(line);
  });
  agent = await Agent.start({
    defaults: {
      'Device.LocalAgent.EndpointID': AGENT_EID,
      'Device.LocalAgent.ControllerTrust.Role.1.Name': 'Full Access',
      'Device.LocalAgent.ControllerTrust.Role.1.Enable': true,
      'Device.LocalAgent.Controller.1.EndpointID': CONTROLLER_EID,
      'Device.LocalAgent.Controller.1.Enable': true,
      'Device.LocalAgent.Controller.1.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.1',
    },
    dataDir: dir,
    platform: 'none',
    log,
    schema: withLegacyCoapSchema(testSchema()),
    legacyCoap: true,
  });
  if (!agent.model.bindingAt('Device.LocalAgent.MTP.{i}.CoAP.')) expect(registerCoap(agent.model, agent.store)).toBe(true);
  await applyDefaults(agent.model, {
    'Device.LocalAgent.MTP.1.Enable': true,
    'Device.LocalAgent.MTP.1.Protocol': 'CoAP',
    'Device.LocalAgent.MTP.1.CoAP.Port': agentPort,
    'Device.LocalAgent.MTP.1.CoAP.Path': '/usp',
    'Device.LocalAgent.MTP.1.CoAP.EnableEncryption': false,
    // EnableEncryption is true by default: refused, there is no DTLS.
    'Device.LocalAgent.MTP.2.Enable': true,
    'Device.LocalAgent.MTP.2.Protocol': 'CoAP',
    'Device.LocalAgent.MTP.2.CoAP.Port': agentPort,
    'Device.LocalAgent.Controller.1.MTP.1.Enable': true,
    'Device.LocalAgent.Controller.1.MTP.1.Protocol': 'CoAP',
    'Device.LocalAgent.Controller.1.MTP.1.CoAP.Host': '127.0.0.1',
    'Device.LocalAgent.Controller.1.MTP.1.CoAP.Port': controller.port,
    'Device.LocalAgent.Controller.1.MTP.1.CoAP.Path': '/ctrl',
    'Device.LocalAgent.Controller.1.MTP.1.CoAP.EnableEncryption': false,
  });
  const started = await startCoap({ model: agent.model, onRecord: agent.processor.onRecord, endpointId: AGENT_EID, log });
  expect(started).toHaveLength(1);
  coap = started[0] as StartedCoap;
}, 15_000);

afterAll(async () => {
  await coap?.stop();
  await agent?.stop();
  // The coap Agent's close() callback is skipped when its socket already closed itself; 'close' is not.
  if (client)
    await new Promise<void>((r) => {
      client.once('close', () => r());
      client.close();
    });
  await controller?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('CoAP MTP (legacy, plain CoAP)', () => {
  const replyTo = (path: string): string => `reply-to=coap://127.0.0.1:${controller.port}${path}`;

  it('is off unless the legacy objects are served, and says it is obsoleted and unencrypted', async () => {
    const plain = new DataModel(testSchema());
    await expect(startCoap({ model: plain, onRecord: () => undefined, endpointId: AGENT_EID, log: createLogger('error', 'x', () => undefined) })).resolves.toEqual([]);
    expect(logs.some((l) => l.includes('CoAP MTP is OBSOLETED (USP 1.3) and unencrypted'))).toBe(true);
    expect(logs.some((l) => l.includes('CoAP MTP not started: EnableEncryption is true') && l.includes('Device.LocalAgent.MTP.2.'))).toBe(true);
    expect(coap.server.port).toBe(agentPort);
  });

  it('answers a POSTed Get with 2.04, then POSTs the GetResp to the reply-to resource', async () => {
    const { msgId, bytes } = requestRecord(get('Device.LocalAgent.EndpointID', 'Device.LocalAgent.MTP.1.CoAP.Port'));
    const from = controller.posts.length;
    const res = await send(client, agentPort, bytes, { query: replyTo('/reply/1') });
    expect(res.code).toBe('2.04');
    const p = await controller.waitFor((x) => x.path === '/reply/1', 3000, from);
    expect(p.msg?.header.msgId).toBe(msgId);
    expect(getRespParams(p.msg)).toEqual([{ EndpointID: AGENT_EID }, { Port: String(agentPort) }]);
    const rec = decodeRecord(new Uint8Array(p.payload));
    expect([rec.fromId, rec.toId]).toEqual([AGENT_EID, CONTROLLER_EID]);
    // R-COAP.6 and R-COAP.2: octet-stream, and the agent's own resource to answer to.
    expect(p.contentFormat).toBe('application/octet-stream');
    expect(p.query).toEqual([`reply-to=coap://127.0.0.1:${agentPort}/usp`]);
  });

  it('a malformed payload gets 4.00 and the agent keeps serving', async () => {
    for (const junk of [Buffer.from('not a usp record \x00\xff'), Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), Buffer.alloc(0)]) {
      const res = await send(client, agentPort, junk, { query: replyTo('/junk') });
      expect(res.code).toBe('4.00');
    }
    const { msgId, bytes } = requestRecord(get('Device.LocalAgent.EndpointID'));
    const from = controller.posts.length;
    expect((await send(client, agentPort, bytes, { query: replyTo('/reply/2') })).code).toBe('2.04');
    const p = await controller.waitFor((x) => x.path === '/reply/2', 3000, from);
    expect(p.msg?.header.msgId).toBe(msgId);
    expect(coap.server.listening).toBe(true);
  });

  it('refuses other methods (4.05), other Content-Formats (4.15), other paths (4.04) and a bad reply-to (4.00, 5.01 for coaps)', async () => {
    const { bytes } = requestRecord(get('Device.LocalAgent.EndpointID'));
    expect((await send(client, agentPort, bytes, { method: 'PUT', query: replyTo('/x') })).code).toBe('4.05');
    expect((await send(client, agentPort, bytes, { contentFormat: 'application/json', query: replyTo('/x') })).code).toBe('4.15');
    expect((await send(client, agentPort, bytes, { path: '/other', query: replyTo('/x') })).code).toBe('4.04');
    expect((await send(client, agentPort, bytes, { query: 'reply-to=http://127.0.0.1/x' })).code).toBe('4.00');
    const coaps = await send(client, agentPort, bytes, { query: 'reply-to=coaps://127.0.0.1:5684/x' });
    expect(coaps.code).toBe('5.01');
    expect(coaps.payload.toString()).toMatch(/DTLS/);
    // No Content-Format at all is accepted.
    expect((await send(client, agentPort, bytes, { contentFormat: null, query: replyTo('/x') })).code).toBe('2.04');
  });

  it("without reply-to, answers on the controller's configured CoAP address (Controller.1.MTP.1.CoAP)", async () => {
    const { msgId, bytes } = requestRecord(get('Device.LocalAgent.EndpointID'));
    const from = controller.posts.length;
    expect((await send(client, agentPort, bytes)).code).toBe('2.04');
    const p = await controller.waitFor((x) => x.msg?.header.msgId === msgId, 3000, from);
    expect(p.path).toBe('/ctrl');
  });

  it('block-wise both ways (RFC 7959): a 4 KiB request and a larger GetResp', async () => {
    const paths = Array.from({ length: 120 }, () => 'Device.LocalAgent.EndpointID');
    const { msgId, bytes } = requestRecord(get(...paths));
    expect(bytes.length).toBeGreaterThan(3000);
    const from = controller.posts.length;
    expect((await send(client, agentPort, bytes, { query: replyTo('/reply/big'), blockwise: true })).code).toBe('2.04');
    const p = await controller.waitFor((x) => x.path === '/reply/big', 5000, from);
    expect(p.payload.length).toBeGreaterThan(1024);
    expect(p.msg?.header.msgId).toBe(msgId);
    expect(getRespParams(p.msg)).toHaveLength(120);
  });

  it('a Block1 upload that would end beyond the Record size limit gets 4.13 before any buffering', async () => {
    const sock = createSocket('udp4');
    try {
      const reply = new Promise<Buffer>((resolve) => sock.once('message', (m) => resolve(m)));
      // CON POST, token 0xAB, Uri-Path "usp", Block1 num 2^19 (SZX 6: 512 MiB offset), 16 bytes.
      const block1 = ((1 << 19) << 4) | 0x08 | 6;
      const datagram = Buffer.concat([
        Buffer.from([0x41, 0x02, 0x12, 0x34, 0xab]),
        Buffer.from([0xb3]),
        Buffer.from('usp'), // option 11 Uri-Path, length 3
        Buffer.from([0xd3, 27 - 11 - 13, block1 >> 16, (block1 >> 8) & 0xff, block1 & 0xff]), // option 27, delta 16
        Buffer.from([0xff]),
        Buffer.alloc(16, 0x42),
      ]);
      sock.send(datagram, agentPort, '127.0.0.1');
      const m = await reply;
      expect(m[0] >> 4).toBe(0x6); // version 1, ACK
      expect(m[1]).toBe((4 << 5) | 13); // 4.13
      expect(m.readUInt16BE(2)).toBe(0x1234);
      expect(m[4]).toBe(0xab);
    } finally {
      sock.close();
    }
    const { msgId, bytes } = requestRecord(get('Device.LocalAgent.EndpointID'));
    const from = controller.posts.length;
    expect((await send(client, agentPort, bytes, { query: replyTo('/reply/after-413') })).code).toBe('2.04');
    expect((await controller.waitFor((x) => x.path === '/reply/after-413', 3000, from)).msg?.header.msgId).toBe(msgId);
  });

  it("connectionFor(controller) POSTs to the configured address, with the agent's reply-to", async () => {
    expect(coap.connectionFor('proto::nobody')).toBeUndefined();
    const conn = coap.connectionFor(CONTROLLER_EID)!;
    expect(conn.protocol).toBe('CoAP');
    expect(conn.open).toBe(true);
    const { bytes } = requestRecord(get('Device.LocalAgent.EndpointID'));
    const from = controller.posts.length;
    expect(conn.send(bytes)).toBe(true);
    const p = await controller.waitFor(() => true, 3000, from);
    expect(p.path).toBe('/ctrl');
    expect(Buffer.compare(p.payload, Buffer.from(bytes))).toBe(0);
    expect(p.query).toEqual([`reply-to=coap://127.0.0.1:${agentPort}/usp`]);
  });

  it('follows Controller.1.MTP.1.CoAP edits for notifications', async () => {
    await applyDefaults(agent.model, { 'Device.LocalAgent.Controller.1.MTP.1.CoAP.Path': '/ctrl-moved' });
    await until(() => (coap.connectionFor(CONTROLLER_EID) as { target?: { path: string } } | undefined)?.target?.path === '/ctrl-moved', 2000, 'the new path');
    const from = controller.posts.length;
    coap.connectionFor(CONTROLLER_EID)!.send(requestRecord(get('Device.LocalAgent.EndpointID')).bytes);
    expect((await controller.waitFor(() => true, 3000, from)).path).toBe('/ctrl-moved');
  });
});
