/**
 * One repetition of Device.DNS.Diagnostics.NSLookupDiagnostics() (TR-181 2.19 DNSLookupDiagnostics
 * Result.{i}.): the A and AAAA queries for one name sent to one DNS server with Node's resolver
 * (c-ares, UDP with TCP fallback), and what came back turned into a Result row.
 *
 * AnswerType: c-ares does not hand the header's AA bit to Node, so an answer cannot be told
 * authoritative or not. A device asking its configured resolver almost always gets a recursive
 * resolver's (non-authoritative) answer, so every answer says NonAuthoritative; no answer says
 * None, as TR-181 asks.
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';

/** TR-181 Result.{i}.Status. */
export type NsLookupStatus = 'Success' | 'Error_DNSServerNotAvailable' | 'Error_HostNameNotResolved' | 'Error_Timeout' | 'Error_Other';

/** One Result.{i} row. */
export interface NsLookupResult {
  status: NsLookupStatus;
  answerType: 'None' | 'Authoritative' | 'NonAuthoritative';
  hostNameReturned: string;
  /** A then AAAA addresses, at most MAX_ADDRESSES (TR-181 IPAddresses maxItems). */
  addresses: string[];
  /** The server's address, without its port. */
  serverIp: string;
  /** Milliseconds to the first response, 0 when none came. */
  responseTimeMs: number;
}

/** A DNS server as the resolver takes it. */
export interface DnsServer {
  ip: string;
  port: number;
}

export interface NsLookupQuery {
  hostName: string;
  server: DnsServer;
  timeoutMs: number;
  /** Source addresses to send from (the Interface input's); unset: the routing table decides. */
  localV4?: string;
  localV6?: string;
  signal: AbortSignal;
}

/** TR-181 Result.{i}.IPAddresses: list maxItems 10. */
export const MAX_ADDRESSES = 10;

/** How a failed query ranks: the row keeps the most telling outcome of its two queries. */
const RANK: Record<NsLookupStatus, number> = { Success: 4, Error_HostNameNotResolved: 3, Error_DNSServerNotAvailable: 2, Error_Timeout: 1, Error_Other: 0 };

/** The status a c-ares error code means. NOTFOUND is NXDOMAIN, NODATA a name without that record type. */
function statusOf(code: string | undefined): NsLookupStatus {
  switch (code) {
    case 'ENOTFOUND':
    case 'ENODATA':
      return 'Error_HostNameNotResolved';
    case 'ETIMEOUT':
      return 'Error_Timeout';
    case 'ECONNREFUSED':
    case 'ESERVFAIL':
    case 'EREFUSED':
      return 'Error_DNSServerNotAvailable';
    default:
      return 'Error_Other';
  }
}

/** A server as setServers() takes it: "1.2.3.4:53", "[2001:db8::1]:53". */
export function serverString(s: DnsServer): string {
  return isIP(s.ip) === 6 ? `[${s.ip}]:${s.port}` : `${s.ip}:${s.port}`;
}

/** Runs the A and AAAA queries of one repetition; never throws except when `signal` aborts. */
export async function nsLookupOnce(q: NsLookupQuery): Promise<NsLookupResult> {
  const resolver = new Resolver({ timeout: q.timeoutMs, tries: 1 });
  resolver.setServers([serverString(q.server)]);
  if (q.localV4 !== undefined || q.localV6 !== undefined) resolver.setLocalAddress(q.localV4 ?? '0.0.0.0', q.localV6 ?? '::0');
  const cancel = (): void => resolver.cancel();
  q.signal.addEventListener('abort', cancel, { once: true });
  const started = performance.now();
  let firstResponse: number | undefined;
  const ask = async (query: Promise<string[]>): Promise<{ status: NsLookupStatus; addresses: string[] }> => {
    try {
      const addresses = await query;
      firstResponse ??= performance.now();
      return { status: 'Success', addresses };
    } catch (e) {
      const status = statusOf((e as NodeJS.ErrnoException).code);
      // NXDOMAIN, NODATA, SERVFAIL and REFUSED are answers: the server did respond.
      if (status === 'Error_HostNameNotResolved' || (status === 'Error_DNSServerNotAvailable' && (e as NodeJS.ErrnoException).code !== 'ECONNREFUSED')) firstResponse ??= performance.now();
      return { status, addresses: [] };
    }
  };
  try {
    const [a, aaaa] = await Promise.all([ask(resolver.resolve4(q.hostName)), ask(resolver.resolve6(q.hostName))]);
    if (q.signal.aborted) throw q.signal.reason;
    const status = RANK[a.status] >= RANK[aaaa.status] ? a.status : aaaa.status;
    const ok = status === 'Success';
    return {
      status,
      answerType: ok ? 'NonAuthoritative' : 'None',
      hostNameReturned: ok ? q.hostName : '',
      addresses: ok ? [...a.addresses, ...aaaa.addresses].slice(0, MAX_ADDRESSES) : [],
      serverIp: q.server.ip,
      responseTimeMs: firstResponse === undefined ? 0 : Math.max(0, Math.round(firstResponse - started)),
    };
  } finally {
    q.signal.removeEventListener('abort', cancel);
  }
}
