/**
 * Reads what the system `traceroute -n` wrote (the Linux "modern traceroute" or BusyBox) into
 * the results of TR-181 Device.IP.Diagnostics.TraceRoute() (TR-143 TraceRoute): one RouteHops
 * entry per hop with its address, the ICMP code it answered with and the round-trip times. A
 * pure function of the tool's output, tested against recorded outputs of both tools.
 */
import { NO_ROUTE, UNRESOLVED } from './ping-output.js';

/** Device.IP.Diagnostics.TraceRoute() Status values a traceroute run can end in (TR-181 2.19). */
export type TraceRouteStatus = 'Complete' | 'Error_CannotResolveHostName' | 'Error_NoRouteToHost' | 'Error_MaxHopCountExceeded' | 'Error_Internal' | 'Error_Other';

/** One RouteHops.{i} entry. */
export interface TraceHop {
  /** The hop's address (numeric output: TR-181 Host is then the address too). */
  address: string;
  /** The ICMP CODE of an unreachable the hop answered with (`!H`, `!N`, ...); 0 otherwise. */
  errorCode: number;
  /** Round-trip times of the probes answered, in ms (unanswered probes, `*`, are left out). */
  rtTimes: number[];
  /** True when the hop answered with an ICMP unreachable other than port-unreachable. */
  unreachable: boolean;
}

export interface TraceRouteOutcome {
  status: TraceRouteStatus;
  /** The address traced to (from the `traceroute to host (address)` line), '' if never resolved. */
  address: string;
  hops: TraceHop[];
  detail?: string;
}

const HEADER = /^traceroute to \S+ \(([^)]+)\), (\d+) hops max/m;
const HOP_LINE = /^\s*(\d+)\s+(.*)$/;
const ADDRESS = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f:.%\w]*)$/;
const TIME = /^(?:<)?([\d.]+)$/;

// The ICMP CODE each annotation stands for (RFC 792 / RFC 4443 Destination Unreachable); the
// tools print the same letters for both families, but ICMPv6 numbers them differently.
const V4_CODES: Readonly<Record<string, number>> = { N: 0, H: 1, P: 2, F: 4, S: 5, X: 13, V: 14, C: 15 };
const V6_CODES: Readonly<Record<string, number>> = { N: 0, X: 1, S: 2, H: 3 };

/** Parses one `traceroute -n` run; `maxHops` is what it was asked for (-m). */
export function parseTraceRouteOutput(stdout: string, stderr: string, maxHops: number): TraceRouteOutcome {
  const header = HEADER.exec(stdout);
  const address = header?.[1] ?? '';
  const message = firstLine(stderr);
  if (UNRESOLVED.test(stderr)) return { status: 'Error_CannotResolveHostName', address: '', hops: [], detail: message };
  if (NO_ROUTE.test(stderr)) return { status: 'Error_NoRouteToHost', address, hops: [], detail: message };
  if (!header) return { status: 'Error_Other', address, hops: [], detail: message || 'traceroute printed no route' };
  const v6 = address.includes(':');
  const hops: TraceHop[] = [];
  for (const line of stdout.split('\n')) {
    const m = HOP_LINE.exec(line);
    if (!m || line.startsWith('traceroute')) continue;
    hops.push(parseHop(m[2], v6));
  }
  const last = hops[hops.length - 1];
  let status: TraceRouteStatus = 'Complete';
  if (last?.address === address && address !== '') status = 'Complete';
  else if (last?.unreachable) status = 'Error_NoRouteToHost';
  else if (hops.length >= Math.min(maxHops, Number(header[2]))) status = 'Error_MaxHopCountExceeded';
  return { status, address, hops };
}

function parseHop(rest: string, v6: boolean): TraceHop {
  const hop: TraceHop = { address: '', errorCode: 0, rtTimes: [], unreachable: false };
  const tokens = rest.trim().split(/\s+/);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === '*' || t === 'ms') continue;
    if (t.startsWith('!')) {
      const code = annotationCode(t.slice(1), v6);
      // !P from the destination itself over IPv4 is "protocol unreachable"; an unreachable of any
      // kind ends the trace short of the host.
      if (code !== undefined) {
        hop.errorCode = code;
        hop.unreachable = true;
      }
      continue;
    }
    const time = TIME.exec(t);
    if (time && tokens[i + 1] === 'ms') {
      hop.rtTimes.push(Math.round(Number(time[1])));
      continue;
    }
    // Several routers may answer one hop's probes; RouteHops keeps the first.
    if (ADDRESS.test(t) && hop.address === '') hop.address = t;
  }
  return hop;
}

/** `H` → 1 (IPv4 host unreachable), `<10>` or `10` → 10; undefined for flags that are no ICMP code. */
function annotationCode(a: string, v6: boolean): number | undefined {
  const n = /^<?(\d+)>?$/.exec(a);
  if (n) return Number(n[1]);
  return (v6 ? V6_CODES : V4_CODES)[a];
}

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  );
}
