/**
 * Device.Ethernet.RMONStats.{i}. counters (TR-181 EthernetRMONStats:1, the RMON etherStats of
 * RFC 2819, counted on receive) from what a Linux kernel keeps for a port, shared by the Linux
 * and OpenWrt platforms:
 *
 * - the interface counters (`/sys/class/net/<if>/statistics/`, netifd's `statistics`, the
 *   kernel's rtnl_link_stats64 names): Bytes `rx_bytes`; Packets `rx_packets` + `rx_errors`
 *   (RMON counts bad frames too); MulticastPackets `multicast`; CRCErroredPackets
 *   `rx_crc_errors` + `rx_frame_errors` (etherStatsCRCAlignErrors: FCS and alignment errors);
 *   DropEvents `rx_missed_errors` (frames the NIC dropped for want of buffers). The kernel
 *   counts bytes without the FCS, RMON with it: Bytes is low by 4 bytes a frame.
 * - the driver's RMON group where it has one (`ethtool --json -S IF --groups rmon`, the
 *   kernel's ethtool netlink statistics, ethtool 5.13+): UndersizePackets
 *   `etherStatsUndersizePkts`, OversizePackets `etherStatsOversizePkts`, and the size histogram
 *   `rx-pktsNtoM` buckets whose bounds are TR-181's (64, 65-127, ..., 1024-1518); a driver's
 *   other buckets (1024-1522, 1519-max) match none and are left out. Virtual devices (veth,
 *   tap) and most drivers have no RMON group: those parameters then read as not served now.
 */
import { ErrorCode, UspError } from '../datamodel/UspError.js';
import type { Value } from '../datamodel/value/Value.js';
import type { RmonDisabledPorts } from './rmon-disabled-ports.js';

/** The RMONStats counters served (those of the schema's RMONStats.{i}. that a kernel can give). */
export const RMON_COUNTERS = [
  'DropEvents',
  'Bytes',
  'Packets',
  'BroadcastPackets',
  'MulticastPackets',
  'CRCErroredPackets',
  'UndersizePackets',
  'OversizePackets',
  'Packets64Bytes',
  'Packets65to127Bytes',
  'Packets128to255Bytes',
  'Packets256to511Bytes',
  'Packets512to1023Bytes',
  'Packets1024to1518Bytes',
] as const;

/** The counters only a driver's RMON group gives (served where ethtool can read the group). */
export const RMON_GROUP_COUNTERS: ReadonlySet<string> = new Set(RMON_COUNTERS.filter((c) => c === 'UndersizePackets' || c === 'OversizePackets' || /^Packets\d/.test(c)));

/** The configuration parameters of a row: one per Ethernet port, whole-port (no VLAN, no queue). */
export const RMON_CONFIG = ['Enable', 'Status', 'Name', 'Interface', 'VLANID', 'Queue', 'AllQueues'] as const;

/** TR-181 histogram parameter ← [low, high] bucket bounds of the driver's RMON histogram. */
const BUCKETS: ReadonlyArray<readonly [string, number, number]> = [
  ['Packets65to127Bytes', 65, 127],
  ['Packets128to255Bytes', 128, 255],
  ['Packets256to511Bytes', 256, 511],
  ['Packets512to1023Bytes', 512, 1023],
  ['Packets1024to1518Bytes', 1024, 1518],
];

/** The driver's RMON group of one device, as `ethtool --json -S IF --groups rmon` prints it. */
export interface RmonGroup {
  undersize?: bigint;
  oversize?: bigint;
  /** The receive histogram: bucket bounds (high 0: no upper bound) and count. */
  rxHistogram: Array<{ low: number; high: number; val: bigint }>;
}

const isCount = (v: unknown): v is number | string => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) || (typeof v === 'string' && /^\d+$/.test(v));

/**
 * The RMON group of `ethtool --json -S IF --groups rmon` output (`[{"ifname", "rmon": {...}}]`),
 * or undefined when it has none (an empty `rmon` object: the driver reports no RMON counters).
 */
export function parseEthtoolRmon(out: string): RmonGroup | undefined {
  const parsed = JSON.parse(out) as unknown;
  const first = Array.isArray(parsed) ? (parsed[0] as { rmon?: Record<string, unknown> } | undefined) : undefined;
  const rmon = first?.rmon;
  if (!rmon || typeof rmon !== 'object' || Object.keys(rmon).length === 0) return undefined;
  const big = (v: unknown): bigint | undefined => (isCount(v) ? BigInt(v) : undefined);
  const hist = Array.isArray(rmon['rx-pktsNtoM']) ? (rmon['rx-pktsNtoM'] as Array<Record<string, unknown>>) : [];
  return {
    undersize: big(rmon.etherStatsUndersizePkts),
    oversize: big(rmon.etherStatsOversizePkts),
    rxHistogram: hist.filter((b) => isCount(b.low) && isCount(b.high) && isCount(b.val)).map((b) => ({ low: Number(b.low), high: Number(b.high), val: BigInt(b.val as number | string) })),
  };
}

/** Kernel interface counters by their rtnl_link_stats64 names (sysfs file contents or netifd numbers). */
export type KernelCounters = Readonly<Record<string, string | number | undefined>>;

/**
 * The RMONStats counters from `kernel` (and `rmon` where the driver has a group; `broadcast`
 * where something counts broadcast frames received), typed as the schema types each parameter
 * (`types`: unsignedLong as a decimal string, unsignedInt wrapping at 2^32). A counter whose
 * sources are unreadable is left out; with `groupServed`, an RMON-group counter the driver does
 * not give is there with the value undefined, so a Get leaves it out rather than read its default 0.
 */
export function rmonCounters(types: ReadonlyMap<string, string>, kernel: KernelCounters, rmon: RmonGroup | undefined, broadcast?: bigint, groupServed = false): Record<string, Value> {
  const k = (name: string): bigint | undefined => {
    const v = kernel[name];
    return isCount(v) ? BigInt(v) : undefined;
  };
  const sum = (...names: string[]): bigint | undefined => {
    const parts = names.map(k);
    return parts.some((p) => p === undefined) ? undefined : parts.reduce((a, b) => a! + b!, 0n);
  };
  const raw: Record<string, bigint | undefined> = {
    DropEvents: k('rx_missed_errors'),
    Bytes: k('rx_bytes'),
    Packets: sum('rx_packets', 'rx_errors'),
    BroadcastPackets: broadcast,
    MulticastPackets: k('multicast'),
    CRCErroredPackets: sum('rx_crc_errors', 'rx_frame_errors') ?? k('rx_crc_errors'),
    UndersizePackets: rmon?.undersize,
    OversizePackets: rmon?.oversize,
  };
  for (const b of rmon?.rxHistogram ?? []) {
    // The first bucket ends at 64 (its low bound is 0 or 64, as drivers write it).
    if (b.high === 64 && b.low <= 64) raw.Packets64Bytes = b.val;
    const named = BUCKETS.find(([, low, high]) => b.low === low && b.high === high);
    if (named) raw[named[0]] = b.val;
  }
  const out: Record<string, Value | undefined> = {};
  if (groupServed) for (const name of RMON_GROUP_COUNTERS) if (types.has(name)) out[name] = undefined;
  for (const [name, v] of Object.entries(raw)) {
    if (v === undefined || !types.has(name)) continue;
    out[name] = types.get(name) === 'unsignedLong' ? v.toString() : Number(v % 0x1_0000_0000n);
  }
  return out as Record<string, Value>;
}

/** What a Set of a kernel-counted RMONStats row changes (setPortRmonRow): the rest is fixed per port. */
export const PORT_RMON_WRITABLE = ['Enable'] as const;

/**
 * A Set on a kernel-counted RMONStats row (one row per port, for the whole port): Interface,
 * VLANID, Queue and AllQueues keep their values (another is 7012); Enable adds the port to
 * `disabled` or takes it out (`present`: the ports there are now).
 */
export function setPortRmonRow(port: string, config: Readonly<Record<string, Value>>, changes: Readonly<Record<string, Value>>, disabled: RmonDisabledPorts, present: Iterable<string>): void {
  for (const p of ['Interface', 'VLANID', 'Queue', 'AllQueues'] as const) {
    if (changes[p] !== undefined && String(changes[p]).replace(/\.$/, '') !== String(config[p])) {
      const message = 'fixed: one row per Ethernet port, for the whole port (the kernel counts no VLAN or queue apart)';
      throw new UspError(ErrorCode.InvalidValue, `${p}: ${message}`, { paramErrors: [{ param: p, message, code: ErrorCode.InvalidValue }] });
    }
  }
  if (changes.Enable === false) disabled.add(port, present);
  else if (changes.Enable === true) disabled.delete(port);
}
