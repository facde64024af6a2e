/**
 * What the simulated Wi-Fi carries, counted the way a driver counts it: per associated station
 * (AssociatedDevice.{i}.Stats), per BSS (SSID.{i}.Stats) and per radio (Radio.{i}.Stats), so
 * that a Controller adding them up finds the same figures. A station's counters run from its
 * association; an SSID's are the sum over every station it has served since boot (those that
 * left included) plus the group-addressed frames the AP sends itself; a radio's are the sum
 * over the SSIDs it has carried.
 *
 * Everything is computed at read time from the seed and the clock: a station's traffic is a
 * closed-form function of time (random.ts growth), and a session's counters are its value now
 * minus its value at association. What a station carried before it left (a visitor going
 * home, a BSS restarting) is kept in a few running sums per BSS, taken just before the change
 * (BssState.onChange), so no counter ever goes backwards and memory stays bounded.
 *
 * A BSS's counters are also kept per WMM access category (AccessPoint.{i}.AC.{i}.Stats): a
 * station's frames go in its one category (StationDef.accessCategory), or best effort while the
 * BSS runs without WMM; the group-addressed frames the AP sends go best effort. The four add up
 * to the SSID's counters.
 */
import { growth } from './random.js';
import type { SimContext } from './SimContext.js';
import type { BssState, BssWatcher } from './wifi-access-point.js';
import { ACCESS_CATEGORIES, type AccessCategory, type StationDef, type StationRoster } from './wifi-stations.js';

/** The counters every level keeps, as plain integers (formatted by the schema's types later). */
export const COUNTER_NAMES = ['bytesTx', 'bytesRx', 'uniTx', 'uniRx', 'mcRx', 'bcRx', 'mcTx', 'bcTx', 'errTx', 'errRx', 'discTx', 'discRx', 'retrans', 'failedRetrans', 'retry', 'multiRetry'] as const;
export type Counters = Record<(typeof COUNTER_NAMES)[number], number>;

/** All counters at 0, as a literal: its 16 fields sit inside the object (no separate property store). */
export const zero = (): Counters => ({
  bytesTx: 0,
  bytesRx: 0,
  uniTx: 0,
  uniRx: 0,
  mcRx: 0,
  bcRx: 0,
  mcTx: 0,
  bcTx: 0,
  errTx: 0,
  errRx: 0,
  discTx: 0,
  discRx: 0,
  retrans: 0,
  failedRetrans: 0,
  retry: 0,
  multiRetry: 0,
});

/** Counters per access category. */
export type PerAccessCategory = Record<AccessCategory, Counters>;
const perAc = (): PerAccessCategory => ({ BE: zero(), BK: zero(), VI: zero(), VO: zero() });

function addTo(sum: Counters, c: Counters, sign = 1): void {
  for (const n of COUNTER_NAMES) sum[n] += sign * c[n];
}

// Mean frame sizes: bulk data frames are large, the other direction is mostly TCP ACKs.
const BULK_BYTES = 1200;
const ACK_BYTES = 180;
const MULTICAST_BYTES = 300;
const BROADCAST_BYTES = 90;

/**
 * A station's traffic from boot to `t` seconds as if it had been associated all along: every
 * counter is a non-decreasing function of `t`, so the difference over a session is a count.
 * A weaker signal means more retries (rate adaptation keeps them around a few percent).
 */
export function stationCumulative(seed: number, def: StationDef, t: number): Counters {
  const down = growth(seed, `${def.label}.down`, t, def.downBps);
  const up = growth(seed, `${def.label}.up`, t, def.upBps);
  const downBulk = def.downBps >= def.upBps;
  const txFrames = down / (downBulk ? BULK_BYTES : ACK_BYTES);
  const rxFrames = up / (downBulk ? ACK_BYTES : BULK_BYTES);
  const mcRx = Math.floor(growth(seed, `${def.label}.mc`, t, 0.2)); // mDNS, SSDP
  const bcRx = Math.floor(growth(seed, `${def.label}.bc`, t, 0.05)); // ARP, DHCP
  const retryShare = 0.03 + 0.12 * Math.min(1, Math.max(0, (-55 - def.signal) / 25));
  return {
    bytesTx: Math.floor(down),
    bytesRx: Math.floor(up) + mcRx * MULTICAST_BYTES + bcRx * BROADCAST_BYTES,
    uniTx: Math.floor(txFrames),
    uniRx: Math.floor(rxFrames),
    mcRx,
    bcRx,
    mcTx: 0,
    bcTx: 0,
    // Frames given up after the retry limit are the transmit errors.
    errTx: Math.floor(txFrames * retryShare * 0.004),
    errRx: Math.floor(rxFrames * (0.0005 + retryShare * 0.01)),
    discTx: Math.floor(txFrames * 0.0002),
    discRx: Math.floor(rxFrames * 0.0001),
    retrans: Math.floor(txFrames * retryShare),
    failedRetrans: Math.floor(txFrames * retryShare * 0.004),
    retry: Math.floor(txFrames * retryShare * 0.9),
    multiRetry: Math.floor(txFrames * retryShare * 0.3),
  };
}

/** Group-addressed frames the AP sends on one BSS from boot to `t` (mDNS relayed from the LAN, ARP). */
function groupCumulative(seed: number, label: string, t: number): Counters {
  const c = zero();
  c.mcTx = Math.floor(growth(seed, `${label}.mcTx`, t, 1.5));
  c.bcTx = Math.floor(growth(seed, `${label}.bcTx`, t, 0.4));
  c.bytesTx = c.mcTx * MULTICAST_BYTES + c.bcTx * BROADCAST_BYTES;
  return c;
}

/** `f(to) - f(from)`, or nothing when the interval is empty. */
function between(f: (t: number) => Counters, from: number, to: number): Counters {
  const out = zero();
  if (to <= from) return out;
  addTo(out, f(to));
  addTo(out, f(from), -1);
  return out;
}

export interface WiFiTraffic {
  /** Counters of the station session at AccessPoint `ap`, instance `n` (undefined if not associated). */
  station(ap: number, n: number): Counters | undefined;
  /** Counters of SSID `i` since boot. */
  ssid(i: number): Counters;
  /** Counters of SSID `i` since boot in each WMM access category (they add up to `ssid(i)`). */
  accessCategories(i: number): PerAccessCategory;
  /** Counters of Radio `r` since boot: every SSID it has carried. */
  radio(r: number): Counters;
}

/**
 * The accountant over the BSSes and the stations associated with them. Its running sums exist
 * only once something was added to them (a visit ended, a BSS changed): until then they are
 * zero, and a fleet's gateway that nobody reconfigured keeps none (issue 14).
 */
export function wifiTraffic(ctx: SimContext, bsses: readonly BssState[], roster: StationRoster): WiFiTraffic {
  const account = new WiFiTrafficAccount(ctx, bsses, roster);
  // Just before a BSS stops, restarts or moves, what its sessions carried becomes history.
  for (const b of bsses) b.onChange(account);
  return account;
}

const addSlot = <T>(slots: Array<T | undefined>, i: number, make: () => T): T => (slots[i] ??= make());

/** WiFiTraffic over state kept per gateway; its methods are shared by every gateway (prototype). */
class WiFiTrafficAccount implements WiFiTraffic, BssWatcher {
  /** Traffic of sessions that ended, per BSS and access category (unset: none yet). */
  private ended: Array<PerAccessCategory | undefined> | undefined;
  /** Group frames sent while the BSS served, up to its last change (unset: none yet). */
  private groupDone: Array<Counters | undefined> | undefined;
  /** Per visitor: the first slot not yet added to `ended` (unset: slot 0). */
  private visitorSlot: Map<string, number> | undefined;
  /**
   * The radio each SSID was on when last looked at, and its counters at its last change. Read
   * before the saved configuration is loaded, `onRadio` may name the factory radio of an SSID
   * configured elsewhere: the first look moves it, with nothing carried yet (atChange is zero).
   */
  private readonly onRadio: number[];
  private atChange: Array<Counters | undefined> | undefined;
  /** Per radio: what SSIDs carried on it before they moved to another radio. */
  private radioCarried: Map<number, Counters> | undefined;
  /** Per SSID: its counters when it came onto the radio it is on (unset: zero). */
  private radioOffset: Array<Counters | undefined> | undefined;

  constructor(
    private readonly ctx: SimContext,
    private readonly bsses: readonly BssState[],
    private readonly roster: StationRoster,
  ) {
    this.onRadio = bsses.map((b) => b.radio().index);
  }

  private secondsAt(ms: number): number {
    return Math.max(0, (ms - this.ctx.bootedAt) / 1000);
  }

  /** A station's counters over [from, to] seconds since boot. */
  private stationBetween(def: StationDef, from: number, to: number): Counters {
    const seed = this.ctx.seed;
    return between((t) => stationCumulative(seed, def, t), from, to);
  }

  /** The access category a station's frames take on BSS `i` now. */
  private acOf(i: number, def: StationDef): AccessCategory {
    return this.bsses[i].wmm() ? def.accessCategory : 'BE';
  }

  /** Adds every visit of the BSS's visitors that has ended by now (only while it serves: visits are clipped to service). */
  private settleVisits(i: number): void {
    const { ctx, roster } = this;
    if (!this.bsses[i].serving()) return;
    const now = ctx.now();
    const current = Math.floor(ctx.elapsed() / roster.slotSeconds);
    for (const d of roster.devices) {
      if (d.def.ap !== i + 1 || !d.def.visitor) continue;
      let slot = this.visitorSlot?.get(d.def.label) ?? 0;
      for (; slot <= current; slot++) {
        const v = roster.visitInSlot(d, slot);
        if (v && v.to > now) break; // in progress or still to come: a session, not history
        if (v) addTo(addSlot((this.ended ??= []), i, perAc)[this.acOf(i, d.def)], this.stationBetween(d.def, this.secondsAt(v.from), this.secondsAt(v.to)));
      }
      if (slot !== 0) (this.visitorSlot ??= new Map<string, number>()).set(d.def.label, slot);
    }
  }

  private sessionsOf(i: number): PerAccessCategory {
    const sum = perAc();
    const now = this.secondsAt(this.ctx.now());
    for (const s of this.roster.sessions(i + 1).values()) addTo(sum[this.acOf(i, s.station)], this.stationBetween(s.station, this.secondsAt(s.since), now));
    return sum;
  }

  private groupOf(i: number): Counters {
    const b = this.bsses[i];
    if (!b.serving()) return zero();
    const seed = this.ctx.seed;
    return between((t) => groupCumulative(seed, `bss.${i + 1}`, t), this.secondsAt(b.changedAt()), this.secondsAt(this.ctx.now()));
  }

  private byAc(i: number): PerAccessCategory {
    this.settleVisits(i);
    const sum = perAc();
    const sessions = this.sessionsOf(i);
    const ended = this.ended?.[i];
    for (const ac of ACCESS_CATEGORIES) {
      if (ended) addTo(sum[ac], ended[ac]);
      addTo(sum[ac], sessions[ac]);
    }
    const done = this.groupDone?.[i];
    if (done) addTo(sum.BE, done);
    addTo(sum.BE, this.groupOf(i));
    return sum;
  }

  private ssidOf(i: number): Counters {
    const sum = zero();
    const parts = this.byAc(i);
    for (const ac of ACCESS_CATEGORIES) addTo(sum, parts[ac]);
    return sum;
  }

  /**
   * Called just before BSS `i` stops, restarts or moves. Its sessions begin again after the
   * change (BssState.changedAt moves), so nothing is counted twice.
   */
  bssChanging(i: number): void {
    this.followRadio(i); // a move before this one is settled first
    (this.atChange ??= [])[i] = this.ssidOf(i);
    const sessions = this.sessionsOf(i);
    const ended = addSlot((this.ended ??= []), i, perAc);
    for (const ac of ACCESS_CATEGORIES) addTo(ended[ac], sessions[ac]);
    addTo(addSlot((this.groupDone ??= []), i, zero), this.groupOf(i));
  }

  /**
   * Moves an SSID's share from the radio it left to the one it is on now. It moved at a
   * change (LowerLayers), so its counters at that change are what it carried on the old radio.
   */
  private followRadio(i: number): void {
    const r = this.bsses[i].radio().index;
    if (r === this.onRadio[i]) return;
    const carried = (this.radioCarried ??= new Map<number, Counters>()).get(this.onRadio[i]) ?? zero();
    const atChange = this.atChange?.[i];
    const offset = this.radioOffset?.[i];
    if (atChange) addTo(carried, atChange);
    if (offset) addTo(carried, offset, -1);
    this.radioCarried.set(this.onRadio[i], carried);
    (this.radioOffset ??= [])[i] = atChange ? { ...atChange } : undefined;
    this.onRadio[i] = r;
  }

  station(ap: number, n: number): Counters | undefined {
    const s = this.roster.sessions(ap).get(n);
    return s && this.stationBetween(s.station, this.secondsAt(s.since), this.secondsAt(this.ctx.now()));
  }

  ssid(i: number): Counters {
    return this.ssidOf(i - 1);
  }

  accessCategories(i: number): PerAccessCategory {
    return this.byAc(i - 1);
  }

  radio(r: number): Counters {
    const sum = zero();
    this.bsses.forEach((_, i) => {
      this.followRadio(i);
      if (this.onRadio[i] !== r) return;
      addTo(sum, this.ssidOf(i));
      const offset = this.radioOffset?.[i];
      if (offset) addTo(sum, offset, -1);
    });
    const carried = this.radioCarried?.get(r);
    if (carried) addTo(sum, carried);
    return sum;
  }
}
