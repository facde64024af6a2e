/**
 * Notification figures for `npm run bench` (the `notifications` key), or alone:
 *
 *   npm run build && node dist/bench/notify.js
 *
 * Against the agent PROCESS over WebSocket (spawned like the rest of the bench, with three more
 * controllers in its factory defaults): controller-1 Sets Device.LocalAgent.Controller.1.
 * ProvisioningCode, and subscriber controllers each hold a ValueChange subscription on it.
 * - Set sent → Notify received, one Set at a time (the target: the Notify leaves within
 *   100 ms);
 * - Notifies delivered per second with Sets pipelined (32 in flight) to 0, 1 and 3 subscribers
 *   (notify-rate.ts).
 * Then in-process: the cost of one polling pass over ~100 and ~10,000 subscribed parameters
 * (notify-poll.ts).
 *
 * ProvisioningCode lives in a Controller row, so every Set also makes the SubscriptionIndex
 * rebuild its compiled subscriptions: that cost is part of these figures.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DefaultsFile } from '../agent/defaults/apply-defaults.js';
import { CONTROLLER_EID, benchDefaults } from './agent-config.js';
import { BenchClient } from './client.js';
import { figure } from './figure.js';
import { measurePollingPass } from './notify-poll.js';
import { expectSuccess, notifyOf, setParam, SubscriberPeer } from './notify-peer.js';
import { rateFigures, rateWindow, type RateWindow } from './notify-rate.js';
import { freePort } from './port.js';
import { answerMsg, requestRecord } from './requests.js';
import { AGENT_BIN, spawnListening, type RunningProcess } from './spawn-agent.js';
import { quantileSorted, round } from './stats.js';
import { runAlone } from './run-alone.js';

const SUBSCRIBERS = ['proto::bench-subscriber-1', 'proto::bench-subscriber-2', 'proto::bench-subscriber-3'];
const OBJ = 'Device.LocalAgent.Controller.1.';
const PARAM = 'ProvisioningCode';
const LATENCY_SETS = 500;
const LATENCY_WARMUP = 50;
const IN_FLIGHT = 32;
const SLOTS = 256;
const WARMUP_MS = 500;
const MEASURE_MS = 2500;
const ROUNDS = 2;
/** Subscribed controllers per delivery-rate case. */
const CASES = [0, 1, 3] as const;
const NOTIFY_TIMEOUT_MS = 5000;

async function spawnNotifyAgent(): Promise<RunningProcess> {
  const port = await freePort();
  const defaults: DefaultsFile = benchDefaults(port);
  SUBSCRIBERS.forEach((eid, i) => {
    const row = `Device.LocalAgent.Controller.${i + 2}.`;
    defaults[`${row}EndpointID`] = eid;
    defaults[`${row}Enable`] = true;
    defaults[`${row}AssignedRole`] = 'Device.LocalAgent.ControllerTrust.Role.1';
  });
  const dir = mkdtempSync(join(tmpdir(), 'usp-agent-bench-notify-'));
  const file = join(dir, 'defaults.json');
  writeFileSync(file, JSON.stringify(defaults));
  const args = [AGENT_BIN, 'run', '--defaults', file, '--data-dir', join(dir, 'data'), '--platform', 'simulated', '--log-level', 'warn'];
  return spawnListening(args, port, 'agent (notifications)', () => rmSync(dir, { recursive: true, force: true }));
}

const ms3 = (v: number): number => round(v, 3);

/** One Set at a time from controller-1; each waits for both its SetResp and the subscriber's Notify of its value. */
async function setToNotify(setter: BenchClient, sub: SubscriberPeer): Promise<Record<string, unknown>> {
  const total = LATENCY_WARMUP + LATENCY_SETS;
  // Fixed-width values, so one is never a substring of another and a byte search finds its Notify.
  const value = (i: number): string => `lat-${String(i).padStart(5, '0')}`;
  const records = Array.from({ length: total }, (_, i) => requestRecord(`lat-${i}`, setParam(OBJ, PARAM, value(i))));
  const from = sub.arrivals.length;
  const notifyMs: number[] = [];
  const respMs: number[] = [];
  for (let i = 0; i < total; i++) {
    const wanted = Buffer.from(value(i));
    const notified = new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no Notify within ${NOTIFY_TIMEOUT_MS} ms of Set ${i}`)), NOTIFY_TIMEOUT_MS);
      // Matched by value: a Notify from the agent's 5 s polling pass may arrive in between.
      sub.onNotify = (at, record) => {
        if (record.indexOf(wanted) < 0) return;
        clearTimeout(t);
        sub.onNotify = undefined;
        resolve(at);
      };
    });
    const sentAt = performance.now();
    const answered = setter.request(records[i]!).then((a) => ({ at: performance.now(), a }));
    const [notifyAt, resp] = await Promise.all([notified, answered]);
    expectSuccess(answerMsg(resp.a));
    if (i >= LATENCY_WARMUP) {
      notifyMs.push(notifyAt - sentAt);
      respMs.push(resp.at - sentAt);
    }
  }
  const got = sub.arrivals.slice(from).map((a) => notifyOf(a.record));
  const values = new Set<string>();
  for (const n of got) {
    if (n.notification !== 'valueChange' || n.valueChange.paramPath !== OBJ + PARAM) throw new Error(`unexpected Notify: ${JSON.stringify(n)}`);
    values.add(n.valueChange.paramValue);
  }
  for (let i = 0; i < total; i++) if (!values.has(value(i))) throw new Error(`no Notify carried the value of Set ${i}`);
  const n = Float64Array.from(notifyMs).sort();
  const r = Float64Array.from(respMs).sort();
  return {
    note: `controller-1 Sets ${OBJ}${PARAM} (a new value each time), one at a time; a second controller holds a ValueChange subscription on it; Set sent → Notify received on the subscriber's WebSocket, ${LATENCY_SETS} Sets after ${LATENCY_WARMUP} warm-up; each Set's Notify found by its value, every Notify decoded and checked; extraNotifies = Notifies beyond one per Set (from the agent's polling pass); the agent sends the Notify after the commit has written state.json (fsync of file and directory in the data directory under the OS temp dir), like the SetResp`,
    notifyP50: figure(ms3(quantileSorted(n, 0.5)), 'ms'),
    notifyP99: figure(ms3(quantileSorted(n, 0.99)), 'ms', { op: '<=', value: 100 }, 'issue target: the Notify leaves within 100 ms'),
    notifyMax: figure(ms3(n[n.length - 1]!), 'ms'),
    setRespP50: figure(ms3(quantileSorted(r, 0.5)), 'ms', undefined, 'Set sent → SetResp received on the setter, same Sets'),
    setRespP99: figure(ms3(quantileSorted(r, 0.99)), 'ms'),
    samples: n.length,
    extraNotifies: got.length - total,
  };
}

export async function measureNotifications(progress: (s: string) => void): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const out: Record<string, unknown> = {};
  progress('notifications: spawning the agent process (controller-1 and three subscribers)');
  const agent = await spawnNotifyAgent();
  try {
    const setter = await BenchClient.connect(agent.url, CONTROLLER_EID);
    const subs = await Promise.all(SUBSCRIBERS.map((eid) => SubscriberPeer.connect(agent.url, eid)));
    // msg_ids in the "bench-" + 6-digit slot form pipeline.ts/requests.ts expect; a new value per slot.
    const records = Array.from({ length: SLOTS }, (_, i) => requestRecord(`bench-${String(i).padStart(6, '0')}`, setParam(OBJ, PARAM, `pc-${i}`)));
    const cursor = { next: 0 };
    const ids = SUBSCRIBERS.map((_, i) => `bench-vc-${i + 1}`);

    await subs[0]!.subscribe(ids[0]!, 'ValueChange', OBJ + PARAM);
    progress(`notifications: Set → Notify latency, ${LATENCY_SETS} Sets`);
    out.setToNotifyLatency = await setToNotify(setter, subs[0]!);

    // The cases alternate within each round (enabling and disabling the subscriptions), so a
    // slow spell of the shared machine does not fall on one case only.
    for (let i = 1; i < subs.length; i++) {
      await subs[i]!.subscribe(ids[i]!, 'ValueChange', OBJ + PARAM);
      await subs[i]!.enableSubscription(false);
    }
    const enabled = [true, false, false];
    const windows = new Map<number, RateWindow[]>(CASES.map((k) => [k, []]));
    const rate = { paramPath: OBJ + PARAM, slots: SLOTS, inFlight: IN_FLIGHT, warmupMs: WARMUP_MS, measureMs: MEASURE_MS };
    for (let r = 0; r < ROUNDS; r++) {
      for (const k of CASES) {
        for (let i = 0; i < subs.length; i++) {
          if (enabled[i] !== i < k) {
            await subs[i]!.enableSubscription(i < k);
            enabled[i] = i < k;
          }
        }
        progress(`notifications: pipelined Sets, ${k} subscribed controller(s), round ${r + 1}/${ROUNDS}`);
        windows.get(k)!.push(await rateWindow(setter, records, cursor, subs.slice(0, k), ids.slice(0, k), rate));
      }
    }
    out.deliveryRate = {
      note: `controller-1 Sets ${OBJ}${PARAM} with ${IN_FLIGHT} Sets in flight (a new value each); each subscribed controller holds its own ValueChange subscription on it and counts the Notifies arriving in the measured window; cases alternate over ${ROUNDS} rounds of ${WARMUP_MS} ms warm-up + ${MEASURE_MS} ms measured; every Notify decoded and checked afterwards; the agent also runs its ValueChange polling pass every 5 s (default interval)`,
      noSubscriber: rateFigures(windows.get(0)!),
      oneController: rateFigures(windows.get(1)!),
      threeControllers: rateFigures(windows.get(3)!),
    };
    await setter.close();
    await Promise.all(subs.map((s) => s.close()));
  } finally {
    await agent.stop();
  }
  progress('notifications: in-process polling pass');
  out.pollingPass = await measurePollingPass(progress);
  out.durationS = round((performance.now() - t0) / 1000, 1);
  return out;
}

// Run alone: node dist/bench/notify.js
runAlone(import.meta.url, 'notifications', measureNotifications);
