/**
 * One-pass decoders for the commonest input, tried before the strict path of record.ts and
 * msg.ts: a NoSessionContext Record, and a Msg carrying a Get request. Each accepts only bytes
 * whose meaning is beyond doubt (every field known, each once, one-byte tags, ASCII strings, the
 * values the strict path would accept) and returns exactly what the strict path returns for them;
 * for anything else it returns undefined and the strict path decides, with its error codes. So
 * behaviour is unchanged (the unit tests compare both paths on the same bytes); only the strict
 * path's two passes (wire check, then protobufjs decode and toObject) are saved per request.
 */
import { latin1At } from './buffer-text.js';
import type { DecodedRecord } from './record.js';
import type { UspMsg } from './types.js';

/** Byte fields a Record left empty (what the strict path returns as well: no bytes). */
const NO_BYTES = new Uint8Array(0);

/** "Major.Minor" of the major version this agent speaks (record.ts refuses any other). */
const VERSION_1 = /^1\.\d{1,4}$/;

/** Header.msg_type GET. */
const MSG_TYPE_GET = 1;

/** The read position shared by the readers below (one decode at a time: all synchronous). */
let pos = 0;

/** A varint below 2^28 at `pos`, or -1 (longer ones never occur in the fields read here). */
function varint(b: Uint8Array, end: number): number {
  let v = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) return -1;
    const x = b[pos++]!;
    v |= (x & 0x7f) << shift;
    if (x < 0x80) return v;
  }
  return -1;
}

/** The end of the length-delimited value at `pos`, or -1 when it runs past `end`. */
function delimited(b: Uint8Array, end: number): number {
  const len = varint(b, end);
  if (len < 0 || len > end - pos) return -1;
  return pos + len;
}

/** Any byte above 0x7f, in text decoded as Latin-1 (one character per byte). */
const NOT_ASCII = /[^\x00-\x7f]/;

/**
 * The ASCII text of b[from, to), or undefined when a byte is not ASCII (the strict path checks
 * UTF-8). Decoded as Latin-1 and then searched: one native call each, where a byte loop is slow
 * without TurboFan.
 */
function ascii(b: Buffer, from: number, to: number): string | undefined {
  if (to === from) return '';
  const s = latin1At(b, from, to);
  return NOT_ASCII.test(s) ? undefined : s;
}

/** The bytes as a Buffer (the MTPs hand over Buffers; a plain Uint8Array is wrapped, not copied). */
function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * A NoSessionContext Record in its plain form (version, to_id, from_id, PLAINTEXT, payload), or
 * undefined when the bytes are anything else (then decodeRecord's strict path decides).
 */
export function decodeRecordFast(bytes: Uint8Array): DecodedRecord | undefined {
  const b = asBuffer(bytes);
  const end = b.length;
  let version: string | undefined;
  let toId: string | undefined;
  let fromId: string | undefined;
  let payload: Uint8Array | undefined;
  let security = false;
  pos = 0;
  while (pos < end) {
    const tag = b[pos++]!;
    if (tag === 0x20) {
      // payload_security, only PLAINTEXT written out
      if (security || b[pos] !== 0) return undefined;
      security = true;
      pos++;
      continue;
    }
    const stop = delimited(b, end);
    if (stop < 0) return undefined;
    switch (tag) {
      case 0x0a:
        if (version !== undefined || (version = ascii(b, pos, stop)) === undefined) return undefined;
        break;
      case 0x12:
        if (toId !== undefined || (toId = ascii(b, pos, stop)) === undefined) return undefined;
        break;
      case 0x1a:
        if (fromId !== undefined || (fromId = ascii(b, pos, stop)) === undefined) return undefined;
        break;
      case 0x3a: {
        // no_session_context: exactly one payload field
        if (payload !== undefined || stop - pos < 2 || b[pos++] !== 0x12) return undefined;
        const pEnd = delimited(b, stop);
        if (pEnd !== stop || pEnd === pos) return undefined;
        payload = bytes.subarray(pos, pEnd);
        break;
      }
      default:
        return undefined;
    }
    pos = stop;
  }
  if (!version || !toId || !fromId || !payload || !VERSION_1.test(version)) return undefined;
  return {
    version,
    toId,
    fromId,
    payloadSecurity: 'PLAINTEXT',
    macSignature: NO_BYTES,
    senderCert: NO_BYTES,
    body: { kind: 'noSessionContext', payload },
  };
}

/**
 * A Msg whose header has a msg_id and msg_type GET and whose body is a Get request, or undefined
 * for any other Msg (then decodeMsg's strict path decides).
 */
export function decodeGetMsgFast(bytes: Uint8Array): UspMsg | undefined {
  const b = asBuffer(bytes);
  const end = b.length;
  pos = 0;
  // Msg.header: msg_id, then msg_type GET.
  if (b[pos++] !== 0x0a) return undefined;
  const hEnd = delimited(b, end);
  if (hEnd < 0 || b[pos++] !== 0x0a) return undefined;
  const idEnd = delimited(b, hEnd);
  if (idEnd <= pos) return undefined;
  const msgId = ascii(b, pos, idEnd);
  pos = idEnd;
  if (msgId === undefined || pos + 2 !== hEnd || b[pos] !== 0x10 || b[pos + 1] !== MSG_TYPE_GET) return undefined;
  pos = hEnd;
  // Msg.body.request.get, each the only field of its parent and the last of the Msg.
  if (b[pos++] !== 0x12 || delimited(b, end) !== end) return undefined;
  if (b[pos++] !== 0x0a || delimited(b, end) !== end) return undefined;
  if (b[pos++] !== 0x0a || delimited(b, end) !== end) return undefined;
  const paramPaths: string[] = [];
  let maxDepth = 0;
  let depthSeen = false;
  while (pos < end) {
    const tag = b[pos++]!;
    if (tag === 0x0a) {
      const stop = delimited(b, end);
      if (stop < 0) return undefined;
      const path = ascii(b, pos, stop);
      if (path === undefined) return undefined;
      paramPaths.push(path);
      pos = stop;
    } else if (tag === 0x15 && !depthSeen && end - pos >= 4) {
      maxDepth = (b[pos]! | (b[pos + 1]! << 8) | (b[pos + 2]! << 16) | (b[pos + 3]! << 24)) >>> 0;
      depthSeen = true;
      pos += 4;
    } else {
      return undefined;
    }
  }
  return {
    header: { msgId, msgType: 'GET' },
    body: { msgBody: 'request', request: { reqType: 'get', get: { paramPaths, maxDepth } } },
  };
}
