/**
 * Device.Ethernet.RMONStats.{i}. on OpenWrt (TR-181 EthernetRMONStats:1): one row per
 * Ethernet.Interface port (devtype ethernet or dsa, ethernet.ts), in name order, for the whole
 * port (VLANID 0, no Queue), counting what it receives. The counters are the kernel's, as on
 * Linux (rmon-counters.ts): each from /sys/class/net/<if>/statistics/, else from netifd's
 * `statistics` of `network.device status` (the same kernel counters, fewer of them), and the
 * driver's RMON group through `ethtool --json -S IF --groups rmon` when the ethtool package is
 * installed (DSA switch drivers such as mv88e6xxx and mt7530 report one); BroadcastPackets from
 * the agent's nftables counters when those are in use.
 *
 * Enable only stops the reporting (Status Disabled, counters 0); which ports' rows are disabled
 * is kept in the agent's store by port name (rmon-disabled-ports.ts: OpenWrt's UCI has no such
 * setting), so it outlives a restart;
 * Interface, VLANID, Queue and AllQueues are fixed (7012 for another value).
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { Value } from '../../datamodel/value/Value.js';
import { findOnPath } from '../exec/CommandRunner.js';
import { classStats } from '../linux/packet-classes.js';
import { RmonDisabledPorts } from '../rmon-disabled-ports.js';
import { parseEthtoolRmon, PORT_RMON_WRITABLE, RMON_CONFIG, RMON_COUNTERS, RMON_GROUP_COUNTERS, rmonCounters, type RmonGroup, setPortRmonRow } from '../rmon-counters.js';
import { noSuchInstance } from './convert.js';
import { classify, type EthernetLinks } from './ethernet.js';
import type { OpenWrtContext } from './OpenWrtContext.js';

const RMON = 'Device.Ethernet.RMONStats.{i}.';

/** The kernel counters the RMON ones come from (rmon-counters.ts). */
const KERNEL_FILES = ['rx_bytes', 'rx_packets', 'rx_errors', 'multicast', 'rx_crc_errors', 'rx_frame_errors', 'rx_missed_errors'] as const;

/** Serves the RMONStats table over netifd's Ethernet ports; `store` keeps the disabled rows (without one: until the agent stops). */
export function registerEthernetRmon(ctx: OpenWrtContext, ethernet: EthernetLinks, store: DataStore | undefined): void {
  const rows = new InstanceMap();
  const types = new Map(ctx.model.requireNode(RMON).def.params.map((p) => [p.name, p.type]));
  // Looked up once: installing the ethtool package takes an agent restart to count.
  const exe = ctx.runner.executable('ethtool');
  const withEthtool = exe === 'ethtool' ? findOnPath('ethtool') !== undefined : existsSync(exe);
  const disabled = new RmonDisabledPorts(store);
  const ports = async () => classify(await ethernet.devices()).ports;

  const readRmon = async (name: string): Promise<RmonGroup | undefined> => {
    if (!withEthtool) return undefined;
    try {
      return await ctx.runner.cached('ethtool', ['--json', '-S', name, '--groups', 'rmon'], ctx.cacheMs, parseEthtoolRmon);
    } catch {
      return undefined; // an ethtool without --groups, or a driver that refuses: the kernel counters alone
    }
  };
  const sysCounter = (name: string, file: string): Promise<string | undefined> =>
    fs.readFile(path.join(ctx.sysNetDir, name, 'statistics', file), 'utf8').then(
      (s) => s.trim(),
      () => undefined,
    );

  const row = async (n: number | undefined) => {
    const all = await ports();
    rows.list(all.keys());
    const name = rows.keyOf(n);
    const d = all.get(name ?? '');
    if (name === undefined || !d) throw noSuchInstance('RMON statistics row', n);
    const enabled = !disabled.has(name);
    const config: Record<string, Value> = {
      Enable: enabled,
      Status: enabled ? 'Enabled' : 'Disabled',
      Name: name,
      Interface: await ethernet.interfacePath(name),
      VLANID: 0,
      Queue: '',
      AllQueues: false,
    };
    return { name, d, config, present: all.keys() };
  };

  ctx.model.register(RMON, {
    // The driver's RMON group is read with ethtool only: without it, those counters are not served.
    params: [...RMON_CONFIG, ...RMON_COUNTERS.filter((c) => (c !== 'BroadcastPackets' || ctx.packetClasses) && (withEthtool || !RMON_GROUP_COUNTERS.has(c)))],
    writable: PORT_RMON_WRITABLE,
    list: async () => rows.list((await ports()).keys()),
    get: async ([n]) => {
      const { name, d, config } = await row(n);
      if (config.Enable !== true) return config;
      const [sys, rmon, classes] = await Promise.all([Promise.all(KERNEL_FILES.map((f) => sysCounter(name, f))), readRmon(name), ctx.packetClasses?.of(name)]);
      const kernel = Object.fromEntries(KERNEL_FILES.map((f, i) => [f, sys[i] ?? d.statistics?.[f]]));
      const broadcast = ctx.packetClasses ? classStats(classes).BroadcastPacketsReceived : undefined;
      return { ...config, ...rmonCounters(types, kernel, rmon, broadcast, withEthtool) };
    },
    set: async ([n], changes) => {
      const { name, config, present } = await row(n);
      setPortRmonRow(name, config, changes, disabled, present);
    },
  });
}
