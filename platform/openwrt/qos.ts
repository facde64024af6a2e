/**
 * Device.QoS. on OpenWrt (Classification, Policer, Queue, Shaper, QueueStats): the generic Linux
 * implementation (platform/linux/qos.ts) over OpenWrt's IP interfaces. Its rows are kept in the
 * agent's store and compiled into the agent's own nftables table `inet usp_agent_qos` (marks,
 * DSCP, policers) and an HTB tree (handle 51:) on each egress device a Queue or Shaper names.
 *
 * - Interfaces: Device.IP.Interface.{i} are netifd interfaces (ip.ts); a row's device is the
 *   interface's L3 device (`l3_device`, else `device`, of `network.interface dump`), what tc
 *   and nft's `iifname` see. Two interfaces on one device (wan and wan6 on eth1) read back as
 *   the first netifd lists. A device that goes away (pppoe-wan while down) loses its tree; the
 *   next QoS change or start builds it again.
 * - Link speeds: sysfs (`/sys/class/net/<dev>/speed`, tx_queue_len), as on Linux.
 * - Packages: nft and the netfilter modules come with firewall4; `tc` with tc-tiny (or tc-full)
 *   and sch_htb and cls_u32 with kmod-sched-core (openwrt/README.md). Served only where both
 *   tools are installed, the agent holds CAP_NET_ADMIN, a store exists and `--qos` (UCI `qos`)
 *   is not off.
 * - fw4 rewrites only its own `inet fw4` table on a reload, so the agent's table stays. A device
 *   whose root qdisc SQM (sqm-scripts) or qos-scripts made is left alone: a Queue or Shaper on it
 *   is refused with 7012 (linux/qos-root-qdisc.ts).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { type CommandRunner, findOnPath } from '../exec/CommandRunner.js';
import type { IpInterfaceNames } from '../linux/nat.js';
import { findNft } from '../linux/packet-classes.js';
import { LinuxQos } from '../linux/qos.js';
import { qosUsable } from '../linux/qos-wiring.js';
import type { IPInterfaces } from './ip.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { InterfaceDump, NetIfStatus } from './ubus-types.js';

/** The `tc` the agent would run: inside commandPath when one is given, else on PATH; undefined when not installed. */
export function findTc(runner: CommandRunner): string | undefined {
  const file = runner.executable('tc');
  if (file === 'tc') return findOnPath('tc');
  return fs.existsSync(file) ? file : undefined;
}

/** The kernel device tc and nft see for a netifd interface. */
const deviceOf = (s: NetIfStatus): string | undefined => s.l3_device ?? s.device;

/** IpInterfaceNames over netifd: Device.IP.Interface.{i} ↔ the interface's L3 device. */
export function netifdDevices(ctx: OpenWrtContext, ip: IPInterfaces): IpInterfaceNames {
  const dump = async (): Promise<NetIfStatus[]> => (await ctx.ubus<InterfaceDump>('network.interface', 'dump')).interface ?? [];
  return {
    nameOf: async (reference) => {
      const name = await ip.nameOf(reference);
      if (name === undefined) return undefined;
      const status = (await dump()).find((s) => s.interface === name);
      return status ? deviceOf(status) : undefined;
    },
    pathOf: async (dev) => {
      const status = (await dump()).find((s) => deviceOf(s) === dev);
      // IPInterfaces answers "" for an interface netifd does not run.
      return status?.interface ? (await ip.pathOf(status.interface)) || undefined : undefined;
    },
  };
}

/** One number from a sysfs attribute of device `dev`; undefined when absent or not a number. */
async function sysNumber(sysNetDir: string, dev: string, attr: string): Promise<number | undefined> {
  const text = await fsp.readFile(path.join(sysNetDir, dev, attr), 'utf8').catch(() => undefined);
  const n = Number(text?.trim());
  return text !== undefined && Number.isFinite(n) ? n : undefined;
}

/** Registers Device.QoS. where it can be put into effect; returns what to start once the store is loaded. */
export function registerOpenWrtQos(ctx: OpenWrtContext, ip: IPInterfaces, store: DataStore, table?: string): { start(): Promise<void> } | undefined {
  const usable = qosUsable(findNft(ctx.runner), findTc(ctx.runner));
  if (!usable.usable) {
    ctx.log.info('Device.QoS. not served', { why: usable.why, setting: '--qos (UCI qos)' });
    return undefined;
  }
  const qos = new LinuxQos({
    model: ctx.model,
    store,
    runner: ctx.runner,
    interfaces: netifdDevices(ctx, ip),
    // sysfs speed is in Mbit/s, -1 (or unreadable) when the link does not say.
    linkBps: async (dev) => {
      const mbit = await sysNumber(ctx.sysNetDir, dev, 'speed');
      return mbit !== undefined && mbit > 0 ? mbit * 1e6 : undefined;
    },
    txQueueLen: async (dev) => (await sysNumber(ctx.sysNetDir, dev, 'tx_queue_len')) || undefined,
    table,
    // OpenWrt's Routing rows are netifd's (no policy tables): ForwardingPolicy stays read-only here.
    forwardingPolicies: false,
    log: ctx.log,
  });
  qos.register();
  return { start: () => qos.start() };
}
