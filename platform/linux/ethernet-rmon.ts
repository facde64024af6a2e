/**
 * Device.Ethernet.RMONStats.{i}. of a Linux host (TR-181 EthernetRMONStats:1): one row per
 * Ethernet.Interface (the same numbers), for the whole port (VLANID 0, no Queue), counting what
 * the port receives. Counters: /sys/class/net/<if>/statistics/ and, where the driver has an RMON
 * group and `ethtool` is installed, `ethtool --json -S IF --groups rmon` (rmon-counters.ts says
 * which counter comes from where); BroadcastPackets from the agent's nftables counters when
 * those are in use (packet-classes.ts), else not served.
 *
 * Enable: the kernel counts whatever the agent does, so a disabled row only stops reporting
 * (Status Disabled, counters 0). Which rows a Controller disabled is kept in the agent's store by
 * device name (rmon-disabled-ports.ts), so it outlives a restart. The row's Interface, VLANID, Queue and
 * AllQueues are fixed (7012 for another value): the kernel keeps no per-VLAN or per-queue
 * RMON counters.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { Value } from '../../datamodel/value/Value.js';
import { RmonDisabledPorts } from '../rmon-disabled-ports.js';
import { parseEthtoolRmon, PORT_RMON_WRITABLE, RMON_CONFIG, RMON_COUNTERS, RMON_GROUP_COUNTERS, rmonCounters, type RmonGroup, setPortRmonRow } from '../rmon-counters.js';
import type { EthernetDevices } from './EthernetDevices.js';
import { EthtoolSettings } from './ethernet-ethtool.js';
import type { LinuxContext } from './LinuxContext.js';
import { deviceGone } from './net-stats.js';
import { classStats } from './packet-classes.js';

const RMON = 'Device.Ethernet.RMONStats.{i}.';

/** The statistics files the RMON counters come from (rmon-counters.ts). */
const KERNEL_FILES = ['rx_bytes', 'rx_packets', 'rx_errors', 'multicast', 'rx_crc_errors', 'rx_frame_errors', 'rx_missed_errors'] as const;

/** Serves the RMONStats table over the host's Ethernet ports; `store` keeps the disabled rows (without one: until the agent stops). */
export function registerEthernetRmon(ctx: LinuxContext, devices: EthernetDevices, store: DataStore | undefined): void {
  const { files } = ctx;
  const numbers = devices.interfaces;
  const types = new Map(ctx.model.requireNode(RMON).def.params.map((p) => [p.name, p.type]));
  const withEthtool = new EthtoolSettings(ctx).available;
  /** Devices whose row a Controller disabled. */
  const disabled = new RmonDisabledPorts(store);

  const readRmon = async (name: string): Promise<RmonGroup | undefined> => {
    if (!withEthtool) return undefined;
    try {
      return await ctx.runner.cached('ethtool', ['--json', '-S', name, '--groups', 'rmon'], ctx.cacheMs, parseEthtoolRmon);
    } catch (e) {
      // An ethtool before 5.13 (no --groups), or a driver refusing the request: sysfs alone.
      ctx.log?.debug('ethtool gave no RMON counters', { device: name, why: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
  };

  const config = (n: number, name: string): Record<string, Value> => {
    const enabled = !disabled.has(name);
    return { Enable: enabled, Status: enabled ? 'Enabled' : 'Disabled', Name: name, Interface: `Device.Ethernet.Interface.${n}`, VLANID: 0, Queue: '', AllQueues: false };
  };

  ctx.model.register(RMON, {
    // The driver's RMON group is read with ethtool only: without it, those counters are not served.
    params: [...RMON_CONFIG, ...RMON_COUNTERS.filter((c) => (c !== 'BroadcastPackets' || ctx.packetClasses) && (withEthtool || !RMON_GROUP_COUNTERS.has(c)))],
    writable: PORT_RMON_WRITABLE,
    list: async () => numbers.list(await devices.names()),
    get: async ([n]) => {
      await devices.names(); // numbers the devices, whichever table a Get reads first
      const name = numbers.requireKey(n);
      const values = config(n!, name);
      if (values.Enable !== true) return values;
      const [raw, rmon, classes] = await Promise.all([Promise.all(KERNEL_FILES.map((f) => files.attr(files.sys('class', 'net', name, 'statistics', f)))), readRmon(name), ctx.packetClasses?.of(name)]);
      if (raw.every((r) => r === undefined)) throw deviceGone(name);
      const kernel = Object.fromEntries(KERNEL_FILES.map((f, i) => [f, raw[i]]));
      const broadcast = ctx.packetClasses ? classStats(classes).BroadcastPacketsReceived : undefined;
      return { ...values, ...rmonCounters(types, kernel, rmon, broadcast, withEthtool) };
    },
    set: async ([n], changes) => {
      const present = await devices.names();
      const name = numbers.requireKey(n);
      setPortRmonRow(name, config(n!, name), changes, disabled, present);
    },
  });
}
