/**
 * The churn (rows that come and go with the simulated clock) rests while nobody wants
 * ObjectCreation/ObjectDeletion news (ChangeFeed.wantsObjectChanges, which the agent's
 * Subscriptions set), and on resuming reports only what changes after it looked again.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Change } from '../../../../datamodel/tree/ChangeFeed.js';
import { simulated, type SimFixture } from './fixture.js';

let sim: SimFixture | undefined;
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  sim?.stop();
  sim = undefined;
  vi.useRealTimers();
});

describe('simulated churn', () => {
  it('reports no created/deleted rows while nobody wants them, and on resuming only what changed since', () => {
    sim = simulated();
    const s = sim;
    let wanted = false;
    s.model.changes.wantsObjectChanges = () => wanted;
    const changes: Change[] = [];
    s.model.changes.subscribe((c) => {
      if (c.kind === 'created' || c.kind === 'deleted') changes.push(c);
    });
    const hours = (h: number): void => {
      for (let i = 0; i < h * 240; i++) {
        s.advance(15);
        vi.advanceTimersByTime(15_000);
      }
    };
    hours(4);
    expect(changes).toEqual([]);
    wanted = true;
    // The first look learns the rows of now: four hours of visitors are not news.
    s.advance(15);
    vi.advanceTimersByTime(15_000);
    expect(changes).toEqual([]);
    hours(4);
    expect(changes.some((c) => c.kind === 'created')).toBe(true);
    expect(changes.some((c) => c.kind === 'deleted')).toBe(true);
  });
});
