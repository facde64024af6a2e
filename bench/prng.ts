/**
 * mulberry32: a tiny seeded PRNG, the same sequence for the same seed on every platform, so the
 * seeded fuzz and kill tests (and the bench fuzz corpus) replay exactly. Not for anything secret.
 */

/** Returns a function yielding uniform floats in [0, 1) from the 32-bit `seed`. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
