/**
 * Seeded mutation fuzzing: mutated valid Records and Msgs must either decode (and then re-encode to
 * the same value) or throw a UspError; never another exception, never a hang. Deterministic, so a
 * failure is reproducible from the printed iteration number.
 */
import { describe, expect, it } from 'vitest';
import { decodeMsg, encodeMsg } from '../../../../agent/codec/msg.js';
import {
  decodeRecord,
  disconnectRecord,
  encodeRecord,
  mqttConnectRecord,
  noSessionContextRecord,
  stompConnectRecord,
  udsConnectRecord,
  websocketConnectRecord,
  type OutgoingRecord,
} from '../../../../agent/codec/record.js';
import { mulberry32 } from '../../../../bench/prng.js';
import { UspError } from '../../../../datamodel/UspError.js';
import { sampleMsgs } from './samples.js';

/** One random structural or byte-level change; several strategies so both shallow and deep bytes move. */
function mutate(input: Uint8Array, rand: () => number, corpus: Uint8Array[]): Uint8Array {
  const b = Uint8Array.from(input);
  const int = (n: number) => Math.floor(rand() * n);
  const at = int(Math.max(b.length, 1));
  switch (int(8)) {
    case 0: // flip a bit
      if (b.length) b[at] = b[at]! ^ (1 << int(8));
      return b;
    case 1: // set a byte to an interesting value
      if (b.length) b[at] = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x08, 0x12, 0x1a][int(8)]!;
      return b;
    case 2: // random byte
      if (b.length) b[at] = int(256);
      return b;
    case 3: // truncate
      return b.subarray(0, int(b.length + 1));
    case 4: {
      // delete a range
      const end = Math.min(b.length, at + 1 + int(8));
      return Uint8Array.from([...b.subarray(0, at), ...b.subarray(end)]);
    }
    case 5: {
      // insert random bytes
      const ins = Array.from({ length: 1 + int(6) }, () => int(256));
      return Uint8Array.from([...b.subarray(0, at), ...ins, ...b.subarray(at)]);
    }
    case 6: {
      // duplicate a slice (repeats fields, lengths now lie)
      const end = Math.min(b.length, at + 1 + int(16));
      return Uint8Array.from([...b.subarray(0, end), ...b.subarray(at, end), ...b.subarray(end)]);
    }
    default: {
      // splice with another corpus entry
      const other = corpus[int(corpus.length)]!;
      return Uint8Array.from([...b.subarray(0, at), ...other.subarray(int(other.length + 1))]);
    }
  }
}

interface FuzzResult {
  failures: string[];
  /** Outcome counts: "ok" or the USP error code. */
  outcomes: Record<string, number>;
}

function fuzz(corpus: Uint8Array[], seed: number, iterations: number, check: (bytes: Uint8Array) => void): FuzzResult {
  const rand = mulberry32(seed);
  const failures: string[] = [];
  const outcomes: Record<string, number> = {};
  const count = (k: string) => {
    outcomes[k] = (outcomes[k] ?? 0) + 1;
  };
  for (let i = 0; i < iterations; i++) {
    let bytes = corpus[Math.floor(rand() * corpus.length)]!;
    const rounds = 1 + Math.floor(rand() * 3);
    for (let r = 0; r < rounds; r++) bytes = mutate(bytes, rand, corpus);
    try {
      check(bytes);
      count('ok');
    } catch (e) {
      if (e instanceof UspError) count(String(e.code));
      else failures.push(`#${i} [${Array.from(bytes).join(',')}]: ${String(e)}`);
    }
  }
  return { failures, outcomes };
}

const addr = { toId: 'proto::controller', fromId: 'os::agent' };
const msgCorpus = sampleMsgs().map(([, m]) => encodeMsg(m));
const records: OutgoingRecord[] = [
  ...msgCorpus.slice(0, 6).map((p) => noSessionContextRecord(addr, p)),
  websocketConnectRecord(addr),
  mqttConnectRecord(addr, 'V5', 'usp/agent'),
  stompConnectRecord(addr, '/q'),
  udsConnectRecord(addr),
  disconnectRecord(addr, 'bye', 7105),
  {
    ...addr,
    payloadSecurity: 'TLS12',
    macSignature: new Uint8Array([1, 2]),
    body: {
      kind: 'sessionContext',
      sessionContext: {
        sessionId: 5n,
        sequenceId: 1n,
        expectedId: 1n,
        retransmitId: 0n,
        payloadSarState: 'BEGIN',
        payloadrecSarState: 'NONE',
        payload: [msgCorpus[0]!],
      },
    },
  },
];
const recordCorpus = records.map(encodeRecord);

describe('mutation fuzzing', () => {
  it('Msg: 4000 mutants decode consistently or throw UspError', { timeout: 60_000 }, () => {
    const { failures, outcomes } = fuzz(msgCorpus, 0x5eed, 4000, (bytes) => {
      const m = decodeMsg(bytes);
      // Whatever decodes must be a well-typed value: it re-encodes and decodes to itself.
      expect(decodeMsg(encodeMsg(m))).toEqual(m);
    });
    expect(failures).toEqual([]);
    // The corpus and mutations must reach both the success path and the error paths.
    expect(outcomes['ok']).toBeGreaterThan(100);
    expect(outcomes['7004']).toBeGreaterThan(1000);
  });

  it('Record: 4000 mutants decode consistently or throw UspError', { timeout: 60_000 }, () => {
    const { failures, outcomes } = fuzz(recordCorpus, 0xc0dec, 4000, (bytes) => {
      const r = decodeRecord(bytes);
      const again = decodeRecord(encodeRecord(r));
      expect(again.body.kind).toBe(r.body.kind);
      expect([again.version, again.toId, again.fromId]).toEqual([r.version, r.toId, r.fromId]);
    });
    expect(failures).toEqual([]);
    expect(outcomes['ok']).toBeGreaterThan(100);
    expect(outcomes['7100']).toBeGreaterThan(1000);
    expect(outcomes['7104']).toBeGreaterThan(10);
  });
});
