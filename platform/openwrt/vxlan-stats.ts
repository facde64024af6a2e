/**
 * Device.VXLAN.Tunnel.{i}.Interface.{i}.Stats. and Tunnel.{i}.Stats. on OpenWrt: the kernel
 * counters of the VXLAN devices netifd made (/sys/class/net/<dev>/statistics/, the files Linux
 * reads too: platform/linux/net-stats.ts). A device netifd has not made (disabled, or refused)
 * counts nothing: its Interface reads no counters, its Tunnel adds 0.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Value } from '../../datamodel/value/Value.js';
import { counter, STATS_FILES } from '../linux/net-stats.js';

/** Tunnel.{i}.Stats.: the sums over its Interfaces' devices (no keepalive is sent on OpenWrt). */
export const TUNNEL_COUNTERS = ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived', 'ErrorsSent', 'ErrorsReceived'] as const;

async function raw(sysNetDir: string, dev: string, name: string): Promise<string | undefined> {
  return (await fsp.readFile(path.join(sysNetDir, dev, 'statistics', STATS_FILES[name]!), 'utf8').catch(() => undefined))?.trim();
}

/** The counters of STATS_FILES the Stats object's schema has (`types`: parameter → type), and their reader. */
export function readDeviceCounters(sysNetDir: string, types: ReadonlyMap<string, string>): { params: string[]; read(dev: string): Promise<Record<string, Value>> } {
  const params = Object.keys(STATS_FILES).filter((n) => types.has(n));
  return {
    params,
    read: async (dev) => {
      const values = await Promise.all(params.map((n) => raw(sysNetDir, dev, n)));
      const out: Record<string, Value> = {};
      params.forEach((n, k) => {
        const v = counter(types.get(n), values[k]);
        if (v !== undefined) out[n] = v;
      });
      return out;
    },
  };
}

/** TUNNEL_COUNTERS summed over `devices` (Errors* are StatsCounter32, the others 64-bit). */
export async function sumCounters(sysNetDir: string, devices: readonly string[]): Promise<Record<string, Value>> {
  const sums = new Map<string, bigint>(TUNNEL_COUNTERS.map((n) => [n, 0n]));
  for (const dev of devices) {
    const values = await Promise.all(TUNNEL_COUNTERS.map((n) => raw(sysNetDir, dev, n)));
    TUNNEL_COUNTERS.forEach((n, k) => {
      if (/^\d+$/.test(values[k] ?? '')) sums.set(n, sums.get(n)! + BigInt(values[k]!));
    });
  }
  const out: Record<string, Value> = {};
  for (const [n, v] of sums) out[n] = n.startsWith('Errors') ? Number(v % 2n ** 32n) : v.toString();
  return out;
}
