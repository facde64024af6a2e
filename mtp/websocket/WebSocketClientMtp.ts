/**
 * The agent's WebSocket client MTP (TR-369 §"WebSocket Binding", R-WS.5): the agent dials one
 * controller (Device.LocalAgent.Controller.{i}.MTP.{i}.WebSocket) with the `v1.usp` subprotocol
 * and `?eid=<agent EID>`, sends a WebSocketConnectRecord first on every connection (R-MTP.6),
 * pings every KeepAliveInterval (R-WS.17), and after every close or failure reconnects with the
 * TR-369 back-off (R-WS.19–21), the retry count resetting once a connection succeeds.
 */
import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import WebSocket, { type ClientOptions, type RawData } from 'ws';
import type { Logger } from '../../datamodel/Logger.js';
import type { Mtp, MtpConnection, RecordHandler } from '../Mtp.js';
import { checkRetryParameters, retryWaitMs } from '../retry-backoff.js';
import { endpointIdFromCert } from '../tls/endpoint-id-from-cert.js';
import { verifiedPeerCertificate } from '../tls/peer-certificate.js';
import { dialUrl, takeUspExtension, uspExtensionOffer } from './client-handshake.js';
import { controllerServerIdentity } from './server-identity.js';
import { DEFAULT_MAX_RECORD_SIZE, USP_SUBPROTOCOL } from './WebSocketServerMtp.js';

/** Opening handshake (TCP, TLS, HTTP upgrade) budget; a slow cellular uplink still fits. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 30_000;
/** Bytes queued on the socket beyond which send() refuses, so a stalled link cannot grow memory. */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** Timer functions, injectable so tests can drive reconnects and pings with a fake clock. */
export interface ClientTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
const REAL_TIMERS: ClientTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Client TLS material, passed to `ws` (and so to tls.connect); the server must chain to `ca`. */
export interface ClientTlsOptions {
  cert?: string | Buffer | Array<string | Buffer>;
  key?: string | Buffer | Array<string | Buffer>;
  ca?: string | Buffer | Array<string | Buffer>;
}

export interface WebSocketClientOptions {
  /** The controller's URL, ws:// or wss:// (see webSocketUrl()); `eid` is appended. */
  url: string;
  agentEndpointId: string;
  /** The controller this link reaches (Controller.{i}.EndpointID); the connection's peer identity. */
  controllerEndpointId: string;
  /** Ping period in seconds (KeepAliveInterval); 0 = off. */
  keepAliveInterval?: number;
  /** m of the back-off, seconds (SessionRetryMinimumWaitInterval); default 5. */
  retryMinimumWaitInterval?: number;
  /** k of the back-off, thousandths (SessionRetryIntervalMultiplier); default 2000. */
  retryIntervalMultiplier?: number;
  maxRecordSize?: number;
  maxBufferedBytes?: number;
  handshakeTimeoutMs?: number;
  tls?: ClientTlsOptions;
  /** The bytes of a WebSocketConnectRecord, built by the agent; sent first on each connection. */
  connectRecord: () => Uint8Array;
  /** The bytes of a DisconnectRecord, built by the agent; sent before stop() closes an open link (R-MTP.7). */
  disconnectRecord?: () => Uint8Array;
  onRecord: RecordHandler;
  /** The link to the controller is open (after the Connect record went out). */
  onOpen?: () => void;
  log: Logger;
  /** A label for logs and for finding this client (the agent uses the Controller.{i}.MTP.{j}. path). */
  name?: string;
  timers?: ClientTimers;
  random?: () => number;
}

export type ClientState = 'idle' | 'connecting' | 'open' | 'waiting' | 'stopped';

class ClientConnection implements MtpConnection {
  readonly protocol = 'WebSocket' as const;
  /** The agent dialled this controller and TLS checked the server's name: the peer is who was dialled. */
  readonly identity = 'dialled' as const;
  constructor(
    readonly ws: WebSocket,
    readonly peerEndpointId: string,
    private readonly maxBuffered: number,
    /** The controller's verified server certificate (wss), for ControllerTrust. */
    readonly peerCertificate?: X509Certificate,
  ) {}
  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }
  send(record: Uint8Array): boolean {
    if (!this.open || this.ws.bufferedAmount > this.maxBuffered) return false;
    this.ws.send(record, { binary: true });
    return true;
  }
  close(code = 1000, reason = ''): void {
    this.ws.close(code, reason);
  }
}

export class WebSocketClientMtp implements Mtp {
  readonly name: string;
  private readonly url: string;
  private readonly timers: ClientTimers;
  private ws?: WebSocket;
  private conn?: ClientConnection;
  private retryTimer?: unknown;
  private pingTimer?: unknown;
  private retries = 0;
  /** The server certificate of the connection being opened (taken at the HTTP upgrade). */
  private serverCert?: X509Certificate;
  private stopped = true;
  private _state: ClientState = 'idle';

  constructor(private readonly opts: WebSocketClientOptions) {
    this.url = dialUrl(opts.url, opts.agentEndpointId);
    checkRetryParameters(this.m, this.k);
    const ka = opts.keepAliveInterval ?? 0;
    if (!Number.isFinite(ka) || ka < 0) throw new RangeError(`keepAliveInterval must be >= 0 seconds, got ${ka}`);
    this.name = opts.name ?? opts.url;
    this.timers = opts.timers ?? REAL_TIMERS;
  }

  private get m(): number {
    return this.opts.retryMinimumWaitInterval ?? 5;
  }
  private get k(): number {
    return this.opts.retryIntervalMultiplier ?? 2000;
  }

  /** Controller.{i}.MTP.{i}.WebSocket.CurrentRetryCount: 0 unless waiting to retry (or retrying). */
  get currentRetryCount(): number {
    return this.retries;
  }
  get state(): ClientState {
    return this._state;
  }

  /** Starts dialling; resolves at once (an unreachable controller must not hold up the agent). */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** The live connection when `endpointId` is this link's controller. */
  connectionFor(endpointId: string): MtpConnection | undefined {
    return endpointId === this.opts.controllerEndpointId && this.conn?.open ? this.conn : undefined;
  }

  /**
   * Reconnect now (e.g. the WAN came back): drops the pending back-off wait, or an attempt still
   * in its handshake (it may be stuck on the old route), resets the retry count and dials. Does
   * nothing while connected: the keep-alive finds a dead link.
   */
  kick(): void {
    if (this.stopped || this._state === 'open') return;
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const pending = this.ws;
    this.ws = undefined; // its close event is then ignored
    pending?.terminate();
    this.retries = 0;
    this.opts.log.info('websocket reconnect requested', { controller: this.opts.controllerEndpointId });
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    this.retryTimer = undefined;
    const { opts } = this;
    const options: ClientOptions = {
      // permessage-deflate off: protobuf records gain little from it, and with it off ws leaves the
      // Sec-WebSocket-Extensions request header below as given instead of writing its own offer.
      perMessageDeflate: false,
      maxPayload: opts.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE,
      handshakeTimeout: opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      // Offered for USP 1.0–1.2 controllers that still identify agents this way (R-WS.10a, deprecated).
      headers: { 'Sec-WebSocket-Extensions': uspExtensionOffer(opts.agentEndpointId) },
    };
    if (this.url.startsWith('wss:')) {
      Object.assign(options, opts.tls ?? {}, { rejectUnauthorized: true, checkServerIdentity: controllerServerIdentity(opts.controllerEndpointId) });
    }
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url, [USP_SUBPROTOCOL], options);
    } catch (e) {
      this.afterClose(`cannot dial: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.ws = ws;
    this._state = 'connecting';
    let failure = '';
    ws.on('upgrade', (res: IncomingMessage) => this.onUpgrade(res));
    ws.on('open', () => this.onOpen(ws));
    ws.on('error', (e) => {
      failure = e.message;
    });
    ws.on('close', (code, reason) => {
      if (ws !== this.ws) return;
      this.ws = undefined;
      this.conn = undefined;
      this.timers.clearTimeout(this.pingTimer);
      this.afterClose(failure || `closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`);
    });
  }

  /** R-WS.11b/c: the extension is optional both ways; when present its eid should be our controller. */
  private onUpgrade(res: IncomingMessage): void {
    this.serverCert = verifiedPeerCertificate(res.socket);
    const eid = takeUspExtension(res);
    if (eid && eid !== this.opts.controllerEndpointId) {
      this.opts.log.warn('controller names another Endpoint ID in bbf-usp-protocol', { expected: this.opts.controllerEndpointId, eid });
    }
  }

  private onOpen(ws: WebSocket): void {
    const { opts } = this;
    if (ws !== this.ws) {
      ws.terminate();
      return;
    } // abandoned by kick() or stop()
    // ws already refuses a handshake without the echo (R-WS.11); checked again so it cannot regress.
    if (ws.protocol !== USP_SUBPROTOCOL) {
      ws.terminate();
      return;
    }
    const cert = this.serverCert;
    this.serverCert = undefined;
    // R-SEC.0a: an Endpoint ID in the server certificate is authoritative; one naming another
    // controller means every Record would be dropped, so the link is refused (and retried).
    const certEid = cert && endpointIdFromCert(cert, opts.controllerEndpointId);
    if (certEid && certEid !== opts.controllerEndpointId) {
      opts.log.error('controller certificate names another Endpoint ID; disconnecting', { controller: opts.controllerEndpointId, certificate: certEid });
      ws.close(1008, 'certificate Endpoint ID mismatch');
      return;
    }
    this.retries = 0;
    this._state = 'open';
    // R-MTP.6: the Connect record goes first, before anything else can use the connection.
    ws.send(opts.connectRecord(), { binary: true });
    const conn = new ClientConnection(ws, opts.controllerEndpointId, opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES, cert);
    this.conn = conn;
    opts.log.info('connected to controller', { controller: opts.controllerEndpointId, url: opts.url });
    opts.onOpen?.();
    ws.on('message', (data: RawData, isBinary: boolean) => {
      // R-WS.16: a text frame is a protocol error.
      if (!isBinary) {
        ws.close(1003, 'USP records must be binary frames');
        return;
      }
      opts.onRecord(toBytes(data), conn);
    });
    this.keepAlive(ws);
  }

  /** R-WS.17: a ping every KeepAliveInterval; no pong by the next one means the link is dead. */
  private keepAlive(ws: WebSocket): void {
    const ka = this.opts.keepAliveInterval ?? 0;
    if (ka <= 0) return;
    let answered = true;
    ws.on('pong', () => {
      answered = true;
    });
    const tick = (): void => {
      if (ws !== this.ws || ws.readyState !== WebSocket.OPEN) return;
      if (!answered) {
        this.opts.log.warn('controller did not answer a ping; dropping the link', { controller: this.opts.controllerEndpointId });
        ws.terminate();
        return;
      }
      answered = false;
      ws.ping();
      this.pingTimer = this.timers.setTimeout(tick, ka * 1000);
    };
    this.pingTimer = this.timers.setTimeout(tick, ka * 1000);
  }

  /** R-WS.19–21: every close or failure is followed by a retry after the back-off wait. */
  private afterClose(why: string): void {
    if (this.stopped) return;
    this.retries++;
    const waitMs = retryWaitMs(this.retries, this.m, this.k, this.opts.random);
    this._state = 'waiting';
    this.opts.log.warn('controller link down; retrying', { controller: this.opts.controllerEndpointId, why, retry: this.retries, waitMs: Math.round(waitMs) });
    this.retryTimer = this.timers.setTimeout(() => this.connect(), waitMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this._state = 'stopped';
    this.timers.clearTimeout(this.retryTimer);
    this.timers.clearTimeout(this.pingTimer);
    this.retryTimer = undefined;
    const ws = this.ws;
    this.ws = undefined;
    this.conn = undefined;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      if (ws.readyState === WebSocket.OPEN) {
        if (this.opts.disconnectRecord) ws.send(this.opts.disconnectRecord(), { binary: true });
        ws.close(1001, 'agent stopping');
      } else {
        ws.terminate();
      }
      // A controller that ignores the close frame must not hold shutdown past its 2 s budget.
      const force = this.timers.setTimeout(() => ws.terminate(), 500);
      ws.once('close', () => this.timers.clearTimeout(force));
    });
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
