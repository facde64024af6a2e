/**
 * The Stats parameters netifd's counters lack, for every OpenWrt Stats object over a network
 * device (Device.Ethernet.Interface/Link.{i}.Stats., Device.IP.Interface.{i}.Stats.,
 * Device.Bridging.Bridge.{i}.Port.{i}.Stats.): the Unicast/Broadcast counters and
 * MulticastPacketsSent and UnknownProtoPacketsReceived from the agent's nftables counters
 * (platform/linux/packet-classes.ts, when in use; not served otherwise). On a bridge member
 * (or bonding slave), whose master takes every frame, UnknownProtoPacketsReceived is the
 * kernel's rx_nohandler instead (read from sysfs: netifd's statistics do not carry it).
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Value } from '../../datamodel/value/Value.js';
import { classStats, RECEIVED_CLASS_PARAMS, SENT_CLASS_PARAMS } from '../linux/packet-classes.js';
import { u32 } from './convert.js';
import type { OpenWrtContext } from './OpenWrtContext.js';

/** The parameters packetStats() serves on this device. */
export function packetStatsParams(ctx: OpenWrtContext): string[] {
  const classes = ctx.packetClasses;
  return classes ? [...RECEIVED_CLASS_PARAMS, ...(classes.egress ? SENT_CLASS_PARAMS : [])] : [];
}

/** Those parameters for network device `device`; each is left out when its source has no value. */
export async function packetStats(ctx: OpenWrtContext, device: string | undefined): Promise<Record<string, Value>> {
  if (device === undefined || !ctx.packetClasses) return {};
  const counts = await ctx.packetClasses.of(device);
  const values: Record<string, Value> = {};
  // StatsCounter64 values are decimal strings (convert.ts u64); UnknownProtoPacketsReceived is a StatsCounter32.
  for (const [n, c] of Object.entries(classStats(counts))) values[n] = n === 'UnknownProtoPacketsReceived' ? Number(c % 0x1_0000_0000n) : c.toString();
  if (values.UnknownProtoPacketsReceived !== undefined && (await exists(path.join(ctx.sysNetDir, device, 'master')))) {
    const nohandler = await readCounter(path.join(ctx.sysNetDir, device, 'statistics', 'rx_nohandler'));
    if (nohandler === undefined) delete values.UnknownProtoPacketsReceived;
    else values.UnknownProtoPacketsReceived = u32(nohandler);
  }
  return values;
}

async function readCounter(file: string): Promise<number | undefined> {
  try {
    const t = (await readFile(file, 'utf8')).trim();
    return /^\d+$/.test(t) ? Number(t) : undefined;
  } catch {
    return undefined;
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
