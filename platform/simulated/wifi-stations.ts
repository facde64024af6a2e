/**
 * Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}. of the simulated gateway (TR-181
 * WiFiAccessPoint:1): a few resident stations that stay associated, and visitors that come and
 * go. Who is associated is a pure function of the seed and the clock: time is cut into slots,
 * and a visitor's presence and stay inside each slot are seeded draws. A visitor's session in
 * slot k has instance number VISITOR_BASE + k, so numbers only grow and are never reused, and a
 * resident keeps its number for as long as the AccessPoint serves. Visits only count while the
 * BSS serves: a station associates a moment after its BSS comes up, never before. The
 * AccessPoint's MAC filter and MaxAllowedAssociations refuse stations (`admitted`), and
 * Radio.{i}.GuardInterval scales their PHY rates (guardIntervalShare), Radio.{i}.OperatingStandards
 * sets the standard each station runs (operatingStandard: the newest both have; none, and it is
 * refused) and caps its rates to that standard's, an AccessPoint without WMM holds them to
 * legacy 802.11a/g.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { Churn } from './churn.js';
import { clampInt, Prng, unit, wave } from './random.js';
import { dateTime, formatMac, type SimContext } from './SimContext.js';
import type { BssState } from './wifi-access-point.js';
import type { RadioState } from './wifi-radio.js';

export interface StationDef {
  /** AccessPoint instance it associates with. */
  ap: number;
  label: string;
  visitor: boolean;
  standard: 'n' | 'ac' | 'ax';
  maxBandwidth: string;
  /** PHY maximum of the station's capabilities, kbps. */
  maxDownKbps: number;
  maxUpKbps: number;
  /** Mean received signal, dBm (where the device sits in the home). */
  signal: number;
  /** Average traffic while associated, bytes/s, to the station (down) and from it (up). */
  downBps: number;
  upBps: number;
  /**
   * The WMM access category its traffic is sent in (TR-181 AccessPoint.{i}.AC.{i}.AccessCategory):
   * what it mostly does (a TV streams video, a phone makes Wi-Fi calls, a plug reports in the
   * background). Without WMM on the BSS every frame goes best effort.
   */
  accessCategory: AccessCategory;
}

/** The four 802.11e/WMM access categories, in TR-181's order (AC.1 to AC.4). */
export const ACCESS_CATEGORIES = ['BE', 'BK', 'VI', 'VO'] as const;
export type AccessCategory = (typeof ACCESS_CATEGORIES)[number];

const STATIONS: readonly StationDef[] = [
  { ap: 1, label: 'smart-plug', visitor: false, standard: 'n', maxBandwidth: '20MHz', maxDownKbps: 72_200, maxUpKbps: 72_200, signal: -67, downBps: 60, upBps: 40, accessCategory: 'BK' },
  { ap: 1, label: 'printer', visitor: false, standard: 'n', maxBandwidth: '20MHz', maxDownKbps: 144_400, maxUpKbps: 144_400, signal: -59, downBps: 200, upBps: 150, accessCategory: 'BK' },
  { ap: 2, label: 'laptop', visitor: false, standard: 'ax', maxBandwidth: '80MHz', maxDownKbps: 1_201_000, maxUpKbps: 1_201_000, signal: -54, downBps: 450_000, upBps: 60_000, accessCategory: 'BE' },
  { ap: 2, label: 'tv', visitor: false, standard: 'ac', maxBandwidth: '80MHz', maxDownKbps: 866_700, maxUpKbps: 433_300, signal: -61, downBps: 900_000, upBps: 25_000, accessCategory: 'VI' },
  {
    ap: 2,
    label: 'visitor-phone',
    visitor: true,
    standard: 'ax',
    maxBandwidth: '80MHz',
    maxDownKbps: 1_201_000,
    maxUpKbps: 1_201_000,
    signal: -58,
    downBps: 120_000,
    upBps: 15_000,
    accessCategory: 'BE',
  },
  { ap: 3, label: 'phone', visitor: false, standard: 'ax', maxBandwidth: '160MHz', maxDownKbps: 2_401_900, maxUpKbps: 2_401_900, signal: -56, downBps: 250_000, upBps: 30_000, accessCategory: 'VO' },
  { ap: 4, label: 'guest-tablet', visitor: true, standard: 'ax', maxBandwidth: '40MHz', maxDownKbps: 573_500, maxUpKbps: 573_500, signal: -63, downBps: 180_000, upBps: 12_000, accessCategory: 'VI' },
];

/** Visitor schedule: one possible visit per slot, arriving and leaving inside the slot. */
export const SLOT_S = 600;
const VISIT_PROBABILITY = 0.55;
/** Instance numbers below this are residents' (1, 2, ... per AccessPoint). */
const VISITOR_BASE = 100;
/** A station comes back this long after its BSS does (it scans, then re-associates). */
const REJOIN_MS = 2_000;

export interface Session {
  station: StationDef;
  mac: string;
  since: number;
}

/** One simulated Wi-Fi device, associated or not. */
export interface StationDevice {
  def: StationDef;
  mac: string;
  joinDelayS: number;
}

/** A visit, in wall-clock ms: `to` may lie in the future while it lasts. */
export interface Visit {
  from: number;
  to: number;
}

export interface StationRoster {
  readonly devices: readonly StationDevice[];
  /** Associated stations of AccessPoint `ap` now, by instance number, ascending. */
  sessions(ap: number): Map<number, Session>;
  /** Where `device` is associated now: its AssociatedDevice keys and since when (ms). */
  find(device: StationDevice): { keys: [number, number]; since: number } | undefined;
  /**
   * A visitor's latest visit that has begun, while its BSS has been serving, within the last
   * `lookBackS` seconds (undefined for residents and when there is none).
   */
  lastVisit(device: StationDevice, lookBackS: number): Visit | undefined;
  /** Length of a visitor's schedule slot, seconds (SLOT_S). */
  readonly slotSeconds: number;
  /**
   * A visitor's visit in schedule slot `slot` (seconds since boot / slotSeconds), clipped to the
   * time its BSS has been serving since its last change; undefined if none.
   */
  visitInSlot(device: StationDevice, slot: number): Visit | undefined;
}

/** The visit a visitor makes in `slot` (seconds since boot), if any: a pure function of the seed. */
function visitIn(seed: number, label: string, slot: number): { arrive: number; leave: number } | undefined {
  if (unit(seed, label, 'visit', slot) >= VISIT_PROBABILITY) return undefined;
  const arrive = slot * SLOT_S + 30 + 200 * unit(seed, label, 'arrive', slot);
  return { arrive, leave: arrive + 60 + 300 * unit(seed, label, 'stay', slot) };
}

/** AssociatedDevice.{i}. as served: one list for every gateway of a fleet (issue 14). */
const STATION_PARAMS = [
  'MACAddress',
  'OperatingStandard',
  'AuthenticationState',
  'LastDataDownlinkRate',
  'MaxSupportedDataDownlinkRate',
  'LastDataUplinkRate',
  'MaxSupportedDataUplinkRate',
  'AssociationTime',
  'SignalStrength',
  'Noise',
  'SNR',
  'Retransmissions',
  'Active',
  'MaxSupportedBandwidth',
];

/** Serves Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.; `churn` reports stations that come and go. */
export function registerWiFiStations(ctx: SimContext, bsses: readonly BssState[], churn: Churn): StationRoster {
  const roster = new Roster(ctx, bsses);
  const node = ctx.model.register('Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.', new StationBinding(roster));
  // Churn takes a function: the one closure of the stations per gateway.
  churn.watch(node, () => roster.allKeys());
  return roster;
}

/**
 * One gateway's stations: who is associated where, from the seed and the clock. A class, so its
 * methods are one copy for every gateway of a fleet rather than closures per gateway (issue 14).
 */
class Roster implements StationRoster {
  readonly devices: readonly StationDevice[];
  readonly slotSeconds = SLOT_S;

  constructor(
    readonly ctx: SimContext,
    readonly bsses: readonly BssState[],
  ) {
    const rnd = new Prng(ctx.seed, 'wifi-stations');
    this.devices = STATIONS.map((def) => ({
      def,
      // Randomised, locally administered MAC, as modern phones and laptops use per network.
      // (Arithmetic, not bitwise: JS bit operators would truncate a 48-bit number to 32 bits.)
      mac: formatMac(((rnd.int(0, 255) & 0xfc) | 0x02) * 2 ** 40 + rnd.int(0, 0xffff) * 2 ** 24 + rnd.int(0, 0xffffff)),
      // Residents reconnect a little after the radios come up.
      joinDelayS: rnd.int(12, 40),
    }));
  }

  /**
   * Whether the AccessPoint lets `d` in: its MAC filter admits it and, among the devices of
   * that AccessPoint the filter admits (in the roster's order), it is within
   * MaxAllowedAssociations. A fixed order rather than first come, first served keeps who is
   * refused a function of the configuration, the same for sessions and for past visits.
   */
  private admitted(d: StationDevice): boolean {
    const bss = this.bsses[d.def.ap - 1];
    if (!bss.admits(d.mac) || operatingStandard(d.def, bss.radio()) === undefined) return false;
    return this.devices.filter((x) => x.def.ap === d.def.ap && bss.admits(x.mac)).indexOf(d) < bss.maxAssociations();
  }

  /**
   * A visit clipped to the time the BSS has been serving; undefined if it ended before, or if
   * the AccessPoint refuses the device (a filter change restarts the BSS, so visits before it are clipped away too).
   */
  private clip(bss: BssState, d: StationDevice, v: { arrive: number; leave: number }): Visit | undefined {
    if (!this.admitted(d)) return undefined;
    const { bootedAt } = this.ctx;
    const from = Math.max(bootedAt + v.arrive * 1000, bss.changedAt() + REJOIN_MS);
    const to = bootedAt + v.leave * 1000;
    return from < to ? { from, to } : undefined;
  }

  lastVisit(d: StationDevice, lookBackS: number): Visit | undefined {
    const { ctx } = this;
    const bss = this.bsses[d.def.ap - 1];
    if (!d.def.visitor || !bss?.serving()) return undefined;
    const t = ctx.elapsed();
    const now = ctx.now();
    const oldest = Math.max(0, Math.floor((t - lookBackS) / SLOT_S));
    for (let slot = Math.floor(t / SLOT_S); slot >= oldest; slot--) {
      const v = visitIn(ctx.seed, d.def.label, slot);
      if (!v) continue;
      const clipped = this.clip(bss, d, v);
      if (!clipped) break; // this and every earlier visit ended before the BSS came up
      if (clipped.from <= now) return clipped;
    }
    return undefined;
  }

  sessions(ap: number): Map<number, Session> {
    const { ctx } = this;
    const out = new Map<number, Session>();
    const bss = this.bsses[ap - 1];
    if (!bss?.serving()) return out;
    const now = ctx.now();
    let resident = 0;
    for (const d of this.devices) {
      if (d.def.ap !== ap) continue;
      // A resident keeps its instance number whether the MAC filter lets it in or not.
      if (!d.def.visitor) resident++;
      if (!this.admitted(d)) continue;
      if (!d.def.visitor) {
        // At boot the BSS comes up 10 s in, so residents join at joinDelayS; later, after a restart of the BSS.
        const since = Math.max(ctx.bootedAt + d.joinDelayS * 1000, bss.changedAt() + (d.joinDelayS - 10) * 1000);
        if (now >= since) out.set(resident, { station: d.def, mac: d.mac, since });
        continue;
      }
      const slot = Math.floor(ctx.elapsed() / SLOT_S);
      const planned = visitIn(ctx.seed, d.def.label, slot);
      const v = planned && this.clip(bss, d, planned);
      if (v && now >= v.from && now < v.to) out.set(VISITOR_BASE + slot, { station: d.def, mac: d.mac, since: v.from });
    }
    return out;
  }

  find(d: StationDevice): { keys: [number, number]; since: number } | undefined {
    for (const [n, session] of this.sessions(d.def.ap)) if (session.mac === d.mac) return { keys: [d.def.ap, n], since: session.since };
    return undefined;
  }

  visitInSlot(d: StationDevice, slot: number): Visit | undefined {
    const planned = d.def.visitor ? visitIn(this.ctx.seed, d.def.label, slot) : undefined;
    return planned && this.clip(this.bsses[d.def.ap - 1], d, planned);
  }

  /** Keys of every associated station now (what churn compares). */
  allKeys(): InstanceKeys[] {
    return this.bsses.flatMap((_, i) => [...this.sessions(i + 1).keys()].map((n) => [i + 1, n]));
  }
}

/** AssociatedDevice.{i}. of one gateway; its methods are shared by every gateway (prototype). */
class StationBinding implements ObjectBinding {
  readonly params = STATION_PARAMS;

  constructor(private readonly roster: Roster) {}

  list([ap]: InstanceKeys): number[] {
    return [...this.roster.sessions(ap).keys()].sort((a, b) => a - b);
  }

  get([ap, n]: InstanceKeys): Record<string, Value> {
    const { roster } = this;
    const session = roster.sessions(ap).get(n);
    // The station may have left between list and get.
    if (!session) throw new UspError(ErrorCode.ObjectDoesNotExist, `station ${n} is no longer associated`);
    const bss = roster.bsses[ap - 1];
    const radio = bss.radio();
    const row = radio.settings();
    const values = stationValues(roster.ctx, session, radio.def.noiseFloor, Number(row.MCS ?? -1), String(row.GuardInterval ?? 'Auto'));
    if (!bss.wmm()) return legacy(values, radio.def.band);
    const standard = operatingStandard(session.station, radio) ?? session.station.standard;
    return standard === session.station.standard ? values : fallBack(values, standard, radio.def.band);
  }
}

/**
 * The share of its shortest-guard-interval PHY rate a station gets with Radio.{i}.GuardInterval
 * (TR-181 WiFiRadio): an OFDM symbol carries the same bits whatever its guard interval, so the
 * rate scales with 1 / (symbol + guard). 802.11n/ac symbols last 3.2 us with a 0.4 us (short)
 * or 0.8 us guard; 802.11ax symbols 12.8 us with 0.8, 1.6 or 3.2 us (the LTF size only changes
 * the preamble). A value that names the other family's guards leaves a station on the nearest
 * one it has: 0.8 us for both. Auto lets every station use its shortest guard.
 */
export function guardIntervalShare(standard: StationDef['standard'], guardInterval: string): number {
  if (standard === 'ax') {
    const guard = guardInterval.endsWith('3.2us') ? 3.2 : guardInterval.endsWith('1.6us') ? 1.6 : 0.8;
    return (12.8 + 0.8) / (12.8 + guard);
  }
  const guard = guardInterval === 'Auto' || guardInterval === '400nsec' ? 0.4 : 0.8;
  return (3.2 + 0.4) / (3.2 + guard);
}

/** 802.11 standards from the newest down: a station runs the first one it and the radio both have. */
const BY_AGE = ['ax', 'ac', 'n', 'g', 'a', 'b'] as const;
type Standard = (typeof BY_AGE)[number];
/** What a station of each generation can run on each band (it keeps the older standards of its band). */
const CAPABLE: Readonly<Record<string, Readonly<Record<StationDef['standard'], readonly Standard[]>>>> = {
  '2.4GHz': { n: ['n', 'g', 'b'], ac: ['n', 'g', 'b'], ax: ['ax', 'n', 'g', 'b'] },
  '5GHz': { n: ['n', 'a'], ac: ['ac', 'n', 'a'], ax: ['ax', 'ac', 'n', 'a'] },
  '6GHz': { n: [], ac: [], ax: ['ax'] },
};

/**
 * The standard a station runs on `radio` (AssociatedDevice.{i}.OperatingStandard): the newest of
 * Radio.{i}.OperatingStandards it supports, or undefined when it supports none of them (then the
 * radio's BSSes refuse it).
 */
export function operatingStandard(def: StationDef, radio: RadioState): Standard | undefined {
  const enabled = String(radio.settings().OperatingStandards ?? radio.def.supportedStandards).split(',');
  const capable = CAPABLE[radio.def.band][def.standard];
  return BY_AGE.find((s) => enabled.includes(s) && capable.includes(s));
}

/**
 * The PHY maximum of an older standard for a two-stream station, kbps: 802.11n at 40 MHz on
 * 5 GHz (300) or 20 MHz on 2.4 GHz (144.4), 802.11ac at 80 MHz (866.7), a/g 54, b 11.
 */
function standardMaxKbps(standard: Standard, band: string): number {
  if (standard === 'n') return band === '2.4GHz' ? 144_400 : 300_000;
  return { ax: Infinity, ac: 866_700, g: LEGACY_MAX_KBPS, a: LEGACY_MAX_KBPS, b: 11_000 }[standard];
}

/** A station held to an older standard than its own: its rates scale down to that standard's maximum. */
function fallBack(v: Record<string, Value>, standard: Standard, band: string): Record<string, Value> {
  const cap = standardMaxKbps(standard, band);
  const scale = (rate: Value, max: Value): number => (Number(max) <= cap ? Number(rate) : Math.max(1000, Math.round(((Number(rate) / Number(max)) * cap) / 100) * 100));
  return {
    ...v,
    OperatingStandard: standard,
    LastDataDownlinkRate: scale(v.LastDataDownlinkRate, v.MaxSupportedDataDownlinkRate),
    LastDataUplinkRate: scale(v.LastDataUplinkRate, v.MaxSupportedDataUplinkRate),
  };
}

/** Legacy 802.11a/g PHY maximum, kbps: 54 Mbit/s (OFDM, 64-QAM 3/4, one 20 MHz stream). */
const LEGACY_MAX_KBPS = 54_000;

/**
 * A station on a BSS without WMM: HT, VHT and HE rates need QoS data frames (IEEE 802.11n and
 * later), so the station runs 802.11a (5 GHz) or 802.11g (2.4 GHz), its rates scaled from its
 * own maximum down to 54 Mbit/s.
 */
function legacy(v: Record<string, Value>, band: string): Record<string, Value> {
  const scale = (rate: Value, max: Value): number => Math.max(1000, Math.round(((Number(rate) / Number(max)) * LEGACY_MAX_KBPS) / 100) * 100);
  return {
    ...v,
    OperatingStandard: band === '2.4GHz' ? 'g' : 'a',
    LastDataDownlinkRate: scale(v.LastDataDownlinkRate, v.MaxSupportedDataDownlinkRate),
    LastDataUplinkRate: scale(v.LastDataUplinkRate, v.MaxSupportedDataUplinkRate),
  };
}

/** One station's link, moving smoothly with time around where the device sits. */
function stationValues(ctx: SimContext, s: Session, noiseFloor: number, mcs: number, guardInterval: string): Record<string, Value> {
  const { seed } = ctx;
  const t = ctx.elapsed();
  const def = s.station;
  const signal = clampInt(def.signal + 5 * wave(seed, `${def.label}.rssi`, t, [11, 170, 2400]), -95, -20);
  const noise = clampInt(noiseFloor + 1.5 * wave(seed, `${def.label}.noise`, t, [37, 900]), -110, -60);
  const snr = Math.max(0, signal - noise);
  // Rate adaptation: full PHY rate from ~40 dB SNR, falling to the lowest MCS near 5 dB.
  // A fixed MCS (Radio.{i}.MCS, HT numbering: 8 per spatial stream) caps it at that index's share.
  const fixed = mcs >= 0 ? (((mcs % 8) + 1) / 8) * (Math.min(2, Math.floor(mcs / 8) + 1) / 2) : 1;
  const share = Math.min(fixed, Math.max(0.02, (snr - 5) / 35)) * guardIntervalShare(def.standard, guardInterval);
  const rate = (max: number, label: string): number => Math.max(1000, Math.round((max * share * (0.85 + 0.15 * wave(seed, `${def.label}.${label}`, t, [5, 60]))) / 100) * 100);
  return {
    MACAddress: s.mac,
    OperatingStandard: def.standard,
    AuthenticationState: true,
    LastDataDownlinkRate: rate(def.maxDownKbps, 'down'),
    MaxSupportedDataDownlinkRate: def.maxDownKbps,
    LastDataUplinkRate: rate(def.maxUpKbps, 'up'),
    MaxSupportedDataUplinkRate: def.maxUpKbps,
    AssociationTime: dateTime(s.since),
    SignalStrength: signal,
    Noise: noise,
    SNR: snr,
    Retransmissions: clampInt(45 - snr + 6 * wave(seed, `${def.label}.retx`, t, [9, 120]), 0, 100),
    // Idle devices (the plug, the printer) go quiet for minutes at a time.
    Active: wave(seed, `${def.label}.active`, t, [300, 1300]) > -0.5,
    MaxSupportedBandwidth: def.maxBandwidth,
  };
}
