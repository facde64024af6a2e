/**
 * A raw UNIX domain socket USP peer for tests: it writes whatever frames (or garbage) a test
 * wants and records every TLV it receives, decoded by the project's framing decoder. It is the
 * other end of the agent's UDS MTP: a local controller, or a USP Broker when it listens.
 */
import { spawn } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { handshakeFrame, recordFrame, UdsFrameDecoder, type UdsFrameError, type UdsTlv } from '../../mtp/uds/uds-framing.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

export class UdsTestPeer {
  readonly tlvs: UdsTlv[] = [];
  /** Set when the bytes from the other side broke the framing. */
  frameError?: UdsFrameError;
  closed = false;
  /** When the socket closed (Date.now()). */
  closedAt?: number;
  private readonly decoder = new UdsFrameDecoder({ maxFrameSize: 64 * 1024 * 1024 });

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      const r = this.decoder.push(chunk);
      this.tlvs.push(...r.tlvs);
      this.frameError ??= r.error;
    });
    socket.on('error', () => {
      /* a reset from the other side shows as close */
    });
    socket.on('close', () => {
      this.closed = true;
      this.closedAt = Date.now();
    });
  }

  /** Dials `path` (the agent listening). */
  static connect(path: string): Promise<UdsTestPeer> {
    return new Promise((resolve, reject) => {
      const s = createConnection(path);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new UdsTestPeer(s));
      });
      s.once('error', reject);
    });
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }
  handshake(endpointId: string): void {
    this.write(handshakeFrame(endpointId));
  }
  sendRecord(record: Uint8Array): void {
    this.write(recordFrame(record));
  }

  /** Endpoint IDs of the Handshake TLVs received. */
  get handshakes(): string[] {
    return this.tlvs.flatMap((t) => (t.type === 'handshake' ? [t.endpointId] : []));
  }
  get records(): Uint8Array[] {
    return this.tlvs.flatMap((t) => (t.type === 'record' ? [t.record] : []));
  }
  get errors(): string[] {
    return this.tlvs.flatMap((t) => (t.type === 'error' ? [t.message] : []));
  }

  async waitForRecords(n: number, timeoutMs = 3000): Promise<Uint8Array[]> {
    await waitFor(() => this.records.length >= n, timeoutMs, `${n} record(s)`);
    return this.records;
  }

  async waitForClose(timeoutMs = 3000): Promise<void> {
    await waitFor(() => this.closed, timeoutMs, 'the socket to close');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const done = new Promise<void>((r) => this.socket.once('close', () => r()));
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 200).unref();
    await done;
  }
}

/** A listening socket (a USP Broker stand-in) whose accepted connections become UdsTestPeers. */
export class UdsTestListener {
  readonly peers: UdsTestPeer[] = [];
  private constructor(
    readonly server: Server,
    readonly path: string,
  ) {
    server.on('connection', (s) => this.peers.push(new UdsTestPeer(s)));
  }

  static listen(path: string): Promise<UdsTestListener> {
    const server = createServer();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve(new UdsTestListener(server, path));
      });
    });
  }

  async nextPeer(index: number, timeoutMs = 3000): Promise<UdsTestPeer> {
    await waitFor(() => this.peers.length > index, timeoutMs, `connection #${index + 1}`);
    return this.peers[index]!;
  }

  async close(): Promise<void> {
    for (const p of this.peers) p.socket.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** Leaves a socket file at `path` whose listener was killed, as a crashed agent leaves it: connecting is refused. */
export async function leaveStaleSocket(path: string): Promise<void> {
  const code = `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
}
