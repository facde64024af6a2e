/** The AutoRestart back-off of TR-181 ExecutionUnit.{i}.AutoRestart. (agent/software/auto-restart.ts). */
import { describe, expect, it } from 'vitest';
import { restartDelayMs, type AutoRestartConfig } from '../../../../agent/software/auto-restart.js';

const c: AutoRestartConfig = { enable: true, minWait: 5, maxWait: 60, multiplier: 2000, maxRetries: 10, resetPeriod: 0 };

describe('restartDelayMs', () => {
  it('lies between m·(k/1000)^n and m·(k/1000)^(n+1) seconds while the former is under the maximum', () => {
    expect(restartDelayMs(c, 0, 0)).toBe(5000);
    expect(restartDelayMs(c, 0, 0.999999)).toBeCloseTo(10_000, -1);
    expect(restartDelayMs(c, 2, 0)).toBe(20_000);
    expect(restartDelayMs(c, 2, 0.999999)).toBeCloseTo(40_000, -1);
  });
  it('then between M·(1000/k) and M', () => {
    expect(restartDelayMs(c, 4, 0.999999)).toBeLessThanOrEqual(60_000);
    expect(restartDelayMs(c, 5, 0)).toBe(30_000);
    expect(restartDelayMs(c, 5, 0.999999)).toBeCloseTo(60_000, -1);
    expect(restartDelayMs(c, 20, 0.5)).toBe(45_000);
  });
});
