/**
 * A loopback HTTP(S) file server for the firmware tests: fixed files, Basic authentication,
 * redirects, error statuses, a file that stalls half-way (for Cancel() and timeouts) and one
 * whose body is shorter than its Content-Length.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Route {
  body?: Buffer;
  status?: number;
  /** Basic credentials the request must carry. */
  auth?: { username: string; password: string };
  /** 302 to this location. */
  redirect?: string;
  /** Sends the first `stallAfter` bytes, then nothing more (the connection stays open). */
  stallAfter?: number;
  /** Announces this Content-Length but closes after the body. */
  lieLength?: number;
  /** Chunked transfer: no Content-Length. */
  chunked?: boolean;
}

export interface ImageServer {
  url(path: string): string;
  routes: Map<string, Route>;
  /** Requests seen, with their Authorization header. */
  requests: Array<{ path: string; authorization?: string }>;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1; `tls` gives it a certificate (https). */
export async function startImageServer(tls?: { cert: string; key: string }): Promise<ImageServer> {
  const routes = new Map<string, Route>();
  const requests: ImageServer['requests'] = [];
  const open = new Set<ServerResponse>();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ path, authorization: req.headers.authorization });
    const r = routes.get(path);
    if (!r) {
      res.writeHead(404, 'Not Found').end('no such file');
      return;
    }
    if (r.auth) {
      const want = `Basic ${Buffer.from(`${r.auth.username}:${r.auth.password}`).toString('base64')}`;
      if (req.headers.authorization !== want) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="fw"' }).end();
        return;
      }
    }
    if (r.redirect) {
      res.writeHead(302, { location: r.redirect }).end();
      return;
    }
    if (r.status && r.status !== 200) {
      res.writeHead(r.status).end();
      return;
    }
    const body = r.body ?? Buffer.alloc(0);
    if (r.stallAfter !== undefined) {
      open.add(res);
      res.on('close', () => open.delete(res));
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, r.stallAfter));
      return;
    }
    if (r.lieLength !== undefined) {
      res.writeHead(200, { 'content-length': r.lieLength });
      res.write(body);
      res.socket?.destroySoon();
      return;
    }
    res.writeHead(200, r.chunked ? {} : { 'content-length': body.length });
    res.end(body);
  };
  const server: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = tls ? 'https' : 'http';
  return {
    routes,
    requests,
    url: (path) => `${scheme}://127.0.0.1:${port}${path}`,
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An image of the simulated gateway with a SIMFW header. */
export function simImage(version: string, opts: { name?: string; bootFails?: boolean; size?: number } = {}): Buffer {
  const header = `SIMFW version=${version}${opts.name ? ` name=${opts.name}` : ''}${opts.bootFails ? ' boot=fail' : ''}\n`;
  const size = Math.max(opts.size ?? 4096, header.length);
  const body = Buffer.alloc(size);
  body.write(header, 'latin1');
  for (let i = header.length; i < size; i++) body[i] = (i * 31 + 7) & 0xff;
  return body;
}
