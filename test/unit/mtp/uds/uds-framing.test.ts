/**
 * UDS MTP framing (TR-369 §"UNIX Domain Socket Binding"): "_USP", a 4-byte
 * big-endian length of the rest, then TLVs (type byte, 4-byte big-endian length, value).
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_FRAME_SIZE,
  encodeFrame,
  errorFrame,
  handshakeFrame,
  parseTlvs,
  recordFrame,
  TlvType,
  UdsFrameDecoder,
  type DecodeResult,
  type UdsFrameErrorCode,
  type UdsTlv,
} from '../../../../mtp/uds/uds-framing.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A frame header with an arbitrary length field, for hand-made bodies. */
function header(length: number): Uint8Array {
  const h = bytes(0x5f, 0x55, 0x53, 0x50, 0, 0, 0, 0);
  new DataView(h.buffer).setUint32(4, length);
  return h;
}
function tlv(type: number, value: Uint8Array, claimed = value.length): Uint8Array {
  const t = new Uint8Array(5);
  t[0] = type;
  new DataView(t.buffer).setUint32(1, claimed);
  return concat(t, value);
}
/** A frame around hand-made TLV bytes, its length field true to them. */
const frameOf = (body: Uint8Array): Uint8Array => concat(header(body.length), body);

/** Feeds the chunks in order; returns every TLV and the error the stream ended with, if any. */
function feed(chunks: Uint8Array[], maxFrameSize?: number): DecodeResult {
  const d = new UdsFrameDecoder({ maxFrameSize });
  const tlvs: UdsTlv[] = [];
  let error: DecodeResult['error'];
  for (const c of chunks) {
    const r = d.push(c);
    tlvs.push(...r.tlvs);
    error = r.error;
  }
  return error ? { tlvs, error } : { tlvs };
}

function errorOf(chunks: Uint8Array[], maxFrameSize?: number): UdsFrameErrorCode | undefined {
  return feed(chunks, maxFrameSize).error?.code;
}

const RECORD = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
const STREAM = concat(handshakeFrame('proto::controller-1'), recordFrame(RECORD), errorFrame('bye'));
const EXPECTED: UdsTlv[] = [
  { type: 'handshake', endpointId: 'proto::controller-1' },
  { type: 'record', record: RECORD },
  { type: 'error', message: 'bye' },
];

describe('encoding', () => {
  it('lays out header, big-endian lengths and the TLV', () => {
    expect([...handshakeFrame('ab')]).toEqual([0x5f, 0x55, 0x53, 0x50, 0, 0, 0, 7, 1, 0, 0, 0, 2, 0x61, 0x62]);
    expect([...recordFrame(bytes(9, 8, 7))]).toEqual([0x5f, 0x55, 0x53, 0x50, 0, 0, 0, 8, 3, 0, 0, 0, 3, 9, 8, 7]);
    expect([...errorFrame('')]).toEqual([0x5f, 0x55, 0x53, 0x50, 0, 0, 0, 5, 2, 0, 0, 0, 0]);
  });

  it('puts several TLVs in one frame', () => {
    const f = encodeFrame([
      { type: TlvType.Handshake, value: utf8('x') },
      { type: TlvType.Record, value: bytes(1) },
    ]);
    expect(f.length).toBe(8 + 6 + 6);
    expect(parseTlvs(f.subarray(8))).toEqual([
      { type: 'handshake', endpointId: 'x' },
      { type: 'record', record: bytes(1) },
    ]);
  });

  it('refuses what cannot be framed', () => {
    expect(() => encodeFrame([])).toThrow(RangeError);
    expect(() => encodeFrame([{ type: 256, value: bytes() }])).toThrow(RangeError);
    expect(() => handshakeFrame('')).toThrow(RangeError);
  });

  it('carries UTF-8 Endpoint IDs and error text', () => {
    expect(feed([handshakeFrame('os::00256D-Ünïcødé')]).tlvs).toEqual([{ type: 'handshake', endpointId: 'os::00256D-Ünïcødé' }]);
    expect(feed([errorFrame('kaputt – ✗')]).tlvs).toEqual([{ type: 'error', message: 'kaputt – ✗' }]);
  });
});

describe('incremental decoding', () => {
  it('decodes several frames in one chunk', () => {
    expect(feed([STREAM])).toEqual({ tlvs: EXPECTED });
  });

  it('decodes one byte at a time', () => {
    const d = new UdsFrameDecoder();
    const tlvs: UdsTlv[] = [];
    for (let i = 0; i < STREAM.length; i++) {
      const r = d.push(STREAM.subarray(i, i + 1));
      expect(r.error).toBeUndefined();
      tlvs.push(...r.tlvs);
    }
    expect(tlvs).toEqual(EXPECTED);
    expect(d.idle).toBe(true);
  });

  it('decodes the stream split at every pair of points', () => {
    // Compared as text: thousands of deep Uint8Array comparisons would dominate the run time.
    const show = (r: DecodeResult): string => JSON.stringify(r, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
    const want = show({ tlvs: EXPECTED });
    for (let a = 0; a <= STREAM.length; a += 2) {
      for (let b = a; b <= STREAM.length; b += 3) {
        const got = show(feed([STREAM.subarray(0, a), STREAM.subarray(a, b), STREAM.subarray(b)]));
        if (got !== want) expect(got, `split at ${a}, ${b}`).toBe(want);
      }
    }
  });

  it('yields a frame only once its last byte arrives', () => {
    const d = new UdsFrameDecoder();
    const f = recordFrame(RECORD);
    expect(d.push(f.subarray(0, f.length - 1))).toEqual({ tlvs: [] });
    expect(d.idle).toBe(false);
    expect(d.push(f.subarray(f.length - 1))).toEqual({ tlvs: [{ type: 'record', record: RECORD }] });
    expect(d.idle).toBe(true);
  });

  it('hands out Records that later chunks do not overwrite', () => {
    const d = new UdsFrameDecoder();
    const first = d.push(recordFrame(bytes(1, 2, 3))).tlvs[0];
    d.push(recordFrame(bytes(4, 5, 6)));
    expect(first).toEqual({ type: 'record', record: bytes(1, 2, 3) });
  });

  it('passes an empty Record TLV on (the Record layer judges it)', () => {
    expect(feed([recordFrame(bytes())]).tlvs).toEqual([{ type: 'record', record: bytes() }]);
  });

  it('skips unknown TLV types, keeping the known ones around them', () => {
    const body = concat(tlv(9, bytes(1, 2)), tlv(TlvType.Record, bytes(7)), tlv(0, bytes()), tlv(255, bytes(0xff)));
    expect(feed([frameOf(body)]).tlvs).toEqual([
      { type: 'unknown', tlvType: 9, length: 2 },
      { type: 'record', record: bytes(7) },
      { type: 'unknown', tlvType: 0, length: 0 },
      { type: 'unknown', tlvType: 255, length: 1 },
    ]);
  });

  it('accepts a frame of exactly the limit', () => {
    const record = new Uint8Array(1000 - 5);
    expect(feed([recordFrame(record)], 1000)).toEqual({ tlvs: [{ type: 'record', record }] });
  });

  it('defaults the limit to 1 MiB', () => {
    expect(new UdsFrameDecoder().maxFrameSize).toBe(DEFAULT_MAX_FRAME_SIZE);
    expect(DEFAULT_MAX_FRAME_SIZE).toBe(1024 * 1024);
  });

  it('refuses a limit that cannot hold a TLV', () => {
    expect(() => new UdsFrameDecoder({ maxFrameSize: 4 })).toThrow(RangeError);
    expect(() => new UdsFrameDecoder({ maxFrameSize: 1.5e6 + 0.5 })).toThrow(RangeError);
  });
});

describe('malformed streams', () => {
  it.each([
    ['garbage', [utf8('GET / HTTP/1.1\r\n\r\n')], 'UDS_ERR_BAD_MAGIC'],
    ['a wrong first byte', [concat(bytes(0x5e), handshakeFrame('a').subarray(1))], 'UDS_ERR_BAD_MAGIC'],
    ['a wrong fourth byte', [concat(bytes(0x5f, 0x55, 0x53, 0x51), handshakeFrame('a').subarray(4))], 'UDS_ERR_BAD_MAGIC'],
    ['lower-case magic', [concat(utf8('_usp'), handshakeFrame('a').subarray(4))], 'UDS_ERR_BAD_MAGIC'],
    ['a length of zero', [header(0)], 'UDS_ERR_EMPTY_FRAME'],
    ['a body shorter than a TLV header', [frameOf(bytes(3, 0, 0, 0))], 'UDS_ERR_TRUNCATED_TLV'],
    ['a TLV longer than the frame', [frameOf(tlv(TlvType.Record, bytes(1, 2, 3), 4))], 'UDS_ERR_TRUNCATED_TLV'],
    ['a TLV length near 2^32', [frameOf(tlv(TlvType.Record, bytes(1), 0xffffffff))], 'UDS_ERR_TRUNCATED_TLV'],
    ['trailing bytes after the last TLV', [frameOf(concat(tlv(TlvType.Record, bytes(1)), bytes(3, 0)))], 'UDS_ERR_TRUNCATED_TLV'],
    ['four trailing bytes', [frameOf(concat(tlv(TlvType.Record, bytes(1)), bytes(3, 0, 0, 0)))], 'UDS_ERR_TRUNCATED_TLV'],
    ['an empty Handshake', [frameOf(tlv(TlvType.Handshake, bytes()))], 'UDS_ERR_BAD_HANDSHAKE'],
    ['a Handshake that is not UTF-8', [frameOf(tlv(TlvType.Handshake, bytes(0x70, 0xc3, 0x28)))], 'UDS_ERR_BAD_UTF8'],
    ['a lone surrogate in a Handshake', [frameOf(tlv(TlvType.Handshake, bytes(0xed, 0xa0, 0x80)))], 'UDS_ERR_BAD_UTF8'],
  ] as const)('refuses %s', (_what, chunks, code) => {
    expect(errorOf([...chunks])).toBe(code);
    // The same split across chunks of one byte.
    const one = Uint8Array.from(Buffer.concat([...chunks]));
    expect(errorOf([...one].map((b) => bytes(b)))).toBe(code);
  });

  it('refuses garbage at its first byte, without waiting for a header', () => {
    const d = new UdsFrameDecoder();
    expect(d.push(bytes(0x5f)).error).toBeUndefined();
    expect(d.push(bytes(0x00)).error?.code).toBe('UDS_ERR_BAD_MAGIC');
  });

  it('refuses an oversized frame from its header alone, before buffering its body', () => {
    const d = new UdsFrameDecoder({ maxFrameSize: 1000 });
    const r = d.push(header(1001));
    expect(r.error?.code).toBe('UDS_ERR_FRAME_TOO_LARGE');
    expect(r.error?.message).toMatch(/1001 .*1000/);
    expect(d.idle).toBe(true);
    expect(errorOf([recordFrame(new Uint8Array(1000 - 4))], 1000)).toBe('UDS_ERR_FRAME_TOO_LARGE');
    // A length field of 2^32-1 against the default limit.
    expect(errorOf([header(0xffffffff)])).toBe('UDS_ERR_FRAME_TOO_LARGE');
  });

  it('keeps the whole frames before the malformed one, none of the malformed frame', () => {
    const bad = frameOf(concat(tlv(TlvType.Record, bytes(5)), tlv(TlvType.Record, bytes(6), 9)));
    const r = feed([concat(handshakeFrame('a'), recordFrame(bytes(1)), bad, recordFrame(bytes(2)))]);
    expect(r.tlvs).toEqual([
      { type: 'handshake', endpointId: 'a' },
      { type: 'record', record: bytes(1) },
    ]);
    expect(r.error?.code).toBe('UDS_ERR_TRUNCATED_TLV');
  });

  it('stays broken: a later valid frame is not decoded', () => {
    const d = new UdsFrameDecoder();
    const first = d.push(utf8('nope')).error;
    expect(first?.code).toBe('UDS_ERR_BAD_MAGIC');
    expect(d.push(handshakeFrame('a'))).toEqual({ tlvs: [], error: first });
    expect(d.error).toBe(first);
  });

  it('decodes a lenient Error TLV text (it only ends up in a log)', () => {
    expect(feed([frameOf(tlv(TlvType.Error, bytes(0x6f, 0xff, 0x6b)))]).tlvs).toEqual([{ type: 'error', message: 'o\ufffdk' }]);
  });

  it('never throws on random bytes, whether they start like a frame or not', () => {
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let i = 0; i < 500; i++) {
      const junk = Uint8Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256));
      const stream = i % 2 ? concat(header(junk.length), junk) : junk;
      const d = new UdsFrameDecoder({ maxFrameSize: 4096 });
      expect(() => d.push(stream)).not.toThrow();
    }
  });
});
