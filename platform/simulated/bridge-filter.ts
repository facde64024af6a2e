/**
 * Device.Bridging.Filter.{i}. of the simulated gateway (TR-181 BridgeFilter:1, BridgeFilter:2,
 * BridgeL3L4Filter:1): a configuration table kept in the store, its rows checked when written
 * and their Status computed on read; `classify` says what the simulated switch does with a frame
 * arriving on a port (frameClassifierOf; bridge-filter-rules.ts: the lowest-Order matching Filter admits it, a port
 * with enabled Filters drops what none matches).
 *
 * - Interface must name an existing Bridge.{i}.Port.{i}, Bridge an existing Bridge.{i} or
 *   Bridge.{i}.VLAN.{i}, and both the same bridge (TR-181: "MUST relate to the same bridge").
 * - VLANIDFilter other than 0 needs a VLAN row with that VLANID on the bridge (TR-181: Status
 *   must not be Enabled otherwise; checked on read, the VLAN row may go later).
 * - Status: Disabled; Error_Misconfigured while Bridge or Interface is empty or names a row that
 *   is gone, or VLANIDFilter names no VLAN of the bridge; else Enabled.
 * - Order (TR-106): a row given the Order another holds goes before it, and the rows at or after
 *   it move down by one.
 *
 * Costs a fleet gateway nothing until a Controller adds a row: the options are one class
 * instance over the gateway's context (its methods on the prototype), the rows in its store.
 */
import { registerStored, type StoredOptions } from '../../datamodel/store/stored-binding.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { FILTER_PARAMS, filterMatches, filterProblems, type Frame, inOrder, missingReferences, nextOrder } from '../bridge-filter-rules.js';
import { canonicalizeReferences } from '../reference.js';
import { invalidParams, type SimContext } from './SimContext.js';

/** Device.Bridging.MaxFilterEntries of the simulated switch. */
export const MAX_FILTERS = 32;

const FILTER = 'Device.Bridging.Filter.{i}.';
const TABLE = 'Device.Bridging.Filter.';
const LIVE_PARAMS = ['Status'] as const;
const BRIDGE_RE = /^Device\.Bridging\.Bridge\.(\d+)(?:\.VLAN\.(\d+))?$/;
const PORT_RE = /^Device\.Bridging\.Bridge\.(\d+)\.Port\.(\d+)$/;

/** What the Filter table needs of the gateway's bridges (bridging.ts's view of them). */
export interface FilterBridges {
  list(): number[];
  /** Whether `ref` names VLAN.{i} (or, with `port`, Port.{i}) of bridge `b` that exists. */
  refersTo(ref: string, b: number, port: boolean): boolean;
  vlanIds(b: number): number[];
}

/** What a Filter's Bridge names: the bridge, and whether as one of its VLAN rows. */
interface Named {
  bridge: number;
  vlan: boolean;
}

/** What `classify` answers for a frame on a port: the Filter that admits it, dropped, or no Filter on that port. */
export type Classified = { admittedBy: number } | 'dropped' | 'unfiltered';

/** The Filter table's options: methods over one gateway's context, one copy for the fleet. */
class FilterOptions implements StoredOptions {
  readonly params = FILTER_PARAMS;
  readonly liveParams = LIVE_PARAMS;
  private readonly node: ModelNode;

  constructor(
    private readonly ctx: SimContext,
    private readonly bridges: FilterBridges,
  ) {
    this.node = ctx.model.requireNode(FILTER);
  }

  private rows(): Array<[number, Readonly<Record<string, Value>>]> {
    return this.ctx.store.instances(TABLE).map((n) => [n, this.ctx.store.row(this.node.pathOf([n])) ?? {}]);
  }

  private bridgeOf(ref: string): Named | undefined {
    const m = BRIDGE_RE.exec(ref);
    if (!m) return undefined;
    const b = Number(m[1]);
    if (!this.bridges.list().includes(b)) return undefined;
    if (m[2] === undefined) return { bridge: b, vlan: false };
    return this.bridges.refersTo(ref, b, false) ? { bridge: b, vlan: true } : undefined;
  }

  private portBridge(ref: string): number | undefined {
    const m = PORT_RE.exec(ref);
    return m && this.bridges.list().includes(Number(m[1])) && this.bridges.refersTo(ref, Number(m[1]), true) ? Number(m[1]) : undefined;
  }

  initial(): Record<string, Value> {
    return { Order: nextOrder(this.rows()) };
  }

  validate(keys: InstanceKeys, changes: Record<string, Value>): void {
    const adding = keys[0] === 0;
    if (adding && this.ctx.store.instances(TABLE).length >= MAX_FILTERS) throw new UspError(ErrorCode.ResourcesExceeded, `the switch holds at most ${MAX_FILTERS} Filters (MaxFilterEntries)`);
    canonicalizeReferences(changes, ['Bridge', 'Interface']);
    const row = { ...(adding ? {} : this.ctx.store.row(this.node.pathOf(keys))), ...changes };
    const bad = filterProblems(row);
    const bridgeRef = String(row.Bridge ?? '');
    const portRef = String(row.Interface ?? '');
    const named = bridgeRef === '' ? undefined : this.bridgeOf(bridgeRef);
    const portBridge = portRef === '' ? undefined : this.portBridge(portRef);
    if (changes.Bridge !== undefined && bridgeRef !== '' && !named) bad.push({ param: 'Bridge', message: `${bridgeRef} is no Device.Bridging.Bridge.{i} or Bridge.{i}.VLAN.{i} row` });
    if (changes.Interface !== undefined && portRef !== '' && portBridge === undefined) bad.push({ param: 'Interface', message: `${portRef} is no Device.Bridging.Bridge.{i}.Port.{i} row` });
    if (named && portBridge !== undefined && named.bridge !== portBridge) {
      bad.push({
        param: changes.Bridge !== undefined ? 'Bridge' : 'Interface',
        message: `Interface is a port of Bridge.${portBridge}, Bridge names Bridge.${named.bridge}: both must relate to the same bridge`,
      });
    }
    if (bad.length > 0) throw invalidParams(bad);
  }

  onChange(keys: InstanceKeys, changes: Record<string, Value>): void {
    if (changes.Order === undefined) return;
    const order = Number(changes.Order);
    const rows = this.rows();
    if (!rows.some(([n, r]) => n !== keys[0] && Number(r.Order ?? 0) === order)) return;
    for (const [n, r] of rows) if (n !== keys[0] && Number(r.Order ?? 0) >= order) this.ctx.store.setRow(this.node.pathOf([n]), { ...r, Order: Number(r.Order) + 1 });
  }

  liveValue(_name: string, keys: InstanceKeys): Value {
    const row = this.ctx.store.row(this.node.pathOf(keys)) ?? {};
    if (row.Enable !== true) return 'Disabled';
    return this.operable(row) ? 'Enabled' : 'Error_Misconfigured';
  }

  /** Whether an enabled row's references still name rows of one bridge, and its VLAN one of that bridge's VLANs. */
  private operable(row: Readonly<Record<string, Value>>): boolean {
    if (missingReferences(row).length > 0) return false;
    const named = this.bridgeOf(String(row.Bridge));
    const portBridge = this.portBridge(String(row.Interface));
    if (!named || named.bridge !== portBridge) return false;
    const vid = Number(row.VLANIDFilter ?? 0);
    if (vid === 0) return true;
    return this.bridges.vlanIds(named.bridge).includes(vid);
  }

  /** What the switch does with `frame` arriving on port `portRef` (no trailing dot). */
  classify(portRef: string, frame: Frame): Classified {
    const on = this.rows().filter(([, r]) => r.Enable === true && String(r.Interface ?? '') === portRef && this.operable(r));
    if (on.length === 0) return 'unfiltered';
    const hit = inOrder(on).find(([, r]) => filterMatches(r, frame));
    return hit ? { admittedBy: hit[0] } : 'dropped';
  }
}

/** The simulated switch's classifier. */
export interface FrameClassifier {
  classify(portRef: string, frame: Frame): Classified;
}

/** Each gateway's classifier by its model (weak: a gateway gone takes it along). */
const classifiers = new WeakMap<DataModel, FrameClassifier>();

/** The classifier of the gateway serving `model`, if it serves the Filter table. */
export function frameClassifierOf(model: DataModel): FrameClassifier | undefined {
  return classifiers.get(model);
}

/** Serves Device.Bridging.Filter.{i}. */
export function registerBridgeFilters(ctx: SimContext, bridges: FilterBridges): void {
  const opts = new FilterOptions(ctx, bridges);
  registerStored(ctx.model, ctx.store, FILTER, opts);
  classifiers.set(ctx.model, opts);
}
