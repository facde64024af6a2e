/**
 * The captive portal's HTTP responder: every request the redirect rules send it is answered
 * with `302 Found` and `Location: <URL>` (TR-181 Device.CaptivePortal.URL), a tiny HTML body
 * for clients that do not follow redirects, and the connection closed.
 *
 * It listens on a port the kernel picks (the rules are written with it afterwards), on every
 * address: a redirected connection arrives at the address of the LAN interface it came in on.
 * Bounded: at most MAX_CONNECTIONS at once, request headers at most MAX_HEADER_BYTES, a request
 * body is never read, and a client that sends nothing for REQUEST_TIMEOUT_MS is dropped.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const MAX_CONNECTIONS = 64;
export const MAX_HEADER_BYTES = 8192;
export const REQUEST_TIMEOUT_MS = 10_000;

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export class RedirectResponder {
  private server?: Server;
  private listening?: Promise<number>;

  /** `url` is read at each request: a new URL takes effect without a restart. */
  constructor(public url: string) {}

  /** The port, once listening. */
  get port(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? (a as AddressInfo).port : undefined;
  }

  /** Starts listening (once); resolves to the port. */
  start(): Promise<number> {
    this.listening ??= this.listen().catch((e: unknown) => {
      this.listening = undefined;
      this.server = undefined;
      throw e;
    });
    return this.listening;
  }

  /** Stops listening and drops the open connections. */
  stop(): void {
    const s = this.server;
    this.server = undefined;
    this.listening = undefined;
    if (!s) return;
    s.close();
    s.closeAllConnections();
  }

  private async listen(): Promise<number> {
    const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS, keepAliveTimeout: 0 }, (req, res) => this.answer(req, res));
    server.maxConnections = MAX_CONNECTIONS;
    server.on('clientError', (_e, socket) => socket.destroy());
    this.server = server;
    // Dual stack where the host has IPv6; IPv4 only where it does not.
    try {
      await listenOn(server, '::');
    } catch {
      await listenOn(server, '0.0.0.0');
    }
    return this.port!;
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const url = this.url;
    const body = `<html><head><title>302 Found</title></head><body><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></body></html>\n`;
    res.writeHead(302, 'Found', {
      Location: url,
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
      Connection: 'close',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    // The request body, if any, is never read.
    req.resume();
  }
}

function listenOn(server: Server, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (e: Error): void => reject(e);
    server.once('error', failed);
    server.listen({ port: 0, host, ipv6Only: false }, () => {
      server.off('error', failed);
      resolve();
    });
  });
}
