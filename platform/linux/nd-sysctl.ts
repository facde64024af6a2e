/**
 * The Linux kernel's per-interface Neighbor Discovery settings, as Device.NeighborDiscovery.
 * InterfaceSetting.{i}. maps them (ip-sysctl.rst):
 *
 * | TR-181 | file | unit |
 * |---|---|---|
 * | DADTransmits | net/ipv6/conf/DEV/dad_transmits | count |
 * | RetransTimer | net/ipv6/neigh/DEV/retrans_time_ms | ms |
 * | RtrSolicitationInterval | net/ipv6/conf/DEV/router_solicitation_interval, and router_solicitation_max_interval the same | s (TR-181: ms) |
 * | MaxRtrSolicitations, RSEnable | net/ipv6/conf/DEV/router_solicitations (0 while RSEnable is false) | count |
 *
 * The kernel keeps retrans_time_ms in clock ticks (4 ms at HZ 250): 2222 becomes 2224, so a
 * Get of RetransTimer reads the kernel's value while the row is in force.
 *
 * The maximum interval is set to the interval too: otherwise the kernel backs off (RFC 7559) up
 * to an hour, where RFC 4861 and TR-181 mean a fixed interval.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Value } from '../../datamodel/value/Value.js';
import type { BadParam } from '../stored-table.js';

export interface NdSettings {
  dadTransmits: number;
  retransTimerMs: number;
  rtrSolicitationIntervalS: number;
  /** The ceiling of the kernel's RFC 7559 back-off: the interval itself for a row, so there is none. */
  rtrSolicitationMaxIntervalS: number;
  rtrSolicitations: number;
}

/**
 * What a fresh interface has: RFC 4861 §10's timers (TR-181's defaults too), and RFC 7559's
 * solicitations without end, backing off to one an hour (router_solicitations -1).
 */
export const KERNEL_ND_DEFAULTS: NdSettings = Object.freeze({ dadTransmits: 1, retransTimerMs: 1000, rtrSolicitationIntervalS: 4, rtrSolicitationMaxIntervalS: 3600, rtrSolicitations: -1 });

/** Problems the kernel adds: it keeps the solicitation interval in whole seconds. */
export function ndSysctlProblems(merged: Readonly<Record<string, Value>>): BadParam[] {
  const ms = Number(merged.RtrSolicitationInterval ?? 4000);
  return ms % 1000 === 0 ? [] : [{ param: 'RtrSolicitationInterval', message: `${ms} ms is no whole number of seconds, which is what the Linux kernel keeps` }];
}

/** A kernel device name that is safe in a /proc path. */
function safeDevice(device: string): string {
  if (!/^[A-Za-z0-9_.@:-]{1,15}$/.test(device) || device === '.' || device === '..') throw new Error(`no such device name: ${JSON.stringify(device)}`);
  return device;
}

/** Writes `settings` to device `device`'s sysctls under `procRoot`. */
export async function writeNdSysctls(procRoot: string, device: string, settings: NdSettings): Promise<void> {
  const dev = safeDevice(device);
  const conf = path.join(procRoot, 'sys', 'net', 'ipv6', 'conf', dev);
  const neigh = path.join(procRoot, 'sys', 'net', 'ipv6', 'neigh', dev);
  await writeFile(path.join(conf, 'dad_transmits'), `${settings.dadTransmits}\n`);
  await writeFile(path.join(neigh, 'retrans_time_ms'), `${settings.retransTimerMs}\n`);
  await writeFile(path.join(conf, 'router_solicitation_max_interval'), `${settings.rtrSolicitationMaxIntervalS}\n`);
  await writeFile(path.join(conf, 'router_solicitation_interval'), `${settings.rtrSolicitationIntervalS}\n`);
  await writeFile(path.join(conf, 'router_solicitations'), `${settings.rtrSolicitations}\n`);
}

/** The retransmission timer the kernel keeps for `device` (ms, in its clock ticks), undefined when it has none. */
export async function readRetransTimer(procRoot: string, device: string): Promise<number | undefined> {
  try {
    const n = Number((await readFile(path.join(procRoot, 'sys', 'net', 'ipv6', 'neigh', safeDevice(device), 'retrans_time_ms'), 'utf8')).trim());
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}
