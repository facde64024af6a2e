/**
 * Deterministic randomness for the simulated platform. Everything the simulation makes up is a
 * pure function of (seed, a label, time), so a test or a demo run with the same seed and clock
 * sees the same device, and adding a new simulated value never shifts the values of others
 * (each value draws from its own labelled stream, not from one shared sequence).
 */

/** A 32-bit hash of the seed and labels (FNV-1a, then a murmur3 finaliser to spread the bits). */
export function hash32(seed: number, ...labels: ReadonlyArray<string | number>): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (const label of labels) {
    const s = String(label);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ 0x2f, 0x01000193) >>> 0; // separator, so ("ab","c") differs from ("a","bc")
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** A uniform number in [0, 1) for the seed and labels: one independent draw, no state. */
export function unit(seed: number, ...labels: ReadonlyArray<string | number>): number {
  return hash32(seed, ...labels) / 0x1_0000_0000;
}

/** A small sequential generator (mulberry32) for identities drawn once at start-up. */
export class Prng {
  private state: number;

  constructor(seed: number, label: string) {
    this.state = hash32(seed, label);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  }

  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** `n` decimal digits (leading zeros allowed), e.g. for IMEI and IMSI bodies. */
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(this.next() * 10));
    return s;
  }
}

/**
 * A smooth wobble in [-1, 1] at time `t` (seconds): a sum of sines with seeded phases. Radio
 * measurements move like this (slow fading plus faster variation), and it costs a few sin()
 * calls per read, with no timer and no history.
 */
export function wave(seed: number, label: string, t: number, periods: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < periods.length; i++) {
    sum += Math.sin((2 * Math.PI * t) / periods[i] + 2 * Math.PI * unit(seed, label, i));
  }
  return sum / periods.length;
}

// Relative rate variation of traffic: a burst scale, a half-hour and a daily cycle. The
// amplitudes sum to less than 1 so the instantaneous rate never reaches zero. Exported so the
// heat the traffic makes (load.ts) follows the same curve as the counters.
export const GROWTH_PERIODS = [97, 1800, 86_400] as const;
export const GROWTH_AMPLITUDES = [0.3, 0.25, 0.35] as const;

/**
 * The integral over [0, t] of a rate that averages `rate` units/s and varies smoothly: a
 * counter that is strictly increasing in `t` (for rate > 0) yet not a straight line, computed
 * in closed form so a read costs the same after a year as after a second.
 */
export function growth(seed: number, label: string, t: number, rate: number): number {
  if (rate <= 0 || t <= 0) return 0;
  let extra = 0;
  for (let i = 0; i < GROWTH_PERIODS.length; i++) {
    const p = GROWTH_PERIODS[i];
    const phase = 2 * Math.PI * unit(seed, label, 'phase', i);
    extra += GROWTH_AMPLITUDES[i] * (p / (2 * Math.PI)) * (Math.cos(phase) - Math.cos((2 * Math.PI * t) / p + phase));
  }
  return rate * (t + extra);
}

/** Clamps and rounds a simulated measurement into its schema range. */
export function clampInt(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(v)));
}
