/**
 * The Request-URI of a Bulk Data report over HTTP(S) (TR-369 Annex A "Use of the URI Query
 * Parameters"): Device.BulkData.Profile.{i}.HTTP.URL, then the device's identity (R-BULK.1: oui,
 * pc and sn) and the Profile's HTTP.RequestURIParameter.{i} name/value pairs appended to its query,
 * each percent-encoded, an existing query kept as it is.
 *
 * TR-181 types HTTP.URL as a plain URL (RFC 3986), which allows userinfo; RFC 9110 §4.2.4 forbids
 * sending it, so it is taken out of the URL and, when HTTP.Username is empty, used as the
 * credentials (decoded).
 */

/** What R-BULK.1 asks every Request-URI to carry; the agent's identity from Device.DeviceInfo. */
export interface ReportIdentity {
  /** Device.DeviceInfo.ManufacturerOUI. */
  readonly oui: string;
  /** Device.DeviceInfo.ProductClass. */
  readonly productClass: string;
  /** Device.DeviceInfo.SerialNumber. */
  readonly serialNumber: string;
}

/** A Request-URI ready to send, with the credentials the URL itself carried (if any). */
export interface ReportUrl {
  readonly url: URL;
  /** Userinfo of HTTP.URL, decoded; undefined when it had none. */
  readonly userinfo?: { readonly username: string; readonly password: string };
}

/** HTTP.URL as it may appear in logs and outcomes: no userinfo, no query (it may carry secrets). */
export function redactedUrl(text: string): string {
  try {
    const u = new URL(text);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
  }
}

/**
 * Builds the Request-URI, or returns why HTTP.URL cannot be used (not a URL, a scheme other than
 * http/https, no host).
 */
export function reportUrl(
  base: string,
  identity: ReportIdentity | undefined,
  uriParameters: ReadonlyArray<{ readonly name: string; readonly value: string }>,
): ReportUrl | { readonly problem: string } {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return { problem: `HTTP.URL ${redactedUrl(base)} is not a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { problem: `HTTP.URL scheme ${url.protocol} is not supported (http and https are)` };
  }
  if (url.hostname === '') return { problem: `HTTP.URL ${redactedUrl(base)} names no host` };
  let userinfo: ReportUrl['userinfo'];
  if (url.username !== '' || url.password !== '') {
    userinfo = { username: safeDecode(url.username), password: safeDecode(url.password) };
    url.username = '';
    url.password = '';
  }
  url.hash = '';
  const pairs: Array<readonly [string, string]> = [];
  if (identity) pairs.push(['oui', identity.oui], ['pc', identity.productClass], ['sn', identity.serialNumber]);
  for (const p of uriParameters) pairs.push([p.name, p.value]);
  if (pairs.length > 0) {
    // encodeURIComponent rather than URLSearchParams: it keeps an existing query byte for byte
    // and encodes a space as %20 (URLSearchParams would re-serialise the whole query with '+').
    const added = pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
    const existing = url.search.replace(/^\?/, '');
    url.search = existing === '' ? added : `${existing.replace(/&$/, '')}&${added}`;
  }
  return userinfo ? { url, userinfo } : { url };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
