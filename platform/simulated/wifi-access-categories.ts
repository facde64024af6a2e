/**
 * Device.WiFi.AccessPoint.{i}.AC.{i}. and AC.{i}.Stats. of the simulated gateway (TR-181 2.19
 * WiFi: the four WMM access categories of a BSS, BE, BK, VI and VO, AC.1 to AC.4). TR-181 2.19
 * deleted the EDCA parameters (AIFSN, ECWMin, ECWMax, TxOpMax), so an AC row holds AckPolicy and
 * the transmit queue histogram's definition; no profile names the object.
 *
 * The Stats come from the same traffic accountant as SSID.{i}.Stats (wifi-traffic.ts), so the
 * four categories of an AccessPoint add up to its SSID's counters. OutQLenHistogram counts the
 * samples of the category's transmit queue taken every OutQLenHistogramSampleInterval since the
 * BSS last (re)started (a driver's queue statistics restart with the interface), sorted into
 * the OutQLenHistogramIntervals; how long the queue is at a sample follows the load the
 * category carries, so a BSS without WMM has all its queueing in BE.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { hash32 } from './random.js';
import { invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';
import type { BssState } from './wifi-access-point.js';
import { ACCESS_CATEGORIES, type AccessCategory, type StationRoster } from './wifi-stations.js';
import { type Counters, type WiFiTraffic, zero } from './wifi-traffic.js';

const AC = 'Device.WiFi.AccessPoint.{i}.AC.{i}.';
const AC_STATS = `${AC}Stats.`;

/** Queue samples drawn per cycle: the histogram repeats this pattern, so a read costs O(CYCLE). */
const CYCLE = 64;
/** A category's queue is this full (its utilisation) per byte/s its stations take on average. */
const LOAD_PER_BPS = 1 / 2_000_000;
const MAX_LOAD = 0.9;

const AC_PARAMS = ['AccessCategory', 'Alias', 'AckPolicy', 'OutQLenHistogramIntervals', 'OutQLenHistogramSampleInterval'];
const AC_STATS_PARAMS = [
  'BytesSent',
  'BytesReceived',
  'PacketsSent',
  'PacketsReceived',
  'ErrorsSent',
  'ErrorsReceived',
  'DiscardPacketsSent',
  'DiscardPacketsReceived',
  'RetransCount',
  'OutQLenHistogram',
];
const AC_INSTANCES = ACCESS_CATEGORIES.map((_, i) => i + 1);

/** An AC row before any write: nothing of the gateway in it. */
function acDefaults([, n]: InstanceKeys): Record<string, Value> {
  return {
    Alias: `cpe-${nth(ACCESS_CATEGORIES, n)}`,
    AckPolicy: true,
    // 0, 1, 2-4, 5-8 and 9 or more packets queued (the trailing comma: no upper bound).
    OutQLenHistogramIntervals: '0,1,4,8,',
    OutQLenHistogramSampleInterval: 60,
  };
}

const category = (keys: InstanceKeys): AccessCategory => nth(ACCESS_CATEGORIES, keys[1]);

/** Registers the AC table (four rows under every AccessPoint) and its Stats. */
export function registerWiFiAccessCategories(ctx: SimContext, bsses: readonly BssState[], roster: StationRoster, traffic: WiFiTraffic): void {
  const rows = new WritableRows(ctx, AC, acDefaults);
  ctx.model.register(AC, new AcBinding(rows));
  ctx.model.register(AC_STATS, new AcStatsBinding(ctx, bsses, roster, traffic, rows));
}

/** AccessPoint.{i}.AC.{i}. of one gateway; its methods are shared by every gateway (prototype). */
class AcBinding implements ObjectBinding {
  readonly params = AC_PARAMS;

  constructor(private readonly rows: WritableRows) {}

  list(): number[] {
    return [...AC_INSTANCES];
  }

  get(keys: InstanceKeys): Record<string, Value> {
    return { ...this.rows.row(keys), AccessCategory: category(keys) };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    category(keys);
    const intervals = changes.OutQLenHistogramIntervals;
    if (intervals !== undefined && parseIntervals(String(intervals)) === undefined) {
      throw invalidParams([{ param: 'OutQLenHistogramIntervals', message: 'must be ascending queue lengths in packets, e.g. "0,1,4,8," (a trailing comma: no upper bound)' }]);
    }
    if (changes.OutQLenHistogramSampleInterval === 0) throw invalidParams([{ param: 'OutQLenHistogramSampleInterval', message: 'must be at least 1 second' }]);
    this.rows.apply(keys, changes);
  }
}

/** AccessPoint.{i}.AC.{i}.Stats. of one gateway; its methods are shared by every gateway (prototype). */
class AcStatsBinding implements ObjectBinding {
  readonly params = AC_STATS_PARAMS;

  constructor(
    private readonly ctx: SimContext,
    private readonly bsses: readonly BssState[],
    private readonly roster: StationRoster,
    private readonly traffic: WiFiTraffic,
    private readonly rows: WritableRows,
  ) {}

  get(keys: InstanceKeys): Record<string, Value> {
    const ac = category(keys);
    // An AccessPoint a Controller added: no simulated station knows its SSID, nothing has crossed it.
    const c: Counters = this.bsses[keys[0] - 1] ? this.traffic.accessCategories(keys[0])[ac] : zero();
    return {
      BytesSent: String(c.bytesTx),
      BytesReceived: String(c.bytesRx),
      PacketsSent: String(c.uniTx + c.mcTx + c.bcTx),
      PacketsReceived: String(c.uniRx + c.mcRx + c.bcRx),
      ErrorsSent: counter32(c.errTx),
      ErrorsReceived: counter32(c.errRx),
      DiscardPacketsSent: counter32(c.discTx),
      DiscardPacketsReceived: counter32(c.discRx),
      RetransCount: counter32(c.retrans),
      OutQLenHistogram: this.histogram(keys),
    } satisfies Record<string, Value>;
  }

  /** The average utilisation of the category's queue on BSS `i` (0-based) in its current mode. */
  private load(i: number, ac: AccessCategory): number {
    const wmm = this.bsses[i].wmm();
    const bps = this.roster.devices.filter((d) => d.def.ap === i + 1 && (wmm ? d.def.accessCategory : 'BE') === ac).reduce((sum, d) => sum + d.def.downBps, 0);
    return Math.min(MAX_LOAD, bps * LOAD_PER_BPS);
  }

  private histogram(keys: InstanceKeys): string {
    const { ctx } = this;
    const [ap] = keys;
    const ac = category(keys);
    const row = this.rows.row(keys);
    const bounds = parseIntervals(String(row.OutQLenHistogramIntervals));
    if (!bounds || bounds.length === 0) return '';
    const bss = this.bsses[ap - 1];
    const counts = bounds.map(() => 0);
    const interval = Number(row.OutQLenHistogramSampleInterval) * 1000;
    if (bss?.serving() && interval > 0) {
      const samples = Math.floor((ctx.now() - bss.changedAt()) / interval);
      const pattern = queuePattern(ctx.seed, ap, ac, this.load(ap - 1, ac));
      const bin = (q: number): number => bounds.findIndex((max) => max === undefined || q <= max);
      for (let j = 0; j < CYCLE; j++) {
        const b = bin(pattern[j]);
        if (b < 0) continue; // longer than the last bounded interval: counted nowhere
        counts[b] += Math.floor(samples / CYCLE) + (j < samples % CYCLE ? 1 : 0);
      }
    }
    return counts.join(',');
  }
}

/** StatsCounter32 wraps at 2^32. */
const counter32 = (n: number): number => n % 0x1_0000_0000;

/**
 * The interval maxima of OutQLenHistogramIntervals ("0,1,4,8," gives [0, 1, 4, 8, undefined]:
 * the empty last item is the unbounded interval), or undefined when not ascending whole numbers.
 */
export function parseIntervals(text: string): Array<number | undefined> | undefined {
  if (text === '') return [];
  const items = text.split(',');
  const out: Array<number | undefined> = [];
  for (const [i, item] of items.entries()) {
    if (item === '' && i === items.length - 1 && i > 0) {
      out.push(undefined);
      continue;
    }
    if (!/^\d+$/.test(item)) return undefined;
    const n = Number(item);
    const prev = out[out.length - 1];
    if (prev !== undefined && n <= prev) return undefined;
    out.push(n);
  }
  return out;
}

/**
 * CYCLE queue lengths drawn from the M/M/1 queue length law at utilisation `rho`
 * (P(q >= n) = rho^n), one per sample, the same for the same seed, BSS, category and load.
 */
function queuePattern(seed: number, ap: number, ac: AccessCategory, rho: number): number[] {
  return Array.from({ length: CYCLE }, (_, j) => {
    const u = (hash32(seed, 'ac-queue', `${ap}.${ac}.${j}`) + 0.5) / 2 ** 32;
    return rho <= 0 ? 0 : Math.floor(Math.log(u) / Math.log(rho));
  });
}
