/**
 * The WebSocket CLIENT MTP: the agent process dials a bench-run `ws` server (v1.usp) as its
 * Device.LocalAgent.Controller.1.MTP.1, and the bench, now the server side, sends pipelined
 * one-parameter Gets down the connection the agent opened. Baseline: the bare ws echo process
 * (ws-echo.js, answering with the GetResp Records recorded over this connection), dialled with
 * BenchClient as in the main pipelined figure; the two alternate round by round.
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { decodeRecord } from '../agent/codec/record.js';
import { CONTROLLER_EID, USP_PATH, benchDefaults } from './agent-config.js';
import { BenchClient } from './client.js';
import { writeResponses } from './echo-responses.js';
import { figure } from './figure.js';
import { alternate, nextMessage, peerFigures, rate, recordAnswers, WsPipe, type TransportRun } from './pipe-client.js';
import { freePort } from './port.js';
import { spawnConfiguredAgent } from './spawn-configured.js';
import { spawnListening } from './spawn-agent.js';
import { round } from './stats.js';

const ROW = 'Device.LocalAgent.Controller.1.MTP.1.';

/** The controller's server: options as ws-echo.js and the agent's own server (no compression, v1.usp, 1 MiB). */
async function controllerServer(): Promise<{ port: number; accepted: Promise<{ pipe: WsPipe; first: Promise<Buffer> }>; close(): Promise<void> }> {
  const http = createServer((_req, res) => {
    res.writeHead(426).end();
  });
  const wss = new WebSocketServer({
    server: http,
    maxPayload: 1024 * 1024,
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has('v1.usp') ? 'v1.usp' : false),
  });
  const accepted = new Promise<{ pipe: WsPipe; first: Promise<Buffer> }>((resolve) => {
    wss.once('connection', (ws) => {
      // Listening from the first tick: the agent sends its WebSocketConnectRecord at once.
      const pipe = new WsPipe(ws);
      resolve({ pipe, first: nextMessage(pipe, 10_000, 'WebSocketConnectRecord from the agent') });
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const a = http.address();
  return {
    port: typeof a === 'object' && a ? a.port : 0,
    accepted,
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => {
        http.close(() => r());
        http.closeAllConnections();
      });
    },
  };
}

/** `mainWsEcho`: requests/s of the ws echo in the main pipelinedGet figure of the same run, if any. */
export async function measureWebSocketClient(run: TransportRun, work: string, mainWsEcho?: number): Promise<Record<string, unknown>> {
  run.progress('transports: WebSocket client MTP, the agent dials the bench');
  const server = await controllerServer();
  const stops: Array<() => Promise<void>> = [() => server.close()];
  try {
    const wsPort = await freePort();
    const agent = await spawnConfiguredAgent(
      {
        ...benchDefaults(wsPort),
        [`${ROW}Enable`]: true,
        [`${ROW}Protocol`]: 'WebSocket',
        [`${ROW}WebSocket.Host`]: '127.0.0.1',
        [`${ROW}WebSocket.Port`]: server.port,
        [`${ROW}WebSocket.Path`]: USP_PATH,
        [`${ROW}WebSocket.EnableEncryption`]: false,
        [`${ROW}WebSocket.SessionRetryMinimumWaitInterval`]: 1,
      },
      wsPort,
      'agent (WebSocket client MTP)',
    );
    stops.push(() => agent.stop());
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the agent did not dial the bench within 10 s')), 10_000).unref());
    const { pipe, first } = await Promise.race([server.accepted, timeout]);
    const connect = decodeRecord(await first);
    if (connect.body.kind !== 'websocketConnect') throw new Error(`expected a WebSocketConnectRecord first, got ${connect.body.kind}`);

    const recorded = await recordAnswers(pipe, run.records);
    const responsesFile = join(work, 'ws-client-responses.bin');
    writeResponses(responsesFile, recorded);
    const echoPort = await freePort();
    const echo = await spawnListening([fileURLToPath(new URL('./ws-echo.js', import.meta.url)), String(echoPort), responsesFile], echoPort, 'ws-echo');
    stops.push(() => echo.stop());
    const echoClient = await BenchClient.connect(echo.url, CONTROLLER_EID);
    stops.push(() => echoClient.close());

    const totals = await alternate(
      [
        { name: 'transports: agent via its WebSocket client MTP', client: pipe },
        { name: 'transports: ws echo', client: echoClient },
      ],
      run.records,
      run.opts,
      run.rounds,
      run.progress,
    );
    const a = totals.get('transports: agent via its WebSocket client MTP')!;
    const e = totals.get('transports: ws echo')!;
    const out: Record<string, unknown> = {
      note: `the agent process dials ws://127.0.0.1:<port>${USP_PATH} (${ROW}, from its factory defaults) and sends its WebSocketConnectRecord; the bench, as the server side of that connection, sends Get Device.DeviceInfo.SerialNumber with ${run.opts.inFlight} in flight; baseline: the bare ws echo process (ws-echo.js) answering the same request Records with the GetResp Records recorded over this connection, dialled with BenchClient; ${run.rounds} alternating rounds of ${run.opts.warmupMs} ms warm-up + ${run.opts.measureMs} ms measured`,
      responseRecordBytes: recorded[0]!.length,
      agent: peerFigures(a),
      wsEcho: peerFigures(e),
      ratioAgentToEcho: figure(round(rate(a) / rate(e), 3), 'x', undefined, 'against the ws echo measured alternately in this section'),
    };
    if (mainWsEcho !== undefined) {
      out.ratioAgentToMainWsEcho = figure(round(rate(a) / mainWsEcho, 3), 'x', undefined, 'against pipelinedGet.wsEcho of the same run (measured earlier, same client code)');
    }
    return out;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}
