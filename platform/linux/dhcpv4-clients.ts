/**
 * Device.DHCPv4.Server.Pool.{i}.Client.{i}. on generic Linux (TR-181 DHCPv4ServerClientInfo:1):
 * the leases of the agent's dnsmasq (its lease file in the data directory) whose address lies in
 * the pool's subnet, served as on OpenWrt (platform/dhcpv4-lease-clients.ts).
 */
import { readFile } from 'node:fs/promises';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { inSubnet, parseIPv4 } from '../simulated/ipv4.js';
import { type DhcpLease, parseLeases } from '../dnsmasq-leases.js';
import { registerLeaseClients } from '../dhcpv4-lease-clients.js';
import { poolMask, type PoolConf } from './dnsmasq-conf.js';

/** The Client.{i} numbering (one per MAC address, whatever the pool), for Hosts.Host.{i}.DHCPClient. */
export interface Dhcpv4Clients {
  /** The Client row path of `mac` ("Device.DHCPv4.Server.Pool.1.Client.3"), when it holds a lease now. */
  pathOf(mac: string): Promise<string | undefined>;
}

export interface ClientSources {
  leaseFile: string;
  pools(): number[];
  poolOf(n: number): Promise<PoolConf>;
  now(): number;
}

/** Whether `ip` is a host of pool `p`'s subnet (its MinAddress under its mask). */
function inPool(p: PoolConf, ip: string): boolean {
  const a = parseIPv4(ip);
  const min = parseIPv4(String(p.values.MinAddress ?? ''));
  const mask = poolMask(p);
  return a !== undefined && min !== undefined && mask !== undefined && inSubnet(a, min, mask);
}

/** Serves Pool.{i}.Client.{i}. with its IPv4Address.{i}. and Option.{i}. */
export function registerDhcpv4Clients(model: DataModel, src: ClientSources): Dhcpv4Clients {
  const leases = async (): Promise<DhcpLease[]> => parseLeases(await readFile(src.leaseFile, 'utf8').catch(() => ''));
  const leasesIn = async (p: number | undefined, all?: readonly DhcpLease[]): Promise<DhcpLease[]> => {
    if (p === undefined || !src.pools().includes(p)) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such DHCPv4 pool: ${String(p)}`);
    const pool = await src.poolOf(p);
    return (all ?? (await leases())).filter((l) => inPool(pool, l.ip));
  };
  const clients = registerLeaseClients(model, { leasesIn: (p) => leasesIn(p), now: src.now });
  return {
    async pathOf(mac) {
      const all = await leases();
      for (const p of src.pools()) if ((await leasesIn(p, all)).some((l) => l.mac === mac)) return `Device.DHCPv4.Server.Pool.${p}.Client.${clients.numberOf(mac)}`;
      return undefined;
    },
  };
}
