/**
 * The one-pass codec paths (fast-decode.ts, fast-encode.ts) against the strict ones: on every
 * input the fast decoders accept, they return what the strict decoders return; on the rest they
 * step aside. The GetResp writer produces the bytes encodeMsg + encodeRecord produce.
 */
import { describe, expect, it } from 'vitest';
import { decodeGetMsgFast, decodeRecordFast } from '../../../../agent/codec/fast-decode.js';
import { encodeGetRespRecord, encodeMsgRecord } from '../../../../agent/codec/fast-encode.js';
import { decodeMsg, decodeMsgStrict, encodeMsg, errorMsg, requestMsg, responseMsg } from '../../../../agent/codec/msg.js';
import { decodeRecord, decodeRecordStrict, encodeRecord, noSessionContextRecord, type DecodedRecord, type OutgoingRecord } from '../../../../agent/codec/record.js';
import type { GetResp, UspMsg } from '../../../../agent/codec/types.js';
import { mulberry32 } from '../../../../bench/prng.js';
import { UspError } from '../../../../datamodel/UspError.js';
import { sampleMsgs, typicalGetResp } from './samples.js';

const ADDR = { toId: 'proto::controller-1', fromId: 'proto::agent' };

const getMsg = (msgId: string, paramPaths: string[], maxDepth = 0): UspMsg => requestMsg(msgId, { reqType: 'get', get: { paramPaths, maxDepth } });

const recordOf = (payload: Uint8Array, extra: Partial<OutgoingRecord> = {}): Uint8Array =>
  encodeRecord({ ...noSessionContextRecord({ toId: 'proto::agent', fromId: 'proto::controller-1' }, payload), ...extra });

/** Byte fields compared by content (the strict path's empty default is an empty array). */
const plain = (r: DecodedRecord): unknown => ({ ...r, macSignature: [...r.macSignature], senderCert: [...r.senderCert] });

/** The strict outcome: the value, or the error's code and message. */
function strictly<T>(f: () => T): T | string {
  try {
    return f();
  } catch (e) {
    if (e instanceof UspError) return `${e.code} ${e.message}`;
    throw e;
  }
}

/** Small random edits: flip, overwrite, truncate, insert, delete, duplicate a slice. */
function mutate(b: Uint8Array, rand: () => number): Uint8Array {
  const n = (k: number) => Math.floor(rand() * k);
  const at = n(b.length);
  const out = [...b];
  switch (n(6)) {
    case 0:
      out[at] = out[at]! ^ (1 << n(8));
      break;
    case 1:
      out[at] = [0x00, 0x01, 0x0a, 0x12, 0x15, 0x3a, 0x7f, 0x80, 0xc3, 0xff][n(10)]!;
      break;
    case 2:
      out.length = n(b.length + 1);
      break;
    case 3:
      out.splice(at, 0, ...Array.from({ length: 1 + n(4) }, () => n(256)));
      break;
    case 4:
      out.splice(at, 1 + n(4));
      break;
    default: {
      const s = out.slice(at, at + 1 + n(12));
      out.splice(at, 0, ...s);
    }
  }
  return Uint8Array.from(out);
}

const GET_MSGS: UspMsg[] = [
  getMsg('m1', ['Device.DeviceInfo.SerialNumber']),
  getMsg('a-longer-msg-id-0001', ['Device.DeviceInfo.', 'Device.WiFi.SSID.*.SSID', ''], 2),
  getMsg('m3', []),
  getMsg('m4', ['Device.X_ÉCOLE.Name']), // not ASCII: the strict path reads it
  getMsg('m5', ['Device.' + 'A'.repeat(300) + '.']),
  getMsg('m6', ['Device.DeviceInfo.'], 0xffffffff),
];

describe('decodeRecordFast', () => {
  it('reads a plain NoSessionContext Record exactly as the strict path does', () => {
    for (const m of GET_MSGS) {
      const bytes = recordOf(encodeMsg(m));
      const fast = decodeRecordFast(bytes);
      expect(fast).toBeDefined();
      expect(plain(fast!)).toEqual(plain(decodeRecordStrict(bytes)));
      expect(Buffer.from(fast!.body.kind === 'noSessionContext' ? fast!.body.payload : [])).toEqual(Buffer.from(encodeMsg(m)));
    }
  });

  it('leaves every other Record to the strict path', () => {
    const payload = encodeMsg(GET_MSGS[0]!);
    const others = [
      recordOf(payload, { payloadSecurity: 'TLS12' }),
      recordOf(payload, { macSignature: new Uint8Array([1]) }),
      recordOf(payload, { version: '2.0' }),
      recordOf(payload, { version: '' }),
      recordOf(payload, { toId: 'proto::agënt' }),
      recordOf(new Uint8Array(0)),
      encodeRecord({ toId: 'a', fromId: 'b', body: { kind: 'websocketConnect' } }),
      new Uint8Array(0),
    ];
    for (const bytes of others) {
      expect(decodeRecordFast(bytes)).toBeUndefined();
      expect(strictly(() => plain(decodeRecord(bytes)))).toEqual(strictly(() => plain(decodeRecordStrict(bytes))));
    }
  });

  it('agrees with the strict path on mutated Records', () => {
    const rand = mulberry32(1009);
    const corpus = GET_MSGS.map((m) => recordOf(encodeMsg(m)));
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const bytes = mutate(corpus[i % corpus.length]!, rand);
      const fast = decodeRecordFast(bytes);
      const strict = strictly(() => plain(decodeRecordStrict(bytes)));
      if (fast === undefined) continue;
      accepted++;
      expect(plain(fast), `iteration ${i}: ${Buffer.from(bytes).toString('hex')}`).toEqual(strict);
    }
    expect(accepted).toBeGreaterThan(1000);
  });
});

describe('decodeGetMsgFast', () => {
  it('reads a Get request exactly as the strict path does, and steps aside for non-ASCII paths', () => {
    for (const m of GET_MSGS) {
      const bytes = encodeMsg(m);
      const fast = decodeGetMsgFast(bytes);
      expect(decodeMsg(bytes)).toEqual(decodeMsgStrict(bytes));
      if (m.header.msgId === 'm4') {
        expect(fast).toBeUndefined();
        continue;
      }
      expect(fast).toEqual(decodeMsgStrict(bytes));
      expect(fast).toEqual(m);
    }
  });

  it('leaves every other Msg to the strict path', () => {
    for (const [name, m] of sampleMsgs()) {
      if (name === 'Get') continue;
      expect(decodeGetMsgFast(encodeMsg(m)), name).toBeUndefined();
    }
    // A Get whose header says SET: msg_type is informational, but the strict path reads it.
    const set = { ...getMsg('m7', ['Device.']), header: { msgId: 'm7', msgType: 'SET' as const } };
    expect(decodeGetMsgFast(encodeMsg(set))).toBeUndefined();
    expect(decodeMsg(encodeMsg(set))).toEqual(set);
  });

  it('agrees with the strict path on mutated Msgs', () => {
    const rand = mulberry32(2003);
    const corpus = GET_MSGS.map((m) => encodeMsg(m));
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const bytes = mutate(corpus[i % corpus.length]!, rand);
      const fast = decodeGetMsgFast(bytes);
      const strict = strictly(() => decodeMsgStrict(bytes));
      if (fast === undefined) continue;
      accepted++;
      expect(fast, `iteration ${i}: ${Buffer.from(bytes).toString('hex')}`).toEqual(strict);
    }
    expect(accepted).toBeGreaterThan(1000);
  });
});

describe('encodeGetRespRecord', () => {
  const slow = (msgId: string, r: GetResp): Buffer => Buffer.from(encodeRecord(noSessionContextRecord(ADDR, encodeMsg(responseMsg(msgId, { respType: 'getResp', getResp: r })))));

  const cases: [string, GetResp][] = [
    [
      'one parameter',
      {
        reqPathResults: [
          { requestedPath: 'Device.DeviceInfo.SerialNumber', errCode: 0, errMsg: '', resolvedPathResults: [{ resolvedPath: 'Device.DeviceInfo.', resultParams: { SerialNumber: 'SN-1' } }] },
        ],
      },
    ],
    ['no results', { reqPathResults: [] }],
    ['a path error, fields left out', { reqPathResults: [{ requestedPath: 'Device.Nope.', errCode: 7026, errMsg: 'no such path' }, { requestedPath: 'Device.X' }] }],
    [
      'empty values and objects',
      {
        reqPathResults: [
          {
            requestedPath: '',
            errCode: 0,
            errMsg: '',
            resolvedPathResults: [
              { resolvedPath: 'Device.', resultParams: {} },
              { resolvedPath: '', resultParams: { A: '' } },
            ],
          },
        ],
      },
    ],
    ['UTF-8 text', { reqPathResults: [{ requestedPath: 'Device.', errCode: 0, errMsg: 'é', resolvedPathResults: [{ resolvedPath: 'Device.Ä.', resultParams: { Name: 'Grüße 😀 ✓' } }] }] }],
    [
      'lengths of two and three bytes',
      { reqPathResults: [{ requestedPath: 'Device.', resolvedPathResults: [{ resolvedPath: 'Device.', resultParams: { Long: 'x'.repeat(200), Longer: 'y'.repeat(20_000) } }] }] },
    ],
    ['a typical object read', typicalGetResp(5, 10)],
    ['a large read', typicalGetResp(400, 40)],
  ];
  for (const [name, r] of cases) {
    it(`writes the bytes protobufjs writes: ${name}`, () => {
      // Buffer.equals: a byte-wise toEqual on the large case takes seconds.
      const want = slow('msg-42', r);
      expect(encodeGetRespRecord(ADDR, 'msg-42', r).equals(want)).toBe(true);
      expect(Buffer.from(encodeMsgRecord(ADDR, responseMsg('msg-42', { respType: 'getResp', getResp: r }))).equals(want)).toBe(true);
    });
  }

  it('sends other Msgs through the general encoder', () => {
    for (const [name, m] of [...sampleMsgs(), ['Error', errorMsg('e1', 7026, 'invalid path')] as [string, UspMsg]]) {
      expect(Buffer.from(encodeMsgRecord(ADDR, m)), name).toEqual(Buffer.from(encodeRecord(noSessionContextRecord(ADDR, encodeMsg(m)))));
    }
  });

  it('does not reuse the bytes of an earlier response', () => {
    const a = encodeGetRespRecord(ADDR, 'a', typicalGetResp(1, 1));
    const copy = Buffer.from(a);
    encodeGetRespRecord(ADDR, 'b', typicalGetResp(3, 3));
    expect(a).toEqual(copy);
  });
});
