/**
 * The UDS server MTP over real UNIX sockets (TR-369 §"UNIX Domain Socket Binding"):
 * Handshake exchange, records only after it, Error TLV and close on bad frames, limits, and the
 * socket file's life cycle.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger, type Logger } from '../../../../datamodel/Logger.js';
import type { MtpConnection } from '../../../../mtp/Mtp.js';
import { UdsServerMtp, type UdsServerOptions } from '../../../../mtp/uds/UdsServerMtp.js';
import { encodeFrame, errorFrame, recordFrame, TlvType } from '../../../../mtp/uds/uds-framing.js';
import { UdsTestListener, UdsTestPeer, leaveStaleSocket, waitFor } from '../../../peers/UdsTestPeer.js';

const AGENT = 'proto::agent';
const PEER = 'proto::controller-1';
const connectRecordFor = (peer: string): Uint8Array => new TextEncoder().encode(`connect:${peer}`);
const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let dir: string;
let servers: UdsServerMtp[];
let peers: UdsTestPeer[];
let received: Array<{ record: Uint8Array; conn: MtpConnection }>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'uds-'));
  servers = [];
  peers = [];
  received = [];
});
afterEach(async () => {
  for (const p of peers) p.socket.destroy();
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function serve(extra: Partial<UdsServerOptions> = {}): Promise<UdsServerMtp> {
  const s = new UdsServerMtp({
    path: join(dir, 'agent.sock'),
    agentEndpointId: AGENT,
    connectRecord: connectRecordFor,
    onRecord: (record, conn) => received.push({ record, conn }),
    log: silentLogger,
    ...extra,
  });
  await s.start();
  servers.push(s);
  return s;
}

async function dial(s: UdsServerMtp): Promise<UdsTestPeer> {
  const p = await UdsTestPeer.connect(s.path);
  peers.push(p);
  return p;
}

/** A peer past the handshake, with the Connect record received. */
async function handshaken(s: UdsServerMtp, eid = PEER): Promise<UdsTestPeer> {
  const p = await dial(s);
  p.handshake(eid);
  await p.waitForRecords(1);
  return p;
}

describe('handshake', () => {
  it("answers a Handshake with the agent's, then sends the Connect record", async () => {
    const s = await serve();
    const p = await dial(s);
    p.handshake(PEER);
    await p.waitForRecords(1);
    expect(p.tlvs.map((t) => t.type)).toEqual(['handshake', 'record']);
    expect(p.handshakes).toEqual([AGENT]);
    expect(new TextDecoder().decode(p.records[0])).toBe(`connect:${PEER}`);
    const conn = s.connectionFor(PEER);
    expect(conn).toMatchObject({ protocol: 'UDS', peerEndpointId: PEER, open: true });
  });

  it('passes Records after the handshake to onRecord, on the handshaken connection', async () => {
    const s = await serve();
    const p = await handshaken(s);
    p.sendRecord(bytes(1, 2, 3));
    p.write(
      encodeFrame([
        { type: TlvType.Record, value: bytes(4) },
        { type: 77, value: bytes(9) },
        { type: TlvType.Record, value: bytes(5) },
      ]),
    );
    await waitFor(() => received.length === 3, 2000, 'three records');
    expect(received.map((r) => [...r.record])).toEqual([[1, 2, 3], [4], [5]]);
    expect(received[0]!.conn).toBe(s.connectionFor(PEER));
    // And the other way.
    expect(received[0]!.conn.send(bytes(8, 8))).toBe(true);
    await p.waitForRecords(2);
    expect([...p.records[1]!]).toEqual([8, 8]);
  });

  it('ignores Records before the handshake', async () => {
    const s = await serve();
    const p = await dial(s);
    p.sendRecord(bytes(6, 6, 6));
    await sleep(100);
    expect(received).toEqual([]);
    expect(p.tlvs).toEqual([]);
    expect(s.connectionFor(PEER)).toBeUndefined();
    p.handshake(PEER);
    p.sendRecord(bytes(7));
    await waitFor(() => received.length === 1, 2000, 'a record');
    expect([...received[0]!.record]).toEqual([7]);
  });

  it('takes a Handshake and a Record in one frame, in their order', async () => {
    const s = await serve();
    const p = await dial(s);
    p.write(
      encodeFrame([
        { type: TlvType.Record, value: bytes(1) },
        { type: TlvType.Handshake, value: new TextEncoder().encode(PEER) },
        { type: TlvType.Record, value: bytes(2) },
      ]),
    );
    await waitFor(() => received.length === 1, 2000, 'a record');
    await sleep(50);
    expect(received.map((r) => [...r.record])).toEqual([[2]]);
  });

  it('closes with an Error TLV when no Handshake comes in time', async () => {
    const s = await serve({ handshakeTimeoutMs: 100 });
    const p = await dial(s);
    const t0 = Date.now();
    await p.waitForClose();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    expect(p.errors).toEqual(['no Handshake within 0.1 s']);
    expect(s.connectionCount).toBe(0);
  });

  it("refuses a peer that claims the agent's own Endpoint ID", async () => {
    const s = await serve();
    const p = await dial(s);
    p.handshake(AGENT);
    await p.waitForClose();
    expect(p.handshakes).toEqual([]);
    expect(p.errors[0]).toMatch(/own Endpoint ID/);
  });

  it('ignores a repeated Handshake but closes on one naming another Endpoint ID', async () => {
    const s = await serve();
    const p = await handshaken(s);
    p.handshake(PEER);
    p.sendRecord(bytes(1));
    await waitFor(() => received.length === 1, 2000, 'a record');
    p.handshake('proto::someone-else');
    await p.waitForClose();
    expect(p.errors[0]).toMatch(/different Endpoint ID/);
  });

  it('keeps one connection per Endpoint ID: the newer wins', async () => {
    const s = await serve();
    const first = await handshaken(s);
    const second = await handshaken(s);
    await first.waitForClose();
    expect(first.errors).toEqual([]);
    expect(second.closed).toBe(false);
    second.sendRecord(bytes(3));
    await waitFor(() => received.length === 1, 2000, 'a record');
    expect(received[0]!.conn).toBe(s.connectionFor(PEER));
  });
});

describe('protocol errors', () => {
  it('answers garbage with an Error TLV and closes; other links carry on', async () => {
    const s = await serve();
    const good = await handshaken(s, 'proto::good');
    const bad = await dial(s);
    bad.write(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'));
    await bad.waitForClose();
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors[0]).toMatch(/UDS_ERR_BAD_MAGIC/);
    good.sendRecord(bytes(1));
    await waitFor(() => received.length === 1, 2000, 'a record on the good link');
    const again = await handshaken(s, 'proto::again');
    expect(again.handshakes).toEqual([AGENT]);
  });

  it('refuses an oversized frame from its header', async () => {
    const s = await serve({ maxFrameSize: 1000 });
    const p = await handshaken(s);
    p.write(recordFrame(new Uint8Array(1000))); // 1005 bytes of TLV
    await p.waitForClose();
    expect(p.errors[0]).toMatch(/UDS_ERR_FRAME_TOO_LARGE.*1005.*1000/);
    expect(received).toEqual([]);
  });

  it('closes when the peer sends an Error TLV, without answering one', async () => {
    const s = await serve();
    const p = await handshaken(s);
    p.write(errorFrame('controller shutting down'));
    await p.waitForClose();
    expect(p.errors).toEqual([]);
    expect(s.connectionFor(PEER)).toBeUndefined();
  });

  it('close(1003) sends an Error TLV with the reason; close(1000) does not', async () => {
    const s = await serve();
    const a = await handshaken(s, 'proto::a');
    const b = await handshaken(s, 'proto::b');
    s.connectionFor('proto::a')!.close(1003, 'USP record could not be processed');
    s.connectionFor('proto::b')!.close(1000);
    await a.waitForClose();
    await b.waitForClose();
    expect(a.errors).toEqual(['USP record could not be processed']);
    expect(b.errors).toEqual([]);
  });

  it('send() refuses a Record that would exceed the frame limit', async () => {
    const s = await serve({ maxFrameSize: 100 });
    await handshaken(s);
    const conn = s.connectionFor(PEER)!;
    expect(conn.send(new Uint8Array(96))).toBe(false);
    expect(conn.send(new Uint8Array(95))).toBe(true);
  });

  it('refuses connections beyond the limit with an Error TLV', async () => {
    const s = await serve({ maxConnections: 2 });
    await handshaken(s, 'proto::a');
    await dial(s); // counts before its handshake
    const third = await dial(s);
    await third.waitForClose();
    expect(third.errors).toEqual(['too many connections (2)']);
    expect(s.connectionCount).toBe(2);
  });
});

describe('the socket file', () => {
  it('is created with mode 0660 by default, or as configured', async () => {
    const s = await serve();
    expect(statSync(s.path).mode & 0o777).toBe(0o660);
    await s.stop();
    const t = await serve({ path: join(dir, 'private.sock'), socketMode: 0o600 });
    expect(statSync(t.path).mode & 0o777).toBe(0o600);
  });

  it('creates missing parent directories', async () => {
    const s = await serve({ path: join(dir, 'run', 'usp', 'agent.sock') });
    expect(statSync(s.path).isSocket()).toBe(true);
  });

  it('replaces a stale socket file left by a process that died', async () => {
    const path = join(dir, 'agent.sock');
    await leaveStaleSocket(path);
    expect(statSync(path).isSocket()).toBe(true);
    const s = await serve({ path });
    const p = await handshaken(s);
    expect(p.handshakes).toEqual([AGENT]);
  });

  it('refuses a socket another process is listening on', async () => {
    const path = join(dir, 'agent.sock');
    const other = await UdsTestListener.listen(path);
    try {
      await expect(serve({ path })).rejects.toThrow(/in use/);
    } finally {
      await other.close();
    }
  });

  it('never removes a file that is not a socket', async () => {
    const path = join(dir, 'agent.sock');
    writeFileSync(path, 'precious');
    await expect(serve({ path })).rejects.toThrow(/not a socket/);
    expect(existsSync(path)).toBe(true);
  });

  it('refuses a relative path', () => {
    expect(() => new UdsServerMtp({ path: 'agent.sock', agentEndpointId: AGENT, connectRecord: connectRecordFor, onRecord: () => undefined, log: silentLogger })).toThrow(/absolute/);
  });

  it('stop() ends the links and removes the file', async () => {
    const lines: string[] = [];
    const log: Logger = createLogger('info', 'test', (_l, s) => lines.push(s));
    const s = await serve({ log });
    const p = await handshaken(s);
    await s.stop();
    await p.waitForClose();
    expect(existsSync(s.path)).toBe(false);
    expect(lines.some((l) => l.includes('uds server listening'))).toBe(true);
  });
});
