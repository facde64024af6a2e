/**
 * UNIX domain socket MTP framing (TR-369 §"UNIX Domain Socket Binding", USP 1.3).
 * A SOCK_STREAM carries frames:
 *
 *     "_USP" (0x5F 0x55 0x53 0x50) | length of the rest (4 bytes, big-endian) | TLV | TLV | ...
 *     TLV = type (1 byte) | length (4 bytes, big-endian) | value
 *
 * Types: 1 Handshake (the sender's Endpoint ID, UTF-8), 2 Error (UTF-8 text), 3 USP Record.
 * Unknown types are skipped. A frame that breaks these rules, or is larger than the receiver's
 * limit, is a protocol error: the receiver sends an Error TLV and closes the connection.
 */

export const UDS_MAGIC = Uint8Array.of(0x5f, 0x55, 0x53, 0x50);
/** Bytes before the TLVs: the magic and the length. */
export const FRAME_HEADER_SIZE = 8;
/** Bytes before a TLV's value: the type and the length. */
export const TLV_HEADER_SIZE = 5;
/** Default largest frame accepted, counted as its length field (the TLVs); as the WebSocket record limit. */
export const DEFAULT_MAX_FRAME_SIZE = 1024 * 1024;

export const TlvType = { Handshake: 1, Error: 2, Record: 3 } as const;

/** One TLV as the decoder hands it over; values are views into a buffer owned by that frame alone. */
export type UdsTlv =
  | { type: 'handshake'; endpointId: string }
  | { type: 'error'; message: string }
  | { type: 'record'; record: Uint8Array }
  /** Ignored by the connection (TR-369: unknown types are skipped); reported for logs. */
  | { type: 'unknown'; tlvType: number; length: number };

/** Why a byte stream is not valid UDS framing; the connection turns it into an Error TLV. */
export type UdsFrameErrorCode = 'UDS_ERR_BAD_MAGIC' | 'UDS_ERR_FRAME_TOO_LARGE' | 'UDS_ERR_EMPTY_FRAME' | 'UDS_ERR_TRUNCATED_TLV' | 'UDS_ERR_BAD_HANDSHAKE' | 'UDS_ERR_BAD_UTF8';

export class UdsFrameError extends Error {
  constructor(
    readonly code: UdsFrameErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UdsFrameError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8');

/** What one push() yields: the TLVs of the frames it completed and, once the stream broke, why. */
export interface DecodeResult {
  tlvs: UdsTlv[];
  /** Set from the first malformed byte on; the TLVs of complete frames before it are still in `tlvs`. */
  error?: UdsFrameError;
}

/**
 * An incremental decoder for one connection's byte stream: feed it chunks as they arrive (a frame
 * may span chunks, a chunk may hold several frames) and take the TLVs of every completed frame.
 * Each byte is copied once (into its frame's buffer); at most one frame is buffered, and a length
 * over the limit is refused as soon as the header arrives, before its body is read.
 * After an error the stream cannot be resynchronised: every later push reports the same error.
 */
export class UdsFrameDecoder {
  readonly maxFrameSize: number;
  private readonly header = new Uint8Array(FRAME_HEADER_SIZE);
  private headerFill = 0;
  private body?: Uint8Array;
  private bodyFill = 0;
  private failed?: UdsFrameError;

  constructor(opts: { maxFrameSize?: number } = {}) {
    const max = opts.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    if (!Number.isInteger(max) || max < TLV_HEADER_SIZE || max > 0xffffffff) {
      throw new RangeError(`maxFrameSize must be an integer in [${TLV_HEADER_SIZE}, 2^32-1], got ${max}`);
    }
    this.maxFrameSize = max;
  }

  /** True between frames (nothing of a partial frame is held). */
  get idle(): boolean {
    return this.headerFill === 0 && !this.body;
  }

  /** The error that broke the stream, if any. */
  get error(): UdsFrameError | undefined {
    return this.failed;
  }

  /** Consumes a chunk; never throws for any input bytes. */
  push(chunk: Uint8Array): DecodeResult {
    const tlvs: UdsTlv[] = [];
    if (!this.failed) {
      try {
        this.consume(chunk, tlvs);
      } catch (e) {
        if (!(e instanceof UdsFrameError)) throw e;
        this.failed = e;
        this.body = undefined; // no use for a partial frame any more
        this.headerFill = 0;
      }
    }
    return this.failed ? { tlvs, error: this.failed } : { tlvs };
  }

  private consume(chunk: Uint8Array, out: UdsTlv[]): void {
    let at = 0;
    while (at < chunk.length) {
      if (!this.body) {
        const take = Math.min(FRAME_HEADER_SIZE - this.headerFill, chunk.length - at);
        this.header.set(chunk.subarray(at, at + take), this.headerFill);
        // The magic is checked byte by byte, so garbage is refused without waiting for 8 bytes.
        for (let i = this.headerFill; i < Math.min(this.headerFill + take, UDS_MAGIC.length); i++) {
          if (this.header[i] !== UDS_MAGIC[i]) throw new UdsFrameError('UDS_ERR_BAD_MAGIC', 'frame does not start with "_USP"');
        }
        this.headerFill += take;
        at += take;
        if (this.headerFill < FRAME_HEADER_SIZE) return;
        const length = readU32(this.header, 4);
        if (length > this.maxFrameSize) {
          throw new UdsFrameError('UDS_ERR_FRAME_TOO_LARGE', `frame of ${length} bytes exceeds the limit of ${this.maxFrameSize}`);
        }
        if (length === 0) throw new UdsFrameError('UDS_ERR_EMPTY_FRAME', 'frame holds no TLV');
        this.body = new Uint8Array(length);
        this.bodyFill = 0;
      }
      const body = this.body;
      const take = Math.min(body.length - this.bodyFill, chunk.length - at);
      body.set(chunk.subarray(at, at + take), this.bodyFill);
      this.bodyFill += take;
      at += take;
      if (this.bodyFill < body.length) return;
      this.body = undefined;
      this.headerFill = 0;
      // A frame counts whole or not at all: its TLVs join `out` only once all of them parsed.
      for (const tlv of parseTlvs(body)) out.push(tlv);
    }
  }
}

/** The TLVs of one complete frame body (everything after the 8-byte header). Throws UdsFrameError. */
export function parseTlvs(body: Uint8Array): UdsTlv[] {
  if (body.length === 0) throw new UdsFrameError('UDS_ERR_EMPTY_FRAME', 'frame holds no TLV');
  const out: UdsTlv[] = [];
  let at = 0;
  while (at < body.length) {
    if (body.length - at < TLV_HEADER_SIZE) {
      throw new UdsFrameError('UDS_ERR_TRUNCATED_TLV', `${body.length - at} trailing bytes do not hold a TLV header`);
    }
    const type = body[at]!;
    const length = readU32(body, at + 1);
    const from = at + TLV_HEADER_SIZE;
    if (length > body.length - from) {
      throw new UdsFrameError('UDS_ERR_TRUNCATED_TLV', `TLV of type ${type} claims ${length} bytes, the frame has ${body.length - from} left`);
    }
    const value = body.subarray(from, from + length);
    at = from + length;
    switch (type) {
      case TlvType.Handshake: {
        const endpointId = decodeUtf8(value, 'Handshake');
        if (endpointId === '') throw new UdsFrameError('UDS_ERR_BAD_HANDSHAKE', 'Handshake TLV carries no Endpoint ID');
        out.push({ type: 'handshake', endpointId });
        break;
      }
      // An Error ends the connection anyway; its text is only logged, so bad bytes become U+FFFD.
      case TlvType.Error:
        out.push({ type: 'error', message: utf8Lenient.decode(value) });
        break;
      case TlvType.Record:
        out.push({ type: 'record', record: value });
        break;
      default:
        out.push({ type: 'unknown', tlvType: type, length });
    }
  }
  return out;
}

function decodeUtf8(value: Uint8Array, what: string): string {
  try {
    return utf8.decode(value);
  } catch {
    throw new UdsFrameError('UDS_ERR_BAD_UTF8', `${what} TLV is not valid UTF-8`);
  }
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
}

/** One TLV to encode: a known or any other (for tests and future types) type number. */
export interface TlvInput {
  type: number;
  value: Uint8Array;
}

/** Encodes one frame holding `tlvs` (at least one). Throws RangeError on a frame too big for the length field. */
export function encodeFrame(tlvs: readonly TlvInput[]): Uint8Array {
  if (tlvs.length === 0) throw new RangeError('a frame holds at least one TLV');
  let length = 0;
  for (const t of tlvs) {
    if (!Number.isInteger(t.type) || t.type < 0 || t.type > 255) throw new RangeError(`TLV type must be a byte, got ${t.type}`);
    length += TLV_HEADER_SIZE + t.value.length;
  }
  if (length > 0xffffffff) throw new RangeError(`frame of ${length} bytes does not fit the 32-bit length`);
  const out = new Uint8Array(FRAME_HEADER_SIZE + length);
  const view = new DataView(out.buffer);
  out.set(UDS_MAGIC, 0);
  view.setUint32(4, length);
  let at = FRAME_HEADER_SIZE;
  for (const t of tlvs) {
    out[at] = t.type;
    view.setUint32(at + 1, t.value.length);
    out.set(t.value, at + TLV_HEADER_SIZE);
    at += TLV_HEADER_SIZE + t.value.length;
  }
  return out;
}

const utf8Encoder = new TextEncoder();

/** A frame with one Handshake TLV naming `endpointId`. */
export function handshakeFrame(endpointId: string): Uint8Array {
  if (endpointId === '') throw new RangeError('a Handshake needs an Endpoint ID');
  return encodeFrame([{ type: TlvType.Handshake, value: utf8Encoder.encode(endpointId) }]);
}

/** A frame with one Error TLV. */
export function errorFrame(message: string): Uint8Array {
  return encodeFrame([{ type: TlvType.Error, value: utf8Encoder.encode(message) }]);
}

/** A frame with one USP Record TLV. */
export function recordFrame(record: Uint8Array): Uint8Array {
  return encodeFrame([{ type: TlvType.Record, value: record }]);
}

/** Frame length field (the TLVs) of a frame carrying one Record of `recordBytes`. */
export function recordFrameSize(recordBytes: number): number {
  return TLV_HEADER_SIZE + recordBytes;
}
