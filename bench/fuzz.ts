/**
 * Seeded fuzzing of a live agent over WebSocket (TR-369 R-MTP.5, R-MSG.0/1/4/9, R-OPR.4, R-WS.16):
 * the driver that sends bench/fuzz-corpus.ts inputs without waiting between sends (at most
 * `maxInFlight` answers owed), checks every answer, and the long command-line run. The driver is
 * shared with test/integration/fuzz-agent.test.ts (a few thousand inputs per CI run).
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/fuzz.js --count 200000 [--seed N] [--in-flight 64]
 *
 * Prints one JSON object and exits 1 if the agent crashed, stopped answering or broke a rule. The
 * seed defaults to USP_FUZZ_SEED or DEFAULT_FUZZ_SEED; the same seed replays the same inputs.
 *
 * Bad Records and text frames travel on their own connection (eid BAD_LINK_EID), so a 1003 close
 * there never loses the answers still owed on the main one.
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { Agent } from '../agent/Agent.js';
import { decodeMsg, encodeMsg, requestMsg } from '../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord } from '../agent/codec/record.js';
import type { ResponseType, UspMsg } from '../agent/codec/types.js';
import { createLogger, type Logger } from '../datamodel/Logger.js';
import { CONTROLLER_EID, testDefaults } from './agent-config.js';
import { FuzzCorpus, fuzzSeed, type Expectation, type FuzzAddress } from './fuzz-corpus.js';
import { freePort } from './port.js';

/** The Endpoint ID of the link that carries bad Records and text frames. */
const BAD_LINK_EID = 'proto::fuzz-bad-records';

// ---------------------------------------------------------------------------------------------
// The driver (shared with test/integration/fuzz-agent.test.ts)

export interface FuzzRunOptions {
  /** ws://host:port/path of the agent. */
  url: string;
  addr: FuzzAddress;
  seed: number;
  count: number;
  /** Answers owed before the sender waits (default 64). */
  maxInFlight?: number;
  /** How long to wait for owed answers before giving up on them (default 10 s). */
  answerTimeoutMs?: number;
  /** Called every `progressEvery` cases. */
  onProgress?: (sent: number) => void;
  progressEvery?: number;
}

export interface FuzzReport {
  seed: number;
  count: number;
  byKind: Record<string, number>;
  byExpectation: Record<string, number>;
  /** Answers (responses and Errors) received on the main connection. */
  answered: number;
  /** USP Error messages among them. */
  errors: number;
  errorCodes: Record<string, number>;
  responseTypes: Record<string, number>;
  disconnectRecords: number;
  /** Errors the agent sent on the bad-Record connection (R-MTP.5). */
  badRecordReplies: number;
  closeCodes: Record<string, number>;
  reconnects: number;
  /** Problems found, each a short description (first 20 of each sort kept). */
  violations: Record<string, string[]>;
  violationCount: number;
  durationMs: number;
}

interface Answer {
  msgId: string;
  what: string;
  code?: number;
}

/** One WebSocket to the agent that reconnects on demand and decodes everything it receives. */
class FuzzLink {
  ws?: WebSocket;
  reconnects = 0;
  constructor(
    private readonly url: string,
    private readonly eid: string | undefined,
    private readonly onRecord: (bytes: Uint8Array | undefined) => void,
    private readonly onClose: (code: number) => void,
  ) {}

  async ready(): Promise<WebSocket> {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) return this.ws;
    if (this.ws) this.reconnects++;
    const ws = new WebSocket(this.eid ? `${this.url}?eid=${encodeURIComponent(this.eid)}` : this.url, 'v1.usp');
    // A text frame from the agent is reported as undefined.
    ws.on('message', (data: Buffer, isBinary) => this.onRecord(isBinary ? new Uint8Array(data) : undefined));
    ws.on('close', (code) => this.onClose(code));
    ws.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.ws = ws;
    return ws;
  }

  async close(): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((r) => {
      ws.once('close', () => r());
      ws.close();
    });
  }
}

const MAX_KEPT = 20;

/**
 * Sends `count` cases to the agent without waiting between sends (at most `maxInFlight` answers
 * owed), then waits for the owed answers and checks every answer against the expectations.
 */
export async function runFuzz(opts: FuzzRunOptions): Promise<FuzzReport> {
  const started = performance.now();
  const { addr } = opts;
  const maxInFlight = opts.maxInFlight ?? 64;
  const answerTimeoutMs = opts.answerTimeoutMs ?? 10_000;
  const corpus = new FuzzCorpus(opts.seed, addr);
  const report: FuzzReport = {
    seed: opts.seed,
    count: opts.count,
    byKind: {},
    byExpectation: {},
    answered: 0,
    errors: 0,
    errorCodes: {},
    responseTypes: {},
    disconnectRecords: 0,
    badRecordReplies: 0,
    closeCodes: {},
    reconnects: 0,
    violations: {},
    violationCount: 0,
    durationMs: 0,
  };
  const bump = (m: Record<string, number>, k: string) => {
    m[k] = (m[k] ?? 0) + 1;
  };
  const violation = (sort: string, detail: string) => {
    report.violationCount++;
    const list = (report.violations[sort] ??= []);
    if (list.length < MAX_KEPT) list.push(detail);
  };

  /** msg_id → what each case sent with it expects. */
  const expected = new Map<string, Expectation[]>();
  const answers = new Map<string, Answer[]>();
  let owed = 0;
  const owedIds = new Map<string, number>();
  let wake: (() => void) | undefined;

  const onMain = (bytes: Uint8Array | undefined): void => {
    const a = decodeAnswer(bytes, addr, violation);
    if (!a) return;
    if (a.what === 'disconnect') {
      report.disconnectRecords++;
      return;
    }
    if (a.what === 'request') return;
    report.answered++;
    if (a.what === 'error') {
      report.errors++;
      bump(report.errorCodes, String(a.code));
    } else {
      bump(report.responseTypes, a.what);
    }
    let list = answers.get(a.msgId);
    if (!list) answers.set(a.msgId, (list = []));
    list.push(a);
    const n = owedIds.get(a.msgId);
    if (n) {
      // The agent answers a msg_id at most once per copy it processed; one answer settles them all
      // (R-MSG.4 lets it drop copies that arrived while the first was in flight).
      owedIds.delete(a.msgId);
      owed -= n;
      wake?.();
    }
  };
  const onBad = (bytes: Uint8Array | undefined): void => {
    // Addressed to whatever from_id the agent salvaged from the broken Record.
    const a = decodeAnswer(bytes, { agentId: addr.agentId, controllerId: undefined }, violation);
    if (!a) return;
    report.badRecordReplies++;
    if (a.what !== 'error') return;
    bump(report.errorCodes, String(a.code));
    if (a.code! < 7000 || a.code! > 7999) violation('errorCodeOutOfRange', `${a.msgId}: ${a.code}`);
  };
  const main = new FuzzLink(opts.url, addr.controllerId, onMain, (code) => bump(report.closeCodes, `main:${code}`));
  // An eid of its own (the agent refuses a link without one, R-WS.10b): bad Records carry the
  // controller's from_id, so the agent answers none of them here; it must only close with 1003.
  const bad = new FuzzLink(opts.url, BAD_LINK_EID, onBad, (code) => bump(report.closeCodes, `bad:${code}`));

  const waitOwed = async (limit: number, timeoutMs: number): Promise<boolean> => {
    const deadline = performance.now() + timeoutMs;
    while (owed > limit) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = undefined;
    }
    return true;
  };

  for (let i = 0; i < opts.count; i++) {
    const c = corpus.next(i);
    bump(report.byKind, c.kind);
    bump(report.byExpectation, c.expect.kind);
    const e = c.expect;
    const id = 'msgId' in e ? e.msgId : undefined;
    if (id !== undefined) {
      let list = expected.get(id);
      if (!list) expected.set(id, (list = []));
      list.push(e);
    }
    const onMainLink = e.kind !== 'badRecord' && e.kind !== 'text';
    if (e.kind === 'answer') {
      owed++;
      owedIds.set(e.msgId, (owedIds.get(e.msgId) ?? 0) + 1);
    }
    const ws = await (onMainLink ? main : bad).ready();
    ws.send(c.bytes, { binary: !c.text });
    if (owed >= maxInFlight && !(await waitOwed(maxInFlight - 1, answerTimeoutMs))) {
      violation('stalled', `case ${i}: ${owed} answers still owed after ${answerTimeoutMs} ms`);
    }
    if (opts.onProgress && (i + 1) % (opts.progressEvery ?? 10_000) === 0) opts.onProgress(i + 1);
    // Let the event loop breathe now and then, so the in-process agent keeps up.
    if (i % 256 === 255) await new Promise((r) => setImmediate(r));
  }
  if (!(await waitOwed(0, answerTimeoutMs))) violation('stalled', `end: ${owed} answers still owed after ${answerTimeoutMs} ms`);
  // Late answers to inputs that must stay unanswered.
  await new Promise((r) => setTimeout(r, 200));
  report.reconnects = main.reconnects + bad.reconnects;
  await main.close();
  await bad.close();

  checkAnswers(expected, answers, violation);
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

/** Decodes what the agent sent; a malformed Record or Msg is itself a violation. */
function decodeAnswer(bytes: Uint8Array | undefined, addr: { agentId: string; controllerId?: string }, violation: (sort: string, d: string) => void): Answer | undefined {
  if (!bytes) {
    violation('textFrameFromAgent', 'the agent sent a text frame');
    return undefined;
  }
  let rec;
  try {
    rec = decodeRecord(bytes);
  } catch (e) {
    violation('malformedRecordFromAgent', String(e));
    return undefined;
  }
  if (rec.fromId !== addr.agentId || (addr.controllerId !== undefined && rec.toId !== addr.controllerId)) {
    violation('misaddressedRecord', `to=${rec.toId} from=${rec.fromId}`);
  }
  if (rec.body.kind === 'disconnect') {
    if (rec.body.reasonCode !== 7106) violation('disconnectReason', String(rec.body.reasonCode));
    return { msgId: '', what: 'disconnect' };
  }
  if (rec.body.kind !== 'noSessionContext') {
    violation('unexpectedRecordKind', rec.body.kind);
    return undefined;
  }
  let msg: UspMsg;
  try {
    msg = decodeMsg(rec.body.payload);
  } catch (e) {
    violation('malformedMsgFromAgent', String(e));
    return undefined;
  }
  const b = msg.body;
  if (b.msgBody === 'request') return { msgId: msg.header.msgId, what: 'request' };
  if (b.msgBody === 'error') {
    if (msg.header.msgType !== 'ERROR') violation('msgTypeMismatch', `${msg.header.msgId}: ERROR body with ${msg.header.msgType}`);
    return { msgId: msg.header.msgId, what: 'error', code: b.error.errCode };
  }
  return { msgId: msg.header.msgId, what: b.response.respType };
}

function checkAnswers(expected: Map<string, Expectation[]>, answers: Map<string, Answer[]>, violation: (sort: string, detail: string) => void): void {
  for (const [msgId, list] of answers) {
    const exp = expected.get(msgId);
    if (!exp) {
      violation('answerToUnknownMsgId', `${msgId}: ${list.map((a) => a.what).join(',')}`);
      continue;
    }
    const allowed = new Set(exp.flatMap((e) => (e.kind === 'answer' ? [e.respType] : [])));
    const owedAnswers = exp.filter((e) => e.kind === 'answer' || e.kind === 'msgError').length;
    for (const a of list) {
      if (a.what === 'error') {
        if (a.code === undefined || a.code < 7000 || a.code > 7999) violation('errorCodeOutOfRange', `${msgId}: ${a.code}`);
      } else if (!allowed.has(a.what as ResponseType)) {
        violation('wrongResponseType', `${msgId}: got ${a.what}, sent ${exp.map(describe).join(' + ')}`);
      }
    }
    const got = list.map((a) => a.what + (a.code ? ` ${a.code}` : '')).join(',');
    if (list.length > owedAnswers && owedAnswers > 0) {
      violation('tooManyAnswers', `${msgId}: ${list.length} answers for ${owedAnswers} request(s)`);
    }
    if (owedAnswers === 0) {
      // R-OPR.4: with send_resp=false the agent SHOULD NOT send a response or an error.
      const sort = exp.every((e) => e.kind === 'silent') ? 'answeredSendRespFalse' : 'answeredWhenSilenceExpected';
      violation(sort, `${msgId}: got ${got} for ${exp.map(describe).join(' + ')}`);
    }
    if (exp.every((e) => e.kind === 'msgError')) {
      const codes = new Set(exp.map((e) => (e.kind === 'msgError' ? e.code : 0)));
      for (const a of list) {
        if (a.what !== 'error' || !codes.has(a.code!)) violation('msgErrorCode', `${msgId}: got ${got}, expected Error ${[...codes].join('/')}`);
      }
    }
  }
  for (const [msgId, exp] of expected) {
    if (exp.some((e) => e.kind === 'answer') && !answers.has(msgId)) {
      violation('missingAnswer', `${msgId}: ${exp.map(describe).join(' + ')}`);
    }
  }
}

function describe(e: Expectation): string {
  if (e.kind === 'answer') return `answer(${e.respType})`;
  return e.kind === 'msgError' || e.kind === 'badRecord' ? `${e.kind}(${e.code})` : e.kind;
}

// ---------------------------------------------------------------------------------------------
// Harness helpers

/** Reads Device.LocalAgent.EndpointID over a fresh connection; rejects on timeout or a non-GetResp. */
export async function probeEndpointId(url: string, addr: FuzzAddress, timeoutMs = 5000): Promise<string> {
  const ws = new WebSocket(`${url}?eid=${encodeURIComponent(addr.controllerId)}`, 'v1.usp');
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const msgId = `probe-${Date.now()}`;
    const answer = new Promise<UspMsg>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no answer to the probe Get within ${timeoutMs} ms`)), timeoutMs);
      ws.on('message', (data: Buffer) => {
        const rec = decodeRecord(new Uint8Array(data));
        if (rec.body.kind !== 'noSessionContext') return;
        const m = decodeMsg(rec.body.payload);
        if (m.header.msgId === msgId) {
          clearTimeout(t);
          resolve(m);
        }
      });
    });
    const get = requestMsg(msgId, { reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } });
    ws.send(encodeRecord(noSessionContextRecord({ toId: addr.agentId, fromId: addr.controllerId }, encodeMsg(get))));
    const m = await answer;
    if (m.body.msgBody !== 'response' || m.body.response.respType !== 'getResp') {
      throw new Error(`probe Get answered with ${JSON.stringify(m.body)}`);
    }
    const value = m.body.response.getResp.reqPathResults[0]?.resolvedPathResults?.[0]?.resultParams['EndpointID'];
    if (value === undefined) throw new Error(`probe Get returned no EndpointID: ${JSON.stringify(m.body)}`);
    return value;
  } finally {
    ws.close();
  }
}

/** Records unhandled rejections and uncaught exceptions in this process until `stop()`. */
export function watchProcess(): { rejections: string[]; exceptions: string[]; stop(): void } {
  const rejections: string[] = [];
  const exceptions: string[] = [];
  const onRejection = (reason: unknown) => {
    rejections.push(reason instanceof Error ? (reason.stack ?? reason.message) : String(reason));
  };
  const onException = (e: Error) => {
    exceptions.push(e.stack ?? e.message);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    rejections,
    exceptions,
    stop() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

/** A Logger for the agent under fuzz that keeps its error lines (our own bugs: 7003, pipeline failures). */
export function errorRecordingLogger(): { log: Logger; errors: string[] } {
  const errors: string[] = [];
  return {
    log: createLogger('error', 'agent', (_level, line) => {
      if (errors.length < 1000) errors.push(line);
    }),
    errors,
  };
}

// ---------------------------------------------------------------------------------------------
// The long run

const ADDR: FuzzAddress = { agentId: 'proto::agent-under-fuzz', controllerId: CONTROLLER_EID };

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const count = Number(opt('--count') ?? 200_000);
  const seed = opt('--seed') !== undefined ? Number(opt('--seed')) >>> 0 : fuzzSeed();
  const maxInFlight = Number(opt('--in-flight') ?? 64);
  if (!Number.isInteger(count) || count < 0) throw new Error('--count must be a non-negative integer');
  process.stderr.write(`fuzz: seed=${seed} (replay with --seed ${seed} or USP_FUZZ_SEED=${seed}) count=${count}\n`);

  const watch = watchProcess();
  const { log, errors: agentErrors } = errorRecordingLogger();
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'usp-agent-fuzz-'));
  let agent: Agent | undefined;
  try {
    agent = await Agent.start({
      defaults: testDefaults(port, { 'Device.LocalAgent.EndpointID': ADDR.agentId }),
      dataDir,
      platform: 'simulated',
      log,
      seed: 42,
    });
    const url = `ws://127.0.0.1:${port}/usp`;
    const rssBefore = process.memoryUsage().rss;
    let finalGet = false;
    const report = await runFuzz({
      url,
      addr: ADDR,
      seed,
      count,
      maxInFlight,
      onProgress: (n) => process.stderr.write(`fuzz: ${n}/${count} rss=${Math.round(process.memoryUsage().rss / 2 ** 20)}MB\n`),
    });
    try {
      finalGet = (await probeEndpointId(url, ADDR)) === ADDR.agentId;
    } catch (e) {
      process.stderr.write(`fuzz: final Get failed: ${String(e)}\n`);
    }
    // With --expose-gc the heap figure is what survives: the agent's state, not garbage.
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    const crashes = watch.rejections.length + watch.exceptions.length + (finalGet ? 0 : 1);
    process.stdout.write(
      `${JSON.stringify({
        seed,
        count,
        answered: report.answered,
        errors: report.errors,
        crashes,
        rssMB: Math.round(rss / 2 ** 20),
        rssGrowthMB: Math.round((rss - rssBefore) / 2 ** 20),
        heapUsedMB: Math.round(heapUsed / 2 ** 20),
        durationMs: report.durationMs,
        finalGet,
        violationCount: report.violationCount,
        violations: report.violations,
        agentErrorLogs: agentErrors.length,
        agentErrorSamples: agentErrors.slice(0, 5),
        unhandled: [...watch.rejections, ...watch.exceptions].slice(0, 5),
        byExpectation: report.byExpectation,
        errorCodes: report.errorCodes,
        closeCodes: report.closeCodes,
        reconnects: report.reconnects,
      })}\n`,
    );
    return crashes > 0 || report.violationCount > 0 || agentErrors.length > 0 ? 1 : 0;
  } finally {
    watch.stop();
    await agent?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// Run only as a program, not when the test imports the driver.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`fuzz: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(2);
    },
  );
}
