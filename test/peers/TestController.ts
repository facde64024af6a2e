/**
 * The project's own test controller: a real USP WebSocket client (v1.usp, ?eid=) that speaks
 * through the project's codec. Requests resolve with the matching response Msg by msg_id;
 * everything else the agent sends (Notify, Connect records) is collected for assertions.
 */
import WebSocket from 'ws';
import { decodeMsg, encodeMsg, requestMsg } from '../../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord, type DecodedRecord } from '../../agent/codec/record.js';
import type { ErrorBody, Request, Response, UspMsg } from '../../agent/codec/types.js';

/**
 * How long a test waits for the agent's answer by default. Not a speed limit: an Add on the
 * OpenWrt fake runs a dozen `uci`/`ubus` stand-ins, each a Node process, and on a loaded 2-core
 * machine that took over 5 s. A request the agent never answers still fails.
 */
export const ANSWER_TIMEOUT_MS = 20_000;

/** A free loopback TCP port; bench/port.ts holds it because tsconfig.build.json excludes test/. */
export { freePort } from '../../bench/port.js';

export class TestController {
  private seq = 0;
  private readonly pending = new Map<string, (m: UspMsg) => void>();
  readonly unsolicited: UspMsg[] = [];
  readonly records: DecodedRecord[] = [];
  closed?: { code: number; reason: string };

  private constructor(
    readonly ws: WebSocket,
    readonly endpointId: string,
    readonly agentId: string,
  ) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return;
      const rec = decodeRecord(new Uint8Array(data));
      this.records.push(rec);
      if (rec.body.kind !== 'noSessionContext') return;
      const msg = decodeMsg(rec.body.payload);
      const resolve = this.pending.get(msg.header.msgId);
      if (resolve && msg.body.msgBody !== 'request') {
        this.pending.delete(msg.header.msgId);
        resolve(msg);
      } else this.unsolicited.push(msg);
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  static async connect(url: string, endpointId: string, agentId: string): Promise<TestController> {
    const ws = new WebSocket(`${url}?eid=${encodeURIComponent(endpointId)}`, 'v1.usp');
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new TestController(ws, endpointId, agentId);
  }

  /** Sends a request and waits for its response (or Error) Msg. */
  async send(request: Request, timeoutMs = ANSWER_TIMEOUT_MS): Promise<UspMsg> {
    const msgId = `tc-${++this.seq}`;
    const p = this.expect(msgId, timeoutMs);
    this.sendMsg(requestMsg(msgId, request));
    return p;
  }

  /** Sends a request that expects no answer (Operate send_resp=false); resolves after `waitMs` of silence. */
  async sendNoReply(request: Request, waitMs = 300): Promise<UspMsg | undefined> {
    const msgId = `tc-${++this.seq}`;
    const p = this.expect(msgId, waitMs).catch(() => undefined);
    this.sendMsg(requestMsg(msgId, request));
    return p;
  }

  sendMsg(msg: UspMsg): void {
    this.sendRaw(encodeRecord(noSessionContextRecord({ toId: this.agentId, fromId: this.endpointId }, encodeMsg(msg))));
  }

  sendRaw(bytes: Uint8Array): void {
    this.ws.send(bytes, { binary: true });
  }

  expect(msgId: string, timeoutMs: number): Promise<UspMsg> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(msgId);
        reject(new Error(`no answer to ${msgId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(msgId, (m) => {
        clearTimeout(t);
        resolve(m);
      });
    });
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((r) => {
      this.ws.once('close', () => r());
      this.ws.close();
    });
  }
}

/** The Response in `m`; throws, showing the body, when `m` carries anything else. */
export function asResponse(m: UspMsg): Response {
  if (m.body.msgBody !== 'response') throw new Error(`expected a response, got ${JSON.stringify(m.body)}`);
  return m.body.response;
}

/** The USP Error in `m`; throws, showing the body, when `m` carries anything else. */
export function asError(m: UspMsg): ErrorBody {
  if (m.body.msgBody !== 'error') throw new Error(`expected an Error, got ${JSON.stringify(m.body)}`);
  return m.body.error;
}

/** The Notify requests a controller has received so far (from index `from`). */
export function notifications(c: TestController, from = 0): { msgId: string; notify: import('../../agent/codec/types.js').NotifyReq }[] {
  return c.unsolicited.slice(from).flatMap((m) => (m.body.msgBody === 'request' && m.body.request.reqType === 'notify' ? [{ msgId: m.header.msgId, notify: m.body.request.notify }] : []));
}

/** Waits until `pred` holds for the controller's notifications, polling every 10 ms. */
export async function waitForNotification<T>(c: TestController, pick: (n: ReturnType<typeof notifications>) => T | undefined, timeoutMs = 3000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = pick(notifications(c));
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`notification not received within ${timeoutMs} ms; got ${JSON.stringify(notifications(c).map((n) => n.notify))}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
