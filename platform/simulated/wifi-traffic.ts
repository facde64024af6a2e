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
import type { BssState } from './wifi-access-point.js';
import { ACCESS_CATEGORIES, type AccessCategory, type StationDef, type StationRoster } from './wifi-stations.js';

/** The counters every level keeps, as plain integers (formatted by the schema's types later). */
export const COUNTER_NAMES = ['bytesTx', 'bytesRx', 'uniTx', 'uniRx', 'mcRx', 'bcRx', 'mcTx', 'bcTx', 'errTx', 'errRx', 'discTx', 'discRx', 'retrans', 'failedRetrans', 'retry', 'multiRetry'] as const;
export type Counters = Record<(typeof COUNTER_NAMES)[number], number>;

export const zero = (): Counters => Object.fromEntries(COUNTER_NAMES.map((n) => [n, 0])) as Counters;

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

/** The accountant over the BSSes and the stations associated with them. */
export function wifiTraffic(ctx: SimContext, bsses: readonly BssState[], roster: StationRoster): WiFiTraffic {
  const { seed } = ctx;
  const secondsAt = (ms: number): number => Math.max(0, (ms - ctx.bootedAt) / 1000);
  const stationF = (def: StationDef) => (t: number) => stationCumulative(seed, def, t);
  /** Traffic of sessions that ended, per BSS and access category. */
  const ended = bsses.map(() => perAc());
  /** The access category a station's frames take on BSS `i` now. */
  const acOf = (i: number, def: StationDef): AccessCategory => (bsses[i].wmm() ? def.accessCategory : 'BE');
  /** Group frames sent while the BSS served, up to its last change. */
  const groupDone = bsses.map(() => zero());
  /** Per visitor: the first slot not yet added to `ended`. */
  const visitorSlot = new Map<string, number>();
  /**
   * The radio each SSID was on when last looked at, and its counters at its last change. Read
   * before the saved configuration is loaded, `onRadio` may name the factory radio of an SSID
   * configured elsewhere: the first look moves it, with nothing carried yet (atChange is zero).
   */
  const onRadio = bsses.map((b) => b.radio().index);
  const atChange = bsses.map(() => zero());
  /** Per radio: what SSIDs carried on it before they moved to another radio. */
  const radioCarried = new Map<number, Counters>();
  /** Per SSID: its counters when it came onto the radio it is on. */
  const radioOffset = bsses.map(() => zero());

  /** Adds every visit of the BSS's visitors that has ended by now (only while it serves: visits are clipped to service). */
  const settleVisits = (i: number): void => {
    if (!bsses[i].serving()) return;
    const now = ctx.now();
    const current = Math.floor(ctx.elapsed() / roster.slotSeconds);
    for (const d of roster.devices) {
      if (d.def.ap !== i + 1 || !d.def.visitor) continue;
      let slot = visitorSlot.get(d.def.label) ?? 0;
      for (; slot <= current; slot++) {
        const v = roster.visitInSlot(d, slot);
        if (v && v.to > now) break; // in progress or still to come: a session, not history
        if (v) addTo(ended[i][acOf(i, d.def)], between(stationF(d.def), secondsAt(v.from), secondsAt(v.to)));
      }
      visitorSlot.set(d.def.label, slot);
    }
  };

  const sessionsOf = (i: number): PerAccessCategory => {
    const sum = perAc();
    const now = secondsAt(ctx.now());
    for (const s of roster.sessions(i + 1).values()) addTo(sum[acOf(i, s.station)], between(stationF(s.station), secondsAt(s.since), now));
    return sum;
  };
  const groupOf = (i: number): Counters => {
    const b = bsses[i];
    if (!b.serving()) return zero();
    return between((t) => groupCumulative(seed, `bss.${i + 1}`, t), secondsAt(b.changedAt()), secondsAt(ctx.now()));
  };

  const byAc = (i: number): PerAccessCategory => {
    settleVisits(i);
    const sum = perAc();
    const sessions = sessionsOf(i);
    for (const ac of ACCESS_CATEGORIES) {
      addTo(sum[ac], ended[i][ac]);
      addTo(sum[ac], sessions[ac]);
    }
    addTo(sum.BE, groupDone[i]);
    addTo(sum.BE, groupOf(i));
    return sum;
  };
  const ssid = (i: number): Counters => {
    const sum = zero();
    const parts = byAc(i);
    for (const ac of ACCESS_CATEGORIES) addTo(sum, parts[ac]);
    return sum;
  };

  bsses.forEach((b, i) =>
    b.onChange(() => {
      // Just before the BSS stops, restarts or moves: what its sessions carried becomes history.
      // Its sessions begin again after the change (BssState.changedAt moves), so nothing is counted twice.
      followRadio(i); // a move before this one is settled first
      atChange[i] = ssid(i);
      const sessions = sessionsOf(i);
      for (const ac of ACCESS_CATEGORIES) addTo(ended[i][ac], sessions[ac]);
      addTo(groupDone[i], groupOf(i));
    }),
  );

  /**
   * Moves an SSID's share from the radio it left to the one it is on now. It moved at a
   * change (LowerLayers), so its counters at that change are what it carried on the old radio.
   */
  const followRadio = (i: number): void => {
    const r = bsses[i].radio().index;
    if (r === onRadio[i]) return;
    const carried = radioCarried.get(onRadio[i]) ?? zero();
    addTo(carried, atChange[i]);
    addTo(carried, radioOffset[i], -1);
    radioCarried.set(onRadio[i], carried);
    radioOffset[i] = { ...atChange[i] };
    onRadio[i] = r;
  };

  return {
    station: (ap, n) => {
      const s = roster.sessions(ap).get(n);
      return s && between(stationF(s.station), secondsAt(s.since), secondsAt(ctx.now()));
    },
    ssid: (i) => ssid(i - 1),
    accessCategories: (i) => byAc(i - 1),
    radio: (r) => {
      const sum = zero();
      bsses.forEach((_, i) => {
        followRadio(i);
        if (onRadio[i] !== r) return;
        addTo(sum, ssid(i));
        addTo(sum, radioOffset[i], -1);
      });
      const carried = radioCarried.get(r);
      if (carried) addTo(sum, carried);
      return sum;
    },
  };
}
