/**
 * The UDS client MTP over real UNIX sockets (TR-369 §"UNIX Domain Socket Binding"):
 * Handshake first, the server's within the time limit, the Connect record after it, and a random
 * 1–5 s wait before every redial. Timers run 20 times faster than asked (the waits the client
 * asks for are recorded as asked), so a 1–5 s wait takes 50–250 ms here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../../../datamodel/Logger.js';
import type { MtpConnection } from '../../../../mtp/Mtp.js';
import { RECONNECT_MAX_MS, RECONNECT_MIN_MS, UdsClientMtp, type UdsClientOptions } from '../../../../mtp/uds/UdsClientMtp.js';
import type { UdsTimers } from '../../../../mtp/uds/UdsConnection.js';
import { errorFrame } from '../../../../mtp/uds/uds-framing.js';
import { UdsTestListener, waitFor } from '../../../peers/UdsTestPeer.js';

const AGENT = 'proto::agent';
const BROKER = 'proto::broker';
const SPEEDUP = 20;
const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let dir: string;
let path: string;
let clients: UdsClientMtp[];
let listeners: UdsTestListener[];
let received: Array<{ record: Uint8Array; conn: MtpConnection }>;
/** Every wait the client asked for, in ms as asked. */
let asked: number[];

const fastTimers: UdsTimers = {
  setTimeout: (fn, ms) => {
    asked.push(ms);
    return setTimeout(fn, ms / SPEEDUP);
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'uds-'));
  path = join(dir, 'broker.sock');
  clients = [];
  listeners = [];
  received = [];
  asked = [];
});
afterEach(async () => {
  await Promise.all(clients.map((c) => c.stop()));
  await Promise.all(listeners.map((l) => l.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function dial(extra: Partial<UdsClientOptions> = {}): Promise<UdsClientMtp> {
  const c = new UdsClientMtp({
    path,
    agentEndpointId: AGENT,
    connectRecord: (peer) => new TextEncoder().encode(`connect:${peer}`),
    onRecord: (record, conn) => received.push({ record, conn }),
    log: silentLogger,
    timers: fastTimers,
    random: () => 0,
    ...extra,
  });
  clients.push(c);
  await c.start();
  return c;
}

async function listen(): Promise<UdsTestListener> {
  const l = await UdsTestListener.listen(path);
  listeners.push(l);
  return l;
}

/** Reconnect waits asked for (the handshake timer asks for its own, larger, time). */
const reconnectWaits = (): number[] => asked.filter((ms) => ms >= RECONNECT_MIN_MS && ms <= RECONNECT_MAX_MS);

describe('UdsClientMtp', () => {
  it('sends its Handshake first, then the Connect record once the server answers', async () => {
    const broker = await listen();
    const c = await dial();
    const peer = await broker.nextPeer(0);
    await waitFor(() => peer.handshakes.length === 1, 2000, "the agent's Handshake");
    expect(peer.handshakes).toEqual([AGENT]);
    expect(peer.records).toEqual([]);
    expect(c.state).toBe('handshake');
    expect(c.connectionFor(BROKER)).toBeUndefined();
    peer.handshake(BROKER);
    const [connect] = await peer.waitForRecords(1);
    expect(text(connect!)).toBe(`connect:${BROKER}`);
    expect(c.state).toBe('open');
    expect(c.connectionFor(BROKER)).toMatchObject({ protocol: 'UDS', peerEndpointId: BROKER, open: true });
    expect(c.connectionFor('proto::other')).toBeUndefined();
  });

  it("passes the server's Records on, and ignores those before its Handshake", async () => {
    const broker = await listen();
    const c = await dial();
    const peer = await broker.nextPeer(0);
    peer.sendRecord(bytes(1));
    await sleep(50);
    peer.handshake(BROKER);
    peer.sendRecord(bytes(2));
    await waitFor(() => received.length === 1, 2000, 'a record');
    await sleep(30);
    expect(received.map((r) => [...r.record])).toEqual([[2]]);
    expect(received[0]!.conn).toBe(c.connectionFor(BROKER));
  });

  it("closes with an Error TLV when the server's Handshake does not come, and redials", async () => {
    const broker = await listen();
    await dial({ handshakeTimeoutMs: 6000 }); // outside the 1–5 s reconnect window, so the two are told apart
    const first = await broker.nextPeer(0);
    await first.waitForClose();
    expect(first.errors).toEqual(['no Handshake within 6 s']);
    const second = await broker.nextPeer(1);
    await waitFor(() => second.handshakes.length === 1, 2000, 'the second Handshake');
    expect(reconnectWaits()).toEqual([RECONNECT_MIN_MS]);
  });

  it('defaults the handshake time limit to 30 s', async () => {
    const broker = await listen();
    await dial();
    await broker.nextPeer(0);
    await waitFor(() => asked.includes(30_000), 1000, 'a 30 s timer');
  });

  it('keeps dialling a socket that is not there yet, within 1–5 s each time', async () => {
    let n = 0;
    const draws = [0, 0.5, 0.999];
    const c = await dial({ random: () => draws[n++ % draws.length]! });
    await waitFor(() => reconnectWaits().length >= 3, 3000, 'three redials');
    expect(c.state === 'waiting' || c.state === 'connecting').toBe(true);
    const [a, b, d] = reconnectWaits();
    expect(a).toBe(1000);
    expect(b).toBe(3000);
    expect(d).toBeCloseTo(4996, 0);
    const broker = await listen();
    const peer = await broker.nextPeer(0, 3000);
    peer.handshake(BROKER);
    await peer.waitForRecords(1);
    expect(c.state).toBe('open');
  });

  it("closes on the server's Error TLV and redials", async () => {
    const broker = await listen();
    const c = await dial();
    const first = await broker.nextPeer(0);
    first.handshake(BROKER);
    await first.waitForRecords(1);
    first.write(errorFrame('broker restarting'));
    await first.waitForClose();
    expect(first.errors).toEqual([]);
    const second = await broker.nextPeer(1);
    second.handshake(BROKER);
    await second.waitForRecords(1);
    expect(c.connectionFor(BROKER)?.open).toBe(true);
  });

  it('answers a malformed frame with an Error TLV, closes and redials', async () => {
    const broker = await listen();
    await dial();
    const first = await broker.nextPeer(0);
    first.write(new TextEncoder().encode('hello?'));
    await first.waitForClose();
    expect(first.errors[0]).toMatch(/UDS_ERR_BAD_MAGIC/);
    await broker.nextPeer(1);
  });

  it('redials when the server goes away', async () => {
    const broker = await listen();
    const c = await dial();
    const first = await broker.nextPeer(0);
    first.handshake(BROKER);
    await first.waitForRecords(1);
    first.socket.destroy();
    await waitFor(() => c.state === 'waiting' || broker.peers.length > 1, 2000, 'the link to drop');
    expect(c.connectionFor(BROKER)).toBeUndefined();
    await broker.nextPeer(1);
  });

  it('logs a server Endpoint ID no controller row expects, and still serves it', async () => {
    const lines: string[] = [];
    const broker = await listen();
    const c = await dial({ expectedPeers: ['proto::controller-1'], log: createLogger('info', 'test', (_l, s) => lines.push(s)) });
    const peer = await broker.nextPeer(0);
    peer.handshake(BROKER);
    await peer.waitForRecords(1);
    expect(lines.some((l) => l.includes('no controller row expects') && l.includes(BROKER))).toBe(true);
    expect(c.connectionFor(BROKER)?.open).toBe(true);
  });

  it('stop() closes the link and dials no more', async () => {
    const broker = await listen();
    const c = await dial();
    const peer = await broker.nextPeer(0);
    peer.handshake(BROKER);
    await peer.waitForRecords(1);
    await c.stop();
    await peer.waitForClose();
    expect(peer.errors).toEqual([]);
    expect(c.state).toBe('stopped');
    await sleep(RECONNECT_MAX_MS / SPEEDUP + 50);
    expect(broker.peers).toHaveLength(1);
  });

  it('stop() while waiting to redial cancels the wait', async () => {
    const c = await dial();
    await waitFor(() => c.state === 'waiting', 2000, 'the first failed dial');
    await c.stop();
    const count = asked.length;
    await sleep(RECONNECT_MAX_MS / SPEEDUP + 50);
    expect(asked.length).toBe(count);
  });
});
