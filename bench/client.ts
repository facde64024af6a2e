/**
 * The bench's USP controller side: one WebSocket (v1.usp, ?eid=) that sends pre-encoded Records
 * and hands every binary answer to the current listener. Encoding and decoding stay out of the
 * hot path so the client costs the same against the agent and the echo baseline.
 */
import WebSocket from 'ws';

export type AnswerListener = (answer: Buffer) => void;

export class BenchClient {
  private listener: AnswerListener = () => undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.listener(data);
    });
  }

  static async connect(url: string, endpointId: string): Promise<BenchClient> {
    const ws = new WebSocket(`${url}?eid=${encodeURIComponent(endpointId)}`, 'v1.usp', { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new BenchClient(ws);
  }

  /** Replaces the answer listener (the pipelined run installs its own). */
  listen(fn: AnswerListener): void {
    this.listener = fn;
  }

  send(record: Buffer): void {
    this.ws.send(record, { binary: true });
  }

  /** One request, one answer: sends `record` and resolves with the next binary message. */
  request(record: Buffer, timeoutMs = 30_000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      this.listen((a) => {
        clearTimeout(t);
        this.listen(() => undefined);
        resolve(a);
      });
      this.send(record);
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
