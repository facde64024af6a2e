import { describe, expect, it } from 'vitest';
import { SerialRuns } from '../../../platform/serial-runs.js';

describe('SerialRuns', () => {
  it('starts each job after the one before has settled, and a failed job does not stop the next', async () => {
    const runs = new SerialRuns();
    const order: string[] = [];
    let release!: () => void;
    const first = runs.run(() => new Promise<string>((resolve) => (release = () => (order.push('first'), resolve('a')))));
    const second = runs.run(async () => {
      order.push('second');
      throw new Error('second failed');
    });
    const third = runs.run(async () => (order.push('third'), 'c'));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    release();
    await expect(first).resolves.toBe('a');
    await expect(second).rejects.toThrow('second failed');
    await expect(third).resolves.toBe('c');
    expect(order).toEqual(['first', 'second', 'third']);
  });
});
