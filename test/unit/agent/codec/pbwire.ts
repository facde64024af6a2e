/** Tiny hand encoder for crafting exact (and deliberately wrong) protobuf bytes in tests. */

function varint(v: number): number[] {
  const out: number[] = [];
  let n = v;
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

const enc = new TextEncoder();

export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const tag = (no: number, wireType: number): Uint8Array => new Uint8Array(varint(no * 8 + wireType));
/** A varint field (int, bool, enum). */
export const vint = (no: number, v: number): Uint8Array => cat(tag(no, 0), new Uint8Array(varint(v)));
/** A length-delimited field with raw content. */
export const len = (no: number, content: Uint8Array): Uint8Array => cat(tag(no, 2), new Uint8Array(varint(content.length)), content);
export const str = (no: number, s: string): Uint8Array => len(no, enc.encode(s));
/** A sub-message built from its fields. */
export const msg = (no: number, ...fields: Uint8Array[]): Uint8Array => len(no, cat(...fields));
export function fixed32(no: number, v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return cat(tag(no, 5), b);
}
