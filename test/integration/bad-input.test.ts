/**
 * Bad input against the live agent (a real agent in-process, a real WebSocket server): broken and
 * misaddressed Records (R-MTP.5), broken Msgs (R-ENC.5, R-MSG.1), E2E records
 * (R-E2E.6a), WebSocket misuse (R-WS.4, R-WS.12a, R-WS.16, frame size and connection limits),
 * duplicate msg_ids (R-MSG.4) and refused Sets that must leave the saved state untouched.
 * After every case the long-lived test controller must still get an answer to a Get.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeMsg, encodeMsg, requestMsg } from '../../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord, type DecodedRecord, type OutgoingRecord } from '../../agent/codec/record.js';
import type { Request, UspMsg } from '../../agent/codec/types.js';
import { cat, pb } from '../../bench/fuzz-corpus.js';
import { readSavedState } from '../../datamodel/store/SavedImage.js';
import { AGENT_EID, CONTROLLER_EID, startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { TestController } from '../peers/TestController.js';

let f: AgentFixture;
/** A second configured controller, for the connection-slot reserve. */
const CONTROLLER_2_EID = 'proto::controller-2';
beforeAll(async () => {
  f = await startAgent({
    captureLogs: true,
    extra: {
      'Device.LocalAgent.ControllerTrust.UntrustedRole': 'Device.LocalAgent.ControllerTrust.Role.1',
      'Device.LocalAgent.Controller.2.EndpointID': CONTROLLER_2_EID,
      'Device.LocalAgent.Controller.2.Enable': true,
      'Device.LocalAgent.Controller.2.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.1',
    },
  });
});
afterAll(async () => {
  await f.close();
});

/** Every case ends with the agent still serving the controller that was connected all along. */
afterEach(async () => {
  expect(f.controller.closed, 'the long-lived controller connection was closed').toBeUndefined();
  const m = await f.controller.send({ reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } });
  const result = {
    requestedPath: 'Device.LocalAgent.EndpointID',
    errCode: 0,
    errMsg: '',
    resolvedPathResults: [{ resolvedPath: 'Device.LocalAgent.', resultParams: { EndpointID: AGENT_EID } }],
  };
  expect(m.body).toEqual({ msgBody: 'response', response: { respType: 'getResp', getResp: { reqPathResults: [result] } } });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const GET_EID: Request = { reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } };
let seq = 0;
const nextId = (what: string) => `bad-${what}-${++seq}`;

// ---- a raw peer: a ws client that records what the agent sends and how the connection ends ----

interface Peer {
  ws: WebSocket;
  eid: string;
  records: DecodedRecord[];
  /** Messages inside no_session_context records. */
  msgs: UspMsg[];
  /** Anything the agent sent that is not a well-formed binary Record (checked after each case). */
  malformed: string[];
  closed?: { code: number; reason: string };
  closing: Promise<{ code: number; reason: string }>;
}

let peerNo = 0;
const peers: Peer[] = [];

async function openPeer(eid = `proto::bad-input-peer-${++peerNo}`): Promise<Peer> {
  const ws = new WebSocket(`${f.url}?eid=${encodeURIComponent(eid)}`, 'v1.usp');
  const closing = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      peer.closed = { code, reason: reason.toString() };
      resolve(peer.closed);
    });
  });
  const peer: Peer = { ws, eid, records: [], msgs: [], malformed: [], closing };
  ws.on('message', (data: Buffer, isBinary) => {
    try {
      if (!isBinary) throw new Error('text frame');
      const rec = decodeRecord(new Uint8Array(data));
      peer.records.push(rec);
      if (rec.body.kind === 'noSessionContext') peer.msgs.push(decodeMsg(rec.body.payload));
    } catch (e) {
      peer.malformed.push(String(e));
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  peers.push(peer);
  return peer;
}

afterEach(async () => {
  const done = peers.splice(0);
  await Promise.all(
    done.map(async (p) => {
      if (p.ws.readyState === WebSocket.CLOSED) return;
      p.ws.close();
      await p.closing;
    }),
  );
  // Whatever the agent sends must itself be well-formed.
  expect(done.flatMap((p) => p.malformed)).toEqual([]);
});

/** A Record from `from` (default: the peer itself) to `to` (default: the agent) carrying `payload`. */
function record(peer: Peer, payload: Uint8Array, over: Partial<OutgoingRecord> = {}): Uint8Array {
  return encodeRecord({ ...noSessionContextRecord({ toId: AGENT_EID, fromId: peer.eid }, payload), ...over });
}

/** Record fields by hand: version, to_id, from_id, then `body` (for Records encodeRecord refuses to build). */
function rawRecord(peer: Peer, ...body: Uint8Array[]): Uint8Array {
  return cat(pb.str(1, '1.4'), pb.str(2, AGENT_EID), pb.str(3, peer.eid), ...body);
}

/** Resolves with the close, or undefined if the connection is still open after `ms`. */
async function closedWithin(peer: Peer, ms: number): Promise<{ code: number; reason: string } | undefined> {
  return Promise.race([peer.closing, sleep(ms).then(() => undefined)]);
}

function errorOf(m: UspMsg | undefined) {
  if (!m || m.body.msgBody !== 'error') throw new Error(`expected a USP Error, got ${JSON.stringify(m?.body)}`);
  return m.body.error;
}

/** Outcome of an upgrade attempt: opened (and the echoed subprotocol), or refused with an HTTP status. */
async function tryUpgrade(url: string, protocols?: string | string[]): Promise<{ opened: true; ws: WebSocket; protocol: string } | { opened: false; status: number }> {
  const ws = protocols === undefined ? new WebSocket(url) : new WebSocket(url, protocols);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ opened: true, ws, protocol: ws.protocol }));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ opened: false, status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}

describe('Records that cannot be extracted (R-MTP.5; R-WS.16: close with 1003)', () => {
  it('garbage bytes: no answer, the connection is closed with 1003', async () => {
    const p = await openPeer();
    const garbage = cat(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x13, 0x37]), new TextEncoder().encode('not a USP record'));
    expect(() => decodeRecord(garbage)).toThrow();
    p.ws.send(garbage);
    expect.soft((await closedWithin(p, 1000))?.code, 'R-WS.16 close code').toBe(1003);
    expect(p.records).toEqual([]);
  });

  it('a truncated valid Record: no answer (the msg_id is cut off), the connection is closed with 1003', async () => {
    const p = await openPeer();
    const full = record(p, encodeMsg(requestMsg(nextId('trunc'), GET_EID)));
    const truncated = full.subarray(0, full.length - 3);
    expect(() => decodeRecord(truncated)).toThrow(expect.objectContaining({ code: 7100 }));
    p.ws.send(truncated);
    expect.soft((await closedWithin(p, 1000))?.code, 'R-WS.16 close code').toBe(1003);
    // The payload is cut, so no msg_id can be read: nothing to answer (R-MTP.5).
    expect(p.records).toEqual([]);
  });

  it('two record_type members: Error 7104 answering the readable msg_id, then close 1003', async () => {
    const p = await openPeer();
    const msgId = nextId('two-members');
    p.ws.send(rawRecord(p, pb.msg(7, pb.len(2, encodeMsg(requestMsg(msgId, GET_EID)))), pb.msg(9)));
    expect.soft((await closedWithin(p, 1000))?.code, 'R-WS.16 close code').toBe(1003);
    expect(p.msgs).toHaveLength(1);
    expect(p.msgs[0]!.header.msgId).toBe(msgId);
    expect(errorOf(p.msgs[0]).errCode).toBe(7104);
    expect(p.records[0]).toMatchObject({ toId: p.eid, fromId: AGENT_EID });
  });

  it('a Record of another USP major version (2.0): Error 7104 naming the version, then close 1003; the request is not processed', async () => {
    const p = await openPeer();
    const msgId = nextId('version');
    p.ws.send(record(p, encodeMsg(requestMsg(msgId, GET_EID)), { version: '2.0' }));
    expect.soft((await closedWithin(p, 1000))?.code, 'R-WS.16 close code').toBe(1003);
    expect(p.msgs).toHaveLength(1);
    expect(p.msgs[0]!.header.msgId).toBe(msgId);
    expect(errorOf(p.msgs[0])).toMatchObject({ errCode: 7104, errMsg: expect.stringContaining('USP version 2.0 is not supported') });
  });

  it('payload_security TLS12 in a NoSessionContext record: Error 7102, never processed as plaintext, then close 1003', async () => {
    const p = await openPeer();
    const msgId = nextId('tls12');
    p.ws.send(record(p, encodeMsg(requestMsg(msgId, GET_EID)), { payloadSecurity: 'TLS12' }));
    expect.soft((await closedWithin(p, 1000))?.code, 'R-WS.16 close code').toBe(1003);
    expect(p.msgs).toHaveLength(1);
    expect(p.msgs[0]!.header.msgId).toBe(msgId);
    expect(errorOf(p.msgs[0]).errCode).toBe(7102);
  });

  it('an empty no_session_context payload: no answer, close 1003', async () => {
    const p = await openPeer();
    const empty = rawRecord(p, pb.msg(7));
    expect(() => decodeRecord(empty)).toThrow(expect.objectContaining({ code: 7104 }));
    p.ws.send(empty);
    expect.soft((await closedWithin(p, 1000))?.code, 'R-WS.16 close code').toBe(1003);
    expect(p.records).toEqual([]);
  });

  it("a broken Record whose from_id is not the connection's eid gets no Error (from_id must be valid, R-MTP.5)", async () => {
    const p = await openPeer();
    const msgId = nextId('bad-from');
    const other = 'proto::someone-else';
    p.ws.send(cat(pb.str(1, '1.4'), pb.str(2, AGENT_EID), pb.str(3, other), pb.msg(7, pb.len(2, encodeMsg(requestMsg(msgId, GET_EID)))), pb.msg(9)));
    await closedWithin(p, 500);
    // The agent drops valid Records whose from_id differs from the eid; it must not answer a broken one either.
    expect(p.records.map((r) => r.toId)).toEqual([]);
  });
});

describe('Records not meant for the agent are dropped without an answer', () => {
  async function expectSilentDrop(p: Peer, bytes: Uint8Array): Promise<void> {
    p.ws.send(bytes);
    expect(await closedWithin(p, 400)).toBeUndefined();
    expect(p.records).toEqual([]);
  }

  it('to_id is another agent', async () => {
    const p = await openPeer();
    await expectSilentDrop(p, record(p, encodeMsg(requestMsg(nextId('to'), GET_EID)), { toId: 'proto::another-agent' }));
  });

  it("from_id is the agent's own Endpoint ID", async () => {
    const p = await openPeer();
    await expectSilentDrop(p, record(p, encodeMsg(requestMsg(nextId('self'), GET_EID)), { fromId: AGENT_EID }));
  });

  it("from_id differs from the connection's eid", async () => {
    const p = await openPeer();
    await expectSilentDrop(p, record(p, encodeMsg(requestMsg(nextId('spoof'), GET_EID)), { fromId: CONTROLLER_EID }));
  });
});

describe('Msgs that do not decode', () => {
  const header = (msgId: string, type = 1) => pb.msg(1, pb.str(1, msgId), pb.vint(2, type));

  it('a Msg that fails to parse but whose msg_id is readable: Error 7004 for that msg_id', async () => {
    const p = await openPeer();
    const msgId = nextId('unparsable');
    // body.request.get is announced as 5 bytes long but only 1 follows.
    const msg = cat(header(msgId), pb.len(2, pb.len(1, new Uint8Array([0x0a, 0x05, 0x01]))));
    expect(() => decodeMsg(msg)).toThrow(expect.objectContaining({ code: 7004 }));
    p.ws.send(record(p, msg));
    await expect.poll(() => p.msgs.length).toBe(1);
    expect(p.msgs[0]!.header.msgId).toBe(msgId);
    expect(errorOf(p.msgs[0]).errCode).toBe(7004);
    expect(p.closed).toBeUndefined();
  });

  it('two members of the Request oneof: Error 7004 (R-ENC.5)', async () => {
    const p = await openPeer();
    const msgId = nextId('two-requests');
    const msg = cat(header(msgId), pb.msg(2, pb.msg(1, pb.msg(1, pb.str(1, 'Device.LocalAgent.EndpointID')), pb.msg(4, pb.vint(1, 1)))));
    p.ws.send(record(p, msg));
    await expect.poll(() => p.msgs.length).toBe(1);
    expect(p.msgs[0]!.header.msgId).toBe(msgId);
    expect(errorOf(p.msgs[0]).errCode).toBe(7004);
  });

  it('a Response of an unknown newer type: ignored or Error 7001 (R-MSG.1), no crash', async () => {
    const p = await openPeer();
    const msgId = nextId('newer-response');
    p.ws.send(record(p, cat(header(msgId, 2), pb.msg(2, pb.msg(2, pb.msg(99, pb.str(1, 'x')))))));
    await sleep(300);
    for (const m of p.msgs) {
      expect(m.header.msgId).toBe(msgId);
      expect(errorOf(m).errCode).toBe(7001);
    }
    expect(p.closed).toBeUndefined();
  });
});

describe('E2E session records', () => {
  it('a SessionContext record is answered with a DisconnectRecord 7106 (R-E2E.6a)', async () => {
    const before = f.controller.records.length;
    f.controller.sendRaw(
      encodeRecord({
        toId: AGENT_EID,
        fromId: CONTROLLER_EID,
        body: {
          kind: 'sessionContext',
          sessionContext: {
            sessionId: 7n,
            sequenceId: 1n,
            expectedId: 1n,
            retransmitId: 0n,
            payloadSarState: 'NONE',
            payloadrecSarState: 'NONE',
            payload: [encodeMsg(requestMsg(nextId('e2e'), GET_EID))],
          },
        },
      }),
    );
    await expect.poll(() => f.controller.records.length).toBeGreaterThan(before);
    const rec = f.controller.records[before]!;
    expect(rec).toMatchObject({ toId: CONTROLLER_EID, fromId: AGENT_EID });
    expect(rec.body).toMatchObject({ kind: 'disconnect', reasonCode: 7106 });
  });

  it('a SessionContext record with payload_security TLS12 is not processed either: DisconnectRecord 7106', async () => {
    const before = f.controller.records.length;
    f.controller.sendRaw(
      encodeRecord({
        toId: AGENT_EID,
        fromId: CONTROLLER_EID,
        payloadSecurity: 'TLS12',
        body: {
          kind: 'sessionContext',
          sessionContext: {
            sessionId: 8n,
            sequenceId: 1n,
            expectedId: 1n,
            retransmitId: 0n,
            payloadSarState: 'NONE',
            payloadrecSarState: 'NONE',
            payload: [encodeMsg(requestMsg(nextId('e2e-tls'), GET_EID))],
          },
        },
      }),
    );
    await expect.poll(() => f.controller.records.length).toBeGreaterThan(before);
    expect(f.controller.records.slice(before).map((r) => r.body)).toEqual([expect.objectContaining({ kind: 'disconnect', reasonCode: 7106 })]);
  });
});

describe('WebSocket misuse', () => {
  it('a text frame closes the connection with 1003 (R-WS.16)', async () => {
    const p = await openPeer();
    p.ws.send('Device.LocalAgent.EndpointID');
    expect((await closedWithin(p, 1000))?.code).toBe(1003);
  });

  it('the v1.usp subprotocol is echoed; a client that does not offer it is refused (R-WS.12a)', async () => {
    const ok = await tryUpgrade(`${f.url}?eid=proto::proto-ok`, ['v2.usp', 'v1.usp']);
    expect(ok).toMatchObject({ opened: true, protocol: 'v1.usp' });
    if (ok.opened) ok.ws.close();
    expect(await tryUpgrade(`${f.url}?eid=proto::no-proto`)).toEqual({ opened: false, status: 400 });
    expect(await tryUpgrade(`${f.url}?eid=proto::other-proto`, 'v2.usp')).toEqual({ opened: false, status: 400 });
  });

  it('a connection that names no Endpoint ID (no eid, no certificate) is refused with 400 (R-WS.10b)', async () => {
    expect(await tryUpgrade(f.url, 'v1.usp')).toEqual({ opened: false, status: 400 });
    expect(await tryUpgrade(`${f.url}?eid=`, 'v1.usp')).toEqual({ opened: false, status: 400 });
  });

  it('a wrong resource path is refused', async () => {
    const wrong = f.url.replace(/\/usp$/, '/not-usp');
    expect(await tryUpgrade(`${wrong}?eid=proto::wrong-path`, 'v1.usp')).toEqual({ opened: false, status: 404 });
    expect(await tryUpgrade(`${f.url}/deeper?eid=proto::wrong-path`, 'v1.usp')).toEqual({ opened: false, status: 404 });
  });

  it('a frame over the 1 MiB default record limit closes that connection with 1009', async () => {
    const p = await openPeer();
    p.ws.send(new Uint8Array(1024 * 1024 + 1));
    expect((await closedWithin(p, 2000))?.code).toBe(1009);
    expect(p.records).toEqual([]);
  });

  it('a second connection with the same eid closes the first (R-WS.4) and the second works', async () => {
    const eid = 'proto::twice-connected';
    const first = await TestController.connect(f.url, eid, AGENT_EID);
    const second = await TestController.connect(f.url, eid, AGENT_EID);
    await expect.poll(() => first.closed).toBeDefined();
    expect(second.closed).toBeUndefined();
    const m = await second.send(GET_EID);
    expect(m.body.msgBody).toBe('response');
    await second.close();
  });

  it('a flood of 100 unknown Endpoint IDs: at most 48 open, the rest refused with 503; configured controllers still get in; memory bounded', async () => {
    const rssBefore = process.memoryUsage().rss;
    const refusals = f.logs.length;
    const attempts = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => tryUpgrade(`${f.url}?eid=proto::flood-${i}`, 'v1.usp')));
    const outcomes = attempts.map((a) => (a.status === 'fulfilled' ? a.value : { opened: false as const, status: -1 }));
    const opened = outcomes.filter((o): o is Extract<typeof o, { opened: true }> => o.opened);
    const refused = outcomes.filter((o) => !o.opened);
    let second: TestController | undefined;
    try {
      // 64 slots (DEFAULT_MAX_CONNECTIONS), 16 of them kept for configured controllers.
      expect(opened.length).toBe(48);
      expect(refused.map((o) => ('status' in o ? o.status : 0)).every((s) => s === 503)).toBe(true);
      expect(opened.length + refused.length).toBe(100);
      // One log line per refusal.
      expect(f.logs.slice(refusals).filter((l) => l.includes('websocket upgrade refused') && l.includes('status=503'))).toHaveLength(52);
      // The existing controller is still served, and another configured one can still connect.
      const m = await f.controller.send(GET_EID);
      expect(m.body.msgBody).toBe('response');
      second = await TestController.connect(f.url, CONTROLLER_2_EID, AGENT_EID);
      expect((await second.send(GET_EID)).body.msgBody).toBe('response');
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 2 ** 20);
    } finally {
      await second?.close();
      await Promise.all(
        opened.map(
          (o) =>
            new Promise<void>((r) => {
              o.ws.once('close', () => r());
              o.ws.close();
            }),
        ),
      );
    }
    // Slots come back once those connections are gone.
    await expect
      .poll(
        async () => {
          const again = await tryUpgrade(`${f.url}?eid=proto::after-flood`, 'v1.usp');
          if (again.opened) again.ws.close();
          return again.opened;
        },
        { timeout: 2000 },
      )
      .toBe(true);
  });
});

// ---- a minimal WebSocket client over a raw socket: several frames in one TCP write ----

/** A masked client frame (RFC 6455 §5.2). */
function frame(opcode: number, payload: Uint8Array, fin = true): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | len])
      : len < 65536
        ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 126, len >> 8, len & 0xff])
        : (() => {
            const h = Buffer.alloc(10);
            h[0] = (fin ? 0x80 : 0) | opcode;
            h[1] = 0x80 | 127;
            h.writeBigUInt64BE(BigInt(len), 2);
            return h;
          })();
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([head, mask, body]);
}

class RawClient {
  readonly binary: Uint8Array[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.parse();
    });
  }

  static async open(port: number, eid: string): Promise<RawClient> {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    socket.write(
      `GET /usp?eid=${encodeURIComponent(eid)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: v1.usp\r\n\r\n`,
    );
    const rest = await new Promise<Buffer>((resolve, reject) => {
      let acc = Buffer.alloc(0);
      const onData = (d: Buffer) => {
        acc = Buffer.concat([acc, d]);
        const end = acc.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        const status = acc.subarray(0, end).toString('latin1').split('\r\n')[0]!;
        if (!status.includes(' 101 ')) reject(new Error(`upgrade refused: ${status}`));
        else resolve(acc.subarray(end + 4));
      };
      socket.on('data', onData);
    });
    const c = new RawClient(socket);
    if (rest.length) {
      c.buf = rest;
      c.parse();
    }
    return c;
  }

  /** Server frames are unmasked; only complete binary messages are kept. */
  private parse(): void {
    for (;;) {
      if (this.buf.length < 2) return;
      let len = this.buf[1]! & 0x7f;
      let at = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        at = 10;
      }
      if (this.buf.length < at + len) return;
      if ((this.buf[0]! & 0x0f) === 2) this.binary.push(new Uint8Array(this.buf.subarray(at, at + len)));
      this.buf = this.buf.subarray(at + len);
    }
  }

  msgs(): UspMsg[] {
    return this.binary.map((b) => decodeRecord(b)).flatMap((r) => (r.body.kind === 'noSessionContext' ? [decodeMsg(r.body.payload)] : []));
  }

  close(): void {
    this.socket.end(frame(8, new Uint8Array([0x03, 0xe8])));
  }
}

describe('duplicate msg_id while the original is in flight (R-MSG.4)', () => {
  async function sendTwiceInOneWrite(eid: string, msg: UspMsg): Promise<RawClient> {
    const c = await RawClient.open(f.port, eid);
    const rec = encodeRecord(noSessionContextRecord({ toId: AGENT_EID, fromId: eid }, encodeMsg(msg)));
    // One TCP write: the agent reads both copies before it can have answered the first.
    c.socket.write(Buffer.concat([frame(2, rec), frame(2, rec)]));
    await sleep(400);
    return c;
  }

  it('two identical Operate ScheduleTimer() requests: one OperateResp, one Request row', async () => {
    const msgId = nextId('dup-operate');
    const key = `dup-key-${seq}`;
    const operate: Request = { reqType: 'operate', operate: { command: 'Device.ScheduleTimer()', commandKey: key, sendResp: true, inputArgs: { DelaySeconds: '2' } } };
    const c = await sendTwiceInOneWrite('proto::dup-operate', requestMsg(msgId, operate));
    const answers = c.msgs().filter((m) => m.header.msgId === msgId);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.body).toMatchObject({ msgBody: 'response', response: { respType: 'operateResp' } });
    const rows = await f.controller.send({ reqType: 'get', get: { paramPaths: [`Device.LocalAgent.Request.[CommandKey=="${key}"].Status`], maxDepth: 0 } });
    if (rows.body.msgBody !== 'response' || rows.body.response.respType !== 'getResp') throw new Error(JSON.stringify(rows.body));
    expect(rows.body.response.getResp.reqPathResults[0]!.resolvedPathResults).toHaveLength(1);
    c.close();
  });

  it('two identical Gets: one GetResp', async () => {
    const msgId = nextId('dup-get');
    const c = await sendTwiceInOneWrite('proto::dup-get', requestMsg(msgId, GET_EID));
    const answers = c.msgs().filter((m) => m.header.msgId === msgId);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.body).toMatchObject({ msgBody: 'response', response: { respType: 'getResp' } });
    c.close();
  });
});

describe('Operate with an extreme but valid input', () => {
  it('ScheduleTimer(DelaySeconds=4294967295) stays Active instead of completing at once', async () => {
    const key = `long-timer-${++seq}`;
    const m = await f.controller.send({ reqType: 'operate', operate: { command: 'Device.ScheduleTimer()', commandKey: key, sendResp: true, inputArgs: { DelaySeconds: '4294967295' } } });
    if (m.body.msgBody !== 'response' || m.body.response.respType !== 'operateResp') throw new Error(JSON.stringify(m.body));
    const result = m.body.response.operateResp.operationResults[0]!;
    if (result.operationResp !== 'reqObjPath') throw new Error(JSON.stringify(result));
    await sleep(200);
    const row = await f.controller.send({ reqType: 'get', get: { paramPaths: [`${result.reqObjPath}Status`], maxDepth: 0 } });
    if (row.body.msgBody !== 'response' || row.body.response.respType !== 'getResp') throw new Error(JSON.stringify(row.body));
    const r = row.body.response.getResp.reqPathResults[0]!;
    try {
      // A ~136-year timer must still be running (Node's setTimeout fires at once beyond 2^31-1 ms).
      expect(r.errCode ?? 0).toBe(0);
      expect(r.resolvedPathResults?.[0]?.resultParams['Status']).toBe('Active');
    } finally {
      if (!r.errCode) await f.controller.send({ reqType: 'operate', operate: { command: `${result.reqObjPath}Cancel()`, commandKey: '', sendResp: true, inputArgs: {} } });
    }
  });
});

describe('refused Sets change nothing, in the model or in state.json', () => {
  const CTRL = 'Device.LocalAgent.Controller.1.';
  type SetCase = { name: string; objPath: string; param: string; value: string; code: number };
  const cases: SetCase[] = [
    { name: 'unknown parameter', objPath: CTRL, param: 'NoSuchParameter', value: '1', code: 7010 },
    { name: 'wrong type', objPath: CTRL, param: 'PeriodicNotifInterval', value: 'soon', code: 7011 },
    // tr181-schema.json: PeriodicNotifInterval is unsignedInt with ranges [{ min: 1 }].
    { name: 'out of range', objPath: CTRL, param: 'PeriodicNotifInterval', value: '0', code: 7012 },
    { name: 'not writable', objPath: 'Device.LocalAgent.', param: 'EndpointID', value: 'proto::hijacked', code: 7013 },
  ];

  function saved(): { rows: Record<string, Record<string, unknown>>; tables: unknown } {
    // state.json plus the journal: what a restart would load.
    return readSavedState(f.dataDir)!;
  }
  const relevant = () => {
    const s = saved();
    return { agent: s.rows['Device.LocalAgent.'], ctrl: s.rows[CTRL], tables: s.tables };
  };
  async function current() {
    const m = await f.controller.send({ reqType: 'get', get: { paramPaths: [CTRL, 'Device.LocalAgent.EndpointID'], maxDepth: 1 } });
    if (m.body.msgBody !== 'response' || m.body.response.respType !== 'getResp') throw new Error(JSON.stringify(m.body));
    return m.body.response.getResp.reqPathResults.map((r) => r.resolvedPathResults);
  }
  async function set(objPath: string, param: string, value: string, allowPartial: boolean, required = true) {
    return f.controller.send({ reqType: 'set', set: { allowPartial, updateObjs: [{ objPath, paramSettings: [{ param, value, required }] }] } });
  }

  let before: ReturnType<typeof relevant>;
  let beforeModel: Awaited<ReturnType<typeof current>>;
  beforeAll(async () => {
    before = relevant();
    beforeModel = await current();
  });

  it.each(cases)('$name ($code), allow_partial=false: Error 7021 with param_errs naming the full path', async (c) => {
    const e = errorOf(await set(c.objPath, c.param, c.value, false));
    expect(e.errCode).toBe(7021);
    expect(e.paramErrs).toEqual([expect.objectContaining({ paramPath: c.objPath + c.param, errCode: c.code })]);
  });

  it.each(cases)('$name ($code), allow_partial=true: SetResp oper_failure naming the parameter', async (c) => {
    const m = await set(c.objPath, c.param, c.value, true);
    if (m.body.msgBody !== 'response' || m.body.response.respType !== 'setResp') throw new Error(JSON.stringify(m.body));
    const st = m.body.response.setResp.updatedObjResults[0]!.operStatus;
    if (st.operStatus !== 'operFailure') throw new Error(JSON.stringify(st));
    expect(st.operFailure.errCode).toBe(7021);
    expect(st.operFailure.updatedInstFailures).toEqual([{ affectedPath: c.objPath, paramErrs: [expect.objectContaining({ param: c.param, errCode: c.code })] }]);
  });

  it.each(cases)('$name ($code), not required: oper_success with the parameter error and nothing updated', async (c) => {
    const m = await set(c.objPath, c.param, c.value, false, false);
    if (m.body.msgBody !== 'response' || m.body.response.respType !== 'setResp') throw new Error(JSON.stringify(m.body));
    const st = m.body.response.setResp.updatedObjResults[0]!.operStatus;
    if (st.operStatus !== 'operSuccess') throw new Error(JSON.stringify(st));
    const inst = st.operSuccess.updatedInstResults![0]!;
    expect(inst.paramErrs).toEqual([expect.objectContaining({ param: c.param, errCode: c.code })]);
    expect(inst.updatedParams ?? {}).toEqual({});
  });

  it('an unknown object path (7026): Error with allow_partial=false, oper_failure with true', async () => {
    const e = errorOf(await set('Device.LocalAgent.NoSuchObject.', 'Enable', 'true', false));
    expect(e.errCode).toBe(7026);
    expect(e.paramErrs?.[0]).toMatchObject({ paramPath: 'Device.LocalAgent.NoSuchObject.', errCode: 7026 });
    const m = await set('Device.LocalAgent.NoSuchObject.', 'Enable', 'true', true);
    if (m.body.msgBody !== 'response' || m.body.response.respType !== 'setResp') throw new Error(JSON.stringify(m.body));
    expect(m.body.response.setResp.updatedObjResults[0]!.operStatus).toMatchObject({ operStatus: 'operFailure', operFailure: { errCode: 7026 } });
  });

  it('a valid change in the same message as a failing required one is rolled back (allow_partial=false)', async () => {
    const m = await f.controller.send({
      reqType: 'set',
      set: {
        allowPartial: false,
        updateObjs: [
          { objPath: CTRL, paramSettings: [{ param: 'PeriodicNotifInterval', value: '77', required: true }] },
          { objPath: 'Device.LocalAgent.', paramSettings: [{ param: 'EndpointID', value: 'proto::hijacked', required: true }] },
        ],
      },
    });
    expect(errorOf(m).errCode).toBe(7021);
  });

  it('after all of the above, the model and the saved rows are unchanged', async () => {
    await sleep(200); // let any (wrong) save finish
    expect(await current()).toEqual(beforeModel);
    expect(relevant()).toEqual(before);
  });
});
