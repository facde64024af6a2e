/**
 * A real HTTP server on loopback for the TR-143 transfer diagnostics tests: serves N bytes,
 * streams without end (time-based tests), takes uploads and counts them, answers 404 or 401,
 * stalls mid-body, stays silent, closes before the promised Content-Length, stops reading an
 * upload, or drops one halfway. Every connection is
 * recorded with the bytes its socket read and wrote, once it closes.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SeenConnection {
  method: string;
  path: string;
  /** Request body bytes (uploads). */
  bodyBytes: number;
  /** What the server's socket read and wrote over the whole connection (headers included). */
  socketBytesRead: number;
  socketBytesWritten: number;
}

export interface HttpTestServer {
  port: number;
  url(path: string): string;
  seen: SeenConnection[];
  /** Resolves with the connections recorded for `path` once `count` of them have closed. */
  waitFor(path: string, count?: number): Promise<SeenConnection[]>;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(16 * 1024, 0x61);

/** Listens on `host` (loopback IPv4 unless told). */
export async function startHttpTestServer(host = '127.0.0.1'): Promise<HttpTestServer> {
  const seen: SeenConnection[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const socket = req.socket;
    const entry: SeenConnection = { method: req.method ?? '', path, bodyBytes: 0, socketBytesRead: 0, socketBytesWritten: 0 };
    req.on('data', (c: Buffer) => {
      entry.bodyBytes += c.length;
    });
    socket.once('close', () => {
      entry.socketBytesRead = socket.bytesRead;
      entry.socketBytesWritten = socket.bytesWritten;
      seen.push(entry);
      for (const w of waiters) w();
    });
    route(path, req, res, socket);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    seen,
    url: (path) => `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`,
    waitFor(path, count = 1) {
      return new Promise((resolve) => {
        const check = (): void => {
          const got = seen.filter((s) => s.path === path);
          if (got.length >= count) {
            waiters.delete(check);
            resolve(got);
          }
        };
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function route(path: string, req: http.IncomingMessage, res: http.ServerResponse, socket: Socket): void {
  const n = Number(/^\/(?:bytes|short|stall)\/(\d+)$/.exec(path)?.[1] ?? 0);
  if (path.startsWith('/bytes/')) {
    res.writeHead(200, { 'Content-Length': n, 'Content-Type': 'application/octet-stream' });
    writeBytes(res, n, () => res.end());
  } else if (path.startsWith('/short/')) {
    // Promises n bytes, sends half, then closes: the body is the wrong size.
    res.writeHead(200, { 'Content-Length': n });
    writeBytes(res, Math.floor(n / 2), () => setImmediate(() => socket.destroy()));
  } else if (path.startsWith('/stall/')) {
    // Sends part of the body, then nothing more (the client's stall timer must end it).
    res.writeHead(200, { 'Content-Length': n * 2 });
    writeBytes(res, n, () => undefined);
  } else if (path === '/silent') {
    // Takes the request and never answers.
  } else if (path === '/endless' || path.startsWith('/endless/')) {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    // Paced, so a time-based test does not spin the shared machine.
    const timer = setInterval(() => {
      if (!res.destroyed) res.write(CHUNK);
    }, 5);
    socket.once('close', () => clearInterval(timer));
  } else if (path === '/upload-stall' && req.method === 'PUT') {
    // Never reads the body: the client's buffers fill and its writes stop draining.
    req.pause();
  } else if (path === '/upload-cut' && req.method === 'PUT') {
    // Takes some of the body, then drops the connection without an answer.
    let got = 0;
    req.on('data', (c: Buffer) => {
      got += c.length;
      if (got >= 100_000) socket.destroy();
    });
  } else if (path === '/auth') {
    req.resume();
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"', 'Content-Length': 0 });
    res.end();
  } else if (path === '/upload' && req.method === 'PUT') {
    req.on('end', () => {
      res.writeHead(200, { 'Content-Length': 0 });
      res.end();
    });
    req.resume();
  } else {
    req.resume();
    res.writeHead(404, { 'Content-Length': 9 });
    res.end('not found');
  }
}

function writeBytes(res: http.ServerResponse, n: number, done: () => void): void {
  let left = n;
  const more = (): void => {
    while (left > 0) {
      const c = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= c.length;
      if (!res.write(c)) {
        res.once('drain', more);
        return;
      }
    }
    done();
  };
  more();
}
