/**
 * The WebSocket server MTP's Records as a client receives them (R-WS.11: one binary message per
 * Record): small ones framed by the MTP itself (mtp/websocket/binary-frame.ts), larger ones by
 * `ws`, each arriving whole and in the order sent, alone or written together for pipelined
 * requests. A real server on loopback and a real `ws` client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '../../datamodel/Logger.js';
import type { MtpConnection } from '../../mtp/Mtp.js';
import { DIRECT_FRAME_MAX } from '../../mtp/websocket/binary-frame.js';
import { USP_SUBPROTOCOL, WebSocketServerMtp } from '../../mtp/websocket/WebSocketServerMtp.js';
import { freePort } from '../peers/TestController.js';

/** Sizes on both sides of each header form and of the MTP's own framing. */
const SIZES = [0, 1, 125, 126, 65, 4000, DIRECT_FRAME_MAX, DIRECT_FRAME_MAX + 1, 65535, 65536, 200_000];

const payload = (n: number, seed: number): Buffer => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
};

/** Whether each answer has the bytes of the Record sent in its place (Buffer#equals: quick for 200 KB). */
const matches = (got: Buffer[], sizes: number[]): boolean[] => sizes.map((n, i) => got[i]?.equals(payload(n, i)) === true);

const servers: WebSocketServerMtp[] = [];
const clients: WebSocket[] = [];

/**
 * A server that answers a Record "n1,n2,..." with Records of those sizes (the first ones marked
 * `more`, as the agent marks pipelined answers), and a client connected to it collecting answers.
 */
async function connected(): Promise<{ ask(sizes: number[]): Promise<Buffer[]> }> {
  const port = await freePort();
  const server = new WebSocketServerMtp({
    port,
    host: '127.0.0.1',
    path: '/usp',
    log: silentLogger,
    onRecord: (record: Uint8Array, conn: MtpConnection) => {
      const sizes = Buffer.from(record).toString().split(',').map(Number);
      sizes.forEach((n, i) => conn.send(payload(n, i), i < sizes.length - 1));
    },
  });
  servers.push(server);
  await server.start();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/usp?eid=proto%3A%3Aframes`, USP_SUBPROTOCOL);
  clients.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const got: Buffer[] = [];
  let want = 0;
  let done: (() => void) | undefined;
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    expect(isBinary).toBe(true);
    got.push(data);
    if (got.length === want) done?.();
  });
  return {
    ask: async (sizes) => {
      got.length = 0;
      want = sizes.length;
      const all = new Promise<void>((r) => {
        done = r;
      });
      ws.send(Buffer.from(sizes.join(',')), { binary: true });
      await all;
      return got.slice();
    },
  };
}

describe('WebSocket server MTP framing', () => {
  let c: Awaited<ReturnType<typeof connected>>;
  beforeAll(async () => {
    c = await connected();
  });
  afterAll(async () => {
    for (const ws of clients.splice(0)) ws.terminate();
    for (const s of servers.splice(0)) await s.stop();
  });

  it.each(SIZES)('a %i-byte Record arrives as one binary message with its bytes', async (n) => {
    const got = await c.ask([n]);
    expect(got.map((b) => b.length)).toEqual([n]);
    expect(matches(got, [n])).toEqual([true]);
  });

  it('Records sent together (pipelined answers, one write) arrive whole and in order, whichever framing each took', async () => {
    const sizes = [...SIZES, ...SIZES.slice().reverse(), 3, DIRECT_FRAME_MAX + 1, 3];
    const got = await c.ask(sizes);
    expect(got.map((b) => b.length)).toEqual(sizes);
    expect(matches(got, sizes)).toEqual(sizes.map(() => true));
  });
});
