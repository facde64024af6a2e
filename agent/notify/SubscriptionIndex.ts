/**
 * The enabled Device.LocalAgent.Subscription.{i} rows, compiled for matching: references parsed
 * once, the recipient resolved to its controller's Endpoint ID and retry settings. Kept up to
 * date per changed row: a change to a Subscription row recompiles that row, a change of a
 * controller's settings the rows it is the Recipient of, so the work after one Add, Set or
 * Delete does not grow with the table (issue "Resource bounds": 10,000 rows).
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { Value } from '../../datamodel/value/Value.js';
import { unionRoles } from '../access/AccessControl.js';
import { parseReference, type Reference } from './reference-match.js';
import { parseTriggerConfigSettings, type TriggerAction, type TriggerSetting } from './trigger-config.js';
import type { Change, ChangeObserver } from '../../datamodel/tree/ChangeFeed.js';

export type NotifType = 'ValueChange' | 'ObjectCreation' | 'ObjectDeletion' | 'OperationComplete' | 'Event';

export interface CompiledSubscription {
  instance: number;
  path: string;
  id: string;
  type: NotifType;
  references: Reference[];
  recipientEid: string;
  /** The recipient's AssignedRole, for its notify (n) rights. */
  recipientRoles: string;
  notifRetry: boolean;
  notifExpiration: number;
  persistent: boolean;
  /** Epoch ms when it expires (TimeToLive), or 0. */
  expiresAt: number;
  retryMinWaitS: number;
  retryMultiplier: number;
  /** Notify, Config (apply triggerConfig instead) or NotifyAndConfig. */
  triggerAction: TriggerAction;
  /** TriggerConfigSettings, parsed (checked when written; an unparsable stored value applies nothing). */
  triggerConfig: TriggerSetting[];
}

/** What a subscription takes from the Controller row its Recipient names. */
interface ControllerInfo {
  eid: string;
  enabled: boolean;
  minWait: number;
  mult: number;
  roles: string;
}

/** The compiled table: every row's Recipient, the enabled rows compiled, and their lists. */
interface Compiled {
  /** Recipient (controller path, no trailing dot) of every row, compiled or not. */
  recipientOf: Map<number, string>;
  /** Rows by Recipient, to recompile those of a controller whose settings changed. */
  byRecipient: Map<string, Set<number>>;
  controllers: Map<string, ControllerInfo>;
  /** Enabled rows of enabled controllers, by instance number. */
  rows: Map<number, CompiledSubscription>;
  /**
   * Ascending by instance, as the table lists them. Replaced, never changed in place: a caller
   * may still be iterating the list it was given while the next change is applied.
   */
  sorted: CompiledSubscription[];
  byType: Map<string, CompiledSubscription[]>;
}

const NOTHING_DIRTY: ReadonlySet<number> = new Set();

/** Told whenever a Subscription or Controller row changed (SubscriptionIndex.onChange). */
export interface IndexListener {
  indexChanged(): void;
}

export class SubscriptionIndex implements ChangeObserver {
  private state?: Compiled;
  /** Subscription rows changed since the last update (bounded by the table's rows); made at the first change. */
  private dirty?: Set<number>;
  /** A change the compiled state does not include yet. */
  private stale = true;
  private updating?: Promise<void>;
  private changes = 0;
  /** Told of every version change (PeriodicNotifier, the TimeToLive expiry): a fixed few, one per consumer. */
  private readonly changeListeners = new Set<IndexListener>();
  readonly subscriptionNode: ModelNode;
  readonly controllerNode: ModelNode;

  constructor(private readonly model: DataModel) {
    this.subscriptionNode = model.requireNode('Device.LocalAgent.Subscription.{i}.');
    this.controllerNode = model.requireNode('Device.LocalAgent.Controller.{i}.');
    model.changes.observe(this);
  }

  /** The change feed's observer method (ChangeFeed.observe: no closure per gateway). */
  modelChanged(c: Change): void {
    let n: ModelNode | undefined = c.inst.node;
    while (n && n !== this.subscriptionNode && n !== this.controllerNode) n = n.parent;
    if (!n) return;
    // A controller change needs no row of its own: every update re-reads the controllers.
    if (n === this.subscriptionNode) (this.dirty ??= new Set<number>()).add(c.inst.keys[0]!);
    this.stale = true;
    this.bump();
    // mayHave() is true from now on: a resting churn learns its rows now, so every row that
    // comes or goes after this Subscription is reported (TR-369 ObjectCreation/ObjectDeletion).
    this.model.changes.objectChangesMayBeWanted();
  }

  /** Moves with every change of a Subscription or Controller row: what was computed from them at an older version may be stale. */
  get version(): number {
    return this.changes;
  }

  /**
   * Calls `l.indexChanged()` whenever `version` moves (synchronously, inside the change). Lets work that depends
   * on the rows wait on a timer for its next due time instead of polling `version`: a fleet of
   * 10,000 gateways polling it every 250 ms spent most of its idle CPU doing so (issue 14).
   * offChange(l) stops the calls.
   */
  onChange(l: IndexListener): void {
    // An object, not a function: its method is one copy for a fleet where a closure is one per gateway (issue 14).
    this.changeListeners.add(l);
  }

  /** Stops what onChange(l) started. */
  offChange(l: IndexListener): void {
    this.changeListeners.delete(l);
  }

  /** Compiles everything again at the next use. */
  invalidate(): void {
    this.state = undefined;
    this.stale = true;
    this.bump();
  }

  private bump(): void {
    this.changes++;
    for (const l of this.changeListeners) l.indexChanged();
  }

  async all(): Promise<CompiledSubscription[]> {
    return (await this.current()).sorted;
  }

  /** Whether a Subscription of one of `types` may exist: true unless the compiled state is current and has none. */
  mayHave(types: readonly NotifType[]): boolean {
    if (this.stale || this.updating || !this.state) return true;
    // A loop, not some(): polled by every agent of a fleet, a closure per call fed the GC.
    for (const t of types) if ((this.state.byType.get(t)?.length ?? 0) > 0) return true;
    return false;
  }

  async ofType(type: NotifType): Promise<CompiledSubscription[]> {
    return (await this.current()).byType.get(type) ?? [];
  }

  /** The compiled state with every change so far; one update runs at a time. */
  private async current(): Promise<Compiled> {
    while (this.stale || this.updating) {
      if (!this.updating) {
        this.stale = false;
        this.updating = this.update().finally(() => {
          this.updating = undefined;
        });
      }
      await this.updating;
    }
    return this.state!;
  }

  private async update(): Promise<void> {
    const dirty = this.dirty ?? NOTHING_DIRTY;
    this.dirty = undefined;
    try {
      if (!this.state) this.state = await this.build();
      else await this.apply(this.state, dirty);
    } catch (e) {
      // Half applied: start again from the table at the next use.
      this.invalidate();
      throw e;
    }
  }

  private async build(): Promise<Compiled> {
    const controllers = await this.readControllers();
    const st: Compiled = { recipientOf: new Map(), byRecipient: new Map(), controllers, rows: new Map(), sorted: [], byType: new Map() };
    for (const n of await this.model.listInstances(this.subscriptionNode, [], {})) {
      const sub = this.compileRow(st, n, await this.readRow(n));
      if (!sub) continue;
      st.sorted.push(sub);
      const list = st.byType.get(sub.type);
      if (list) list.push(sub);
      else st.byType.set(sub.type, [sub]);
    }
    return st;
  }

  /**
   * Recompiles the changed rows and the rows of every controller whose settings changed. The
   * controllers are re-read each time (as a whole rebuild did): InheritedRole follows the
   * controller's connection and changes without a change of its row.
   */
  private async apply(st: Compiled, dirty: ReadonlySet<number>): Promise<void> {
    const controllers = await this.readControllers();
    const todo = new Set(dirty);
    for (const path of new Set([...controllers.keys(), ...st.controllers.keys()])) {
      if (!sameController(controllers.get(path), st.controllers.get(path))) for (const n of st.byRecipient.get(path) ?? []) todo.add(n);
    }
    st.controllers = controllers;
    if (todo.size === 0) return;
    const instances = await this.model.listInstances(this.subscriptionNode, [], {});
    const sorted = [...st.sorted];
    const types = new Map<string, CompiledSubscription[]>();
    /** The list of `type`, copied once per update before it is changed. */
    const listOf = (type: string): CompiledSubscription[] => {
      let list = types.get(type);
      if (!list) {
        list = [...(st.byType.get(type) ?? [])];
        types.set(type, list);
      }
      return list;
    };
    for (const n of todo) {
      const old = st.rows.get(n);
      if (old) {
        removeSorted(sorted, n);
        removeSorted(listOf(old.type), n);
      }
      const sub = includesSorted(instances, n) ? this.compileRow(st, n, await this.readRow(n)) : this.forget(st, n);
      if (sub) {
        insertSorted(sorted, sub);
        insertSorted(listOf(sub.type), sub);
      }
    }
    st.sorted = sorted;
    for (const [type, list] of types) {
      if (list.length > 0) st.byType.set(type, list);
      else st.byType.delete(type);
    }
  }

  private async readControllers(): Promise<Map<string, ControllerInfo>> {
    const { model } = this;
    const controllers = new Map<string, ControllerInfo>();
    for (const n of await model.listInstances(this.controllerNode, [], {})) {
      const v = await model.readValues({ node: this.controllerNode, keys: [n] }, {});
      controllers.set(`Device.LocalAgent.Controller.${n}`, {
        eid: String(v.EndpointID ?? ''),
        enabled: v.Enable === true,
        roles: unionRoles(String(v.AssignedRole ?? ''), String(v.InheritedRole ?? '')),
        minWait: Number(v.USPNotifRetryMinimumWaitInterval ?? 5),
        mult: Number(v.USPNotifRetryIntervalMultiplier ?? 2000),
      });
    }
    return controllers;
  }

  private readRow(n: number): Promise<Record<string, Value>> {
    return this.model.readValues({ node: this.subscriptionNode, keys: [n] }, {});
  }

  /** Records row `n`'s Recipient and compiles it; undefined when it does not notify (disabled, no usable controller). */
  private compileRow(st: Compiled, n: number, v: Record<string, Value>): CompiledSubscription | undefined {
    this.forget(st, n);
    const recipient = String(v.Recipient ?? '').replace(/\.$/, '');
    st.recipientOf.set(n, recipient);
    const owned = st.byRecipient.get(recipient);
    if (owned) owned.add(n);
    else st.byRecipient.set(recipient, new Set([n]));
    const sub = compile(n, v, st.controllers.get(recipient));
    if (sub) st.rows.set(n, sub);
    return sub;
  }

  /** Drops row `n` from the maps (its lists are the caller's). */
  private forget(st: Compiled, n: number): undefined {
    const recipient = st.recipientOf.get(n);
    if (recipient !== undefined) {
      const owned = st.byRecipient.get(recipient);
      owned?.delete(n);
      if (owned?.size === 0) st.byRecipient.delete(recipient);
      st.recipientOf.delete(n);
    }
    st.rows.delete(n);
    return undefined;
  }
}

function compile(n: number, v: Record<string, Value>, ctrl: ControllerInfo | undefined): CompiledSubscription | undefined {
  if (v.Enable !== true || !ctrl || !ctrl.enabled || !ctrl.eid) return undefined;
  const ttl = Number(v.TimeToLive ?? 0);
  const created = Date.parse(String(v.CreationDate ?? ''));
  return {
    instance: n,
    path: `Device.LocalAgent.Subscription.${n}.`,
    id: String(v.ID ?? ''),
    type: String(v.NotifType) as NotifType,
    references: String(v.ReferenceList ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(parseReference)
      .filter((r): r is Reference => r !== undefined),
    recipientEid: ctrl.eid,
    recipientRoles: ctrl.roles,
    notifRetry: v.NotifRetry === true,
    notifExpiration: Number(v.NotifExpiration ?? 0),
    persistent: v.Persistent === true,
    expiresAt: ttl > 0 && Number.isFinite(created) ? created + ttl * 1000 : 0,
    retryMinWaitS: ctrl.minWait,
    retryMultiplier: ctrl.mult,
    triggerAction: (['Config', 'NotifyAndConfig'].includes(String(v.TriggerAction)) ? v.TriggerAction : 'Notify') as TriggerAction,
    triggerConfig: triggerSettings(String(v.TriggerConfigSettings ?? '')),
  };
}

function sameController(a: ControllerInfo | undefined, b: ControllerInfo | undefined): boolean {
  if (!a || !b) return a === b;
  return a.eid === b.eid && a.enabled === b.enabled && a.roles === b.roles && a.minWait === b.minWait && a.mult === b.mult;
}

/** Index of the first entry of `list` (ascending by instance) at or after instance `n`. */
function lowerBound<T>(list: readonly T[], n: number, key: (t: T) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(list[mid]!) < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const instanceOf = (s: CompiledSubscription): number => s.instance;

function includesSorted(list: readonly number[], n: number): boolean {
  return list[lowerBound(list, n, (x) => x)] === n;
}

function insertSorted(list: CompiledSubscription[], sub: CompiledSubscription): void {
  list.splice(lowerBound(list, sub.instance, instanceOf), 0, sub);
}

function removeSorted(list: CompiledSubscription[], n: number): void {
  const i = lowerBound(list, n, instanceOf);
  if (list[i]?.instance === n) list.splice(i, 1);
}

function triggerSettings(text: string): TriggerSetting[] {
  try {
    return parseTriggerConfigSettings(text);
  } catch {
    return [];
  }
}
