/**
 * Device.Time.Client.{i}.Stats. on Linux (time-client-stats.ts): chronyd's ntpdata counters of
 * a row's sources, summed, dropped = received - good, StatsCounter32 wrapping. The real chronyd
 * reading: test/integration/linux-time-chrony.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ChronySource } from '../../../../platform/linux/chrony.js';
import { clientStats } from '../../../../platform/linux/time-client-stats.js';

const source = (sent?: number, received?: number, goodReceived?: number): ChronySource => ({
  mode: 'server',
  state: 'combined',
  name: 'ntp.example',
  stratum: 2,
  reach: 0o377,
  sent,
  received,
  goodReceived,
});

describe('Time.Client Stats from chrony', () => {
  it("sums the row's sources; responses that failed chrony's tests are dropped", () => {
    expect(clientStats([source(10, 9, 7), source(4, 4, 4)])).toEqual({ PacketsSent: 14, PacketsReceived: 13, PacketsDropped: 2 });
  });

  it('counts nothing for a source without ntpdata (the lists changed between the commands) and for no source', () => {
    expect(clientStats([source(), source(3, 2, 2)])).toEqual({ PacketsSent: 3, PacketsReceived: 2, PacketsDropped: 0 });
    expect(clientStats([])).toEqual({ PacketsSent: 0, PacketsReceived: 0, PacketsDropped: 0 });
  });

  it('wraps at 2^32 (StatsCounter32)', () => {
    expect(clientStats([source(2 ** 32 + 5, 2 ** 32 - 1, 2 ** 32 - 1)]).PacketsSent).toBe(5);
  });
});
