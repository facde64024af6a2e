/**
 * SSDP messages (UPnP Device Architecture 1.1 section 1, "Discovery"): the NOTIFY a device
 * multicasts (ssdp:alive, ssdp:byebye, ssdp:update) and the HTTP 200 it unicasts in answer to an
 * M-SEARCH, read into one shape; and the M-SEARCH the browser sends.
 *
 * Everything comes from the LAN, so parsing is strict and bounded: a packet over MAX_SSDP_PACKET,
 * a header line or value over its limit, a control character, a USN that is not
 * `uuid:<RFC 4122 UUID>[::<type>]`, a USN whose type disagrees with NT/ST, or an alive without
 * CACHE-CONTROL max-age and LOCATION yields undefined: the packet is dropped whole.
 */

/** UDA 1.1: an SSDP message fits one UDP datagram; a larger one is not SSDP. */
export const MAX_SSDP_PACKET = 8192;
const MAX_HEADERS = 40;
/** TR-181 bounds USN and Server to 256 characters; Location is a URL (TR-106: 2048). */
const MAX_VALUE = { usn: 256, server: 256, location: 2048, nt: 256 } as const;
/** A device announcing more than a day is treated as a day (UDA recommends 1800 s or more). */
export const MAX_LEASE_S = 86_400;
const UUID = /^[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}$/;
const TYPE_URN = /^urn:[A-Za-z0-9.-]{1,64}:(device|service):[A-Za-z0-9_.-]{1,64}:\d{1,4}$/;

/** What one NOTIFY or M-SEARCH response says about one USN. */
export interface SsdpAdvertisement {
  /** alive covers ssdp:alive, ssdp:update and a search response. */
  kind: 'alive' | 'byebye';
  usn: string;
  /** The device UUID of the USN, as sent. */
  uuid: string;
  /** What the USN names: the root device, the device itself, a device type or a service type. */
  target: { kind: 'rootdevice' } | { kind: 'uuid' } | { kind: 'device' | 'service'; urn: string };
  /** CACHE-CONTROL max-age in seconds (0 for a byebye). */
  maxAge: number;
  location: string;
  server: string;
}

/** Reads one datagram; undefined for anything that is not a well-formed advertisement. */
export function parseSsdp(packet: Buffer): SsdpAdvertisement | undefined {
  if (packet.length === 0 || packet.length > MAX_SSDP_PACKET) return undefined;
  const text = packet.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const lines = (end < 0 ? text : text.slice(0, end)).split(/\r?\n/);
  const start = lines.shift() ?? '';
  let isResponse: boolean;
  if (/^NOTIFY \* HTTP\/1\.[01]$/.test(start)) isResponse = false;
  else if (/^HTTP\/1\.[01] 200 /.test(start) || start === 'HTTP/1.1 200') isResponse = true;
  else return undefined;
  const headers = headersOf(lines);
  if (!headers) return undefined;
  const usn = headers.get('usn');
  const nt = headers.get(isResponse ? 'st' : 'nt');
  if (usn === undefined || nt === undefined || usn.length > MAX_VALUE.usn || nt.length > MAX_VALUE.nt) return undefined;
  let kind: SsdpAdvertisement['kind'] = 'alive';
  if (!isResponse) {
    const nts = headers.get('nts');
    if (nts === 'ssdp:byebye') kind = 'byebye';
    else if (nts !== 'ssdp:alive' && nts !== 'ssdp:update') return undefined;
  }
  const parsed = usnOf(usn);
  if (!parsed || !sameTarget(parsed.rest, nt, parsed.uuid)) return undefined;
  const target = targetOf(nt);
  if (!target) return undefined;
  const server = headers.get('server') ?? '';
  const location = headers.get('location') ?? '';
  if (server.length > MAX_VALUE.server || location.length > MAX_VALUE.location) return undefined;
  if (kind === 'byebye') return { kind, usn, uuid: parsed.uuid, target, maxAge: 0, location, server };
  const maxAge = maxAgeOf(headers.get('cache-control'));
  if (maxAge === undefined || !isHttpUrl(location)) return undefined;
  return { kind, usn, uuid: parsed.uuid, target, maxAge, location, server };
}

/** An M-SEARCH for everything (UDA 1.1 section 1.3.2) with a response window of `mx` seconds. */
export function encodeMSearch(mx: number, searchTarget = 'ssdp:all'): Buffer {
  return Buffer.from(`M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: ${mx}\r\nST: ${searchTarget}\r\n\r\n`, 'latin1');
}

/** Lower-cased names to trimmed values; undefined for a malformed, repeated or oversized header. */
function headersOf(lines: readonly string[]): Map<string, string> | undefined {
  if (lines.length > MAX_HEADERS) return undefined;
  const out = new Map<string, string>();
  for (const line of lines) {
    if (line === '') continue;
    // Printable ASCII and tab only: no NUL, no bare CR, nothing a log or a Controller should not get.
    if (!/^[\t\x20-\x7e]*$/.test(line)) return undefined;
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[a-z0-9.-]{1,64}$/.test(name) || out.has(name)) return undefined;
    out.set(name, line.slice(colon + 1).trim());
  }
  return out;
}

/** `uuid:<UUID>` with what follows `::`, or undefined. */
function usnOf(usn: string): { uuid: string; rest: string | undefined } | undefined {
  if (!usn.toLowerCase().startsWith('uuid:')) return undefined;
  const body = usn.slice(5);
  const sep = body.indexOf('::');
  const uuid = sep < 0 ? body : body.slice(0, sep);
  if (!UUID.test(uuid)) return undefined;
  return { uuid, rest: sep < 0 ? undefined : body.slice(sep + 2) };
}

/** The USN must name what NT/ST names: `uuid:U` for NT uuid:U, `uuid:U::<NT>` otherwise. */
function sameTarget(rest: string | undefined, nt: string, uuid: string): boolean {
  if (rest === undefined) return nt.toLowerCase() === `uuid:${uuid.toLowerCase()}`;
  return rest === nt;
}

function targetOf(nt: string): SsdpAdvertisement['target'] | undefined {
  if (nt === 'upnp:rootdevice') return { kind: 'rootdevice' };
  if (nt.toLowerCase().startsWith('uuid:')) return { kind: 'uuid' };
  const m = TYPE_URN.exec(nt);
  return m ? { kind: m[1] as 'device' | 'service', urn: nt } : undefined;
}

/** `max-age=N` from CACHE-CONTROL (other directives allowed), capped at MAX_LEASE_S. */
function maxAgeOf(value: string | undefined): number | undefined {
  const m = value === undefined ? null : /(?:^|[,\s])max-age\s*=\s*"?(\d{1,9})"?(?:$|[,\s])/i.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n > 0 ? Math.min(n, MAX_LEASE_S) : undefined;
}

function isHttpUrl(text: string): boolean {
  if (!/^https?:\/\//i.test(text)) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}
