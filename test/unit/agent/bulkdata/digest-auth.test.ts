/**
 * Digest access authentication for Bulk Data reports (agent/bulkdata/digest-auth.ts), checked
 * against the worked example of RFC 7616 §3.9.1 (MD5 and SHA-256, qop=auth).
 */
import { describe, expect, it } from 'vitest';
import { digestAuthorization, parseDigestChallenge } from '../../../../agent/bulkdata/digest-auth.js';

const NONCE = '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v';
const OPAQUE = 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS';
const CNONCE = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
const challenge = (algorithm: string): string => `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, nonce="${NONCE}", opaque="${OPAQUE}"`;

describe('parseDigestChallenge', () => {
  it('reads realm, nonce, opaque, algorithm and qop', () => {
    expect(parseDigestChallenge(challenge('SHA-256'))).toEqual({ realm: 'http-auth@example.org', nonce: NONCE, opaque: OPAQUE, algorithm: 'SHA-256', qop: 'auth' });
  });

  it('finds the Digest challenge among several, skips ones it cannot answer', () => {
    expect(parseDigestChallenge(['Basic realm="x"', 'Digest realm="r", nonce="n", algorithm=SHA-512-256', 'Digest realm="r2", nonce="n2"'])).toEqual({ realm: 'r2', nonce: 'n2', algorithm: 'MD5' });
    expect(parseDigestChallenge('Digest realm="r", nonce="n", qop="auth-int"')).toBeUndefined();
    expect(parseDigestChallenge('Basic realm="x"')).toBeUndefined();
    expect(parseDigestChallenge('Digest nonce="n"')).toBeUndefined();
    expect(parseDigestChallenge(undefined)).toBeUndefined();
  });
});

describe('digestAuthorization (RFC 7616 §3.9.1)', () => {
  it.each([
    ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
    ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
  ])('%s gives the RFC response', (algorithm, response) => {
    const c = parseDigestChallenge(challenge(algorithm))!;
    const h = digestAuthorization(c, 'Mufasa', 'Circle of Life', 'GET', '/dir/index.html', CNONCE);
    expect(h).toContain(`response="${response}"`);
    expect(h).toContain('qop=auth, nc=00000001');
    expect(h).toContain(`opaque="${OPAQUE}"`);
    expect(h).toMatch(/^Digest username="Mufasa", realm="http-auth@example.org"/);
  });
});
