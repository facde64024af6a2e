/**
 * The libpcap file format (the Format `libpcap` of TR-181 Device.PacketCaptureDiagnostics()): a
 * 24-byte file header, then one 16-byte record header and the captured bytes per packet. A
 * capture arrives as a byte stream (tcpdump `-w -`) and is written to a file by PcapLimiter,
 * which cuts only between whole records: the file stays readable (`tcpdump -r`) however the
 * capture is stopped, and never grows past the agent's bound, whatever the traffic.
 */
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

export const PCAP_FILE_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;
/** Micro- and nanosecond magic numbers, as written (the byte order tells the writer's endianness). */
const MAGICS = new Set([0xa1b2c3d4, 0xa1b23c4d]);
/** A record longer than this is not a record: the stream is not libpcap (tcpdump's largest snaplen is 262144). */
const MAX_RECORD_BYTES = 1024 * 1024;
/** LINKTYPE_ETHERNET. */
export const LINKTYPE_ETHERNET = 1;

/** The file header of a microsecond libpcap file, little-endian. */
export function pcapFileHeader(linkType = LINKTYPE_ETHERNET, snapLen = 262_144): Buffer {
  const b = Buffer.alloc(PCAP_FILE_HEADER_BYTES);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(snapLen, 16);
  b.writeUInt32LE(linkType, 20);
  return b;
}

/** One record (header and frame) of a microsecond little-endian file. */
export function pcapRecord(atMs: number, frame: Buffer): Buffer {
  const h = Buffer.alloc(PCAP_RECORD_HEADER_BYTES);
  h.writeUInt32LE(Math.floor(atMs / 1000), 0);
  h.writeUInt32LE(Math.floor(atMs % 1000) * 1000, 4);
  h.writeUInt32LE(frame.length, 8);
  h.writeUInt32LE(frame.length, 12);
  return Buffer.concat([h, frame]);
}

export interface PcapLimits {
  /** The file's size at most, headers included (the smaller of ByteCount and the agent's bound). */
  maxBytes: number;
  /** Records at most; 0: no limit (PacketCount). */
  maxPackets: number;
}

/**
 * A Writable that takes a libpcap stream and writes it to `file` in whole records, until a
 * limit is reached; then `onFull` is called once and the rest of the stream is read and
 * dropped (so the writer is not blocked while it is being stopped). What it holds in memory is
 * one partial record at most.
 */
export class PcapLimiter extends Writable {
  packets = 0;
  bytes = 0;
  private pending: Buffer = Buffer.alloc(0);
  private headerSeen = false;
  private littleEndian = true;
  private full = false;

  constructor(
    private readonly file: FileHandle,
    private readonly limits: PcapLimits,
    private readonly onFull: () => void,
  ) {
    super();
  }

  get reachedLimit(): boolean {
    return this.full;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    if (this.full) return done();
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.drainRecords().then(() => done(), done);
  }

  /** Writes every whole record now pending, within the limits. */
  private async drainRecords(): Promise<void> {
    if (!this.headerSeen) {
      if (this.pending.length < PCAP_FILE_HEADER_BYTES) return;
      const header = this.pending.subarray(0, PCAP_FILE_HEADER_BYTES);
      if (MAGICS.has(header.readUInt32LE(0))) this.littleEndian = true;
      else if (MAGICS.has(header.readUInt32BE(0))) this.littleEndian = false;
      else throw new Error('the capture is not in libpcap format');
      if (this.limits.maxBytes < PCAP_FILE_HEADER_BYTES) throw new Error('the byte limit is smaller than a libpcap file header');
      await this.append(header);
      this.headerSeen = true;
      this.pending = this.pending.subarray(PCAP_FILE_HEADER_BYTES);
    }
    let at = 0;
    while (this.pending.length - at >= PCAP_RECORD_HEADER_BYTES) {
      const captured = this.littleEndian ? this.pending.readUInt32LE(at + 8) : this.pending.readUInt32BE(at + 8);
      if (captured > MAX_RECORD_BYTES) throw new Error(`a record of ${captured} bytes: the capture is not in libpcap format`);
      const size = PCAP_RECORD_HEADER_BYTES + captured;
      if (this.pending.length - at < size) break;
      if (this.bytes + size > this.limits.maxBytes) {
        this.stop();
        break;
      }
      await this.append(this.pending.subarray(at, at + size));
      this.packets++;
      at += size;
      if (this.limits.maxPackets > 0 && this.packets >= this.limits.maxPackets) {
        this.stop();
        break;
      }
    }
    // Keep only the partial record (a copy, so the chunk it came in can be freed).
    this.pending = this.full ? Buffer.alloc(0) : Buffer.from(this.pending.subarray(at));
  }

  private async append(b: Buffer): Promise<void> {
    await this.file.write(b);
    this.bytes += b.length;
  }

  private stop(): void {
    if (this.full) return;
    this.full = true;
    this.onFull();
  }
}
