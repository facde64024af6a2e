/**
 * What Device.Firewall Config "Advanced" becomes in the agent's nftables table (TR-181
 * AdvancedFirewall:1): the active Level's Chain and every Chain.{i}.Rule.{i} as nft chains and
 * rules, and the checks that refuse (7012) a Rule nft could not hold.
 *
 * Every Chain row becomes a regular nft chain `chain_<n>`, its enabled Rules in Order (a tie: the
 * Order written last first), each one nft rule (two when a DSCP criterion must be read from both IPv4 and
 * IPv6 headers). The input and forward hooks first keep what the stateful firewall and the agent
 * need (loopback, established/related connections, the agent's MTP listeners, DHCP client
 * replies, IPv6 neighbour discovery), then jump to the Level's chain, then apply its
 * DefaultPolicy. A NAT port-mapped connection is seen by the Rules first; one they do not decide
 * passes the DefaultPolicy while the Level's PortMappingEnabled is true, and is dropped before
 * any Rule while it is false. So a Rule
 * decides the first packet of a connection and the connection follows (TR-181: the Rule table
 * holds no per-session rules of a Stateful firewall). The output hook is not filtered.
 *
 * Rule fields as nft expressions: SourceInterface/DestInterface `iifname`/`oifname` (a
 * DestInterface never matches traffic to the device itself: it has no egress interface),
 * IPVersion `meta nfproto`, SourceIP/DestIP with their Mask `ip[6] saddr/daddr`, Protocol
 * `meta l4proto`, ports `th sport/dport` (limited to TCP, UDP, DCCP, SCTP and UDP-Lite), DSCP
 * `ip[6] dscp` (a Class Selector codepoint matches its whole class, as TR-181 asks); each
 * Exclude flag a `!=`. Target Drop/Accept/Reject/Return as the verdicts of the same names,
 * TargetChain a `jump`.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { chainOf, familyOf, num, ruleProblems } from '../firewall-rule-checks.js';
import { isIfName } from './firewall-rules.js';
import { ipPortMatches, not } from './nft-ip-port-match.js';

/** A Rule row as the compiler reads it, with the kernel devices its interfaces named. */
export interface AdvancedRule {
  values: Readonly<Record<string, Value>>;
  sourceDevice?: string;
  destDevice?: string;
}

/** One Chain row. */
export interface AdvancedChain {
  n: number;
  enable: boolean;
  /** Its Rule rows, by instance number. */
  rules: ReadonlyArray<[number, AdvancedRule]>;
}

/** What an Advanced table needs beside the plan of firewall-rules.ts. */
export interface AdvancedPlan {
  /** The active Level's Chain instance; undefined: the Level has none. */
  levelChain?: number;
  defaultPolicy: 'Drop' | 'Accept' | 'Reject';
  portMappingEnabled: boolean;
  chains: readonly AdvancedChain[];
}

const yes = (v: Value | undefined): boolean => v === true;

/** The nft name of Chain `n`. */
export const chainName = (n: number): string => `chain_${n}`;

/** The DSCP values a criterion matches: a Class Selector codepoint (a multiple of 8) its whole class. */
const dscpText = (dscp: number): string => (dscp % 8 === 0 ? `${dscp}-${dscp + 7}` : String(dscp));

/** Why an enabled Rule cannot be put in the kernel now (Status Error_Misconfigured), or undefined. */
export function misconfigured(rule: AdvancedRule, chains: ReadonlySet<number>): string | undefined {
  const r = rule.values;
  if (ruleProblems(r).length > 0) return 'invalid values';
  if (String(r.Target ?? 'Drop') === 'TargetChain') {
    const c = chainOf(r.TargetChain);
    if (c === undefined || !chains.has(c)) return 'TargetChain names no Chain';
  }
  if (!yes(r.SourceAllInterfaces) && String(r.SourceInterface ?? '') !== '' && !(rule.sourceDevice !== undefined && isIfName(rule.sourceDevice))) return 'SourceInterface names no device';
  if (!yes(r.DestAllInterfaces) && String(r.DestInterface ?? '') !== '' && !(rule.destDevice !== undefined && isIfName(rule.destDevice))) return 'DestInterface names no device';
  return undefined;
}

/** The nft rules of one Rule (none when disabled or misconfigured); `name` gives a Chain's nft name (a TargetChain jump). */
export function ruleLines(rule: AdvancedRule, chains: ReadonlySet<number>, name: (n: number) => string = chainName): string[] {
  const r = rule.values;
  if (!yes(r.Enable) || misconfigured(rule, chains) !== undefined) return [];
  const m: string[] = [];
  if (!yes(r.SourceAllInterfaces) && rule.sourceDevice !== undefined && String(r.SourceInterface ?? '') !== '') m.push(`iifname ${not(yes(r.SourceInterfaceExclude))}"${rule.sourceDevice}"`);
  if (!yes(r.DestAllInterfaces) && rule.destDevice !== undefined && String(r.DestInterface ?? '') !== '') m.push(`oifname ${not(yes(r.DestInterfaceExclude))}"${rule.destDevice}"`);
  const family = num(r.IPVersion) === -1 ? (familyOf(r.SourceIP) ?? familyOf(r.DestIP)) : num(r.IPVersion);
  if (num(r.IPVersion) !== -1) m.push(`meta nfproto ipv${family}`);
  m.push(...ipPortMatches(r));
  const target = String(r.Target ?? 'Drop');
  const verdict = target === 'TargetChain' ? `jump ${name(chainOf(r.TargetChain)!)}` : target.toLowerCase();
  const dscp = num(r.DSCP);
  if (dscp === -1) return [[...m, verdict].join(' ')];
  const dscpMatch = (f: number): string => `${f === 6 ? 'ip6' : 'ip'} dscp ${not(yes(r.DSCPExclude))}${dscpText(dscp)}`;
  // Which header carries the DSCP depends on the family: with none given, one rule for each.
  const families = family === 4 || family === 6 ? [family] : [4, 6];
  return families.map((f) => [...m, dscpMatch(f), verdict].join(' '));
}

/** The rules of Chain `c` in Order (a tie: the Order written last first, then by instance number). */
export function chainLines(c: AdvancedChain, chains: ReadonlySet<number>, name: (n: number) => string = chainName): string[] {
  if (!c.enable) return [];
  const sorted = [...c.rules].sort(([a, x], [b, y]) => num(x.values.Order, 0) - num(y.values.Order, 0) || num(y.values.$ordered, 0) - num(x.values.$ordered, 0) || a - b);
  return sorted.flatMap(([, rule]) => ruleLines(rule, chains, name));
}

/** The verdict of the Level's DefaultPolicy. */
function defaultVerdict(policy: AdvancedPlan['defaultPolicy']): string[] {
  if (policy === 'Accept') return ['accept'];
  if (policy === 'Reject') return ['meta l4proto tcp reject with tcp reset', 'reject'];
  return ['drop'];
}

/**
 * The script replacing table `inet <table>` with the Advanced level `plan`, as one transaction
 * like firewallScript: the old table stays whole if any line fails.
 */
export function advancedScript(table: string, plan: AdvancedPlan, mtp: { tcp: readonly number[]; udp: readonly number[] }): string {
  const valid = (ports: readonly number[]): number[] => [...new Set(ports.filter((p) => Number.isInteger(p) && p > 0 && p < 65536))].sort((a, b) => a - b);
  const body = advancedChains(plan, { tcp: valid(mtp.tcp), udp: valid(mtp.udp) });
  return `${[`table inet ${table} {}`, `delete table inet ${table}`, `table inet ${table} {`, ...body, '}'].join('\n')}\n`;
}

/** The input and forward base chains and a chain per Chain row, as lines of the table body. */
export function advancedChains(plan: AdvancedPlan, mtp: { tcp: readonly number[]; udp: readonly number[] }): string[] {
  const known = new Set(plan.chains.map((c) => c.n));
  const out = ['  chain input {', '    type filter hook input priority filter + 10; policy accept;', ...advancedInputRules(plan, mtp).map((l) => `    ${l}`), '  }'];
  out.push('  chain forward {', '    type filter hook forward priority filter + 10; policy accept;', ...advancedForwardRules(plan).map((l) => `    ${l}`), '  }');
  for (const c of plan.chains) out.push(`  chain ${chainName(c.n)} {`, ...chainLines(c, known).map((l) => `    ${l}`), '  }');
  return out;
}

/** The jump to the Level's Chain (none when the Level has no Chain row). */
function levelJump(plan: AdvancedPlan, name: (n: number) => string): string[] {
  const known = new Set(plan.chains.map((c) => c.n));
  return plan.levelChain !== undefined && known.has(plan.levelChain) ? [`jump ${name(plan.levelChain)}`] : [];
}

/**
 * The rules of traffic to the device under the Level `plan`: what the stateful firewall and the
 * agent need, then the Level's Chain, then its DefaultPolicy (each rule one line).
 */
export function advancedInputRules(plan: AdvancedPlan, mtp: { tcp: readonly number[]; udp: readonly number[] }, name: (n: number) => string = chainName): string[] {
  const set = (xs: readonly number[]): string => (xs.length === 1 ? String(xs[0]) : `{ ${xs.join(', ')} }`);
  return [
    'iifname "lo" accept',
    'ct state established,related accept',
    'ct state invalid drop',
    'meta l4proto ipv6-icmp icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert, nd-router-solicit, packet-too-big } accept',
    'udp sport 67 udp dport 68 accept comment "DHCP client"',
    'udp sport 547 udp dport 546 accept comment "DHCPv6 client"',
    ...(mtp.tcp.length > 0 ? [`tcp dport ${set(mtp.tcp)} accept comment "the agent's MTP listeners"`] : []),
    ...(mtp.udp.length > 0 ? [`udp dport ${set(mtp.udp)} accept comment "the agent's MTP listeners"`] : []),
    ...levelJump(plan, name),
    ...defaultVerdict(plan.defaultPolicy),
  ];
}

/** The rules of forwarded traffic under the Level `plan` (see the file comment for port mappings). */
export function advancedForwardRules(plan: AdvancedPlan, name: (n: number) => string = chainName): string[] {
  return [
    'ct state established,related accept',
    'ct state invalid drop',
    ...(plan.portMappingEnabled ? [] : ['ct status dnat drop comment "PortMappingEnabled false"']),
    'meta l4proto ipv6-icmp icmpv6 type packet-too-big accept',
    ...levelJump(plan, name),
    // A port-mapped connection no Rule decided passes the default policy: the mapping is its pinhole.
    ...(plan.portMappingEnabled ? ['ct status dnat accept comment "NAT PortMapping"'] : []),
    ...defaultVerdict(plan.defaultPolicy),
  ];
}
