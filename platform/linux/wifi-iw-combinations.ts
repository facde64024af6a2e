/**
 * How many access points a radio can run at once, from `iw phy`'s "valid interface combinations"
 * (nl80211's interface combinations): for each combination, the limit of the group that holds
 * `AP` ("#{ managed, AP, mesh point } <= 8"), and the largest of these over the combinations.
 * A radio without such a line (a driver that states no combinations) can run one. Pure.
 */

/** phy name → the most BSSes (AP interfaces) it can run together. */
export function parseApLimits(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let phy: string | undefined;
  let inCombinations = false;
  for (const line of text.split('\n')) {
    const wiphy = /^Wiphy (\S+)/.exec(line);
    if (wiphy) {
      phy = wiphy[1]!;
      out.set(phy, 1);
      inCombinations = false;
      continue;
    }
    if (!phy) continue;
    if (/^\tvalid interface combinations:/.test(line)) {
      inCombinations = true;
      continue;
    }
    // The combinations are indented under their heading; the next heading ends them.
    if (inCombinations && /^\t\S/.test(line)) inCombinations = false;
    if (!inCombinations) continue;
    for (const m of line.matchAll(/#\{([^}]*)\}\s*<=\s*(\d+)/g)) {
      const types = m[1]!.split(',').map((t) => t.trim());
      if (types.includes('AP')) out.set(phy, Math.max(out.get(phy) ?? 1, Number(m[2])));
    }
  }
  return out;
}
