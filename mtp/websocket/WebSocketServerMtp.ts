/**
 * The agent's WebSocket server MTP (TR-369 §"WebSocket Binding", R-WS.*): controllers connect
 * with the `v1.usp` subprotocol and identify themselves with the `eid` query parameter (a
 * connection with no Endpoint ID at all is refused, 400); each USP Record is one binary message.
 * Limits are on by default: record size, connection count with a share kept for configured
 * controllers, and one connection per controller Endpoint ID (R-WS.4: the newer connection wins,
 * unless it is a bare claim to an Endpoint ID a certificate proved, or the agent's own client
 * session to that controller is up: then the newer one is refused, 409).
 * With `tls` it serves wss (TLS 1.2 minimum, R-MTP.1/R-WS.24) and, with mutual TLS, refuses at
 * the handshake any client without a certificate chaining to the given CA and in date (R-MTP.3);
 * the certificate's Endpoint ID then names the connection (R-SEC.0a).
 */
import { createServer, type Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { X509Certificate } from 'node:crypto';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import type { Logger } from '../../datamodel/Logger.js';
import type { Mtp, MtpConnection, RecordHandler } from '../Mtp.js';
import { peerIdentity, type PeerSource } from './peer-identity.js';
import { tofuVerdict, type TofuPolicy } from './tofu-handshake.js';
import { verifiedPeerCertificate } from '../tls/peer-certificate.js';
import { binaryFrame, DIRECT_FRAME_MAX } from './binary-frame.js';

export const USP_SUBPROTOCOL = 'v1.usp';
/** Default largest Record accepted (bytes); bigger messages are refused with close code 1009. */
export const DEFAULT_MAX_RECORD_SIZE = 1024 * 1024;
export const DEFAULT_MAX_CONNECTIONS = 64;
/**
 * Of maxConnections, this many are kept for configured controllers (`reserve.holds`): Endpoint IDs
 * the agent does not know cannot fill the server and lock them out.
 */
export const DEFAULT_RESERVED_CONNECTIONS = 16;
/** A TLS handshake not finished in this time is dropped (Node's own default is 120 s). */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** wss settings: PEM text, as TlsIdentity holds it. */
export interface WebSocketServerTls {
  /** The server certificate, optionally followed by intermediates. */
  cert: string | Buffer;
  key: string | Buffer;
  /** Trust anchors for client certificates; required with requireClientCert. */
  ca?: string | Buffer;
  /** Mutual TLS: refuse clients without a valid certificate at the handshake (R-MTP.1). */
  requireClientCert: boolean;
  /** Trust on first use of client certificates from unknown issuers (tofu-handshake.ts); off when absent. */
  tofu?: TofuPolicy;
}

export interface WebSocketServerOptions {
  port: number;
  /** Resource path, e.g. "/usp". Requests for other paths get 404. */
  path: string;
  /** One address to listen on; omitted (and no `hosts`): every address. */
  host?: string;
  /** Addresses to listen on, all on `port` (Device.LocalAgent.MTP.{i}.WebSocket.Interfaces); wins over `host`. */
  hosts?: string[];
  maxRecordSize?: number;
  maxConnections?: number;
  /**
   * Slots kept for the Endpoint IDs `holds` says are configured controllers (the agent: a Controller
   * row not made for an unknown endpoint); other peers share maxConnections − slots. Omitted: none.
   */
  reserve?: { slots?: number; holds(endpointId: string): boolean | Promise<boolean> };
  /**
   * Why a peer must not get a connection here although it may connect (the agent already holds a
   * session with it over its own WebSocket client, R-WS.4), or undefined.
   */
  otherSession?: (endpointId: string) => string | undefined;
  /** Ping period in seconds (Device.LocalAgent.MTP.{i}.WebSocket.KeepAliveInterval); 0 = off. */
  keepAliveInterval?: number;
  /** Serve wss with this identity; omitted: plain ws (Device.LocalAgent.MTP.{i}.WebSocket.EnableEncryption false). */
  tls?: WebSocketServerTls;
  onRecord: RecordHandler;
  /** The bytes of a DisconnectRecord to a peer (built by the agent), sent before stop() closes its link (R-MTP.7). */
  disconnectRecord?: (peerEndpointId: string) => Uint8Array;
  log: Logger;
}

/** ws send options, one object for every Record. */
const BINARY = { binary: true } as const;

class WsConnection implements MtpConnection {
  readonly protocol = 'WebSocket' as const;
  alive = true;
  private corked = false;
  constructor(
    readonly ws: WebSocket,
    readonly peerEndpointId: string,
    private readonly socket: Duplex,
    readonly identity: 'certificate' | 'claimed',
    /** A configured controller's connection (it may use the reserved slots). */
    readonly configured: boolean,
    readonly peerCertificate?: X509Certificate,
    readonly trustedOnFirstUse = false,
  ) {}
  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }
  send(record: Uint8Array, more = false): boolean {
    if (!this.open) return false;
    // Responses to pipelined requests are written with one system call: the socket stays corked
    // until the event loop has run everything that read triggered. A lone response goes out at
    // once (ws writes its frame with one call): deferring it would only cost a loop turn.
    if (more && !this.corked && this.socket instanceof Socket) {
      this.corked = true;
      this.socket.cork();
      setImmediate(this.uncork);
    }
    // A small Record is framed here and written in one call (binary-frame.ts). ws sends nothing
    // in between that this could overtake: without compression (perMessageDeflate is off) its
    // sender writes every frame to this socket at once, as this does.
    if (record.length <= DIRECT_FRAME_MAX) this.socket.write(binaryFrame(record));
    else this.ws.send(record, BINARY);
    return true;
  }
  private readonly uncork = (): void => {
    this.corked = false;
    (this.socket as Socket).uncork();
  };
  close(code = 1000, reason = ''): void {
    this.ws.close(code, reason);
  }
}

export class WebSocketServerMtp implements Mtp {
  private servers: Array<HttpServer | HttpsServer> = [];
  private wss?: WebSocketServer;
  private readonly byEid = new Map<string, WsConnection>();
  private readonly conns = new Set<WsConnection>();
  /** TLS sockets whose client certificate was accepted on first use, with that certificate. */
  private readonly tofuCerts = new WeakMap<object, X509Certificate>();
  private pinger?: NodeJS.Timeout;

  constructor(private readonly opts: WebSocketServerOptions) {
    // Without a CA, Node would verify clients against the public web roots: never wanted here.
    if (opts.tls?.requireClientCert && !opts.tls.ca) throw new Error('mutual TLS needs a CA to verify client certificates');
  }

  /** The bound port (useful when configured with port 0). */
  get port(): number {
    const a = this.servers[0]?.address();
    return typeof a === 'object' && a ? a.port : this.opts.port;
  }

  async start(): Promise<void> {
    const { opts } = this;
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(USP_SUBPROTOCOL) ? USP_SUBPROTOCOL : false),
    });
    this.wss = wss;
    // One listening socket per address (Device.LocalAgent.MTP.{i}.WebSocket.Interfaces), all on one port.
    const hosts = opts.hosts?.length ? opts.hosts : [opts.host];
    const bound: string[] = [];
    for (const host of hosts) {
      const http = this.createHttpServer((_req, res) => {
        res.writeHead(426, { 'content-type': 'text/plain' }).end('USP WebSocket endpoint\n');
      });
      this.serve(http, wss);
      try {
        await new Promise<void>((resolve, reject) => {
          http.once('error', reject);
          http.listen(this.servers.length ? this.port : opts.port, host, () => {
            http.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        const code = (e as { code?: string }).code;
        // An address the host does not hold (gone since it was read) is skipped; anything else
        // (the port in use) fails the start.
        if (code !== 'EADDRNOTAVAIL' || hosts.length === 1) {
          await this.stop();
          throw e;
        }
        opts.log.warn('websocket server address skipped', { host: host ?? '', error: (e as Error).message });
        continue;
      }
      this.servers.push(http);
      bound.push(host ?? '*');
    }
    if (this.servers.length === 0) {
      await this.stop();
      throw new Error(`no address could be bound (${hosts.join(', ')})`);
    }
    const ka = opts.keepAliveInterval ?? 0;
    if (ka > 0) this.pinger = setInterval(() => this.ping(), ka * 1000).unref();
    opts.log.info('websocket server listening', { port: this.port, addresses: bound.join(','), path: opts.path, tls: opts.tls ? (opts.tls.requireClientCert ? 'mutual' : 'server') : 'off' });
  }

  /** The addresses the server listens on ('*' for every address). */
  get addresses(): string[] {
    return this.servers.map((h) => {
      const a = h.address();
      return typeof a === 'object' && a ? a.address : '*';
    });
  }

  /** Attaches the USP upgrade and TLS handling to one listening server. */
  private serve(http: HttpServer | HttpsServer, wss: WebSocketServer): void {
    const { opts } = this;
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const refuse = (status: number, phrase: string, why = phrase): void => {
        opts.log.warn('websocket upgrade refused', { status, why, from: req.socket.remoteAddress ?? '' });
        socket.end(`HTTP/1.1 ${status} ${phrase}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      };
      const url = new URL(req.url ?? '/', 'ws://agent');
      if (url.pathname !== opts.path) return refuse(404, 'Not Found');
      // R-WS.12a: a client that does not offer v1.usp is refused.
      const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
      if (!offered.includes(USP_SUBPROTOCOL)) return refuse(400, 'Bad Request (v1.usp subprotocol required)');
      const tofuCert = this.tofuCerts.get(req.socket);
      const cert = verifiedPeerCertificate(req.socket) ?? tofuCert;
      const peer = peerIdentity(url, req, opts.tls?.requireClientCert ?? false, cert);
      if (!peer.ok) return refuse(peer.status, peer.status === 400 ? 'Bad Request (eid query parameter required)' : 'Forbidden', peer.why);
      void Promise.resolve(opts.reserve ? opts.reserve.holds(peer.endpointId) : true).then(
        (configured) => {
          if (socket.destroyed) return;
          const full = this.slotRefusal(peer.endpointId, configured);
          if (full) return refuse(503, 'Service Unavailable', full);
          // R-WS.4 keeps the newer of two connections, but only a peer proven as well as the one it
          // would replace: a bare claim must not cut off a controller its certificate names.
          if (peer.source === 'eid' && this.byEid.get(peer.endpointId)?.identity === 'certificate') {
            return refuse(409, 'Conflict', `eid ${JSON.stringify(peer.endpointId)} is connected with a certificate naming it`);
          }
          const other = opts.otherSession?.(peer.endpointId);
          if (other) return refuse(409, 'Conflict', other);
          // Synchronous from here to accept(): the counts slotRefusal() checked still hold.
          wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req, { eid: peer.endpointId, source: peer.source, configured }, socket, cert, tofuCert !== undefined));
        },
        (e: unknown) => refuse(500, 'Internal Server Error', e instanceof Error ? e.message : String(e)),
      );
    });
    // Refused handshakes end here: OpenSSL's own (no certificate, old TLS), and Node's check of
    // the client certificate right after the handshake, whose verdict is authorizationError
    // (CERT_HAS_EXPIRED, CERT_NOT_YET_VALID, UNABLE_TO_VERIFY_LEAF_SIGNATURE, ...).
    http.on('tlsClientError', (e: Error & { code?: string }, tlsSocket: TLSSocket) => {
      const reason = tlsSocket.authorizationError ? String(tlsSocket.authorizationError) : '';
      // A socket Node destroyed after its certificate check no longer knows its peer; the raw
      // TCP socket under it (Node's `_parent`) remembers the address read on 'connection' below.
      const from = tlsSocket.remoteAddress ?? (tlsSocket as TLSSocket & { _parent?: Socket | null })._parent?.remoteAddress ?? '';
      opts.log.warn('tls handshake refused', { reason, error: e.message.trim(), code: e.code ?? '', from });
    });
    if (opts.tls)
      http.on('connection', (raw: Socket) => {
        void raw.remoteAddress;
      }); // caches the peer address
    const tofu = opts.tls?.requireClientCert ? opts.tls.tofu : undefined;
    if (tofu) {
      // Verification is off in TLS itself (see tofu-handshake.ts): refuse here what TOFU does not cover.
      http.on('secureConnection', (tlsSocket: TLSSocket) => {
        if (tlsSocket.authorized) return;
        const v = tofuVerdict(tlsSocket, tofu);
        if (!v.ok) {
          opts.log.warn('tls handshake refused', { reason: v.reason, error: 'client certificate not verified', code: '', from: tlsSocket.remoteAddress ?? '' });
          tlsSocket.destroy();
          return;
        }
        this.tofuCerts.set(tlsSocket, v.cert);
        opts.log.info('client certificate trusted on first use', { subject: v.cert.subject.replace(/\n/g, ','), fingerprint: v.cert.fingerprint256, from: tlsSocket.remoteAddress ?? '' });
      });
    }
  }

  private createHttpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): HttpServer | HttpsServer {
    const tls = this.opts.tls;
    if (!tls) return createServer(handler);
    return createHttpsServer(
      {
        cert: tls.cert,
        key: tls.key,
        ca: tls.ca,
        minVersion: 'TLSv1.2', // R-MTP.1 asks for TLS 1.2 or later; Node negotiates up to 1.3
        requestCert: tls.requireClientCert || tls.ca !== undefined,
        rejectUnauthorized: tls.requireClientCert && !tls.tofu,
        handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
      },
      handler,
    );
  }

  /**
   * Why a connection for `eid` cannot be taken now (connection slots), or undefined. A connection
   * that replaces the peer's own (R-WS.4) takes no new slot. Unknown peers share what the reserve
   * leaves; configured controllers may use every slot.
   */
  private slotRefusal(eid: string, configured: boolean): string | undefined {
    const { opts } = this;
    const reserve = opts.reserve;
    const max = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    const replacing = this.byEid.has(eid) ? 1 : 0;
    if (this.conns.size - replacing >= max) return `all ${max} connections in use`;
    if (configured) return undefined;
    const shared = max - Math.min(max, reserve?.slots ?? DEFAULT_RESERVED_CONNECTIONS);
    let unknown = 0;
    for (const c of this.conns) if (!c.configured) unknown++;
    const replacingUnknown = replacing && !this.byEid.get(eid)!.configured ? 1 : 0;
    if (unknown - replacingUnknown >= shared)
      return `the ${shared} connections open to Endpoint IDs without a Controller row are in use; the other ${max - shared} are kept for configured controllers`;
    return undefined;
  }

  private accept(ws: WebSocket, req: IncomingMessage, peer: { eid: string; source: PeerSource; configured: boolean }, socket: Duplex, cert: X509Certificate | undefined, tofu: boolean): void {
    const { eid, source } = peer;
    const conn = new WsConnection(ws, eid, socket, source === 'certificate' ? 'certificate' : 'claimed', peer.configured, cert, tofu);
    const old = this.byEid.get(eid);
    // R-WS.4: at most one connection between two endpoints; keep the newest.
    if (old) old.close(1000, 'replaced by a newer connection');
    this.byEid.set(eid, conn);
    this.conns.add(conn);
    this.opts.log.info('controller connected', { eid: conn.peerEndpointId, identity: tofu ? 'trusted on first use' : source, from: req.socket.remoteAddress ?? '' });
    const idle = tofu ? this.tofuInactivity(conn) : undefined;
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) {
        conn.close(1003, 'USP records must be binary frames');
        return;
      }
      idle?.refresh();
      this.opts.onRecord(toBytes(data), conn);
    });
    ws.on('error', (e) => this.opts.log.warn('websocket error', { eid: conn.peerEndpointId, error: e.message }));
    ws.on('close', (code) => {
      if (idle) clearTimeout(idle);
      this.conns.delete(conn);
      if (this.byEid.get(conn.peerEndpointId) === conn) this.byEid.delete(conn.peerEndpointId);
      this.opts.log.info('controller disconnected', { eid: conn.peerEndpointId, code });
    });
  }

  /**
   * TOFUInactivityTimer: a connection accepted on first use that carries no USP Record for that
   * long is torn down with its TLS session (TR-181 ControllerTrust). Every Record restarts it.
   */
  private tofuInactivity(conn: WsConnection): NodeJS.Timeout | undefined {
    const ms = this.opts.tls?.tofu?.inactivityMs() ?? 0;
    if (ms <= 0) return undefined;
    return setTimeout(() => {
      this.opts.log.info('TOFU inactivity timer expired; closing the connection', { eid: conn.peerEndpointId, ms });
      conn.ws.terminate();
    }, ms).unref();
  }

  /** R-WS.17: ping each peer; one that did not answer the previous ping is dropped. */
  private ping(): void {
    for (const c of this.conns) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }

  /** Closes the connection of `endpointId`, if any (the agent keeps another session with it, R-WS.4). */
  disconnect(endpointId: string, reason: string): void {
    const c = this.byEid.get(endpointId);
    if (!c) return;
    this.opts.log.info('controller connection closed: another session with it is kept', { eid: endpointId, reason });
    c.close(1000, reason);
  }

  /** The live connection of a controller, for notifications. */
  connectionFor(endpointId: string): MtpConnection | undefined {
    return this.byEid.get(endpointId);
  }

  async stop(): Promise<void> {
    if (this.pinger) clearInterval(this.pinger);
    for (const c of this.conns) {
      // R-MTP.7: a peer known by its Endpoint ID is told with a DisconnectRecord before the close.
      if (this.opts.disconnectRecord) c.send(this.opts.disconnectRecord(c.peerEndpointId));
      c.close(1001, 'agent stopping');
    }
    const wss = this.wss;
    const servers = this.servers;
    this.wss = undefined;
    this.servers = [];
    if (wss) await new Promise<void>((r) => wss.close(() => r()));
    await Promise.all(
      servers.map(
        (http) =>
          new Promise<void>((r) => {
            http.close(() => r());
            // Sockets that ignore the close frame must not hold shutdown past its 2 s budget.
            setTimeout(() => {
              for (const c of this.conns) c.ws.terminate();
              http.closeAllConnections();
            }, 500).unref();
          }),
      ),
    );
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
