/**
 * IPv6 addresses as text and as eight 16-bit groups: parsing what `ip` and Controllers write,
 * masking to a prefix, and the canonical text form (RFC 5952: lower case, no leading zeros, the
 * longest run of two or more zero groups as "::", the first one on a tie) in which TR-181
 * IPv6Prefix and IPv6Address values are compared.
 */

/** Eight groups of `text` ("fd00::1"), or undefined when it is no IPv6 address (no zone, no embedded IPv4). */
export function parseIPv6(text: string): number[] | undefined {
  if (!/^[0-9A-Fa-f:]{2,39}$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const parts = s.split(':');
    return parts.every((p) => /^[0-9A-Fa-f]{1,4}$/.test(p)) ? parts.map((p) => parseInt(p, 16)) : undefined;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : undefined;
}

/** RFC 5952 text of eight groups. */
export function formatIPv6(groups: readonly number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** `groups` with every bit after the first `prefixlen` cleared. */
export function maskIPv6(groups: readonly number[], prefixlen: number): number[] {
  return groups.map((g, i) => {
    const keep = Math.max(0, Math.min(16, prefixlen - i * 16));
    return keep === 0 ? 0 : g & ((0xffff << (16 - keep)) & 0xffff);
  });
}

/** "addr/len" of the prefix holding `address` (the network part), e.g. "2001:db8:1::/64". */
export function prefixOf(address: string, prefixlen: number): string | undefined {
  const g = parseIPv6(address);
  return g ? `${formatIPv6(maskIPv6(g, prefixlen))}/${prefixlen}` : undefined;
}
