/**
 * The checks every platform makes of a Device.Firewall.Chain.{i}.Rule.{i}. row (TR-181
 * AdvancedFirewall:1) before keeping it, whatever then enforces it (nftables on Linux, the
 * simulated gateway's own evaluation): values no firewall could act on are refused with 7012
 * naming the parameter, and TargetChain jumps must not loop.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Value } from '../datamodel/value/Value.js';
import type { BadParam } from './stored-table.js';

/** The criteria on the IP and transport headers TR-181 gives alike to Firewall Rules, Bridging Filters and QoS Classifications. */
export const IP_PORT_CRITERIA = [
  'DestIP',
  'DestMask',
  'DestIPExclude',
  'SourceIP',
  'SourceMask',
  'SourceIPExclude',
  'Protocol',
  'ProtocolExclude',
  'DestPort',
  'DestPortRangeMax',
  'DestPortExclude',
  'SourcePort',
  'SourcePortRangeMax',
  'SourcePortExclude',
] as const;

/** The Rule parameters every platform serves: the criteria and targets the checks below know (no logging, expiry, MatchSets or MAC criteria). */
export const RULE_PARAMS = [
  'Enable',
  'Status',
  'Order',
  'Alias',
  'Description',
  'Target',
  'TargetChain',
  'SourceInterface',
  'SourceInterfaceExclude',
  'SourceAllInterfaces',
  'DestInterface',
  'DestInterfaceExclude',
  'DestAllInterfaces',
  'IPVersion',
  ...IP_PORT_CRITERIA,
  'DSCP',
  'DSCPExclude',
] as const;

/** The protocols whose transport header begins with source and destination port. */
export const PORT_PROTOCOLS = [6, 17, 33, 132, 136] as const;
const TARGETS: ReadonlySet<string> = new Set(['Drop', 'Accept', 'Reject', 'Return', 'TargetChain']);
const CHAIN_REF_RE = /^Device\.Firewall\.Chain\.(\d+)$/;

/** A numeric criterion as stored ("" or absent: `fallback`, TR-181's -1 "not used"). */
export const num = (v: Value | undefined, fallback = -1): number => (v === undefined || v === '' ? fallback : Number(v));
const yes = (v: Value | undefined): boolean => v === true;

/** The Chain instance a TargetChain reference names, if it has that form. */
export function chainOf(reference: Value | undefined): number | undefined {
  const m = CHAIN_REF_RE.exec(String(reference ?? ''));
  return m ? Number(m[1]) : undefined;
}

/** The prefix length of a TR-181 IPPrefix Mask ("/24" or "192.168.1.0/24"); undefined when empty. */
export function prefixLength(mask: Value | undefined): number | undefined {
  const m = /\/(\d{1,3})$/.exec(String(mask ?? ''));
  return m ? Number(m[1]) : undefined;
}

/** The IP family of an address criterion: 4, 6 or undefined for empty. */
export function familyOf(ip: Value | undefined): 4 | 6 | undefined {
  const s = String(ip ?? '');
  return isIPv4(s) ? 4 : isIPv6(s) ? 6 : undefined;
}

/**
 * What makes a Rule row one nft cannot hold, each naming the parameter (7012). Interfaces and
 * TargetChain loops are checked by the caller, which knows the device and the other Chains.
 */
export function ruleProblems(r: Readonly<Record<string, Value>>): BadParam[] {
  const bad: BadParam[] = [];
  const target = String(r.Target ?? 'Drop');
  if (!TARGETS.has(target)) bad.push({ param: 'Target', message: `${target} is not one of Drop, Accept, Reject, Return, TargetChain` });
  const tc = String(r.TargetChain ?? '');
  if (tc !== '' && chainOf(tc) === undefined) bad.push({ param: 'TargetChain', message: `${tc} is no Device.Firewall.Chain row` });
  const version = num(r.IPVersion);
  if (version !== -1 && version !== 4 && version !== 6) bad.push({ param: 'IPVersion', message: `${version}: only 4, 6 or -1 (any)` });
  const families = new Set<number>(version === -1 ? [] : [version]);
  for (const side of ['Source', 'Dest'] as const) {
    const ip = String(r[`${side}IP`] ?? '');
    const family = familyOf(ip);
    if (ip !== '' && family === undefined) bad.push({ param: `${side}IP`, message: `${ip} is no IPv4 or IPv6 address` });
    if (family !== undefined) families.add(family);
    const len = prefixLength(r[`${side}Mask`]);
    const mask = String(r[`${side}Mask`] ?? '');
    if (mask !== '' && len === undefined) bad.push({ param: `${side}Mask`, message: `${mask} is no prefix (/N)` });
    if (len !== undefined && len > (family === 6 ? 128 : 32)) bad.push({ param: `${side}Mask`, message: `/${len} is longer than an IPv${family ?? 4} address` });
    const port = num(r[`${side}Port`]);
    const max = num(r[`${side}PortRangeMax`]);
    if (max !== -1 && port === -1) bad.push({ param: `${side}PortRangeMax`, message: `a range needs ${side}Port` });
    if (max !== -1 && port !== -1 && max < port) bad.push({ param: `${side}PortRangeMax`, message: `${max} is below ${side}Port ${port}` });
  }
  if (families.size > 1) bad.push({ param: 'IPVersion', message: 'the addresses and IPVersion name different IP versions' });
  // TR-181's ranges, checked here too: a value that reached the binding some other way than a Set.
  for (const [param, max] of [
    ['Protocol', 255],
    ['DestPort', 65535],
    ['DestPortRangeMax', 65535],
    ['SourcePort', 65535],
    ['SourcePortRangeMax', 65535],
    ['DSCP', 63],
  ] as const) {
    const v = num(r[param]);
    if (!Number.isInteger(v) || v < -1 || v > max) bad.push({ param, message: `${String(r[param])} is not within -1..${max}` });
  }
  const protocol = num(r.Protocol);
  const ports = num(r.SourcePort) !== -1 || num(r.DestPort) !== -1;
  if (ports && protocol !== -1 && !yes(r.ProtocolExclude) && !(PORT_PROTOCOLS as readonly number[]).includes(protocol)) {
    bad.push({ param: 'Protocol', message: `protocol ${protocol} has no ports: a port criterion needs TCP (6), UDP (17), DCCP (33), SCTP (132), UDP-Lite (136) or -1` });
  }
  return bad;
}

/**
 * Whether Chain `from` reaches itself again through TargetChain jumps, with `edges` (Chain ->
 * Chains its Rules jump to). nft refuses such a ruleset; the agent refuses the Rule first.
 */
export function jumpsLoop(edges: ReadonlyMap<number, ReadonlySet<number>>, from: number): boolean {
  const seen = new Set<number>();
  const todo = [...(edges.get(from) ?? [])];
  while (todo.length > 0) {
    const c = todo.pop()!;
    if (c === from) return true;
    if (seen.has(c)) continue;
    seen.add(c);
    todo.push(...(edges.get(c) ?? []));
  }
  return false;
}
