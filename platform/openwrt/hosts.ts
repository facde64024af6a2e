/**
 * Device.Hosts. on OpenWrt: the LAN devices the router knows, from dnsmasq's lease file and the
 * kernel's ARP table (/proc/net/arp), one Host.{i} per MAC address (the table's unique key),
 * numbered the first time it is seen. Only ARP entries on the devices of interfaces whose DHCP
 * pool is enabled count: that is the LAN (the WAN's neighbour, the ISP's gateway, is no host).
 *
 * - PhysAddress: the MAC; IPAddress: the ARP table's address while it resolves, else the lease's.
 * - Active: the ARP entry resolved (ATF_COM): the device answered recently. A lease alone
 *   (device switched off) is an inactive host.
 * - HostName: the name the client sent in its DHCP request ("" if none).
 * - DHCPClient: its row under DHCPv4.Server.Pool.{i}.Client.{i} while it holds a lease.
 * - Layer3Interface: the IP.Interface whose netifd l3_device the ARP entry is on, else the
 *   lease's pool's interface.
 * - IPv4Address.{i}: its one address (instance 1).
 *
 * Not served, for want of a source on a stock OpenWrt: IPv6 addresses (no /proc file holds the
 * IPv6 neighbours and the `ip` tool is not in the default image), Layer1Interface (the bridge's
 * forwarding database), AssociatedDevice and InterfaceType.
 */
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { noSuchInstance } from './convert.js';
import type { DhcpLease } from './dhcp-leases.js';
import type { DhcpState } from './DhcpState.js';
import { readPools } from './dhcpv4-server.js';
import type { PoolClients } from './dhcpv4-pool-tables.js';
import type { IPInterfaces } from './ip.js';
import { ipv4ToNumber } from './dhcp-leases.js';
import { stringOption, uciBool } from './uci-show.js';

const HOST = 'Device.Hosts.Host.{i}.';

interface HostRow {
  mac: string;
  ip: string;
  active: boolean;
  /** The kernel device of the ARP entry. */
  device?: string;
  lease?: DhcpLease;
}

/** Serves Device.Hosts.Host.{i}. and Host.{i}.IPv4Address.{i}. */
export function registerHosts(state: DhcpState, ip: IPInterfaces, clients: PoolClients): void {
  const { model } = state.ctx;
  const hosts = new InstanceMap();

  const read = async (): Promise<Map<string, HostRow>> => {
    const [leases, arp, { pools }] = await Promise.all([state.leases(), state.arp(), readPools(state)]);
    // The LAN is where dnsmasq serves DHCP: the WAN's neighbours (the ISP's gateway) are no hosts.
    const lan = new Set([...pools.values()].filter((p) => p.net && !uciBool(p.section.options.ignore, false)).map((p) => p.net!.iface.l3_device ?? p.net!.iface.device));
    const out = new Map<string, HostRow>();
    for (const a of arp) if (lan.has(a.device) && !out.has(a.mac)) out.set(a.mac, { mac: a.mac, ip: a.ip, active: a.complete, device: a.device });
    for (const l of leases) {
      const h = out.get(l.mac);
      if (h) h.lease = l;
      else out.set(l.mac, { mac: l.mac, ip: l.ip, active: false, lease: l });
    }
    hosts.list(out.keys());
    return out;
  };
  const host = async (n: number | undefined): Promise<HostRow> => {
    const h = (await read()).get(hosts.keyOf(n) ?? '');
    if (!h) throw noSuchInstance('host', n);
    return h;
  };

  /** The pool and Client row of a lease. */
  const dhcpClient = async (h: HostRow): Promise<{ path: string; iface?: string }> => {
    if (!h.lease) return { path: '' };
    const { pools } = await readPools(state);
    const address = ipv4ToNumber(h.lease.ip) ?? 0;
    for (const [name, view] of pools) {
      if (!view.net || address <= view.net.base || address >= view.net.broadcast) continue;
      const p = state.pools.numberOf(name);
      return { path: `Device.DHCPv4.Server.Pool.${p}.Client.${clients.numberOf(h.mac)}`, iface: stringOption(view.section.options.interface) };
    }
    return { path: '' };
  };
  const layer3 = async (h: HostRow, poolIface: string | undefined): Promise<string> => {
    if (h.device) {
      const networks = await state.networks();
      for (const net of networks.values()) if (net.iface.l3_device === h.device) return ip.pathOf(net.iface.interface);
    }
    return poolIface ? ip.pathOf(poolIface) : '';
  };

  model.register(HOST, {
    params: ['PhysAddress', 'IPAddress', 'DHCPClient', 'Layer3Interface', 'HostName', 'Active'],
    list: async () => hosts.list((await read()).keys()),
    get: async ([n]) => {
      const h = await host(n);
      const client = await dhcpClient(h);
      return {
        PhysAddress: h.mac,
        IPAddress: h.ip,
        DHCPClient: client.path,
        Layer3Interface: await layer3(h, client.iface),
        HostName: h.lease?.hostName ?? '',
        Active: h.active,
      };
    },
  });
  model.register(`${HOST}IPv4Address.{i}.`, {
    params: ['IPAddress'],
    list: async ([n]) => {
      await host(n);
      return [1];
    },
    get: async ([n, a]) => {
      const h = await host(n);
      if (a !== 1) throw noSuchInstance('host address', a);
      return { IPAddress: h.ip };
    },
  });
}
