/**
 * Device.DHCPv4.Server.Pool.{i}.Client.{i}. (TR-181 DHCPv4ServerClientInfo:1) from dnsmasq's
 * leases, for every platform whose DHCPv4 server is a dnsmasq (OpenWrt's, and the one generic
 * Linux runs itself): the leases whose address lies in the pool's subnet, one Client per MAC
 * address, numbered on first sight across pools (so Hosts.Host.{i}.DHCPClient can name one).
 *
 * - Chaddr: the lease's MAC; Active: the lease has not ended (dnsmasq drops ended leases from its
 *   file at its next write, so a row may read false briefly before it goes).
 * - IPv4Address.{1}: the leased address; LeaseTimeRemaining the lease's end (TR-181 makes it a
 *   dateTime; the TR-106 infinite time for an infinite lease).
 * - Option.{i}: what the lease file keeps of what the client sent: 61 (client identifier) and
 *   12 (host name), hexBinary as they came.
 * - Alias: kept by the agent while the client has a lease ("cpe-<n>" until written).
 */
import { ErrorCode, UspError } from '../datamodel/UspError.js';
import type { DataModel } from '../datamodel/tree/DataModel.js';
import { InstanceMap } from '../datamodel/tree/InstanceMap.js';
import { dateTimeOf, INFINITE_TIME } from '../datamodel/value/Value.js';
import { type DhcpLease, hexOfColons, hexOfText } from './dnsmasq-leases.js';

const CLIENT = 'Device.DHCPv4.Server.Pool.{i}.Client.{i}.';

/** Where the Client rows come from. */
export interface PoolLeaseSource {
  /** The leases whose address lies in pool `pool`'s subnet; throws ObjectDoesNotExist when there is no such pool. */
  leasesIn(pool: number | undefined): Promise<readonly DhcpLease[]>;
  /** Wall clock in ms since the epoch. */
  now(): number;
}

function noSuch(what: string, n: number | undefined): UspError {
  return new UspError(ErrorCode.ObjectDoesNotExist, `no such ${what}: ${String(n)}`);
}

/** The options of a lease a Client row lists, as [Tag, hexBinary Value]. */
function optionsOf(l: DhcpLease): Array<[number, string]> {
  return [...(l.clientId ? [[61, hexOfColons(l.clientId)] as [number, string]] : []), ...(l.hostName ? [[12, hexOfText(l.hostName)] as [number, string]] : [])];
}

/**
 * Serves Pool.{i}.Client.{i}. with its IPv4Address.{i}. and Option.{i}. Returns the Client
 * numbering (one number per MAC address, whatever the pool).
 */
export function registerLeaseClients(model: DataModel, src: PoolLeaseSource): InstanceMap {
  const clients = new InstanceMap();
  const aliases = new Map<string, string>();
  /** The pool's leases by MAC (the first lease of each), numbered on first sight. */
  const leasesOf = async (p: number | undefined): Promise<Map<string, DhcpLease>> => {
    const out = new Map<string, DhcpLease>();
    for (const l of await src.leasesIn(p)) if (!out.has(l.mac)) out.set(l.mac, l);
    // Numbered here, not only when listed: a Get of a path a Controller already knows finds it.
    for (const m of out.keys()) clients.numberOf(m);
    return out;
  };
  const lease = async ([p, n]: readonly number[]): Promise<DhcpLease> => {
    const l = (await leasesOf(p)).get(clients.keyOf(n) ?? '');
    if (!l) throw noSuch('DHCPv4 client', n);
    return l;
  };

  model.register(CLIENT, {
    params: ['Alias', 'Chaddr', 'Active'],
    list: async ([p]) => clients.list((await leasesOf(p)).keys()),
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
      if (keys[2] !== 1) throw noSuch('leased address', keys[2]);
      return { IPAddress: l.ip, LeaseTimeRemaining: l.expiry === 0 ? INFINITE_TIME : dateTimeOf(l.expiry * 1000) };
    },
  });
  model.register(`${CLIENT}Option.{i}.`, {
    params: ['Tag', 'Value'],
    list: async (keys) => optionsOf(await lease(keys)).map((_, i) => i + 1),
    get: async (keys) => {
      const o = optionsOf(await lease(keys))[keys[2]! - 1];
      if (!o) throw noSuch('client option', keys[2]);
      return { Tag: o[0], Value: o[1] };
    },
  });
  return clients;
}
