/**
 * A protobuf writer for the hot responses (fast-encode.ts): writes into one scratch buffer
 * reused across messages and copies the result out once, where protobufjs' Writer queues one
 * operation object per field and allocates per sub-message. Length-delimited fields reserve one
 * byte for their length and move their contents only in the rare case it needs more, so the
 * output is the minimal encoding, byte for byte what protobufjs writes for the same fields.
 *
 * Plain functions over module state rather than a class: without TurboFan (the router profile)
 * every property load and call counts, and encoding is synchronous, so one message is written at
 * a time: begin() ... finish().
 */
import { writeUtf8 } from './buffer-text.js';

/** Starting scratch size; it doubles as needed, and is given back after a large message. */
const INITIAL_BYTES = 4096;
/** A scratch buffer grown past this is dropped after use, so one big response does not pin memory. */
const KEEP_BYTES = 64 * 1024;

let buf = Buffer.allocUnsafe(INITIAL_BYTES);
let pos = 0;

/** Makes room for `more` bytes after `pos`. */
function room(more: number): void {
  if (pos + more <= buf.length) return;
  let size = buf.length * 2;
  while (size < pos + more) size *= 2;
  const bigger = Buffer.allocUnsafe(size);
  buf.copy(bigger, 0, 0, pos);
  buf = bigger;
}

/** Starts a message (any earlier one unfinished is dropped). */
export function begin(): void {
  pos = 0;
}

/** A varint below 2^32 (tags, enum numbers). */
export function varint(v: number): void {
  room(5);
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
}

/** A fixed32 field (USP error codes), tag included (a one-byte tag), little-endian. */
export function fixed32(tag: number, v: number): void {
  room(5);
  buf[pos] = tag;
  buf.writeUInt32LE(v >>> 0, pos + 1);
  pos += 5;
}

/** A length-delimited UTF-8 string field, tag included (a one-byte tag). */
export function string(tag: number, s: string): void {
  room(2 + s.length * 3);
  buf[pos] = tag;
  const at = pos + 1;
  pos = at + 1;
  if (s.length > 0) pos += writeUtf8(buf, s, pos);
  close(at);
}

/** Opens a length-delimited field (a one-byte tag); returns where its length goes, for close(). */
export function open(tag: number): number {
  room(2);
  buf[pos] = tag;
  pos += 2;
  return pos - 1;
}

/** Closes the field opened at `at`: writes its length, moving the contents if it needs more than one byte. */
export function close(at: number): void {
  const len = pos - at - 1;
  if (len < 0x80) {
    buf[at] = len;
    return;
  }
  let extra = 0;
  for (let v = len; v >= 0x80; v = Math.floor(v / 128)) extra++;
  room(extra);
  buf.copyWithin(at + 1 + extra, at + 1, pos);
  pos += extra;
  let v = len;
  let p = at;
  while (v >= 0x80) {
    buf[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[p] = v;
}

/** The bytes written since begin(), copied out (the scratch buffer is reused by the next message). */
export function finish(): Buffer {
  const out = Buffer.allocUnsafe(pos);
  // TypedArray#set over a plain view: one builtin, where Buffer#copy first runs Node's argument
  // checks in JavaScript (a measurable share of a GetResp's encoding without TurboFan).
  out.set(new Uint8Array(buf.buffer, buf.byteOffset, pos));
  if (buf.length > KEEP_BYTES) buf = Buffer.allocUnsafe(INITIAL_BYTES);
  pos = 0;
  return out;
}
