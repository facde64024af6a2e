import { describe, expect, it } from 'vitest';
import { noRedQdisc, redLeafOf, redProblems, redQdiscLine } from '../../../../platform/linux/qos-red.js';
import { tcBatch } from '../../../../platform/linux/qos-tc.js';

describe('Linux QoS: RED (Queue DropAlgorithm RED)', () => {
  it('sizes the red leaf from REDThreshold and REDPercentage, choosing TR-181 defaults for 0', () => {
    expect(redLeafOf({ DropAlgorithm: 'DT', REDThreshold: 10 }, 1000)).toBeUndefined();
    // txqueuelen 100 x 1500 bytes; min 10 %, max 3 x min, max_p 50 %.
    expect(redLeafOf({ DropAlgorithm: 'RED', REDThreshold: 10, REDPercentage: 50 }, 100)).toEqual({ limitBytes: 150_000, minBytes: 15_000, maxBytes: 45_000, probability: 0.5 });
    // 0 reads back 0 (the row keeps it) but the device picks 5 % and 10 %.
    expect(redLeafOf({ DropAlgorithm: 'RED', REDThreshold: 0, REDPercentage: 0 }, undefined)).toEqual({ limitBytes: 1_500_000, minBytes: 75_000, maxBytes: 225_000, probability: 0.1 });
    // max_th never passes the queue size.
    expect(redLeafOf({ DropAlgorithm: 'RED', REDThreshold: 90, REDPercentage: 100 }, 20)).toEqual({ limitBytes: 30_000, minBytes: 27_000, maxBytes: 30_000, probability: 1 });
  });

  it('refuses a REDThreshold that leaves no room for the maximum threshold', () => {
    expect(redProblems({ REDThreshold: 90 })).toEqual([]);
    expect(redProblems({ REDThreshold: 91 }).map((b) => b.param)).toEqual(['REDThreshold']);
  });

  it('puts the red qdisc under the Queue HTB class, with an explicit burst', () => {
    const red = { limitBytes: 30_000, minBytes: 3000, maxBytes: 9000, probability: 0.5 };
    expect(redQdiscLine('wan0', '51:101', red, 1e6)).toBe('qdisc add dev wan0 parent 51:101 handle 101: red limit 30000 min 3000 max 9000 avpkt 1000 burst 5 probability 0.5 bandwidth 1000000bit');
    const lines = tcBatch({ device: 'wan0', rateBps: 1e6, queues: [{ n: 1, classes: [5], weight: 1, precedence: 1, ceilBps: 500_000, red }] });
    expect(lines[3]).toBe('qdisc add dev wan0 parent 51:101 handle 101: red limit 30000 min 3000 max 9000 avpkt 1000 burst 5 probability 0.5 bandwidth 500000bit');
    expect(lines.filter((l) => l.includes(' red '))).toHaveLength(1);
  });

  it('knows tc saying the kernel has no red qdisc', () => {
    expect(noRedQdisc('exit 1: Error: Specified qdisc kind is unknown.')).toBe(true);
    expect(noRedQdisc('exit 2: RTNETLINK answers: File exists')).toBe(false);
  });
});
