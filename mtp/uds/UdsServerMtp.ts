/**
 * The agent's UNIX domain socket server MTP (TR-369 §"UNIX Domain Socket Binding", USP 1.3;
 * TR-181 UDSAgent:1, Device.UnixDomainSockets.UnixDomainSocket.{i} with Mode "Listen"): local
 * controllers and USP Brokers connect to a socket path, send a Handshake TLV naming their Endpoint
 * ID and get the agent's back; the agent then sends a UDSConnectRecord (R-MTP.6). Limits are on
 * by default: frame size, connection count, handshake time, and one connection per peer Endpoint
 * ID (the newer wins, as R-WS.4 asks of WebSocket).
 */
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import type { Mtp, MtpConnection, RecordHandler } from '../Mtp.js';
import { CLOSE_GRACE_MS, linkSettings, REAL_TIMERS, UdsConnection, type UdsTimers } from './UdsConnection.js';
import { errorFrame } from './uds-framing.js';

export const DEFAULT_MAX_UDS_CONNECTIONS = 16;
/** Owner and group may connect; others may not (the socket file's permission is the access check). */
export const DEFAULT_SOCKET_MODE = 0o660;
/** How long probing an existing socket file for a listener may take. */
const PROBE_TIMEOUT_MS = 1000;

export interface UdsServerOptions {
  /** Device.UnixDomainSockets.UnixDomainSocket.{i}.Path; missing parent directories are created. */
  path: string;
  /** Device.LocalAgent.EndpointID, sent in the server's Handshake TLV. */
  agentEndpointId: string;
  /** File mode of the socket (chmod right after bind); default 0o660. */
  socketMode?: number;
  maxConnections?: number;
  /** Largest frame accepted (its length field); default 1 MiB. */
  maxFrameSize?: number;
  maxBufferedBytes?: number;
  handshakeTimeoutMs?: number;
  /**
   * One connection per peer Endpoint ID, the newer closing the older (default true). The agent's
   * local control socket turns it off: several `usp-agent` commands run at once under one identity.
   */
  onePerPeer?: boolean;
  /** The bytes of a UDSConnectRecord to `peerEndpointId`, built by the agent; sent after each handshake. */
  connectRecord: (peerEndpointId: string) => Uint8Array;
  onRecord: RecordHandler;
  log: Logger;
  timers?: UdsTimers;
}

export class UdsServerMtp implements Mtp {
  private server?: Server;
  private readonly conns = new Set<UdsConnection>();
  private readonly byEid = new Map<string, UdsConnection>();
  private readonly timers: UdsTimers;

  constructor(private readonly opts: UdsServerOptions) {
    if (!opts.path.startsWith('/')) throw new Error(`UDS socket path must be absolute, got ${JSON.stringify(opts.path)}`);
    const mode = opts.socketMode ?? DEFAULT_SOCKET_MODE;
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) throw new RangeError(`socketMode must be a permission mode (0..0o777), got ${mode}`);
    this.timers = opts.timers ?? REAL_TIMERS;
  }

  get path(): string {
    return this.opts.path;
  }
  /** Connections, with or without a completed handshake. */
  get connectionCount(): number {
    return this.conns.size;
  }

  /** Clears a stale socket file, binds, sets the socket's mode. Throws if the path is in use or not a socket. */
  async start(): Promise<void> {
    const { opts } = this;
    await clearStaleSocket(opts.path);
    mkdirSync(dirname(opts.path), { recursive: true, mode: 0o755 });
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Synchronously after bind: no 'connection' is dispatched before the mode is set.
    const mode = opts.socketMode ?? DEFAULT_SOCKET_MODE;
    try {
      chmodSync(opts.path, mode);
    } catch (e) {
      await new Promise<void>((r) => server.close(() => r()));
      throw e;
    }
    server.on('error', (e) => opts.log.error('uds server error', { path: opts.path, error: e.message }));
    this.server = server;
    opts.log.info('uds server listening', { path: opts.path, mode: `0${mode.toString(8)}` });
  }

  private accept(socket: Socket): void {
    const { opts } = this;
    const max = opts.maxConnections ?? DEFAULT_MAX_UDS_CONNECTIONS;
    if (this.conns.size >= max) {
      opts.log.warn('uds connection refused: too many connections', { path: opts.path, max });
      socket.on('error', () => {
        /* the peer may already be gone */
      });
      socket.end(errorFrame(`too many connections (${max})`));
      this.timers.setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      return;
    }
    const conn = new UdsConnection(socket, {
      role: 'server',
      ...linkSettings(opts, this.timers),
      onHandshake: (c) => this.onHandshake(c),
      onClose: (c, why) => {
        this.conns.delete(c);
        const eid = c.peerEndpointId;
        if (eid !== undefined && this.byEid.get(eid) === c) this.byEid.delete(eid);
        opts.log.info('uds peer disconnected', { eid: eid ?? '', path: opts.path, why });
      },
    });
    this.conns.add(conn);
  }

  private onHandshake(conn: UdsConnection): void {
    const eid = conn.peerEndpointId!;
    const old = this.byEid.get(eid);
    if (old && old !== conn && this.opts.onePerPeer !== false) old.close(1000, 'replaced by a newer connection');
    this.byEid.set(eid, conn);
    this.opts.log.info('uds peer connected', { eid, path: this.opts.path });
    // R-MTP.6: the Connect record is the first Record on the link.
    conn.send(this.opts.connectRecord(eid));
  }

  /** Every live, handshaken connection of a peer (more than one only without `onePerPeer`). */
  connectionsFor(endpointId: string): MtpConnection[] {
    return [...this.conns].filter((c) => c.open && c.peerEndpointId === endpointId);
  }

  /** The live, handshaken connection of a peer, for notifications (the newest, without `onePerPeer`). */
  connectionFor(endpointId: string): MtpConnection | undefined {
    const c = this.byEid.get(endpointId);
    return c?.open ? c : undefined;
  }

  /** Stops accepting, ends every link and removes the socket file. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const c of this.conns) c.close(1001, 'agent stopping');
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Peers that ignore our end must not hold shutdown past its 2 s budget.
      const force = this.timers.setTimeout(() => {
        for (const c of this.conns) c.destroy();
      }, CLOSE_GRACE_MS);
      server.once('close', () => this.timers.clearTimeout(force));
    });
    // Node unlinks the socket file on close; a second check costs nothing.
    try {
      unlinkSync(this.opts.path);
    } catch {
      /* already gone */
    }
  }
}

/**
 * A socket file left by a process that died cannot be bound again; remove it, but only if it is a
 * socket and nothing answers on it. A live listener or any other kind of file is an error.
 */
export async function clearStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (!isSocket) throw new Error(`${path} exists and is not a socket; not replacing it`);
  if (await socketAnswers(path)) throw new Error(`${path} is in use by another process`);
  unlinkSync(path);
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createConnection(path);
    const done = (answer: boolean | Error): void => {
      clearTimeout(timer);
      probe.destroy();
      if (answer instanceof Error) reject(answer);
      else resolve(answer);
    };
    const timer = setTimeout(() => done(true), PROBE_TIMEOUT_MS); // a listener too busy to accept is still a listener
    probe.once('connect', () => done(true));
    probe.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT') done(false);
      else done(new Error(`cannot probe ${path}: ${e.message}`));
    });
  });
}
