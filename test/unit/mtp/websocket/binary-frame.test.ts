/**
 * The agent's own framing of small Records (mtp/websocket/binary-frame.ts): the RFC 6455 §5.2
 * layout at the lengths where the header changes form, up to the largest Record framed this way.
 * test/integration/websocket-server-frames.test.ts has a real client read them.
 */
import { describe, expect, it } from 'vitest';
import { binaryFrame, DIRECT_FRAME_MAX } from '../../../../mtp/websocket/binary-frame.js';

const payload = (n: number): Buffer => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + 3) & 0xff;
  return b;
};

describe('binaryFrame', () => {
  it.each([0, 1, 125])('a %i-byte Record: FIN + binary opcode, unmasked, 7-bit length, then the bytes', (n) => {
    const frame = binaryFrame(payload(n));
    expect([...frame.subarray(0, 2)]).toEqual([0x82, n]);
    expect(frame.subarray(2).equals(payload(n))).toBe(true);
  });

  it.each([126, 127, 4096, DIRECT_FRAME_MAX])('a %i-byte Record: length 126 and a 16-bit big-endian length, then the bytes', (n) => {
    const frame = binaryFrame(payload(n));
    expect([...frame.subarray(0, 2)]).toEqual([0x82, 126]);
    expect(frame.readUInt16BE(2)).toBe(n);
    expect(frame.subarray(4).equals(payload(n))).toBe(true);
  });

  it('refuses a Record above DIRECT_FRAME_MAX (those go through ws)', () => {
    expect(() => binaryFrame(payload(DIRECT_FRAME_MAX + 1))).toThrow(RangeError);
  });
});
