/** The UDPEchoConfig. server (TR-143 Appendix A): Echo Plus fields, SourceIPAddress, and its rate limit. */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { readEchoPlus } from '../../../../agent/diagnostics/udp-echo-packet.js';
import { emptyCounters, UdpEchoServer, type UdpEchoCounters } from '../../../../agent/diagnostics/udp-echo-server.js';

const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

async function server(opts: { sourceIPAddress?: string; echoPlus?: boolean; maxRepliesPerSecond?: number }): Promise<{ port: number; counters: UdpEchoCounters }> {
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', r));
  const port = probe.address().port;
  await new Promise<void>((r) => probe.close(r));
  const counters = emptyCounters();
  const s = new UdpEchoServer(
    { addresses: ['127.0.0.1'], port, sourceIPAddress: opts.sourceIPAddress ?? '', echoPlus: opts.echoPlus ?? false, maxRepliesPerSecond: opts.maxRepliesPerSecond },
    counters,
  );
  await s.start();
  open.push({ close: () => s.stop() });
  return { port, counters };
}

async function client(address = '127.0.0.1'): Promise<{ socket: dgram.Socket; replies: Buffer[] }> {
  const socket = dgram.createSocket('udp4');
  const replies: Buffer[] = [];
  socket.on('message', (m) => replies.push(m));
  await new Promise<void>((r) => socket.bind(0, address, r));
  open.push(socket);
  return { socket, replies };
}

async function until(cond: () => boolean): Promise<void> {
  const end = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met within 5 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('UdpEchoServer', () => {
  it('a plain echo returns the packet unchanged; Echo Plus fills in its fields', async () => {
    const plain = await server({});
    const plus = await server({ echoPlus: true });
    const c = await client();
    const packet = Buffer.alloc(24);
    packet.writeUInt32BE(42, 0);
    c.socket.send(packet, plain.port, '127.0.0.1');
    await until(() => c.replies.length === 1);
    expect(c.replies[0].equals(packet)).toBe(true);
    c.socket.send(packet, plus.port, '127.0.0.1');
    await until(() => c.replies.length === 2);
    const f = readEchoPlus(c.replies[1]);
    expect(f).toMatchObject({ testGenSN: 42, testRespSN: 1, testRespReplyFailureCount: 0 });
    expect(f.testRespReplyTimeStamp - f.testRespRcvTimeStamp).toBeGreaterThanOrEqual(0);
  });

  it('answers SourceIPAddress only; others are neither counted nor answered', async () => {
    const s = await server({ sourceIPAddress: '127.0.0.1' });
    const stranger = await client('127.0.0.2');
    const allowed = await client('127.0.0.1');
    stranger.socket.send(Buffer.alloc(8), s.port, '127.0.0.1');
    allowed.socket.send(Buffer.alloc(8), s.port, '127.0.0.1');
    await until(() => allowed.replies.length === 1);
    expect(s.counters).toMatchObject({ packetsReceived: 1, packetsResponded: 1, bytesReceived: 16, bytesResponded: 16 });
    expect(stranger.replies).toHaveLength(0);
  });

  it('past its rate every request is counted but not answered, so it cannot reflect a flood', async () => {
    const s = await server({ maxRepliesPerSecond: 5, echoPlus: true });
    const c = await client();
    for (let i = 0; i < 50; i++) c.socket.send(Buffer.alloc(20), s.port, '127.0.0.1');
    await until(() => s.counters.packetsReceived === 50);
    expect(s.counters.packetsResponded).toBeGreaterThanOrEqual(1);
    expect(s.counters.packetsResponded).toBeLessThan(50);
    await until(() => c.replies.length === s.counters.packetsResponded);
  });
});
