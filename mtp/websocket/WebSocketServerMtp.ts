/**
 * The agent's WebSocket server MTP (TR-369 §"WebSocket Binding", R-WS.*): controllers connect
 * with the `v1.usp` subprotocol and identify themselves with the `eid` query parameter; each
 * USP Record is one binary message. Limits are on by default: record size, connection count,
 * and one connection per controller Endpoint ID (R-WS.4: the newer connection wins).
 */
import { createServer, type Server, type IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import type { Logger } from '../../datamodel/Logger.js';
import type { Mtp, MtpConnection, RecordHandler } from '../Mtp.js';

export const USP_SUBPROTOCOL = 'v1.usp';
/** Default largest Record accepted (bytes); bigger messages are refused with close code 1009. */
export const DEFAULT_MAX_RECORD_SIZE = 1024 * 1024;
export const DEFAULT_MAX_CONNECTIONS = 64;

export interface WebSocketServerOptions {
  port: number;
  /** Resource path, e.g. "/usp". Requests for other paths get 404. */
  path: string;
  host?: string;
  maxRecordSize?: number;
  maxConnections?: number;
  /** Ping period in seconds (Device.LocalAgent.MTP.{i}.WebSocket.KeepAliveInterval); 0 = off. */
  keepAliveInterval?: number;
  onRecord: RecordHandler;
  log: Logger;
}

class WsConnection implements MtpConnection {
  readonly protocol = 'WebSocket' as const;
  alive = true;
  constructor(readonly ws: WebSocket, readonly peerEndpointId: string | undefined) {}
  get open(): boolean { return this.ws.readyState === this.ws.OPEN; }
  send(record: Uint8Array): boolean {
    if (!this.open) return false;
    this.ws.send(record, { binary: true });
    return true;
  }
  close(code = 1000, reason = ''): void { this.ws.close(code, reason); }
}

export class WebSocketServerMtp implements Mtp {
  private http?: Server;
  private wss?: WebSocketServer;
  private readonly byEid = new Map<string, WsConnection>();
  private readonly conns = new Set<WsConnection>();
  private pinger?: NodeJS.Timeout;

  constructor(private readonly opts: WebSocketServerOptions) {}

  /** The bound port (useful when configured with port 0). */
  get port(): number {
    const a = this.http?.address();
    return typeof a === 'object' && a ? a.port : this.opts.port;
  }

  async start(): Promise<void> {
    const { opts } = this;
    const http = createServer((_req, res) => { res.writeHead(426, { 'content-type': 'text/plain' }).end('USP WebSocket endpoint\n'); });
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(USP_SUBPROTOCOL) ? USP_SUBPROTOCOL : false),
    });
    http.on('upgrade', (req, socket, head) => {
      const refuse = (status: number, why: string): void => {
        opts.log.warn('websocket upgrade refused', { status, why, from: req.socket.remoteAddress ?? '' });
        socket.end(`HTTP/1.1 ${status} ${why}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      };
      const url = new URL(req.url ?? '/', 'ws://agent');
      if (url.pathname !== opts.path) return refuse(404, 'Not Found');
      // R-WS.12a: a client that does not offer v1.usp is refused.
      const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
      if (!offered.includes(USP_SUBPROTOCOL)) return refuse(400, 'Bad Request (v1.usp subprotocol required)');
      if (this.conns.size >= (opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS)) return refuse(503, 'Service Unavailable');
      wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req, url));
    });
    this.http = http;
    this.wss = wss;
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(opts.port, opts.host, () => { http.off('error', reject); resolve(); });
    });
    const ka = opts.keepAliveInterval ?? 0;
    if (ka > 0) this.pinger = setInterval(() => this.ping(), ka * 1000).unref();
    opts.log.info('websocket server listening', { port: this.port, path: opts.path });
  }

  private accept(ws: WebSocket, req: IncomingMessage, url: URL): void {
    const eid = url.searchParams.get('eid') ?? extensionEid(req.headers['sec-websocket-extensions']);
    const conn = new WsConnection(ws, eid || undefined);
    if (conn.peerEndpointId) {
      const old = this.byEid.get(conn.peerEndpointId);
      // R-WS.4: at most one connection between two endpoints; keep the newest.
      if (old) old.close(1000, 'replaced by a newer connection');
      this.byEid.set(conn.peerEndpointId, conn);
    }
    this.conns.add(conn);
    this.opts.log.info('controller connected', { eid: conn.peerEndpointId ?? '', from: req.socket.remoteAddress ?? '' });
    ws.on('pong', () => { conn.alive = true; });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) { conn.close(1003, 'USP records must be binary frames'); return; }
      this.opts.onRecord(toBytes(data), conn);
    });
    ws.on('error', (e) => this.opts.log.warn('websocket error', { eid: conn.peerEndpointId ?? '', error: e.message }));
    ws.on('close', (code) => {
      this.conns.delete(conn);
      if (conn.peerEndpointId && this.byEid.get(conn.peerEndpointId) === conn) this.byEid.delete(conn.peerEndpointId);
      this.opts.log.info('controller disconnected', { eid: conn.peerEndpointId ?? '', code });
    });
  }

  /** R-WS.17: ping each peer; one that did not answer the previous ping is dropped. */
  private ping(): void {
    for (const c of this.conns) {
      if (!c.alive) { c.ws.terminate(); continue; }
      c.alive = false;
      c.ws.ping();
    }
  }

  /** The live connection of a controller, for notifications. */
  connectionFor(endpointId: string): MtpConnection | undefined { return this.byEid.get(endpointId); }

  async stop(): Promise<void> {
    if (this.pinger) clearInterval(this.pinger);
    for (const c of this.conns) c.close(1001, 'agent stopping');
    const wss = this.wss;
    const http = this.http;
    this.wss = undefined;
    this.http = undefined;
    if (wss) await new Promise<void>((r) => wss.close(() => r()));
    if (http) {
      await new Promise<void>((r) => {
        http.close(() => r());
        // Sockets that ignore the close frame must not hold shutdown past its 2 s budget.
        setTimeout(() => { for (const c of this.conns) c.ws.terminate(); http.closeAllConnections(); }, 500).unref();
      });
    }
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/** The deprecated `bbf-usp-protocol; eid="..."` extension some older controllers still send. */
function extensionEid(header: string | undefined): string | undefined {
  const m = header && /bbf-usp-protocol\s*;\s*eid="?([^";,]+)"?/.exec(header);
  return m ? m[1] : undefined;
}
