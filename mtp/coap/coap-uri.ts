/**
 * CoAP addresses for the legacy USP CoAP binding (TR-369 1.2 §"CoAP Binding", OBSOLETED in USP
 * 1.3): `coap[s]://host[:port]/path` URIs (RFC 7252 §6) and the `reply-to` Uri-Query a USP
 * Endpoint puts on every request so the receiver knows where to POST its answer (R-COAP.2/2a).
 */
import { isIPv6 } from 'node:net';

/** RFC 7252 §6.1/6.2 default ports. */
export const COAP_PORT = 5683;
export const COAPS_PORT = 5684;

/** One CoAP resource: where a USP Endpoint receives Records. */
export interface CoapAddress {
  /** coaps (DTLS); this agent cannot speak it, but must recognise it. */
  secure: boolean;
  host: string;
  port: number;
  /** Absolute path, "/" for the root. */
  path: string;
}

/** "usp", "/usp/", "" → "/usp", "/usp", "/": one leading slash, no trailing one. */
export function normalizePath(path: string): string {
  const segments = path.split('/').filter((s) => s !== '');
  return `/${segments.join('/')}`;
}

/** coap://192.0.2.1:5683/usp, with IPv6 literals in brackets. */
export function formatCoapUri(a: CoapAddress): string {
  const host = isIPv6(a.host) ? `[${a.host}]` : a.host;
  const path = normalizePath(a.path);
  return `${a.secure ? 'coaps' : 'coap'}://${host}:${a.port}${path === '/' ? '' : path}`;
}

const URI_RE = /^(coaps?):\/\/(\[[0-9A-Fa-f:.]+\]|[^/:?#[\]@]+)(?::(\d{1,5}))?(\/[^?#]*)?$/i;

/** Parses an absolute coap or coaps URI; undefined when it is not one. A query or fragment is refused (R-COAP.2). */
export function parseCoapUri(uri: string): CoapAddress | undefined {
  const m = URI_RE.exec(uri.trim());
  if (!m) return undefined;
  const secure = m[1].toLowerCase() === 'coaps';
  const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2];
  if (m[2].startsWith('[') && !isIPv6(host)) return undefined;
  const port = m[3] === undefined ? (secure ? COAPS_PORT : COAP_PORT) : Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  let path: string;
  try {
    // Uri-Path options carry decoded segments; the URI may percent-encode them.
    path = normalizePath(
      (m[4] ?? '/')
        .split('/')
        .map((s) => decodeURIComponent(s))
        .join('/'),
    );
  } catch {
    return undefined;
  }
  return { secure, host, port, path };
}

/** What a request's Uri-Query options say about where to answer. */
export type ReplyTo = { kind: 'absent' } | { kind: 'address'; address: CoapAddress } | { kind: 'invalid'; value: string };

/**
 * R-COAP.2: `reply-to=<coap or coaps URI>` among the Uri-Query options (one option per query
 * parameter). Senders differ on percent-encoding the URI, so an encoded one is decoded first.
 */
export function replyToFromQuery(queries: readonly string[]): ReplyTo {
  const q = queries.find((x) => x.startsWith('reply-to='));
  if (q === undefined) return { kind: 'absent' };
  let value = q.slice('reply-to='.length);
  if (/^coaps?%3A/i.test(value)) {
    try {
      value = decodeURIComponent(value);
    } catch {
      return { kind: 'invalid', value };
    }
  }
  const address = parseCoapUri(value);
  return address ? { kind: 'address', address } : { kind: 'invalid', value };
}
