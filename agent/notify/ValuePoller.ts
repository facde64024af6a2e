/**
 * ValueChange for values that change behind the agent's back (a platform counter, a Wi-Fi
 * channel the driver picked): every interval, read only the parameters some ValueChange
 * subscription references and compare with what was last seen. The cost grows with the number
 * of subscribed parameters, not with the size of the tree. Parameters GetSupportedDM reports as
 * VALUE_CHANGE_WILL_IGNORE (counters, clocks) are not polled; changes made through the agent
 * are notified at once by SubscriptionEngine and only update the snapshot here.
 */
import { sharedInterval } from '../../datamodel/shared-interval.js';
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode, ObjectInstance } from '../../datamodel/tree/ModelNode.js';
import { readSubtree, type ObjectValues } from '../../datamodel/tree/read-object.js';
import { PathResolver, expandTables } from '../../datamodel/tree/resolve-path.js';
import { UspError } from '../../datamodel/UspError.js';
import { formatParam } from '../handlers/format-params.js';
import { ignoresValueChange } from '../handlers/value-change-policy.js';
import type { SubscriptionEngine } from './SubscriptionEngine.js';
import type { CompiledSubscription, IndexListener, SubscriptionIndex } from './SubscriptionIndex.js';

export const DEFAULT_POLL_INTERVAL_MS = 5000;
const VALUE_CHANGE = ['ValueChange'] as const;

export class ValuePoller implements IndexListener {
  /** Subscription path → parameter path → last value seen. */
  private get seen(): Map<string, Map<string, string>> {
    return (this.seenOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private seenOf?: Map<string, Map<string, string>>;
  /** Values the engine notified while a pass was reading: newer than what the pass read. */
  private get duringPass(): Map<string, Map<string, string>> {
    return (this.duringPassOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private duringPassOf?: Map<string, Map<string, string>>;
  private stopTimer?: () => void;
  /** Listening to the Subscription index (between start and stop). */
  private listening = false;
  private polling = false;

  constructor(
    private readonly model: DataModel,
    private readonly index: SubscriptionIndex,
    private readonly engine: SubscriptionEngine,
    private readonly log: Logger,
    private readonly intervalMs = DEFAULT_POLL_INTERVAL_MS,
  ) {
    engine.valueWatch = this;
  }

  /** The engine sent a ValueChange: not to be reported a second time by the next pass. */
  valueNotified(sub: CompiledSubscription, path: string, value: string): void {
    this.seen.get(sub.path)?.set(path, value);
    this.duringPass.get(sub.path)?.set(path, value);
  }

  /**
   * Polls on the shared timer while a ValueChange Subscription may exist (or a snapshot is left to
   * forget), and leaves it otherwise until a Subscription or Controller row changes
   * (SubscriptionIndex.onChange): 10,000 idle fleet gateways were still 2,000 calls a second
   * that only found nothing to poll (issue 14).
   */
  start(): void {
    if (!this.listening) this.index.onChange(this);
    this.listening = true;
    this.syncTimer();
  }
  stop(): void {
    this.index.offChange(this);
    this.listening = false;
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  /** Without ValueChange Subscriptions (and nothing left to forget) a pass would read nothing. */
  private wanted(): boolean {
    return (this.seenOf?.size ?? 0) > 0 || this.index.mayHave(VALUE_CHANGE);
  }

  /** IndexListener: a Subscription or Controller row changed. */
  indexChanged(): void {
    this.syncTimer();
  }

  private syncTimer(): void {
    if (!this.listening) return;
    if (!this.wanted()) {
      this.stopTimer?.();
      this.stopTimer = undefined;
      return;
    }
    this.stopTimer ??= sharedInterval(this.intervalMs, () => {
      if (this.polling) return;
      if (this.wanted()) void this.poll();
      else this.syncTimer();
    });
  }

  /** One pass; returns how many parameters were read (for the bench). */
  async poll(): Promise<number> {
    if (this.polling) return 0;
    this.polling = true;
    let read = 0;
    try {
      const subs = await this.index.ofType('ValueChange');
      const live = new Set(subs.map((s) => s.path));
      for (const key of this.seen.keys()) if (!live.has(key)) this.seen.delete(key);
      for (const sub of subs) read += await this.pollOne(sub);
    } catch (e) {
      this.log.error('value poll failed', { error: e instanceof Error ? e.message : String(e) });
    } finally {
      this.polling = false;
    }
    return read;
  }

  private async pollOne(sub: CompiledSubscription): Promise<number> {
    const current = new Map<string, string>();
    const where = new Map<string, { inst: ObjectInstance; param: string }>();
    const notified = new Map<string, string>();
    this.duringPass.set(sub.path, notified);
    try {
      for (const ref of sub.references) await this.read(ref.parsed, current, where);
      // Changes committed while reading are reported by the engine; let it catch up, then trust
      // its values over ours, so a pass never reports an older value after a newer one.
      await this.engine.idle();
    } finally {
      this.duringPass.delete(sub.path);
    }
    for (const [path, value] of notified) current.set(path, value);
    const before = this.seen.get(sub.path);
    this.seen.set(sub.path, current);
    // The first pass only takes the baseline: a subscription reports changes from its creation on.
    if (!before) return current.size;
    for (const [path, value] of current) {
      const old = before.get(path);
      const at = where.get(path);
      if (old === undefined || old === value || !at) continue;
      await this.engine.notifyValueChange(sub, at.inst, at.param, value);
    }
    return current.size;
  }

  private async read(ref: CompiledSubscription['references'][number]['parsed'], out: Map<string, string>, where: Map<string, { inst: ObjectInstance; param: string }>): Promise<void> {
    try {
      const matches = await new PathResolver(this.model, {}).resolve(ref);
      if (ref.kind === 'parameter') {
        for (const m of matches) {
          const syntax = m.node.params.get(ref.leaf)!;
          if (ignored(this.model, m.node, ref.leaf)) continue;
          const v = await this.model.readValues(m, {});
          const path = m.node.pathOf(m.keys) + ref.leaf;
          out.set(path, formatParam(syntax, v[ref.leaf]));
          where.set(path, { inst: { node: m.node, keys: m.keys }, param: ref.leaf });
        }
        return;
      }
      if (ref.kind !== 'object') return;
      const objects: ObjectValues[] = [];
      for (const inst of await expandTables(this.model, matches, {})) await readSubtree(this.model, inst, 0, {}, objects);
      for (const o of objects) {
        for (const [name, syntax] of o.inst.node.params) {
          if (ignored(this.model, o.inst.node, name)) continue;
          out.set(o.path + name, formatParam(syntax, o.values[name]));
          where.set(o.path + name, { inst: o.inst, param: name });
        }
      }
    } catch (e) {
      if (!(e instanceof UspError)) throw e;
    }
  }
}

/**
 * Not polled: what GetSupportedDM reports VALUE_CHANGE_WILL_IGNORE, and objects whose values
 * change only through the agent's own transactions (stored configuration), which the engine
 * already reports the moment they commit.
 */
function ignored(model: DataModel, node: ModelNode, name: string): boolean {
  return model.bindingOf(node)?.changesOnlyThroughAgent === true || ignoresValueChange(node, name);
}
