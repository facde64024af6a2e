/**
 * fetchImage (agent/firmware/fetch-image.ts): HTTP(S) streaming with its bounds, Basic
 * authentication only towards the URL's origin, redirects, cancellation.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FETCH_LIMITS, TransferError, fetchImage, urlProblem, type FetchLimits } from '../../../../agent/firmware/fetch-image.js';
import { testPki } from '../../../peers/test-pki.js';
import { simImage, startImageServer, type ImageServer } from './image-server.js';

const IMAGE = simImage('3.3.0', { size: 200_000 });
let http: ImageServer;
let other: ImageServer;

beforeAll(async () => {
  http = await startImageServer();
  other = await startImageServer();
  http.routes.set('/fw.img', { body: IMAGE });
  http.routes.set('/chunked.img', { body: IMAGE, chunked: true });
  http.routes.set('/secret.img', { body: IMAGE, auth: { username: 'acs', password: 'pa:ss' } });
  http.routes.set('/moved.img', { redirect: '/fw.img' });
  http.routes.set('/away.img', { redirect: other.url('/fw.img') });
  http.routes.set('/loop.img', { redirect: '/loop.img' });
  http.routes.set('/stall.img', { body: IMAGE, stallAfter: 1000 });
  http.routes.set('/short.img', { body: IMAGE.subarray(0, 1000), lieLength: IMAGE.length });
  http.routes.set('/boom.img', { status: 500 });
  other.routes.set('/fw.img', { body: IMAGE });
});
afterAll(async () => {
  await http.close();
  await other.close();
});

async function fetchAll(url: string, more: { limits?: Partial<FetchLimits>; username?: string; password?: string; signal?: AbortSignal; ca?: string } = {}) {
  const chunks: Buffer[] = [];
  const r = await fetchImage(url, {
    username: more.username,
    password: more.password,
    ca: more.ca,
    limits: { ...DEFAULT_FETCH_LIMITS, ...more.limits },
    signal: more.signal ?? new AbortController().signal,
    onData: (c) => {
      chunks.push(Buffer.from(c));
    },
  });
  return { ...r, body: Buffer.concat(chunks) };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('urlProblem', () => {
  it('accepts http and https, refuses userinfo and other schemes (TR-181 Download() URL)', () => {
    expect(urlProblem('https://fw.example.net/a.img')).toBeUndefined();
    expect(urlProblem('http://10.0.0.1:8080/a.img?x=1')).toBeUndefined();
    expect(urlProblem('https://user:pw@fw.example.net/a.img')).toMatch(/userinfo/);
    expect(urlProblem('https://user@fw.example.net/a.img')).toMatch(/userinfo/);
    expect(urlProblem('http://:@fw.example.net/a.img')).toMatch(/userinfo/);
    expect(urlProblem('ftp://fw.example.net/a.img')).toMatch(/scheme/);
    expect(urlProblem('not a url')).toMatch(/not a URL/);
  });
});

describe('fetchImage', () => {
  it('streams the whole file, with or without Content-Length', async () => {
    for (const path of ['/fw.img', '/chunked.img']) {
      const r = await fetchAll(http.url(path));
      expect(r.bytes).toBe(IMAGE.length);
      expect(sha256(r.body)).toBe(sha256(IMAGE));
    }
  });

  it('sends Basic credentials when given; refused ones are an HTTP 401 failure', async () => {
    const r = await fetchAll(http.url('/secret.img'), { username: 'acs', password: 'pa:ss' });
    expect(r.bytes).toBe(IMAGE.length);
    await expect(fetchAll(http.url('/secret.img'), { username: 'acs', password: 'wrong' })).rejects.toThrow(/HTTP 401/);
  });

  it('follows redirects, but sends credentials only to the original origin', async () => {
    expect((await fetchAll(http.url('/moved.img'))).finalUrl).toBe(http.url('/fw.img'));
    other.requests.length = 0;
    const r = await fetchAll(http.url('/away.img'), { username: 'acs', password: 'x' });
    expect(r.bytes).toBe(IMAGE.length);
    expect(other.requests[0].authorization).toBeUndefined();
    await expect(fetchAll(http.url('/loop.img'))).rejects.toThrow(/redirects/);
  });

  it('fails on HTTP errors, a missing file and a connection refused', async () => {
    await expect(fetchAll(http.url('/nothing.img'))).rejects.toThrow(/HTTP 404 Not Found/);
    await expect(fetchAll(http.url('/boom.img'))).rejects.toThrow(/HTTP 500/);
    await expect(fetchAll('http://127.0.0.1:1/fw.img')).rejects.toBeInstanceOf(TransferError);
  });

  it('bounds the size, by Content-Length and while streaming', async () => {
    await expect(fetchAll(http.url('/fw.img'), { limits: { maxBytes: 1000 } })).rejects.toThrow(/over the 1000 byte limit/);
    await expect(fetchAll(http.url('/chunked.img'), { limits: { maxBytes: 1000 } })).rejects.toThrow(/over the 1000 byte limit/);
  });

  it('fails a body shorter than its Content-Length', async () => {
    await expect(fetchAll(http.url('/short.img'))).rejects.toBeInstanceOf(TransferError);
  });

  it('gives up on a silent server (idle timeout) and on the overall deadline', async () => {
    await expect(fetchAll(http.url('/stall.img'), { limits: { idleTimeoutMs: 200 } })).rejects.toThrow(/no data from 127.0.0.1:\d+ for 0.2 s/);
    await expect(fetchAll(http.url('/stall.img'), { limits: { timeoutMs: 300 } })).rejects.toThrow(/not finished within/);
  });

  it('stops when the command is cancelled, with the abort reason', async () => {
    const ac = new AbortController();
    const p = fetchAll(http.url('/stall.img'), { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('cancelled by test')), 100);
    await expect(p).rejects.toThrow('cancelled by test');
  });

  it('speaks HTTPS, verifying the server against the given CA', async () => {
    const pki = testPki();
    const https = await startImageServer({ cert: pki.agent.cert, key: pki.agent.key });
    try {
      https.routes.set('/fw.img', { body: IMAGE });
      const r = await fetchAll(https.url('/fw.img'), { ca: pki.ca.cert });
      expect(sha256(r.body)).toBe(sha256(IMAGE));
      // Without the test CA the self-made certificate is refused.
      await expect(fetchAll(https.url('/fw.img'))).rejects.toBeInstanceOf(TransferError);
    } finally {
      await https.close();
    }
  });
});
