/**
 * Device.Hosts. on OpenWrt (TR-181 Hosts:3): the LAN devices the router knows, from dnsmasq's
 * lease file, the kernel's ARP table (/proc/net/arp) and its IPv6 neighbours (`ip -6 neigh show`,
 * lan-neighbours.ts), one Host.{i} per MAC address (the table's unique key), numbered the first
 * time it is seen. Only neighbours on the devices of interfaces whose DHCP pool is enabled count:
 * that is the LAN (the WAN's neighbour, the ISP's gateway, is no host), and the router's own
 * addresses (local entries of the bridge's forwarding database) are no host either.
 *
 * - PhysAddress: the MAC; IPAddress: the ARP table's address while it resolves, else the lease's,
 *   else (an IPv6-only host) its first IPv6 address that is not link-local.
 * - Active: the ARP entry resolved (ATF_COM) or an IPv6 neighbour entry has a link-layer address
 *   (not FAILED or INCOMPLETE): the device answered recently. A lease alone (device switched off) is an inactive host.
 * - HostName: the name the client sent in its DHCP request ("" if none).
 * - DHCPClient: its row under DHCPv4.Server.Pool.{i}.Client.{i} while it holds a lease.
 * - Layer3Interface: the IP.Interface whose netifd l3_device the ARP entry is on, else the
 *   lease's pool's interface.
 * - AssociatedDevice: the WiFi.AccessPoint.{i}.AssociatedDevice.{i} row with its MAC (the Wi-Fi
 *   providers' own rows, read through the model), "" for a wired host.
 * - Layer1Interface: for a Wi-Fi station its AccessPoint's SSIDReference; else the bridge port the
 *   forwarding database last saw the MAC on, as its Ethernet.Interface; "" when neither tells.
 * - IPv4Address.{i}: its one address (instance 1). IPv6Address.{i}: each address of its IPv6
 *   neighbour entries (link-local and global), numbered by address. None without the `ip` tool
 *   (not in OpenWrt's default image: install ip-tiny or ip-full).
 *
 * Not served: InterfaceType (TR-181 deprecates it; Layer1Interface says it).
 */
import type { RequestContext } from '../../datamodel/tree/binding.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { noSuchInstance } from './convert.js';
import type { DhcpLease } from '../dnsmasq-leases.js';
import type { DhcpState } from './DhcpState.js';
import { readPools } from './dhcpv4-server.js';
import { poolEnabled, serverDisabled } from './dhcpv4-server-enable.js';
import type { PoolClients } from './dhcpv4-pool-tables.js';
import type { EthernetLinks } from './ethernet.js';
import type { IPInterfaces } from './ip.js';
import { ipv4ToNumber } from '../dnsmasq-leases.js';
import { stringOption } from './uci-show.js';

const HOST = 'Device.Hosts.Host.{i}.';

interface HostRow {
  mac: string;
  ip: string;
  active: boolean;
  /** The kernel device of the ARP (or IPv6 neighbour) entry. */
  device?: string;
  lease?: DhcpLease;
  /** Its IPv6 neighbour addresses, in the kernel's order. */
  ipv6: string[];
}

/** A Wi-Fi station: its AssociatedDevice row and the SSID it is associated with. */
interface Station {
  path: string;
  ssid: string;
}

/** Serves Device.Hosts.Host.{i}. with its IPv4Address and IPv6Address tables. */
export function registerHosts(state: DhcpState, ip: IPInterfaces, clients: PoolClients, ethernet: EthernetLinks): void {
  const { model } = state.ctx;
  const hosts = new InstanceMap();
  /** IPv6Address.{i} of each host, numbered by address. */
  const v6 = new Map<string, InstanceMap>();
  const v6Of = (mac: string): InstanceMap => {
    let m = v6.get(mac);
    if (!m) v6.set(mac, (m = new InstanceMap()));
    return m;
  };

  const read = async (): Promise<Map<string, HostRow>> => {
    const [leases, arp, neighbours, { pools, config }] = await Promise.all([state.leases(), state.arp(), state.ipv6Neighbours(), readPools(state)]);
    // The LAN is where dnsmasq serves DHCP (its pools' own Enable, also while Server.Enable is
    // false): the WAN's neighbours (the ISP's gateway) are no hosts.
    const off = serverDisabled(config);
    const lan = new Set([...pools.values()].filter((p) => p.net && poolEnabled(p.section, off)).map((p) => p.net!.iface.l3_device ?? p.net!.iface.device));
    const own = new Set<string>();
    for (const device of lan) if (device) for (const e of await state.fdb(device)) if (e.local) own.add(e.mac);
    const out = new Map<string, HostRow>();
    for (const a of arp) if (lan.has(a.device) && !out.has(a.mac)) out.set(a.mac, { mac: a.mac, ip: a.ip, active: a.complete, device: a.device, ipv6: [] });
    for (const l of leases) {
      const h = out.get(l.mac);
      if (h) h.lease = l;
      else out.set(l.mac, { mac: l.mac, ip: l.ip, active: false, lease: l, ipv6: [] });
    }
    for (const n of neighbours) {
      if (!lan.has(n.device) || own.has(n.mac)) continue;
      let h = out.get(n.mac);
      if (!h) out.set(n.mac, (h = { mac: n.mac, ip: '', active: false, device: n.device, ipv6: [] }));
      if (!h.ipv6.includes(n.ip)) h.ipv6.push(n.ip);
      h.active = true;
      h.device ??= n.device;
    }
    for (const h of out.values()) if (h.ip === '') h.ip = h.ipv6.find((a) => !/^fe80:/i.test(a)) ?? h.ipv6[0] ?? '';
    hosts.list(out.keys());
    return out;
  };

  /** Every Wi-Fi station by MAC, from the Wi-Fi providers' rows; none when Wi-Fi cannot be read. */
  const stations = async (rc: RequestContext): Promise<Map<string, Station>> => {
    const out = new Map<string, Station>();
    const aps = model.bindingAt('Device.WiFi.AccessPoint.{i}.');
    const assoc = model.bindingAt('Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.');
    if (!aps?.list || !assoc?.list) return out;
    try {
      for (const ap of await aps.list([], rc)) {
        const ssid = String((await aps.get([ap], rc)).SSIDReference ?? '');
        for (const n of await assoc.list([ap], rc)) {
          const station = String((await assoc.get([ap, n], rc)).MACAddress ?? '').toLowerCase();
          if (station && !out.has(station)) out.set(station, { path: `Device.WiFi.AccessPoint.${ap}.AssociatedDevice.${n}`, ssid });
        }
      }
    } catch (e) {
      state.ctx.log.debug('no Wi-Fi stations for Hosts', { error: e instanceof Error ? e.message : String(e) });
    }
    return out;
  };
  /** The Ethernet.Interface of the bridge port the forwarding database last saw the host on. */
  const wiredPort = async (h: HostRow): Promise<string> => {
    if (!h.device) return '';
    const port = (await state.fdb(h.device)).find((e) => e.mac === h.mac && !e.local)?.device;
    return port ? ethernet.interfacePath(port) : '';
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
    params: ['PhysAddress', 'IPAddress', 'DHCPClient', 'AssociatedDevice', 'Layer1Interface', 'Layer3Interface', 'HostName', 'Active'],
    list: async () => hosts.list((await read()).keys()),
    get: async ([n], rc) => {
      const h = await host(n);
      const client = await dhcpClient(h);
      const station = (await stations(rc)).get(h.mac);
      return {
        PhysAddress: h.mac,
        IPAddress: h.ip,
        DHCPClient: client.path,
        AssociatedDevice: station?.path ?? '',
        Layer1Interface: station?.ssid ?? (await wiredPort(h)),
        Layer3Interface: await layer3(h, client.iface),
        HostName: h.lease?.hostName ?? '',
        Active: h.active,
      };
    },
  });
  model.register(`${HOST}IPv6Address.{i}.`, {
    params: ['IPAddress'],
    list: async ([n]) => {
      const h = await host(n);
      return v6Of(h.mac).list(h.ipv6);
    },
    get: async ([n, a]) => {
      const h = await host(n);
      const address = v6Of(h.mac).keyOf(a);
      if (address === undefined || !h.ipv6.includes(address)) throw noSuchInstance('host IPv6 address', a);
      return { IPAddress: address };
    },
  });
  model.register(`${HOST}IPv4Address.{i}.`, {
    params: ['IPAddress'],
    list: async ([n]) => {
      const h = await host(n);
      return ipv4ToNumber(h.lease?.ip ?? h.ip) === undefined ? [] : [1];
    },
    get: async ([n, a]) => {
      const h = await host(n);
      const address = ipv4ToNumber(h.ip) === undefined ? h.lease?.ip : h.ip;
      if (a !== 1 || address === undefined) throw noSuchInstance('host address', a);
      return { IPAddress: address };
    },
  });
}
