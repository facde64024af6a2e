/**
 * dnsmasq's DHCPv6 leases, from the lease file it shares with DHCPv4: after a line
 * "duid <server DUID>" each IPv6 lease is "<expiry> <IAID> <IPv6 address> <hostname|*> <client
 * DUID>", the expiry in seconds since the epoch (0: never). Pure; malformed lines are skipped.
 */
import { isIPv6 } from 'node:net';
import { MAX_LAN_ROWS } from '../dnsmasq-leases.js';

export interface Dhcpv6Lease {
  expiry: number;
  iaid: number;
  ip: string;
  hostName: string;
  /** The client's DUID, hex without colons, lower case. */
  duid: string;
}

const DUID_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){1,129}$/;

export function parseLeases6(text: string): Dhcpv6Lease[] {
  const out: Dhcpv6Lease[] = [];
  for (const line of text.split('\n')) {
    const [expiry, iaid, ip, hostName, duid] = line.trim().split(/\s+/);
    const d = (duid ?? '').toLowerCase();
    if (!/^\d+$/.test(expiry ?? '') || !/^\d+$/.test(iaid ?? '') || !isIPv6(ip ?? '') || !DUID_RE.test(d)) continue;
    out.push({ expiry: Number(expiry), iaid: Number(iaid), ip: ip!, hostName: hostName === '*' || hostName === undefined ? '' : hostName, duid: d.replace(/:/g, '') });
    if (out.length >= MAX_LAN_ROWS) break;
  }
  return out;
}
