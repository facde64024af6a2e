/**
 * Just enough of the CoAP message format (RFC 7252 §3) to bound block-wise uploads before the
 * `coap` package sees them. Its Block1 reassembly (RFC 7959 §2.5) allocates the whole body from
 * the block number of the last block, so one datagram claiming block 2^20-1 would cost a 1 GiB
 * allocation; a datagram whose block ends beyond the Record size limit is answered here with
 * 4.13 Request Entity Too Large (RFC 7959 §2.9.3) and never reaches the package.
 */

/** The fields of one request datagram this layer looks at. */
export interface DatagramHead {
  type: 'CON' | 'NON' | 'ACK' | 'RST';
  /** Code as class * 32 + detail (0.02 POST = 2). */
  code: number;
  messageId: number;
  token: Buffer;
  /** The Block1 option (RFC 7959 §2.2), when present and well-formed. */
  block1?: { num: number; more: boolean; size: number };
  payloadLength: number;
}

const TYPES = ['CON', 'NON', 'ACK', 'RST'] as const;
const OPTION_BLOCK1 = 27;
const OPTION_SIZE1 = 60;
const PAYLOAD_MARKER = 0xff;

/** Reads the header and options of a CoAP datagram; undefined when it is not well-formed (the package then refuses it itself). */
export function peekDatagram(msg: Buffer): DatagramHead | undefined {
  if (msg.length < 4 || msg[0] >> 6 !== 1) return undefined;
  const tkl = msg[0] & 0x0f;
  if (tkl > 8 || msg.length < 4 + tkl) return undefined;
  const head: DatagramHead = {
    type: TYPES[(msg[0] >> 4) & 0x03],
    code: msg[1],
    messageId: msg.readUInt16BE(2),
    token: msg.subarray(4, 4 + tkl),
    payloadLength: 0,
  };
  let i = 4 + tkl;
  let number = 0;
  while (i < msg.length) {
    if (msg[i] === PAYLOAD_MARKER) {
      head.payloadLength = msg.length - i - 1;
      break;
    }
    const delta = extended(msg, i + 1, msg[i] >> 4);
    if (!delta) return undefined;
    const length = extended(msg, delta.next, msg[i] & 0x0f);
    if (!length || length.next + length.value > msg.length) return undefined;
    number += delta.value;
    if (number === OPTION_BLOCK1 && length.value <= 3) {
      let v = 0;
      for (let k = 0; k < length.value; k++) v = v * 256 + msg[length.next + k];
      head.block1 = { num: v >>> 4, more: (v & 0x08) !== 0, size: 2 ** ((v & 0x07) + 4) };
    }
    i = length.next + length.value;
  }
  return head;
}

/** An option delta or length nibble with its extension bytes (RFC 7252 §3.1); undefined for the reserved 15. */
function extended(msg: Buffer, at: number, nibble: number): { value: number; next: number } | undefined {
  if (nibble < 13) return { value: nibble, next: at };
  if (nibble === 13) return at < msg.length ? { value: msg[at] + 13, next: at + 1 } : undefined;
  if (nibble === 14) return at + 1 < msg.length ? { value: msg.readUInt16BE(at) + 269, next: at + 2 } : undefined;
  return undefined;
}

/** Bytes the reassembled body reaches once this block is stored. */
export function block1End(head: DatagramHead): number {
  return head.block1 ? head.block1.num * head.block1.size + head.payloadLength : head.payloadLength;
}

/**
 * A response to `head` with no body but a diagnostic payload: piggybacked on the ACK of a CON
 * request, or a NON for a NON request. `size1` adds the Size1 option (the largest body accepted).
 */
export function errorReply(head: DatagramHead, codeClass: number, codeDetail: number, diagnostic: string, size1?: number): Buffer {
  const type = head.type === 'CON' ? 2 : 1;
  const options: number[] = [];
  if (size1 !== undefined) {
    const bytes = uintBytes(size1);
    // Delta 60 does not fit a nibble: 13 plus one extension byte (60 - 13).
    options.push((13 << 4) | bytes.length, OPTION_SIZE1 - 13, ...bytes);
  }
  const text = Buffer.from(diagnostic, 'utf8');
  const messageId = head.type === 'CON' ? head.messageId : (head.messageId + 1) & 0xffff;
  return Buffer.concat([
    Buffer.from([0x40 | (type << 4) | head.token.length, (codeClass << 5) | codeDetail, messageId >> 8, messageId & 0xff]),
    head.token,
    Buffer.from(options),
    text.length ? Buffer.concat([Buffer.from([PAYLOAD_MARKER]), text]) : Buffer.alloc(0),
  ]);
}

/** A uint option value in the fewest bytes (RFC 7252 §3.2). */
function uintBytes(n: number): number[] {
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return out;
}
