/**
 * Device.QoS. on generic Linux (TR-181 QoS:1): Classification, Policer, Queue and Shaper rows a
 * Controller adds, kept in the agent's store and compiled in one go, after every change and at
 * start, into the agent's nftables table `inet usp_agent_qos` (qos-nft.ts: classification,
 * marks, policers) and an HTB tree on each egress device a Queue or Shaper names (qos-tc.ts).
 * A kernel refusal answers 7003 and the previous rules are written back.
 *
 * What Linux does not do here, served read-only (7013 on a Set) or refused (7012):
 * - Classification EthernetPriorityCheck/Exclude and VLANIDCheck/Exclude: by the time netfilter
 *   sees a packet its VLAN tag is gone. DSCPMark/EthernetPriorityMark -2 (derived): refused.
 * - Policer: SimpleTokenBucket and TwoRateThreeColor (RFC 2698), not SingleRateThreeColor
 *   (RFC 2697's excess bucket fills from the committed one's overflow, which nft's buckets
 *   cannot): ExcessBurstSize is read-only.
 * - Queue: DropAlgorithm DT or RED (a red leaf qdisc, qos-red.ts; 7012 where the kernel has
 *   none); AllInterfaces true is refused (name the egress interface: one HTB tree per device).
 * - ForwardingPolicy and DefaultForwardingPolicy: mark bits an ip rule routes by (policy-routing.ts).
 * - DefaultQueue (else DefaultTrafficClass) picks the HTB default class; DefaultDSCPMark,
 *   DefaultEthernetPriorityMark and DefaultPolicer apply to what no Classification matches.
 * - App and Flow: not served (no application recognition), MaxAppEntries/MaxFlowEntries 0.
 * - A device whose root qdisc another program made (sqm-scripts, qos-scripts) is left alone: a
 *   Queue or Shaper naming it is refused (7012) and reads Status Error (qos-root-qdisc.ts).
 *
 * Interfaces name Device.IP.Interface.{i} rows; the device is kept beside (`$device`), so a read
 * gives that device's row now (IP.Interface numbers are assigned afresh at each start).
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { Awaitable, InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { defaultValue } from '../../datamodel/value/default-value.js';
import type { Value } from '../../datamodel/value/Value.js';
import { nextOrder } from '../bridge-filter-rules.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import { num } from '../firewall-rule-checks.js';
import {
  CLASSIFICATION_PARAMS,
  classificationProblems,
  classQueued,
  POLICER_COUNTERS,
  POLICER_PARAMS,
  policerOf,
  policerProblems,
  QUEUE_PARAMS,
  queueProblems,
  SHAPER_PARAMS,
  shaperProblems,
  shapingBps,
  trafficClasses,
} from '../qos-rules.js';
import { invalid, publicValues, type BadParam, type Row, StoredTable } from '../stored-table.js';
import { isIfName } from './firewall-rules.js';
import type { IpInterfaceNames } from './nat.js';
import { type CompiledClassification, type CompiledPolicer, DEFAULT_QOS_TABLE, parsePolicerCounters, qosScript, type QosDefaults } from './qos-nft.js';
import { MAX_CLASSIFICATIONS, MAX_POLICERS, MAX_QUEUES, MAX_SHAPERS, qosObjectBinding, queueOf } from './qos-object.js';
import { registerLinuxQueueStats } from './qos-queue-stats.js';
import { MAX_FORWARDING_POLICY } from './policy-routing.js';
import { noRedQdisc, redLeafOf, redProblems } from './qos-red.js';
import { foreignRootMessage, foreignRootQdiscs, QDISC_SHOW_ARGS } from './qos-root-qdisc.js';
import { agentQdiscDevices, tcBatch, type TcPlan } from './qos-tc.js';

const METERS = ['SimpleTokenBucket', 'TwoRateThreeColor'] as const;
const ALGORITHMS = { drop: ['DT', 'RED'], scheduler: ['SP', 'WRR'] };
const DEVICE = '$device';
const ORDERED = '$ordered';

const without = (all: readonly string[], out: readonly string[]): string[] => all.filter((p) => !out.includes(p));
const CLASSIFICATION_WRITABLE = without(CLASSIFICATION_PARAMS, ['Status', 'EthernetPriorityCheck', 'EthernetPriorityExclude', 'VLANIDCheck', 'VLANIDExclude']);
const POLICER_WRITABLE = ['Enable', 'Alias', 'CommittedRate', 'CommittedBurstSize', 'PeakRate', 'PeakBurstSize', 'MeterType', 'ConformingAction', 'PartialConformingAction', 'NonConformingAction'];
const QUEUE_WRITABLE = without(QUEUE_PARAMS, ['Status', 'BufferLength']);
const SHAPER_WRITABLE = without(SHAPER_PARAMS, ['Status']);
const POLICER_LIVE: ReadonlySet<string> = new Set(['Status', 'PossibleMeterTypes', ...POLICER_COUNTERS]);
export interface LinuxQosOptions {
  model: DataModel;
  store: DataStore;
  runner: CommandRunner;
  interfaces: IpInterfaceNames;
  /** The link rate of device `name` in bit/s, when the kernel knows it. */
  linkBps(name: string): Promise<number | undefined>;
  /** The txqueuelen of device `name` (QueueStats occupancy), when the kernel says. */
  txQueueLen?(name: string): Promise<number | undefined>;
  /** Whether Forwarding rows of a policy exist to select (Linux routing.ts); false: ForwardingPolicy and DefaultForwardingPolicy read-only. */
  forwardingPolicies?: boolean;
  /** The nftables table (default usp_agent_qos); tests running side by side give each agent its own. */
  table?: string;
  log?: Logger;
}

/** The four tables, Device.QoS. itself and what they compile to. */
export class LinuxQos {
  private classifications!: StoredTable;
  private policers!: StoredTable;
  private queues!: StoredTable;
  private shapers!: StoredTable;
  private readonly table: string;
  /** Devices whose HTB tree this run wrote. */
  private trees = new Set<string>();
  private written = false;

  constructor(private readonly opts: LinuxQosOptions) {
    this.table = opts.table ?? DEFAULT_QOS_TABLE;
  }

  register(): void {
    const { model, store } = this.opts;
    const apply = async (): Promise<void> => {
      try {
        await this.write();
      } catch (e) {
        // The table puts its store back right after this throws: the kernel follows it then.
        setImmediate(() => void this.write().catch((err: unknown) => this.opts.log?.warn('QoS rules not written back', { error: String(err) })));
        throw e;
      }
    };
    const table = (path: string, t: Omit<ConstructorParameters<typeof StoredTable>[2], 'apply' | 'changesOnlyThroughAgent'>): StoredTable => {
      const node = model.requireNode(path);
      // An Add may carry a parameter this device cannot change (param-settings.ts): only at its default.
      const fixed = t.params.filter((p) => !(t.writable ?? []).includes(p) && !t.live?.has(p));
      const check = t.check;
      const guarded = (keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>): Awaitable<Record<string, Value>> => {
        const bad: BadParam[] = [];
        for (const p of fixed) {
          const def = node.def.params.find((q) => q.name === p);
          if (changes[p] !== undefined && def && changes[p] !== defaultValue(def)) bad.push({ param: p, message: `${String(changes[p])}: this device does not put ${p} into effect` });
        }
        if (bad.length > 0) throw invalid(bad);
        return check(keys, merged, changes);
      };
      const b = new StoredTable(store, node, { ...t, check: guarded, apply, changesOnlyThroughAgent: false });
      model.register(path, b);
      return b;
    };
    this.policers = table('Device.QoS.Policer.{i}.', {
      params: POLICER_PARAMS,
      writable: POLICER_WRITABLE,
      live: POLICER_LIVE,
      max: MAX_POLICERS,
      check: (_k, merged) => this.checked(merged, policerProblems(merged, METERS)),
      read: (keys, row) => this.readPolicer(keys[0]!, row),
    });
    this.queues = table('Device.QoS.Queue.{i}.', {
      params: QUEUE_PARAMS,
      writable: QUEUE_WRITABLE,
      live: new Set(['Status', 'BufferLength']),
      max: MAX_QUEUES,
      references: ['Interface'],
      check: async (_k, merged, changes) => {
        const bad = [...queueProblems(merged, ALGORITHMS), ...redProblems(merged)];
        if (merged.AllInterfaces === true) bad.push({ param: 'AllInterfaces', message: 'name the egress interface: the agent builds one HTB tree per device' });
        await this.device(merged, changes, bad);
        await this.ownRoot(merged, changes, bad);
        return this.checked(merged, bad);
      },
      read: (_k, row) => this.readEgress(row, true),
    });
    registerLinuxQueueStats({ ...this.opts, queues: () => this.queues.rows([]) });
    this.shapers = table('Device.QoS.Shaper.{i}.', {
      params: SHAPER_PARAMS,
      writable: SHAPER_WRITABLE,
      live: new Set(['Status']),
      max: MAX_SHAPERS,
      references: ['Interface'],
      check: async (_k, merged, changes) => {
        const bad = shaperProblems(merged);
        await this.device(merged, changes, bad);
        await this.ownRoot(merged, changes, bad);
        return this.checked(merged, bad);
      },
      read: (_k, row) => this.readEgress(row, false),
    });
    this.classifications = table('Device.QoS.Classification.{i}.', {
      params: CLASSIFICATION_PARAMS,
      writable: this.opts.forwardingPolicies === false ? without(CLASSIFICATION_WRITABLE, ['ForwardingPolicy']) : CLASSIFICATION_WRITABLE,
      live: new Set(['Status']),
      max: MAX_CLASSIFICATIONS,
      references: ['Interface', 'Policer'],
      initial: () => ({ Order: nextOrder(this.classifications.rows([])) }),
      check: async (_k, merged, changes) => {
        const bad = classificationProblems(merged);
        if (num(merged.TrafficClass) > 0xffff) bad.push({ param: 'TrafficClass', message: 'this device marks traffic classes 0..65535' });
        if (num(merged.ForwardingPolicy, 0) > MAX_FORWARDING_POLICY) bad.push({ param: 'ForwardingPolicy', message: `this device marks forwarding policies 0..${MAX_FORWARDING_POLICY}` });
        for (const p of ['DSCPMark', 'EthernetPriorityMark'] as const) if (num(merged[p]) === -2) bad.push({ param: p, message: 'deriving one mark from the other (-2) is not done on this device' });
        const policer = policerOf(merged.Policer);
        if (changes.Policer !== undefined && policer !== undefined && !this.policers.list([]).includes(policer)) bad.push({ param: 'Policer', message: `${String(merged.Policer)} is no Policer row` });
        await this.device(merged, changes, bad);
        if (changes.Order !== undefined) merged[ORDERED] = Math.max(0, ...this.classifications.rows([]).map(([, r]) => num(r[ORDERED], 0))) + 1;
        return this.checked(merged, bad);
      },
      read: (_k, row) => this.readClassification(row),
      added: (keys, row) => this.makeRoom(keys, row),
      updated: (keys, row, changes) => {
        if (changes.Order !== undefined) this.makeRoom(keys, row);
      },
    });
    model.register(
      'Device.QoS.',
      qosObjectBinding(store, { policer: (n) => this.policers.list([]).includes(n), queue: (n) => this.queues.list([]).includes(n) }, () => this.write(), this.opts.forwardingPolicies !== false),
    );
  }

  /** Writes the stored rows to the kernel at start, and removes trees of the agent's a past run left on devices no row names now. */
  async start(): Promise<void> {
    try {
      const shown = await this.opts.runner.run('tc', ['-j', 'qdisc', 'show']);
      for (const dev of agentQdiscDevices(shown)) this.trees.add(dev);
      // What a past run left is removed; with nothing of the agent's there and no rows, netfilter and tc are left alone.
      const table = await this.opts.runner.run('nft', ['list', 'table', 'inet', this.table]).then(
        () => true,
        () => false,
      );
      this.written = table || this.trees.size > 0;
      await this.write();
    } catch (e) {
      this.opts.log?.warn('QoS rules not written', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  private checked(merged: Record<string, Value>, bad: BadParam[]): Record<string, Value> {
    if (bad.length > 0) throw invalid(bad);
    return merged;
  }

  /** Resolves a changed Interface to its device (`$device`), or says why it cannot. */
  private async device(merged: Record<string, Value>, changes: Record<string, Value>, bad: BadParam[]): Promise<void> {
    if (changes.Interface === undefined) return;
    delete merged[DEVICE];
    const ref = String(changes.Interface);
    if (ref === '') return;
    const dev = await this.opts.interfaces.nameOf(ref);
    if (dev === undefined) bad.push({ param: 'Interface', message: `${ref} is no Device.IP.Interface.{i} row of this device` });
    else if (!isIfName(dev)) bad.push({ param: 'Interface', message: `${dev} is not a device name tc and nftables can use` });
    else merged[DEVICE] = dev;
  }

  /** Devices whose root qdisc another program made (qos-root-qdisc.ts): `fresh` before a write, else cached for a second. */
  private foreignRoots(fresh = false): Promise<Map<string, string>> {
    const { runner } = this.opts;
    const none = (): Map<string, string> => new Map();
    return fresh ? runner.run('tc', QDISC_SHOW_ARGS).then(foreignRootQdiscs, none) : runner.cached('tc', QDISC_SHOW_ARGS, 1000, foreignRootQdiscs).catch(none);
  }

  /** An enabled Queue or Shaper whose Interface or Enable changes must not land on a device another program shapes (7012). */
  private async ownRoot(merged: Record<string, Value>, changes: Record<string, Value>, bad: BadParam[]): Promise<void> {
    if (merged.Enable !== true || merged[DEVICE] === undefined || (changes.Interface === undefined && changes.Enable === undefined)) return;
    const dev = String(merged[DEVICE]);
    const root = (await this.foreignRoots(true)).get(dev);
    if (root !== undefined) bad.push({ param: 'Interface', message: foreignRootMessage(dev, root) });
  }

  private async withInterface(row: Row, values: Record<string, Value>): Promise<void> {
    if (row[DEVICE] !== undefined) values.Interface = (await this.opts.interfaces.pathOf(String(row[DEVICE]))) ?? '';
  }

  private async readEgress(row: Row, queue: boolean): Promise<Record<string, Value>> {
    const values = publicValues(row);
    await this.withInterface(row, values);
    const dev = row[DEVICE] === undefined ? undefined : String(row[DEVICE]);
    const alive = dev !== undefined && values.Interface !== '';
    const percent = num(row.ShapingRate) >= 1 && num(row.ShapingRate) <= 100 && dev !== undefined && (await this.opts.linkBps(dev)) === undefined;
    values.Status = row.Enable !== true ? 'Disabled' : !alive || percent ? 'Error_Misconfigured' : (await this.foreignRoots()).has(dev ?? '') ? 'Error' : 'Enabled';
    if (queue) values.BufferLength = 0;
    return values;
  }

  private async readClassification(row: Row): Promise<Record<string, Value>> {
    const values = publicValues(row);
    await this.withInterface(row, values);
    values.Status = row.Enable !== true ? 'Disabled' : (await this.misconfigured(row)) ? 'Error_Misconfigured' : 'Enabled';
    return values;
  }

  /** Whether an enabled Classification cannot take effect: no ingress named, its class without a Queue, its Policer gone. */
  private async misconfigured(row: Row): Promise<boolean> {
    if (row.AllInterfaces !== true && (row[DEVICE] === undefined || (await this.opts.interfaces.pathOf(String(row[DEVICE]))) === undefined)) return true;
    const tc = num(row.TrafficClass);
    if (
      tc >= 0 &&
      !classQueued(
        tc,
        this.queues.rows([]).map(([, r]) => r),
      )
    )
      return true;
    const p = policerOf(row.Policer);
    return p !== undefined && !this.policers.list([]).includes(p);
  }

  private async readPolicer(n: number, row: Row): Promise<Record<string, Value>> {
    const values = publicValues(row);
    values.Status = row.Enable === true ? 'Enabled' : 'Disabled';
    values.PossibleMeterTypes = METERS.join(',');
    let counts;
    if (row.Enable === true && this.written) {
      const out = await this.opts.runner.run('nft', ['-j', 'list', 'counters', 'table', 'inet', this.table]).catch(() => undefined);
      counts = out ? parsePolicerCounters(out).get(n) : undefined;
    }
    const c = counts ?? { totalPackets: 0, totalBytes: 0, overPackets: 0, overBytes: 0, partialPackets: 0, partialBytes: 0 };
    Object.assign(values, {
      TotalCountedPackets: c.totalPackets,
      TotalCountedBytes: c.totalBytes,
      ConformingCountedPackets: c.totalPackets - c.overPackets - c.partialPackets,
      ConformingCountedBytes: c.totalBytes - c.overBytes - c.partialBytes,
      PartiallyConformingCountedPackets: c.partialPackets,
      PartiallyConformingCountedBytes: c.partialBytes,
      NonConformingCountedPackets: c.overPackets,
      NonConformingCountedBytes: c.overBytes,
    });
    return values;
  }

  /** TR-106 Order: the rows at or after row `keys`'s Order move down by one. */
  private makeRoom(keys: InstanceKeys, row: Row): void {
    const order = num(row.Order, 0);
    const rows = this.classifications.rows([]);
    if (!rows.some(([n, r]) => n !== keys[0] && num(r.Order, 0) === order)) return;
    const node = this.opts.model.requireNode('Device.QoS.Classification.{i}.');
    for (const [n, r] of rows) if (n !== keys[0] && num(r.Order, 0) >= order) this.opts.store.setRow(node.pathOf([n]), { ...r, Order: num(r.Order, 0) + 1 });
  }

  /** What the stored rows compile to. */
  private async compile(): Promise<{ classifications: CompiledClassification[]; policers: CompiledPolicer[]; defaults: QosDefaults; plans: TcPlan[] }> {
    const policers = this.policers
      .rows([])
      .filter(([, r]) => r.Enable === true && num(r.CommittedRate, 0) > 0)
      .map(([n, values]) => ({ n, values }));
    const live = new Set(policers.map((p) => p.n));
    const classifications: CompiledClassification[] = [];
    for (const [n, r] of this.classifications.rows([])) {
      if (r.Enable !== true || (await this.misconfigured(r)) || classificationProblems(r).length > 0) continue;
      const p = policerOf(r.Policer);
      classifications.push({ n, values: r, device: r.AllInterfaces === true ? undefined : String(r[DEVICE]), policer: p !== undefined && live.has(p) ? p : undefined });
    }
    const q = this.opts.store.row('Device.QoS.') ?? {};
    const defaultPolicer = policerOf(q.DefaultPolicer);
    const defaults: QosDefaults = {
      dscp: num(q.DefaultDSCPMark),
      priority: num(q.DefaultEthernetPriorityMark),
      trafficClass: q.DefaultTrafficClass === undefined ? undefined : num(q.DefaultTrafficClass, 0),
      policer: defaultPolicer !== undefined && live.has(defaultPolicer) ? defaultPolicer : undefined,
      forwardingPolicy: num(q.DefaultForwardingPolicy, 0),
    };
    const plans = new Map<string, TcPlan & { queues: TcPlan['queues'][number][] }>();
    const planOf = async (dev: string): Promise<TcPlan & { queues: TcPlan['queues'][number][] }> => {
      let p = plans.get(dev);
      if (!p) plans.set(dev, (p = { device: dev, rateBps: (await this.opts.linkBps(dev)) ?? 10e9, queues: [], defaultClass: defaults.trafficClass }));
      return p;
    };
    for (const [, r] of this.shapers.rows([])) {
      if (r.Enable !== true || r[DEVICE] === undefined) continue;
      const p = await planOf(String(r[DEVICE]));
      const bps = shapingBps(r.ShapingRate, await this.opts.linkBps(p.device));
      if (bps !== undefined) p.rateBps = Math.min(p.rateBps, bps);
      p.burstBytes = num(r.ShapingBurstSize, 0) || undefined;
    }
    const defaultQueue = queueOf(q.DefaultQueue);
    for (const [n, r] of this.queues.rows([])) {
      if (r.Enable !== true || r[DEVICE] === undefined) continue;
      const p = await planOf(String(r[DEVICE]));
      if (n === defaultQueue) p.defaultQueue = n;
      const ceil = shapingBps(r.ShapingRate, await this.opts.linkBps(p.device));
      const red = redLeafOf(r, await this.opts.txQueueLen?.(p.device));
      p.queues.push({
        n,
        classes: trafficClasses(r.TrafficClasses),
        weight: num(r.Weight, 0),
        precedence: num(r.Precedence, 1),
        ceilBps: ceil,
        burstBytes: num(r.ShapingBurstSize, 0) || undefined,
        red,
      });
    }
    return { classifications, policers, defaults, plans: [...plans.values()] };
  }

  private async write(): Promise<void> {
    const c = await this.compile();
    const q = this.opts.store.row('Device.QoS.') ?? {};
    const nothing = c.classifications.length === 0 && c.policers.length === 0 && c.plans.length === 0 && Object.keys(q).length === 0;
    if (nothing && !this.written) return;
    const { runner } = this.opts;
    // A device another program shapes now (it may have taken it over since) is left alone: neither deleted nor built.
    const foreign = c.plans.length > 0 || this.trees.size > 0 ? await this.foreignRoots(true) : new Map<string, string>();
    for (const [dev, root] of foreign) if (c.plans.some((p) => p.device === dev)) this.opts.log?.warn('QoS tree not built', { why: foreignRootMessage(dev, root) });
    const plans = c.plans.filter((p) => !foreign.has(p.device));
    try {
      await runner.run('nft', ['-f', '-'], { input: qosScript(this.table, c.classifications, c.policers, c.defaults), display: `nft -f - (table inet ${this.table})` });
      const wanted = new Set(plans.map((p) => p.device));
      for (const dev of this.trees) if (!wanted.has(dev) && !foreign.has(dev)) await runner.run('tc', ['qdisc', 'del', 'dev', dev, 'root']).catch(() => undefined);
      for (const plan of plans) {
        if (this.trees.has(plan.device)) await runner.run('tc', ['qdisc', 'del', 'dev', plan.device, 'root']).catch(() => undefined);
        this.trees.add(plan.device);
        await runner.run('tc', ['-batch', '-'], { input: `${tcBatch(plan).join('\n')}\n`, display: `tc -batch - (dev ${plan.device})` });
      }
      this.trees = wanted;
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      if (noRedQdisc(why) && plans.some((p) => p.queues.some((q) => q.red))) throw new UspError(ErrorCode.InvalidValue, 'DropAlgorithm RED: this kernel has no red qdisc (sch_red)');
      throw new UspError(ErrorCode.InternalError, `the kernel refused the QoS rules: ${why}`);
    }
    this.written = true;
    this.opts.log?.debug('QoS written', { classifications: c.classifications.length, policers: c.policers.length, devices: plans.map((p) => p.device) });
  }
}
