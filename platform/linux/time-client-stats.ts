/**
 * Device.Time.Client.{i}.Stats. on generic Linux (TR-181 2.16+): what chronyd counted for the
 * sources of the row's Servers, from the `ntpdata` counters the Time objects already read
 * (chrony.ts: one chronyc run for tracking, sources and ntpdata, cached for every object).
 *
 * | TR-181            | chrony (`chronyc ntpdata`, summed over the row's sources)              |
 * |-------------------|------------------------------------------------------------------------|
 * | PacketsSent       | Total TX: requests sent                                                 |
 * | PacketsReceived   | Total RX: responses received                                            |
 * | PacketsDropped    | Total RX - Total good RX: responses that failed chrony's tests (not used) |
 *
 * PacketsSentFailed is not served: chronyd counts no request it failed to send. The counters
 * are chronyd's per source, so they start again at 0 when chronyd restarts or drops a source
 * (the row disabled, its Servers changed); a disabled row, a disabled Time and a chronyd that
 * does not answer read 0. StatsCounter32: each is taken modulo 2^32.
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { Row } from '../stored-table.js';
import type { ChronySource, ChronyState } from './chrony.js';

const STATS = 'Device.Time.Client.{i}.Stats.';
const PARAMS = ['PacketsSent', 'PacketsReceived', 'PacketsDropped'] as const;

/** What the Stats binding needs of LinuxTime. */
export interface ClientStatsSource {
  enabled(): boolean;
  clientRows(): Array<[number, Row]>;
  chrony(): Promise<ChronyState | undefined>;
  sourcesOf(row: Row, state: ChronyState): ChronySource[];
}

/** The counters of `sources`, summed; a source whose ntpdata was not matched counts nothing. */
export function clientStats(sources: readonly ChronySource[]): Record<(typeof PARAMS)[number], number> {
  let sent = 0;
  let received = 0;
  let good = 0;
  for (const s of sources) {
    sent += s.sent ?? 0;
    received += s.received ?? 0;
    good += s.goodReceived ?? 0;
  }
  const c32 = (n: number): number => n % 0x1_0000_0000;
  return { PacketsSent: c32(sent), PacketsReceived: c32(received), PacketsDropped: c32(Math.max(0, received - good)) };
}

/** Serves Device.Time.Client.{i}.Stats. over the rows `time` keeps. */
export function registerClientStats(model: DataModel, time: ClientStatsSource): void {
  const zero: Record<string, Value> = { PacketsSent: 0, PacketsReceived: 0, PacketsDropped: 0 };
  model.register(STATS, {
    params: PARAMS,
    get: async ([n]) => {
      const row = time.clientRows().find(([m]) => m === n)?.[1];
      if (row === undefined || row.Enable !== true || !time.enabled()) return zero;
      const state = await time.chrony();
      return state === undefined ? zero : clientStats(time.sourcesOf(row, state));
    },
  });
}
