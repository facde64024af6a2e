/**
 * Device.Hosts. on generic Linux (TR-181 Hosts:3): the kernel's neighbour table (`ip -j neigh
 * show`, both families) with dnsmasq's DHCPv4 leases where dnsmasq runs on the host.
 *
 * - One Host.{i} per MAC address (lower case): every neighbour entry with a link-layer address,
 *   then every lease not yet expired whose client the kernel no longer lists. The kernel does not
 *   say which links are the LAN: a neighbour on every interface is a host (the WAN's gateway too).
 * - Active: the MAC has an entry whose address resolved (NUD_VALID: REACHABLE, STALE, DELAY,
 *   PROBE, PERMANENT, NOARP); a leased client with none, or only FAILED/INCOMPLETE ones, is not.
 * - IPAddress: the lease's address, else the first IPv4 neighbour address, else the first IPv6
 *   one (global before link-local). IPv4Address.{i}/IPv6Address.{i}: every address the kernel
 *   holds for the MAC (and the lease's), each row numbered by its address.
 * - HostName: the lease's (dnsmasq's "*" is no name). A lease that has expired is no longer read
 *   (expiry 0: infinite). TR-181 2.19 has no LeaseTimeRemaining on Host (it belongs to the DHCPv4
 *   server's Client rows).
 * - DHCPClient: with the agent's own dnsmasq (`--dnsmasq`, dnsmasq.ts), whose lease file is then
 *   the one read here, the Pool.{i}.Client.{i} row of a host holding a lease; else "".
 * - Layer3Interface: the IP.Interface of the device the neighbour was seen on (numbered as the
 *   IP table numbers it). Layer1Interface, AssociatedDevice: "" (generic Linux serves no Wi-Fi,
 *   and a bridge's port is not looked up).
 */
import { sourceError } from '../exec/CommandError.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { type DhcpLease, MAX_LAN_ROWS, parseLeases } from '../dnsmasq-leases.js';
import type { Dhcpv4Clients } from './dhcpv4-clients.js';
import type { LinuxContext } from './LinuxContext.js';

/** dnsmasq's lease file as Debian's and Fedora's packages configure it (`dhcp-leasefile`). */
export const DEFAULT_LEASE_FILE = '/var/lib/misc/dnsmasq.leases';

const HOST = 'Device.Hosts.Host.{i}.';
const NEIGH_ARGS = ['-j', 'neigh', 'show'];
/** The kernel's NUD_VALID states: the link-layer address is known. */
const RESOLVED = new Set(['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT', 'NOARP']);
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** One entry of `ip -j neigh show`. */
interface Neighbour {
  dst?: string;
  dev?: string;
  lladdr?: string;
  state?: string[];
}

interface Host {
  mac: string;
  dev?: string;
  active: boolean;
  ipv4: string[];
  ipv6: string[];
  lease?: DhcpLease;
}

/** The IP interfaces' numbers and devices, as registerIP gives them. */
export interface IpInterfaceNumbers {
  interfaces: InstanceMap;
  links(): Promise<ReadonlyMap<string, { ifname: string; ifindex: number }>>;
}

/** Neighbours and leases grouped by MAC, in the kernel's order (at most MAX_LAN_ROWS hosts). */
export function groupHosts(neighbours: readonly Neighbour[], leases: readonly DhcpLease[], nowS: number): Map<string, Host> {
  const hosts = new Map<string, Host>();
  for (const n of neighbours) {
    const mac = (n.lladdr ?? '').toLowerCase();
    if (!MAC.test(mac) || n.dst === undefined) continue;
    let h = hosts.get(mac);
    if (!h) {
      if (hosts.size >= MAX_LAN_ROWS) continue;
      h = { mac, dev: n.dev, active: false, ipv4: [], ipv6: [] };
      hosts.set(mac, h);
    }
    if ((n.state ?? []).some((s) => RESOLVED.has(s))) h.active = true;
    const list = n.dst.includes(':') ? h.ipv6 : h.ipv4;
    if (!list.includes(n.dst)) list.push(n.dst);
  }
  for (const lease of leases) {
    if (lease.expiry !== 0 && lease.expiry <= nowS) continue;
    let h = hosts.get(lease.mac);
    if (!h) {
      if (hosts.size >= MAX_LAN_ROWS) continue;
      h = { mac: lease.mac, active: false, ipv4: [], ipv6: [] };
      hosts.set(lease.mac, h);
    }
    h.lease = lease;
    if (!h.ipv4.includes(lease.ip)) h.ipv4.unshift(lease.ip);
  }
  for (const h of hosts.values()) h.ipv6.sort((a, b) => Number(a.toLowerCase().startsWith('fe80:')) - Number(b.toLowerCase().startsWith('fe80:')));
  return hosts;
}

/** Serves Device.Hosts. and Host.{i} with its IPv4Address.{i} and IPv6Address.{i}. */
/** `clients`: the agent's own DHCPv4 server (dnsmasq.ts), whose Client rows a leased Host's DHCPClient names. */
export function registerHosts(ctx: LinuxContext, ip: IpInterfaceNumbers, leaseFile = DEFAULT_LEASE_FILE, clients?: Dhcpv4Clients): void {
  const { model } = ctx;
  const numbers = new InstanceMap();
  const v4 = new Map<string, InstanceMap>();
  const v6 = new Map<string, InstanceMap>();
  const numbersOf = (m: Map<string, InstanceMap>, mac: string): InstanceMap => {
    let n = m.get(mac);
    if (!n) m.set(mac, (n = new InstanceMap()));
    return n;
  };

  // One reading of the neighbours and the lease file serves a whole Get (cacheMs), like `ip -j addr`.
  let cached: { at: number; hosts: Promise<Map<string, Host>> } | undefined;
  const read = (): Promise<Map<string, Host>> => {
    const now = ctx.now();
    if (!cached || now - cached.at >= ctx.cacheMs || now < cached.at) {
      const hosts = readNow();
      cached = { at: now, hosts };
      hosts.catch(() => {
        if (cached?.hosts === hosts) cached = undefined;
      });
    }
    return cached.hosts;
  };
  const readNow = async (): Promise<Map<string, Host>> => {
    let neighbours: Neighbour[];
    try {
      neighbours = await ctx.runner.json<Neighbour[]>('ip', NEIGH_ARGS, ctx.cacheMs);
    } catch (e) {
      throw sourceError(e);
    }
    // No lease file: dnsmasq does not run here (or keeps it elsewhere); the neighbours still are hosts.
    const leases = parseLeases((await ctx.files.read(leaseFile)) ?? '');
    const hosts = groupHosts(Array.isArray(neighbours) ? neighbours : [], leases, Math.floor(ctx.now() / 1000));
    numbers.list(hosts.keys());
    return hosts;
  };
  const host = async (n: number | undefined): Promise<Host> => {
    const h = (await read()).get(numbers.keyOf(n) ?? '');
    if (!h) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such host: ${n}`);
    return h;
  };
  /** The IP.Interface of `dev`, numbered as the IP table numbers its rows (ifindex order). */
  const layer3 = async (dev: string | undefined): Promise<string> => {
    if (dev === undefined) return '';
    const links = [...(await ip.links()).values()].sort((a, b) => a.ifindex - b.ifindex);
    ip.interfaces.list(links.map((l) => l.ifname));
    const n = ip.interfaces.peek(dev);
    return n === undefined || !links.some((l) => l.ifname === dev) ? '' : `Device.IP.Interface.${n}`;
  };

  model.register('Device.Hosts.', { params: [], get: () => ({}) });
  model.register(HOST, {
    params: ['PhysAddress', 'IPAddress', 'DHCPClient', 'AssociatedDevice', 'Layer1Interface', 'Layer3Interface', 'HostName', 'Active'],
    list: async () => numbers.list((await read()).keys()),
    get: async ([n]): Promise<Record<string, Value>> => {
      const h = await host(n);
      return {
        PhysAddress: h.mac,
        IPAddress: h.ipv4[0] ?? h.ipv6[0] ?? '',
        DHCPClient: h.lease && clients ? ((await clients.pathOf(h.mac)) ?? '') : '',
        AssociatedDevice: '',
        Layer1Interface: '',
        Layer3Interface: await layer3(h.dev),
        HostName: h.lease?.hostName ?? '',
        Active: h.active,
      };
    },
  });
  for (const [family, table] of [
    ['IPv4Address', v4],
    ['IPv6Address', v6],
  ] as const) {
    const addresses = (h: Host): string[] => (family === 'IPv4Address' ? h.ipv4 : h.ipv6);
    model.register(`${HOST}${family}.{i}.`, {
      params: ['IPAddress'],
      list: async ([n]) => {
        const h = await host(n);
        return numbersOf(table, h.mac).list(addresses(h));
      },
      get: async ([n, a]) => {
        const h = await host(n);
        const address = numbersOf(table, h.mac).keyOf(a);
        if (address === undefined || !addresses(h).includes(address)) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such host address: ${a}`);
        return { IPAddress: address };
      },
    });
  }
}
