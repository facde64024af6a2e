/**
 * `ip -j addr show` (iproute2 JSON output): every link with its addresses, in one call. The
 * shapes below are the fields this platform reads; iproute2 omits a flag key when it is false.
 */

export interface IpAddrInfo {
  family: 'inet' | 'inet6' | string;
  local: string;
  prefixlen: number;
  scope?: string;
  /** Not IFA_F_PERMANENT: the address has lifetimes (DHCP, SLAAC). */
  dynamic?: boolean;
  tentative?: boolean;
  deprecated?: boolean;
  dadfailed?: boolean;
  optimistic?: boolean;
  temporary?: boolean;
  mngtmpaddr?: boolean;
  /** Who added the address (kernel 5.18+): "kernel_lo", "kernel_ra" (SLAAC), "kernel_ll", ... */
  protocol?: string;
  /** Seconds from now; 4294967295 is forever. */
  valid_life_time?: number;
  preferred_life_time?: number;
}

export interface IpLink {
  ifindex: number;
  ifname: string;
  flags?: string[];
  mtu?: number;
  operstate?: string;
  link_type?: string;
  address?: string;
  /** The bridge (or bond) this device is a port of. */
  master?: string;
  /** The device this one is stacked on (a macvlan's or VLAN's lower device, a veth's peer). */
  link?: string;
  addr_info?: IpAddrInfo[];
}

/** A lifetime that never ends (ND_INFINITY_LIFE_TIME / INFINITY_LIFE_TIME). */
export const FOREVER = 0xffff_ffff;

/** Parses `ip -j addr` output, keeping only well-formed links and addresses. */
export function parseIpAddr(json: string): IpLink[] {
  const data: unknown = JSON.parse(json);
  if (!Array.isArray(data)) throw new Error('ip -j addr: expected a JSON array');
  const links: IpLink[] = [];
  for (const l of data as Array<Partial<IpLink>>) {
    if (typeof l?.ifname !== 'string' || typeof l.ifindex !== 'number') continue;
    const addrs = Array.isArray(l.addr_info) ? l.addr_info : [];
    links.push({
      ...l,
      ifname: l.ifname,
      ifindex: l.ifindex,
      addr_info: addrs.filter((a) => typeof a?.local === 'string' && typeof a.prefixlen === 'number'),
    });
  }
  return links;
}

/** IPv4 prefix length to a dotted mask: 24 → "255.255.255.0". */
export function prefixToMask(prefixlen: number): string {
  const bits = Math.max(0, Math.min(32, prefixlen));
  const n = bits === 0 ? 0 : (0xffff_ffff << (32 - bits)) >>> 0;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
}
