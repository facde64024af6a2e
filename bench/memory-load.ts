/**
 * Memory after load and CPU per single-parameter Get, each beside its bare-Node baseline in the
 * same run (issue 10, "Memory and start-up").
 *
 *   node dist/bench/memory-load.js [--rounds N]       (JSON on stdout, progress on stderr)
 *
 * Per round, alternating: the agent process (as `npm start` runs it, through bin/usp-agent.js)
 * gets GETS sequential `Get Device.DeviceInfo.SerialNumber` and TREE_GETS `Get Device.` over one
 * WebSocket; then its RSS, RssAnon and Private_* (smaps_rollup) are read, 1 s and 10 s after the
 * load (idle: time for V8's memory reducer, which may or may not run); the same for the agent run
 * in the router profile (`node --no-turbofan`, what USP_AGENT_TURBOFAN=off and the OpenWrt package
 * select), to show that trade in the same run; the memory target is the router profile's. The
 * baselines: a bare Node process that only listens (the floor for memory), and a bare `ws` echo process (answers
 * the same request Records with byte-identical recorded GetResp Records) for CPU per request —
 * the cost of Node plus a WebSocket round trip, against which the agent's own work shows.
 * CPU is utime + stime from /proc/PID/stat across the Get phase, divided by the Gets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchClient } from './client.js';
import { CONTROLLER_EID } from './agent-config.js';
import { writeResponses } from './echo-responses.js';
import { figure } from './figure.js';
import { freePort } from './port.js';
import { memoryKiB, type ProcMemory } from './proc.js';
import { cpuOver, recordSingleGetAnswers, startEcho } from './request-cpu.js';
import { addSubscription, expectSuccess, recordFrom } from './notify-peer.js';
import { answerMsg, countGetRespParams, getParam, requestRecord, slottedRecords } from './requests.js';
import { spawnAgent, spawnListening, type RunningProcess } from './spawn-agent.js';
import { median, round } from './stats.js';

const GETS = 5000;
const TREE_GETS = 3;
/** V8's memory reducer may start ~8 s after the allocation rate drops: the settled reading waits past that. */
const SETTLE_MS = 10_000;
const SLOTS = 256;
const SERIAL_PATH = 'Device.DeviceInfo.SerialNumber';
/** The C reference agent (OB-USP-Agent 11.0.4) built and measured on this machine (issue 10). */
const OBUSPA_CPU_PER_GET_US = 55;
const OBUSPA_RSS_KIB = 15_700;

export interface LoadSample {
  memory: ProcMemory;
  cpuPerGetUs: number;
}
/** The agent's memory 1 s after the load and again SETTLE_MS after it, idle (the memory reducer may have run). */
interface AgentSample extends LoadSample {
  settled: ProcMemory;
  scaling?: Scaling;
}
/** RSS (KiB) with SUBSCRIPTIONS more Subscriptions, then also EXTRA_CONTROLLERS more connected controllers. */
interface Scaling {
  withSubscriptions: number;
  withControllers: number;
}

const SUBSCRIPTIONS = 100;
const EXTRA_CONTROLLERS = 16;
const SUBSCRIBED_PATHS = ['Device.DeviceInfo.UpTime', 'Device.WiFi.Radio.1.Channel', 'Device.Ethernet.Interface.1.Stats.BytesReceived', 'Device.DeviceInfo.ProvisioningCode'];

/**
 * What a router adds per Subscription and per controller: SUBSCRIPTIONS rows (the per-controller
 * maximum; ValueChange and ObjectCreation alternately), then EXTRA_CONTROLLERS WebSocket
 * connections from unknown Endpoint IDs that each make one Get; RSS 1.5 s after each step. Absolute
 * figures: a difference between two readings would mostly show when V8 last collected garbage.
 */
async function measureScaling(agent: RunningProcess, client: BenchClient): Promise<Scaling> {
  const rssLater = async (): Promise<number> => {
    await new Promise((r) => setTimeout(r, 1500));
    return memoryKiB(agent.pid).rss;
  };
  for (let i = 0; i < SUBSCRIPTIONS; i++) {
    const request =
      i % 2 === 1
        ? addSubscription(`bench-sub-${i}`, 'ValueChange', SUBSCRIBED_PATHS[i % SUBSCRIBED_PATHS.length]!)
        : addSubscription(`bench-sub-${i}`, 'ObjectCreation', 'Device.WiFi.AccessPoint.1.AssociatedDevice.');
    expectSuccess(answerMsg(await client.request(recordFrom(CONTROLLER_EID, `bench-sub-${i}`, request))));
  }
  const withSubscriptions = await rssLater();
  const others: BenchClient[] = [];
  try {
    for (let i = 0; i < EXTRA_CONTROLLERS; i++) {
      const eid = `proto::bench-other-${i}`;
      const other = await BenchClient.connect(agent.url, eid);
      others.push(other);
      await other.request(recordFrom(eid, `bench-other-${i}`, getParam('Device.DeviceInfo.')));
    }
    const withControllers = await rssLater();
    return { withSubscriptions, withControllers };
  } finally {
    for (const o of others) await o.close();
  }
}

/** CPU µs per request of `pid` over `count` sequential requests after a 50-request warm-up. */
async function sequentialGets(client: BenchClient, pid: number, records: Buffer[], count: number): Promise<number> {
  for (let i = 0; i < 50; i++) await client.request(records[i % records.length]!); // warm-up
  return cpuOver(client, pid, records, count);
}

/** One agent run: single-parameter Gets, then whole-tree Gets, then its memory once idle. */
async function loadAgent(records: Buffer[], nodeArgs: string[] = [], scale = false): Promise<{ sample: AgentSample; recorded: Buffer[]; treeParams: number }> {
  const agent = await spawnAgent(nodeArgs);
  try {
    const client = await BenchClient.connect(agent.url, CONTROLLER_EID);
    const recorded = await recordSingleGetAnswers(client, records);
    const cpuPerGetUs = await sequentialGets(client, agent.pid, records, GETS);
    let treeParams = 0;
    for (let i = 0; i < TREE_GETS; i++) {
      treeParams = countGetRespParams(answerMsg(await client.request(requestRecord(`bench-tree-${i}`, getParam('Device.')))));
    }
    await new Promise((r) => setTimeout(r, 1000));
    const memory = memoryKiB(agent.pid);
    await new Promise((r) => setTimeout(r, SETTLE_MS - 1000));
    const settled = memoryKiB(agent.pid);
    const scaling = scale ? await measureScaling(agent, client) : undefined;
    await client.close();
    return { sample: { memory, cpuPerGetUs, settled, scaling }, recorded, treeParams };
  } finally {
    await agent.stop();
  }
}

async function loadEcho(records: Buffer[], responsesFile: string): Promise<LoadSample> {
  const { echo, client } = await startEcho(responsesFile);
  try {
    const cpuPerGetUs = await sequentialGets(client, echo.pid, records, GETS);
    await new Promise((r) => setTimeout(r, 1000));
    const memory = memoryKiB(echo.pid);
    await client.close();
    return { memory, cpuPerGetUs };
  } finally {
    await echo.stop();
  }
}

async function bareNode(): Promise<ProcMemory> {
  const port = await freePort();
  const p = await spawnListening(['-e', `require('http').createServer().listen(${port})`], port, 'bare node');
  try {
    await new Promise((r) => setTimeout(r, 1000));
    return memoryKiB(p.pid);
  } finally {
    await p.stop();
  }
}

const med = (xs: number[]): number => Math.round(median(xs));

/** The figures of `rounds` alternating rounds (agent, agent with TurboFan, ws echo, bare Node). */
export async function measureMemoryLoad(progress: (s: string) => void, rounds = 3): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), 'usp-bench-mem-'));
  const records = slottedRecords(getParam(SERIAL_PATH), SLOTS);
  const agent: AgentSample[] = [];
  const turbofan: AgentSample[] = [];
  const echo: LoadSample[] = [];
  const bare: ProcMemory[] = [];
  let treeParams = 0;
  try {
    const responsesFile = join(work, 'responses.bin');
    for (let r = 0; r < rounds; r++) {
      progress(`memory after load, round ${r + 1}/${rounds}: agent (router profile, no TurboFan)`);
      const a = await loadAgent(records, ['--no-turbofan'], true);
      agent.push(a.sample);
      treeParams = a.treeParams;
      if (r === 0) writeResponses(responsesFile, a.recorded);
      progress(`memory after load, round ${r + 1}/${rounds}: agent with TurboFan (the launcher's default)`);
      turbofan.push((await loadAgent(records)).sample);
      progress(`memory after load, round ${r + 1}/${rounds}: ws echo, bare node`);
      echo.push(await loadEcho(records, responsesFile));
      bare.push(await bareNode());
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const m = (xs: ProcMemory[], k: keyof ProcMemory): number => med(xs.map((x) => x[k]));
  const agentRss = m(
    agent.map((s) => s.memory),
    'rss',
  );
  const settledRss = m(
    agent.map((s) => s.settled),
    'rss',
  );
  const bareRss = m(bare, 'rss');
  const agentCpu = median(agent.map((s) => s.cpuPerGetUs));
  const echoCpu = median(echo.map((s) => s.cpuPerGetUs));
  const turbofanRss = m(
    turbofan.map((s) => s.memory),
    'rss',
  );
  const turbofanCpu = median(turbofan.map((s) => s.cpuPerGetUs));
  const split = (xs: ProcMemory[]): ProcMemory => ({
    rss: m(xs, 'rss'),
    anon: m(xs, 'anon'),
    file: m(xs, 'file'),
    privateClean: m(xs, 'privateClean'),
    privateDirty: m(xs, 'privateDirty'),
    pss: m(xs, 'pss'),
  });
  return {
    note: `per round (${rounds}, alternating): ${GETS} sequential Get ${SERIAL_PATH} and ${TREE_GETS} Get Device. (${treeParams} parameters) over one WebSocket, then memory 1 s and ${SETTLE_MS / 1000} s later; medians. Baselines in the same run: a bare Node process that only listens (memory floor) and a bare ws echo answering the same Gets with recorded GetResp Records (CPU floor of Node + WebSocket)`,
    rssAfterLoad: {
      agent: figure(agentRss, 'KiB', undefined, 'router profile: USP_AGENT_TURBOFAN=off (node --no-turbofan), as the OpenWrt package runs it'),
      bareNode: figure(bareRss, 'KiB', undefined, 'node -e "require(\'http\').createServer().listen(port)", idle'),
      ratioAgentToBareNode: figure(round(agentRss / bareRss, 2), 'x', { op: '<=', value: 1.5 }),
      agentSettled: figure(settledRss, 'KiB', undefined, `${SETTLE_MS / 1000} s after the load, idle (V8's memory reducer may or may not have run by then)`),
      ratioSettledToBareNode: figure(round(settledRss / bareRss, 2), 'x'),
      agentWithTurbofan: figure(turbofanRss, 'KiB', undefined, 'bin/usp-agent.js as it starts by default (TurboFan on)'),
      agentWithTurbofanSettled: figure(
        m(
          turbofan.map((s) => s.settled),
          'rss',
        ),
        'KiB',
      ),
      obuspaReference: figure(OBUSPA_RSS_KIB, 'KiB', undefined, 'OB-USP-Agent 11.0.4 on this machine (issue 10)'),
      split: { agent: split(agent.map((s) => s.memory)), agentSettled: split(agent.map((s) => s.settled)), wsEcho: split(echo.map((s) => s.memory)), bareNode: split(bare) },
      samplesKiB: { agent: agent.map((s) => s.memory.rss), agentSettled: agent.map((s) => s.settled.rss), bareNode: bare.map((s) => s.rss) },
    },
    scaling: {
      note: `agent RSS after the load and its settled reading: with ${SUBSCRIPTIONS} Subscriptions added (one controller's maximum), then also ${EXTRA_CONTROLLERS} more controllers connected (unknown Endpoint IDs, one Get each); medians`,
      withSubscriptions: figure(med(agent.map((s) => s.scaling!.withSubscriptions)), 'KiB'),
      withSubscriptionsAndControllers: figure(med(agent.map((s) => s.scaling!.withControllers)), 'KiB', undefined, `${EXTRA_CONTROLLERS + 1} controllers connected`),
      ratioToBareNode: figure(round(med(agent.map((s) => s.scaling!.withControllers)) / bareRss, 2), 'x'),
    },
    cpuPerGet: {
      agent: figure(round(agentCpu, 1), 'µs CPU/request', { op: '<=', value: OBUSPA_CPU_PER_GET_US * 1.5 }),
      agentWithTurbofan: figure(round(turbofanCpu, 1), 'µs CPU/request', undefined, 'bin/usp-agent.js as it starts by default (TurboFan on)'),
      wsEcho: figure(round(echoCpu, 1), 'µs CPU/request', undefined, 'the same Records answered by a bare ws echo: Node + WebSocket alone'),
      agentMinusEcho: figure(round(agentCpu - echoCpu, 1), 'µs CPU/request', undefined, "the agent's own work per Get"),
      obuspaReference: figure(OBUSPA_CPU_PER_GET_US, 'µs CPU/request', undefined, 'OB-USP-Agent 11.0.4 on this machine (issue 10); target is x1.5'),
      samplesUs: { agent: agent.map((s) => round(s.cpuPerGetUs, 1)), agentWithTurbofan: turbofan.map((s) => round(s.cpuPerGetUs, 1)), wsEcho: echo.map((s) => round(s.cpuPerGetUs, 1)) },
    },
  };
}

const isMain = process.argv[1] === fileURLToPath(import.meta.url);
if (isMain) {
  const i = process.argv.indexOf('--rounds');
  const rounds = i >= 0 ? Number(process.argv[i + 1]) : 3;
  measureMemoryLoad((s) => process.stderr.write(`[bench] ${s}\n`), rounds).then(
    (out) => {
      process.stdout.write(`${JSON.stringify({ bench: 'usp-agent memory after load', date: new Date().toISOString(), node: process.version, ...out }, null, 2)}\n`);
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`[bench] failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
