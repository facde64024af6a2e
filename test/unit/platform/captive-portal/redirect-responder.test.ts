/**
 * The captive portal's redirect responder (platform/captive-portal/redirect-responder.ts) with
 * a real HTTP client (node:http) over loopback: 302 to the URL for every request, a new URL
 * without a restart, headers beyond the bound refused, the port closed at stop.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_HEADER_BYTES, RedirectResponder } from '../../../../platform/captive-portal/redirect-responder.js';

interface Answer {
  status?: number;
  location?: string;
  body: string;
}

function ask(port: number, opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: { Host: 'example.com', ...opts.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, location: res.headers.location, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

let r: RedirectResponder | undefined;
afterEach(() => r?.stop());

describe('the redirect responder', () => {
  it('answers every request 302 Found to the URL, and takes a new URL at once', async () => {
    r = new RedirectResponder('http://portal.example.net/welcome?a=1&b="2"');
    const port = await r.start();
    expect(await r.start()).toBe(port);
    const got = await ask(port, { path: '/some/page?q=1' });
    expect(got).toMatchObject({ status: 302, location: 'http://portal.example.net/welcome?a=1&b="2"' });
    expect(got.body).toContain('<a href="http://portal.example.net/welcome?a=1&amp;b=&quot;2&quot;">');
    expect(await ask(port, { method: 'POST', body: 'x'.repeat(100_000) })).toMatchObject({ status: 302 });
    expect(await ask(port, { method: 'HEAD' })).toEqual({ status: 302, location: 'http://portal.example.net/welcome?a=1&b="2"', body: '' });
    r.url = 'http://other.example.net/';
    expect((await ask(port)).location).toBe('http://other.example.net/');
  });

  it('refuses headers beyond its bound, and closes its port at stop', async () => {
    r = new RedirectResponder('http://portal.example.net/');
    const port = await r.start();
    const big = await ask(port, { headers: { 'X-Big': 'y'.repeat(MAX_HEADER_BYTES * 2) } }).catch((e: Error) => e);
    expect(big instanceof Error || big.status === 431).toBe(true);
    expect((await ask(port)).status).toBe(302);
    r.stop();
    await expect(ask(port)).rejects.toThrow(/ECONNREFUSED/);
  });
});
