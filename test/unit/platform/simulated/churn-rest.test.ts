/**
 * The churn (rows that come and go with the simulated clock) rests while nobody wants
 * ObjectCreation/ObjectDeletion news (ChangeFeed.wantsObjectChanges, which the agent's
 * Subscriptions set), off the shared timer (a fleet's resting gateways cost no call per poll), and on resuming reports only what changes after it looked again: it looks
 * the moment a Subscription appears (ChangeFeed.objectChangesMayBeWanted), not at its next poll.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sharedIntervalRegistrations } from '../../../../datamodel/shared-interval.js';
import type { Change } from '../../../../datamodel/tree/ChangeFeed.js';
import { CHURN_POLL_MS } from '../../../../platform/simulated/churn.js';
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
    // As the agent's Subscription table does: wantsObjectChanges turns true and the feed is told.
    wanted = true;
    s.model.changes.objectChangesMayBeWanted();
    // The first look learns the rows of now: four hours of visitors are not news.
    s.advance(15);
    vi.advanceTimersByTime(15_000);
    expect(changes).toEqual([]);
    hours(4);
    expect(changes.some((c) => c.kind === 'created')).toBe(true);
    expect(changes.some((c) => c.kind === 'deleted')).toBe(true);
  });

  it('learns the rows the moment a Subscription appears, so a row that comes or goes before its next poll is reported', () => {
    /** Runs a fresh device poll by poll; a Subscription appears just before poll `from` (the SubscriptionIndex says so). */
    const run = (from: number, polls: number): string[][] => {
      sim = simulated();
      const s = sim;
      let wanted = from === 0;
      s.model.changes.wantsObjectChanges = () => wanted;
      const byPoll: string[][] = [];
      s.model.changes.subscribe((c) => {
        if (c.kind === 'created' || c.kind === 'deleted') byPoll[byPoll.length - 1]!.push(`${c.kind} ${c.path}`);
      });
      for (let i = 0; i < polls; i++) {
        if (i === from) {
          wanted = true;
          s.model.changes.objectChangesMayBeWanted();
        }
        byPoll.push([]);
        s.advance(15);
        vi.advanceTimersByTime(15_000);
      }
      s.stop();
      sim = undefined;
      return byPoll;
    };
    // A device watched all along: the first poll after four hours that saw a row come or go.
    const watched = run(0, 2 * 960);
    const k = watched.findIndex((changes, i) => i >= 960 && changes.length > 0);
    expect(k).toBeGreaterThan(0);
    // The same device resting until a Subscription appears just before that poll reports the same rows.
    const rested = run(k, k + 1);
    expect(rested.slice(0, k).flat()).toEqual([]);
    expect(rested[k]).toEqual(watched[k]);
  });

  it('leaves the shared timer while resting and comes back when a Subscription may want the news', () => {
    sim = simulated();
    const s = sim;
    let wanted = false;
    s.model.changes.wantsObjectChanges = () => wanted;
    expect(sharedIntervalRegistrations(CHURN_POLL_MS)).toBe(1);
    // Nobody wants the news: the first poll rests it, and a resting churn is called no more.
    s.advance(15);
    vi.advanceTimersByTime(15_000);
    expect(sharedIntervalRegistrations(CHURN_POLL_MS)).toBe(0);
    // A Subscription row changed but wants no object news: polled once more, then resting again.
    s.model.changes.objectChangesMayBeWanted();
    expect(sharedIntervalRegistrations(CHURN_POLL_MS)).toBe(1);
    s.advance(15);
    vi.advanceTimersByTime(15_000);
    expect(sharedIntervalRegistrations(CHURN_POLL_MS)).toBe(0);
    wanted = true;
    s.model.changes.objectChangesMayBeWanted();
    s.advance(15);
    vi.advanceTimersByTime(15_000);
    expect(sharedIntervalRegistrations(CHURN_POLL_MS)).toBe(1);
    s.stop();
    sim = undefined;
    expect(sharedIntervalRegistrations(CHURN_POLL_MS)).toBe(0);
  });

  it('stops listening for Subscriptions when stopped', () => {
    sim = simulated();
    const s = sim;
    let wanted = false;
    s.model.changes.wantsObjectChanges = () => wanted;
    const changes: Change[] = [];
    s.model.changes.subscribe((c) => changes.push(c));
    s.advance(15);
    vi.advanceTimersByTime(15_000);
    s.stop();
    wanted = true;
    s.model.changes.objectChangesMayBeWanted();
    s.advance(3600);
    vi.advanceTimersByTime(15_000);
    expect(changes).toEqual([]);
  });
});
