/**
 * Whether the agent may keep one of its own nftables tables (firewall, NAT, access control,
 * packet counters, bridge filters, captive portal, QoS): its switch not off, `nft` installed and
 * CAP_NET_ADMIN held. `why` says what is missing, for the start-up line.
 */
import fs from 'node:fs';

export interface Usable {
  usable: boolean;
  why?: string;
}

/** `off`: the switch that turned it off (e.g. "--nat off"), undefined when it is on or has none. */
export function nftUsable(nftPath: string | undefined, capEffHex = effectiveCapabilities(), off?: string): Usable {
  if (off !== undefined) return { usable: false, why: `switched off (${off})` };
  if (nftPath === undefined) return { usable: false, why: 'nft (nftables) is not installed' };
  if (!hasNetAdmin(capEffHex)) return { usable: false, why: 'the agent lacks CAP_NET_ADMIN (run it as root)' };
  return { usable: true };
}

/** CapEff of this process (/proc/self/status), hex; undefined where it cannot be read. */
export function effectiveCapabilities(): string | undefined {
  try {
    return /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** CAP_NET_ADMIN is capability 12. Unknown capabilities: assume root means it. */
export function hasNetAdmin(capEffHex: string | undefined): boolean {
  if (capEffHex === undefined) return process.getuid?.() === 0;
  return (BigInt(`0x${capEffHex}`) & (1n << 12n)) !== 0n;
}
