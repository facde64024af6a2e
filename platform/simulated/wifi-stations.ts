/**
 * Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}. of the simulated gateway (TR-181
 * WiFiAccessPoint:1): a few resident stations that stay associated, and visitors that come and
 * go. Who is associated is a pure function of the seed and the clock: time is cut into slots,
 * and a visitor's presence and stay inside each slot are seeded draws. A visitor's session in
 * slot k has instance number VISITOR_BASE + k, so numbers only grow and are never reused, and a
 * resident keeps its number for as long as the AccessPoint serves.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { Value } from '../../datamodel/value/Value.js';
import { clampInt, Prng, unit, wave } from './random.js';
import { dateTime, formatMac, type SimContext } from './SimContext.js';
import type { BssState } from './wifi-access-point.js';

interface StationDef {
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
}

const STATIONS: readonly StationDef[] = [
  { ap: 1, label: 'smart-plug', visitor: false, standard: 'n', maxBandwidth: '20MHz', maxDownKbps: 72_200, maxUpKbps: 72_200, signal: -67 },
  { ap: 1, label: 'printer', visitor: false, standard: 'n', maxBandwidth: '20MHz', maxDownKbps: 144_400, maxUpKbps: 144_400, signal: -59 },
  { ap: 2, label: 'laptop', visitor: false, standard: 'ax', maxBandwidth: '80MHz', maxDownKbps: 1_201_000, maxUpKbps: 1_201_000, signal: -54 },
  { ap: 2, label: 'tv', visitor: false, standard: 'ac', maxBandwidth: '80MHz', maxDownKbps: 866_700, maxUpKbps: 433_300, signal: -61 },
  { ap: 2, label: 'visitor-phone', visitor: true, standard: 'ax', maxBandwidth: '80MHz', maxDownKbps: 1_201_000, maxUpKbps: 1_201_000, signal: -58 },
  { ap: 3, label: 'phone', visitor: false, standard: 'ax', maxBandwidth: '160MHz', maxDownKbps: 2_401_900, maxUpKbps: 2_401_900, signal: -56 },
  { ap: 4, label: 'guest-tablet', visitor: true, standard: 'ax', maxBandwidth: '40MHz', maxDownKbps: 573_500, maxUpKbps: 573_500, signal: -63 },
];

/** Visitor schedule: one possible visit per slot, arriving and leaving inside the slot. */
const SLOT_S = 600;
const VISIT_PROBABILITY = 0.55;
/** Instance numbers below this are residents' (1, 2, ... per AccessPoint). */
const VISITOR_BASE = 100;
/** How often the churn timer looks for stations that came or went, to notify subscribers. */
const CHURN_POLL_MS = 15_000;

interface Session { station: StationDef; mac: string; since: number }

export interface StationRoster {
  /** Associated stations of AccessPoint `ap` now, by instance number, ascending. */
  sessions(ap: number): Map<number, Session>;
  /** Emits created/deleted changes for stations that came or went since the last call. */
  poll(): void;
  stop(): void;
}

/** Serves Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}. and starts the (unref'd) churn timer. */
export function registerWiFiStations(ctx: SimContext, bsses: readonly BssState[]): StationRoster {
  const { model, seed } = ctx;
  const rnd = new Prng(seed, 'wifi-stations');
  const stations = STATIONS.map((def) => ({
    def,
    // Randomised, locally administered MAC, as modern phones and laptops use per network.
    // (Arithmetic, not bitwise: JS bit operators would truncate a 48-bit number to 32 bits.)
    mac: formatMac(((rnd.int(0, 255) & 0xfc) | 0x02) * 2 ** 40 + rnd.int(0, 0xffff) * 2 ** 24 + rnd.int(0, 0xffffff)),
    // Residents reconnect a little after the radios come up.
    joinDelayS: rnd.int(12, 40),
  }));

  const sessions = (ap: number): Map<number, Session> => {
    const out = new Map<number, Session>();
    if (!bsses[ap - 1]?.serving()) return out;
    const t = ctx.elapsed();
    let resident = 0;
    for (const s of stations) {
      if (s.def.ap !== ap) continue;
      if (!s.def.visitor) {
        resident++;
        if (t >= s.joinDelayS) out.set(resident, { station: s.def, mac: s.mac, since: ctx.bootedAt + s.joinDelayS * 1000 });
        continue;
      }
      const slot = Math.floor(t / SLOT_S);
      if (unit(seed, s.def.label, 'visit', slot) >= VISIT_PROBABILITY) continue;
      const arrive = slot * SLOT_S + 30 + 200 * unit(seed, s.def.label, 'arrive', slot);
      const leave = arrive + 60 + 300 * unit(seed, s.def.label, 'stay', slot);
      if (t >= arrive && t < leave) out.set(VISITOR_BASE + slot, { station: s.def, mac: s.mac, since: ctx.bootedAt + arrive * 1000 });
    }
    return out;
  };

  const node = model.register('Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.', {
    params: ['MACAddress', 'OperatingStandard', 'AuthenticationState', 'LastDataDownlinkRate', 'MaxSupportedDataDownlinkRate',
      'LastDataUplinkRate', 'MaxSupportedDataUplinkRate', 'AssociationTime', 'SignalStrength', 'Noise', 'SNR',
      'Retransmissions', 'Active', 'MaxSupportedBandwidth'],
    list: ([ap]) => [...sessions(ap).keys()].sort((a, b) => a - b),
    get: ([ap, n]) => {
      const session = sessions(ap).get(n);
      // The station may have left between list and get.
      if (!session) throw new UspError(ErrorCode.ObjectDoesNotExist, `station ${n} is no longer associated`);
      return stationValues(ctx, session, bsses[ap - 1].radio().def.noiseFloor);
    },
  });

  // The churn timer only turns the clock-driven roster into ObjectCreation/ObjectDeletion.
  let known = new Map<string, InstanceKeys>();
  const poll = (): void => {
    const now = new Map<string, InstanceKeys>();
    for (let ap = 1; ap <= bsses.length; ap++) {
      for (const n of sessions(ap).keys()) now.set(`${ap}.${n}`, [ap, n]);
    }
    for (const [id, keys] of known) if (!now.has(id)) emit(ctx, node, 'deleted', keys);
    for (const [id, keys] of now) if (!known.has(id)) emit(ctx, node, 'created', keys);
    known = now;
  };
  poll(); // the starting roster is not news
  const timer = setInterval(poll, CHURN_POLL_MS);
  timer.unref();
  return { sessions, poll, stop: () => clearInterval(timer) };
}

function emit(ctx: SimContext, node: ModelNode, kind: 'created' | 'deleted', keys: InstanceKeys): void {
  ctx.model.changes.emit({ kind, inst: { node, keys }, path: node.pathOf(keys) });
}

/** One station's link, moving smoothly with time around where the device sits. */
function stationValues(ctx: SimContext, s: Session, noiseFloor: number): Record<string, Value> {
  const { seed } = ctx;
  const t = ctx.elapsed();
  const def = s.station;
  const signal = clampInt(def.signal + 5 * wave(seed, `${def.label}.rssi`, t, [11, 170, 2400]), -95, -20);
  const noise = clampInt(noiseFloor + 1.5 * wave(seed, `${def.label}.noise`, t, [37, 900]), -110, -60);
  const snr = Math.max(0, signal - noise);
  // Rate adaptation: full PHY rate from ~40 dB SNR, falling to the lowest MCS near 5 dB.
  const share = Math.min(1, Math.max(0.02, (snr - 5) / 35));
  const rate = (max: number, label: string): number =>
    Math.max(1000, Math.round((max * share * (0.85 + 0.15 * wave(seed, `${def.label}.${label}`, t, [5, 60]))) / 100) * 100);
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
