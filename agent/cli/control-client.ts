/**
 * The `usp-agent` commands' side of the local control socket (agent/control/ControlSocket.ts): a
 * USP UNIX domain socket client (TR-369 §"UNIX Domain Socket Binding": Handshake TLVs, then
 * Records) that sends one Msg at a time as the local controller and waits for its answer, and
 * hands every Notify it receives to `onNotify`.
 */
import { createConnection, type Socket } from 'node:net';
import { silentLogger } from '../../datamodel/Logger.js';
import { REAL_TIMERS, UdsConnection, DEFAULT_MAX_BUFFERED_BYTES } from '../../mtp/uds/UdsConnection.js';
import { DEFAULT_MAX_FRAME_SIZE } from '../../mtp/uds/uds-framing.js';
import { decodeMsg, encodeMsg, requestMsg } from '../codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord } from '../codec/record.js';
import type { ErrorBody, NotifyReq, Request, Response, UspMsg } from '../codec/types.js';
import { controlSocketPath, LOCAL_CONTROLLER_EID } from '../control/ControlSocket.js';
import { CliError, EXIT_UNREACHABLE } from './cli-error.js';

/** How long connecting and the handshake may take before the agent counts as not answering. */
export const CONNECT_TIMEOUT_MS = 5000;

/** What the agent answered: a Response, or a USP Error message. */
export type Answer = { kind: 'response'; response: Response } | { kind: 'error'; error: ErrorBody };

interface Waiting {
  resolve(a: Answer): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** One connection to the agent's control socket as the local controller (TR-369 UDS MTP, USP 1.3). */
export class ControlClient {
  private seq = 0;
  private readonly waiting = new Map<string, Waiting>();
  /** Called for each Notify request from the agent (`watch`). */
  onNotify?: (notify: NotifyReq) => void;
  /** Called once when the link ends while the client is still in use. */
  onClose?: (why: string) => void;
  private closing = false;

  private constructor(
    private readonly conn: UdsConnection,
    private readonly where: string,
  ) {}

  /** The Endpoint ID the agent gave in its Handshake. */
  get agentEndpointId(): string {
    return this.conn.peerEndpointId ?? '';
  }

  /** Dials `<dataDir>/control.sock` and completes the handshake, or throws CliError(EXIT_UNREACHABLE) saying where it looked. */
  static connect(dataDir: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<ControlClient> {
    const path = controlSocketPath(dataDir);
    const unreachable = (why: string): CliError =>
      new CliError(EXIT_UNREACHABLE, `no agent answering on data directory ${dataDir}: ${why} (is \`usp-agent run --data-dir ${dataDir}\` running, as this user?)`);
    return new Promise((resolve, reject) => {
      const socket: Socket = createConnection(path);
      let client: ControlClient | undefined;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(unreachable(`${path} did not complete the USP handshake within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const why =
          e.code === 'ENOENT'
            ? `${path} does not exist`
            : e.code === 'ECONNREFUSED'
              ? `${path} is left over from an agent that is no longer running`
              : e.code === 'EACCES'
                ? `permission denied on ${path} (the socket is the agent user's only)`
                : `${path}: ${e.message}`;
        reject(unreachable(why));
      });
      socket.once('connect', () => {
        const conn = new UdsConnection(socket, {
          role: 'client',
          ownEndpointId: LOCAL_CONTROLLER_EID,
          maxFrameSize: DEFAULT_MAX_FRAME_SIZE,
          maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES,
          handshakeTimeoutMs: timeoutMs,
          timers: REAL_TIMERS,
          log: silentLogger,
          onHandshake: () => {
            clearTimeout(timer);
            resolve(client!);
          },
          onRecord: (bytes) => client!.onRecord(bytes),
          onClose: (_c, why) => {
            clearTimeout(timer);
            reject(unreachable(`${path} closed the connection (${why})`));
            client!.onLinkClosed(why);
          },
        });
        client = new ControlClient(conn, path);
      });
    });
  }

  /** Sends one request and waits for its answer; a link that ends first is CliError(EXIT_UNREACHABLE). */
  request(request: Request, timeoutMs: number): Promise<Answer> {
    const msgId = `cli-${process.pid}-${++this.seq}`;
    const record = encodeRecord(noSessionContextRecord({ toId: this.agentEndpointId, fromId: LOCAL_CONTROLLER_EID }, encodeMsg(requestMsg(msgId, request))));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(msgId);
        reject(new CliError(EXIT_UNREACHABLE, `the agent on ${this.where} did not answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.waiting.set(msgId, { resolve, reject, timer });
      if (!this.conn.send(record)) {
        clearTimeout(timer);
        this.waiting.delete(msgId);
        reject(new CliError(EXIT_UNREACHABLE, `the connection to ${this.where} is closed`));
      }
    });
  }

  /** Ends the link (the agent sees a quiet close). */
  close(): void {
    this.closing = true;
    this.conn.close(1000, 'done');
  }

  private onRecord(bytes: Uint8Array): void {
    let msg: UspMsg;
    try {
      const rec = decodeRecord(bytes);
      // The UDSConnectRecord after the handshake, or anything else without a Msg: nothing to answer.
      if (rec.body.kind !== 'noSessionContext') return;
      msg = decodeMsg(rec.body.payload);
    } catch {
      return; // not ours to fix; the request that waits for it times out with a clear message
    }
    const body = msg.body;
    if (body.msgBody === 'request') {
      if (body.request.reqType === 'notify') this.onNotify?.(body.request.notify);
      return;
    }
    const w = this.waiting.get(msg.header.msgId);
    if (!w) return;
    this.waiting.delete(msg.header.msgId);
    clearTimeout(w.timer);
    w.resolve(body.msgBody === 'response' ? { kind: 'response', response: body.response } : { kind: 'error', error: body.error });
  }

  private onLinkClosed(why: string): void {
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(new CliError(EXIT_UNREACHABLE, `the agent on ${this.where} closed the connection before answering (${why})`));
      this.waiting.delete(id);
    }
    if (!this.closing) this.onClose?.(why);
  }
}
