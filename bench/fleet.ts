/**
 * Fleet figures (issue 14), alone or as the `fleet` key of `npm run bench` (1,000 gateways only):
 *
 *   npm run build && node dist/bench/fleet.js [--sizes 1000,10000] [--settle-s 120] [--idle-s 300] [--mtp mqtt|websocket]
 *
 * Per size N, `usp-agent fleet --count N` as its own process and a controller that
 * - with `--mtp mqtt` (the default), against one local Mosquitto (`max_connections -1`; it
 *   inherits this process's file limit, so run under `ulimit -n` above 2N): examples/fleet-defaults.json
 *   (MQTT 5, Boot! and Periodic! subscribed, PeriodicNotifInterval 300 s), the controller over
 *   MQTT (fleet-controller.ts);
 * - with `--mtp websocket`: examples/fleet-defaults-websocket.json (the same, each gateway
 *   dialling the controller's WebSocket server, one connection each), the controller a `ws`
 *   server in this process (fleet-ws-controller.ts; `ulimit -n` above 2N here too);
 * and that
 * - times the start: from spawn until every gateway's Boot! has arrived;
 * - measures fleet-wide Get throughput: `Get Device.DeviceInfo.SerialNumber` spread round-robin
 *   over all N gateways, IN_FLIGHT outstanding, for MEASURE_MS;
 * - reads its RSS after MEMORY_IDLE_MS without requests: KB per gateway = (RSS − bare Node RSS) / N,
 *   and at the same moment the fleet's own memory split (`--memory-report`, SIGUSR2: V8 heap,
 *   external, V8 malloc, the rest) less a bare Node's, per gateway, so the gap between RSS and
 *   heap is known;
 * - has every gateway answer one whole-tree Get (`Get Device.`, IN_FLIGHT outstanding), which
 *   builds every area a simulated gateway defers until first use (DataModel.registerDeferred),
 *   and reads the RSS again after SETTLE_MS: KB per gateway fully built;
 * - then, with no more requests, reads the fleet's CPU every second: over `--settle-s` (default
 *   120 s, reported apart as settleCpu: the Gets' own tail, chiefly the first full collection
 *   V8's memory reducer makes once the process is quiet, 8 to ~108 s after the last one), then
 *   over `--idle-s`, the idle figure (default: the defaults file's PeriodicNotifInterval, 300 s,
 *   so the window holds exactly one Periodic! of every gateway and whatever follows it, the
 *   memory reducer's later collections included), every gateway fully built (the heaviest idle
 *   state: the biggest heap to mark).
 * Then the same throughput against a fleet of one gateway (a single agent, same code, same broker
 * and controller), in the same run. The fleet inherits this process's environment:
 * `MALLOC_ARENA_MAX=2 node dist/bench/fleet.js` measures it as the Kubernetes Job runs it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Request, UspMsg } from '../agent/codec/types.js';
import type { AfterGc, MemorySplit } from '../agent/fleet/memory-report.js';
import { exitAsError, stopChild, track } from './children.js';
import { figure, type Figure } from './figure.js';
import { FleetController, type FleetEvent } from './fleet-controller.js';
import { FleetWsController } from './fleet-ws-controller.js';
import { startMosquitto } from './mosquitto.js';
import { cpuWindow, type CpuWindow } from './cpu-window.js';
import { memoryKiB, rssKiB } from './proc.js';
import { runAlone } from './run-alone.js';
import { round } from './stats.js';

const AGENT_BIN = fileURLToPath(new URL('../../bin/usp-agent.js', import.meta.url));
const FLEET_DEFAULTS = {
  mqtt: fileURLToPath(new URL('../../examples/fleet-defaults.json', import.meta.url)),
  websocket: fileURLToPath(new URL('../../examples/fleet-defaults-websocket.json', import.meta.url)),
};
const CONTROLLER_EID = 'proto::controller-1';
const CONTROLLER_TOPIC = 'usp/controller/controller-1';
const IN_FLIGHT = 64;
const WARMUP_MS = 1000;
const MEASURE_MS = 5000;
/** After the whole-tree Gets, before the idle window: the memory reducer's first collection (≤ ~108 s after the last one) falls in it. */
const DEFAULT_SETTLE_S = 120;
/** Without requests before the idle RSS is read (the old idle window's length, so the figure stays comparable). */
const MEMORY_IDLE_MS = 30_000;
/** After the whole-tree Gets, before the RSS is read again: the responses' garbage is collected meanwhile. */
const SETTLE_MS = 5000;
/** A whole-tree Get (~1,200 parameters) waits behind IN_FLIGHT - 1 others on a shared CPU (2 minutes was seen to pass at a load average of 15): more than a small Get's 10 s. */
const WHOLE_TREE_TIMEOUT_MS = 600_000;
/** The targets: per-gateway memory at 10,000 gateways, idle CPU of 10,000 with a 300 s Periodic!. */
const KB_PER_GATEWAY_TARGET = 100;
const IDLE_CPU_TARGET_PERCENT = 10;
const MEMORY_PREFIX = 'fleet memory: ';
const MEMORY_REPORT_MODULE = new URL('../agent/fleet/memory-report.js', import.meta.url).href;
const GET_SERIAL: Request = { reqType: 'get', get: { paramPaths: ['Device.DeviceInfo.SerialNumber'], maxDepth: 0 } };
const GET_WHOLE_TREE: Request = { reqType: 'get', get: { paramPaths: ['Device.'], maxDepth: 0 } };

/** How the gateways reach the controller. */
export type FleetMtp = keyof typeof FLEET_DEFAULTS;

/** The controller's side, whatever the MTP: gateway n is `proto::sim-<n>`. */
interface FleetPeer {
  request(n: number, request: Request, timeoutMs?: number): Promise<UspMsg>;
  agentsThatSent(name: string): number;
  /** Event notifications named `name` received since `since` (epoch ms), from every gateway. */
  eventsSince(name: string, since: number): number;
  waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void>;
}

/** The fleet's `--memory-report` line. */
type FleetMemory = MemorySplit & { gateways: number; afterGc?: AfterGc };

interface FleetProcess {
  child: ChildProcess;
  pid: number;
  spawnedAt: number;
  /** The fleet's memory split now (SIGUSR2, `--memory-report`). */
  memory(): Promise<FleetMemory>;
  stop(): Promise<number | null>;
}

function spawnFleet(defaults: string, dataDir: string, first: number, count: number): FleetProcess {
  const spawnedAt = performance.now();
  const child = track(
    // --expose-gc only lets --memory-report tell live objects from garbage, after the RSS was read.
    spawn(
      process.execPath,
      ['--expose-gc', AGENT_BIN, 'fleet', '--count', String(count), '--first', String(first), '--defaults', defaults, '--data-dir', dataDir, '--log-level', 'error', '--memory-report'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ),
  );
  exitAsError(child, 'fleet').catch(() => undefined);
  // Only the latest report is kept; memory() waits for the one its signal asked for.
  let waiting: ((m: FleetMemory) => void) | undefined;
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.startsWith(MEMORY_PREFIX) && waiting) {
        waiting(JSON.parse(line.slice(MEMORY_PREFIX.length)) as FleetMemory);
        waiting = undefined;
      }
    }
  });
  return {
    child,
    pid: child.pid!,
    spawnedAt,
    memory() {
      const got = new Promise<FleetMemory>((r) => (waiting = r));
      child.kill('SIGUSR2');
      return got;
    },
    async stop() {
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      await stopChild(child, 'SIGTERM', 90_000);
      return exited;
    },
  };
}

/** RSS of a bare Node process that only waits (the floor every process pays). */
async function bareNodeRssKiB(): Promise<number> {
  const child = track(spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' }));
  await new Promise((r) => setTimeout(r, 1000));
  const rss = rssKiB(child.pid!).total;
  await stopChild(child);
  return rss;
}

/** The same split in a bare Node process that loaded only memory-report.js, a second after its start. */
async function bareNodeMemory(): Promise<MemorySplit> {
  const script = `const { memorySplit } = await import(${JSON.stringify(MEMORY_REPORT_MODULE)}); setTimeout(() => console.log(JSON.stringify(memorySplit())), 1000);`;
  const child = track(spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] }));
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  await new Promise((r) => child.once('exit', r));
  return JSON.parse(out) as MemorySplit;
}

/** (fleet − bare) / n for every figure of the split, KiB per gateway. */
function perGateway(fleet: FleetMemory, bare: MemorySplit, n: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of ['rss', 'rssFile', 'heapTotal', 'heapPhysical', 'heapUsed', 'external', 'arrayBuffers', 'v8Malloced', 'other'] as const) out[k] = round((fleet[k] - bare[k]) / n, 1);
  // Live objects only (a full collection after the RSS was read), against the bare process's heap.
  if (fleet.afterGc) {
    out.heapLiveAfterGc = round((fleet.afterGc.heapUsed - bare.heapUsed) / n, 1);
    out.arrayBuffersLiveAfterGc = round((fleet.afterGc.arrayBuffers - bare.arrayBuffers) / n, 1);
    out.rssAfterGc = round((fleet.afterGc.rss - bare.rss) / n, 1);
  }
  for (const [name, s] of Object.entries(fleet.spaces)) {
    const b = bare.spaces[name] ?? { size: 0, used: 0, physical: 0 };
    out[`${name}.physical`] = round((s.physical - b.physical) / n, 1);
    out[`${name}.used`] = round((s.used - b.used) / n, 1);
  }
  return out;
}

function isGetResp(m: UspMsg): boolean {
  return m.body.msgBody === 'response' && m.body.response.respType === 'getResp';
}

/** Gets/s with IN_FLIGHT outstanding, spread round-robin over gateways first…first+count-1. */
async function getThroughput(controller: FleetPeer, first: number, count: number): Promise<number> {
  let next = 0;
  let done = 0;
  let counting = false;
  let stop = false;
  const worker = async (): Promise<void> => {
    while (!stop) {
      const n = first + (next++ % count);
      const m = await controller.request(n, GET_SERIAL);
      if (!isGetResp(m)) throw new Error(`gateway ${n} answered ${JSON.stringify(m.body).slice(0, 200)}`);
      if (counting) done++;
    }
  };
  const workers = Array.from({ length: IN_FLIGHT }, worker);
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  counting = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, MEASURE_MS));
  const rate = (done * 1000) / (performance.now() - t0);
  stop = true;
  await Promise.all(workers);
  return rate;
}

/** One whole-tree Get to each of gateways first…first+count-1, IN_FLIGHT outstanding. */
async function getWholeTreeOfEach(controller: FleetPeer, first: number, count: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const n = first + next++;
      const m = await controller.request(n, GET_WHOLE_TREE, WHOLE_TREE_TIMEOUT_MS);
      if (!isGetResp(m)) throw new Error(`gateway ${n} answered ${JSON.stringify(m.body).slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, worker));
}

async function waitForBoots(controller: FleetPeer, count: number, timeoutMs: number): Promise<void> {
  await controller.waitFor(() => controller.agentsThatSent('Boot!') >= count, timeoutMs, `Boot! from ${count} gateways (seen ${controller.agentsThatSent('Boot!')})`);
}

interface SizeResult {
  gateways: number;
  kbPerGateway: Figure;
  fleetRssKiB: number;
  /** After every gateway answered one whole-tree Get: every area of every gateway built. */
  kbPerGatewayWholeTreeRead: Figure;
  fleetRssAfterWholeTreeKiB: number;
  /**
   * Live V8 heap per gateway after a full collection, read after the RSS above: the state every
   * gateway keeps once read whole, without the garbage the Gets left (which the RSS still holds).
   */
  kbPerGatewayWholeTreeReadHeapLive?: Figure;
  bareNodeRssKiB: number;
  /** Where each gateway's KiB are, at the moment the RSS was read: the fleet's split less a bare Node's, divided by N. */
  memorySplitKiBPerGateway: Record<string, number>;
  /** The fleet's split itself, KiB. */
  fleetMemory: FleetMemory;
  /** The broker's RSS (MQTT only). */
  brokerRssKiB?: number;
  allAnnouncedS: Figure;
  getsPerS: Figure;
  singleAgentGetsPerS: Figure;
  idleCpuPercentOfCore: Figure;
  /** The idle window itself: its CPU-s and wall-s, the bursts in it and the floor outside them. */
  idleCpu: CpuWindow;
  /** Periodic! notifications the controller received during the idle window (one per gateway in a PeriodicNotifInterval). */
  idlePeriodicNotifications: number;
  /** The settle before it, right after the whole-tree Gets: the collection of what they left (the requests' cost, not idle). */
  settleCpu: CpuWindow;
  stopExitCode: number | null;
  /** SIGTERM until the fleet process exited. */
  stopS: number;
}

async function measureSize(
  controller: FleetPeer,
  brokerPid: number | undefined,
  defaults: string,
  dir: string,
  n: number,
  idleS: number,
  settleS: number,
  bareRss: number,
  bareMemory: MemorySplit,
  progress: (s: string) => void,
): Promise<SizeResult> {
  progress(`fleet of ${n}: starting`);
  const fleet = spawnFleet(defaults, join(dir, `fleet-${n}`), 1, n);
  await waitForBoots(controller, n, 60_000 + n * 100);
  const announcedS = (performance.now() - fleet.spawnedAt) / 1000;
  progress(`fleet of ${n}: every Boot! in ${round(announcedS, 1)} s; Get throughput`);
  const fleetRate = await getThroughput(controller, 1, n);
  progress(`fleet of ${n}: RSS after ${MEMORY_IDLE_MS / 1000} s without requests`);
  await new Promise((r) => setTimeout(r, MEMORY_IDLE_MS));
  const rss = memoryKiB(fleet.pid).rss;
  const split = await fleet.memory();
  const brokerRss = brokerPid === undefined ? undefined : rssKiB(brokerPid).total;
  progress(`fleet of ${n}: a whole-tree Get on every gateway`);
  await getWholeTreeOfEach(controller, 1, n);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const rssWhole = memoryKiB(fleet.pid).rss;
  progress(`fleet of ${n}: settling ${settleS} s, then idle CPU over ${idleS} s`);
  const settle = await cpuWindow(fleet.pid, settleS);
  const idleFrom = Date.now();
  const idle = await cpuWindow(fleet.pid, idleS);
  const periodic = controller.eventsSince('Periodic!', idleFrom);
  // After the idle window: the live-heap reading forces a full collection, which would otherwise
  // take the memory reducer's work out of the window.
  const splitWhole = await fleet.memory();
  progress(`fleet of ${n}: stopping`);
  const stopAt = performance.now();
  const code = await fleet.stop();
  const stopS = (performance.now() - stopAt) / 1000;
  progress('single agent (a fleet of one): Get throughput');
  const single = spawnFleet(defaults, join(dir, 'single'), 0, 1);
  await waitForBoots(controller, n + 1, 30_000);
  const singleRate = await getThroughput(controller, 0, 1);
  await single.stop();
  const kb = (rss - bareRss) / n;
  return {
    gateways: n,
    kbPerGateway: figure(
      round(kb, 1),
      'KiB',
      n >= 10_000 ? { op: '<=', value: KB_PER_GATEWAY_TARGET } : undefined,
      `(fleet RSS - bare Node RSS) / N, ${MEMORY_IDLE_MS / 1000} s after the Get throughput phase`,
    ),
    fleetRssKiB: rss,
    kbPerGatewayWholeTreeRead: figure(
      round((rssWhole - bareRss) / n, 1),
      'KiB',
      undefined,
      `(fleet RSS - bare Node RSS) / N, ${SETTLE_MS / 1000} s after every gateway answered one Get Device. (${IN_FLIGHT} in flight)`,
    ),
    fleetRssAfterWholeTreeKiB: rssWhole,
    kbPerGatewayWholeTreeReadHeapLive:
      splitWhole.afterGc &&
      figure(round((splitWhole.afterGc.heapUsed - bareMemory.heapUsed) / n, 1), 'KiB', undefined, '(fleet live heap after a full GC - bare Node heap) / N, read after the idle window'),
    bareNodeRssKiB: bareRss,
    memorySplitKiBPerGateway: perGateway(split, bareMemory, n),
    fleetMemory: split,
    brokerRssKiB: brokerRss,
    allAnnouncedS: figure(round(announcedS, 1), 's', undefined, 'spawn of `usp-agent fleet` (no --ramp) until every Boot! reached the controller'),
    getsPerS: figure(round(fleetRate, 0), 'Gets/s', undefined, `${IN_FLIGHT} in flight, round-robin over all gateways, one controller`),
    singleAgentGetsPerS: figure(round(singleRate, 0), 'Gets/s', undefined, `the same load on one gateway, same controller (and broker)`),
    idleCpuPercentOfCore: figure(
      idle.percentOfCore,
      '% of one core',
      n >= 10_000 ? { op: '<=', value: IDLE_CPU_TARGET_PERCENT } : undefined,
      `CPU-s / wall-s over ${idleS} s with no requests (PeriodicNotifInterval 300 s: ${periodic} Periodic! arrived in it), every gateway fully built, starting ${settleS} s after the whole-tree Gets`,
    ),
    idleCpu: idle,
    idlePeriodicNotifications: periodic,
    settleCpu: settle,
    stopExitCode: code,
    stopS: round(stopS, 1),
  };
}

/** The fleet's defaults file, pointed at `port` (the broker's, or the controller's WebSocket server's). */
function writeDefaults(mtp: FleetMtp, file: string, port: number): void {
  const d = JSON.parse(readFileSync(FLEET_DEFAULTS[mtp], 'utf8')) as Record<string, unknown>;
  d[mtp === 'mqtt' ? 'Device.MQTT.Client.1.BrokerPort' : 'Device.LocalAgent.Controller.1.MTP.1.WebSocket.Port'] = port;
  writeFileSync(file, JSON.stringify(d));
}

/** How many times, and how, the fleet is measured. */
export interface FleetBenchOptions {
  sizes?: readonly number[];
  /** The idle window, s; default the defaults file's PeriodicNotifInterval (one Periodic! of every gateway in it). */
  idleS?: number;
  /** Without requests between the whole-tree Gets and the idle window, s. */
  settleS?: number;
  mtp?: FleetMtp;
}

/** Events named `name` in `events` (agent → its notifications) that arrived at or after `since`. */
function countSince(events: ReadonlyMap<string, readonly FleetEvent[]>, name: string, since: number): number {
  let count = 0;
  for (const list of events.values()) for (const e of list) if (e.eventName === name && e.at >= since) count++;
  return count;
}

export async function measureFleet(progress: (s: string) => void, opts: FleetBenchOptions = {}): Promise<Record<string, unknown>> {
  const { sizes = [1000], settleS = DEFAULT_SETTLE_S, mtp = 'mqtt' } = opts;
  const idleS = opts.idleS ?? Number((JSON.parse(readFileSync(FLEET_DEFAULTS[mtp], 'utf8')) as Record<string, unknown>)['Device.LocalAgent.Controller.1.PeriodicNotifInterval']);
  if (!(idleS >= 1) || !(settleS >= 0)) throw new Error(`idle window ${idleS} s, settle ${settleS} s: at least 1 s and 0 s`);
  const dir = mkdtempSync(join(tmpdir(), 'usp-bench-fleet-'));
  const defaults = join(dir, 'fleet-defaults.json');
  const results: SizeResult[] = [];
  try {
    const bareRss = await bareNodeRssKiB();
    const bareMemory = await bareNodeMemory();
    if (mtp === 'mqtt') {
      const broker = await startMosquitto(['max_connections -1']);
      try {
        writeDefaults(mtp, defaults, broker.port);
        for (const n of sizes) {
          const c = await FleetController.connect(broker.port, CONTROLLER_EID, CONTROLLER_TOPIC);
          const peer: FleetPeer = {
            request: (g, r, t) => c.request(`proto::sim-${g}`, `usp/agent/sim-${g}`, r, t),
            agentsThatSent: (e) => c.agentsThatSent(e),
            eventsSince: (e, since) => countSince(c.events, e, since),
            waitFor: (d, t, w) => c.waitFor(d, t, w),
          };
          try {
            results.push(await measureSize(peer, broker.pid, defaults, dir, n, idleS, settleS, bareRss, bareMemory, progress));
          } finally {
            await c.close();
          }
        }
        return { mtp, broker: `mosquitto ${broker.version}`, fileLimit: 'inherited from the bench (ulimit -n)', sizes: results };
      } finally {
        await broker.stop();
      }
    }
    for (const n of sizes) {
      const c = await FleetWsController.listen(CONTROLLER_EID);
      writeDefaults(mtp, defaults, c.port);
      const peer: FleetPeer = {
        request: (g, r, t) => c.request(`proto::sim-${g}`, r, t),
        agentsThatSent: (e) => c.agentsThatSent(e),
        eventsSince: (e, since) => countSince(c.events, e, since),
        waitFor: (d, t, w) => c.waitFor(d, t, w),
      };
      try {
        results.push(await measureSize(peer, undefined, defaults, dir, n, idleS, settleS, bareRss, bareMemory, progress));
      } finally {
        await c.stop();
      }
    }
    return { mtp, controller: 'ws server in the bench process (loopback)', fileLimit: 'inherited from the bench (ulimit -n)', sizes: results };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function mtpArg(): FleetMtp {
  const v = argValue('--mtp') ?? 'mqtt';
  if (v !== 'mqtt' && v !== 'websocket') throw new Error(`--mtp ${v}: mqtt or websocket`);
  return v;
}

function secondsArg(name: string): number | undefined {
  const v = argValue(name);
  return v === undefined ? undefined : Number(v);
}

runAlone(import.meta.url, 'fleet', (progress) =>
  measureFleet(progress, { sizes: (argValue('--sizes') ?? '1000').split(',').map(Number), idleS: secondsArg('--idle-s'), settleS: secondsArg('--settle-s'), mtp: mtpArg() }),
);
