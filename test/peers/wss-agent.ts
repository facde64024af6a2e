/**
 * The real agent serving wss with the test PKI, and a minimal wss USP client (TestController has
 * no TLS options), shared by the TLS and TOFU integration tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import WebSocket from 'ws';
import { Agent, type AgentOptions, type AgentTlsFiles } from '../../agent/Agent.js';
import { decodeMsg, encodeMsg, requestMsg } from '../../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord } from '../../agent/codec/record.js';
import type { Request, UspMsg } from '../../agent/codec/types.js';
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';
import { createLogger } from '../../datamodel/Logger.js';
import { freePort } from './TestController.js';
import { AGENT_EID, testDefaults, testSchema } from './agent-fixture.js';
import { testPki, type TestCert } from './test-pki.js';

const pki = testPki();

// ---- fixture: the real agent with TLS, and a log we can read -------------------------------------

export interface TlsAgent {
  agent: Agent;
  port: number;
  url: string;
  dataDir: string;
  logs: string[];
  close(): Promise<void>;
}

export async function startTlsAgent(opts: { tls?: AgentTlsFiles; extra?: DefaultsFile; dataDir?: string; agent?: Partial<AgentOptions> } = {}): Promise<TlsAgent> {
  const port = await freePort();
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'usp-agent-tls-'));
  const logs: string[] = [];
  const log = createLogger('debug', 'agent', (_lvl, line) => {
    logs.push(line);
  });
  const defaults = testDefaults(port, {
    'Device.LocalAgent.MTP.1.WebSocket.EnableEncryption': true,
    'Device.LocalAgent.ControllerTrust.UntrustedRole': 'Device.LocalAgent.ControllerTrust.Role.1',
    ...opts.extra,
  });
  const agent = await Agent.start({ defaults, dataDir, platform: 'simulated', log, seed: 42, schema: testSchema(), tls: opts.tls, ...opts.agent });
  // A restart on the same data directory keeps the saved port, not this run's default.
  const bound = agent.webSocketServers[0]?.port ?? port;
  return {
    agent,
    port: bound,
    url: `wss://127.0.0.1:${bound}/usp`,
    dataDir,
    logs,
    async close() {
      await agent.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const pkiFiles: AgentTlsFiles = { cert: pki.agent.certFile, key: pki.agent.keyFile, ca: pki.ca.certFile };

// ---- a minimal wss USP client (TestController has no TLS options) -------------------------------

export class WssPeer {
  private seq = 0;
  private readonly waiting = new Map<string, (m: UspMsg) => void>();
  constructor(
    readonly ws: WebSocket,
    readonly fromId: string,
  ) {
    ws.on('message', (data: Buffer, binary) => {
      if (!binary) return;
      const rec = decodeRecord(new Uint8Array(data));
      if (rec.body.kind !== 'noSessionContext') return;
      const msg = decodeMsg(rec.body.payload);
      this.waiting.get(msg.header.msgId)?.(msg);
    });
  }

  /** Sends a Get of Device.LocalAgent.EndpointID with `fromId`; undefined when no answer comes in time. */
  async get(fromId = this.fromId, timeoutMs = 3000): Promise<UspMsg | undefined> {
    return this.send({ reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } }, fromId, timeoutMs);
  }

  /** Sends `request` with `fromId`; the answer (response or Error), or undefined when none comes in time. */
  async send(request: Request, fromId = this.fromId, timeoutMs = 3000): Promise<UspMsg | undefined> {
    const msgId = `tls-${++this.seq}`;
    const answer = new Promise<UspMsg | undefined>((resolve) => {
      const t = setTimeout(() => {
        this.waiting.delete(msgId);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(msgId, (m) => {
        clearTimeout(t);
        this.waiting.delete(msgId);
        resolve(m);
      });
    });
    this.ws.send(encodeRecord(noSessionContextRecord({ toId: AGENT_EID, fromId }, encodeMsg(requestMsg(msgId, request)))), { binary: true });
    return answer;
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((r) => {
      this.ws.once('close', () => r());
      this.ws.close();
    });
  }
}

export function endpointIdIn(m: UspMsg | undefined): string | undefined {
  if (m?.body.msgBody !== 'response' || m.body.response.respType !== 'getResp') return undefined;
  return m.body.response.getResp.reqPathResults[0]?.resolvedPathResults?.[0]?.resultParams.EndpointID;
}

/** Opens wss as a controller; rejects with the TLS or HTTP error when the agent refuses. */
export async function openWss(url: string, client: TestCert | undefined, opts: { eid?: string; tls?: ConnectionOptions } = {}): Promise<WebSocket> {
  const q = opts.eid ? `?eid=${encodeURIComponent(opts.eid)}` : '';
  const ws = new WebSocket(url + q, 'v1.usp', { ca: pki.ca.cert, cert: client?.cert, key: client?.key, ...opts.tls });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', (e) => {
      ws.terminate();
      reject(e);
    });
  });
}

export async function peer(url: string, client: TestCert, fromId: string, eid?: string): Promise<WssPeer> {
  return new WssPeer(await openWss(url, client, { eid }), fromId);
}
