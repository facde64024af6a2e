/**
 * What the CPU-per-request benches share (cpu-per-get.ts, memory-load.ts): the CPU a peer
 * process spends per sequential request, the bare `ws` echo they compare the agent with, and
 * the first answers of the single-parameter Gets (checked to hold one parameter).
 */
import { fileURLToPath } from 'node:url';
import { CONTROLLER_EID } from './agent-config.js';
import { BenchClient } from './client.js';
import { freePort } from './port.js';
import { cpuTicks, ticksPerSecond } from './proc.js';
import { answerMsg, countGetRespParams } from './requests.js';
import { spawnListening, type RunningProcess } from './spawn-agent.js';

/** Sends `records` one at a time (cyclically) `count` times; the CPU `pid` spent, in µs per request. */
export async function cpuOver(client: BenchClient, pid: number, records: Buffer[], count: number): Promise<number> {
  const before = cpuTicks(pid);
  for (let i = 0; i < count; i++) await client.request(records[i % records.length]!);
  return (((cpuTicks(pid) - before) / ticksPerSecond()) * 1e6) / count;
}

/** The agent's answer to each of `records`, once; throws unless the first is a one-parameter GetResp. */
export async function recordSingleGetAnswers(client: BenchClient, records: Buffer[]): Promise<Buffer[]> {
  const recorded: Buffer[] = [];
  for (const r of records) recorded.push(await client.request(r));
  if (countGetRespParams(answerMsg(recorded[0]!)) !== 1) throw new Error('the SerialNumber Get did not return one parameter');
  return recorded;
}

/** A bare `ws` echo answering with the agent's recorded responses, and a client connected to it. */
export async function startEcho(responsesFile: string): Promise<{ echo: RunningProcess; client: BenchClient }> {
  const port = await freePort();
  const script = fileURLToPath(new URL('./ws-echo.js', import.meta.url));
  const echo = await spawnListening([script, String(port), responsesFile], port, 'ws-echo');
  try {
    return { echo, client: await BenchClient.connect(echo.url, CONTROLLER_EID) };
  } catch (e) {
    await echo.stop();
    throw e;
  }
}
