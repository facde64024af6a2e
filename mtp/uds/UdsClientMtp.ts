/**
 * The agent's UNIX domain socket client MTP (TR-369 §"UNIX Domain Socket Binding", USP 1.3;
 * TR-181 UDSAgent:1/UDSController:1, Device.UnixDomainSockets.UnixDomainSocket.{i} with Mode
 * "Connect"): the agent dials a socket a USP Broker or local controller listens on, sends its
 * Handshake TLV, and closes if the server's Handshake does not come within 30 s. The server's
 * Endpoint ID names the link; a UDSConnectRecord follows (R-MTP.6). After every close or failed
 * dial the client waits a random 1–5 s, as the UDS binding prescribes (not the R-WS back-off), and
 * dials again.
 */
import { createConnection, type Socket } from 'node:net';
import type { Logger } from '../../datamodel/Logger.js';
import type { Mtp, MtpConnection, RecordHandler } from '../Mtp.js';
import { CLOSE_GRACE_MS, linkSettings, REAL_TIMERS, UdsConnection, type UdsTimers } from './UdsConnection.js';

/** The reconnect wait is drawn uniformly from [RECONNECT_MIN_MS, RECONNECT_MAX_MS]. */
export const RECONNECT_MIN_MS = 1000;
export const RECONNECT_MAX_MS = 5000;

export interface UdsClientOptions {
  /** Device.UnixDomainSockets.UnixDomainSocket.{i}.Path. */
  path: string;
  /** Device.LocalAgent.EndpointID, sent in the Handshake TLV. */
  agentEndpointId: string;
  /**
   * Controllers configured behind this socket (Controller.{i}.EndpointID of the rows naming it);
   * a server Handshake naming another is logged. Empty: any peer (e.g. a USP Broker) is expected.
   */
  expectedPeers?: readonly string[];
  maxFrameSize?: number;
  maxBufferedBytes?: number;
  handshakeTimeoutMs?: number;
  /** The bytes of a UDSConnectRecord to `peerEndpointId`, built by the agent; sent after each handshake. */
  connectRecord: (peerEndpointId: string) => Uint8Array;
  onRecord: RecordHandler;
  log: Logger;
  /** A label for logs (the agent uses the UnixDomainSocket row's path). */
  name?: string;
  timers?: UdsTimers;
  /** Uniform in [0, 1); injectable so tests can pin the reconnect wait. */
  random?: () => number;
}

export type UdsClientState = 'idle' | 'connecting' | 'handshake' | 'open' | 'waiting' | 'stopped';

export class UdsClientMtp implements Mtp {
  readonly name: string;
  private readonly timers: UdsTimers;
  private socket?: Socket;
  private conn?: UdsConnection;
  private retryTimer?: unknown;
  private stopped = true;
  private _state: UdsClientState = 'idle';

  constructor(private readonly opts: UdsClientOptions) {
    if (!opts.path.startsWith('/')) throw new Error(`UDS socket path must be absolute, got ${JSON.stringify(opts.path)}`);
    this.name = opts.name ?? opts.path;
    this.timers = opts.timers ?? REAL_TIMERS;
  }

  get state(): UdsClientState {
    return this._state;
  }
  get path(): string {
    return this.opts.path;
  }

  /** Starts dialling; resolves at once (a peer that is not up yet must not hold up the agent). */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** The live connection when `endpointId` is the peer that answered our Handshake. */
  connectionFor(endpointId: string): MtpConnection | undefined {
    const c = this.conn;
    return c?.open && c.peerEndpointId === endpointId ? c : undefined;
  }

  private connect(): void {
    if (this.stopped) return;
    this.retryTimer = undefined;
    const { opts } = this;
    let socket: Socket;
    try {
      socket = createConnection(opts.path);
    } catch (e) {
      this.afterClose(`cannot dial: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.socket = socket;
    this._state = 'connecting';
    let failure = '';
    socket.on('error', (e) => {
      failure ||= e.message;
    });
    socket.once('connect', () => {
      if (socket !== this.socket) {
        socket.destroy();
        return;
      }
      this._state = 'handshake';
      this.conn = new UdsConnection(socket, {
        role: 'client',
        ...linkSettings(opts, this.timers),
        onHandshake: (c) => this.onHandshake(c),
        onClose: () => {
          /* handled by the socket's close below */
        },
      });
    });
    socket.once('close', () => {
      if (socket !== this.socket) return;
      const why = this.conn?.closeReason || failure || 'closed by the peer';
      this.socket = undefined;
      this.conn = undefined;
      this.afterClose(why);
    });
  }

  private onHandshake(conn: UdsConnection): void {
    const { opts } = this;
    const eid = conn.peerEndpointId!;
    this._state = 'open';
    const expected = opts.expectedPeers ?? [];
    if (expected.length > 0 && !expected.includes(eid)) {
      opts.log.warn('uds server names an Endpoint ID no controller row expects here', { path: opts.path, eid, expected: expected.join(',') });
    }
    opts.log.info('uds link up', { path: opts.path, eid });
    // R-MTP.6: the Connect record is the first Record on the link.
    conn.send(opts.connectRecord(eid));
  }

  /** The UDS binding's reconnect: a random 1–5 s after every close or failed dial. */
  private afterClose(why: string): void {
    if (this.stopped) return;
    const random = this.opts.random ?? Math.random;
    const waitMs = RECONNECT_MIN_MS + random() * (RECONNECT_MAX_MS - RECONNECT_MIN_MS);
    this._state = 'waiting';
    this.opts.log.warn('uds link down; retrying', { path: this.opts.path, why, waitMs: Math.round(waitMs) });
    this.retryTimer = this.timers.setTimeout(() => this.connect(), waitMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this._state = 'stopped';
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const socket = this.socket;
    const conn = this.conn;
    this.socket = undefined;
    this.conn = undefined;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      if (conn) conn.close(1001, 'agent stopping');
      else socket.destroy();
      // A peer that ignores our end must not hold shutdown past its 2 s budget.
      const force = this.timers.setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      socket.once('close', () => this.timers.clearTimeout(force));
    });
  }
}
