/**
 * The client side of the USP WebSocket handshake (TR-369 §"WebSocket Binding"):
 * the controller URL from Controller.{i}.MTP.{i}.WebSocket.{Host, Port, Path, EnableEncryption},
 * the `eid` query parameter (R-WS.10b/c), and the deprecated `bbf-usp-protocol` extension
 * (R-WS.11a–c) that some controllers still answer with.
 */
import type { IncomingMessage } from 'node:http';

/** The extension name USP 1.0–1.2 used to carry Endpoint IDs in the handshake. */
export const USP_EXTENSION = 'bbf-usp-protocol';

/** `ws[s]://host:port/path`; IPv6 literals are bracketed, a missing leading "/" is added. */
export function webSocketUrl(opts: { host: string; port?: number; path?: string; encrypt: boolean }): string {
  const scheme = opts.encrypt ? 'wss' : 'ws';
  const host = opts.host.includes(':') && !opts.host.startsWith('[') ? `[${opts.host}]` : opts.host;
  const port = opts.port && opts.port > 0 ? opts.port : opts.encrypt ? 443 : 80;
  const path = opts.path ?? '';
  return `${scheme}://${host}:${port}${path.startsWith('/') ? path : `/${path}`}`;
}

/**
 * An Endpoint ID as a query-parameter value (R-WS.10c): "%" becomes "%25", and every character
 * that URL encoding reserves ("&", "=", "+", "#", space, ...) is percent-encoded. ":" is left as
 * it is, as in the TR-369 example `?eid=os::00256D-0123456789` (RFC 3986 allows it in a query).
 */
export function encodeEidParam(eid: string): string {
  return encodeURIComponent(eid).replace(/%3A/gi, ':');
}

/** The URL the client dials: the controller URL plus `eid=<agent EID>`, after any other parameters. */
export function dialUrl(url: string, agentEndpointId: string): string {
  const u = new URL(url);
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new TypeError(`not a ws:// or wss:// URL: ${url}`);
  if (u.hash) throw new TypeError(`a WebSocket URL has no fragment: ${url}`);
  const sep = u.href.endsWith('?') ? '' : u.search ? '&' : '?';
  return `${u.href}${sep}eid=${encodeEidParam(agentEndpointId)}`;
}

/** The request header value offering the extension: `bbf-usp-protocol; eid="<agent EID>"`. */
export function uspExtensionOffer(agentEndpointId: string): string {
  return `${USP_EXTENSION}; eid="${agentEndpointId.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * Takes the `bbf-usp-protocol` element out of the handshake response's Sec-WebSocket-Extensions
 * header and returns its `eid` ('' when the element has none; undefined when there is no such
 * element). Other extensions stay in the header, so the `ws` client still validates them and
 * refuses any it did not offer.
 *
 * Why in place: the `ws` client aborts the handshake on any Sec-WebSocket-Extensions header
 * other than its own permessage-deflate ("Server sent a Sec-WebSocket-Extensions header but no
 * extension was requested"), and offers no hook for other extensions. It emits 'upgrade' with
 * the response before it reads the header (node_modules/ws/lib/websocket.js, initAsClient), so a
 * listener can remove the element it understands. The integration test runs this against a
 * real server that sends the header, so a change in ws's order would show there.
 */
export function takeUspExtension(res: IncomingMessage): string | undefined {
  const header = res.headers['sec-websocket-extensions'];
  if (header === undefined) return undefined;
  let eid: string | undefined;
  const others: string[] = [];
  for (const element of splitOutsideQuotes(header, ',')) {
    const [name, ...params] = splitOutsideQuotes(element, ';').map((s) => s.trim());
    if (name.toLowerCase() !== USP_EXTENSION) {
      if (element.trim()) others.push(element.trim());
      continue;
    }
    eid = '';
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== 'eid') continue;
      eid = unquote(p.slice(eq + 1).trim());
    }
  }
  if (eid === undefined) return undefined;
  if (others.length) res.headers['sec-websocket-extensions'] = others.join(', ');
  else delete res.headers['sec-websocket-extensions'];
  return eid;
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted && c === '\\' && i + 1 < s.length) {
      cur += c + s[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(.)/g, '$1');
  return v;
}
