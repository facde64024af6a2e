/**
 * PcapLimiter: a libpcap stream written in whole records only, however it is split into chunks,
 * in either byte order, cut at the byte and packet limits; anything that is not libpcap is an error.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapLimiter, pcapFileHeader, pcapRecord, type PcapLimits } from '../../../../platform/diagnostics/pcap-limiter.js';

const dir = mkdtempSync(join(tmpdir(), 'usp-pcap-limiter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** Feeds `stream` in chunks of `chunk` bytes; returns the file, the counts and whether the limit was hit. */
async function feed(stream: Buffer, limits: PcapLimits, chunk = 7): Promise<{ file: Buffer; packets: number; full: number; error?: string }> {
  const path = join(dir, `f${++n}.pcap`);
  const fh = await open(path, 'w');
  let full = 0;
  const l = new PcapLimiter(fh, limits, () => full++);
  let error: string | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      l.on('error', reject);
      l.on('finish', resolve);
      for (let i = 0; i < stream.length; i += chunk) l.write(stream.subarray(i, i + chunk));
      l.end();
    });
  } catch (e) {
    error = (e as Error).message;
  } finally {
    await fh.close();
  }
  return { file: readFileSync(path), packets: l.packets, full, error };
}

const frames = [Buffer.alloc(60, 1), Buffer.alloc(100, 2), Buffer.alloc(42, 3)];
const stream = Buffer.concat([pcapFileHeader(), ...frames.map((f, i) => pcapRecord(1_700_000_000_000 + i, f))]);

describe('PcapLimiter', () => {
  it('writes the stream unchanged when no limit is reached, whatever the chunking', async () => {
    for (const chunk of [1, 7, 16, 1000]) {
      const r = await feed(stream, { maxBytes: 1_000_000, maxPackets: 0 }, chunk);
      expect(r.file.equals(stream)).toBe(true);
      expect(r.packets).toBe(3);
      expect(r.full).toBe(0);
    }
  });

  it('stops before the record that would pass maxBytes, and at maxPackets', async () => {
    const twoRecords = 24 + 16 + 60 + 16 + 100;
    const bytes = await feed(stream, { maxBytes: twoRecords + 10, maxPackets: 0 });
    expect(bytes.file.length).toBe(twoRecords);
    expect(bytes.packets).toBe(2);
    expect(bytes.full).toBe(1);
    const packets = await feed(stream, { maxBytes: 1_000_000, maxPackets: 1 });
    expect(packets.file.length).toBe(24 + 16 + 60);
    expect(packets.full).toBe(1);
  });

  it('takes a big-endian stream, and refuses what is not libpcap', async () => {
    const be = Buffer.from(stream);
    be.writeUInt32BE(0xa1b2c3d4, 0);
    for (let at = 24; at < be.length;) {
      const len = stream.readUInt32LE(at + 8);
      for (const off of [0, 4, 8, 12]) be.writeUInt32BE(stream.readUInt32LE(at + off), at + off);
      at += 16 + len;
    }
    expect((await feed(be, { maxBytes: 1_000_000, maxPackets: 0 })).packets).toBe(3);
    expect((await feed(Buffer.alloc(64, 0x41), { maxBytes: 1_000_000, maxPackets: 0 })).error).toMatch(/not in libpcap format/);
  });
});
