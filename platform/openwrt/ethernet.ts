/**
 * Device.Ethernet. on OpenWrt (TR-181 EthernetInterface:2, EthernetLink:1), all from one
 * `ubus call network.device status` (no argument: every device netifd knows, by name).
 *
 * - Interface.{i}: the physical ports, keyed by name: devtype "ethernet" (a MAC of its own)
 *   or "dsa" (a switch port behind a DSA conduit, lan1..lan4 and wan on OpenWrt 21.02+; the
 *   kernel gives those DEVTYPE=dsa and netifd reports the uevent DEVTYPE), never a bridge.
 *   LastChange: since the agent saw the port's Status change (status-seen.ts, as bridge ports).
 *   Enable, MaxBitRate and DuplexMode are the port's `config device` section (a Set writes it:
 *   ethernet-port-write.ts), else what netifd reports; a port the section disables stays a row.
 * - Link.{i}: the layer-2 devices IP interfaces sit on: every device that is neither a
 *   bridge member, nor wireless (those are WiFi.SSID), nor loopback; e.g. br-lan, eth1, eth1.2.
 *   A Controller may add and delete them (ethernet-link.ts, with their LowerLayers and LastChange).
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { registerEthernetLinks } from './ethernet-link.js';
import { mac, noSuchInstance, u32, u64 } from './convert.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import { StatusSeen } from '../status-seen.js';
import type { DeviceStatus, DeviceStatusMap, InterfaceDump } from './ubus-types.js';
import { packetStats, packetStatsParams } from './packet-stats.js';
import { parseSpeed, portEnabled, portLinkSettings, portSection } from './ethernet-port-config.js';
import { EthernetPortWrites } from './ethernet-port-write.js';
import type { UciWriter } from './uci.js';

export interface EthernetLinks {
  /** "Device.Ethernet.Link.N" (a reference value) of the device an IP interface uses, or "" if it is not a Link. */
  linkPath(device: string | undefined): Promise<string>;
  /** The device name of the Ethernet.Link a reference value names ("Device.Ethernet.Link.N", with or without the "."), or undefined. */
  linkName(reference: string): Promise<string | undefined>;
  /** "Device.Ethernet.Interface.N" (a reference value) of a physical port, or "" if `device` is none. */
  interfacePath(device: string | undefined): Promise<string>;
  /** Every device netifd knows, by name: the same cached `network.device status` answer. */
  devices(): Promise<DeviceStatusMap>;
}

const STATS = ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived', 'ErrorsSent', 'ErrorsReceived', 'DiscardPacketsSent', 'DiscardPacketsReceived', 'MulticastPacketsReceived'];

/** The layer above a bridge's Link, filled in once Bridging is registered. */
export interface BridgeStack {
  /** "Device.Bridging.Bridge.N.Port.M" of bridge device `name`'s management port, or "". */
  managementPort?(name: string): Promise<string>;
}

/** Serves Device.Ethernet.Interface.{i}.(Stats.) and Device.Ethernet.Link.{i}.(Stats.). */
export function registerEthernet(ctx: OpenWrtContext, uci: UciWriter, stack: BridgeStack = {}, store?: DataStore): EthernetLinks {
  const { model } = ctx;
  const ports = new InstanceMap();
  const writes = new EthernetPortWrites(ctx, uci);
  const seen = new StatusSeen(ctx.now);
  // Numbers are handed out on every reading, in name order, so they do not depend on which
  // object a Get happens to read first.
  const read = async () => {
    const c = classify(await ctx.ubus<DeviceStatusMap>('network.device', 'status'));
    ports.list(c.ports.keys());
    return c;
  };

  /**
   * Upstream: the ports under an interface that holds a default route (the WAN): its device, or
   * the base device of its 802.1Q device ("eth1.2" is VLAN 2 on eth1, in netifd's naming).
   * Undefined (not read) while netifd's interface dump fails: the rest of the port still reads.
   */
  const upstream = async (): Promise<Set<string> | undefined> => {
    let dump: InterfaceDump;
    try {
      dump = await ctx.ubus<InterfaceDump>('network.interface', 'dump');
    } catch {
      return undefined;
    }
    const out = new Set<string>();
    for (const i of dump.interface ?? []) {
      if (!(i.route ?? []).some((r) => r.mask === 0)) continue;
      const device = i.l3_device ?? i.device;
      if (device === undefined) continue;
      out.add(device);
      if (device.includes('.')) out.add(device.slice(0, device.lastIndexOf('.')));
    }
    return out;
  };

  /** Port `n`: its name, netifd's status (undefined while a section disables it) and its section. */
  const port = async (n: number | undefined) => {
    const name = ports.keyOf(n);
    const d = (await read()).ports.get(name ?? '');
    const config = await writes.config();
    const s = name === undefined || !config ? undefined : portSection(config, name);
    if (name === undefined || (!d && (portEnabled(s) || !(await isDisabledPort(name))))) throw noSuchInstance('Ethernet interface', n);
    return { name, d, s, config };
  };
  const isDisabledPort = async (name: string): Promise<boolean> => (await writes.disabledPorts(new Map(), (k) => ports.peek(k) !== undefined)).includes(name);

  model.register('Device.Ethernet.Interface.{i}.', {
    params: ['Enable', 'Status', 'Name', 'LastChange', 'Upstream', 'MACAddress', 'MaxBitRate', 'CurrentBitRate', 'DuplexMode', 'CurrentDuplexMode'],
    writable: ['Enable', 'MaxBitRate', 'DuplexMode'],
    list: async () => {
      const c = await read();
      return ports.list([...c.ports.keys(), ...(await writes.disabledPorts(c.ports, (k) => ports.peek(k) !== undefined))]);
    },
    get: async ([n]) => {
      const { name, d, s, config } = await port(n);
      const settings = portLinkSettings(s, d);
      if (!d) {
        // Disabled in its section: netifd keeps it down and reports nothing of it.
        return { Enable: false, Status: 'Down', Name: name, LastChange: seen.lastChange(name, 'Down'), Upstream: false, CurrentBitRate: 0, CurrentDuplexMode: 'Unknown', ...settings };
      }
      const link = parseSpeed(d.speed);
      const running = link !== undefined && d.carrier === true;
      const status = deviceStatus(d);
      const values: Record<string, Value> = {
        // What the section asks (a device netifd lists is enabled; without uci, its word alone).
        Enable: config ? portEnabled(s) : d.present !== false,
        Status: status,
        Name: name,
        LastChange: seen.lastChange(name, status),
        MACAddress: mac(d.macaddr),
        CurrentBitRate: running ? link.mbps : 0,
        CurrentDuplexMode: running ? link.duplex : 'Unknown',
        ...settings,
      };
      const up = await upstream();
      if (up) values.Upstream = up.has(name);
      return values;
    },
    set: async ([n], changes) => {
      const { name, d } = await port(n);
      await writes.set(name, d, changes, `Device.Ethernet.Interface.${n}.`);
    },
  });
  model.register('Device.Ethernet.Interface.{i}.Stats.', {
    params: [...STATS, 'Collisions', ...packetStatsParams(ctx)],
    get: async ([n]) => {
      const { name, d } = await port(n);
      // A disabled port counts nothing netifd reports.
      if (!d) return {};
      return { ...stats(d.statistics), Collisions: u64(d.statistics?.collisions), ...(await packetStats(ctx, name)) };
    },
  });

  const lookup = registerEthernetLinks(
    ctx,
    {
      read,
      portNumber: (name) => ports.numberOf(name),
      portName: (n) => ports.keyOf(n),
      managementPort: (name) => stack.managementPort?.(name) ?? Promise.resolve(''),
    },
    store,
  );
  model.register('Device.Ethernet.Link.{i}.Stats.', {
    params: [...STATS, ...packetStatsParams(ctx)],
    get: async (keys) => {
      const found = await lookup.deviceOf(keys);
      // A Link on no device counts nothing.
      if (!found) return {};
      const [name, d] = found;
      return { ...stats(d.statistics), ...(await packetStats(ctx, name)) };
    },
  });

  return {
    linkPath: lookup.linkPath,
    linkName: lookup.linkName,
    interfacePath: async (name) => {
      if (!name || !(await read()).ports.has(name)) return '';
      return `Device.Ethernet.Interface.${ports.numberOf(name)}`;
    },
    devices: () => ctx.ubus<DeviceStatusMap>('network.device', 'status'),
  };
}

interface Classified {
  ports: Map<string, DeviceStatus>;
  links: Map<string, DeviceStatus>;
}

/** Sorts netifd's devices into ports and links (each map in name order). */
export function classify(devices: DeviceStatusMap): Classified {
  const members = new Set<string>();
  for (const d of Object.values(devices)) for (const m of d['bridge-members'] ?? []) members.add(m);
  const ports = new Map<string, DeviceStatus>();
  const links = new Map<string, DeviceStatus>();
  for (const name of Object.keys(devices).sort()) {
    const d = devices[name];
    const bridge = Array.isArray(d['bridge-members']);
    if ((d.devtype === 'ethernet' || d.devtype === 'dsa') && !bridge) ports.set(name, d);
    const loopback = name === 'lo' || d.devtype === 'loopback';
    if (!loopback && d.devtype !== 'wlan' && !members.has(name)) links.set(name, d);
  }
  return { ports, links };
}

/** Interface Status of one netifd device (Ethernet.Interface/Link, Bridging.Bridge.Port). */
export function deviceStatus(d: DeviceStatus): string {
  if (d.present === false) return 'NotPresent';
  return d.up && d.carrier !== false ? 'Up' : 'Down';
}

/** netifd/sysfs counters → TR-181 Stats (64-bit counts as strings, 32-bit ones wrapped); Wi-Fi's SSID.{i}.Stats too. */
export function stats(s: Record<string, number> | undefined): Record<string, Value> {
  const c = s ?? {};
  return {
    BytesSent: u64(c.tx_bytes),
    BytesReceived: u64(c.rx_bytes),
    PacketsSent: u64(c.tx_packets),
    PacketsReceived: u64(c.rx_packets),
    ErrorsSent: u32(c.tx_errors),
    ErrorsReceived: u32(c.rx_errors),
    DiscardPacketsSent: u32(c.tx_dropped),
    DiscardPacketsReceived: u32(c.rx_dropped),
    MulticastPacketsReceived: u64(c.multicast),
  };
}
