/**
 * The TR-369 retry back-off (R-WS.19–21): retry n waits uniformly in
 * [m·(k/1000)^(n-1), m·(k/1000)^n] seconds, the interval frozen from n = 10 on.
 */
import { describe, expect, it } from 'vitest';
import { RETRY_INTERVAL_CAP, retryWaitMs } from '../../../mtp/retry-backoff.js';

const LOW = (): number => 0;
const HIGH = (): number => 1 - Number.EPSILON;
const MID = (): number => 0.5;

describe('retryWaitMs', () => {
  it('n=1 waits within [m, m·k/1000]', () => {
    expect(retryWaitMs(1, 5, 2000, LOW)).toBe(5000);
    expect(retryWaitMs(1, 5, 2000, HIGH)).toBeCloseTo(10000, 6);
    expect(retryWaitMs(1, 5, 2000, MID)).toBe(7500);
  });

  it('n=2 waits within [m·k/1000, m·(k/1000)²]', () => {
    expect(retryWaitMs(2, 5, 2000, LOW)).toBe(10000);
    expect(retryWaitMs(2, 5, 2000, HIGH)).toBeCloseTo(20000, 6);
    expect(retryWaitMs(2, 1, 1500, LOW)).toBe(1500);
    expect(retryWaitMs(2, 1, 1500, HIGH)).toBeCloseTo(2250, 6);
  });

  it('grows geometrically up to n=10 and stays there', () => {
    for (let n = 1; n <= RETRY_INTERVAL_CAP; n++) {
      expect(retryWaitMs(n, 5, 2000, LOW)).toBe(5000 * 2 ** (n - 1));
    }
    expect(retryWaitMs(10, 5, 2000, LOW)).toBe(2_560_000);
    expect(retryWaitMs(10, 5, 2000, HIGH)).toBeCloseTo(5_120_000, 3);
    for (const n of [11, 12, 50, 1000]) {
      expect(retryWaitMs(n, 5, 2000, LOW)).toBe(2_560_000);
      expect(retryWaitMs(n, 5, 2000, HIGH)).toBeCloseTo(5_120_000, 3);
    }
  });

  it('k = 1000 gives a constant m, as the formula says', () => {
    expect(retryWaitMs(1, 3, 1000, HIGH)).toBe(3000);
    expect(retryWaitMs(7, 3, 1000, LOW)).toBe(3000);
  });

  it('draws with Math.random by default and stays inside the interval', () => {
    for (let i = 0; i < 1000; i++) {
      const n = 1 + (i % 12);
      const w = retryWaitMs(n, 1, 2000);
      const e = Math.min(n, 10);
      expect(w).toBeGreaterThanOrEqual(1000 * 2 ** (e - 1));
      expect(w).toBeLessThanOrEqual(1000 * 2 ** e);
    }
  });

  it('refuses parameters that would make no back-off', () => {
    expect(() => retryWaitMs(0, 5, 2000)).toThrow(RangeError);
    expect(() => retryWaitMs(1.5, 5, 2000)).toThrow(RangeError);
    expect(() => retryWaitMs(1, 0, 2000)).toThrow(RangeError);
    expect(() => retryWaitMs(1, 5, 999)).toThrow(RangeError);
    expect(() => retryWaitMs(1, Number.NaN, 2000)).toThrow(RangeError);
  });
});
