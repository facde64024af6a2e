/**
 * Device.QoS. of the simulated gateway (TR-181 QoS:1): Classification, Policer, Queue and
 * Shaper rows kept in the store, checked as every platform checks them (qos-rules.ts), their
 * Status computed on read. The simulated traffic model does not classify packets: Policer
 * counters read 0, and a Shaper does not change the interface counters (they are closed-form
 * functions of time, traffic.ts).
 *
 * - Interface (Queue, Shaper, Classification) names the LAN or the WAN IP.Interface; a Queue's
 *   or Shaper's Interface is the egress one. One Shaper per interface (TR-181 unique key).
 * - Status: Disabled; Error_Misconfigured while a Queue or Shaper names no interface, or a
 *   Classification names no ingress (Interface empty, AllInterfaces false), its TrafficClass is
 *   in no enabled Queue's TrafficClasses, or its Policer row is gone; else Enabled.
 * - Order (TR-106): a row given the Order another holds goes before it, those after move down.
 * - App and Flow rows (QoSDynamicFlow:1), and a Classification's App: qos-dynamic-flow.ts.
 *
 * Costs a fleet gateway nothing until a Controller adds a row: one small options object per
 * table over the gateway's context, the rows in its store.
 */
import { registerStored, type StoredOptions } from '../../datamodel/store/stored-binding.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { nextOrder } from '../bridge-filter-rules.js';
import { num } from '../firewall-rule-checks.js';
import {
  CLASSIFICATION_PARAMS,
  QOS_OBJECT_PARAMS,
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
} from '../qos-rules.js';
import { canonicalizeReferences } from '../reference.js';
import type { BadParam } from '../stored-table.js';
import { LAN_INTERFACE, WAN_INTERFACE } from './ip.js';
import { classificationAppInEffect, classificationAppProblems, registerQosDynamicFlow, SIM_AVAILABLE_APPS, SIM_QOS_FLOW_LIMITS } from './qos-dynamic-flow.js';
import { registerQueueStatsSim } from './qos-queue-stats.js';
import { invalidParams, type SimContext } from './SimContext.js';

export const SIM_QOS_LIMITS = { Classification: 32, Policer: 8, Queue: 16, Shaper: 4 } as const;
type Kind = keyof typeof SIM_QOS_LIMITS;
const METERS = ['SimpleTokenBucket', 'SingleRateThreeColor', 'TwoRateThreeColor'] as const;
const ALGORITHMS = { drop: ['DT', 'RED', 'WRED'], scheduler: ['SP', 'WRR', 'WFQ'] };
const INTERFACES: ReadonlySet<string> = new Set([LAN_INTERFACE, WAN_INTERFACE]);
const STATUS = ['Status'] as const;
const POLICER_LIVE = ['Status', 'PossibleMeterTypes', ...POLICER_COUNTERS] as const;
const PARAMS: Readonly<Record<Kind, readonly string[]>> = { Classification: [...CLASSIFICATION_PARAMS, 'App'], Policer: POLICER_PARAMS, Queue: QUEUE_PARAMS, Shaper: SHAPER_PARAMS };

const constant =
  (v: Value): (() => Value) =>
  () =>
    v;
/** Shared by every gateway: the bounds. */
const QOS_OBJECT_LIVE: Readonly<Record<string, () => Value>> = Object.freeze({
  MaxClassificationEntries: constant(SIM_QOS_LIMITS.Classification),
  MaxAppEntries: constant(SIM_QOS_FLOW_LIMITS.App),
  MaxFlowEntries: constant(SIM_QOS_FLOW_LIMITS.Flow),
  MaxPolicerEntries: constant(SIM_QOS_LIMITS.Policer),
  MaxQueueEntries: constant(SIM_QOS_LIMITS.Queue),
  MaxShaperEntries: constant(SIM_QOS_LIMITS.Shaper),
  AvailableAppList: constant(SIM_AVAILABLE_APPS),
});

/** One table's options: methods over one gateway's context, one copy of each for the fleet. */
class QosTableOptions implements StoredOptions {
  readonly params: readonly string[];
  readonly liveParams: readonly string[];
  private readonly node: ModelNode;

  constructor(
    private readonly ctx: SimContext,
    private readonly kind: Kind,
  ) {
    this.params = PARAMS[kind];
    this.liveParams = kind === 'Policer' ? POLICER_LIVE : STATUS;
    this.node = ctx.model.requireNode(`Device.QoS.${kind}.{i}.`);
  }

  private rows(kind: Kind = this.kind): Array<[number, Readonly<Record<string, Value>>]> {
    const node = kind === this.kind ? this.node : this.ctx.model.requireNode(`Device.QoS.${kind}.{i}.`);
    return this.ctx.store.instances(`Device.QoS.${kind}.`).map((n) => [n, this.ctx.store.row(node.pathOf([n])) ?? {}]);
  }

  initial(): Record<string, Value> {
    return this.kind === 'Classification' ? { Order: nextOrder(this.rows()) } : {};
  }

  validate(keys: InstanceKeys, changes: Record<string, Value>): void {
    const adding = keys[0] === 0;
    const max = SIM_QOS_LIMITS[this.kind];
    if (adding && this.ctx.store.instances(`Device.QoS.${this.kind}.`).length >= max) throw new UspError(ErrorCode.ResourcesExceeded, `the gateway holds at most ${max} ${this.kind} rows`);
    canonicalizeReferences(changes, ['Interface', 'Policer']);
    const row = { ...(adding ? {} : this.ctx.store.row(this.node.pathOf(keys))), ...changes };
    const bad: BadParam[] = [];
    if (this.kind === 'Classification') {
      // Whether the Policer and App rows exist is checked at the USP edge: see qos-dynamic-flow.ts.
      bad.push(...classificationProblems(row), ...classificationAppProblems(row, changes));
    } else if (this.kind === 'Policer') bad.push(...policerProblems(row, METERS));
    else if (this.kind === 'Queue') bad.push(...queueProblems(row, ALGORITHMS));
    else bad.push(...shaperProblems(row));
    const ref = String(changes.Interface ?? '');
    if (ref !== '' && !INTERFACES.has(ref)) bad.push({ param: 'Interface', message: `${ref}: the gateway's interfaces are ${LAN_INTERFACE} (LAN) and ${WAN_INTERFACE} (WAN)` });
    if (bad.length > 0) throw invalidParams(bad);
  }

  onChange(keys: InstanceKeys, changes: Record<string, Value>): void {
    if (this.kind !== 'Classification' || changes.Order === undefined) return;
    const order = num(changes.Order, 0);
    const rows = this.rows();
    if (!rows.some(([n, r]) => n !== keys[0] && num(r.Order, 0) === order)) return;
    for (const [n, r] of rows) if (n !== keys[0] && num(r.Order, 0) >= order) this.ctx.store.setRow(this.node.pathOf([n]), { ...r, Order: num(r.Order, 0) + 1 });
  }

  liveValue(name: string, keys: InstanceKeys): Value {
    if (name === 'PossibleMeterTypes') return METERS.join(',');
    if (name !== 'Status') return 0; // the traffic model classifies nothing: no packet is counted
    const row = this.ctx.store.row(this.node.pathOf(keys)) ?? {};
    if (row.Enable !== true) return 'Disabled';
    return this.operable(row) ? 'Enabled' : 'Error_Misconfigured';
  }

  private operable(row: Readonly<Record<string, Value>>): boolean {
    if (this.kind === 'Policer') return true;
    if (this.kind !== 'Classification') return INTERFACES.has(String(row.Interface ?? ''));
    if (row.AllInterfaces !== true && !INTERFACES.has(String(row.Interface ?? ''))) return false;
    const tc = num(row.TrafficClass);
    if (
      tc >= 0 &&
      !classQueued(
        tc,
        this.rows('Queue').map(([, r]) => r),
      )
    )
      return false;
    const p = policerOf(row.Policer);
    return (p === undefined || this.ctx.store.instances('Device.QoS.Policer.').includes(p)) && classificationAppInEffect(this.ctx, row);
  }
}

/** Device.QoS.'s Default* checks (a shared function: it reads only the changes). */
function validateQosObject(_keys: InstanceKeys, changes: Record<string, Value>): void {
  const bad: BadParam[] = [];
  for (const [p, lo, hi] of [
    ['DefaultDSCPMark', -2, 63],
    ['DefaultEthernetPriorityMark', -2, 7],
  ] as const) {
    if (changes[p] !== undefined && (num(changes[p]) < lo || num(changes[p]) > hi)) bad.push({ param: p, message: `${String(changes[p])} is not within ${lo}..${hi}` });
  }
  canonicalizeReferences(changes, ['DefaultPolicer', 'DefaultQueue']);
  if (changes.DefaultPolicer !== undefined && changes.DefaultPolicer !== '' && policerOf(changes.DefaultPolicer) === undefined)
    bad.push({ param: 'DefaultPolicer', message: 'not a Device.QoS.Policer.{i} row' });
  if (changes.DefaultQueue !== undefined && changes.DefaultQueue !== '' && !/^Device\.QoS\.Queue\.\d+$/.test(String(changes.DefaultQueue)))
    bad.push({ param: 'DefaultQueue', message: 'not a Device.QoS.Queue.{i} row' });
  if (bad.length > 0) throw invalidParams(bad);
}

const QOS_OBJECT: StoredOptions = Object.freeze({ params: QOS_OBJECT_PARAMS, live: QOS_OBJECT_LIVE, validate: validateQosObject });

/** Serves Device.QoS. and its four tables. */
export function registerQoS(ctx: SimContext): void {
  registerStored(ctx.model, ctx.store, 'Device.QoS.', QOS_OBJECT);
  for (const kind of Object.keys(SIM_QOS_LIMITS) as Kind[]) registerStored(ctx.model, ctx.store, `Device.QoS.${kind}.{i}.`, new QosTableOptions(ctx, kind));
  registerQueueStatsSim(ctx);
  registerQosDynamicFlow(ctx);
}
