/**
 * `npm run bench`: the agent against a bare `ws` baseline on the same machine in one run, printed
 * as one JSON document on stdout (progress on stderr).
 *
 *   npm run -s bench > out.json          (-s keeps npm's banner out of the JSON)
 *   node dist/bench/run.js [--agent-cpu-prof DIR]
 *
 * --agent-cpu-prof DIR runs the long-lived agent process under `node --cpu-prof` (profile written
 * to DIR when it stops); `node dist/bench/cpu-profile-summary.js DIR/*.cpuprofile` then says where
 * the time of the load phases goes.
 *
 * Phases: start-up and RSS (agent and bare Node spawned alternately), memory after load and CPU
 * per Get beside bare-Node and ws-echo baselines (bench/memory-load.ts; alone:
 * `node dist/bench/memory-load.js`), pipelined Get against the
 * agent process and the echo process (alternating rounds), whole-tree Get and GetSupportedDM end
 * to end, then in-process handler and codec costs and what permission checks add
 * (bench/access-cost.ts; alone: `node dist/bench/access-cost.js`), then the cost of one commit at
 * 10 and 10,000 Subscription rows (bench/commit-cost.ts; alone: `node dist/bench/commit-cost.js`),
 * then one whole-tree Bulk Data report against a whole-tree Get and 20 Profiles at 1 s while
 * serving Gets (bench/bulkdata.ts; alone: `node dist/bench/bulkdata.js`) and the idle CPU of an
 * agent with 5 Profiles at 60 s (bench/bulkdata-idle.ts; alone: `node dist/bench/bulkdata-idle.js`),
 * then the profile report (bench/profiles.ts; alone: `node dist/bench/profiles.js`),
 * then notifications (bench/notify.ts: Set → Notify
 * latency and delivery rate against their own agent process, the polling-pass cost in-process;
 * alone: `node dist/bench/notify.js`), then transports (bench/transports.ts: MQTT, the WebSocket
 * client MTP, TLS; alone: `node dist/bench/transports.js`), then platforms (bench/platforms.ts:
 * whole-tree Get per platform, idle CPU; alone: `node dist/bench/platforms.js`), then a fleet of
 * 1,000 simulated gateways over MQTT (bench/fleet.ts; alone, also at 10,000: `node dist/bench/fleet.js --sizes 1000,10000`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchClient } from './client.js';
import { writeResponses } from './echo-responses.js';
import { figure, type Figure } from './figure.js';
import { measureAccessCost } from './access-cost.js';
import { measureCommitCost } from './commit-cost.js';
import { measureBulkData, measureBulkDataLoad } from './bulkdata.js';
import { measureBulkDataIdleCpu } from './bulkdata-idle.js';
import { measureSchemaLoad } from './schema-load.js';
import { measureProfiles } from './profiles.js';
import { measureInProcess } from './in-process.js';
import { measureMemoryLoad } from './memory-load.js';
import { measureNotifications } from './notify.js';
import { measurePlatforms } from './platforms.js';
import { measureFleet } from './fleet.js';
import { measureTransports } from './transports.js';
import { runPipeline, type PipelineResult } from './pipeline.js';
import { freePort } from './port.js';
import { cpuInfo, rssKiB } from './proc.js';
import { sourceInfo } from './source-info.js';
import { answerMsg, countGetRespParams, countSupportedDm, getParam, getSupportedDmAll, requestRecord, slottedRecords } from './requests.js';
import { CONTROLLER_EID } from './agent-config.js';
import { spawnAgent, spawnListening, type RunningProcess } from './spawn-agent.js';
import { agentLauncher, bareNodeLauncher, measureStarts, type StartSample } from './startup.js';
import { median, min, quantileSorted, round } from './stats.js';

const IN_FLIGHT = 32;
const SLOTS = 256;
const ROUNDS = 2;
const WARMUP_MS = 500;
const MEASURE_MS = 2500;
const STARTS = 5;
const SERIAL_PATH = 'Device.DeviceInfo.SerialNumber';

const progress = (s: string): void => {
  process.stderr.write(`[bench] ${s}\n`);
};

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Sequential request times (ms) for about `budgetMs` (at least `minReps`), and the last answer. */
async function sequential(client: BenchClient, record: Buffer, budgetMs: number, minReps: number): Promise<{ times: number[]; answer: Buffer }> {
  let answer = await client.request(record); // warm-up
  await client.request(record);
  const times: number[] = [];
  const end = performance.now() + budgetMs;
  while (times.length < minReps || performance.now() < end) {
    const t = performance.now();
    answer = await client.request(record);
    times.push(performance.now() - t);
  }
  return { times, answer };
}

function startFigures(agent: StartSample[], bare: StartSample[]): Record<string, unknown> {
  const a = agent.map((s) => s.startMs);
  const b = bare.map((s) => s.startMs);
  const rss = (samples: StartSample[], k: keyof StartSample['rss']): number => Math.round(median(samples.map((s) => s.rss[k])));
  const ar = rss(agent, 'total');
  const br = rss(bare, 'total');
  return {
    startup: {
      note: `spawn → first accepted TCP connection on the WebSocket port, polled every 2 ms; ${STARTS} runs each, alternating; the agent starts with a fresh data directory (factory defaults applied and saved)`,
      agentMedian: figure(round(median(a), 1), 'ms', { op: '<=', value: 300 }),
      agentMin: figure(round(min(a), 1), 'ms'),
      bareNodeMedian: figure(round(median(b), 1), 'ms', undefined, 'node -e "require(\'http\').createServer().listen(port)"'),
      bareNodeMin: figure(round(min(b), 1), 'ms'),
      ratioAgentToBareNode: figure(round(median(a) / median(b), 2), 'x (medians)', { op: '<=', value: 2 }),
      samplesMs: { agent: a.map((v) => round(v, 1)), bareNode: b.map((v) => round(v, 1)) },
    },
    memory: {
      note: 'VmRSS 1 s after the port first accepted a connection (medians of the start-up runs); anon = heap, stacks, V8 spaces; file = resident pages of the node binary and libraries (clean, shareable)',
      agentRss: figure(ar, 'KiB'),
      bareNodeRss: figure(br, 'KiB'),
      ratioAgentToBareNode: figure(round(ar / br, 2), 'x', { op: '<=', value: 1.6 }),
      split: {
        agent: { anonKiB: rss(agent, 'anon'), fileKiB: rss(agent, 'file') },
        bareNode: { anonKiB: rss(bare, 'anon'), fileKiB: rss(bare, 'file') },
      },
      samplesKiB: { agent: agent.map((s) => s.rss.total), bareNode: bare.map((s) => s.rss.total) },
    },
  };
}

async function spawnEcho(responsesFile: string): Promise<RunningProcess> {
  const port = await freePort();
  const script = fileURLToPath(new URL('./ws-echo.js', import.meta.url));
  return spawnListening([script, String(port), responsesFile], port, 'ws-echo');
}

interface Totals {
  answers: number;
  seconds: number;
  latencies: number[];
  rounds: number[];
}
const newTotals = (): Totals => ({ answers: 0, seconds: 0, latencies: [], rounds: [] });
function add(t: Totals, r: PipelineResult): void {
  t.answers += r.answers;
  t.seconds += r.seconds;
  t.rounds.push(Math.round(r.answers / r.seconds));
  for (const v of r.latenciesMs) t.latencies.push(v);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const profDir = argValue('--agent-cpu-prof');
  const work = mkdtempSync(join(tmpdir(), 'usp-bench-'));
  const out: Record<string, unknown> = {
    bench: 'usp-agent npm run bench',
    date: new Date().toISOString(),
    source: sourceInfo(),
    node: process.version,
    cpu: cpuInfo(),
    machineNote:
      'shared machine: other jobs may run at the same time, so absolute figures move 10-30 % between runs (see the per-round and per-sample figures); compare the agent with its baseline from the same run',
  };

  progress(`start-up and memory: agent and bare node, ${STARTS} runs each`);
  const agentStarts: StartSample[] = [];
  const bareStarts: StartSample[] = [];
  for (let i = 0; i < STARTS; i++) {
    agentStarts.push(...(await measureStarts(agentLauncher, 1)));
    bareStarts.push(...(await measureStarts(bareNodeLauncher, 1)));
  }
  const startMem = startFigures(agentStarts, bareStarts);

  progress('spawning the agent process');
  const agent = await spawnAgent(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []);
  let echo: RunningProcess | undefined;
  try {
    const client = await BenchClient.connect(agent.url, CONTROLLER_EID);
    const getRecords = slottedRecords(getParam(SERIAL_PATH), SLOTS);
    const recorded: Buffer[] = [];
    for (const r of getRecords) recorded.push(await client.request(r));
    if (countGetRespParams(answerMsg(recorded[0]!)) !== 1) throw new Error('the SerialNumber Get did not return one parameter');
    if (new Set(recorded.map((r) => r.length)).size !== 1) throw new Error('recorded GetResp Records differ in size');

    const responsesFile = join(work, 'responses.bin');
    writeResponses(responsesFile, recorded);
    echo = await spawnEcho(responsesFile);
    const echoClient = await BenchClient.connect(echo.url, CONTROLLER_EID);

    const opts = { inFlight: IN_FLIGHT, warmupMs: WARMUP_MS, measureMs: MEASURE_MS };
    const agentCursor = { next: 0 };
    const echoCursor = { next: 0 };
    const agentT = newTotals();
    const echoT = newTotals();
    for (let r = 0; r < ROUNDS; r++) {
      progress(`pipelined Get, round ${r + 1}/${ROUNDS}: agent`);
      add(agentT, await runPipeline(client, getRecords, opts, agentCursor));
      progress(`pipelined Get, round ${r + 1}/${ROUNDS}: ws echo`);
      add(echoT, await runPipeline(echoClient, getRecords, opts, echoCursor));
    }
    await echoClient.close();
    // The router profile (USP_AGENT_TURBOFAN=off, bin/usp-agent.js) turns TurboFan off to save
    // memory: the same rounds against it show what that costs in throughput.
    progress('pipelined Get: agent in the router profile (no TurboFan)');
    const routerAgent = await spawnAgent(['--no-turbofan']);
    const routerT = newTotals();
    try {
      const routerClient = await BenchClient.connect(routerAgent.url, CONTROLLER_EID);
      for (let r = 0; r < ROUNDS; r++) add(routerT, await runPipeline(routerClient, getRecords, opts, { next: 0 }));
      await routerClient.close();
    } finally {
      await routerAgent.stop();
    }
    const agentRate = agentT.answers / agentT.seconds;
    const echoRate = echoT.answers / echoT.seconds;
    const lat = Float64Array.from(agentT.latencies).sort();
    const echoLat = Float64Array.from(echoT.latencies).sort();
    out.pipelinedGet = {
      note: `Get ${SERIAL_PATH}, ${IN_FLIGHT} in flight on one WebSocket, ${ROUNDS} alternating rounds of ${WARMUP_MS} ms warm-up + ${MEASURE_MS} ms measured per peer; the echo process answers the identical request Records with the byte-identical GetResp Records recorded from the agent`,
      requestRecordBytes: getRecords[0]!.length,
      responseRecordBytes: recorded[0]!.length,
      agent: figure(Math.round(agentRate), 'requests/s'),
      wsEcho: figure(Math.round(echoRate), 'requests/s'),
      ratioAgentToEcho: figure(round(agentRate / echoRate, 3), 'x', { op: '>=', value: 0.37 }, 'the C reference agent (OB-USP-Agent) reaches 0.185 on this machine'),
      agentRouterProfile: figure(
        Math.round(routerT.answers / routerT.seconds),
        'requests/s',
        undefined,
        'USP_AGENT_TURBOFAN=off (node --no-turbofan), as the OpenWrt package runs it: less memory, see memoryAfterLoad',
      ),
      ratioAgentRouterProfileToEcho: figure(round(routerT.answers / routerT.seconds / echoRate, 3), 'x'),
      roundsPerSecond: { agent: agentT.rounds, agentRouterProfile: routerT.rounds, wsEcho: echoT.rounds },
    };
    out.getLatency = {
      note: 'send → answer per request during the measured pipelined windows (32 in flight)',
      agentP50: figure(round(quantileSorted(lat, 0.5), 3), 'ms'),
      agentP99: figure(round(quantileSorted(lat, 0.99), 3), 'ms'),
      wsEchoP50: figure(round(quantileSorted(echoLat, 0.5), 3), 'ms'),
      wsEchoP99: figure(round(quantileSorted(echoLat, 0.99), 3), 'ms'),
      samples: lat.length,
    };

    progress('whole-tree Get Device. end to end');
    const tree = await sequential(client, requestRecord('bench-tree', getParam('Device.')), 2000, 5);
    const params = countGetRespParams(answerMsg(tree.answer));
    const treeMs = median(tree.times);
    out.getDeviceTree = {
      note: 'Get Device. (max_depth 0), one request at a time; µs per returned parameter = median request time / parameters (the simulated tree grows by one Wi-Fi AssociatedDevice about 12 s after start, so the in-process count can be lower)',
      params,
      responseRecordBytes: tree.answer.length,
      endToEnd: figure(round((treeMs * 1000) / params, 3), 'µs/param', { op: '<=', value: 5 }),
      endToEndRequest: figure(round(treeMs, 2), 'ms'),
      repetitions: tree.times.length,
    };

    progress('GetSupportedDM Device. end to end');
    const gsdm = await sequential(client, requestRecord('bench-gsdm', getSupportedDmAll('Device.')), 2500, 3);
    out.getSupportedDmDevice = {
      note: 'GetSupportedDM Device. with every return_* flag true and first_level_only false, one at a time',
      latencyMedian: figure(round(median(gsdm.times), 2), 'ms'),
      latencyMin: figure(round(min(gsdm.times), 2), 'ms'),
      responseRecordBytes: gsdm.answer.length,
      contents: countSupportedDm(answerMsg(gsdm.answer)),
      repetitions: gsdm.times.length,
    };
    out.agentRssAfterLoad = figure(rssKiB(agent.pid).total, 'KiB', undefined, 'VmRSS of the long-lived agent process after the load phases');
    await client.close();
  } finally {
    await echo?.stop();
    await agent.stop();
    rmSync(work, { recursive: true, force: true });
  }
  Object.assign(out, startMem);
  out.memoryAfterLoad = await measureMemoryLoad(progress);

  progress('in-process: handlers and codec');
  out.inProcess = await measureInProcess(
    {
      getSerial: slottedRecords(getParam(SERIAL_PATH), 1)[0]!,
      getDevice: requestRecord('bench-tree', getParam('Device.')),
    },
    1500,
  );
  progress('in-process: permission checks (full access, Limited role)');
  out.accessControl = await measureAccessCost(1500);
  out.commitCost = await measureCommitCost(progress);
  out.bulkData = { ...(await measureBulkData(progress)), underLoad: await measureBulkDataLoad(progress), idleCpu: await measureBulkDataIdleCpu(progress) };
  progress('schema load (cold in fresh processes, warm in-process)');
  out.schemaLoad = await measureSchemaLoad();
  progress('profile report (load tr181-profiles.json, judge 241 profiles)');
  out.profiles = await measureProfiles();

  out.notifications = await measureNotifications(progress);
  out.transports = await measureTransports(progress, { mainWsEcho: (out.pipelinedGet as { wsEcho: Figure }).wsEcho.value });
  out.platforms = await measurePlatforms(progress);
  // 1,000 gateways only: 10,000 take minutes and gigabytes (node dist/bench/fleet.js --sizes 1000,10000).
  out.fleet = await measureFleet(progress);

  out.durationS = round((performance.now() - t0) / 1000, 1);
  if (profDir) out.agentCpuProfileDir = profDir;
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`[bench] failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
