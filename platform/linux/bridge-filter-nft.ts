/**
 * What Device.Bridging.Filter.{i}. becomes in the agent's own nftables `bridge` table: a
 * prerouting base chain sends each frame arriving on a filtered port (`iifname`, the bridge
 * member device) to that port's chain, which holds the port's enabled Filters in TR-106 Order,
 * each one `accept` rule (the frame is admitted to the port's bridge), then `drop`: a frame no
 * Filter of its port matches is not admitted (bridge-filter-rules.ts). Ports without Filters
 * are not looked at.
 *
 * Criteria as nft expressions: VLANIDFilter `vlan id`, EthertypeFilterList `ether type`,
 * Source/DestMACAddressFilterList `ether saddr/daddr` (each `!=` with its Exclude true), and the
 * IP/port criteria as the firewall Rules write them (`ip[6] saddr/daddr`, `meta l4proto`,
 * `th sport/dport`), held to IP frames (an address criterion brings its own `ip`/`ip6` dependency, else `meta protocol { ip, ip6 }`). Ethertypes are matched in
 * the Ethernet header only, not in a SNAP header.
 *
 * The table is replaced whole in one `nft -f -` transaction (created, deleted, written), so a
 * refused script leaves the rules as they were and no other table is touched.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { filterMatches, inOrder, items, L3L4_PARAMS } from '../bridge-filter-rules.js';
import { num } from '../firewall-rule-checks.js';
import { dhcpSetLines, type DhcpNft, withDhcpMatch } from './bridge-filter-dhcp-nft.js';
import { ipPortMatches, not } from './nft-ip-port-match.js';

/** The table the agent owns (family bridge: frames as the bridge sees them). */
export const DEFAULT_BRIDGE_FILTER_TABLE = 'usp_agent_bridge_filter';

/** An enabled, operable Filter row with the member device its Interface names. */
export interface CompiledFilter {
  n: number;
  device: string;
  values: Readonly<Record<string, Value>>;
  /** Its criteria learnt from DHCP (bridge-filter-dhcp-nft.ts), where the agent learns them. */
  dhcp?: DhcpNft;
}

const yes = (v: Value | undefined): boolean => v === true;
const set = (xs: readonly string[]): string => (xs.length === 1 ? xs[0]! : `{ ${xs.join(', ')} }`);

/** Whether the row has an IP or transport criterion (then it holds for IP frames only). */
export function hasL3L4(r: Readonly<Record<string, Value>>): boolean {
  return L3L4_PARAMS.some((p) => !p.endsWith('Exclude') && !p.endsWith('Mask') && String(r[p] ?? '') !== '' && num(r[p], -1) !== -1);
}

/** The nft match of one Filter, or undefined when it can match no frame (an empty list with Exclude false). */
export function filterMatch(r: Readonly<Record<string, Value>>): string | undefined {
  const m: string[] = [];
  const vid = num(r.VLANIDFilter, 0);
  if (vid !== 0) m.push(`vlan id ${vid}`);
  for (const [list, exclude, expr, text] of [
    ['EthertypeFilterList', 'EthertypeFilterExclude', 'ether type', (t: string) => `0x${Number(t).toString(16).padStart(4, '0')}`],
    ['SourceMACAddressFilterList', 'SourceMACAddressFilterExclude', 'ether saddr', (x: string) => x.toLowerCase()],
    ['DestMACAddressFilterList', 'DestMACAddressFilterExclude', 'ether daddr', (x: string) => x.toLowerCase()],
  ] as const) {
    const xs = items(r[list]).map(text);
    const ex = r[exclude] === undefined ? true : yes(r[exclude]);
    if (xs.length === 0 && !ex) return undefined;
    if (xs.length > 0) m.push(`${expr} ${not(ex)}${set(xs)}`);
  }
  if (hasL3L4(r)) {
    // An address criterion brings its own protocol dependency; without one, hold the row to IP frames.
    if (String(r.SourceIP ?? '') === '' && String(r.DestIP ?? '') === '') m.push(vid !== 0 ? 'vlan type { ip, ip6 }' : 'meta protocol { ip, ip6 }');
    m.push(...ipPortMatches(r));
  }
  return m.join(' ');
}

/** The lines of the table body: the base chain and one chain per filtered port. */
export function bridgeFilterChains(filters: readonly CompiledFilter[]): string[] {
  const devices = [...new Set(filters.map((f) => f.device))].sort();
  const out = ['  chain prerouting {', '    type filter hook prerouting priority filter; policy accept;'];
  devices.forEach((d, i) => out.push(`    iifname "${d}" jump port_${i + 1} comment "frames arriving on ${d}"`));
  out.push('  }');
  devices.forEach((d, i) => {
    out.push(`  chain port_${i + 1} {`);
    const rows = inOrder(filters.filter((f) => f.device === d).map((f): [number, Readonly<Record<string, Value>>] => [f.n, f.values]));
    for (const [n, r] of rows) {
      const match = withDhcpMatch(filterMatch(r), filters.find((f) => f.n === n)?.dhcp);
      if (match !== undefined) out.push(`    ${match === '' ? '' : `${match} `}accept comment "Device.Bridging.Filter.${n}"`);
    }
    out.push('    drop', '  }');
  });
  return out;
}

/** The script replacing table `bridge <table>` with `filters`; with none the table goes. */
export function bridgeFilterScript(table: string, filters: readonly CompiledFilter[]): string {
  const out = [`table bridge ${table} {}`, `delete table bridge ${table}`];
  if (filters.length > 0) out.push(`table bridge ${table} {`, ...dhcpSetLines(filters.map((f) => f.dhcp)), ...bridgeFilterChains(filters), '}');
  return `${out.join('\n')}\n`;
}

/** The same decision the table makes, for a test to compare with: the matching Filter or undefined (dropped). */
export function admittedBy(filters: readonly CompiledFilter[], device: string, frame: Parameters<typeof filterMatches>[1]): number | undefined {
  const rows = inOrder(filters.filter((f) => f.device === device).map((f): [number, Readonly<Record<string, Value>>] => [f.n, f.values]));
  return rows.find(([, r]) => filterMatch(r) !== undefined && filterMatches(r, frame))?.[0];
}
