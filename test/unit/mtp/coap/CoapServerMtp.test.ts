/**
 * The legacy CoAP server MTP on its own, over loopback UDP with a `coap`-package peer: start-up
 * failures, the bounded POST queue, no DTLS, a quick stop with POSTs in flight, and the
 * reply-to it advertises.
 */
import { createSocket, type Socket } from 'node:dgram';
import { Agent as CoapAgent, createServer, request, type IncomingMessage, type Server } from 'coap';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../datamodel/Logger.js';
import type { MtpConnection } from '../../../../mtp/Mtp.js';
import { CoapPostConnection, CoapServerMtp, type CoapServerMtpOptions } from '../../../../mtp/coap/CoapServerMtp.js';

const mtps: CoapServerMtp[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(mtps.splice(0).map((m) => m.stop()));
  await Promise.all(closers.splice(0).map((c) => c()));
});

function mtp(over: Partial<CoapServerMtpOptions> = {}): CoapServerMtp {
  const m = new CoapServerMtp({ port: 0, path: 'usp', bindAddress: '127.0.0.1', controllers: [], checkRecord: () => undefined, onRecord: () => undefined, log: silentLogger, ...over });
  mtps.push(m);
  return m;
}

/** A peer's CoAP server that records POSTs and answers 2.04, or stays silent. */
async function peer(silent = false): Promise<{ port: number; posts: { url: string; payload: Buffer }[] }> {
  const posts: { url: string; payload: Buffer }[] = [];
  if (silent) {
    const s: Socket = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise((r) => s.close(() => r())));
    return { port: s.address().port, posts };
  }
  const server: Server = createServer((req, res) => {
    posts.push({ url: req.url, payload: req.payload });
    res.code = '2.04';
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { port: (server._sock as Socket).address().port, posts };
}

function post(port: number, query: string, payload: Buffer): Promise<IncomingMessage> {
  const agent = new CoapAgent();
  closers.push(
    () =>
      new Promise((r) => {
        agent.once('close', () => r());
        agent.close();
      }),
  );
  return new Promise((resolve, reject) => {
    const req = request({ hostname: '127.0.0.1', port, pathname: '/usp', method: 'POST', query, agent });
    req.on('response', resolve);
    req.on('error', reject);
    req.end(payload);
  });
}

const until = async (cond: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('CoapServerMtp', () => {
  it('fails its start when the port is taken (no silent sharing)', async () => {
    const first = mtp();
    await first.start();
    await expect(mtp({ port: first.port }).start()).rejects.toThrow(/EADDRINUSE/);
  });

  it('hands each Record to onRecord with a connection to the reply-to, and advertises its own URI', async () => {
    const got: { record: Uint8Array; conn: MtpConnection }[] = [];
    const m = mtp({ advertisedHost: 'agent.lan', onRecord: (record, conn) => got.push({ record, conn }) });
    await m.start();
    const p = await peer();
    const res = await post(m.port, `reply-to=coap://127.0.0.1:${p.port}/ctrl`, Buffer.from('rec'));
    expect(res.code).toBe('2.04');
    expect(Buffer.from(got[0].record).toString()).toBe('rec');
    const conn = got[0].conn as CoapPostConnection;
    expect(conn.target).toEqual({ secure: false, host: '127.0.0.1', port: p.port, path: '/ctrl' });
    expect(conn.open).toBe(true);
    expect(conn.peerEndpointId).toBeUndefined();
    expect(conn.send(Buffer.from('answer'))).toBe(true);
    await until(() => p.posts.length === 1);
    expect(p.posts[0].url).toBe(`/ctrl?reply-to=coap://agent.lan:${m.port}/usp`);
    expect(p.posts[0].payload.toString()).toBe('answer');
  });

  it('refuses POSTs when stopped, to coaps, and beyond the pending bound; stops without waiting for POSTs in flight', async () => {
    const m = mtp({ maxPendingPosts: 2 });
    const silent = await peer(true);
    const to = { secure: false, host: '127.0.0.1', port: silent.port, path: '/x' };
    expect(m.post(to, Buffer.from('a'))).toBe(false); // not started
    await m.start();
    expect(m.post({ ...to, secure: true }, Buffer.from('a'))).toBe(false);
    expect(m.post(to, Buffer.from('a'))).toBe(true);
    expect(m.post(to, Buffer.from('b'))).toBe(true);
    expect(m.post(to, Buffer.from('c'))).toBe(false);
    expect(m.pendingPosts).toBe(2);
    // The silent peer never answers: a stop() that waited for the POSTs would wait out their
    // CoAP retransmissions (RFC 7252 MAX_TRANSMIT_WAIT: 93 s) and the test would time out.
    await m.stop();
    expect(m.pendingPosts).toBe(0);
    expect(m.post(to, Buffer.from('d'))).toBe(false);
    expect(new CoapPostConnection(m, to).open).toBe(false);
  });

  it('answers 4.00 for a Record checkRecord refuses, and still passes it on (for a USP Error)', async () => {
    const got: Uint8Array[] = [];
    const m = mtp({ checkRecord: (b) => (b.length < 3 ? 'too short' : undefined), onRecord: (r) => got.push(r) });
    await m.start();
    const res = await post(m.port, 'reply-to=coap://127.0.0.1:9/x', Buffer.from('x'));
    expect(res.code).toBe('4.00');
    expect(got).toHaveLength(1);
  });
});
