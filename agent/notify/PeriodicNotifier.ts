/**
 * Device.LocalAgent.Periodic! (TR-181 LocalAgent:1; TP-469 1.59): each controller with an Event
 * subscription covering it gets the event every Controller.{i}.PeriodicNotifInterval seconds,
 * phased on PeriodicNotifTime (the Unknown Time, or no absolute time, lets the agent choose:
 * here the moment the schedule starts).
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { UNKNOWN_TIME } from '../../datamodel/value/Value.js';
import { DueTimer, type DueTarget } from './due-timer.js';
import { coversItem } from './reference-match.js';
import type { SubscriptionEngine } from './SubscriptionEngine.js';
import type { IndexListener, SubscriptionIndex } from './SubscriptionIndex.js';

/** After a tick that failed. */
const RETRY_MS = 1000;
const OBJ = 'Device.LocalAgent.';
const EVENT = 'Periodic!';

export class PeriodicNotifier implements DueTarget, IndexListener {
  /** Controller Endpoint ID → next time (epoch ms) its Periodic! is due. */
  private readonly next = new Map<string, number>();
  private running = false;
  private busy = false;
  /**
   * The index version the schedule was computed at. The next tick runs at the earliest due time
   * or when a Subscription or Controller row changes (the version moves), never in between: a
   * fleet of 10,000 gateways polling every 250 ms spent most of its idle CPU on it (issue 14).
   */
  private computedAt = -1;
  private readonly timer: DueTimer;

  constructor(
    private readonly model: DataModel,
    private readonly index: SubscriptionIndex,
    private readonly engine: SubscriptionEngine,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = new DueTimer(this, now);
  }

  /** The next Periodic! is due (DueTimer). */
  due(): void {
    void this.tick();
  }

  /** A Subscription or Controller row changed: the schedule is looked at again (SubscriptionIndex.onChange). */
  indexChanged(): void {
    this.timer.soon();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.index.onChange(this);
    this.timer.soon();
  }
  stop(): void {
    this.running = false;
    this.index.offChange(this);
    this.timer.clear();
  }

  /** Read through a method: a tick that awaited may find the notifier stopped meanwhile. */
  private isRunning(): boolean {
    return this.running;
  }

  private async tick(): Promise<void> {
    // A tick under way looks at the version when it ends (below).
    if (this.busy || !this.running) return;
    this.busy = true;
    const version = this.index.version;
    let earliest = Infinity;
    try {
      const subs = [];
      for (const s of await this.index.ofType('Event')) if (await anyRef(this.model, s.references)) subs.push(s);
      const recipients = new Set(subs.map((s) => s.recipientEid));
      for (const eid of this.next.keys()) if (!recipients.has(eid)) this.next.delete(eid);
      const t = this.now();
      for (const eid of recipients) {
        const { interval, phase } = await this.schedule(eid);
        let due = this.next.get(eid);
        if (due === undefined) {
          due = nextBoundary(phase ?? t, interval, t);
          this.next.set(eid, due);
        }
        if (t < due) continue;
        this.next.set(eid, nextBoundary(phase ?? due, interval, t));
        for (const s of subs) if (s.recipientEid === eid) this.engine.notify(s, { notification: 'event', event: { objPath: OBJ, eventName: EVENT, params: {} } });
      }
      for (const due of this.next.values()) earliest = Math.min(earliest, due);
      this.computedAt = version;
    } catch (e) {
      // Tried again a second later (the old 250 ms poll retried too); the error still surfaces.
      if (this.isRunning()) this.timer.at(this.now() + RETRY_MS);
      throw e;
    } finally {
      this.busy = false;
    }
    if (!this.isRunning()) return;
    // Rows changed while this tick read them: look again now, else at the next due time.
    if (this.computedAt !== this.index.version) this.timer.soon();
    else this.timer.at(earliest);
  }

  private async schedule(eid: string): Promise<{ interval: number; phase?: number }> {
    const node = this.index.controllerNode;
    for (const n of await this.model.listInstances(node, [], {})) {
      const v = await this.model.readValues({ node, keys: [n] }, {});
      if (v.EndpointID !== eid) continue;
      const interval = Math.max(1, Number(v.PeriodicNotifInterval ?? 1)) * 1000;
      const time = String(v.PeriodicNotifTime ?? UNKNOWN_TIME);
      const phase = time === UNKNOWN_TIME || time.startsWith('0001-') ? undefined : Date.parse(time);
      return { interval, phase: Number.isFinite(phase) ? phase : undefined };
    }
    return { interval: 60_000 };
  }
}

/** The first phase + k·interval strictly after `t`. */
function nextBoundary(phase: number, interval: number, t: number): number {
  const k = Math.floor((t - phase) / interval) + 1;
  return phase + k * interval;
}

async function anyRef(model: DataModel, refs: Parameters<typeof coversItem>[1][]): Promise<boolean> {
  for (const r of refs) if (await coversItem(model, r, OBJ, EVENT)) return true;
  return false;
}
