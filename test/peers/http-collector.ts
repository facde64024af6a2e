/**
 * A real Bulk Data collector on loopback, over HTTP or HTTPS (the test PKI's server certificate):
 * it records every request (method, URL, headers, body decompressed as Content-Encoding says) and
 * answers as the test plans: a status, a Digest challenge, a stall (never answers), or a close in
 * the middle of the request. Unplanned requests get 200.
 */
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { inflateSync, gunzipSync } from 'node:zlib';
import { testPki } from './test-pki.js';

/** One request as the collector received it. */
export interface CollectedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  /** The body after Content-Encoding was undone (gzip, deflate). */
  body: string;
  /** Bytes on the wire. */
  rawLength: number;
  /** The body's bytes as received (a binary upload: a packet capture). */
  raw: Buffer;
  /** Date.now() when the request was recorded (retry tests check the back-off's lower bounds). */
  receivedAt: number;
}

/** How the collector answers one request. */
export type PlannedAnswer =
  /** `after`: the answer waits for it (a slow collector the test releases). */
  | { status: number; location?: string; after?: Promise<unknown> }
  /** 401 with a Digest challenge unless the request carries a valid Digest answer (MD5, qop auth). */
  | { digest: { realm: string; username: string; password: string } }
  /** 401 with a Basic challenge unless the request carries these Basic credentials. */
  | { basic: { realm: string; username: string; password: string } }
  /** Reads the request and never answers. */
  | 'stall'
  /** Destroys the connection as soon as the request headers arrive. */
  | 'close'
  /** Answers 200 and then sends body bytes for as long as the connection stays open. */
  | 'flood';

export interface HttpCollector {
  /** Base URL, e.g. http://127.0.0.1:PORT */
  readonly origin: string;
  url(pathAndQuery: string): string;
  readonly requests: CollectedRequest[];
  /** Answers for the next requests, in order (a Digest or Basic challenge stays until it is satisfied). */
  plan(...answers: PlannedAnswer[]): void;
  /** Forgets the answers not used yet. */
  resetPlan(): void;
  /** Resolves once `count` requests in all have been recorded (waits for the event, no polling). */
  waitForRequests(count: number, timeoutMs?: number): Promise<CollectedRequest[]>;
  close(): Promise<void>;
}

/** Starts a collector on 127.0.0.1 (or `host`); `tls` serves HTTPS with the test PKI's broker certificate. */
export async function startHttpCollector(opts: { tls?: boolean; host?: string } = {}): Promise<HttpCollector> {
  const requests: CollectedRequest[] = [];
  const planned: PlannedAnswer[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const sockets = new Set<Socket>();
  const stalled = new Set<ServerResponse>();

  const record = (r: CollectedRequest): void => {
    requests.push(r);
    for (const w of [...waiters])
      if (requests.length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const answer = planned[0] ?? { status: 200 };
    const challenges = typeof answer === 'object' && ('digest' in answer || 'basic' in answer);
    if (!challenges) planned.shift();
    if (answer === 'close') {
      record({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: '', rawLength: 0, raw: Buffer.alloc(0), receivedAt: Date.now() });
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const enc = req.headers['content-encoding'];
      const body = enc === 'gzip' ? gunzipSync(raw) : enc === 'deflate' ? inflateSync(raw) : raw;
      record({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.toString('utf8'), rawLength: raw.length, raw, receivedAt: Date.now() });
      if (answer === 'stall') {
        stalled.add(res);
        return;
      }
      if (answer === 'flood') {
        flood(res);
        return;
      }
      if ('digest' in answer) {
        const d = answer.digest;
        if (digestValid(req, d)) {
          planned.shift();
          res.writeHead(200).end('ok');
          return;
        }
        res.writeHead(401, { 'www-authenticate': `Digest realm="${d.realm}", qop="auth", nonce="n${requests.length}", opaque="op", algorithm=MD5` }).end();
        return;
      }
      if ('basic' in answer) {
        const b = answer.basic;
        if (req.headers.authorization === `Basic ${Buffer.from(`${b.username}:${b.password}`).toString('base64')}`) {
          planned.shift();
          res.writeHead(200).end('ok');
          return;
        }
        res.writeHead(401, { 'www-authenticate': `Basic realm="${b.realm}"` }).end();
        return;
      }
      const send = (): void => {
        res.writeHead(answer.status, answer.location === undefined ? {} : { location: answer.location }).end(answer.status < 300 ? 'ok' : 'no');
      };
      if (answer.after) void answer.after.then(send, send);
      else send();
    });
  };

  let server: Server;
  if (opts.tls) {
    const pki = testPki();
    server = createHttpsServer({ cert: pki.broker.cert, key: pki.broker.key }, handler);
  } else {
    server = createHttpServer(handler);
  }
  server.on(opts.tls ? 'secureConnection' : 'connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const origin = `${opts.tls ? 'https' : 'http'}://${host}:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    url: (p) => `${origin}${p}`,
    requests,
    plan: (...answers) => {
      planned.push(...answers);
    },
    resetPlan: () => {
      planned.length = 0;
    },
    waitForRequests(count, timeoutMs = 10_000) {
      if (requests.length >= count) return Promise.resolve(requests);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`collector got ${requests.length} of ${count} requests`)), timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(requests);
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of stalled) r.destroy();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Writes 16 KiB chunks as fast as the client takes them, until the connection closes. */
function flood(res: ServerResponse): void {
  const chunk = Buffer.alloc(16 * 1024, 0x61);
  res.writeHead(200, { 'content-type': 'text/plain' });
  const more = (): void => {
    while (!res.destroyed && res.write(chunk)) {
      /* until the socket buffer is full */
    }
    if (!res.destroyed) res.once('drain', more);
  };
  res.on('error', () => undefined);
  more();
}

/** Checks an RFC 7616 MD5 / qop=auth answer against the user's password. */
function digestValid(req: IncomingMessage, d: { realm: string; username: string; password: string }): boolean {
  const h = req.headers.authorization;
  if (!h?.startsWith('Digest ')) return false;
  const p = new Map<string, string>();
  for (const m of h.slice(7).matchAll(/([a-z]+)=(?:"([^"]*)"|([^,\s]*))/g)) p.set(m[1]!, m[2] ?? m[3]!);
  const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
  const ha1 = md5(`${d.username}:${d.realm}:${d.password}`);
  const ha2 = md5(`${req.method}:${p.get('uri')}`);
  const expected = md5(`${ha1}:${p.get('nonce')}:${p.get('nc')}:${p.get('cnonce')}:auth:${ha2}`);
  return p.get('username') === d.username && p.get('uri') === req.url && p.get('response') === expected && p.get('opaque') === 'op';
}
