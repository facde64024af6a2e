/**
 * LEGACY: the agent's CoAP MTP (TR-369 1.2 §"CoAP Binding": deprecated in USP 1.2, OBSOLETED in
 * USP 1.3; TR-181 Device.LocalAgent.MTP.{i}.CoAP, deleted from the data model in 2.18). Off unless
 * configured; new deployments use WebSocket or MQTT.
 *
 * Every CoAP USP Endpoint is both server and client (R-COAP.1): controllers POST USP Records to
 * the agent's resource, which answers 2.04 Changed at once (R-COAP.7) and sends its USP answer in a
 * new POST to the `reply-to` URI of the request's Uri-Query (R-COAP.2a), or to the controller's
 * configured CoAP address when the request named none. Content-Format is application/octet-stream
 * (42, R-COAP.6); bad requests get 4.05 (method), 4.15 (format), 4.00 (not a USP Record) and
 * 4.13 (too large) (R-COAP.11-13). Retransmission, deduplication and block-wise transfer
 * (RFC 7959, R-COAP.5) are the `coap` package's; a block-wise upload may not end beyond the
 * Record size limit (coap-datagram.ts), and unfinished ones expire from the package's cache
 * after EXCHANGE_LIFETIME (247 s).
 *
 * Plain CoAP only: the pure-JavaScript `coap` package has no DTLS, so the Certificate security
 * mode R-COAP.14 asks for is not available, and nothing on this MTP is authenticated or
 * encrypted. The starter refuses EnableEncryption true rather than silently downgrading.
 */
import { createSocket, type RemoteInfo, type Socket, type SocketType } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { Agent as CoapAgent, createServer, request, type IncomingMessage, type OutgoingMessage, type Server } from 'coap';
import type { Logger } from '../../datamodel/Logger.js';
import type { Mtp, MtpConnection, RecordHandler } from '../Mtp.js';
import { block1End, errorReply, peekDatagram } from './coap-datagram.js';
import { formatCoapUri, normalizePath, replyToFromQuery, type CoapAddress } from './coap-uri.js';

export const DEFAULT_MAX_RECORD_SIZE = 1024 * 1024;
/** POSTs to controllers awaiting their CoAP response; more are refused (a bounded send queue). */
export const DEFAULT_MAX_PENDING_POSTS = 256;
/** R-COAP.6: Content-Format 42. */
export const USP_CONTENT_FORMAT = 'application/octet-stream';
/** Records above this go block-wise (RFC 7959 Block1, SZX 6 = 1024-byte blocks). */
const BLOCK_SIZE = 1024;
const BLOCK1_SZX_1024 = 6;
const STOP_GRACE_MS = 500;
const RESPONSE_CACHE_BYTES = 4 * 1024 * 1024;

/** A controller's CoAP resource (Controller.{i}.MTP.{j}.CoAP Host, Port, Path). */
export interface CoapControllerAddress {
  endpointId: string;
  address: CoapAddress;
}

export interface CoapServerMtpOptions {
  /** LocalAgent.MTP.{i}.CoAP.Port; 0 takes any free port (tests). */
  port: number;
  /** LocalAgent.MTP.{i}.CoAP.Path: the resource controllers POST to. */
  path: string;
  /** The address to bind (from LocalAgent.MTP.{i}.CoAP.Interfaces); undefined binds every IPv4 address. */
  bindAddress?: string;
  /** The host put in this agent's own reply-to URI; default the bound address, else the local address that routes to each peer. */
  advertisedHost?: string;
  /** Where notifications go, and answers to requests that named no reply-to. */
  controllers: readonly CoapControllerAddress[];
  /** Why the bytes are not a USP Record (answered 4.00, R-COAP.13), or undefined when they are. */
  checkRecord(record: Uint8Array): string | undefined;
  /** The from_id of a Record, to answer a request without reply-to on its sender's configured address. */
  recordSender?(record: Uint8Array): string | undefined;
  onRecord: RecordHandler;
  maxRecordSize?: number;
  maxPendingPosts?: number;
  log: Logger;
}

export class CoapServerMtp implements Mtp {
  private socket?: Socket;
  private server?: Server;
  private readonly clients = new Map<SocketType, CoapAgent>();
  private controllers = new Map<string, CoapAddress>();
  private pending = 0;
  /** Bumped by stop(): POSTs of an earlier run no longer count against the bound. */
  private generation = 0;
  private running = false;
  private readonly path: string;

  constructor(private readonly opts: CoapServerMtpOptions) {
    this.path = normalizePath(opts.path);
    this.setControllers(opts.controllers);
  }

  /** The UDP port bound (the configured one, or the one picked for port 0). */
  get port(): number {
    return this.socket?.address().port ?? this.opts.port;
  }
  get listening(): boolean {
    return this.running;
  }
  get pendingPosts(): number {
    return this.pending;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const { opts } = this;
    const type: SocketType = opts.bindAddress && isIPv6(opts.bindAddress) ? 'udp6' : 'udp4';
    // Our own socket, so a port in use fails the start (the package would share it: reuseAddr).
    const socket = createSocket({ type, reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(opts.port, opts.bindAddress, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', (e) => opts.log.error('coap socket error', { error: e.message }));
    // The package keeps its responses for deduplication (EXCHANGE_LIFETIME); 4 MiB, not its 32 MiB default.
    const server = createServer({ type, reuseAddr: false, cacheSize: RESPONSE_CACHE_BYTES });
    server.on('request', (req: IncomingMessage, res: OutgoingMessage) => this.onRequest(req, res));
    server.on('error', (e: Error) => opts.log.error('coap server error', { error: e.message }));
    server.listen(socket);
    // The package reads every datagram; ours go through the Block1 bound first (coap-datagram.ts).
    const handle = server.handleRequest();
    socket.removeAllListeners('message');
    socket.on('message', (msg: Buffer, from: RemoteInfo) => this.onDatagram(msg, from, handle));
    this.socket = socket;
    this.server = server;
    this.running = true;
    opts.log.warn('CoAP MTP is OBSOLETED (USP 1.3) and unencrypted (no DTLS): anyone who can reach this port can send USP Records; use it on a trusted LAN only', {
      port: this.port,
      path: this.path,
      address: opts.bindAddress ?? '0.0.0.0',
    });
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    this.pending = 0;
    this.server?.close();
    this.server = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((r) => socket.close(() => r()));
    // Aborts POSTs still waiting for their CoAP response.
    await Promise.all([...this.clients.values()].map(closeClient));
    this.clients.clear();
  }

  /** Controller.{i}.MTP.{j}.CoAP addresses by Endpoint ID; replaces the previous list. */
  setControllers(list: readonly CoapControllerAddress[]): void {
    this.controllers = new Map(list.map((c) => [c.endpointId, c.address]));
  }

  /** A link POSTing to the controller's configured CoAP resource (notifications); undefined without one. */
  connectionFor(endpointId: string): MtpConnection | undefined {
    const address = this.controllers.get(endpointId);
    return address ? new CoapPostConnection(this, address) : undefined;
  }

  /**
   * POSTs one Record to `to` with this agent's reply-to (R-COAP.2); false when stopped, when `to`
   * needs DTLS, or when too many POSTs await their response. Failures are logged (R-COAP.9/10).
   */
  post(to: CoapAddress, record: Uint8Array): boolean {
    const { log } = this.opts;
    if (!this.running) return false;
    if (to.secure) {
      log.warn('coap: cannot POST to a coaps URI (no DTLS)', { to: formatCoapUri(to) });
      return false;
    }
    if (this.pending >= (this.opts.maxPendingPosts ?? DEFAULT_MAX_PENDING_POSTS)) {
      log.warn('coap post refused: too many awaiting a response', { to: formatCoapUri(to), pending: this.pending });
      return false;
    }
    this.pending++;
    const generation = this.generation;
    let done = false;
    const finish = (): void => {
      if (!done && generation === this.generation) this.pending--;
      done = true;
    };
    this.ownUri(to.host, to.port)
      .then((replyTo) => {
        if (!this.running) {
          finish();
          return;
        }
        const req = request({
          hostname: to.host,
          port: to.port,
          pathname: to.path,
          method: 'POST',
          confirmable: true,
          query: `reply-to=${replyTo}`,
          agent: this.clientFor(to.host),
          options: { 'Content-Format': USP_CONTENT_FORMAT },
        });
        if (record.length > BLOCK_SIZE) req.setOption('Block1', Buffer.of(BLOCK1_SZX_1024));
        req.on('response', (res: IncomingMessage) => {
          finish();
          if (!res.code.startsWith('2.')) log.warn('coap post refused by the peer', { to: formatCoapUri(to), code: res.code, reason: res.payload?.toString('utf8') ?? '' });
        });
        req.on('timeout', () => {
          finish();
          log.warn('coap post timed out', { to: formatCoapUri(to) });
        });
        req.on('error', (e: Error) => {
          finish();
          log.warn('coap post failed', { to: formatCoapUri(to), error: e.message });
        });
        req.end(Buffer.from(record.buffer, record.byteOffset, record.byteLength));
      })
      .catch((e: unknown) => {
        finish();
        log.warn('coap post failed: no local address toward the peer', { to: formatCoapUri(to), error: e instanceof Error ? e.message : String(e) });
      });
    return true;
  }

  private onDatagram(msg: Buffer, from: RemoteInfo, handle: (msg: Buffer, from: RemoteInfo) => void): void {
    const head = peekDatagram(msg);
    const max = this.opts.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE;
    if (head && head.code >= 1 && head.code <= 31 && block1End(head) > max) {
      this.opts.log.warn('coap request refused: Record too large', { from: `${from.address}:${from.port}`, bytes: block1End(head), max });
      const reply = errorReply(head, 4, 13, 'USP Record too large', max);
      this.socket?.send(reply, from.port, from.address);
      return;
    }
    handle(msg, from);
  }

  private onRequest(req: IncomingMessage, res: OutgoingMessage): void {
    const { opts } = this;
    const from = `${req.rsinfo.address}:${req.rsinfo.port}`;
    const refuse = (code: string, reason: string): void => {
      opts.log.info('coap request refused', { from, code, reason });
      res.code = code;
      res.end(Buffer.from(reason, 'utf8'));
    };
    if (normalizePath(req.url.split('?')[0]) !== this.path) return refuse('4.04', 'no USP Endpoint at this path');
    if (req.method !== 'POST') return refuse('4.05', 'USP Records are sent with POST'); // R-COAP.11
    const format = req.headers['Content-Format'];
    if (format !== undefined && format !== USP_CONTENT_FORMAT) return refuse('4.15', `Content-Format must be ${USP_CONTENT_FORMAT}`); // R-COAP.12
    const payload = req.payload ?? Buffer.alloc(0);
    if (payload.length > (opts.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE)) return refuse('4.13', 'USP Record too large');
    const replyTo = replyToFromQuery(uriQueries(req));
    if (replyTo.kind === 'invalid') return refuse('4.00', 'reply-to is not a coap URI');
    if (replyTo.kind === 'address' && replyTo.address.secure) return refuse('5.01', 'coaps (DTLS) is not supported by this agent');
    const bytes = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    const bad = opts.checkRecord(bytes);
    // RFC 7959 §2.3: the final response of a block-wise request echoes its Block1 option.
    const block1 = requestOptions(req).find((o) => o.name === 'Block1')?.value;
    if (Buffer.isBuffer(block1)) res.setOption('Block1', block1);
    if (bad)
      refuse('4.00', 'not a USP Record'); // R-COAP.13
    else {
      res.code = '2.04';
      res.end();
    } // R-COAP.7, before the Record is processed
    let target = replyTo.kind === 'address' ? replyTo.address : undefined;
    if (!target) {
      // R-COAP.2 makes reply-to mandatory; a sender that left it out is answered on its configured address.
      const sender = opts.recordSender?.(bytes);
      target = sender === undefined ? undefined : this.controllers.get(sender);
      if (!target && !bad) opts.log.warn('coap request has no reply-to and its sender has no configured CoAP address', { from, sender: sender ?? '' });
    }
    // A bad Record goes on too: the agent answers it with a USP Error where it can (R-MTP.5).
    opts.onRecord(bytes, new CoapPostConnection(this, target));
  }

  /** The coap Agent (one UDP socket) for the address family of `host`. */
  private clientFor(host: string): CoapAgent {
    const type: SocketType = isIPv6(host) ? 'udp6' : 'udp4';
    let agent = this.clients.get(type);
    if (!agent) {
      agent = new CoapAgent({ type });
      agent.on('error', (e: Error) => this.opts.log.warn('coap client socket error', { error: e.message }));
      this.clients.set(type, agent);
    }
    return agent;
  }

  /** This agent's CoAP URI as `host:port` would reach it (R-COAP.2). */
  private async ownUri(peerHost: string, peerPort: number): Promise<string> {
    const bound = this.opts.bindAddress;
    const host = this.opts.advertisedHost ?? (bound && bound !== '0.0.0.0' && bound !== '::' ? bound : await localAddressToward(peerHost, peerPort));
    return formatCoapUri({ secure: false, host, port: this.port, path: this.path });
  }
}

/**
 * An MtpConnection over CoAP is a destination resource: the request's reply-to (a response) or a
 * controller's configured address (a notification). Each send is a new POST; there is no link to close.
 */
export class CoapPostConnection implements MtpConnection {
  readonly protocol = 'CoAP' as const;
  /** CoAP without DTLS authenticates nobody: the Record's from_id is all there is. */
  readonly peerEndpointId = undefined;

  constructor(
    private readonly mtp: CoapServerMtp,
    readonly target: CoapAddress | undefined,
  ) {}

  get open(): boolean {
    return this.target !== undefined && !this.target.secure && this.mtp.listening;
  }

  send(record: Uint8Array): boolean {
    return this.target !== undefined && this.mtp.post(this.target, record);
  }

  close(): void {}
}

/**
 * Closes a coap Agent. Its close() callback never runs when the socket already closed itself
 * (idle), but 'close' is emitted either way; the grace bounds a peer that never answers.
 */
function closeClient(agent: CoapAgent): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, STOP_GRACE_MS);
    agent.once('close', () => {
      clearTimeout(t);
      resolve();
    });
    agent.close();
  });
}

/** The request's options, in order (Uri-Query and Block1 stay Buffers: the package converts only a few). */
function requestOptions(req: IncomingMessage): ReadonlyArray<{ name: number | string; value: unknown }> {
  return req._packet.options ?? [];
}

/** The request's Uri-Query options as text, one query parameter each. */
function uriQueries(req: IncomingMessage): string[] {
  return requestOptions(req)
    .filter((o) => o.name === 'Uri-Query')
    .map((o) => (Buffer.isBuffer(o.value) ? o.value.toString('utf8') : String(o.value)));
}

/** The local address the kernel would send from toward `host` (a connected UDP socket sends nothing). */
function localAddressToward(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    s.once('error', (e) => {
      s.close();
      reject(e);
    });
    s.connect(port, host, () => {
      const { address } = s.address();
      s.close();
      resolve(address);
    });
  });
}
