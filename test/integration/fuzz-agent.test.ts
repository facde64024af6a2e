/**
 * Seeded, reproducible fuzzing of the live agent (inputs: bench/fuzz-corpus.ts, driver: bench/fuzz.ts): random bytes, mutated
 * Records and Msgs of every request type, and valid requests with random paths and values, sent
 * over real WebSockets without waiting between sends. The seed is printed; replay a failure with
 * USP_FUZZ_SEED=<seed> (and USP_FUZZ_COUNT=<n> for a longer run, or `node dist/bench/fuzz.js`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../agent/Agent.js';
import { decoderFault, FuzzCorpus, fuzzSeed, type FuzzAddress } from '../../bench/fuzz-corpus.js';
import { errorRecordingLogger, probeEndpointId, runFuzz, watchProcess } from '../../bench/fuzz.js';
import { AGENT_EID, CONTROLLER_EID, testDefaults, testSchema } from '../peers/agent-fixture.js';
import { freePort } from '../peers/TestController.js';

const seed = fuzzSeed();
const count = Number(process.env['USP_FUZZ_COUNT'] ?? 10_000);
const addr: FuzzAddress = { agentId: AGENT_EID, controllerId: CONTROLLER_EID };
console.log(`fuzz seed=${seed} count=${count} (replay: USP_FUZZ_SEED=${seed})`);

describe('codec over the fuzz corpus', () => {
  it('decodeRecord and decodeMsg throw nothing but UspError', { timeout: 30_000 }, () => {
    const corpus = new FuzzCorpus(seed, addr);
    const faults: string[] = [];
    for (let i = 0; i < count * 2; i++) {
      const c = corpus.next(i);
      const fault = decoderFault(c.bytes);
      if (fault && faults.length < 10) faults.push(`case ${i} (${c.kind}) [${Buffer.from(c.bytes).toString('hex')}]: ${fault}`);
    }
    expect(faults).toEqual([]);
  });
});

describe('the live agent under fuzz', () => {
  let agent: Agent;
  let url: string;
  let dataDir: string;
  const logged = errorRecordingLogger();
  const watch = watchProcess();

  beforeAll(async () => {
    const port = await freePort();
    dataDir = mkdtempSync(join(tmpdir(), 'usp-agent-fuzz-'));
    // A recording logger: error lines are the agent's own bugs (7003, a failed record pipeline).
    agent = await Agent.start({ defaults: testDefaults(port), dataDir, platform: 'simulated', log: logged.log, seed: 42, schema: testSchema() });
    url = `ws://127.0.0.1:${port}/usp`;
  });
  afterAll(async () => {
    watch.stop();
    await agent?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`survives ${count} inputs and answers exactly what it must`, { timeout: 60_000 }, async () => {
    const rssBefore = process.memoryUsage().rss;
    const report = await runFuzz({ url, addr, seed, count });
    const rssGrowthMB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    const { violations, ...summary } = report;
    console.log(`fuzz report: ${JSON.stringify({ ...summary, rssGrowthMB: Math.round(rssGrowthMB) })}`);

    // The process did not crash and the agent still answers.
    expect.soft(watch.rejections, 'unhandled rejections').toEqual([]);
    expect.soft(watch.exceptions, 'uncaught exceptions').toEqual([]);
    expect(await probeEndpointId(url, addr)).toBe(AGENT_EID);
    expect.soft(logged.errors, 'error lines logged by the agent').toEqual([]);

    // Every answer is a well-formed Msg of the right type (or an Error 7000-7999), every request was
    // answered, and nothing was answered that must stay unanswered. One expectation per rule.
    const sorts = [
      'malformedRecordFromAgent',
      'malformedMsgFromAgent',
      'textFrameFromAgent',
      'misaddressedRecord',
      'unexpectedRecordKind',
      'msgTypeMismatch',
      'wrongResponseType',
      'errorCodeOutOfRange',
      'msgErrorCode',
      'answerToUnknownMsgId',
      'tooManyAnswers',
      'missingAnswer',
      'stalled',
      'answeredWhenSilenceExpected',
      'answeredSendRespFalse',
      'disconnectReason',
    ];
    for (const sort of sorts) expect.soft(violations[sort] ?? [], sort).toEqual([]);
    expect
      .soft(
        Object.keys(violations).filter((k) => !sorts.includes(k)),
        'other violations',
      )
      .toEqual([]);

    // The corpus reached every path it is meant to reach.
    const by = report.byExpectation;
    expect.soft(by['answer'] ?? 0).toBeGreaterThan(count * 0.3);
    for (const kind of ['silent', 'msgError', 'ignored', 'sessionContext', 'badRecord', 'text']) expect.soft(by[kind] ?? 0, kind).toBeGreaterThan(0);
    expect.soft(report.disconnectRecords, 'one DisconnectRecord per SessionContext record').toBe(by['sessionContext'] ?? 0);

    expect.soft(rssGrowthMB, 'RSS growth (MB)').toBeLessThan(100);
  });
});
