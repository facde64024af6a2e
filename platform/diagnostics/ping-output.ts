/**
 * Reads what the system `ping` wrote (iputils or BusyBox) into the results of TR-181
 * Device.IP.Diagnostics.IPPing() (TR-143 IPPing): the address the host resolved to, packets
 * sent and answered, and the round-trip times. A pure function of the tool's output, tested
 * against recorded outputs of both tools.
 */

/** Device.IP.Diagnostics.IPPing() Status values a ping run can end in (TR-181 2.19). */
export type PingStatus = 'Complete' | 'Error_CannotResolveHostName' | 'Error_NoRouteToHost' | 'Error_Internal' | 'Error_Other';

export interface PingOutcome {
  status: PingStatus;
  /** The address pinged (from the `PING host (address)` line), '' when it never got that far. */
  address: string;
  sent: number;
  received: number;
  /** Round-trip times in microseconds, when at least one reply came. */
  minUs?: number;
  avgUs?: number;
  maxUs?: number;
  /** Why it did not complete, for the log: the tool's own message. */
  detail?: string;
}

// iputils `PING ::1(::1) 100 data bytes` has no space before the parenthesis; BusyBox and
// iputils IPv4 (`PING 127.0.0.1 (127.0.0.1) 56(84) bytes`) do.
const HEADER = /^PING \S+? ?\(([0-9A-Fa-f.:%\w-]+)\)/m;
// iputils: `3 packets transmitted, 3 received, 0% packet loss`; BusyBox: `3 packets received`.
const STATS = /(\d+) packets transmitted, (\d+) (?:packets )?received/;
// iputils: `rtt min/avg/max/mdev = 0.016/0.016/0.018/0.000 ms`; BusyBox: `round-trip min/avg/max = ...`.
const RTT = /(?:rtt|round-trip) min\/avg\/max(?:\/mdev)? = ([\d.]+)\/([\d.]+)\/([\d.]+)(?:\/[\d.]+)? (ms|us)/;

/** Resolver failures of glibc (iputils), musl/uClibc and BusyBox (`bad address`). */
export const UNRESOLVED =
  /Name or service not known|bad address|Temporary failure in name resolution|No address associated with hostname|Address family for hostname not supported|Name does not resolve|Unknown host|unknown host/i;
/** The kernel refused to send: no route (ENETUNREACH, EHOSTUNREACH). */
export const NO_ROUTE = /Network is unreachable|No route to host/i;
/** The tool may not open its socket (no CAP_NET_RAW, ping_group_range excludes us): our problem. */
const NOT_PERMITTED = /Operation not permitted|Permission denied|permission denied|socket: /;
/** ICMP errors instead of replies: a router said the host cannot be reached. */
const UNREACHABLE_REPLY = /Destination (?:Host|Net|Network) Unreachable|Destination unreachable: (?:Address|No route)/i;

/** Parses one `ping` run; `stderr` holds its messages (unknown host, no route). */
export function parsePingOutput(stdout: string, stderr: string): PingOutcome {
  const address = HEADER.exec(stdout)?.[1] ?? '';
  const stats = STATS.exec(stdout);
  const message = firstLine(stderr);
  if (UNRESOLVED.test(stderr)) return { status: 'Error_CannotResolveHostName', address: '', sent: 0, received: 0, detail: message };
  if (NO_ROUTE.test(stderr)) return { status: 'Error_NoRouteToHost', address, sent: 0, received: 0, detail: message };
  if (!stats) {
    return { status: NOT_PERMITTED.test(stderr) ? 'Error_Internal' : 'Error_Other', address, sent: 0, received: 0, detail: message || 'ping printed no statistics' };
  }
  const sent = Number(stats[1]);
  const received = Number(stats[2]);
  const outcome: PingOutcome = { status: 'Complete', address, sent, received };
  const rtt = RTT.exec(stdout);
  if (rtt && received > 0) {
    const scale = rtt[4] === 'us' ? 1 : 1000;
    outcome.minUs = Math.round(Number(rtt[1]) * scale);
    outcome.avgUs = Math.round(Number(rtt[2]) * scale);
    outcome.maxUs = Math.round(Number(rtt[3]) * scale);
  }
  // Only ICMP unreachables came back: no route beyond some router (TR-143 Error_NoRouteToHost).
  if (received === 0 && UNREACHABLE_REPLY.test(stdout)) {
    outcome.status = 'Error_NoRouteToHost';
    outcome.detail = UNREACHABLE_REPLY.exec(stdout)?.[0];
  }
  return outcome;
}

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  );
}
