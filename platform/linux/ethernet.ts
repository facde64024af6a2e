/**
 * Device.Ethernet.Interface.{i}. and .Stats. of a Linux host (TR-181 EthernetInterface:2,
 * EthernetInterfaceStats:1) from /sys/class/net/<if>/ and /sys/class/net/<if>/statistics/.
 * Instances are numbered by interface name and keep their number while the agent runs.
 *
 * Not served: LastChange (the kernel keeps no timestamp), the writable link settings
 * (MaxBitRate, DuplexMode, EEE, MDIX: ethtool territory), and the Unicast/Broadcast counters,
 * which Linux does not count (multicast is counted only on receive).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { InstanceNumbers } from './InstanceNumbers.js';
import type { LinuxContext } from './LinuxContext.js';
import { ethernetDevices } from './net-devices.js';
import { IFF_UP, interfaceStatus } from './net-status.js';
import { defaultRouteInterfaces } from './proc-parsers.js';

/** TR-181 Stats parameter ← file in /sys/class/net/<if>/statistics/ (MAPPING.md). */
const STATS_FILES: Readonly<Record<string, string>> = {
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

const STATS_PATH = 'Device.Ethernet.Interface.{i}.Stats.';

/** Serves the Ethernet interface table; returns its instance numbering (IP.Interface could refer to it). */
export function registerEthernet(ctx: LinuxContext, only?: readonly string[]): InstanceNumbers {
  const { files } = ctx;
  const numbers = new InstanceNumbers();
  const dir = (keys: InstanceKeys, ...parts: string[]) => files.sys('class', 'net', numbers.keyOf(keys[0]), ...parts);

  ctx.model.register('Device.Ethernet.Interface.{i}.', {
    params: ['Enable', 'Status', 'Name', 'Upstream', 'MACAddress', 'CurrentBitRate', 'CurrentDuplexMode'],
    list: async () => numbers.list((await ethernetDevices(files, only)).map((d) => d.name)),
    get: async (keys) => {
      const name = numbers.keyOf(keys[0]);
      const at = (a: string) => files.attr(dir(keys, a));
      const [address, operstate, carrier, speed, duplex, flags, route, route6] = await Promise.all([
        at('address'), at('operstate'), at('carrier'), at('speed'), at('duplex'), at('flags'),
        files.read(files.proc('net', 'route')), files.read(files.proc('net', 'ipv6_route')),
      ]);
      if (address === undefined && operstate === undefined) throw gone(name);
      const adminUp = flags === undefined ? undefined : (parseInt(flags, 16) & IFF_UP) !== 0;
      const mbps = Number(speed);
      const values: Record<string, Value> = {
        Status: interfaceStatus(operstate, adminUp, carrier === undefined ? undefined : carrier === '1'),
        Name: name,
        // Towards the Internet: the interface carries a default route.
        Upstream: defaultRouteInterfaces(route, route6).has(name),
        // sysfs speed is -1 (or unreadable) when unknown; TR-181 says 0 means unknown.
        CurrentBitRate: Number.isSafeInteger(mbps) && mbps > 0 ? Math.min(mbps, 0xffff_ffff) : 0,
        CurrentDuplexMode: duplex === 'full' ? 'Full' : duplex === 'half' ? 'Half' : 'Unknown',
      };
      if (adminUp !== undefined) values.Enable = adminUp;
      if (address !== undefined) values.MACAddress = address;
      return values;
    },
  });

  // Counter widths differ per object (StatsCounter32 / StatsCounter64): take them from the schema.
  const types = new Map(ctx.model.requireNode(STATS_PATH).def.params.map((p) => [p.name, p.type]));
  ctx.model.register(STATS_PATH, {
    params: Object.keys(STATS_FILES),
    get: async (keys) => {
      const names = Object.keys(STATS_FILES);
      const raw = await Promise.all(names.map((n) => files.attr(dir(keys, 'statistics', STATS_FILES[n]!))));
      if (raw.every((r) => r === undefined)) throw gone(numbers.keyOf(keys[0]));
      const values: Record<string, Value> = {};
      names.forEach((n, i) => {
        const v = counter(types.get(n), raw[i]);
        if (v !== undefined) values[n] = v;
      });
      return values;
    },
  });
  return numbers;
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

function gone(name: string): UspError {
  return new UspError(ErrorCode.ObjectDoesNotExist, `network interface ${name} no longer exists`);
}
