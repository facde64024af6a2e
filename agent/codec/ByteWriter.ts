/**
 * A protobuf writer for the hot responses (fast-encode.ts): writes into one scratch buffer
 * reused across messages and copies the result out once, where protobufjs' Writer queues one
 * operation object per field and allocates per sub-message. Length-delimited fields reserve one
 * byte for their length and move their contents only in the rare case it needs more, so the
 * output is the minimal encoding, byte for byte what protobufjs writes for the same fields.
 */
import { writeUtf8 } from './buffer-text.js';

/** Starting scratch size; it doubles as needed, and is given back after a large message. */
const INITIAL_BYTES = 4096;
/** A scratch buffer grown past this is dropped after use, so one big response does not pin memory. */
const KEEP_BYTES = 64 * 1024;

let scratch = Buffer.allocUnsafe(INITIAL_BYTES);

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) { v = Math.floor(v / 128); n++; }
  return n;
}

export class ByteWriter {
  private buf = scratch;
  private pos = 0;

  private ensure(more: number): void {
    if (this.pos + more <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + more) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** A varint below 2^32 (tags, lengths, enum numbers). */
  varint(v: number): void {
    this.ensure(5);
    const b = this.buf;
    while (v >= 0x80) { b[this.pos++] = (v & 0x7f) | 0x80; v >>>= 7; }
    b[this.pos++] = v;
  }

  /** A fixed32 (USP error codes, max_depth), little-endian. */
  fixed32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** A length-delimited UTF-8 string field, tag included. */
  string(tag: number, s: string): void {
    this.varint(tag);
    const n = s.length;
    const at = this.begin(n * 3);
    if (n > 0) this.pos += writeUtf8(this.buf, s, this.pos);
    this.end(at);
  }

  /** A length-delimited bytes field, tag included. */
  bytes(tag: number, b: Uint8Array): void {
    this.varint(tag);
    const at = this.begin(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    this.end(at);
  }

  /**
   * Opens a length-delimited value (its tag already written) with room for `more` content bytes;
   * returns where its length byte sits, for end().
   */
  begin(more = 0): number {
    this.ensure(1 + more);
    return this.pos++;
  }

  /** Closes the value opened at `at`: writes its length, moving the contents if it needs more than one byte. */
  end(at: number): void {
    const len = this.pos - at - 1;
    if (len < 0x80) { this.buf[at] = len; return; }
    const extra = varintSize(len) - 1;
    this.ensure(extra);
    this.buf.copyWithin(at + 1 + extra, at + 1, this.pos);
    this.pos += extra;
    let v = len;
    let p = at;
    while (v >= 0x80) { this.buf[p++] = (v & 0x7f) | 0x80; v >>>= 7; }
    this.buf[p] = v;
  }

  /** The bytes written, copied out (the scratch buffer is reused by the next message). */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    // Keep the grown buffer for the next message unless it got large.
    scratch = this.buf.length <= KEEP_BYTES ? this.buf : Buffer.allocUnsafe(INITIAL_BYTES);
    return out;
  }
}
