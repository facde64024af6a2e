/**
 * One HTTP connection of a DownloadDiagnostics() or UploadDiagnostics() test (TR-143 §4.1-4.3,
 * TR-181 Device.IP.Diagnostics.*Diagnostics() PerConnectionResult.{i}.), with the TR-143
 * timestamps taken where they happen:
 * - TCPOpenRequestTime: the TCP open (SYN) is started; TCPOpenResponseTime: it completed;
 * - ROMTime: the request (GET, or the PUT's headers) goes out, right after the connection is up;
 * - BOMTime: download, the first byte of the response arrives; upload, the first byte of the
 *   test file is sent;
 * - EOMTime: download, the last byte arrives; upload, the server's response arrives.
 * A download is discarded as it arrives; an upload body is generated on the fly from one shared
 * zero-filled chunk, never a buffer of TestFileLength. The connection is persistent (TR-181: HTTP
 * "persistent connections MUST be used"), one request on it, then it is closed.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { nowMicros, type Micros } from './micro-clock.js';
import { connectFailureStatus, cutShortStatus, httpFailureStatus, type TransferDirection, type TransferStatus } from './transfer-status.js';

/** Upload bodies are written in chunks of this size, all views of the same zeroed buffer. */
const UPLOAD_CHUNK = Buffer.alloc(64 * 1024);

export interface ConnectionPlan {
  direction: TransferDirection;
  url: URL;
  /** The server's address, resolved by the caller (so CannotResolveHostName is decided once). */
  address: string;
  family: 4 | 6;
  /** Source address (the Interface input's address), or the system's choice. */
  localAddress?: string;
  /** Upload: bytes of test file to send; undefined for a time-based upload (sent until stop()). */
  uploadBytes?: number;
  /** No progress for this long ends the connection (connect, response, body, drain). */
  stallMs: number;
}

/** What one connection measured (PerConnectionResult.{i}.). */
export interface ConnectionResult {
  status: TransferStatus;
  /** Why, for the log, when status is not Complete. */
  detail: string;
  tcpOpenRequest?: Micros;
  tcpOpenResponse?: Micros;
  rom?: Micros;
  bom?: Micros;
  eom?: Micros;
  /** TCP payload bytes read from and written to this connection (headers included). */
  bytesRead: number;
  bytesWritten: number;
  localAddress?: string;
}

/** Runs one connection; read its counters while it runs (IncrementalResult sampling). */
export class TransferConnection {
  private socket?: Socket;
  private req?: http.ClientRequest;
  private result: ConnectionResult = { status: 'Error_Internal', detail: '', bytesRead: 0, bytesWritten: 0 };
  private done = false;
  private stopped = false;
  private stallTimer?: NodeJS.Timeout;
  private settle!: (r: ConnectionResult) => void;
  readonly finished: Promise<ConnectionResult>;
  /** Called once, when this connection's first test byte moves (BOMTime). */
  onBegin?: () => void;
  /** Called once, when it ends (EOMTime or failure). */
  onEnd?: () => void;

  constructor(private readonly plan: ConnectionPlan) {
    this.finished = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  get bytesRead(): number {
    return this.socket?.bytesRead ?? this.result.bytesRead;
  }
  get bytesWritten(): number {
    return this.socket?.bytesWritten ?? this.result.bytesWritten;
  }
  get began(): boolean {
    return this.result.bom !== undefined;
  }

  /** Starts the connection; `finished` resolves with its result (it never rejects). */
  start(): this {
    const p = this.plan;
    const headers: Record<string, string> = { Host: p.url.host, Connection: 'keep-alive', 'User-Agent': 'usp-agent-tr143' };
    if (p.direction === 'upload' && p.uploadBytes !== undefined) headers['Content-Length'] = String(p.uploadBytes);
    this.armStall('Error_InitConnectionFailed', 'TCP connection not open');
    this.result.tcpOpenRequest = nowMicros();
    const req = http.request({
      host: p.address,
      family: p.family,
      port: p.url.port || 80,
      path: `${p.url.pathname}${p.url.search}`,
      method: p.direction === 'download' ? 'GET' : 'PUT',
      headers,
      localAddress: p.localAddress,
      agent: false,
      setHost: false,
    });
    this.req = req;
    req.on('socket', (s) => this.onSocket(s));
    req.on('response', (res) => this.onResponse(res));
    req.on('error', (e: NodeJS.ErrnoException) => this.onError(e));
    if (p.direction === 'download') req.end();
    return this;
  }

  /**
   * Ends a time-based test (TimeBasedTestDuration reached): a download stops where it is, an
   * upload finishes its body and waits for the server's answer. Either is Complete.
   */
  stop(): void {
    if (this.done || this.stopped) return;
    this.stopped = true;
    if (this.plan.direction === 'download') {
      if (this.result.bom === undefined) this.finish('Error_NoResponse', 'no data before the test duration ended');
      else this.finish('Complete', '');
    }
    // An upload's pump sees `stopped` and ends the body.
  }

  /** Ends the connection with a failure (the test's maximum duration, or a cancel). */
  abort(status: TransferStatus, detail: string): void {
    this.finish(status, detail);
  }

  private onSocket(s: Socket): void {
    this.socket = s;
    s.once('connect', () => {
      this.result.tcpOpenResponse = nowMicros();
      this.result.localAddress = s.localAddress;
      this.result.rom = nowMicros();
      if (this.plan.direction === 'upload') {
        this.req!.flushHeaders();
        this.armStall('Error_Timeout', 'upload made no progress');
        this.pump();
      } else this.armStall('Error_NoResponse', 'no response to the request');
    });
    // Read at the socket, below the HTTP parser: the first and last packets, headers included.
    s.on('data', () => {
      if (this.plan.direction !== 'download') return;
      const t = nowMicros();
      if (this.result.bom === undefined) {
        this.result.bom = t;
        this.onBegin?.();
      }
      this.result.eom = t;
      this.armStall('Error_Timeout', 'the transfer stalled');
    });
    s.once('close', () => {
      if (this.done) return;
      if (this.plan.direction === 'download' && this.result.bom !== undefined)
        this.finish(cutShortStatus('download', this.contentLength !== undefined), 'connection closed before the end of the body');
      else if (this.result.tcpOpenResponse === undefined) this.finish('Error_InitConnectionFailed', 'connection closed while opening');
      else if (this.result.bom !== undefined) this.finish('Error_NoTransferComplete', 'connection closed before the upload was acknowledged');
      else this.finish('Error_NoResponse', 'connection closed without a response');
    });
  }

  private contentLength?: number;

  private onResponse(res: http.IncomingMessage): void {
    const code = res.statusCode ?? 0;
    if (code < 200 || code > 299) {
      res.resume();
      this.finish(httpFailureStatus(this.plan.direction, code), `HTTP ${code} ${res.statusMessage ?? ''}`.trim());
      return;
    }
    const cl = res.headers['content-length'];
    this.contentLength = cl === undefined ? undefined : Number(cl);
    if (this.plan.direction === 'upload') {
      // The upload's end: the server has taken the whole file and answered.
      this.result.eom = nowMicros();
      res.resume();
      res.on('error', () => this.finish('Complete', ''));
      res.once('end', () => this.finish('Complete', ''));
      return;
    }
    // Discarded as it arrives: nothing of the file is kept.
    res.resume();
    res.once('end', () => this.finish('Complete', ''));
    const short = (): void => this.finish(cutShortStatus('download', this.contentLength !== undefined), 'the body ended early');
    res.once('aborted', short);
    res.on('error', short);
  }

  private onError(e: NodeJS.ErrnoException): void {
    if (this.done) return;
    if (this.result.tcpOpenResponse === undefined) this.finish(connectFailureStatus(e.code), `connect failed: ${e.code ?? e.message}`);
    else if (this.plan.direction === 'download' && this.result.bom !== undefined)
      this.finish(cutShortStatus('download', this.contentLength !== undefined), `the body ended early: ${e.code ?? e.message}`);
    else if (this.plan.direction === 'upload' && this.result.bom !== undefined) this.finish('Error_NoTransferComplete', `upload failed: ${e.code ?? e.message}`);
    else this.finish('Error_NoResponse', `no response: ${e.code ?? e.message}`);
  }

  /** Writes the upload body chunk by chunk, waiting for 'drain' so nothing piles up in memory. */
  private pump(): void {
    const req = this.req!;
    const total = this.plan.uploadBytes;
    let sent = 0;
    const more = (): void => {
      while (!this.done) {
        const left = total === undefined ? (this.stopped ? 0 : UPLOAD_CHUNK.length) : total - sent;
        if (left <= 0) {
          req.end();
          this.armStall('Error_NoResponse', 'no response after the upload');
          return;
        }
        const chunk = left >= UPLOAD_CHUNK.length ? UPLOAD_CHUNK : UPLOAD_CHUNK.subarray(0, left);
        if (this.result.bom === undefined) {
          this.result.bom = nowMicros();
          this.onBegin?.();
        }
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', () => {
            this.armStall('Error_Timeout', 'upload made no progress');
            more();
          });
          return;
        }
      }
    };
    if (total === 0) {
      this.result.bom = nowMicros();
      this.onBegin?.();
    }
    more();
  }

  private armStall(status: TransferStatus, detail: string): void {
    if (this.done) return;
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => this.finish(status, `${detail} within ${this.plan.stallMs} ms`), this.plan.stallMs);
  }

  private finish(status: TransferStatus, detail: string): void {
    if (this.done) return;
    this.done = true;
    if (this.stallTimer) clearTimeout(this.stallTimer);
    const s = this.socket;
    this.result.bytesRead = s?.bytesRead ?? 0;
    this.result.bytesWritten = s?.bytesWritten ?? 0;
    this.result.status = status;
    this.result.detail = detail;
    if (this.plan.direction === 'upload' && status === 'Complete' && this.result.eom === undefined) this.result.eom = nowMicros();
    this.req?.destroy();
    s?.destroy();
    this.onEnd?.();
    this.settle(this.result);
  }
}
