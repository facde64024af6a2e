import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, encodeQuery, labelsOf, MAX_MDNS_PACKET, RecordType, type ResourceRecord } from '../../../../platform/dnssd/dns-message.js';

const PRINTER = ['Office Printer', '_ipp', '_tcp', 'local'];
const RECORDS: ResourceRecord[] = [
  { name: labelsOf('_ipp._tcp.local'), type: RecordType.PTR, ttl: 4500, cacheFlush: false, data: PRINTER },
  { name: PRINTER, type: RecordType.SRV, ttl: 120, cacheFlush: true, data: { priority: 0, weight: 5, port: 631, target: labelsOf('printer.local') } },
  { name: PRINTER, type: RecordType.TXT, ttl: 4500, cacheFlush: true, data: [Buffer.from('rp=ipp/print'), Buffer.from('Color=T')] },
  { name: labelsOf('printer.local'), type: RecordType.A, ttl: 120, cacheFlush: true, data: '192.168.1.20' },
  { name: labelsOf('printer.local'), type: RecordType.AAAA, ttl: 120, cacheFlush: true, data: 'fe80::1:2' },
];

/** A header with the counts given, then `body`. */
function packet(counts: [number, number, number, number], body: number[], flags = 0x8400): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(flags, 2);
  counts.forEach((c, i) => h.writeUInt16BE(c, 4 + i * 2));
  return Buffer.concat([h, Buffer.from(body)]);
}

describe('DNS messages (RFC 1035) as mDNS uses them', () => {
  it('a response round-trips: PTR, SRV, TXT, A and AAAA, the cache-flush bit, a label with spaces', () => {
    const m = decodeMessage(encodeMessage([], RECORDS));
    expect(m).toMatchObject({ isResponse: true, questions: [] });
    expect(m!.records).toEqual(RECORDS);
  });

  it('names are compressed: the second owner name is a pointer to the first', () => {
    const bytes = encodeMessage([], RECORDS);
    // "Office Printer" is written out once as an owner name (the PTR's RDATA stands alone).
    expect(bytes.toString('latin1').split('Office Printer').length - 1).toBe(2);
    expect(bytes.length).toBeLessThan(230);
  });

  it('a query has ID 0, no flags, and asks class IN', () => {
    const q = encodeQuery([{ name: labelsOf('_services._dns-sd._udp.local'), type: RecordType.PTR }]);
    expect(q.readUInt16BE(0)).toBe(0);
    expect(q.readUInt16BE(2)).toBe(0);
    const m = decodeMessage(q);
    expect(m).toMatchObject({ isResponse: false, questions: [{ name: ['_services', '_dns-sd', '_udp', 'local'], type: RecordType.PTR }], records: [] });
  });

  it('records of other types and classes are skipped by their length', () => {
    // One HINFO (13) record for "a", then an A record for "a" (pointer to offset 12).
    const m = decodeMessage(packet([0, 2, 0, 0], [1, 0x61, 0, 0, 13, 0, 1, 0, 0, 0, 10, 0, 2, 1, 0x78, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 10, 0, 4, 10, 0, 0, 1]));
    expect(m!.records).toEqual([{ name: ['a'], type: RecordType.A, ttl: 10, cacheFlush: false, data: '10.0.0.1' }]);
  });

  describe('every malformed packet decodes to undefined (dropped), never throws', () => {
    const whole = encodeMessage([], RECORDS);
    it('truncated at every length', () => {
      for (let n = 0; n < whole.length; n++) expect(decodeMessage(whole.subarray(0, n)), `cut at ${n}`).toBeUndefined();
    });
    it('a compression pointer to itself (a loop)', () => {
      expect(decodeMessage(packet([1, 0, 0, 0], [0xc0, 12, 0, 12, 0, 1]))).toBeUndefined();
    });
    it('two pointers to each other (a loop through a label)', () => {
      // offset 12: label "a" then pointer to 17; offset 17: pointer to 12.
      expect(decodeMessage(packet([1, 0, 0, 0], [1, 0x61, 0xc0, 17, 0, 0xc0, 12, 0, 12, 0, 1]))).toBeUndefined();
    });
    it('a pointer forward, past the end', () => {
      expect(decodeMessage(packet([1, 0, 0, 0], [0xc0, 0xff, 0, 12, 0, 1]))).toBeUndefined();
    });
    it('a name over 255 octets (five labels of 63)', () => {
      const label = [63, ...Array<number>(63).fill(0x61)];
      expect(decodeMessage(packet([1, 0, 0, 0], [...label, ...label, ...label, ...label, ...label, 0, 0, 12, 0, 1]))).toBeUndefined();
    });
    it('a reserved label type (0x40, 0x80)', () => {
      expect(decodeMessage(packet([1, 0, 0, 0], [0x41, 0x61, 0, 0, 12, 0, 1]))).toBeUndefined();
      expect(decodeMessage(packet([1, 0, 0, 0], [0x81, 0x61, 0, 0, 12, 0, 1]))).toBeUndefined();
    });
    it('an RDATA length past the end of the packet', () => {
      expect(decodeMessage(packet([0, 1, 0, 0], [0, 0, 1, 0, 1, 0, 0, 0, 10, 0xff, 0xff, 1, 2, 3, 4]))).toBeUndefined();
    });
    it('an A record of 3 bytes, an AAAA of 4, a TXT string running past its RDATA, a PTR name shorter than its RDATA', () => {
      expect(decodeMessage(packet([0, 1, 0, 0], [0, 0, 1, 0, 1, 0, 0, 0, 10, 0, 3, 1, 2, 3]))).toBeUndefined();
      expect(decodeMessage(packet([0, 1, 0, 0], [0, 0, 28, 0, 1, 0, 0, 0, 10, 0, 4, 1, 2, 3, 4]))).toBeUndefined();
      expect(decodeMessage(packet([0, 1, 0, 0], [0, 0, 16, 0, 1, 0, 0, 0, 10, 0, 3, 5, 0x61, 0x62]))).toBeUndefined();
      expect(decodeMessage(packet([0, 1, 0, 0], [0, 0, 12, 0, 1, 0, 0, 0, 10, 0, 3, 0, 0, 0]))).toBeUndefined();
      expect(decodeMessage(packet([0, 1, 0, 0], [0, 0, 33, 0, 1, 0, 0, 0, 10, 0, 2, 0, 0]))).toBeUndefined();
    });
    it('more records counted than there are', () => {
      expect(decodeMessage(packet([0, 5, 0, 0], [0, 0, 1, 0, 1, 0, 0, 0, 10, 0, 4, 1, 2, 3, 4]))).toBeUndefined();
      expect(decodeMessage(packet([0xffff, 0xffff, 0, 0], []))).toBeUndefined();
    });
    it('oversize: over 9000 bytes', () => {
      expect(decodeMessage(Buffer.concat([packet([0, 0, 0, 0], []), Buffer.alloc(MAX_MDNS_PACKET)]))).toBeUndefined();
    });
    it('random bytes (a seeded fuzz of 5000 packets, and every single-byte corruption of a good one)', () => {
      let seed = 7;
      const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
      for (let i = 0; i < 5000; i++) {
        const b = Buffer.from(Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256)));
        expect(() => decodeMessage(b)).not.toThrow();
      }
      for (let at = 0; at < whole.length; at++) {
        for (const v of [0, 0xc0, 0xff, 0x3f]) {
          const b = Buffer.from(whole);
          b[at] = v;
          expect(() => decodeMessage(b)).not.toThrow();
        }
      }
    });
  });
});
