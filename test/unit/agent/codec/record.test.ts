import { describe, expect, it } from 'vitest';
import { RecordDecodeError } from '../../../../agent/codec/errors.js';
import {
  decodeRecord,
  disconnectRecord,
  encodeRecord,
  mqttConnectRecord,
  noSessionContextRecord,
  salvageRecord,
  stompConnectRecord,
  udsConnectRecord,
  USP_VERSION,
  websocketConnectRecord,
  type DecodedRecord,
  type OutgoingRecord,
} from '../../../../agent/codec/record.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { cat, fixed32, len, msg, str, tag, vint } from './pbwire.js';

const addr = { toId: 'proto::controller-1', fromId: 'os::00D09E-Router-SN1' };
const payload = new Uint8Array([0x0a, 0x03, 0x0a, 0x01, 0x61]);

/** Full shape decodeRecord returns for an OutgoingRecord (defaults filled in). */
function expected(rec: OutgoingRecord): DecodedRecord {
  return {
    version: rec.version ?? USP_VERSION,
    toId: rec.toId,
    fromId: rec.fromId,
    payloadSecurity: rec.payloadSecurity ?? 'PLAINTEXT',
    macSignature: rec.macSignature ?? new Uint8Array(),
    senderCert: rec.senderCert ?? new Uint8Array(),
    body: rec.body,
  };
}

/** decodeRecord with Buffers turned into plain Uint8Arrays so toEqual compares contents only. */
function decodePlain(bytes: Uint8Array): DecodedRecord {
  const r = decodeRecord(bytes);
  const plain = (b: Uint8Array) => new Uint8Array(b);
  const body =
    r.body.kind === 'noSessionContext'
      ? { ...r.body, payload: plain(r.body.payload) }
      : r.body.kind === 'sessionContext'
        ? { ...r.body, sessionContext: { ...r.body.sessionContext, payload: r.body.sessionContext.payload.map(plain) } }
        : r.body;
  return { ...r, macSignature: plain(r.macSignature), senderCert: plain(r.senderCert), body };
}

function decodeFails(bytes: Uint8Array): RecordDecodeError {
  try {
    decodeRecord(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(RecordDecodeError);
    expect(e).toBeInstanceOf(UspError);
    return e as RecordDecodeError;
  }
  throw new Error('decodeRecord did not throw');
}

// Record fields by hand: version(1) to_id(2) from_id(3) payload_security(4) ... record types 7..13
const ids = (version = '1.4') => cat(str(1, version), str(2, addr.toId), str(3, addr.fromId));
const nsc = msg(7, len(2, payload));

describe('encodeRecord / decodeRecord round trips', () => {
  const cases: [string, OutgoingRecord][] = [
    ['noSessionContext', noSessionContextRecord(addr, payload)],
    ['websocketConnect', websocketConnectRecord(addr)],
    ['mqttConnect', mqttConnectRecord(addr, 'V5', 'usp/agent/os::00D09E-Router-SN1')],
    ['mqttConnect 3.1.1', mqttConnectRecord(addr, 'V3_1_1', 'usp/a')],
    ['stompConnect', stompConnectRecord(addr, '/queue/agent')],
    ['udsConnect', udsConnectRecord(addr)],
    ['disconnect', disconnectRecord(addr, 'session context not allowed', ErrorCode.SessionContextNotAllowed)],
    [
      'sessionContext with extreme ids and signature',
      {
        ...addr,
        payloadSecurity: 'TLS12',
        macSignature: new Uint8Array([1, 2, 3]),
        senderCert: new TextEncoder().encode('-----BEGIN CERTIFICATE-----'),
        body: {
          kind: 'sessionContext',
          sessionContext: {
            sessionId: 0xffffffffffffffffn,
            sequenceId: 1n,
            expectedId: 0x1_0000_0000n,
            retransmitId: 0n,
            payloadSarState: 'BEGIN',
            payloadrecSarState: 'COMPLETE',
            payload: [payload, new Uint8Array([9])],
          },
        },
      },
    ],
  ];

  it.each(cases)('%s', (_name, rec) => {
    expect(decodePlain(encodeRecord(rec))).toEqual(expected(rec));
  });

  it('sends version 1.4 and exposes the kind', () => {
    const r = decodeRecord(encodeRecord(websocketConnectRecord(addr)));
    expect(r.version).toBe('1.4');
    expect(r.body.kind).toBe('websocketConnect');
  });

  it('encodes reason_code as fixed32', () => {
    const bytes = encodeRecord(disconnectRecord(addr, 'bye', 7105));
    expect(Array.from(bytes)).toEqual(Array.from(cat(ids(), msg(12, str(1, 'bye'), fixed32(2, 7105)))));
  });

  it.each(['1.0', '1.1', '1.2', '1.3', '1.4', '1.5', '1.12'])('accepts version %s and records it', (v) => {
    expect(decodeRecord(cat(ids(v), nsc)).version).toBe(v);
  });

  it.each(['0.9', '2.0', '10.4'])('refuses version %s, another USP major version, with 7104 naming it', (v) => {
    const e = decodeFails(cat(ids(v), nsc));
    expect([e.code, e.reason]).toEqual([ErrorCode.InvalidRecordValue, 'unsupported']);
    expect(e.message).toContain(`USP version ${v} is not supported`);
    expect(e.salvage.payload).toBeDefined();
  });

  it('refuses payload_security TLS12 in a NoSessionContext record with 7102 (TLS only within an E2E session)', () => {
    const e = decodeFails(cat(ids(), vint(4, 1), nsc));
    expect([e.code, e.reason]).toEqual([ErrorCode.SecureSessionNotSupported, 'unsupported']);
    // A SessionContext record may carry TLS12: it decodes, and the agent answers it with Disconnect 7106.
    expect(decodeRecord(cat(ids(), vint(4, 1), msg(8, vint(1, 5), vint(2, 1)))).payloadSecurity).toBe('TLS12');
  });
});

describe('decodeRecord rejects malformed input with a typed error', () => {
  it('empty input and random garbage', () => {
    expect(decodeFails(new Uint8Array()).code).toBe(ErrorCode.RecordNotParsed);
    let seed = 99;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 200; i++) {
      const e = decodeFails(Uint8Array.from({ length: 1 + (i % 50) }, rnd));
      expect([ErrorCode.RecordNotParsed, ErrorCode.InvalidRecordValue]).toContain(e.code);
    }
  });

  it('every truncation of a valid Record', () => {
    const full = encodeRecord(noSessionContextRecord(addr, payload));
    for (let n = 1; n < full.length; n++) {
      const e = decodeFails(full.subarray(0, n));
      expect([ErrorCode.RecordNotParsed, ErrorCode.InvalidRecordValue]).toContain(e.code);
    }
    // cut inside a field is a parse failure
    expect(decodeFails(full.subarray(0, 3)).code).toBe(ErrorCode.RecordNotParsed);
  });

  it('two record_type members', () => {
    const e = decodeFails(cat(ids(), nsc, msg(9)));
    expect([e.code, e.reason]).toEqual([ErrorCode.InvalidRecordValue, 'oneof']);
    expect(e.message).toMatch(/more than one member/);
  });

  it('no record_type member', () => {
    expect(decodeFails(ids()).code).toBe(ErrorCode.InvalidRecordValue);
  });

  it('only an unknown record type field', () => {
    const e = decodeFails(cat(ids(), msg(14, str(1, 'x'))));
    expect(e.code).toBe(ErrorCode.InvalidRecordValue);
    expect(e.message).toMatch(/unknown field 14/);
  });

  it('an empty no_session_context payload, or none at all', () => {
    const e = decodeFails(cat(ids(), msg(7, len(2, new Uint8Array()))));
    expect([e.code, e.reason]).toEqual([ErrorCode.InvalidRecordValue, 'missingField']);
    expect(decodeFails(cat(ids(), msg(7))).code).toBe(ErrorCode.InvalidRecordValue);
  });

  it('missing or malformed version, to_id, from_id', () => {
    expect(decodeFails(cat(str(2, 'a'), str(3, 'b'), nsc)).message).toMatch(/version/);
    expect(decodeFails(cat(str(1, '1.4'), str(3, 'b'), nsc)).message).toMatch(/to_id/);
    expect(decodeFails(cat(str(1, '1.4'), str(2, 'a'), nsc)).message).toMatch(/from_id/);
    for (const v of ['1', 'v1.4', '1.4.', 'one.four', '1.4 ']) {
      expect(decodeFails(cat(ids(v), nsc)).code).toBe(ErrorCode.InvalidRecordValue);
    }
  });

  it('unknown enum values in known fields', () => {
    const e = decodeFails(cat(ids(), vint(4, 2), nsc));
    expect([e.code, e.reason]).toEqual([ErrorCode.InvalidRecordValue, 'unknownEnum']);
    expect(decodeFails(cat(ids(), msg(10, vint(1, 2), str(2, 't')))).message).toMatch(/MQTTConnectRecord.version=2/);
    expect(decodeFails(cat(ids(), msg(11, vint(1, 1)))).code).toBe(ErrorCode.InvalidRecordValue);
    expect(decodeFails(cat(ids(), msg(8, vint(1, 5), vint(5, 4)))).code).toBe(ErrorCode.InvalidRecordValue);
    // a negative enum value (10-byte varint)
    const negative = cat(tag(4, 0), new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(decodeFails(cat(ids(), negative, nsc)).code).toBe(ErrorCode.InvalidRecordValue);
  });

  it('wire-level violations are 7100', () => {
    const e = decodeFails(cat(str(1, '1.4'), vint(2, 1), str(3, 'b'), nsc));
    expect([e.code, e.reason]).toEqual([ErrorCode.RecordNotParsed, 'notParsed']);
    expect(decodeFails(cat(ids(), len(4, new Uint8Array([1])), nsc)).code).toBe(ErrorCode.RecordNotParsed);
    expect(decodeFails(cat(str(1, '1.4'), str(2, 'a'), len(3, new Uint8Array([0xff])), nsc)).code).toBe(ErrorCode.RecordNotParsed);
    expect(decodeFails(cat(ids(), tag(20, 3), nsc)).code).toBe(ErrorCode.RecordNotParsed);
    expect(decodeFails(cat(ids(), nsc, nsc)).code).toBe(ErrorCode.RecordNotParsed);
    expect(decodeFails(cat(ids(), new Uint8Array([0x00]), nsc)).code).toBe(ErrorCode.RecordNotParsed);
  });

  it('salvages ids and payload for the R-MTP.5 reply', () => {
    const e = decodeFails(cat(ids(), vint(4, 7), nsc));
    expect(e.salvage).toEqual({ version: '1.4', toId: addr.toId, fromId: addr.fromId, payload: expect.any(Uint8Array) });
    expect(Array.from(e.salvage.payload!)).toEqual(Array.from(payload));
    expect(salvageRecord(new Uint8Array([0xff]))).toEqual({});
  });

  it('ignores unknown non-oneof fields', () => {
    const r = decodeRecord(cat(ids(), str(20, 'future'), nsc));
    expect(r.body.kind).toBe('noSessionContext');
  });
});
