import { afterEach, describe, expect, it, vi } from 'vitest';
import { sharedInterval } from '../../../datamodel/shared-interval.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('sharedInterval', () => {
  it('runs every registration of a period on one timer, until each is cancelled', () => {
    vi.useFakeTimers();
    const calls: string[] = [];
    const a = sharedInterval(250, () => calls.push('a'));
    const b = sharedInterval(250, () => calls.push('b'));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(500);
    expect(calls).toEqual(['a', 'b', 'a', 'b']);
    a();
    vi.advanceTimersByTime(250);
    expect(calls.slice(4)).toEqual(['b']);
    b();
    expect(vi.getTimerCount()).toBe(0);
    // Cancelling twice is harmless.
    b();
  });

  it('counts one function registered twice as two registrations, each cancelled on its own', () => {
    vi.useFakeTimers();
    let calls = 0;
    const fn = (): void => {
      calls++;
    };
    const first = sharedInterval(300, fn);
    const second = sharedInterval(300, fn);
    vi.advanceTimersByTime(300);
    expect(calls).toBe(2);
    first();
    first();
    vi.advanceTimersByTime(300);
    expect(calls).toBe(3);
    second();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps calling the others when one throws; the error still surfaces', () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    const seen: number[] = [];
    const stops = [
      sharedInterval(100, () => {
        throw new Error('boom');
      }),
      sharedInterval(100, () => seen.push(1)),
    ];
    const onError = (e: unknown): void => {
      errors.push(e);
    };
    process.on('uncaughtException', onError);
    try {
      vi.advanceTimersByTime(100);
      expect(seen).toEqual([1]);
    } finally {
      for (const s of stops) s();
    }
    return new Promise<void>((resolve) =>
      queueMicrotask(() => {
        process.off('uncaughtException', onError);
        expect(errors.map((e) => (e as Error).message)).toEqual(['boom']);
        resolve();
      }),
    );
  });

  it('a fake clock installed later gets a timer of its own, not the real one', () => {
    const real: string[] = [];
    const stopReal = sharedInterval(1000, () => real.push('real'));
    vi.useFakeTimers();
    const fake: string[] = [];
    const stopFake = sharedInterval(1000, () => fake.push('fake'));
    vi.advanceTimersByTime(1000);
    expect(fake).toEqual(['fake']);
    expect(real).toEqual([]);
    stopFake();
    vi.useRealTimers();
    stopReal();
  });
});
