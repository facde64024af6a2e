/**
 * The download policy (agent/transfer/download-policy.ts): which addresses a device-side download
 * may reach, checked after DNS resolution, on every redirect, and on the address connected to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FETCH_LIMITS, TransferError, fetchImage } from '../../../../agent/firmware/fetch-image.js';
import { addressProblem, downloadPolicy, ownAddresses, type DownloadPolicy } from '../../../../agent/transfer/download-policy.js';
import { simImage, startImageServer, type ImageServer } from '../firmware/image-server.js';

const none = new Set<string>();

describe('addressProblem', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.1.2.3', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['169.254.10.20', 'link-local'],
    ['fe80::1', 'link-local'],
    ['FE80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
  ])('refuses %s (%s)', (address, what) => {
    expect(addressProblem(address, none)).toBe(`${address} is a ${what} address`);
  });

  it.each(['192.0.2.10', '10.0.0.1', '192.168.1.20', '100.64.0.1', '8.8.8.8', '2001:db8::1', 'fec0::1', '::ffff:192.0.2.1'])('allows %s', (address) => {
    expect(addressProblem(address, none)).toBeUndefined();
  });

  it("refuses the device's own addresses, also written as IPv4-mapped IPv6", () => {
    const own = new Set(['192.0.2.7', '2001:db8::7']);
    expect(addressProblem('192.0.2.7', own)).toMatch(/own addresses/);
    expect(addressProblem('::ffff:192.0.2.7', own)).toMatch(/own addresses/);
    expect(addressProblem('2001:DB8::7', own)).toMatch(/own addresses/);
    expect(addressProblem('192.0.2.8', own)).toBeUndefined();
  });

  it("knows the machine's own interface addresses", () => {
    expect(ownAddresses().has('127.0.0.1')).toBe(true);
  });
});

describe('downloadPolicy().check: after DNS resolution', () => {
  const refuse = downloadPolicy(
    () => true,
    () => new Set(['192.0.2.7']),
  );

  it.each([
    'http://localhost/fw.img',
    'http://127.0.0.1:8080/fw.img',
    'https://[::1]/fw.img',
    'http://[::ffff:7f00:1]/',
    'http://0x7f000001/',
    'http://2130706433/',
    'http://0/',
    'http://169.254.169.254/latest/',
    'http://192.0.2.7/',
  ])('refuses %s', async (url) => {
    expect(await refuse.check(new URL(url))).toMatch(/^downloads from .* are refused: .* \(Device\.LocalAgent\.X_<VENDOR>_AllowLocalDownloads\)$/);
  });

  it('allows other addresses, and leaves a name that does not resolve to the transfer', async () => {
    expect(await refuse.check(new URL('http://192.0.2.10/fw.img'))).toBeUndefined();
    expect(await refuse.check(new URL('http://no-such-host.invalid/fw.img'))).toBeUndefined();
  });

  it('switched off, allows everything', async () => {
    expect(await downloadPolicy(() => false).check(new URL('http://127.0.0.1/'))).toBeUndefined();
  });

  it('its lookup refuses a name that resolves to a refused address, and resolves others', async () => {
    const look = (host: string) =>
      new Promise<{ err: Error | null; address: unknown }>((resolve) => {
        refuse.lookup(host, {}, (err, address) => resolve({ err, address }));
      });
    expect((await look('localhost')).err?.message).toMatch(/refused: .* loopback/);
    expect(await look('192.0.2.10')).toEqual({ err: null, address: '192.0.2.10' });
  });
});

describe('fetchImage under a policy: every hop is checked, and connections go through its lookup', () => {
  let server: ImageServer;
  const image = simImage('3.3.0', { size: 10_000 });
  beforeAll(async () => {
    server = await startImageServer();
    server.routes.set('/fw.img', { body: image });
  });
  afterAll(async () => {
    await server.close();
  });

  const fetchWith = (url: string, policy: DownloadPolicy) =>
    fetchImage(url, {
      limits: DEFAULT_FETCH_LIMITS,
      signal: new AbortController().signal,
      policy,
      onData: () => undefined,
    });

  it('a loopback URL is refused before anything is sent', async () => {
    const before = server.requests.length;
    await expect(
      fetchWith(
        server.url('/fw.img'),
        downloadPolicy(() => true),
      ),
    ).rejects.toThrow(TransferError);
    await expect(
      fetchWith(
        server.url('/fw.img'),
        downloadPolicy(() => true),
      ),
    ).rejects.toThrow(/loopback/);
    expect(server.requests.length).toBe(before);
  });

  it('a redirect to a refused host is refused (the first host allowed)', async () => {
    // A policy that refuses only the name "localhost": the server on 127.0.0.1 redirects there.
    const real = downloadPolicy(() => false);
    const onlyLocalhost: DownloadPolicy = {
      check: async (url) => (url.hostname === 'localhost' ? 'localhost refused' : undefined),
      lookup: real.lookup,
    };
    server.routes.set('/to-localhost.img', { redirect: server.url('/fw.img').replace('127.0.0.1', 'localhost') });
    await expect(fetchWith(server.url('/to-localhost.img'), onlyLocalhost)).rejects.toThrow('redirect to a refused URL: localhost refused');
  });

  it("the policy's lookup is what connects: a name it refuses fails the transfer even when check let it pass", async () => {
    const refusing = downloadPolicy(() => true);
    const lookupOnly: DownloadPolicy = { check: async () => undefined, lookup: refusing.lookup };
    await expect(fetchWith(server.url('/fw.img').replace('127.0.0.1', 'localhost'), lookupOnly)).rejects.toThrow(/refused: .* loopback/);
  });

  it("allowed, the file arrives, also from a name resolved through the policy's lookup", async () => {
    const r = await fetchWith(
      server.url('/fw.img'),
      downloadPolicy(() => false),
    );
    expect(r.bytes).toBe(image.length);
    const named = await fetchWith(
      server.url('/fw.img').replace('127.0.0.1', 'localhost'),
      downloadPolicy(() => false),
    );
    expect(named.bytes).toBe(image.length);
  });
});
