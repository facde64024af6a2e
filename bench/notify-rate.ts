/**
 * Notifies delivered per second: pipelined Sets of one parameter from one controller, a new value
 * each, while subscribed controllers count the ValueChange Notifies that reach them. One window
 * per call; windows of the same case from alternating rounds are summed by rateFigures.
 */
import type { BenchClient } from './client.js';
import { figure } from './figure.js';
import { notifyOf, type SubscriberPeer } from './notify-peer.js';
import { runPipeline } from './pipeline.js';
import { quantileSorted, round } from './stats.js';

export interface RateOptions {
  /** The parameter the Sets change ("Device.X.1.Name"); slot i sets it to `pc-<i>`. */
  paramPath: string;
  slots: number;
  inFlight: number;
  warmupMs: number;
  measureMs: number;
}

interface ControllerCount {
  /** Notifies that arrived inside the measured window. */
  inWindow: number;
  /** Notifies received minus Sets sent during the whole run (warm-up and tail included). */
  surplus: number;
  /** Places where a Notify's value is not the next slot's. */
  breaks: number;
}

export interface RateWindow {
  sets: number;
  answers: number;
  seconds: number;
  latencies: Float64Array;
  controllers: ControllerCount[];
}

/** Checks the Notifies `sub` received since `mark` and counts them. */
function countController(sub: SubscriberPeer, mark: number, id: string, opts: RateOptions, sets: number, from: number, to: number): ControllerCount {
  const arrived = sub.arrivals.slice(mark);
  // Sets go out in slot order and the agent commits and notifies them in that order, so each
  // Notify's value is the next slot's; a break in that sequence is a Notify out of turn.
  let breaks = 0;
  let prev = -1;
  for (const a of arrived) {
    const n = notifyOf(a.record);
    if (n.subscriptionId !== id || n.notification !== 'valueChange' || n.valueChange.paramPath !== opts.paramPath) throw new Error(`unexpected Notify: ${JSON.stringify(n)}`);
    const slot = Number(n.valueChange.paramValue.slice('pc-'.length));
    if (prev >= 0 && slot !== (prev + 1) % opts.slots) breaks++;
    prev = slot;
  }
  return { inWindow: sub.countBetween(from, to), surplus: arrived.length - sets, breaks };
}

/** One pipelined window; `subs[i]` holds the enabled subscription with ID `ids[i]`. */
export async function rateWindow(setter: BenchClient, records: Buffer[], cursor: { next: number }, subs: SubscriberPeer[], ids: string[], opts: RateOptions): Promise<RateWindow> {
  const marks = subs.map((s) => s.arrivals.length);
  const sentBefore = cursor.next;
  const t0 = performance.now(); // runPipeline starts its clock in the same tick
  const run = await runPipeline(setter, records, { inFlight: opts.inFlight, warmupMs: opts.warmupMs, measureMs: opts.measureMs }, cursor);
  const from = t0 + opts.warmupMs;
  const to = from + opts.measureMs;
  await Promise.all(subs.map((s) => s.settle()));
  const sets = cursor.next - sentBefore;
  return {
    sets,
    answers: run.answers,
    seconds: run.seconds,
    latencies: run.latenciesMs,
    controllers: subs.map((s, i) => countController(s, marks[i]!, ids[i]!, opts, sets, from, to)),
  };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** The figures of one case (0, 1 or 3 subscribed controllers) over its windows. */
export function rateFigures(windows: RateWindow[]): Record<string, unknown> {
  const seconds = sum(windows.map((w) => w.seconds));
  const lat = Float64Array.from(windows.flatMap((w) => [...w.latencies])).sort();
  const out: Record<string, unknown> = {
    setsPerSecond: figure(Math.round(sum(windows.map((w) => w.answers)) / seconds), 'Sets/s'),
    setRespP50_ms: round(quantileSorted(lat, 0.5), 3),
    setRespP99_ms: round(quantileSorted(lat, 0.99), 3),
    roundsSetsPerSecond: windows.map((w) => Math.round(w.answers / w.seconds)),
    setsSent: sum(windows.map((w) => w.sets)),
  };
  const controllers = windows[0]?.controllers.length ?? 0;
  if (controllers === 0) return out;
  const perController = Array.from({ length: controllers }, (_, i) => Math.round(sum(windows.map((w) => w.controllers[i]!.inWindow)) / seconds));
  return {
    ...out,
    notifiesPerSecondTotal: figure(sum(perController), 'Notifies/s'),
    notifiesPerSecondPerController: perController,
    roundsNotifiesPerSecondTotal: windows.map((w) => Math.round(sum(w.controllers.map((c) => c.inWindow)) / w.seconds)),
    // 0 = exactly one Notify per change; > 0 = extra Notifies, < 0 = lost ones.
    notifiesMinusSetsPerController: Array.from({ length: controllers }, (_, i) => sum(windows.map((w) => w.controllers[i]!.surplus))),
    // A Notify whose value is not the next Set's; one extra, stale Notify makes two breaks.
    sequenceBreaksPerController: Array.from({ length: controllers }, (_, i) => sum(windows.map((w) => w.controllers[i]!.breaks))),
  };
}
