/**
 * Device.DHCPv6.Server.Pool.{i}.Client.{i}.SourceAddress on generic Linux: the address the
 * client's DHCPv6 messages came from, which RFC 8415 section 13.1 makes its link-local address.
 * dnsmasq keeps no peer address in its lease file, so it is found in the kernel's IPv6
 * neighbour table (`ip -j -6 neigh show`): answering the client made the kernel resolve that
 * link-local address on the pool's device. Its link-layer address is the one in the client's
 * DUID (DUID-LLT or DUID-LL over Ethernet, RFC 8415 sections 11.2 and 11.4), or else the one a
 * neighbour entry gives for an address it leased. Unknown (a DUID-EN or DUID-UUID client not
 * seen as a neighbour, or an entry the kernel dropped): "". Pure.
 */

/** One entry of `ip -j -6 neigh show`. */
export interface Neighbour6 {
  dst?: string;
  dev?: string;
  lladdr?: string;
  state?: string[];
}

/** Neighbour states in which the link-layer address is known (not INCOMPLETE or FAILED). */
const RESOLVED = new Set(['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT', 'NOARP']);
/** DUID types carrying a link-layer address (RFC 8415 section 11.1), and the hardware type of Ethernet (IANA ARP hardware types). */
const DUID_LLT = 1;
const DUID_LL = 3;
const HW_ETHERNET = 1;

/** The Ethernet MAC (lower case, colon-separated) in a DUID-LLT or DUID-LL given as hex; undefined for other DUIDs. */
export function macOfDuid(duidHex: string): string | undefined {
  const hex = duidHex.toLowerCase().replace(/:/g, '');
  if (!/^([0-9a-f]{2})+$/.test(hex)) return undefined;
  const type = parseInt(hex.slice(0, 4), 16);
  const hw = parseInt(hex.slice(4, 8), 16);
  const start = type === DUID_LLT ? 16 : type === DUID_LL ? 8 : -1;
  if (start < 0 || hw !== HW_ETHERNET || hex.length !== start + 12) return undefined;
  return hex.slice(start).match(/../g)!.join(':');
}

const resolved = (n: Neighbour6): boolean => (n.state ?? []).some((s) => RESOLVED.has(s));
const isLinkLocal = (ip: string): boolean => /^fe[89ab][0-9a-f]:/i.test(ip);

/**
 * The link-local address the client of `duid` (holding `leased`) sent from, on `device`, by the
 * neighbour table; "" when it cannot be told.
 */
export function clientSourceAddress(duid: string, leased: readonly string[], device: string | undefined, neighbours: readonly Neighbour6[]): string {
  if (device === undefined) return '';
  const here = neighbours.filter((n) => n.dev === device && typeof n.dst === 'string' && typeof n.lladdr === 'string' && resolved(n));
  const mac = macOfDuid(duid) ?? here.find((n) => leased.includes(n.dst!))?.lladdr?.toLowerCase();
  if (mac === undefined) return '';
  const candidates = here.filter((n) => n.lladdr!.toLowerCase() === mac && isLinkLocal(n.dst!));
  // One link-local address per interface is the rule; of several, the one the kernel confirmed most recently.
  return (candidates.find((n) => n.state!.includes('REACHABLE')) ?? candidates[0])?.dst ?? '';
}
