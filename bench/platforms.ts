/**
 * Platform figures for `npm run bench` (the `platforms` key), or alone:
 *
 *   npm run build && node dist/bench/platforms.js
 *
 * Whole-tree `Get Device.` in-process through handleGet, on a DataModel holding one platform's
 * providers only (no Device.LocalAgent., so the counts are the platform's own): the simulated
 * gateway, OpenWrt, Linux and ModemManager, the last three over fake hosts built from the
 * recorded outputs in test/fixtures (platform-fakes.ts). For the command-backed platforms two
 * cases: every Get reading its sources afresh (the runner's cache emptied first: a controller
 * polling less often than the cache age of 1-2 s) and a Get inside the cache window. External
 * command calls per Get come from the platform's CommandRunner counter, cross-checked against the
 * fake tools' own invocation logs. Then the idle CPU of the simulated agent process (idle-cpu.ts).
 */
import { encodeMsg, responseMsg } from '../agent/codec/msg.js';
import type { GetReq, GetResp } from '../agent/codec/types.js';
import { handleGet } from '../agent/handlers/handle-get.js';
import type { HandlerContext } from '../agent/handlers/HandlerContext.js';
import { OperationRunner } from '../agent/operate/OperationRunner.js';
import { silentLogger } from '../datamodel/Logger.js';
import { Schema } from '../datamodel/schema/Schema.js';
import { DataModel } from '../datamodel/tree/DataModel.js';
import { CommandRunner } from '../platform/exec/CommandRunner.js';
import { registerLinuxPlatform } from '../platform/linux/index.js';
import { registerModemManagerPlatform } from '../platform/modemmanager/index.js';
import { registerOpenWrtPlatform } from '../platform/openwrt/index.js';
import { registerSimulatedPlatform } from '../platform/simulated/index.js';
import { figure } from './figure.js';
import { measureIdleCpu } from './idle-cpu.js';
import { loadFigures, loadMark } from './load.js';
import { fakeLinux, fakeMmcli, fakeOpenWrt, type FakeHost } from './platform-fakes.js';
import { countGetRespParams } from './requests.js';
import { median, round } from './stats.js';
import { runAlone } from './run-alone.js';

const GET_DEVICE: GetReq = { paramPaths: ['Device.'], maxDepth: 0 };
const COLD_BUDGET_MS = 700;
const CACHED_BUDGET_MS = 300;
const SIMULATED_BUDGET_MS = 700;

interface Subject {
  model: DataModel;
  /** The runner whose cache is emptied before a fresh read and whose `calls` are counted. */
  runner?: CommandRunner;
  host?: FakeHost;
  stop(): void;
}

interface Sample {
  ms: number;
  calls: number;
}

function context(model: DataModel): HandlerContext {
  return { model, req: {}, log: silentLogger, operations: new OperationRunner(model, silentLogger) };
}

function paramsOf(resp: GetResp): { params: number; objects: number; bytes: number } {
  const msg = responseMsg('bench-platform', { respType: 'getResp', getResp: resp });
  return { params: countGetRespParams(msg), objects: resp.reqPathResults[0]?.resolvedPathResults?.length ?? 0, bytes: encodeMsg(msg).length };
}

/** Whole-tree Gets for about `budgetMs` (at least `minReps`); `fresh` empties the command cache before each. */
async function timeGets(h: HandlerContext, s: Subject, fresh: boolean, budgetMs: number, minReps: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  const end = performance.now() + budgetMs;
  while (samples.length < minReps || performance.now() < end) {
    if (fresh) s.runner?.invalidate();
    const c0 = s.runner?.calls ?? 0;
    const t = performance.now();
    await handleGet(h, GET_DEVICE);
    samples.push({ ms: performance.now() - t, calls: (s.runner?.calls ?? 0) - c0 });
  }
  return samples;
}

const usPerParam = (ms: number, params: number): number => round((ms * 1000) / params, 3);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Calls per command line per Get over a run of `reps` Gets, from the runner's own counts. */
function callsByCommand(before: Map<string, number>, runner: CommandRunner, reps: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [line, n] of runner.callCounts()) {
    const d = n - (before.get(line) ?? 0);
    if (d > 0) out[line] = round(d / reps, 2);
  }
  return out;
}

async function measureSubject(name: string, s: Subject, note: string): Promise<Record<string, unknown>> {
  const h = context(s.model);
  try {
    // Warm-up: JIT, and one-time work such as mmcli --signal-setup.
    let size = paramsOf(await handleGet(h, GET_DEVICE));
    for (let i = 0; i < 3; i++) size = paramsOf(await handleGet(h, GET_DEVICE));
    if (!s.runner) {
      const t = await timeGets(h, s, false, SIMULATED_BUDGET_MS, 10);
      const ms = median(t.map((x) => x.ms));
      return {
        note,
        ...size,
        wholeTreeGet: figure(usPerParam(ms, size.params), 'µs/param'),
        wholeTreeGet_ms: round(ms, 3),
        commandCallsPerGet: figure(0, 'calls', undefined, 'no external commands: every value is computed in-process'),
        repetitions: t.length,
      };
    }
    const runner = s.runner;
    const byCommandBefore = new Map(runner.callCounts());
    const logBefore = s.host?.invocations() ?? 0;
    const cold = await timeGets(h, s, true, COLD_BUDGET_MS, 10);
    const coldLog = (s.host?.invocations() ?? 0) - logBefore;
    const byCommand = callsByCommand(byCommandBefore, runner, cold.length);
    const cached = await timeGets(h, s, false, CACHED_BUDGET_MS, 10);
    const coldMs = median(cold.map((x) => x.ms));
    const cachedMs = median(cached.map((x) => x.ms));
    const callCounts = new Set(cold.map((x) => x.calls));
    return {
      note,
      ...size,
      freshRead: {
        note: "the runner's command cache emptied before every Get, so each Get runs its external commands",
        wholeTreeGet: figure(usPerParam(coldMs, size.params), 'µs/param'),
        wholeTreeGet_ms: round(coldMs, 3),
        commandCallsPerGet: figure(round(mean(cold.map((x) => x.calls)), 2), 'calls', undefined, callCounts.size === 1 ? 'the same on every Get' : `varied: ${[...callCounts].join(', ')}`),
        callsByCommand: byCommand,
        fakeToolInvocationsPerGet: round(coldLog / cold.length, 2),
        repetitions: cold.length,
      },
      withinCacheWindow: {
        note: "Gets right after one another, answers served from the runner's cache while they are younger than its max age",
        wholeTreeGet: figure(usPerParam(cachedMs, size.params), 'µs/param'),
        wholeTreeGet_ms: round(cachedMs, 3),
        commandCallsPerGet: figure(round(mean(cached.map((x) => x.calls)), 2), 'calls', undefined, 'mean; a cache entry that expires mid-run costs one call'),
        repetitions: cached.length,
      },
    };
  } catch (e) {
    throw new Error(`${name}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    s.stop();
  }
}

export async function measurePlatforms(progress: (s: string) => void): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const load0 = loadMark();
  const schema = Schema.load();
  const out: Record<string, unknown> = {
    note: "Get Device. (max_depth 0) in-process through handleGet, one at a time, on a DataModel holding only the platform's providers (no Device.LocalAgent.); µs per returned parameter = median Get time / parameters; fake tools are /bin/sh scripts that cat the recorded outputs (one fork+exec of sh and one of cat per call; a real ubus/mmcli also waits on its daemon)",
  };

  progress('platforms: simulated');
  {
    const model = new DataModel(schema);
    const sim = registerSimulatedPlatform(model, { seed: 1 });
    out.simulated = await measureSubject('simulated', { model, stop: sim.stop }, 'the simulated 5G gateway (seed 1), all values computed in-process');
  }

  progress('platforms: OpenWrt over fake ubus/uci');
  {
    const host = fakeOpenWrt();
    const model = new DataModel(schema);
    const p = registerOpenWrtPlatform(model, { commandPath: host.bin, log: silentLogger });
    await p.ready;
    out.openwrt = await measureSubject(
      'openwrt',
      {
        model,
        runner: p.runner,
        host,
        stop: () => {
          p.stop();
          host.cleanup();
        },
      },
      'recorded D-Link COVR-X1860 (OpenWrt 23.05): ubus call system board/info, network.device status, network.interface dump, network.wireless status, iwinfo info/assoclist per up BSS; default cache age 2000 ms; registerOpenWrtPlatform(...).runner.calls',
    );
  }

  progress('platforms: Linux over a fake /sys, /proc, /etc and ip');
  {
    const host = fakeLinux();
    const model = new DataModel(schema);
    const runner = new CommandRunner({ commandPath: host.bin, log: silentLogger });
    const p = registerLinuxPlatform(model, { sysRoot: host.sysRoot, procRoot: host.procRoot, etcRoot: host.etcRoot, persistentPath: host.dir, runner, log: silentLogger });
    out.linux = await measureSubject(
      'linux',
      {
        model,
        runner,
        host,
        stop: () => {
          p.stop();
          host.cleanup();
        },
      },
      'recorded Debian 12 VM: sysfs/procfs values read on every Get (not counted as commands); the /sys/class/net device scan, `ip -j addr show` and `ip -4 -json route show table main` reused for 1000 ms; calls from the CommandRunner passed in',
    );
  }

  progress('platforms: ModemManager over a fake mmcli');
  {
    const host = fakeMmcli();
    const model = new DataModel(schema);
    const runner = new CommandRunner({ commandPath: host.bin, log: silentLogger });
    const p = registerModemManagerPlatform(model, { runner, vendorPrefix: 'X_EXAMPLE-COM_', log: silentLogger });
    out.modemManager = await measureSubject(
      'modemmanager',
      {
        model,
        runner,
        host,
        stop: () => {
          p.stop();
          host.cleanup();
        },
      },
      'recorded Quectel RM500Q (5G NSA): Device.Cellular. only, from mmcli -L/-m/-b/-i -J and --signal-get (default cache ages 2000 ms, signal 3000 ms; --signal-setup runs once, in the warm-up); vendor SINR served with X_EXAMPLE-COM_',
    );
  }

  out.idleCpu = await measureIdleCpu(progress);
  out.loadAverage = loadFigures(load0);
  out.durationS = round((performance.now() - t0) / 1000, 1);
  return out;
}

// Run alone: node dist/bench/platforms.js
runAlone(import.meta.url, 'platforms', measurePlatforms);
