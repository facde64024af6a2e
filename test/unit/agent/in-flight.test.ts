import { describe, expect, it } from 'vitest';
import { InFlight } from '../../../agent/InFlight.js';

describe('InFlight: requests in flight, bounded per controller and in all', () => {
  it('recognises a duplicate msg_id of the same controller only (R-MSG.4)', () => {
    const f = new InFlight(10, 5);
    expect(f.admit('a', '1')).toBe('admitted');
    expect(f.admit('a', '1')).toBe('duplicate');
    expect(f.admit('b', '1')).toBe('admitted');
    expect(f.size).toBe(2);
  });

  it('one controller stops at its own share and leaves the rest for others', () => {
    const f = new InFlight(8, 3);
    for (let i = 0; i < 3; i++) expect(f.admit('greedy', String(i))).toBe('admitted');
    expect(f.admit('greedy', 'x')).toBe('controllerFull');
    for (let i = 0; i < 3; i++) expect(f.admit('other', String(i))).toBe('admitted');
    expect(f.admit('third', '0')).toBe('admitted');
    expect(f.admit('third', '1')).toBe('admitted');
    expect(f.admit('fourth', '0')).toBe('agentFull');
  });

  it('release frees the slot and forgets a controller with nothing in flight', () => {
    const f = new InFlight(2, 1);
    expect(f.admit('a', '1')).toBe('admitted');
    f.release('a', '1');
    f.release('a', '1');
    expect(f.size).toBe(0);
    expect(f.countFor('a')).toBe(0);
    expect(f.admit('a', '2')).toBe('admitted');
  });
});

describe('InFlight memory', () => {
  it('InFlight makes its per-controller map at the first request and bounds as before', () => {
    const f = new InFlight(4, 2);
    expect((f as unknown as { byControllerOf?: unknown }).byControllerOf).toBeUndefined();
    expect(f.countFor('proto::c')).toBe(0);
    expect(f.admit('proto::c', '1')).toBe('admitted');
    expect(f.admit('proto::c', '1')).toBe('duplicate');
    expect(f.admit('proto::c', '2')).toBe('admitted');
    expect(f.admit('proto::c', '3')).toBe('controllerFull');
    f.release('proto::c', '1');
    expect(f.countFor('proto::c')).toBe(1);
    expect(f.size).toBe(1);
  });
});
