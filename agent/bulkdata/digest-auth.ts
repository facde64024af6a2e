/**
 * HTTP Digest access authentication (RFC 7616) for Bulk Data reports: TR-181
 * Device.BulkData.Profile.{i}.HTTP. says the device MUST support Basic (RFC 7617) and Digest.
 * A report is first sent with Basic credentials; a collector that answers 401 with a Digest
 * challenge gets the report once more with a Digest Authorization built here (qop "auth",
 * algorithms MD5 and SHA-256, with or without "-sess").
 */
import { createHash, randomBytes } from 'node:crypto';

/** A parsed `WWW-Authenticate: Digest ...` challenge. */
export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string;
  /** "MD5" (the default), "SHA-256", or either with "-sess". */
  readonly algorithm: string;
  /** "auth" when the collector offers it; undefined for an RFC 2069 challenge. */
  readonly qop?: 'auth';
}

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256' };

/**
 * The first Digest challenge among the WWW-Authenticate header values that this client can
 * answer (a known algorithm, and qop "auth" or none), or undefined.
 */
export function parseDigestChallenge(headers: string | readonly string[] | undefined): DigestChallenge | undefined {
  const values = headers === undefined ? [] : typeof headers === 'string' ? [headers] : headers;
  for (const value of values) {
    // One header value may hold several challenges; a Digest one starts at the word "Digest".
    const at = value.search(/(^|[\s,])Digest\s/i);
    if (at < 0) continue;
    const params = parseParams(value.slice(at).replace(/^[\s,]*Digest\s+/i, ''));
    const algorithm = (params.get('algorithm') ?? 'MD5').toUpperCase();
    if (!(algorithm.replace(/-SESS$/, '') in HASHES)) continue;
    const realm = params.get('realm');
    const nonce = params.get('nonce');
    if (realm === undefined || nonce === undefined) continue;
    const qops = params
      .get('qop')
      ?.split(',')
      .map((q) => q.trim().toLowerCase());
    if (qops && !qops.includes('auth')) continue; // auth-int only: would need the body hashed
    return { realm, nonce, algorithm, ...(params.has('opaque') ? { opaque: params.get('opaque')! } : {}), ...(qops ? { qop: 'auth' as const } : {}) };
  }
  return undefined;
}

/** `name=value` and `name="quoted value"` pairs, until a pair that starts another scheme. */
function parseParams(s: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(?:,|$)/y;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    out.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!);
    if (re.lastIndex >= s.length) break;
  }
  return out;
}

/** The Authorization header answering `challenge` for one request (`uri` = path and query). */
export function digestAuthorization(challenge: DigestChallenge, username: string, password: string, method: string, uri: string, cnonce: string = randomBytes(12).toString('hex')): string {
  const sess = challenge.algorithm.endsWith('-SESS');
  const hashName = HASHES[challenge.algorithm.replace(/-SESS$/, '')]!;
  const h = (s: string): string => createHash(hashName).update(s, 'utf8').digest('hex');
  const nc = '00000001'; // a fresh challenge for every report: one use per nonce
  let ha1 = h(`${username}:${challenge.realm}:${password}`);
  if (sess) ha1 = h(`${ha1}:${challenge.nonce}:${cnonce}`);
  const ha2 = h(`${method}:${uri}`);
  const response = challenge.qop ? h(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${challenge.qop}:${ha2}`) : h(`${ha1}:${challenge.nonce}:${ha2}`);
  const q = (s: string): string => `"${s.replace(/(["\\])/g, '\\$1')}"`;
  const parts = [`username=${q(username)}`, `realm=${q(challenge.realm)}`, `nonce=${q(challenge.nonce)}`, `uri=${q(uri)}`, `algorithm=${challenge.algorithm}`, `response=${q(response)}`];
  if (challenge.qop) parts.push(`qop=${challenge.qop}`, `nc=${nc}`, `cnonce=${q(cnonce)}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${q(challenge.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}
