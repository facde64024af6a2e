/**
 * The two files a router keeps of its LAN clients, parsed (pure functions, no I/O); OpenWrt reads
 * both, generic Linux the lease file of its own dnsmasq (or the distribution's) for Hosts and the
 * DHCPv4 server's Client rows:
 *
 * - dnsmasq's lease file (`option leasefile` of the dnsmasq section, /tmp/dhcp.leases by
 *   default): one line per DHCPv4 lease, "<expiry> <MAC> <IPv4> <hostname|*> <client-id|*>",
 *   the expiry in seconds since the epoch (0 for an infinite lease). IPv6 leases (a "duid"
 *   line and lines with an IPv6 address) are dnsmasq's DHCPv6, which OpenWrt leaves to odhcpd:
 *   skipped.
 * - The kernel's ARP table, /proc/net/arp (present on every OpenWrt, unlike the `ip` tool):
 *   "IP address  HW type  Flags  HW address  Mask  Device" under a header line; flag 0x2
 *   (ATF_COM) marks a neighbour whose address resolved, 0x0 one that stopped answering.
 */

/** At most this many leases or neighbours are kept from one read (a LAN, not the Internet). */
export const MAX_LAN_ROWS = 1024;

export interface DhcpLease {
  /** Seconds since the epoch the lease ends; 0 = never. */
  expiry: number;
  /** Lower case, colon-separated. */
  mac: string;
  ip: string;
  /** "" when the client sent none ("*"). */
  hostName: string;
  /** The client identifier (option 61) as dnsmasq prints it, hex bytes with colons; "" when none. */
  clientId: string;
}

export interface ArpEntry {
  ip: string;
  mac: string;
  device: string;
  /** ATF_COM: the address resolved, the neighbour answered. */
  complete: boolean;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Parses a dnsmasq lease file; malformed and IPv6 lines are skipped. */
export function parseLeases(text: string): DhcpLease[] {
  const out: DhcpLease[] = [];
  for (const line of text.split('\n')) {
    const [expiry, macAddr, ip, hostName, clientId] = line.trim().split(/\s+/);
    const m = (macAddr ?? '').toLowerCase();
    if (!/^\d+$/.test(expiry ?? '') || !MAC.test(m) || !IPV4.test(ip ?? '')) continue;
    out.push({ expiry: Number(expiry), mac: m, ip, hostName: hostName === '*' || hostName === undefined ? '' : hostName, clientId: clientId === '*' || clientId === undefined ? '' : clientId });
    if (out.length >= MAX_LAN_ROWS) break;
  }
  return out;
}

/** Parses /proc/net/arp; the header and entries without a hardware address are skipped. */
export function parseArp(text: string): ArpEntry[] {
  const out: ArpEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const [ip, , flags, hw, , device] = line.trim().split(/\s+/);
    const m = (hw ?? '').toLowerCase();
    if (!IPV4.test(ip ?? '') || !MAC.test(m) || m === '00:00:00:00:00:00' || device === undefined) continue;
    out.push({ ip, mac: m, device, complete: (Number.parseInt(flags ?? '0', 16) & 0x2) !== 0 });
    if (out.length >= MAX_LAN_ROWS) break;
  }
  return out;
}

/** dnsmasq's "01:de:58:..." → TR-181 hexBinary "01de58..." (lower case, no separators). */
export function hexOfColons(s: string): string {
  return s.replace(/:/g, '').toLowerCase();
}

/** A string's bytes as TR-181 hexBinary (a host name as DHCP option 12 carries it). */
export function hexOfText(s: string): string {
  return Buffer.from(s, 'utf8').toString('hex');
}

/** Dotted IPv4 ↔ 32-bit number. */
export function ipv4ToNumber(s: string): number | undefined {
  if (!IPV4.test(s)) return undefined;
  const parts = s.split('.').map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
}

/** A dotted netmask as a prefix length, or undefined when the bits are not contiguous. */
export function maskToPrefix(mask: string): number | undefined {
  const n = ipv4ToNumber(mask);
  if (n === undefined) return undefined;
  const bits = n.toString(2).padStart(32, '0');
  return /^1*0*$/.test(bits) ? (bits.indexOf('0') === -1 ? 32 : bits.indexOf('0')) : undefined;
}

/**
 * dnsmasq/OpenWrt lease times ("12h", "45m", "3600", "2d", "1w", "infinite") in seconds; -1 for
 * infinite (TR-181 LeaseTime); undefined when it is not one.
 */
export function leaseSeconds(s: string | undefined): number | undefined {
  if (s === undefined) return 12 * 3600; // dnsmasq.init's default
  if (s === 'infinite') return -1;
  const m = /^(\d+)([smhdw]?)$/.exec(s.trim().toLowerCase());
  if (!m) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as '' | 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}
