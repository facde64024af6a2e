/**
 * One UNIX domain socket link (TR-369 §"UNIX Domain Socket Binding"), shared by the
 * server and client roles: framing on the socket and the handshake. The client sends a Handshake
 * TLV with its Endpoint ID, the server answers with its own; only then is the link open and its
 * peer identity known. Records before the handshake are ignored. A frame that cannot be parsed is
 * answered with an Error TLV and the link is closed; an Error TLV from the peer closes the link.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../../datamodel/Logger.js';
import type { MtpConnection, RecordHandler } from '../Mtp.js';
import { DEFAULT_MAX_FRAME_SIZE, errorFrame, handshakeFrame, recordFrame, recordFrameSize, UdsFrameDecoder, type UdsTlv } from './uds-framing.js';

/** TR-369: a client without the server's Handshake after this long closes (the server too). */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 30_000;
/** Bytes queued on the socket beyond which send() refuses, so a stalled peer cannot grow memory. */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** After we end a link, a peer that does not close its side is cut off after this long. */
export const CLOSE_GRACE_MS = 500;

/** Timer functions, injectable so tests can drive timeouts and reconnects with a fake clock. */
export interface UdsTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
export const REAL_TIMERS: UdsTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface UdsLinkOptions {
  role: 'server' | 'client';
  /** Sent in our Handshake TLV (Device.LocalAgent.EndpointID). */
  ownEndpointId: string;
  maxFrameSize: number;
  maxBufferedBytes: number;
  handshakeTimeoutMs: number;
  timers: UdsTimers;
  log: Logger;
  /** The handshake completed: `peerEndpointId` is set and send() works. */
  onHandshake(conn: UdsConnection): void;
  onRecord: RecordHandler;
  /** The socket closed, for whatever reason (`why` is for logs). */
  onClose(conn: UdsConnection, why: string): void;
}

/** What server and client MTPs are configured with that every connection of theirs shares. */
export interface UdsMtpLimits {
  agentEndpointId: string;
  maxFrameSize?: number;
  maxBufferedBytes?: number;
  handshakeTimeoutMs?: number;
  log: Logger;
  onRecord: RecordHandler;
}

/** The shared part of a connection's options, with the defaults filled in. */
export function linkSettings(o: UdsMtpLimits, timers: UdsTimers): Pick<UdsLinkOptions, 'ownEndpointId' | 'maxFrameSize' | 'maxBufferedBytes' | 'handshakeTimeoutMs' | 'timers' | 'log' | 'onRecord'> {
  return {
    ownEndpointId: o.agentEndpointId,
    maxFrameSize: o.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE,
    maxBufferedBytes: o.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
    handshakeTimeoutMs: o.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    timers,
    log: o.log,
    onRecord: o.onRecord,
  };
}

export class UdsConnection implements MtpConnection {
  readonly protocol = 'UDS' as const;
  /** The peer names itself in its Handshake TLV; a UDS link carries no certificate to prove it. */
  readonly identity = 'claimed' as const;
  private peer?: string;
  private ending = false;
  private closed = false;
  private why = '';
  private readonly decoder: UdsFrameDecoder;
  private handshakeTimer?: unknown;
  private graceTimer?: unknown;

  constructor(
    readonly socket: Socket,
    private readonly opts: UdsLinkOptions,
  ) {
    this.decoder = new UdsFrameDecoder({ maxFrameSize: opts.maxFrameSize });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => {
      this.why ||= e.message;
    });
    socket.on('close', () => this.onSocketClose());
    const s = opts.handshakeTimeoutMs / 1000;
    this.handshakeTimer = opts.timers.setTimeout(() => this.fail(`no Handshake within ${s} s`), opts.handshakeTimeoutMs);
    if (opts.role === 'client') socket.write(handshakeFrame(opts.ownEndpointId));
  }

  /** The Endpoint ID the peer gave in its Handshake TLV; undefined until then. */
  get peerEndpointId(): string | undefined {
    return this.peer;
  }
  get open(): boolean {
    return this.peer !== undefined && !this.ending && !this.closed && this.socket.writable;
  }
  /** Why the link ended (ours or the peer's words), '' while it is up. */
  get closeReason(): string {
    return this.why;
  }

  /** Sends one Record in its own frame; false before the handshake, after close, or when the peer is not reading. */
  send(record: Uint8Array): boolean {
    if (!this.open) return false;
    if (recordFrameSize(record.length) > this.opts.maxFrameSize) {
      this.opts.log.warn('record not sent: larger than the UDS frame limit', { eid: this.peer ?? '', bytes: record.length, limit: this.opts.maxFrameSize });
      return false;
    }
    if (this.socket.writableLength > this.opts.maxBufferedBytes) return false;
    this.socket.write(recordFrame(record));
    return true;
  }

  /**
   * MtpConnection speaks WebSocket close codes: 1000/1001 end the link quietly, any other code
   * (1003 for a Record that cannot be processed, ...) is a protocol error the peer learns of
   * through an Error TLV first (TR-369 "UNIX Domain Socket Binding").
   */
  close(code = 1000, reason = ''): void {
    if (code === 1000 || code === 1001) this.end(reason || 'closed');
    else this.fail(reason || `closed with code ${code}`);
  }

  /** A protocol error: an Error TLV, then close. */
  fail(message: string): void {
    if (this.ending || this.closed) return;
    this.opts.log.warn('uds protocol error; closing the link', { eid: this.peer ?? '', error: message });
    if (this.socket.writable) this.socket.write(errorFrame(message));
    this.end(message);
  }

  /** Closes our side; the socket is destroyed if the peer does not close its own in time. */
  end(why: string): void {
    if (this.ending || this.closed) return;
    this.ending = true;
    this.why ||= why;
    this.opts.timers.clearTimeout(this.handshakeTimer);
    this.socket.end();
    this.graceTimer = this.opts.timers.setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
  }

  /** Drops the socket at once (shutdown of a peer that ignores our end). */
  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    // After an error or our end() nothing more is read: the stream may be out of step.
    if (this.ending || this.closed) return;
    const { tlvs, error } = this.decoder.push(chunk);
    // Whole frames that came before a malformed one are still honoured.
    for (const tlv of tlvs) {
      if (this.ending || this.closed) return;
      this.onTlv(tlv);
    }
    if (error) this.fail(`${error.code}: ${error.message}`);
  }

  private onTlv(tlv: UdsTlv): void {
    const { log } = this.opts;
    switch (tlv.type) {
      case 'handshake':
        this.onHandshakeTlv(tlv.endpointId);
        return;
      case 'error':
        log.warn('peer sent an Error TLV; closing the link', { eid: this.peer ?? '', error: tlv.message });
        this.end(`peer error: ${tlv.message}`);
        return;
      case 'record':
        if (this.peer === undefined) {
          log.debug('record before the handshake ignored', { bytes: tlv.record.length });
          return;
        }
        this.opts.onRecord(tlv.record, this);
        return;
      case 'unknown':
        log.debug('unknown TLV type ignored', { type: tlv.tlvType, bytes: tlv.length });
    }
  }

  private onHandshakeTlv(eid: string): void {
    if (this.peer !== undefined) {
      // A repeated Handshake is harmless; one that changes identity is not.
      if (eid !== this.peer) this.fail('Handshake names a different Endpoint ID than before');
      return;
    }
    // R-ARC.2: endpoints sharing an Endpoint ID must not talk to each other.
    if (eid === this.opts.ownEndpointId) {
      this.fail("peer has this endpoint's own Endpoint ID");
      return;
    }
    this.peer = eid;
    this.opts.timers.clearTimeout(this.handshakeTimer);
    if (this.opts.role === 'server') this.socket.write(handshakeFrame(this.opts.ownEndpointId));
    this.opts.onHandshake(this);
  }

  private onSocketClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.opts.timers.clearTimeout(this.handshakeTimer);
    this.opts.timers.clearTimeout(this.graceTimer);
    this.opts.onClose(this, this.why || 'closed by the peer');
  }
}
