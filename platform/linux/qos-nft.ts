/**
 * What Device.QoS.Classification.{i}. and Policer.{i}. become in the agent's own nftables table
 * `inet usp_agent_qos`: two base chains (prerouting for what arrives, output for what the host
 * sends, both at the mangle priority) jump to one `classify` chain that holds the enabled
 * Classifications in TR-106 Order, each `goto` its own chain when it matches, so only the first
 * match applies; a packet none matches gets the Device.QoS.Default* results.
 *
 * A Classification's results:
 * - TrafficClass as the packet mark QOS_MARK_BASE + class, which the egress interface's tc
 *   filters send to the HTB class of the Queue listing that class (qos-tc.ts);
 * - DSCPMark as `ip dscp set` / `ip6 dscp set`;
 * - EthernetPriorityMark as the socket buffer priority (`meta priority set 0:N`), which a VLAN
 *   device's egress-qos-map turns into the 802.1p bits of the frames it sends;
 * - ForwardingPolicy N (1..255) into bits 16..23 of the mark (policy-routing.ts), after the
 *   traffic-class mark, which leaves those bits 0 (policy 0);
 * - Policer as a jump to the Policer's chain: a token bucket (`limit rate over ... bytes/second`)
 *   whose named counters give TotalCounted* and NonConformingCounted*; Conforming* is the rest.
 *
 * Criteria: the IP/port and MAC criteria as the bridge Filters write them (bridge-filter-nft.ts),
 * DSCPCheck as `ip dscp` / `ip6 dscp`, Interface as `iifname` (the ingress device).
 *
 * The table is replaced whole in one `nft -f -` transaction, so a refused script leaves the old
 * rules as they were; the counters start again from 0 at each rewrite.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { inOrder } from '../bridge-filter-rules.js';
import { familyOf, num } from '../firewall-rule-checks.js';
import { filterMatch } from './bridge-filter-nft.js';
import { POLICY_MASK, policyMark } from './policy-routing.js';

/** The table the agent owns (family inet: IPv4 and IPv6 alike). */
export const DEFAULT_QOS_TABLE = 'usp_agent_qos';
/** The mark of traffic class C is QOS_MARK_BASE + C (C below 0x10000): the agent's own range, apart from other marks. */
export const QOS_MARK_BASE = 0x51000000;
/** The bits tc's filters compare: the traffic class and the agent's tag, not the forwarding policy. */
export const CLASS_MARK_MASK = (0xffffffff & ~POLICY_MASK) >>> 0;

export const markOf = (trafficClass: number): number => QOS_MARK_BASE + trafficClass;

/** An enabled, operable Classification, with the ingress device its Interface names (none: every interface). */
export interface CompiledClassification {
  n: number;
  device?: string;
  values: Readonly<Record<string, Value>>;
  /** The Policer to jump to, when it is enabled. */
  policer?: number;
}

/** An enabled Policer. */
export interface CompiledPolicer {
  n: number;
  values: Readonly<Record<string, Value>>;
}

/** Device.QoS.Default*: what a packet no Classification matches gets. */
export interface QosDefaults {
  trafficClass?: number;
  dscp: number;
  priority: number;
  policer?: number;
  /** Device.QoS.DefaultForwardingPolicy (0: nothing to mark). */
  forwardingPolicy?: number;
}

const yes = (v: Value | undefined): boolean => v === true;
const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/** The statement putting forwarding policy `n` into the mark, keeping the other bits; none for 0 (those bits are 0 unless marked). */
export const policyStatements = (n: number): string[][] => (n > 0 ? [[`meta mark set meta mark & ${hex(CLASS_MARK_MASK)} | ${hex(policyMark(n))}`]] : []);

/** The nft statements of a mark result: DSCP (one rule per IP family) and priority; `-1` leaves it. */
function markStatements(dscp: number, priority: number): string[][] {
  const out: string[][] = [];
  if (priority >= 0) out.push([`meta priority set 0:${priority}`]);
  if (dscp >= 0) out.push([`ip dscp set ${dscp}`], [`ip6 dscp set ${dscp}`]);
  return out;
}

/** The nft statements of a Policer action (Null and Count: counted only). */
export function actionStatements(action: Value | undefined): string[] {
  const a = String(action ?? 'Null');
  if (a === 'Drop') return ['drop'];
  const m = /^(\d+)?(?::(\d+))?$/.exec(a);
  if (!m || a === '') return [];
  const out: string[] = [];
  if (m[2] !== undefined) out.push(`meta priority set 0:${m[2]}`);
  if (m[1] !== undefined) out.push(`ip dscp set ${m[1]}`, `ip6 dscp set ${m[1]}`);
  return out;
}

/** The match lines of one Classification (one per IP family a DSCP check needs), or [] when it matches nothing. */
export function classificationMatches(c: CompiledClassification): string[] {
  const r = c.values;
  // The bridge Filter's criteria with this row's names: an empty MAC criterion admits every frame.
  const mac = (v: Value | undefined, exclude: Value | undefined): [string, boolean] => [String(v ?? ''), String(v ?? '') === '' ? true : yes(exclude)];
  const [sm, sx] = mac(r.SourceMACAddress, r.SourceMACExclude);
  const [dm, dx] = mac(r.DestMACAddress, r.DestMACExclude);
  const base = filterMatch({
    ...r,
    VLANIDFilter: 0,
    EthertypeFilterList: '',
    EthertypeFilterExclude: true,
    SourceMACAddressFilterList: sm,
    SourceMACAddressFilterExclude: sx,
    DestMACAddressFilterList: dm,
    DestMACAddressFilterExclude: dx,
  });
  if (base === undefined) return [];
  const head = [c.device === undefined ? '' : `iifname "${c.device}"`, base].filter((s) => s !== '').join(' ');
  const dscp = num(r.DSCPCheck);
  if (dscp === -1) return [head];
  const not = yes(r.DSCPExclude) ? '!= ' : '';
  const family = familyOf(r.SourceIP) ?? familyOf(r.DestIP);
  const families = family === 4 ? ['ip'] : family === 6 ? ['ip6'] : ['ip', 'ip6'];
  return families.map((f) => [head, `${f} dscp ${not}${dscp}`].filter((s) => s !== '').join(' '));
}

/** The chain of one Classification's results. */
function resultChain(c: CompiledClassification): string[] {
  const r = c.values;
  const out = [`  chain class_${c.n} {`];
  const tc = num(r.TrafficClass);
  if (tc >= 0) out.push(`    meta mark set ${hex(markOf(tc))}`);
  for (const s of policyStatements(num(r.ForwardingPolicy, 0))) out.push(`    ${s.join(' ')}`);
  for (const s of markStatements(num(r.DSCPMark), num(r.EthernetPriorityMark))) out.push(`    ${s.join(' ')}`);
  if (c.policer !== undefined) out.push(`    jump policer_${c.policer}`);
  out.push('  }');
  return out;
}

/** The rule of one bucket: over it, the packet is counted under `name` and goes to that colour's action chain. */
function bucketRule(n: number, bitsPerSecond: number, burstBytes: number, name: string): string {
  const limit = `limit rate over ${Math.max(1, Math.floor(bitsPerSecond / 8))} bytes/second${burstBytes > 0 ? ` burst ${burstBytes} bytes` : ''}`;
  return `    ${limit} counter name "policer_${n}_${name}" goto policer_${n}_${name}`;
}

/** A colour's action chain: one statement a line (an IPv4 DSCP mark and an IPv6 one cannot share a rule). */
const actionChain = (n: number, name: string, action: Value | undefined): string[] => [`  chain policer_${n}_${name} {`, ...actionStatements(action).map((s) => `    ${s}`), '  }'];

/**
 * The chain and named counters of one Policer. SimpleTokenBucket: one bucket at CommittedRate.
 * TwoRateThreeColor (RFC 2698, colour-blind): over the peak bucket is non-conforming (neither
 * bucket spent), else over the committed bucket partially conforming (the peak bucket spent),
 * else conforming (both spent): nft's `limit rate over` spends its tokens only when under.
 */
function policerChain(p: CompiledPolicer): string[] {
  const r = p.values;
  const twoRate = String(r.MeterType ?? 'SimpleTokenBucket') === 'TwoRateThreeColor';
  const out = [`  counter policer_${p.n}_total {}`, `  counter policer_${p.n}_over {}`, `  counter policer_${p.n}_partial {}`];
  out.push(...actionChain(p.n, 'over', r.NonConformingAction));
  if (twoRate) out.push(...actionChain(p.n, 'partial', r.PartialConformingAction));
  out.push(`  chain policer_${p.n} {`, `    counter name "policer_${p.n}_total"`);
  if (twoRate) out.push(bucketRule(p.n, num(r.PeakRate, 0), num(r.PeakBurstSize, 0), 'over'));
  out.push(bucketRule(p.n, num(r.CommittedRate, 0), num(r.CommittedBurstSize, 0), twoRate ? 'partial' : 'over'));
  out.push(...actionStatements(r.ConformingAction).map((s) => `    ${s}`), '  }');
  return out;
}

/** The script replacing table `inet <table>`; with no Classification, Policer or default result the table goes. */
export function qosScript(table: string, classifications: readonly CompiledClassification[], policers: readonly CompiledPolicer[], defaults: QosDefaults): string {
  const out = [`table inet ${table} {}`, `delete table inet ${table}`];
  const defaultStatements: string[][] = [];
  if (defaults.trafficClass !== undefined) defaultStatements.push([`meta mark set ${hex(markOf(defaults.trafficClass))}`]);
  defaultStatements.push(...policyStatements(defaults.forwardingPolicy ?? 0));
  defaultStatements.push(...markStatements(defaults.dscp, defaults.priority));
  if (defaults.policer !== undefined) defaultStatements.push([`jump policer_${defaults.policer}`]);
  if (classifications.length === 0 && policers.length === 0 && defaultStatements.length === 0) return `${out.join('\n')}\n`;
  out.push(`table inet ${table} {`);
  for (const p of policers) out.push(...policerChain(p));
  const ordered = inOrder(classifications.map((c): [number, Readonly<Record<string, Value>>] => [c.n, c.values]));
  const byN = new Map(classifications.map((c) => [c.n, c]));
  const rules: string[] = [];
  for (const [n] of ordered) {
    const c = byN.get(n)!;
    out.push(...resultChain(c));
    for (const m of classificationMatches(c)) rules.push(`    ${m === '' ? '' : `${m} `}goto class_${n} comment "Device.QoS.Classification.${n}"`);
  }
  out.push('  chain classify {', ...rules, ...defaultStatements.map((s) => `    ${s.join(' ')} comment "Device.QoS.Default"`), '  }');
  out.push('  chain prerouting {', '    type filter hook prerouting priority mangle; policy accept;', '    jump classify', '  }');
  out.push('  chain output {', '    type route hook output priority mangle; policy accept;', '    jump classify', '  }');
  out.push('}');
  return `${out.join('\n')}\n`;
}

/** A Policer's counters as nft reports them (`nft -j list counters table inet <table>`). */
export interface PolicerCounts {
  totalPackets: number;
  totalBytes: number;
  overPackets: number;
  overBytes: number;
  partialPackets: number;
  partialBytes: number;
}

/** The Policers' counters from `nft -j list counters` output, by Policer instance. */
export function parsePolicerCounters(json: string): Map<number, PolicerCounts> {
  const out = new Map<number, PolicerCounts>();
  let doc: { nftables?: Array<{ counter?: { name?: string; packets?: number; bytes?: number } }> };
  try {
    doc = JSON.parse(json) as typeof doc;
  } catch {
    return out;
  }
  for (const item of doc.nftables ?? []) {
    const m = /^policer_(\d+)_(total|over|partial)$/.exec(item.counter?.name ?? '');
    if (!m) continue;
    const n = Number(m[1]);
    const c = out.get(n) ?? { totalPackets: 0, totalBytes: 0, overPackets: 0, overBytes: 0, partialPackets: 0, partialBytes: 0 };
    const packets = item.counter!.packets ?? 0;
    const bytes = item.counter!.bytes ?? 0;
    if (m[2] === 'total') Object.assign(c, { totalPackets: packets, totalBytes: bytes });
    else if (m[2] === 'over') Object.assign(c, { overPackets: packets, overBytes: bytes });
    else Object.assign(c, { partialPackets: packets, partialBytes: bytes });
    out.set(n, c);
  }
  return out;
}
