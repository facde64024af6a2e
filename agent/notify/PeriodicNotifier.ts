/**
 * Device.LocalAgent.Periodic! (TR-181 LocalAgent:1; TP-469 1.59): each controller with an Event
 * subscription covering it gets the event every Controller.{i}.PeriodicNotifInterval seconds,
 * phased on PeriodicNotifTime (the Unknown Time, or no absolute time, lets the agent choose:
 * here the moment the schedule starts).
 */
import { sharedInterval } from '../../datamodel/shared-interval.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { UNKNOWN_TIME } from '../../datamodel/value/Value.js';
import { coversItem } from './reference-match.js';
import type { SubscriptionEngine } from './SubscriptionEngine.js';
import type { SubscriptionIndex } from './SubscriptionIndex.js';

const TICK_MS = 250;
const OBJ = 'Device.LocalAgent.';
const EVENT = 'Periodic!';

export class PeriodicNotifier {
  /** Controller Endpoint ID → next time (epoch ms) its Periodic! is due. */
  private readonly next = new Map<string, number>();
  private stopTimer?: () => void;
  private busy = false;
  /**
   * The index version the schedule was computed at, and the earliest due time then: until either
   * moves, a tick only compares two numbers (a fleet runs thousands of these every 250 ms).
   */
  private computedAt = -1;
  private earliest = 0;

  constructor(
    private readonly model: DataModel,
    private readonly index: SubscriptionIndex,
    private readonly engine: SubscriptionEngine,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.stopTimer ??= sharedInterval(TICK_MS, () => {
      if (!this.busy && (this.computedAt !== this.index.version || this.now() >= this.earliest)) void this.tick();
    });
  }
  stop(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const version = this.index.version;
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
      this.earliest = Math.min(Infinity, ...this.next.values());
      this.computedAt = version;
    } finally {
      this.busy = false;
    }
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
