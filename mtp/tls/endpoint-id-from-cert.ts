/**
 * The USP Endpoint ID a certificate proves (TR-369 R-SEC.0a, R-SEC.10, R-ARC.4a;
 * "Endpoint Identifier"): a subjectAltName URI `urn:bbf:usp:id:<EndpointID>`, or, for the `fqdn` scheme only, a
 * dNSName equal to the instance-id.
 */
import type { X509Certificate } from 'node:crypto';

/** The URN prefix of an Endpoint ID carried in a certificate (TR-369 §"Endpoint Identifier"). */
export const USP_EID_URN_PREFIX = 'urn:bbf:usp:id:';
const FQDN_PREFIX = 'fqdn::';

/** One subjectAltName entry as Node prints it: `URI`, `DNS`, `IP Address`, `email`, ... */
export interface AltName {
  type: string;
  value: string;
}

/**
 * Splits Node's `X509Certificate.subjectAltName` string (`DNS:a, URI:b, IP Address:c`).
 * Node JSON-quotes a value holding `,`, `"`, `\`, `'` or control characters
 * (`URI:"urn:...\u002c..."`), so a plain split on ", " would let a crafted value forge entries.
 */
export function parseSubjectAltName(san: string | undefined): AltName[] {
  const out: AltName[] = [];
  if (!san) return out;
  let i = 0;
  while (i < san.length) {
    const colon = san.indexOf(':', i);
    if (colon < 0) break;
    const type = san.slice(i, colon).trim();
    let value: string;
    let end: number;
    if (san[colon + 1] === '"') {
      end = closingQuote(san, colon + 2);
      if (end < 0) break; // malformed: keep what was parsed safely so far
      try {
        value = JSON.parse(san.slice(colon + 1, end + 1)) as string;
      } catch {
        break;
      }
      end += 1;
    } else {
      end = san.indexOf(', ', colon + 1);
      if (end < 0) end = san.length;
      value = san.slice(colon + 1, end);
    }
    out.push({ type, value });
    i = san.startsWith(', ', end) ? end + 2 : end;
  }
  return out;
}

function closingQuote(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}

/**
 * The Endpoint ID a certificate proves, or undefined when it names none.
 * - The first URI SAN `urn:bbf:usp:id:<EID>` wins.
 * - Otherwise a non-wildcard dNSName names an `fqdn::` Endpoint ID (R-ARC.4a): the `claimed`
 *   one when a dNSName matches it (case-insensitively), else `fqdn::<first dNSName>`.
 * So a certificate with only dNSNames never vouches for a non-fqdn Endpoint ID.
 * @param claimed the Endpoint ID the peer gave by other means (the WebSocket `eid` parameter).
 */
export function endpointIdFromCert(cert: Pick<X509Certificate, 'subjectAltName'>, claimed?: string): string | undefined {
  const names = parseSubjectAltName(cert.subjectAltName);
  for (const n of names) {
    if (n.type === 'URI' && n.value.startsWith(USP_EID_URN_PREFIX) && n.value.length > USP_EID_URN_PREFIX.length) {
      return n.value.slice(USP_EID_URN_PREFIX.length);
    }
  }
  const dns = names.filter((n) => n.type === 'DNS' && n.value !== '' && !n.value.includes('*')).map((n) => n.value);
  if (dns.length === 0) return undefined;
  if (claimed?.startsWith(FQDN_PREFIX)) {
    const host = claimed.slice(FQDN_PREFIX.length).toLowerCase();
    if (dns.some((d) => d.toLowerCase() === host)) return claimed;
  }
  return FQDN_PREFIX + dns[0];
}
