/**
 * A Subscription that appears on a fleet gateway whose churned tables (Wi-Fi stations, hosts,
 * leases, routes) were never built (DataModel.registerDeferred, issue 14) is told of every row
 * that comes or goes from that moment, as on a gateway built at boot: the tables are built when
 * the Subscription appears (ChangeFeed.objectChangesMayBeWanted), not at the churn's next look.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Change } from '../../../../datamodel/tree/ChangeFeed.js';
import type { SimFixture } from './fixture.js';
import { simulatedFleet } from './fleet-fixture.js';

const fleet = simulatedFleet(3);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * A fleet of a builder (every area built at boot) and a gateway nobody read, run poll by poll
 * with nobody wanting row news until a Subscription appears on both just before poll `from`:
 * the created/deleted changes each reported, by poll.
 */
function run(from: number, polls: number): { builder: string[][]; late: string[][]; built: boolean } {
  const gws = fleet(2);
  let wanted = false;
  const byPoll = new Map<SimFixture, string[][]>(gws.map((gw) => [gw, []]));
  for (const [gw, seen] of byPoll) {
    gw.model.changes.wantsObjectChanges = () => wanted;
    gw.model.changes.subscribe((c: Change) => {
      if (c.kind === 'created' || c.kind === 'deleted') seen[seen.length - 1]!.push(`${c.kind} ${c.path}`);
    });
  }
  let built = false;
  for (let i = 0; i < polls; i++) {
    if (i === from) {
      wanted = true;
      for (const gw of gws) gw.model.changes.objectChangesMayBeWanted();
      built = !gws[1]!.model.pendingGroups().includes('simulated Wi-Fi');
    }
    for (const [gw, seen] of byPoll) {
      seen.push([]);
      gw.advance(15);
    }
    vi.advanceTimersByTime(15_000);
  }
  for (const gw of gws) gw.stop();
  return { builder: byPoll.get(gws[0]!)!, late: byPoll.get(gws[1]!)!, built };
}

describe('a Subscription on a fleet gateway whose churned tables were never built', () => {
  it('builds them when it appears, and is told of the rows that come or go before the next poll', () => {
    // The first poll after an hour that saw a row come or go on a gateway watched all along.
    const watched = run(0, 480).builder;
    const k = watched.findIndex((changes, i) => i >= 240 && changes.length > 0);
    expect(k).toBeGreaterThan(0);
    const { builder, late, built } = run(k, k + 1);
    expect(builder[k]).toEqual(watched[k]);
    expect(late[k]).toEqual(builder[k]);
    expect(built).toBe(true);
  });
});
