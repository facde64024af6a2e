/**
 * odhcpd's DHCPv6 leases, as `ubus call dhcp ipv6leases` answers (odhcpd's `ubus.c`): under
 * `device`, one table per Linux device odhcpd serves in server mode, each with a `leases` array.
 * A lease has the client's `duid` (hex), `iaid`, `hostname`, `flags` ("bound", "static") and
 * either `ipv6-addr` (an IA_NA) or `ipv6-prefix` (an IA_PD): entries of `address`,
 * `preferred-lifetime`, `valid-lifetime` (seconds from now, -1 infinite) and, for a prefix,
 * `prefix-length`. Pure; what does not fit is skipped, and every list is bounded.
 */
import { isIPv6 } from 'node:net';
import { MAX_LAN_ROWS } from '../dnsmasq-leases.js';

/** One address or prefix of a lease; lifetimes in seconds from now, undefined = infinite. */
export interface OdhcpdIaEntry {
  address: string;
  /** Present for a delegated prefix. */
  prefixLength?: number;
  preferred?: number;
  valid?: number;
}

export interface OdhcpdLease {
  /** The client's DUID, hex, lower case. */
  duid: string;
  iaid: number;
  hostname: string;
  addresses: OdhcpdIaEntry[];
  prefixes: OdhcpdIaEntry[];
}

/** Addresses or prefixes one lease may carry here (odhcpd hands out a handful per IA). */
const MAX_IA_ENTRIES = 16;
const DUID_RE = /^([0-9a-f]{2}){2,130}$/;

/** blobmsg prints a u32 of (uint32)-1 as -1 (or, unsigned, 4294967295): both mean infinite. */
function lifetime(v: unknown): number | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= 0xffffffff) return undefined;
  return v;
}

function entries(v: unknown, prefix: boolean): OdhcpdIaEntry[] {
  if (!Array.isArray(v)) return [];
  const out: OdhcpdIaEntry[] = [];
  for (const e of v.slice(0, MAX_IA_ENTRIES) as Array<Record<string, unknown>>) {
    const address = e?.address;
    if (typeof address !== 'string' || !isIPv6(address)) continue;
    const length = e['prefix-length'];
    if (prefix && (typeof length !== 'number' || !Number.isInteger(length) || length < 1 || length > 128)) continue;
    out.push({ address, ...(prefix ? { prefixLength: length as number } : {}), preferred: lifetime(e['preferred-lifetime']), valid: lifetime(e['valid-lifetime']) });
  }
  return out;
}

/** The leases of `ipv6leases` by Linux device; at most MAX_LAN_ROWS in all. */
export function parseIpv6Leases(answer: unknown): Map<string, OdhcpdLease[]> {
  const out = new Map<string, OdhcpdLease[]>();
  const devices = (answer as { device?: unknown } | undefined)?.device;
  if (typeof devices !== 'object' || devices === null) return out;
  let count = 0;
  for (const [device, table] of Object.entries(devices as Record<string, { leases?: unknown }>)) {
    const leases = Array.isArray(table?.leases) ? (table.leases as Array<Record<string, unknown>>) : [];
    const rows: OdhcpdLease[] = [];
    for (const l of leases) {
      if (count >= MAX_LAN_ROWS) break;
      const duid = typeof l?.duid === 'string' ? l.duid.toLowerCase() : '';
      if (!DUID_RE.test(duid)) continue;
      const addresses = entries(l['ipv6-addr'], false);
      const prefixes = entries(l['ipv6-prefix'], true);
      if (addresses.length + prefixes.length === 0) continue;
      rows.push({ duid, iaid: typeof l.iaid === 'number' ? l.iaid : 0, hostname: typeof l.hostname === 'string' ? l.hostname : '', addresses, prefixes });
      count++;
    }
    out.set(device, rows);
  }
  return out;
}
