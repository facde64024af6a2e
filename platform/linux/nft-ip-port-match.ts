/**
 * The nft matches of TR-181's IP and transport criteria (IP_PORT_CRITERIA: addresses with masks,
 * Protocol, port ranges, each with its Exclude flag), as Firewall Rules, Bridging Filters and QoS
 * Classifications state them alike. One compiler, so the three tables match a packet the same way.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { familyOf, num, PORT_PROTOCOLS, prefixLength } from '../firewall-rule-checks.js';

const yes = (v: Value | undefined): boolean => v === true;
/** nft's negation before a value, for a criterion with its Exclude flag set. */
export const not = (exclude: boolean): string => (exclude ? '!= ' : '');
const portText = (port: number, max: number): string => (max !== -1 && max !== port ? `${port}-${max}` : String(port));

/** The matches of row `r`'s address, protocol and port criteria, in that order (none for criteria not used). */
export function ipPortMatches(r: Readonly<Record<string, Value>>): string[] {
  const m: string[] = [];
  for (const [side, key] of [
    ['Source', 'saddr'],
    ['Dest', 'daddr'],
  ] as const) {
    const ip = String(r[`${side}IP`] ?? '');
    if (ip === '') continue;
    const len = prefixLength(r[`${side}Mask`]);
    m.push(`${familyOf(ip) === 6 ? 'ip6' : 'ip'} ${key} ${not(yes(r[`${side}IPExclude`]))}${ip}${len === undefined ? '' : `/${len}`}`);
  }
  const protocol = num(r.Protocol);
  const sport = num(r.SourcePort);
  const dport = num(r.DestPort);
  if (protocol !== -1) m.push(`meta l4proto ${not(yes(r.ProtocolExclude))}${protocol}`);
  // `th` reads the first bytes of any transport header: keep it to the protocols that put ports there.
  if ((sport !== -1 || dport !== -1) && (protocol === -1 || yes(r.ProtocolExclude))) m.push(`meta l4proto { ${PORT_PROTOCOLS.join(', ')} }`);
  if (sport !== -1) m.push(`th sport ${not(yes(r.SourcePortExclude))}${portText(sport, num(r.SourcePortRangeMax))}`);
  if (dport !== -1) m.push(`th dport ${not(yes(r.DestPortExclude))}${portText(dport, num(r.DestPortRangeMax))}`);
  return m;
}
