/**
 * IPv6 address arithmetic for the simulated gateway's addressing plan (prefixes, interface
 * identifiers, link-local addresses). Addresses are 128-bit bigints; the TR-181 form is the
 * RFC 5952 text, so every address the simulation reports has one canonical spelling and a
 * Controller comparing strings sees the same value twice.
 */

const GROUPS = 8;
const ALL_ONES = (1n << 128n) - 1n;

/** The number of an IPv6 address in text form, or undefined for anything else (including ""). */
export function parseIPv6(text: string): bigint | undefined {
  const halves = text.toLowerCase().split('::');
  if (halves.length > 2) return undefined;
  const words = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = words(halves[0]);
  const tail = halves.length === 2 ? words(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = GROUPS - head.length - tail.length;
  // "::" stands for at least one zero group; without it the eight groups must all be there.
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail].reduce((n, w) => (n << 16n) | BigInt(w), 0n);
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as "::". */
export function formatIPv6(n: bigint): string {
  const words = Array.from({ length: GROUPS }, (_, i) => Number((n >> BigInt(16 * (GROUPS - 1 - i))) & 0xffffn));
  let best = { at: -1, len: 1 }; // a single zero group stays "0" (RFC 5952 §4.2.2)
  for (let i = 0; i < GROUPS;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < GROUPS && words[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

export interface IPv6Prefix {
  network: bigint;
  length: number;
}

/** "2001:db8::/56" → its network and length; undefined when not a prefix or host bits are set. */
export function parseIPv6Prefix(text: string): IPv6Prefix | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const network = parseIPv6(m[1]);
  const length = Number(m[2]);
  if (network === undefined || length > 128 || (network & ~mask(length) & ALL_ONES) !== 0n) return undefined;
  return { network, length };
}

export function formatIPv6Prefix(p: IPv6Prefix): string {
  return `${formatIPv6(p.network)}/${p.length}`;
}

/** The `index`-th subnet of `length` bits inside `parent` (e.g. the 3rd /64 of a /56). */
export function subnet(parent: IPv6Prefix, length: number, index: number): IPv6Prefix {
  return { network: parent.network | (BigInt(index) << BigInt(128 - length)), length };
}

/** The address made of `prefix`'s upper 64 bits and a 64-bit interface identifier. */
export function withInterfaceId(prefix: IPv6Prefix, iid: bigint): bigint {
  return (prefix.network & mask(64)) | (iid & ((1n << 64n) - 1n));
}

export function contains(prefix: IPv6Prefix, address: bigint): boolean {
  return (address & mask(prefix.length)) === prefix.network;
}

/** fe80::/64, where every interface's link-local address lives (RFC 4291 §2.5.6). */
export const LINK_LOCAL: IPv6Prefix = { network: 0xfe80n << 112n, length: 64 };

/**
 * Modified EUI-64 interface identifier of a 48-bit MAC (RFC 4291 Appendix A): ff:fe in the
 * middle, and the universal/local bit inverted.
 */
export function eui64(mac: string): bigint {
  const octets = mac.split(/[:-]/).map((h) => parseInt(h, 16));
  if (octets.length !== 6 || octets.some((o) => !(o >= 0 && o <= 255))) throw new Error(`not a MAC address: ${mac}`);
  const bytes = [octets[0] ^ 0x02, octets[1], octets[2], 0xff, 0xfe, octets[3], octets[4], octets[5]];
  return bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
}

function mask(length: number): bigint {
  return length === 0 ? 0n : (ALL_ONES << BigInt(128 - length)) & ALL_ONES;
}
