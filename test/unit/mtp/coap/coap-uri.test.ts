/**
 * CoAP URIs and the reply-to Uri-Query of the legacy USP CoAP binding (TR-369 1.2 R-COAP.2/2a;
 * RFC 7252 §6).
 */
import { describe, expect, it } from 'vitest';
import { COAPS_PORT, COAP_PORT, formatCoapUri, normalizePath, parseCoapUri, replyToFromQuery } from '../../../../mtp/coap/coap-uri.js';

describe('coap URIs', () => {
  it('normalises paths to one leading slash and no trailing one', () => {
    expect(normalizePath('usp')).toBe('/usp');
    expect(normalizePath('/usp/')).toBe('/usp');
    expect(normalizePath('//a//b')).toBe('/a/b');
    expect(normalizePath('')).toBe('/');
  });

  it('parses coap and coaps URIs with default ports, IPv6 literals and encoded path segments', () => {
    expect(parseCoapUri('coap://192.0.2.1:6000/usp/c1')).toEqual({ secure: false, host: '192.0.2.1', port: 6000, path: '/usp/c1' });
    expect(parseCoapUri('coap://ctrl.example.com/usp')).toEqual({ secure: false, host: 'ctrl.example.com', port: COAP_PORT, path: '/usp' });
    expect(parseCoapUri('COAPS://[2001:db8::1]/e/ctrl')).toEqual({ secure: true, host: '2001:db8::1', port: COAPS_PORT, path: '/e/ctrl' });
    expect(parseCoapUri('coap://h:1')).toEqual({ secure: false, host: 'h', port: 1, path: '/' });
    expect(parseCoapUri('coap://h/a%20b')).toMatchObject({ path: '/a b' });
  });

  it('refuses what is not an absolute coap URI, a query, a bad port or a bad IPv6 literal', () => {
    for (const bad of ['http://h/usp', 'coap:/h/usp', 'coap://', 'coap://h:0/x', 'coap://h:70000/x', 'coap://h/usp?x=1', 'coap://[zz]/x', 'coap://u@h/x', 'coap://h/%zz']) {
      expect(parseCoapUri(bad), bad).toBeUndefined();
    }
  });

  it('formats URIs back, IPv6 in brackets, the root without a slash', () => {
    expect(formatCoapUri({ secure: false, host: '10.0.0.1', port: 5683, path: 'usp' })).toBe('coap://10.0.0.1:5683/usp');
    expect(formatCoapUri({ secure: true, host: '::1', port: 5684, path: '/' })).toBe('coaps://[::1]:5684');
    const uri = 'coap://[fe80::1]:1234/a/b';
    expect(formatCoapUri(parseCoapUri(uri)!)).toBe(uri);
  });
});

describe('reply-to (R-COAP.2)', () => {
  it('finds reply-to among the Uri-Query options, plain or percent-encoded', () => {
    expect(replyToFromQuery(['x=1', 'reply-to=coap://10.0.0.2:5683/ctrl'])).toEqual({ kind: 'address', address: { secure: false, host: '10.0.0.2', port: 5683, path: '/ctrl' } });
    expect(replyToFromQuery(['reply-to=coap%3A%2F%2F10.0.0.2%3A7000%2Fctrl'])).toEqual({ kind: 'address', address: { secure: false, host: '10.0.0.2', port: 7000, path: '/ctrl' } });
    expect(replyToFromQuery(['reply-to=coaps://h/x'])).toMatchObject({ kind: 'address', address: { secure: true, port: COAPS_PORT } });
  });

  it('says when it is absent or not a coap URI', () => {
    expect(replyToFromQuery([])).toEqual({ kind: 'absent' });
    expect(replyToFromQuery(['reply_to=coap://h/x'])).toEqual({ kind: 'absent' });
    expect(replyToFromQuery(['reply-to=10.0.0.2:5683/ctrl'])).toEqual({ kind: 'invalid', value: '10.0.0.2:5683/ctrl' });
    expect(replyToFromQuery(['reply-to=coap%3A%2F%2F%zz'])).toMatchObject({ kind: 'invalid' });
  });
});
