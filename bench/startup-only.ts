/**
 * Start-up alone: `node dist/bench/startup-only.js [RUNS]` spawns the agent (fresh data directory,
 * simulated platform, as bench/run.ts does) and a bare Node process alternately, RUNS times each
 * (default 10), and prints the spawn → listening times and their median ratio as JSON. Alternating
 * keeps both under the same load on a shared machine.
 */
import { agentLauncher, bareNodeLauncher, measureStarts } from './startup.js';
import { median, round } from './stats.js';

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 10);
  const agent: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    for (const s of await measureStarts(agentLauncher, 1, 0)) agent.push(s.startMs);
    for (const s of await measureStarts(bareNodeLauncher, 1, 0)) bare.push(s.startMs);
  }
  const agentMs = median(agent);
  const bareMs = median(bare);
  console.log(
    JSON.stringify(
      {
        runs,
        agentMedianMs: round(agentMs, 1),
        bareNodeMedianMs: round(bareMs, 1),
        ratio: round(agentMs / bareMs, 2),
        agentMs: agent.map((v) => round(v, 1)),
        bareNodeMs: bare.map((v) => round(v, 1)),
      },
      null,
      2,
    ),
  );
}

await main();
