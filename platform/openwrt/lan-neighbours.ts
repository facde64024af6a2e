/**
 * Two more things the router knows of its LAN clients, beside the lease file and the ARP table
 * (platform/dnsmasq-leases.ts), parsed here with no I/O:
 *
 * - IPv6 neighbours: `ip -6 neigh show` ("<address> dev <device> lladdr <MAC> [router] <STATE>").
 *   The kernel keeps them in no /proc file, so this needs the `ip` tool (OpenWrt's ip-tiny or
 *   ip-full package); without it a Host has no IPv6 addresses.
 * - The bridge's forwarding database, the port each MAC address was last seen on: the binary
 *   /sys/class/net/<bridge>/brforward the kernel offers on every Linux bridge (no tool needed):
 *   16-byte `struct __fdb_entry` records (MAC[6], port_no, is_local, ageing_timer_value u32,
 *   port_hi, pad, unused u16), the port number matching
 *   /sys/class/net/<bridge>/brif/<port>/port_no ("0x1").
 */
import { MAX_LAN_ROWS } from '../dnsmasq-leases.js';

export interface Ipv6Neighbour {
  ip: string;
  mac: string;
  device: string;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
/**
 * Entries with these states have no usable link-layer address: the neighbour stopped answering.
 * The others (REACHABLE, STALE, DELAY, PROBE, PERMANENT) have one, as a complete ARP entry does.
 */
const UNRESOLVED = new Set(['FAILED', 'INCOMPLETE', 'NOARP', 'NONE']);

/** Parses `ip -6 neigh show`; entries without a MAC address (FAILED, INCOMPLETE) are skipped. */
export function parseIpv6Neighbours(text: string): Ipv6Neighbour[] {
  const out: Ipv6Neighbour[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    const ip = words[0] ?? '';
    const device = words[words.indexOf('dev') + 1];
    const lladdr = words.indexOf('lladdr');
    const mac = lladdr >= 0 ? (words[lladdr + 1] ?? '').toLowerCase() : '';
    const state = words[words.length - 1] ?? '';
    if (!ip.includes(':') || !words.includes('dev') || device === undefined || !MAC.test(mac) || UNRESOLVED.has(state)) continue;
    out.push({ ip, mac, device });
    if (out.length >= MAX_LAN_ROWS) break;
  }
  return out;
}

export interface FdbEntry {
  mac: string;
  port: number;
  /** The bridge's own address (a port's MAC): the router itself, no host. */
  local: boolean;
}

const FDB_ENTRY = 16;

/** Parses a bridge's brforward file. */
export function parseBrforward(data: Uint8Array): FdbEntry[] {
  const out: FdbEntry[] = [];
  for (let at = 0; at + FDB_ENTRY <= data.length && out.length < MAX_LAN_ROWS; at += FDB_ENTRY) {
    const mac = [...data.subarray(at, at + 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
    out.push({ mac, port: (data[at + 12] << 8) | data[at + 6], local: data[at + 7] !== 0 });
  }
  return out;
}
