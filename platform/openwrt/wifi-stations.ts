/**
 * Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.(Stats.) on OpenWrt (TR-181
 * WiFiAccessPoint:1), from one `ubus call iwinfo assoclist {"device":<ifname>}` per up BSS.
 * Stations are keyed by MAC address inside their AccessPoint: a station that leaves and comes
 * back is the same instance again, and its number is never given to another station.
 *
 * hostapd's association events (`ubus subscribe hostapd.<ifname>`, see events.ts) arrive here
 * as `onEvent` and become ObjectCreation/ObjectDeletion at once, without polling. Listings
 * reconcile with what the events said, so a missed event is still reported, once.
 */
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { Value } from '../../datamodel/value/Value.js';
import { dateTime, mac, noSuchInstance, u32, u64 } from './convert.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { IwinfoAssoclist, IwinfoStation } from './ubus-types.js';
import type { IfaceEntry, WiFiState } from './WiFiState.js';

/**
 * A station silent for longer than hostapd's default ap_max_inactivity (300 s) is about to be
 * polled and dropped; until then it counts as Active.
 */
const ACTIVE_WITHIN_MS = 300_000;

export type StationEvent = 'assoc' | 'disassoc';

export interface StationTracker {
  /** A hostapd notification for a station on `ifname`. */
  onEvent(ifname: string, event: StationEvent, address: string): Promise<void>;
}

/** Serves the AssociatedDevice table and its Stats; returns the event sink for hostapd. */
export function registerWiFiStations(ctx: OpenWrtContext, state: WiFiState): StationTracker {
  const { model } = ctx;
  const numbering = new Map<number, InstanceMap>();
  const mapOf = (ap: number): InstanceMap => {
    let m = numbering.get(ap);
    if (!m) numbering.set(ap, (m = new InstanceMap()));
    return m;
  };
  /** Stations each AccessPoint is known to have, and whether a listing established that. */
  const present = new Map<number, Set<string>>();
  const listed = new Set<number>();

  const stations = async (f: IfaceEntry): Promise<IwinfoStation[]> => {
    if (!f.radio.up || !f.ifname) return [];
    return (await ctx.ubus<IwinfoAssoclist>('iwinfo', 'assoclist', { device: f.ifname })).results ?? [];
  };
  const station = async (ap: number, n: number): Promise<{ s: IwinfoStation; f: IfaceEntry }> => {
    const f = await state.ap(ap);
    const key = mapOf(ap).keyOf(n);
    const s = (await stations(f)).find((x) => mac(x.mac) === key);
    if (!s) throw noSuchInstance('associated device', n); // it left between list and get
    return { s, f };
  };

  let node: ModelNode;
  const emit = (kind: 'created' | 'deleted', ap: number, address: string): void => ctx.emitRow(node, kind, [ap, mapOf(ap).numberOf(address)]);

  /** Takes a fresh listing as the truth, reporting what the events missed (never at first sight). */
  const reconcile = (ap: number, macs: string[]): void => {
    const before = present.get(ap);
    present.set(ap, new Set(macs));
    if (!listed.has(ap) || !before) {
      listed.add(ap);
      return;
    }
    for (const m of macs) if (!before.has(m)) emit('created', ap, m);
    for (const m of before) if (!macs.includes(m)) emit('deleted', ap, m);
  };

  node = model.register('Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.', {
    params: ['MACAddress', 'OperatingStandard', 'AuthenticationState', 'LastDataDownlinkRate', 'LastDataUplinkRate', 'AssociationTime', 'SignalStrength', 'Noise', 'SNR', 'Retransmissions', 'Active'],
    list: async ([ap]) => {
      const macs = (await stations(await state.ap(ap))).map((s) => mac(s.mac));
      reconcile(ap, macs);
      return mapOf(ap).list(macs);
    },
    get: async ([ap, n]) => {
      const { s, f } = await station(ap, n);
      return stationValues(s, ctx.now(), String(f.radio.config.band ?? ''));
    },
  });

  model.register('Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.Stats.', {
    params: ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived', 'RetransCount', 'FailedRetransCount'],
    get: async ([ap, n]) => {
      const { s } = await station(ap, n);
      // The AP's viewpoint: tx is what it sent to the station.
      return {
        BytesSent: u64(s.tx?.bytes),
        BytesReceived: u64(s.rx?.bytes),
        PacketsSent: u64(s.tx?.packets),
        PacketsReceived: u64(s.rx?.packets),
        RetransCount: u32(s.tx?.retries),
        FailedRetransCount: u32(s.tx?.failed),
      };
    },
  });

  return {
    onEvent: async (ifname, event, address) => {
      const found = await state.apOfIfname(ifname);
      if (!found) return;
      ctx.forget('iwinfo', 'assoclist');
      const m = mac(address);
      let set = present.get(found.n);
      if (!set) present.set(found.n, (set = new Set()));
      if (event === 'assoc' && !set.has(m)) {
        set.add(m);
        emit('created', found.n, m);
      } else if (event === 'disassoc' && set.has(m)) {
        set.delete(m);
        emit('deleted', found.n, m);
      }
    },
  };
}

/** One station as TR-181 sees it; rates are kbit/s on both sides. */
export function stationValues(s: IwinfoStation, now: number, uciBand: string): Record<string, Value> {
  const v: Record<string, Value> = {
    MACAddress: mac(s.mac),
    OperatingStandard: operatingStandard(s, uciBand),
    AuthenticationState: s.authorized === true,
    Active: (s.inactive ?? 0) < ACTIVE_WITHIN_MS,
  };
  if (s.signal !== undefined) v.SignalStrength = dbm(s.signal);
  if (s.noise !== undefined) v.Noise = dbm(s.noise);
  if (s.signal !== undefined && s.noise !== undefined) v.SNR = Math.max(0, Math.round(s.signal - s.noise));
  // TR-181 rates start at 1000 kbps (the slowest 802.11 rate); 0 means "not measured yet".
  if ((s.tx?.rate ?? 0) >= 1000) v.LastDataDownlinkRate = Math.round(s.tx!.rate!);
  if ((s.rx?.rate ?? 0) >= 1000) v.LastDataUplinkRate = Math.round(s.rx!.rate!);
  if (s.connected_time !== undefined) v.AssociationTime = dateTime(now - s.connected_time * 1000);
  // TR-181 counts retransmitted packets among the last 100; iwinfo only has totals since
  // association, so this is the long-run share, in percent.
  const packets = s.tx?.packets ?? 0;
  v.Retransmissions = packets > 0 ? Math.min(100, Math.round((100 * (s.tx?.retries ?? 0)) / packets)) : 0;
  return v;
}

/** The newest PHY generation the station uses in either direction. */
function operatingStandard(s: IwinfoStation, uciBand: string): string {
  const any = (k: 'eht' | 'he' | 'vht' | 'ht'): boolean => s.rx?.[k] === true || s.tx?.[k] === true;
  if (any('eht')) return 'be';
  if (any('he')) return 'ax';
  if (any('vht')) return 'ac';
  if (any('ht')) return 'n';
  return uciBand === '2g' ? 'g' : 'a';
}

function dbm(n: number): number {
  return Math.max(-200, Math.min(0, Math.round(n)));
}
