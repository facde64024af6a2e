/**
 * TLS on the agent's WebSocket server, with a PKI made by openssl at bench time (bench-pki.ts):
 * the agent process serves wss with mutual TLS (--cert/--key/--ca, EnableEncryption true) on
 * Device.LocalAgent.MTP.1 and plain ws on MTP.2, side by side in the same process.
 * - Handshake times, one fresh connection at a time (no session resumption), interleaved: raw TLS
 *   to secureConnect against the agent and against a bare Node TLS server with the same
 *   certificate and settings (tls-bare.js), and a whole wss open (TLS, the agent's check of the
 *   client certificate, HTTP upgrade) against a plain ws open on the same agent.
 * - Pipelined one-parameter Gets over wss against ws, alternating round by round.
 * The handshakes run first: the agent keeps one connection per controller (R-WS.4), so a new
 * connection from the same controller would replace the pipelined one.
 */
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { AGENT_EID, CONTROLLER_EID, USP_PATH, benchDefaults } from './agent-config.js';
import { makeBenchPki } from './bench-pki.js';
import { figure } from './figure.js';
import { alternate, peerFigures, rate, recordAnswers, timeFigures, WsPipe, type TransportRun } from './pipe-client.js';
import { freePort } from './port.js';
import { spawnConfiguredAgent } from './spawn-configured.js';
import { spawnListening } from './spawn-agent.js';
import { median, round } from './stats.js';

const HANDSHAKES = 50;
const WARMUP_HANDSHAKES = 5;

/** tls.connect → secureConnect (ms); the socket is destroyed at once. */
function tlsHandshakeMs(port: number, opts: ConnectionOptions): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ...opts });
    socket.once('secureConnect', () => {
      const ms = performance.now() - t0;
      socket.destroy();
      resolve(ms);
    });
    socket.once('error', reject);
  });
}

/** new WebSocket → 'open' (ms), then a normal close, awaited. */
async function wsOpenMs(url: string, tls: ConnectionOptions): Promise<number> {
  const t0 = performance.now();
  const ws = new WebSocket(`${url}?eid=${encodeURIComponent(CONTROLLER_EID)}`, 'v1.usp', { perMessageDeflate: false, ...tls });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const ms = performance.now() - t0;
  await new Promise<void>((r) => {
    ws.once('close', () => r());
    ws.close();
  });
  return ms;
}

export async function measureTls(run: TransportRun): Promise<Record<string, unknown>> {
  run.progress('transports: TLS, making a PKI with openssl and starting the agent with wss + ws');
  const pki = makeBenchPki(AGENT_EID, CONTROLLER_EID);
  const stops: Array<() => Promise<void>> = [async () => pki.cleanup()];
  try {
    const wssPort = await freePort();
    const wsPort = await freePort();
    const agent = await spawnConfiguredAgent(
      {
        ...benchDefaults(wssPort),
        'Device.LocalAgent.MTP.1.WebSocket.EnableEncryption': true,
        'Device.LocalAgent.MTP.2.Enable': true,
        'Device.LocalAgent.MTP.2.Protocol': 'WebSocket',
        'Device.LocalAgent.MTP.2.WebSocket.Port': wsPort,
        'Device.LocalAgent.MTP.2.WebSocket.Path': USP_PATH,
        'Device.LocalAgent.MTP.2.WebSocket.EnableEncryption': false,
        // MTP.2 starts after MTP.1: once it listens, so does the wss server.
      },
      wsPort,
      'agent (TLS)',
      ['--cert', pki.agent.certFile, '--key', pki.agent.keyFile, '--ca', pki.ca.certFile],
    );
    stops.push(() => agent.stop());
    const barePort = await freePort();
    const bare = await spawnListening(
      [fileURLToPath(new URL('./tls-bare.js', import.meta.url)), String(barePort), pki.agent.certFile, pki.agent.keyFile, pki.ca.certFile],
      barePort,
      'bare TLS server',
    );
    stops.push(() => bare.stop());

    const clientTls: ConnectionOptions = { ca: pki.ca.cert, cert: pki.controller.cert, key: pki.controller.key };
    const wssUrl = `wss://127.0.0.1:${wssPort}${USP_PATH}`;
    const wsUrl = `ws://127.0.0.1:${wsPort}${USP_PATH}`;
    run.progress(`transports: TLS, ${HANDSHAKES} handshakes of each kind`);
    const t = { agentTls: [] as number[], bareTls: [] as number[], agentWss: [] as number[], agentWs: [] as number[] };
    let protocol = '';
    for (let i = 0; i < WARMUP_HANDSHAKES + HANDSHAKES; i++) {
      const keep = i >= WARMUP_HANDSHAKES;
      const a = await tlsHandshakeMs(wssPort, clientTls);
      const b = await tlsHandshakeMs(barePort, clientTls);
      const c = await wsOpenMs(wssUrl, clientTls);
      const d = await wsOpenMs(wsUrl, {});
      if (keep) {
        t.agentTls.push(a);
        t.bareTls.push(b);
        t.agentWss.push(c);
        t.agentWs.push(d);
      }
    }
    await new Promise<void>((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port: wssPort, ...clientTls });
      s.once('secureConnect', () => {
        protocol = `${s.getProtocol() ?? '?'} ${s.getCipher().name}`;
        s.destroy();
        resolve();
      });
      s.once('error', reject);
    });

    const wss = await WsPipe.dial(wssUrl, CONTROLLER_EID, clientTls);
    stops.push(() => wss.close());
    const ws = await WsPipe.dial(wsUrl, CONTROLLER_EID);
    stops.push(() => ws.close());
    const wssAnswers = await recordAnswers(wss, run.records);
    await recordAnswers(ws, run.records);
    const totals = await alternate(
      [
        { name: 'transports: agent over ws', client: ws },
        { name: 'transports: agent over wss (mutual TLS)', client: wss },
      ],
      run.records,
      run.opts,
      run.rounds,
      run.progress,
    );
    const plain = totals.get('transports: agent over ws')!;
    const secure = totals.get('transports: agent over wss (mutual TLS)')!;
    return {
      note: `PKI made with openssl at bench time (P-256 CA, agent certificate with SAN urn:bbf:usp:id:${AGENT_EID}, controller certificate with urn:bbf:usp:id:${CONTROLLER_EID}); the agent process serves wss with mutual TLS on MTP.1 and plain ws on MTP.2; negotiated ${protocol}`,
      handshake: {
        note: `one fresh connection at a time from this process, no session resumption, ${HANDSHAKES} of each kind interleaved after ${WARMUP_HANDSHAKES} warm-up rounds; with TLS 1.3 the client reaches secureConnect before the server has checked its certificate, which the wss open includes`,
        agentTlsToSecureConnect: timeFigures(t.agentTls, 'tls.connect with the controller certificate → secureConnect, agent wss port'),
        bareTlsToSecureConnect: timeFigures(t.bareTls, 'the same against a bare Node TLS server process (same certificate, TLS 1.2+, client certificate required)'),
        ratioAgentToBareTls: figure(round(median(t.agentTls) / median(t.bareTls), 2), 'x (medians)'),
        agentWssOpen: timeFigures(t.agentWss, 'new WebSocket(wss://…) → open: TLS, client-certificate check, HTTP upgrade'),
        agentWsOpen: timeFigures(t.agentWs, 'new WebSocket(ws://…) → open on the same agent, no TLS'),
        tlsCostOfOpen: figure(round(median(t.agentWss) - median(t.agentWs), 3), 'ms (medians)', undefined, 'wss open − ws open'),
      },
      pipelinedGet: {
        note: `Get Device.DeviceInfo.SerialNumber, ${run.opts.inFlight} in flight, one wss and one ws connection from the same client code (WsPipe) to the same agent process, ${run.rounds} alternating rounds of ${run.opts.warmupMs} ms warm-up + ${run.opts.measureMs} ms measured`,
        responseRecordBytes: wssAnswers[0]!.length,
        ws: peerFigures(plain),
        wss: peerFigures(secure),
        ratioWssToWs: figure(round(rate(secure) / rate(plain), 3), 'x'),
      },
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}
