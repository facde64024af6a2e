/**
 * Pipelined load: keeps `inFlight` requests outstanding on one connection, for a warm-up and then
 * a measured window, and records each request's send→answer time. Requests go out in a fixed
 * cyclic order of slot Records (see requests.ts), which is what lets ws-echo answer with the
 * response recorded for the same slot.
 */
import type { BenchClient } from './client.js';
import { slotOf } from './requests.js';

export interface PipelineOptions {
  inFlight: number;
  warmupMs: number;
  measureMs: number;
}

export interface PipelineResult {
  /** Answers received inside the measured window. */
  answers: number;
  seconds: number;
  /** Send→answer times (ms) of the requests answered inside the window. */
  latenciesMs: Float64Array;
}

/**
 * Runs one pipelined window. `cursor` carries the position in the slot cycle across runs on the
 * same connection (ws-echo counts messages per connection).
 */
export function runPipeline(client: BenchClient, records: readonly Buffer[], opts: PipelineOptions, cursor: { next: number }): Promise<PipelineResult> {
  const slots = records.length;
  if (slots < opts.inFlight * 2) throw new Error('need at least twice as many slot Records as requests in flight');
  const sentAt = new Float64Array(slots);
  const pending = new Uint8Array(slots);
  const latencies = new Float64Array(Math.ceil(opts.measureMs * 200) + 1024);
  let answers = 0;
  let outstanding = 0;

  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const measureFrom = t0 + opts.warmupMs;
    const measureTo = measureFrom + opts.measureMs;
    let stopped = false;

    const fail = (e: Error): void => {
      stopped = true;
      client.listen(() => undefined);
      reject(e);
    };
    const sendNext = (): void => {
      const slot = cursor.next % slots;
      if (pending[slot]) {
        fail(new Error(`slot ${slot} reused while still unanswered (answers out of order?)`));
        return;
      }
      cursor.next++;
      pending[slot] = 1;
      outstanding++;
      sentAt[slot] = performance.now();
      client.send(records[slot]!);
    };

    client.listen((answer) => {
      const now = performance.now();
      const slot = slotOf(answer);
      if (slot < 0 || slot >= slots || !pending[slot]) {
        fail(new Error(`unexpected answer (${answer.length} bytes, slot ${slot})`));
        return;
      }
      pending[slot] = 0;
      outstanding--;
      if (now >= measureFrom && now < measureTo) {
        if (answers < latencies.length) latencies[answers] = now - sentAt[slot]!;
        answers++;
      }
      if (stopped) return;
      if (now < measureTo) {
        sendNext();
        return;
      }
      if (outstanding === 0) {
        stopped = true;
        client.listen(() => undefined);
        resolve({ answers, seconds: opts.measureMs / 1000, latenciesMs: latencies.slice(0, Math.min(answers, latencies.length)) });
      }
    });
    for (let i = 0; i < opts.inFlight; i++) sendNext();
    // A stalled peer must not hang the bench.
    setTimeout(
      () => {
        if (!stopped) fail(new Error(`pipeline stalled with ${outstanding} unanswered`));
      },
      opts.warmupMs + opts.measureMs + 10_000,
    ).unref();
  });
}
