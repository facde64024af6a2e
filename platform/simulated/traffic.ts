/**
 * Interface statistics (the TR-181 `.Stats.` objects of Ethernet, Cellular, ...): counters
 * that grow with the time an interface has been up, computed in closed form at read time.
 * Every counter is its own increasing function of time and the totals are sums of them, so
 * PacketsSent = Unicast + Multicast + Broadcast holds and no counter ever goes backwards.
 */
import type { SchemaParam } from '../../datamodel/schema/types.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import { growth } from './random.js';

/** Average traffic of one interface, in its own Sent/Received direction. */
export interface TrafficProfile {
  /** Label of the seeded random streams, unique per interface ("eth.1", "cell.1"). */
  label: string;
  /** Average bytes per second sent / received; 0 for an interface without a link. */
  sentRate: number;
  receivedRate: number;
}

// Mean frame sizes: bulk downloads are large frames, uploads are mostly TCP ACKs.
const MEAN_BYTES = { big: 1200, small: 180, multicast: 300, broadcast: 90 } as const;

/** The counter names served for a Stats object: all of the schema's that we simulate. */
export const STATS_PARAMS = [
  'BytesSent',
  'BytesReceived',
  'PacketsSent',
  'PacketsReceived',
  'ErrorsSent',
  'ErrorsReceived',
  'DiscardPacketsSent',
  'DiscardPacketsReceived',
  'UnicastPacketsSent',
  'UnicastPacketsReceived',
  'MulticastPacketsSent',
  'MulticastPacketsReceived',
  'BroadcastPacketsSent',
  'BroadcastPacketsReceived',
  'UnknownProtoPacketsReceived',
] as const;

/**
 * Returns a reader of the Stats object at `supportedPath`: the schema decides whether each
 * counter is a StatsCounter32 (number, wrapping at 2^32) or StatsCounter64 (decimal string),
 * which differs between Ethernet and Cellular.
 */
export function statsReader(model: DataModel, supportedPath: string, seed: number): (p: TrafficProfile, upSeconds: number) => Record<string, Value> {
  const types = statsTypesAt(model, supportedPath);
  return (p, t) => readStats(types, seed, p, t);
}

/** The counter types of the Stats object at `supportedPath` (shared by every gateway of a fleet). */
export function statsTypesAt(model: DataModel, supportedPath: string): StatsTypes {
  return statsTypes(model.requireNode(supportedPath).def.params, supportedPath);
}

/**
 * The counters of an interface with traffic `p` after `t` seconds up, typed by `types`
 * (statsTypesAt). A plain function, so a binding that keeps `types` and its seed needs no
 * reader closure of its own (issue 14).
 */
export function readStats(types: StatsTypes, seed: number, p: TrafficProfile, t: number): Record<string, Value> {
  const g = (name: string, rate: number): number => Math.floor(growth(seed, `${p.label}.${name}`, t, rate));
  // Unicast bytes and packets share one time profile (bytes / mean frame size = packets).
  const txTime = growth(seed, `${p.label}.uniTx`, t, 1);
  const rxTime = growth(seed, `${p.label}.uniRx`, t, 1);
  const down = p.receivedRate > p.sentRate; // which direction carries the bulk
  const txMean = down ? MEAN_BYTES.small : MEAN_BYTES.big;
  const rxMean = down ? MEAN_BYTES.big : MEAN_BYTES.small;
  const uniTx = Math.floor((txTime * p.sentRate) / txMean);
  const uniRx = Math.floor((rxTime * p.receivedRate) / rxMean);
  // Multicast (mDNS, SSDP) and broadcast (ARP, DHCP) trickle at a few packets per second.
  const active = p.sentRate + p.receivedRate > 0 ? 1 : 0;
  const mcTx = g('mcTx', 0.8 * active);
  const mcRx = g('mcRx', 2.5 * active);
  const bcTx = g('bcTx', 0.2 * active);
  const bcRx = g('bcRx', 0.6 * active);
  const raw: Record<(typeof STATS_PARAMS)[number], number> = {
    BytesSent: Math.floor(txTime * p.sentRate) + mcTx * MEAN_BYTES.multicast + bcTx * MEAN_BYTES.broadcast,
    BytesReceived: Math.floor(rxTime * p.receivedRate) + mcRx * MEAN_BYTES.multicast + bcRx * MEAN_BYTES.broadcast,
    PacketsSent: uniTx + mcTx + bcTx,
    PacketsReceived: uniRx + mcRx + bcRx,
    // A healthy link: errors and discards are rare, a few per hour of traffic.
    ErrorsSent: 0,
    ErrorsReceived: g('errRx', 0.0005 * active),
    DiscardPacketsSent: g('discTx', 0.001 * active),
    DiscardPacketsReceived: g('discRx', 0.002 * active),
    UnicastPacketsSent: uniTx,
    UnicastPacketsReceived: uniRx,
    MulticastPacketsSent: mcTx,
    MulticastPacketsReceived: mcRx,
    BroadcastPacketsSent: bcTx,
    BroadcastPacketsReceived: bcRx,
    UnknownProtoPacketsReceived: g('unknown', 0.01 * active),
  };
  const out: Record<string, Value> = {};
  for (const [name, type] of types) {
    const v = raw[name];
    out[name] = type === 'unsignedLong' ? String(v) : v % 0x1_0000_0000;
  }
  return out;
}

/** Counter name → schema type, per schema object: made once and shared by every gateway of a fleet (one schema). */
const typesBySchema = new WeakMap<readonly SchemaParam[], StatsTypes>();

/** Counter name → schema type of one Stats object. */
export type StatsTypes = ReadonlyMap<(typeof STATS_PARAMS)[number], string>;

/** The schema types of the STATS_PARAMS of the object whose parameters are `params`. */
export function statsTypes(params: readonly SchemaParam[], path: string): StatsTypes {
  let types = typesBySchema.get(params);
  if (!types) typesBySchema.set(params, (types = new Map(STATS_PARAMS.map((n) => [n, typeOf(params, path, n)]))));
  return types;
}

function typeOf(params: readonly SchemaParam[], path: string, name: string): string {
  const p = params.find((q) => q.name === name);
  if (!p) throw new Error(`${path}${name} is not in the TR-181 schema`);
  return p.type;
}
