/**
 * The WebSocket framing of the agent's own small Records (RFC 6455 §5.2; TR-369 R-WS.11: a USP
 * Record travels as one binary message): one unfragmented, unmasked binary frame, as a server
 * sends it, built in one buffer so the socket takes it in one write. `ws` frames a message as a
 * header buffer plus the payload, written corked and flushed with writev, and allocates its send
 * options per message: without TurboFan (the router profile) that JavaScript is a good part of
 * the agent's CPU per request (bench/cpu-per-get.ts). Larger Records still go through `ws`,
 * where writing the payload without copying it matters more.
 */

/** Records up to this size are framed here (copied once into the frame); larger ones by `ws`. */
export const DIRECT_FRAME_MAX = 16 * 1024;

/** FIN set, opcode 2 (binary frame). */
const FIN_BINARY = 0x82;
/** Payload length byte announcing a 16-bit extended length (RFC 6455 §5.2). */
const LENGTH_16 = 126;

/** The frame carrying `payload` (at most DIRECT_FRAME_MAX bytes), header and payload in one Buffer. */
export function binaryFrame(payload: Uint8Array): Buffer {
  const n = payload.length;
  if (n > DIRECT_FRAME_MAX) throw new RangeError(`binaryFrame: ${n} bytes is more than ${DIRECT_FRAME_MAX}`);
  const header = n < LENGTH_16 ? 2 : 4;
  const frame = Buffer.allocUnsafe(header + n);
  frame[0] = FIN_BINARY;
  if (header === 2) {
    frame[1] = n;
  } else {
    frame[1] = LENGTH_16;
    frame[2] = n >>> 8;
    frame[3] = n & 0xff;
  }
  frame.set(payload, header);
  return frame;
}
