/**
 * Device.WiFi.Radio.{i}.Stats., SSID.{i}.Stats. and AccessPoint.{i}.AssociatedDevice.{i}.Stats.
 * of the simulated gateway (TR-181 WiFiRadio:1, WiFiSSID:1, WiFiAccessPoint:1). The counts come
 * from wifi-traffic.ts, where they add up: an SSID counts what its stations did (and the
 * group-addressed frames it sent), a radio what its SSIDs did.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { clampInt, wave } from './random.js';
import type { SimContext } from './SimContext.js';
import type { BssState } from './wifi-access-point.js';
import type { RadioState } from './wifi-radio.js';
import { schemaTypes } from './schema-tables.js';
import { STATS_PARAMS } from './traffic.js';
import type { StationRoster } from './wifi-stations.js';
import { type Counters, type WiFiTraffic, wifiTraffic, zero } from './wifi-traffic.js';

const STATION_STATS = 'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.Stats.';
const SSID_STATS = 'Device.WiFi.SSID.{i}.Stats.';
const RADIO_STATS = 'Device.WiFi.Radio.{i}.Stats.';

/** SSID.{i}.Stats. as served: the interface counters every simulated Stats object serves, then the Wi-Fi ones; one list for every gateway of a fleet (issue 14). */
const SSID_STATS_PARAMS = [...STATS_PARAMS, 'RetransCount', 'FailedRetransCount', 'RetryCount', 'MultipleRetryCount'];

/** The interface counters every level serves (TR-181 names). */
function interfaceCounters(c: Counters): Record<string, number> {
  return {
    BytesSent: c.bytesTx,
    BytesReceived: c.bytesRx,
    PacketsSent: c.uniTx + c.mcTx + c.bcTx,
    PacketsReceived: c.uniRx + c.mcRx + c.bcRx,
    ErrorsSent: c.errTx,
    ErrorsReceived: c.errRx,
  };
}

/** 802.11 retry counters (AssociatedDevice and SSID). */
function retryCounters(c: Counters): Record<string, number> {
  return { RetransCount: c.retrans, FailedRetransCount: c.failedRetrans, RetryCount: c.retry, MultipleRetryCount: c.multiRetry };
}

/** Formats counters by the schema's types: StatsCounter64 as a decimal string, 32-bit ones wrapping. */
function typed(types: ReadonlyMap<string, string>, supportedPath: string, raw: Record<string, number>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [name, v] of Object.entries(raw)) {
    const type = types.get(name);
    if (type === undefined) throw new Error(`${supportedPath}${name} is not in the TR-181 schema`);
    out[name] = type === 'unsignedLong' ? String(v) : type === 'unsignedInt' ? v % 0x1_0000_0000 : v;
  }
  return out;
}

const STATION_STATS_PARAMS = ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived', 'ErrorsSent', 'ErrorsReceived', 'RetransCount', 'FailedRetransCount', 'RetryCount', 'MultipleRetryCount'];
const RADIO_STATS_PARAMS = [
  'BytesSent',
  'BytesReceived',
  'PacketsSent',
  'PacketsReceived',
  'ErrorsSent',
  'ErrorsReceived',
  'DiscardPacketsSent',
  'DiscardPacketsReceived',
  'Noise',
  'TotalChannelChangeCount',
  'ManualChannelChangeCount',
];

/** Registers the three Stats objects over one traffic accountant; returns it (AccessPoint.{i}.AC.{i}.Stats counts from it too). */
export function registerWiFiStats(ctx: SimContext, radios: readonly RadioState[], bsses: readonly BssState[], roster: StationRoster): WiFiTraffic {
  const { model } = ctx;
  const traffic = wifiTraffic(ctx, bsses, roster);
  // The schema's types are one table per fleet (schemaTypes); the bindings only point at them.
  model.register(STATION_STATS, new StationStatsBinding(traffic, schemaTypes(model, STATION_STATS)));
  model.register(SSID_STATS, new SsidStatsBinding(traffic, bsses, schemaTypes(model, SSID_STATS)));
  model.register(RADIO_STATS, new RadioStatsBinding(ctx, traffic, radios, schemaTypes(model, RADIO_STATS)));
  return traffic;
}

/** AssociatedDevice.{i}.Stats. of one gateway; its methods are shared by every gateway (prototype). */
class StationStatsBinding implements ObjectBinding {
  readonly params = STATION_STATS_PARAMS;

  constructor(
    private readonly traffic: WiFiTraffic,
    private readonly types: ReadonlyMap<string, string>,
  ) {}

  get([ap, n]: InstanceKeys): Record<string, Value> {
    const c = this.traffic.station(ap, n);
    if (!c) throw new UspError(ErrorCode.ObjectDoesNotExist, `station ${n} is no longer associated`);
    return typed(this.types, STATION_STATS, { ...interfaceCounters(c), ...retryCounters(c) });
  }
}

/** SSID.{i}.Stats. of one gateway; its methods are shared by every gateway (prototype). */
class SsidStatsBinding implements ObjectBinding {
  readonly params = SSID_STATS_PARAMS;

  constructor(
    private readonly traffic: WiFiTraffic,
    private readonly bsses: readonly BssState[],
    private readonly types: ReadonlyMap<string, string>,
  ) {}

  get([i]: InstanceKeys): Record<string, Value> {
    // An SSID a Controller added: no simulated device knows it, so nothing has crossed it.
    const c = i !== undefined && this.bsses[i - 1] ? this.traffic.ssid(i) : zero();
    return typed(this.types, SSID_STATS, {
      ...interfaceCounters(c),
      DiscardPacketsSent: c.discTx,
      DiscardPacketsReceived: c.discRx,
      UnicastPacketsSent: c.uniTx,
      UnicastPacketsReceived: c.uniRx,
      MulticastPacketsSent: c.mcTx,
      MulticastPacketsReceived: c.mcRx,
      BroadcastPacketsSent: c.bcTx,
      BroadcastPacketsReceived: c.bcRx,
      // Frames for protocols nobody on the bridge speaks: a sliver of the group-addressed ones.
      UnknownProtoPacketsReceived: Math.floor(c.mcRx / 40),
      ...retryCounters(c),
    });
  }
}

/** Radio.{i}.Stats. of one gateway; its methods are shared by every gateway (prototype). */
class RadioStatsBinding implements ObjectBinding {
  readonly params = RADIO_STATS_PARAMS;

  constructor(
    private readonly ctx: SimContext,
    private readonly traffic: WiFiTraffic,
    private readonly radios: readonly RadioState[],
    private readonly types: ReadonlyMap<string, string>,
  ) {}

  get([r]: InstanceKeys): Record<string, Value> {
    const { ctx } = this;
    const state = this.radios[(r ?? 0) - 1];
    if (!state) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such radio: ${r}`);
    const c = this.traffic.radio(state.index);
    const noise = clampInt(state.def.noiseFloor + 2 * wave(ctx.seed, `radio.${state.index}.noise`, ctx.elapsed(), [29, 700]), -110, -60);
    return {
      ...typed(this.types, RADIO_STATS, {
        ...interfaceCounters(c),
        DiscardPacketsSent: c.discTx,
        DiscardPacketsReceived: c.discRx,
        TotalChannelChangeCount: state.channelChanges.manual + state.channelChanges.auto,
        ManualChannelChangeCount: state.channelChanges.manual,
      }),
      Noise: noise,
    };
  }
}
