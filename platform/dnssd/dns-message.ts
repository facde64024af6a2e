/**
 * DNS messages (RFC 1035 section 4) as multicast DNS uses them (RFC 6762): the queries the
 * DNS-SD browser sends and the responses it reads, with name compression (RFC 1035 4.1.4).
 *
 * The decoder reads bytes from anyone on the LAN, so it never trusts a length: a packet that is
 * truncated, oversize, points a compression pointer forward or at itself (a loop), or carries a
 * name over 255 octets decodes to `undefined` and is dropped whole. Only the record types a
 * browser needs (PTR, SRV, TXT, A, AAAA) are decoded; the others are skipped by their length.
 */

/** RFC 6762 17: a multicast DNS packet is at most 9000 bytes including IP and UDP headers. */
export const MAX_MDNS_PACKET = 9000;
/** RFC 1035 2.3.4: a name is at most 255 octets on the wire, a label at most 63. */
const MAX_NAME_OCTETS = 255;
const MAX_LABEL = 63;
/** More records than a 9000-byte packet can honestly hold (11 bytes each at the least). */
const MAX_RECORDS = 800;

export const RecordType = { A: 1, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, ANY: 255 } as const;
export type RecordTypeCode = (typeof RecordType)[keyof typeof RecordType];
/** The class IN; mDNS uses the top bit as "cache flush" in answers and "unicast response" in questions. */
export const CLASS_IN = 1;
const CLASS_TOP_BIT = 0x8000;

/** A domain name as its labels, outermost last (["My Printer", "_ipp", "_tcp", "local"]). */
export type Labels = readonly string[];

export interface Question {
  name: Labels;
  type: number;
}

export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: Labels;
}

/** One resource record of a type the browser reads. */
export type ResourceRecord = { name: Labels; ttl: number; cacheFlush: boolean } & (
  | { type: typeof RecordType.PTR; data: Labels }
  | { type: typeof RecordType.SRV; data: SrvData }
  | { type: typeof RecordType.TXT; data: readonly Buffer[] }
  | { type: typeof RecordType.A | typeof RecordType.AAAA; data: string }
);

export interface DnsMessage {
  id: number;
  isResponse: boolean;
  questions: Question[];
  /** Answer, authority and additional records of the types above, in packet order. */
  records: ResourceRecord[];
}

/** Thrown inside the decoder only; decodeMessage turns it into `undefined`. */
class Malformed extends Error {}

/** Decodes one DNS message; `undefined` for anything malformed (the caller drops it). */
export function decodeMessage(buf: Buffer): DnsMessage | undefined {
  try {
    return decode(buf);
  } catch (e) {
    if (e instanceof Malformed || e instanceof RangeError) return undefined;
    throw e;
  }
}

function decode(buf: Buffer): DnsMessage {
  if (buf.length > MAX_MDNS_PACKET) throw new Malformed('oversize');
  if (buf.length < 12) throw new Malformed('no header');
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const counts = [buf.readUInt16BE(4), buf.readUInt16BE(6), buf.readUInt16BE(8), buf.readUInt16BE(10)];
  if (counts.reduce((a, b) => a + b, 0) > MAX_RECORDS) throw new Malformed('too many records');
  let at = 12;
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]!; i++) {
    const [name, next] = readName(buf, at);
    need(buf, next, 4);
    questions.push({ name, type: buf.readUInt16BE(next) });
    at = next + 4;
  }
  const records: ResourceRecord[] = [];
  const total = counts[1]! + counts[2]! + counts[3]!;
  for (let i = 0; i < total; i++) {
    const [name, next] = readName(buf, at);
    need(buf, next, 10);
    const type = buf.readUInt16BE(next);
    const klass = buf.readUInt16BE(next + 2);
    const ttl = buf.readUInt32BE(next + 4);
    const length = buf.readUInt16BE(next + 8);
    const start = next + 10;
    need(buf, start, length);
    at = start + length;
    if ((klass & ~CLASS_TOP_BIT) !== CLASS_IN) continue;
    const rr = readData(buf, type, start, length);
    if (rr) records.push({ name, ttl, cacheFlush: (klass & CLASS_TOP_BIT) !== 0, ...rr } as ResourceRecord);
  }
  return { id, isResponse: (flags & 0x8000) !== 0, questions, records };
}

function need(buf: Buffer, at: number, n: number): void {
  if (at + n > buf.length) throw new Malformed('truncated');
}

/** The typed data of one record, or undefined for a type the browser does not read. */
function readData(buf: Buffer, type: number, start: number, length: number): Pick<ResourceRecord, 'type' | 'data'> | undefined {
  const end = start + length;
  switch (type) {
    case RecordType.PTR: {
      const [target, next] = readName(buf, start);
      if (next !== end) throw new Malformed('PTR length');
      return { type, data: target };
    }
    case RecordType.SRV: {
      if (length < 7) throw new Malformed('SRV length');
      const [target, next] = readName(buf, start + 6);
      if (next !== end) throw new Malformed('SRV length');
      return { type, data: { priority: buf.readUInt16BE(start), weight: buf.readUInt16BE(start + 2), port: buf.readUInt16BE(start + 4), target } };
    }
    case RecordType.TXT: {
      const strings: Buffer[] = [];
      for (let at = start; at < end;) {
        const n = buf[at]!;
        if (at + 1 + n > end) throw new Malformed('TXT string');
        strings.push(buf.subarray(at + 1, at + 1 + n));
        at += 1 + n;
      }
      return { type, data: strings };
    }
    case RecordType.A:
      if (length !== 4) throw new Malformed('A length');
      return { type, data: [...buf.subarray(start, end)].join('.') };
    case RecordType.AAAA: {
      if (length !== 16) throw new Malformed('AAAA length');
      const groups: string[] = [];
      for (let i = 0; i < 16; i += 2) groups.push(buf.readUInt16BE(start + i).toString(16));
      return { type, data: compressIPv6(groups) };
    }
    default:
      return undefined;
  }
}

/**
 * Reads the name at `offset`; returns its labels and the offset after it where it starts. A
 * compression pointer must point before the label that holds it: a name can then never visit
 * a byte twice, so no loop, and at most 255 octets are read.
 */
export function readName(buf: Buffer, offset: number): [string[], number] {
  const labels: string[] = [];
  let octets = 1;
  let at = offset;
  let after = -1;
  for (;;) {
    need(buf, at, 1);
    const len = buf[at]!;
    if (len === 0) {
      if (after < 0) after = at + 1;
      return [labels, after];
    }
    if ((len & 0xc0) === 0xc0) {
      need(buf, at, 2);
      const target = buf.readUInt16BE(at) & 0x3fff;
      if (target >= at) throw new Malformed('compression pointer not backwards');
      if (after < 0) after = at + 2;
      at = target;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new Malformed('label type');
    need(buf, at + 1, len);
    octets += len + 1;
    if (octets > MAX_NAME_OCTETS) throw new Malformed('name too long');
    labels.push(buf.toString('utf8', at + 1, at + 1 + len));
    at += 1 + len;
  }
}

/** RFC 5952 text of eight 16-bit groups (the longest run of zeros as "::"). */
function compressIPv6(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Writes names with compression: a suffix already written becomes a pointer to it. */
class NameWriter {
  private readonly parts: Buffer[] = [];
  private length = 0;
  private readonly offsets = new Map<string, number>();

  bytes(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }

  name(labels: Labels): void {
    for (let i = 0; i < labels.length; i++) {
      const key = labels
        .slice(i)
        .map((l) => l.toLowerCase())
        .join('\u0000');
      const known = this.offsets.get(key);
      if (known !== undefined) {
        this.bytes(Buffer.from([0xc0 | (known >> 8), known & 0xff]));
        return;
      }
      if (this.length < 0x3fff) this.offsets.set(key, this.length);
      const label = Buffer.from(labels[i]!, 'utf8');
      if (label.length === 0 || label.length > MAX_LABEL) throw new RangeError(`label of ${label.length} octets`);
      this.bytes(Buffer.concat([Buffer.from([label.length]), label]));
    }
    this.bytes(Buffer.from([0]));
  }

  done(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}

/** A query (RFC 6762 18: ID 0, no flags) for `questions`, class IN, multicast responses asked for. */
export function encodeQuery(questions: readonly Question[]): Buffer {
  return encodeMessage(questions, []);
}

/**
 * A message with `questions` and, as answers, `records` (a response when there are no questions):
 * what the browser sends, and what the tests answer it with.
 */
export function encodeMessage(questions: readonly Question[], records: readonly ResourceRecord[]): Buffer {
  const w = new NameWriter();
  const header = Buffer.alloc(12);
  header.writeUInt16BE(questions.length === 0 ? 0x8400 : 0, 2);
  header.writeUInt16BE(questions.length, 4);
  header.writeUInt16BE(records.length, 6);
  w.bytes(header);
  for (const q of questions) {
    w.name(q.name);
    const tail = Buffer.alloc(4);
    tail.writeUInt16BE(q.type, 0);
    tail.writeUInt16BE(CLASS_IN, 2);
    w.bytes(tail);
  }
  for (const r of records) {
    w.name(r.name);
    const head = Buffer.alloc(10);
    head.writeUInt16BE(r.type, 0);
    head.writeUInt16BE(CLASS_IN | (r.cacheFlush ? CLASS_TOP_BIT : 0), 2);
    head.writeUInt32BE(r.ttl, 4);
    // RDATA is written uncompressed (names in it stand alone): simpler, and always valid.
    const data = rdata(r);
    head.writeUInt16BE(data.length, 8);
    w.bytes(head);
    w.bytes(data);
  }
  return w.done();
}

function rdata(r: ResourceRecord): Buffer {
  switch (r.type) {
    case RecordType.PTR:
      return plainName(r.data);
    case RecordType.SRV: {
      const head = Buffer.alloc(6);
      head.writeUInt16BE(r.data.priority, 0);
      head.writeUInt16BE(r.data.weight, 2);
      head.writeUInt16BE(r.data.port, 4);
      return Buffer.concat([head, plainName(r.data.target)]);
    }
    case RecordType.TXT:
      return Buffer.concat(r.data.map((s) => Buffer.concat([Buffer.from([s.length]), s])));
    case RecordType.A:
      return Buffer.from(r.data.split('.').map(Number));
    case RecordType.AAAA:
      return ipv6Bytes(r.data);
  }
}

function plainName(labels: Labels): Buffer {
  const w = new NameWriter();
  w.name(labels);
  return w.done();
}

function ipv6Bytes(text: string): Buffer {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** Labels of a dotted name ("_services._dns-sd._udp.local"); only for names whose labels hold no dot. */
export function labelsOf(dotted: string): string[] {
  return dotted.split('.').filter((l) => l !== '');
}

/** The case-insensitive key of a name (RFC 6762 16: names compare without regard to ASCII case). */
export function nameKey(labels: Labels): string {
  return labels.map((l) => l.toLowerCase()).join('\u0000');
}
