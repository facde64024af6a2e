/**
 * Our .proto files must be wire-identical to the official USP 1.4 ones. The official files are the
 * BBF's, vendored unmodified in vendor/bbf/usp (provenance in vendor/bbf/README.md).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { buildUspTypes } from '../../../../agent/codec/loader.js';
import { decodeMsg, encodeMsg } from '../../../../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord } from '../../../../agent/codec/record.js';
import { sampleMsgs, typicalGetResp } from './samples.js';

const officialDir = fileURLToPath(new URL('../../../../vendor/bbf/usp/', import.meta.url));
const officialFiles = ['usp-record-1-4.proto', 'usp-msg-1-4.proto'];

function loadOfficial(): protobuf.Root {
  const root = new protobuf.Root();
  for (const f of officialFiles) protobuf.parse(readFileSync(officialDir + f, 'utf8'), root, { keepCase: false });
  root.resolveAll();
  return root;
}

/** Every type and enum as a comparable string: field number, name, type, label, map key, oneof. */
function describeSchema(ns: protobuf.NamespaceBase, out: Record<string, string> = {}): Record<string, string> {
  for (const o of ns.nestedArray) {
    if (o instanceof protobuf.Type) {
      out[o.fullName] = o.fieldsArray
        .map((f) => [f.id, f.name, f.type, f.repeated ? 'repeated' : '', f instanceof protobuf.MapField ? f.keyType : '', f.partOf?.name ?? ''].join(':'))
        .sort()
        .join(' | ');
    } else if (o instanceof protobuf.Enum) {
      out[o.fullName] = JSON.stringify(o.values);
    }
    if (o instanceof protobuf.Namespace) describeSchema(o, out);
  }
  return out;
}

const VIEW: protobuf.IConversionOptions = { enums: String, longs: String, bytes: Array, defaults: true, oneofs: true };

describe('wire compatibility with the official USP 1.4 protos', () => {
  const official = loadOfficial();
  const ours = buildUspTypes();
  const OffRecord = official.lookupType('usp_record.Record');
  const OffMsg = official.lookupType('usp.Msg');

  it('declares the same types, field numbers, types, labels, maps, oneofs and enum values', () => {
    expect(describeSchema(ours.root)).toEqual(describeSchema(official));
  });

  it.each(sampleMsgs())('%s: our bytes decode with the official schema and back', (_name, m) => {
    const ourBytes = encodeMsg(m);
    const viaOfficial = OffMsg.toObject(OffMsg.decode(ourBytes), VIEW);
    expect(viaOfficial).toEqual(ours.Msg.toObject(ours.Msg.decode(ourBytes), VIEW));
    const officialBytes = OffMsg.encode(OffMsg.fromObject(viaOfficial)).finish();
    expect(decodeMsg(officialBytes)).toEqual(m);
  });

  it('a GetResp with 50 parameters (map field) is byte-identical both ways', () => {
    const m = sampleMsgs().find(([n]) => n === 'GetResp')![1];
    const big = { ...m, body: { msgBody: 'response' as const, response: { respType: 'getResp' as const, getResp: typicalGetResp() } } };
    const ourBytes = encodeMsg(big);
    const officialBytes = OffMsg.encode(OffMsg.fromObject(big)).finish();
    expect(Buffer.from(ourBytes).equals(Buffer.from(officialBytes))).toBe(true);
  });

  it('Records cross over in both directions, including fixed32 and uint64', () => {
    const payload = encodeMsg(sampleMsgs()[0]![1]);
    const ourBytes = encodeRecord(noSessionContextRecord({ toId: 'c', fromId: 'a' }, payload));
    const off = OffRecord.toObject(OffRecord.decode(ourBytes), VIEW);
    expect(off).toMatchObject({ version: '1.4', toId: 'c', fromId: 'a', recordType: 'noSessionContext' });
    expect(decodeMsg(Uint8Array.from(off['noSessionContext'].payload))).toEqual(sampleMsgs()[0]![1]);

    const offBytes = OffRecord.encode(
      OffRecord.fromObject({
        version: '1.3',
        toId: 'a',
        fromId: 'c',
        payloadSecurity: 'TLS12',
        sessionContext: { sessionId: '18446744073709551615', sequenceId: '7', expectedId: '8', payloadSarState: 'INPROCESS', payload: [[1, 2]] },
      }),
    ).finish();
    const r = decodeRecord(offBytes);
    expect(r).toMatchObject({ version: '1.3', payloadSecurity: 'TLS12' });
    expect(r.body).toMatchObject({
      kind: 'sessionContext',
      sessionContext: { sessionId: 18446744073709551615n, sequenceId: 7n, expectedId: 8n, retransmitId: 0n, payloadSarState: 'INPROCESS', payloadrecSarState: 'NONE' },
    });

    const disc = OffRecord.encode(OffRecord.fromObject({ version: '1.4', toId: 'a', fromId: 'c', disconnect: { reason: 'x', reasonCode: 7105 } })).finish();
    expect(decodeRecord(disc).body).toEqual({ kind: 'disconnect', reason: 'x', reasonCode: 7105 });
  });
});
