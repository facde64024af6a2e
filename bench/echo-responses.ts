/**
 * The file that hands ws-echo its pre-recorded response Records: each Record prefixed with its
 * length as a 4-byte big-endian integer.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export function writeResponses(file: string, records: readonly Uint8Array[]): void {
  const parts: Buffer[] = [];
  for (const r of records) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(r.length);
    parts.push(len, Buffer.from(r));
  }
  writeFileSync(file, Buffer.concat(parts));
}

export function readResponses(file: string): Buffer[] {
  const all = readFileSync(file);
  const out: Buffer[] = [];
  for (let at = 0; at < all.length;) {
    const len = all.readUInt32BE(at);
    out.push(all.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}
