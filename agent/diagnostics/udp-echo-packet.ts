/**
 * The UDP Echo Plus header (TR-143 Appendix A.1), the first 20 bytes of an echo packet, all
 * big-endian unsigned 32-bit: TestGenSN (set by the client), TestRespSN, TestRespRecvTimeStamp,
 * TestRespReplyTimeStamp (microseconds, server clock) and TestRespReplyFailureCount (set by an
 * Echo Plus server). A plain echo server sends the packet back unchanged.
 */

export const ECHO_PLUS_HEADER = 20;

export interface EchoPlusFields {
  testGenSN: number;
  testRespSN: number;
  testRespRcvTimeStamp: number;
  testRespReplyTimeStamp: number;
  testRespReplyFailureCount: number;
}

/** A client packet of `size` bytes carrying `sn` as TestGenSN when there is room for it. */
export function echoRequest(size: number, sn: number): Buffer {
  const b = Buffer.alloc(size);
  if (size >= 4) b.writeUInt32BE(sn >>> 0, 0);
  return b;
}

/** TestGenSN of a packet, or undefined when it is too short to carry one. */
export function testGenSN(b: Buffer): number | undefined {
  return b.length >= 4 ? b.readUInt32BE(0) : undefined;
}

/** The Echo Plus fields of a reply (zero when it is too short to carry them). */
export function readEchoPlus(b: Buffer): EchoPlusFields {
  if (b.length < ECHO_PLUS_HEADER) return { testGenSN: testGenSN(b) ?? 0, testRespSN: 0, testRespRcvTimeStamp: 0, testRespReplyTimeStamp: 0, testRespReplyFailureCount: 0 };
  return {
    testGenSN: b.readUInt32BE(0),
    testRespSN: b.readUInt32BE(4),
    testRespRcvTimeStamp: b.readUInt32BE(8),
    testRespReplyTimeStamp: b.readUInt32BE(12),
    testRespReplyFailureCount: b.readUInt32BE(16),
  };
}

/** An Echo Plus server fills its fields into the reply (a copy: the request is left as received). */
export function writeEchoPlus(request: Buffer, f: Omit<EchoPlusFields, 'testGenSN'>): Buffer {
  const b = Buffer.from(request);
  if (b.length < ECHO_PLUS_HEADER) return b;
  b.writeUInt32BE(f.testRespSN >>> 0, 4);
  b.writeUInt32BE(f.testRespRcvTimeStamp >>> 0, 8);
  b.writeUInt32BE(f.testRespReplyTimeStamp >>> 0, 12);
  b.writeUInt32BE(f.testRespReplyFailureCount >>> 0, 16);
  return b;
}
