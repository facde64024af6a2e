/**
 * Device.Firewall.Chain.{i}.Rule.{i}. of the simulated gateway (TR-181 AdvancedFirewall:1): rows
 * a Controller adds to a Chain, checked as every platform checks them (firewall-rule-checks.ts)
 * and evaluated by the gateway for the traffic it has: a NAT port mapping's inbound connection
 * (its Status reads Inactive while the active Level's rules drop or reject it).
 *
 * Evaluation follows TR-181: rules in Order (lowest first; a Rule given an Order another holds
 * goes before it and the later ones move down, TR-106 Order), the first
 * that matches decides; TargetChain calls the other chain and comes back when nothing there
 * decides (or at Return). A criterion the packet does not tell (a mapping with no RemoteHost has
 * no one source address, nor a source port) counts as matched: a rule that could drop some of
 * the mapping's connections marks it Inactive.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { chainOf, familyOf, jumpsLoop, num, prefixLength, RULE_PARAMS, ruleProblems } from '../firewall-rule-checks.js';
import { canonicalizeReferences } from '../reference.js';
import { FactoryTable } from './factory-table.js';
import { inSubnet, parseIPv4 } from './ipv4.js';
import { schemaDefaults } from './schema-tables.js';
import { invalidParams, type SimContext } from './SimContext.js';

export const RULE = 'Device.Firewall.Chain.{i}.Rule.{i}.';
const STORED = RULE_PARAMS.filter((p) => p !== 'Status');
const MAX_RULES = 32;
const NO_ROWS: readonly number[] = [];
/** Jumps followed at most (a loop is refused at Set, so this only bounds the work). */
const MAX_DEPTH = 16;

/** What the gateway knows of a packet; an absent field is unknown (any value). */
export interface SimPacket {
  sourceInterface?: string;
  destInterface?: string;
  sourceIP?: string;
  destIP?: string;
  protocol?: number;
  sourcePort?: number;
  destPort?: number;
}

export type Verdict = 'Accept' | 'Drop' | 'Reject';

/** Whether an IPv4 address is within `ip`/`mask` (no mask: the address itself). */
function inPrefix(address: string, ip: string, mask: Value | undefined): boolean {
  const a = parseIPv4(address);
  const base = parseIPv4(ip);
  if (a === undefined || base === undefined) return false;
  const len = prefixLength(mask) ?? 32;
  const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return inSubnet(a, base, m);
}

/** Whether one criterion holds: `hit` undefined means the packet does not tell (matched). */
const holds = (hit: boolean | undefined, exclude: Value | undefined): boolean => hit === undefined || hit !== (exclude === true);

/** Whether rule `r` matches packet `p`. */
function matches(r: Readonly<Record<string, Value>>, p: SimPacket): boolean {
  const iface = (all: Value | undefined, ref: Value | undefined, exclude: Value | undefined, have: string | undefined): boolean =>
    all === true || ref === '' || ref === undefined || holds(have === undefined ? undefined : have === ref, exclude);
  if (!iface(r.SourceAllInterfaces, r.SourceInterface, r.SourceInterfaceExclude, p.sourceInterface)) return false;
  if (!iface(r.DestAllInterfaces, r.DestInterface, r.DestInterfaceExclude, p.destInterface)) return false;
  // The gateway's traffic here is IPv4.
  if (num(r.IPVersion) === 6) return false;
  for (const side of ['Source', 'Dest'] as const) {
    const ip = String(r[`${side}IP`] ?? '');
    if (ip === '') continue;
    if (familyOf(ip) === 6) return false;
    const have = side === 'Source' ? p.sourceIP : p.destIP;
    if (!holds(have === undefined ? undefined : inPrefix(have, ip, r[`${side}Mask`]), r[`${side}IPExclude`])) return false;
  }
  const protocol = num(r.Protocol);
  if (protocol !== -1 && !holds(p.protocol === undefined ? undefined : p.protocol === protocol, r.ProtocolExclude)) return false;
  for (const side of ['Source', 'Dest'] as const) {
    const port = num(r[`${side}Port`]);
    if (port === -1) continue;
    const max = num(r[`${side}PortRangeMax`]);
    const have = side === 'Source' ? p.sourcePort : p.destPort;
    if (!holds(have === undefined ? undefined : have >= port && have <= (max === -1 ? port : max), r[`${side}PortExclude`])) return false;
  }
  // The gateway's packets carry DSCP 0 (best effort).
  const dscp = num(r.DSCP);
  if (dscp !== -1 && !holds(dscp % 8 === 0 ? dscp === 0 : false, r.DSCPExclude)) return false;
  return true;
}

/**
 * One gateway's Rule rows, built on first use (a fleet gateway no Controller touched has none).
 */
export class SimRules {
  readonly table: FactoryTable;
  private readonly defaults: Readonly<Record<string, Value>>;

  constructor(
    private readonly ctx: SimContext,
    /** The Chain rows there are now. */
    private readonly chains: () => number[],
  ) {
    this.table = new FactoryTable(ctx, RULE, NO_ROWS, MAX_RULES);
    this.defaults = schemaDefaults(ctx.model, RULE, STORED);
  }

  apply(keys: InstanceKeys, changes: Record<string, Value>): void {
    const path = this.table.node.pathOf(keys);
    this.ctx.store.setRow(path, { ...(this.ctx.store.row(path) ?? {}), ...changes });
  }

  row(keys: InstanceKeys): Record<string, Value> {
    return { ...this.defaults, ...(this.ctx.store.row(this.table.node.pathOf(keys)) ?? {}) };
  }

  /** Rows of Chain `c` in evaluation order. */
  ordered(c: number): Array<[number, Record<string, Value>]> {
    return this.table
      .list([c])
      .map((n): [number, Record<string, Value>] => [n, this.row([c, n])])
      .sort(([a, x], [b, y]) => num(x.Order, 0) - num(y.Order, 0) || a - b);
  }

  status(row: Readonly<Record<string, Value>>): string {
    if (row.Enable !== true) return 'Disabled';
    if (row.Target === 'TargetChain' && !this.chains().includes(chainOf(row.TargetChain) ?? -1)) return 'Error_Misconfigured';
    return 'Enabled';
  }

  /** What Chain `c` decides for `p` (undefined: nothing there did; go on after the jump). */
  evaluate(c: number, p: SimPacket, enabled: (chain: number) => boolean, depth = 0): Verdict | undefined {
    if (depth > MAX_DEPTH || !enabled(c)) return undefined;
    for (const [, r] of this.ordered(c)) {
      if (this.status(r) !== 'Enabled' || !matches(r, p)) continue;
      if (r.Target === 'Return') return undefined;
      if (r.Target === 'TargetChain') {
        const v = this.evaluate(chainOf(r.TargetChain)!, p, enabled, depth + 1);
        if (v !== undefined) return v;
        continue;
      }
      return r.Target === 'Accept' || r.Target === 'Reject' ? r.Target : 'Drop';
    }
    return undefined;
  }

  /** Refuses (7012) what no firewall could act on; `merged` is the row after `changes`. */
  async check(keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>): Promise<void> {
    const bad = ruleProblems(merged);
    const { model } = this.ctx;
    for (const param of ['SourceInterface', 'DestInterface'] as const) {
      const ref = changes[param];
      if (ref === undefined || ref === '') continue;
      const m = /^Device\.IP\.Interface\.(\d+)$/.exec(String(ref));
      const known = m !== null && (await model.listInstances(model.requireNode('Device.IP.Interface.{i}.'), [], {})).includes(Number(m[1]));
      if (!known) bad.push({ param, message: `${String(ref)} is no Device.IP.Interface row of this gateway` });
    }
    // Checked when written: a Rule whose Chain was deleted since can still be disabled or deleted.
    const target = changes.TargetChain !== undefined || changes.Target !== undefined ? chainOf(merged.TargetChain) : undefined;
    if (target !== undefined && !this.chains().includes(target)) bad.push({ param: 'TargetChain', message: `${String(merged.TargetChain)} is no Chain row` });
    else if (target !== undefined && merged.Target === 'TargetChain' && this.loops(keys, target))
      bad.push({ param: 'TargetChain', message: `${String(merged.TargetChain)} leads back to this rule's chain (a loop)` });
    if (bad.length > 0) throw invalidParams(bad);
  }

  private loops(keys: InstanceKeys, target: number): boolean {
    const [own, self] = keys as [number, number];
    const edges = new Map<number, Set<number>>();
    for (const c of this.chains()) {
      for (const [n, r] of this.ordered(c)) {
        const to = chainOf(r.TargetChain);
        if ((c !== own || n !== self) && r.Target === 'TargetChain' && to !== undefined) edges.set(c, (edges.get(c) ?? new Set()).add(to));
      }
    }
    edges.set(own, (edges.get(own) ?? new Set()).add(target));
    return jumpsLoop(edges, own);
  }

  /** TR-106 Order: Rule `keys` taking `order`, the Rules of its Chain at or after it move down by one when one holds it. */
  makeRoom(keys: InstanceKeys, order: number): void {
    const [c, self] = keys as [number, number];
    const others = this.ordered(c).filter(([n]) => n !== self);
    if (!others.some(([, r]) => num(r.Order, 0) === order)) return;
    for (const [n, r] of others) if (num(r.Order, 0) >= order) this.apply([c, n], { Order: num(r.Order, 0) + 1 });
  }

  /** Whether any Rule jumps to Chain `c`. */
  jumpedTo(c: number): boolean {
    return this.chains().some((from) => this.ordered(from).some(([, r]) => r.Target === 'TargetChain' && chainOf(r.TargetChain) === c));
  }
}

/** The owner of the gateway's rules, whose change marks Device.Firewall.LastChange. */
export interface RuleOwner {
  rules(): SimRules;
  touch(): void;
}

/** Device.Firewall.Chain.{i}.Rule.{i}. */
export class RuleBinding implements ObjectBinding {
  readonly params = RULE_PARAMS;

  constructor(private readonly owner: RuleOwner) {}

  list(parentKeys: InstanceKeys): number[] {
    return this.owner.rules().table.list(parentKeys);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const rules = this.owner.rules();
    const row = rules.row(rules.table.check(keys));
    return { ...row, Status: rules.status(row) };
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const rules = this.owner.rules();
    canonicalizeReferences(changes, ['SourceInterface', 'DestInterface', 'TargetChain']);
    const merged = { ...rules.row(rules.table.check(keys)), ...changes };
    await rules.check(keys, merged, changes);
    this.store(keys, changes);
  }

  async add(parentKeys: InstanceKeys, params: Record<string, Value>, _ctx: unknown, requested?: number): Promise<number> {
    const rules = this.owner.rules();
    canonicalizeReferences(params, ['SourceInterface', 'DestInterface', 'TargetChain']);
    const order = Math.max(0, ...rules.ordered(parentKeys[0]!).map(([, r]) => num(r.Order, 0))) + 1;
    const values: Record<string, Value> = { Order: order, ...params };
    // Instance 0 while checking: a refused Add uses no number.
    await rules.check([...parentKeys, 0], { ...rules.row([...parentKeys, 0]), ...values }, values);
    const n = rules.table.add(parentKeys, requested);
    if (values.Alias === undefined || values.Alias === '') values.Alias = `cpe-${n}`;
    this.store([...parentKeys, n], values);
    return n;
  }

  delete(keys: InstanceKeys): void {
    this.owner.rules().table.delete(keys);
    this.owner.touch();
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.owner.rules().table.snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.owner.rules().table.restore(keys, snap);
  }

  private store(keys: InstanceKeys, changes: Record<string, Value>): void {
    const rules = this.owner.rules();
    if (changes.Order !== undefined) rules.makeRoom(keys, num(changes.Order, 0));
    rules.apply(keys, changes);
    this.owner.touch();
  }
}
