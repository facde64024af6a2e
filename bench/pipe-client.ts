/**
 * The controller side of the transport figures, for any link that carries one Record per message:
 * a `ws` WebSocket we dialled (with TLS options, which BenchClient does not take) or one the
 * agent dialled into our server, and an MQTT client (mqtt-client.ts). Each hands every binary
 * answer to one listener and sends pre-encoded Records, exactly like BenchClient, so the same
 * pipelined load (pipeline.ts) runs over all of them and over their bare baselines.
 */
import type { ConnectionOptions } from 'node:tls';
import WebSocket from 'ws';
import type { AnswerListener, BenchClient } from './client.js';
import { runPipeline, type PipelineOptions, type PipelineResult } from './pipeline.js';
import { answerMsg, countGetRespParams } from './requests.js';
import { median, quantileSorted, round } from './stats.js';
import { figure } from './figure.js';

export interface PipeClient {
  listen(fn: AnswerListener): void;
  send(record: Buffer): void;
}

/**
 * runPipeline is typed for BenchClient (a class with a private constructor) but calls only
 * listen() and send(): any PipeClient drives it the same way.
 */
export function asBenchClient(c: PipeClient): BenchClient {
  return c as unknown as BenchClient;
}

/** One request, one answer: sends `record` and resolves with the next message (as BenchClient.request). */
export function request(c: PipeClient, record: Buffer, timeoutMs = 30_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    c.listen((a) => {
      clearTimeout(t);
      c.listen(() => undefined);
      resolve(a);
    });
    c.send(record);
  });
}

/** The next message that arrives without a request (the agent's connect Record). */
export function nextMessage(c: PipeClient, timeoutMs: number, what: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
    c.listen((a) => {
      clearTimeout(t);
      c.listen(() => undefined);
      resolve(a);
    });
  });
}

/** A `ws` WebSocket either side of the handshake, as a PipeClient. */
export class WsPipe implements PipeClient {
  private listener: AnswerListener = () => undefined;

  constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.listener(data);
    });
  }

  /** Dials `url` as controller `endpointId` (v1.usp, ?eid=), with TLS options for wss. */
  static async dial(url: string, endpointId: string, tls: ConnectionOptions = {}): Promise<WsPipe> {
    const ws = new WebSocket(`${url}?eid=${encodeURIComponent(endpointId)}`, 'v1.usp', { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024, ...tls });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new WsPipe(ws);
  }

  listen(fn: AnswerListener): void {
    this.listener = fn;
  }
  send(record: Buffer): void {
    this.ws.send(record, { binary: true });
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((r) => {
      this.ws.once('close', () => r());
      this.ws.close();
    });
  }
}

/** Sends each slot Record once, in order, and checks the answers: one parameter each, all the same size. */
export async function recordAnswers(c: PipeClient, records: readonly Buffer[]): Promise<Buffer[]> {
  const answers: Buffer[] = [];
  for (const r of records) answers.push(await request(c, r));
  if (countGetRespParams(answerMsg(answers[0]!)) !== 1) throw new Error('the one-parameter Get did not return one parameter');
  if (new Set(answers.map((a) => a.length)).size !== 1) throw new Error('recorded GetResp Records differ in size');
  return answers;
}

export interface Peer {
  name: string;
  client: PipeClient;
}

export interface PeerTotals {
  answers: number;
  seconds: number;
  latencies: number[];
  rounds: number[];
}

/**
 * `rounds` rounds in which every peer runs one pipelined window in turn, so a slow spell of the
 * shared machine falls on all of them alike. Each peer keeps its own slot cursor (the echo
 * processes count messages per connection).
 */
export async function alternate(peers: readonly Peer[], records: readonly Buffer[], opts: PipelineOptions, rounds: number, progress: (s: string) => void): Promise<Map<string, PeerTotals>> {
  const totals = new Map<string, PeerTotals>(peers.map((p) => [p.name, { answers: 0, seconds: 0, latencies: [], rounds: [] }]));
  const cursors = new Map(peers.map((p) => [p.name, { next: 0 }]));
  for (let r = 0; r < rounds; r++) {
    for (const p of peers) {
      progress(`${p.name}, round ${r + 1}/${rounds}`);
      const res: PipelineResult = await runPipeline(asBenchClient(p.client), records, opts, cursors.get(p.name)!);
      const t = totals.get(p.name)!;
      t.answers += res.answers;
      t.seconds += res.seconds;
      t.rounds.push(Math.round(res.answers / res.seconds));
      for (const v of res.latenciesMs) t.latencies.push(v);
    }
  }
  return totals;
}

export const rate = (t: PeerTotals): number => t.answers / t.seconds;

/** Rate and latency figures of one peer. */
export function peerFigures(t: PeerTotals): Record<string, unknown> {
  const lat = Float64Array.from(t.latencies).sort();
  return {
    rate: figure(Math.round(rate(t)), 'requests/s'),
    latencyP50: figure(round(quantileSorted(lat, 0.5), 3), 'ms'),
    latencyP99: figure(round(quantileSorted(lat, 0.99), 3), 'ms'),
    roundsPerSecond: t.rounds,
  };
}

/** Median and p99 of a list of times (ms), as figures. */
export function timeFigures(ms: readonly number[], note?: string): Record<string, unknown> {
  const sorted = Float64Array.from(ms).sort();
  return {
    median: figure(round(median([...ms]), 3), 'ms', undefined, note),
    p99: figure(round(quantileSorted(sorted, 0.99), 3), 'ms'),
    min: round(sorted[0] ?? NaN, 3),
    samples: ms.length,
  };
}

/** What every transport measurement gets: the slot Records, the window settings, the rounds. */
export interface TransportRun {
  records: readonly Buffer[];
  opts: PipelineOptions;
  rounds: number;
  progress: (s: string) => void;
}
