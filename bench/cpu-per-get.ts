/**
 * CPU per single-parameter Get alone, without the memory phases of memory-load.ts (which takes
 * minutes): quick enough to compare two builds, and to profile the agent under that load.
 *
 *   node dist/bench/cpu-per-get.js [--rounds N] [--gets N] [--cpu-prof DIR]
 *
 * Per round, alternating: the agent as the launcher starts it (TurboFan), the agent in the router
 * profile (--no-turbofan), and the bare ws echo answering the same Records with the agent's
 * recorded GetResp Records; each gets N sequential `Get Device.DeviceInfo.SerialNumber` over one
 * WebSocket, measured as in memory-load.ts (utime + stime of the process across the Gets), then
 * N more: the steady state, once TurboFan has compiled the hot code.
 * --cpu-prof DIR runs the agents under `node --cpu-prof` (profiles written to DIR when they stop;
 * summarise with cpu-profile-summary.js).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTROLLER_EID } from './agent-config.js';
import { BenchClient } from './client.js';
import { writeResponses } from './echo-responses.js';
import { cpuOver, recordSingleGetAnswers, startEcho } from './request-cpu.js';
import { getParam, slottedRecords } from './requests.js';
import { spawnAgent } from './spawn-agent.js';
import { median, round } from './stats.js';

const SLOTS = 256;
const WARM_UP = 50;

/** CPU µs per request of `pid` over `count` sequential requests. */
/**
 * CPU µs per request of `pid` over `count` sequential requests after a short warm-up (as
 * memory-load.ts measures: TurboFan compiles the hot code during these), then over `count` more
 * (steady state: compiled).
 */
export async function cpuPerRequest(client: BenchClient, pid: number, records: Buffer[], count: number): Promise<{ first: number; steady: number }> {
  for (let i = 0; i < WARM_UP; i++) await client.request(records[i % records.length]!);
  const first = await cpuOver(client, pid, records, count);
  return { first, steady: await cpuOver(client, pid, records, count) };
}

async function agentRun(records: Buffer[], nodeArgs: string[], gets: number): Promise<{ us: { first: number; steady: number }; recorded: Buffer[] }> {
  const agent = await spawnAgent(nodeArgs);
  try {
    const client = await BenchClient.connect(agent.url, CONTROLLER_EID);
    const recorded = await recordSingleGetAnswers(client, records);
    const us = await cpuPerRequest(client, agent.pid, records, gets);
    await client.close();
    return { us, recorded };
  } finally {
    await agent.stop();
  }
}

async function echoRun(records: Buffer[], responsesFile: string, gets: number): Promise<{ first: number; steady: number }> {
  const { echo, client } = await startEcho(responsesFile);
  try {
    const us = await cpuPerRequest(client, echo.pid, records, gets);
    await client.close();
    return us;
  } finally {
    await echo.stop();
  }
}

async function main(): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const rounds = Number(arg('--rounds') ?? 3);
  const gets = Number(arg('--gets') ?? 5000);
  const profDir = arg('--cpu-prof');
  const prof = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  const records = slottedRecords(getParam('Device.DeviceInfo.SerialNumber'), SLOTS);
  const work = mkdtempSync(join(tmpdir(), 'usp-bench-cpu-'));
  const turbofan: Array<{ first: number; steady: number }> = [];
  const router: Array<{ first: number; steady: number }> = [];
  const echo: Array<{ first: number; steady: number }> = [];
  try {
    const responsesFile = join(work, 'responses.bin');
    for (let r = 0; r < rounds; r++) {
      process.stderr.write(`[bench] cpu per Get, round ${r + 1}/${rounds}\n`);
      const t = await agentRun(records, prof, gets);
      turbofan.push(t.us);
      if (r === 0) writeResponses(responsesFile, t.recorded);
      router.push((await agentRun(records, [...prof, '--no-turbofan'], gets)).us);
      echo.push(await echoRun(records, responsesFile, gets));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const fig = (xs: Array<{ first: number; steady: number }>) => ({
    first: round(median(xs.map((x) => x.first)), 1),
    steady: round(median(xs.map((x) => x.steady)), 1),
    samples: xs.map((x) => [round(x.first, 1), round(x.steady, 1)]),
  });
  process.stdout.write(
    `${JSON.stringify(
      {
        bench: 'usp-agent CPU per single-parameter Get (µs)',
        gets,
        rounds,
        warmUp: WARM_UP,
        node: process.version,
        note: `first: the ${gets} Gets after a ${WARM_UP}-Get warm-up, as memory-load.ts measures (with TurboFan this includes compiling the hot code); steady: the next ${gets}; medians, samples [first, steady] per round`,
        agent: fig(turbofan),
        routerProfile: fig(router),
        wsEcho: fig(echo),
      },
      null,
      1,
    )}\n`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`[bench] failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
