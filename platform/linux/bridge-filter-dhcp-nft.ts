/**
 * The DHCP-derived criteria of a Bridging.Filter (bridge-filter-dhcp.ts) in the agent's nftables
 * `bridge` table (bridge-filter-nft.ts): each criterion becomes a named set of the MAC addresses
 * of the LAN clients it names now, `f<i>_<src|dst>_<vendor|client|user>`, and the Filter's rule
 * matches `ether saddr @set` (Exclude false) or `ether saddr != @set` (Exclude true), `daddr`
 * for the Dest criteria. The table is written again whenever a lease changes what a set holds,
 * so `nft list set bridge <table> f1_src_vendor` shows which clients a Filter names now.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { criterionMacs, dhcpCriteria, type DhcpCriterionKind, type LearntDhcpClient } from '../bridge-filter-dhcp.js';

/** A Filter's DHCP-derived criteria as nft: its sets and their matches; 'nothing' when it admits no packet. */
export type DhcpNft = { sets: Array<{ name: string; macs: string[] }>; matches: string[] } | 'nothing';

const SHORT: Record<DhcpCriterionKind, string> = { VendorClassID: 'vendor', ClientID: 'client', UserClassID: 'user' };

/** Filter `n`'s DHCP-derived criteria over what was learnt. */
export function dhcpNftOf(n: number, r: Readonly<Record<string, Value>>, clients: readonly LearntDhcpClient[]): DhcpNft {
  const criteria = dhcpCriteria(r);
  if (criteria === 'nothing') return 'nothing';
  const sets: Array<{ name: string; macs: string[] }> = [];
  const matches: string[] = [];
  for (const c of criteria) {
    const name = `f${n}_${c.side === 'Source' ? 'src' : 'dst'}_${SHORT[c.kind]}`;
    sets.push({ name, macs: criterionMacs(c, clients) });
    matches.push(`ether ${c.side === 'Source' ? 'saddr' : 'daddr'} ${c.exclude ? '!= ' : ''}@${name}`);
  }
  return { sets, matches };
}

/** The set declarations of the table body. */
export function dhcpSetLines(all: ReadonlyArray<DhcpNft | undefined>): string[] {
  const out: string[] = [];
  for (const d of all) {
    if (d === undefined || d === 'nothing') continue;
    for (const s of d.sets) {
      out.push(`  set ${s.name} {`, '    type ether_addr', ...(s.macs.length > 0 ? [`    elements = { ${s.macs.join(', ')} }`] : []), '  }');
    }
  }
  return out;
}

/** A Filter's frame match with its DHCP-derived part: undefined when either can match no frame. */
export function withDhcpMatch(match: string | undefined, dhcp: DhcpNft | undefined): string | undefined {
  if (match === undefined || dhcp === 'nothing') return undefined;
  if (dhcp === undefined || dhcp.matches.length === 0) return match;
  return [match, ...dhcp.matches].filter((m) => m !== '').join(' ');
}
