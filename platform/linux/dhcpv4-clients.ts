/**
 * Device.DHCPv4.Server.Pool.{i}.Client.{i}. on generic Linux (TR-181 DHCPv4ServerClientInfo:1):
 * the leases of the agent's dnsmasq (its lease file in the data directory) whose address lies in
 * the pool's subnet, one Client per MAC address, as on OpenWrt:
 *
 * - Chaddr: the lease's MAC; Active: the lease has not ended (dnsmasq drops ended leases from
 *   its file at its next write, so a row may read false briefly before it goes).
 * - IPv4Address.{1}: the leased address; LeaseTimeRemaining the lease's end (TR-181 makes it a
 *   dateTime; 9999-12-31T23:59:59Z for an infinite lease).
 * - Option.{i}: what the lease file keeps of what the client sent: 61 (client identifier) and
 *   12 (host name), hexBinary as they came.
 * - Alias: kept by the agent while the client has a lease ("cpe-<n>" until written).
 */
import { readFile } from 'node:fs/promises';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { dateTimeOf } from '../../datamodel/value/Value.js';
import { inSubnet, parseIPv4 } from '../simulated/ipv4.js';
import { type DhcpLease, hexOfColons, hexOfText, parseLeases } from '../openwrt/dhcp-leases.js';
import { INFINITE_TIME } from '../openwrt/convert.js';
import { poolMask, type PoolConf } from './dnsmasq-conf.js';

const CLIENT = 'Device.DHCPv4.Server.Pool.{i}.Client.{i}.';

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

function noClient(n: number | undefined): UspError {
  return new UspError(ErrorCode.ObjectDoesNotExist, `no such DHCPv4 client: ${String(n)}`);
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
  const clients = new InstanceMap();
  const aliases = new Map<string, string>();
  const leases = async (): Promise<DhcpLease[]> => parseLeases(await readFile(src.leaseFile, 'utf8').catch(() => ''));
  /** The pool's leases by MAC, numbered on first sight. */
  const leasesOf = async (p: number, all?: DhcpLease[]): Promise<Map<string, DhcpLease>> => {
    const pool = await src.poolOf(p);
    const out = new Map<string, DhcpLease>();
    for (const l of all ?? (await leases())) if (inPool(pool, l.ip) && !out.has(l.mac)) out.set(l.mac, l);
    for (const m of out.keys()) clients.numberOf(m);
    return out;
  };
  const lease = async ([p, n]: readonly number[]): Promise<DhcpLease> => {
    if (!src.pools().includes(p!)) throw noClient(n);
    const l = (await leasesOf(p!)).get(clients.keyOf(n) ?? '');
    if (!l) throw noClient(n);
    return l;
  };
  const options = (l: DhcpLease): Array<[number, string]> => [
    ...(l.clientId ? [[61, hexOfColons(l.clientId)] as [number, string]] : []),
    ...(l.hostName ? [[12, hexOfText(l.hostName)] as [number, string]] : []),
  ];

  model.register(CLIENT, {
    params: ['Alias', 'Chaddr', 'Active'],
    list: async ([p]) => [...(await leasesOf(p!)).keys()].map((m) => clients.numberOf(m)).sort((a, b) => a - b),
    get: async (keys) => {
      const l = await lease(keys);
      return { Alias: aliases.get(l.mac) ?? `cpe-${keys[1]!}`, Chaddr: l.mac, Active: l.expiry === 0 || l.expiry * 1000 > src.now() };
    },
    set: async (keys, changes) => {
      const l = await lease(keys);
      if (typeof changes.Alias === 'string') aliases.set(l.mac, changes.Alias);
    },
  });
  model.register(`${CLIENT}IPv4Address.{i}.`, {
    params: ['IPAddress', 'LeaseTimeRemaining'],
    list: async (keys) => {
      await lease(keys);
      return [1];
    },
    get: async (keys) => {
      const l = await lease(keys);
      if (keys[2] !== 1) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such leased address: ${String(keys[2])}`);
      return { IPAddress: l.ip, LeaseTimeRemaining: l.expiry === 0 ? INFINITE_TIME : dateTimeOf(l.expiry * 1000) };
    },
  });
  model.register(`${CLIENT}Option.{i}.`, {
    params: ['Tag', 'Value'],
    list: async (keys) => options(await lease(keys)).map((_, i) => i + 1),
    get: async (keys) => {
      const o = options(await lease(keys))[keys[2]! - 1];
      if (!o) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such client option: ${String(keys[2])}`);
      return { Tag: o[0], Value: o[1] };
    },
  });
  return {
    async pathOf(mac) {
      const all = await leases();
      for (const p of src.pools()) if ((await leasesOf(p, all)).has(mac)) return `Device.DHCPv4.Server.Pool.${p}.Client.${clients.numberOf(mac)}`;
      return undefined;
    },
  };
}
