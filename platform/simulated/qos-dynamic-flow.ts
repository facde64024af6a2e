/**
 * Device.QoS.App.{i}. and Device.QoS.Flow.{i}. of the simulated gateway (TR-181
 * QoSDynamicFlow:1), and what they mean to Classification.{i}.App: rows a Controller adds, kept
 * in the store, checked as qos-dynamic-flow.ts says, their Status computed on read. The
 * simulated traffic model recognises no application (traffic.ts counts per interface in closed
 * form), so no packet is ever put into an App or Flow: the results are kept, not applied.
 *
 * - App Status: Disabled; Error while its DefaultPolicer names a Policer row that is gone or
 *   disabled (TR-181 leaves Error to the device); else Enabled.
 * - Flow Status: Disabled; Error while its App is gone or not Enabled, its Policer is gone or
 *   disabled, or its Type does not fit the App's protocol (the PPPoE App has the PPPoE flow only,
 *   an SDP media flow belongs to a signalling App); else Enabled.
 * - A Classification naming an App is Error_Misconfigured while that App is gone or not Enabled;
 *   TR-181 makes App and TrafficClass mutually exclusive, so a row with both is refused (7012).
 * - Deleting a Policer or an App empties every strong reference to it (TR-181: the referring
 *   row stays, its reference becomes ""), in the same transaction: Device.QoS.DefaultPolicer,
 *   Classification Policer and App, App DefaultPolicer, Flow App and Policer.
 * - A reference's form (a row of the right table) is checked here; that the row exists is
 *   checked where a Controller's Set or Add comes in (TR-369 R-ARC.12, 7012 for every strong
 *   reference). Not here: a rolled-back Delete undoes the emptied references before it brings
 *   the deleted row back, and that undo must not be refused. A reference that names no row
 *   anyway (restored state) makes the Status Error, as TR-181's broken reference.
 *
 * Built with the rest of the simulated QoS in its deferred group: an idle fleet gateway builds
 * none of it, and a gateway that does holds two small options objects over its context.
 */
import { registerStored, type StoredOptions } from '../../datamodel/store/stored-binding.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Transaction } from '../../datamodel/tree/Transaction.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { num } from '../firewall-rule-checks.js';
import { ANNEX_A_PROTOCOLS, APP_PARAMS, appOf, appProblems, FLOW_PARAMS, flowFitsApp, flowProblems } from '../qos-dynamic-flow.js';
import { policerOf } from '../qos-rules.js';
import { canonicalizeReferences } from '../reference.js';
import type { BadParam } from '../stored-table.js';
import { invalidParams, type SimContext } from './SimContext.js';

export const SIM_QOS_FLOW_LIMITS = { App: 8, Flow: 16 } as const;
/** Device.QoS.AvailableAppList: the gateway takes every protocol TR-181 Annex A names. */
export const SIM_AVAILABLE_APPS = ANNEX_A_PROTOCOLS.join(',');
type Kind = keyof typeof SIM_QOS_FLOW_LIMITS;
type Row = Readonly<Record<string, Value>>;
const STATUS = ['Status'] as const;
/** The stored row `Device.QoS.<table>.<n>.`, if it exists. */
function rowOf(ctx: SimContext, table: 'App' | 'Policer', n: number | undefined): Row | undefined {
  return n === undefined ? undefined : ctx.store.row(`Device.QoS.${table}.${n}.`);
}

/** Whether a Policer reference is empty, or names a Policer row that is there and enabled. */
function policerUsable(ctx: SimContext, reference: Value | undefined): boolean {
  return String(reference ?? '') === '' || rowOf(ctx, 'Policer', policerOf(reference))?.Enable === true;
}

/** An App row's Status. */
function appStatus(ctx: SimContext, row: Row | undefined): 'Disabled' | 'Enabled' | 'Error' {
  if (row?.Enable !== true) return 'Disabled';
  return policerUsable(ctx, row.DefaultPolicer) ? 'Enabled' : 'Error';
}

/** One table's options: methods over one gateway's context, one copy of each for the fleet. */
class AppFlowOptions implements StoredOptions {
  readonly params: readonly string[];
  readonly liveParams = STATUS;

  constructor(
    private readonly ctx: SimContext,
    private readonly kind: Kind,
  ) {
    this.params = kind === 'App' ? APP_PARAMS : FLOW_PARAMS;
  }

  validate(keys: InstanceKeys, changes: Record<string, Value>): void {
    const adding = keys[0] === 0;
    const max = SIM_QOS_FLOW_LIMITS[this.kind];
    if (adding && this.ctx.store.instances(`Device.QoS.${this.kind}.`).length >= max) throw new UspError(ErrorCode.ResourcesExceeded, `the gateway holds at most ${max} ${this.kind} rows`);
    canonicalizeReferences(changes, this.kind === 'App' ? ['DefaultPolicer'] : ['App', 'Policer']);
    const row = { ...(adding ? {} : this.ctx.store.row(`Device.QoS.${this.kind}.${keys[0]}.`)), ...changes };
    const bad = this.kind === 'App' ? appProblems(row, ANNEX_A_PROTOCOLS) : flowProblems(row);
    if (bad.length > 0) throw invalidParams(bad);
  }

  liveValue(_name: string, keys: InstanceKeys): Value {
    const row = this.ctx.store.row(`Device.QoS.${this.kind}.${keys[0]}.`);
    if (this.kind === 'App') return appStatus(this.ctx, row);
    if (row?.Enable !== true) return 'Disabled';
    if (!policerUsable(this.ctx, row.Policer)) return 'Error';
    if (String(row.App ?? '') === '') return 'Enabled';
    const app = rowOf(this.ctx, 'App', appOf(row.App));
    return appStatus(this.ctx, app) === 'Enabled' && flowFitsApp(row.Type, app?.ProtocolIdentifier) ? 'Enabled' : 'Error';
  }
}

/**
 * A Classification's App (7012): an App row reference, with TrafficClass null (-1) beside it.
 * `row` is the Classification as it would be, `changes` the request.
 */
export function classificationAppProblems(row: Row, changes: Record<string, Value>): BadParam[] {
  canonicalizeReferences(changes, ['App']);
  const app = String(changes.App ?? row.App ?? '');
  if (app === '') return [];
  if (appOf(app) === undefined) return [{ param: 'App', message: `${app} is no Device.QoS.App.{i} row` }];
  if (num(row.TrafficClass) >= 0) {
    const param = changes.App === undefined ? 'TrafficClass' : 'App';
    return [{ param, message: 'App and TrafficClass are mutually exclusive: one of them must be null (App "", TrafficClass -1)' }];
  }
  return [];
}

/** Whether a Classification's App (if it names one) lets it take effect: the App is there and Enabled. */
export function classificationAppInEffect(ctx: SimContext, row: Row): boolean {
  return String(row.App ?? '') === '' || appStatus(ctx, rowOf(ctx, 'App', appOf(row.App))) === 'Enabled';
}

/** Strong references to a row of one table: the referring object and parameter. */
const REFERRERS: Readonly<Record<'App' | 'Policer', ReadonlyArray<readonly [string, string]>>> = {
  Policer: [
    ['Device.QoS.', 'DefaultPolicer'],
    ['Device.QoS.Classification.{i}.', 'Policer'],
    ['Device.QoS.App.{i}.', 'DefaultPolicer'],
    ['Device.QoS.Flow.{i}.', 'Policer'],
  ],
  App: [
    ['Device.QoS.Classification.{i}.', 'App'],
    ['Device.QoS.Flow.{i}.', 'App'],
  ],
};

/** Empties, in `tx`, every reference to `Device.QoS.<table>.<n>` (a row just deleted). */
async function emptyReferences(ctx: SimContext, tx: Transaction, table: 'App' | 'Policer', n: number): Promise<void> {
  const gone = `Device.QoS.${table}.${n}`;
  for (const [path, param] of REFERRERS[table]) {
    const node = ctx.model.requireNode(path);
    const instances = node.multi ? ctx.store.instances(node.tablePathOf([])).map((i) => [i]) : [[]];
    for (const keys of instances) {
      if (ctx.store.row(node.pathOf(keys))?.[param] === gone) await tx.set({ node, keys }, { [param]: '' });
    }
  }
}

/** Serves Device.QoS.App.{i}. and Device.QoS.Flow.{i}.; a deleted Policer or App leaves no reference behind. */
export function registerQosDynamicFlow(ctx: SimContext): void {
  for (const kind of ['App', 'Flow'] as const) registerStored(ctx.model, ctx.store, `Device.QoS.${kind}.{i}.`, new AppFlowOptions(ctx, kind));
  for (const table of ['Policer', 'App'] as const) ctx.model.onDelete(`Device.QoS.${table}.{i}.`, (deleted, tx) => emptyReferences(ctx, tx, table, deleted.keys[0]!));
}
