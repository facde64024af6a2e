/**
 * A network device's kernel counters (/sys/class/net/<if>/statistics/) as a TR-181 Stats object:
 * Device.Ethernet.Interface.{i}.Stats. (EthernetInterfaceStats:1) and
 * Device.Ethernet.Link.{i}.Stats. (EthernetLinkStats:1). On Linux the Interface and the Link on
 * it are one netdev, so both read the same files; one fill reads each counter file it serves
 * once, all at the same time.
 *
 * The Unicast/Broadcast counters, MulticastPacketsSent and UnknownProtoPacketsReceived, which
 * Linux does not count (multicast only on receive; unknown protocols go to rx_dropped with every
 * other drop), come from the agent's nftables counters (packet-classes.ts) when those are in
 * use, else they are not served. On a device enslaved to a bridge or bond, whose frames its
 * master takes whatever their protocol, UnknownProtoPacketsReceived is the kernel's
 * rx_nohandler (frames an inactive bonding slave had no exact handler for; 0 on bridge ports).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { HostFiles } from './HostFiles.js';
import type { LinuxContext } from './LinuxContext.js';
import { classStats, RECEIVED_CLASS_PARAMS, SENT_CLASS_PARAMS } from './packet-classes.js';

/** TR-181 Stats parameter ← file in /sys/class/net/<if>/statistics/ (docs/platform-mapping.md). */
export const STATS_FILES: Readonly<Record<string, string>> = {
  BytesSent: 'tx_bytes',
  BytesReceived: 'rx_bytes',
  PacketsSent: 'tx_packets',
  PacketsReceived: 'rx_packets',
  ErrorsSent: 'tx_errors',
  ErrorsReceived: 'rx_errors',
  DiscardPacketsSent: 'tx_dropped',
  DiscardPacketsReceived: 'rx_dropped',
  MulticastPacketsReceived: 'multicast',
  Collisions: 'collisions',
};

/** The raw counter files of `names` (STATS_FILES keys) of netdev `device`, all read at once; undefined where a file is missing. */
export function readCounters(files: HostFiles, device: string, names: readonly string[]): Promise<Array<string | undefined>> {
  return Promise.all(names.map((n) => files.attr(files.sys('class', 'net', device, 'statistics', STATS_FILES[n]!))));
}

/**
 * Serves the Stats object at `supportedPath` with those of the counters above its schema
 * defines (Link.Stats has no Collisions). `deviceOf` names the netdev of an instance, or throws
 * 7016 for an instance that never existed.
 */
export function registerDeviceStats(
  ctx: LinuxContext,
  supportedPath: string,
  deviceOf: (keys: InstanceKeys) => string | undefined | Promise<string | undefined>,
  constants: Readonly<Record<string, Value>> = {},
): void {
  const { files } = ctx;
  // Counter widths differ per parameter (StatsCounter32 / StatsCounter64): take them from the schema.
  const types = new Map(ctx.model.requireNode(supportedPath).def.params.map((p) => [p.name, p.type]));
  const names = Object.keys(STATS_FILES).filter((n) => types.has(n));
  const classes = ctx.packetClasses;
  const classNames: string[] = classes ? [...RECEIVED_CLASS_PARAMS, ...(classes.egress ? SENT_CLASS_PARAMS : [])].filter((n) => types.has(n)) : [];
  ctx.model.register(supportedPath, {
    params: [...names, ...classNames, ...Object.keys(constants)],
    get: async (keys) => {
      const name = await deviceOf(keys);
      // A row on no device (an Ethernet.Link a Controller added without LowerLayers) counts nothing.
      if (name === undefined) return {};
      const [raw, counts] = await Promise.all([readCounters(files, name, names), classNames.length > 0 ? classes?.of(name) : undefined]);
      if (raw.every((r) => r === undefined)) throw deviceGone(name);
      const values: Record<string, Value> = { ...constants };
      names.forEach((n, i) => {
        const v = counter(types.get(n), raw[i]);
        if (v !== undefined) values[n] = v;
      });
      for (const [n, c] of Object.entries(classStats(counts))) if (classNames.includes(n)) values[n] = counter(types.get(n), c.toString())!;
      if (values.UnknownProtoPacketsReceived !== undefined && (await files.exists(files.sys('class', 'net', name, 'master')))) {
        const v = counter(types.get('UnknownProtoPacketsReceived'), await files.attr(files.sys('class', 'net', name, 'statistics', 'rx_nohandler')));
        if (v === undefined) delete values.UnknownProtoPacketsReceived;
        else values.UnknownProtoPacketsReceived = v;
      }
      return values;
    },
  });
}

/**
 * A kernel counter as TR-181 wants it: unsignedLong (StatsCounter64) as a decimal string,
 * unsignedInt (StatsCounter32) as a number wrapping at 2^32 like the 32-bit counter it is.
 */
export function counter(type: string | undefined, raw: string | undefined): Value | undefined {
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  const n = BigInt(raw);
  return type === 'unsignedLong' ? n.toString() : Number(n % 0x1_0000_0000n);
}

/** A 7016 for a row whose network device has disappeared since it was listed. */
export function deviceGone(name: string): UspError {
  return new UspError(ErrorCode.ObjectDoesNotExist, `network interface ${name} no longer exists`);
}
