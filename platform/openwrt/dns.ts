/**
 * Device.DNS.Client. on OpenWrt (TR-181 DNS:1, read-only), from the same cached
 * `ubus call network.interface dump` that IP.Interface reads: one Server row per address in the
 * `dns-server[]` lists, keyed by the address (DNSServer is the table's unique key), so a server
 * keeps its instance while any interface announces it. Where several interfaces announce the same
 * server (wan and wan6 from one upstream, a static server also learnt by DHCP) the row is the
 * first interface's in netifd's order: its Interface, and its `proto` for Type.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { noSuchInstance } from './convert.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { IPInterfaces } from './ip.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { InterfaceDump, NetIfStatus } from './ubus-types.js';

/** netifd `proto` → DNS.Client.Server.Type. */
const SERVER_TYPE: Record<string, string> = {
  dhcp: 'DHCPv4',
  dhcpv6: 'DHCPv6',
  static: 'Static',
  pppoe: 'IPCP',
  pppoa: 'IPCP',
  ppp: 'IPCP',
  '3g': 'IPCP',
  qmi: '3GPP-NAS',
  mbim: '3GPP-NAS',
  ncm: '3GPP-NAS',
  modemmanager: '3GPP-NAS',
  wwan: '3GPP-NAS',
};

interface ServerRow {
  iface: NetIfStatus;
  server: string;
}

export function dnsServerType(proto: string | undefined): string {
  return SERVER_TYPE[proto ?? ''] ?? 'Static';
}

/** Serves Device.DNS.Client. and Device.DNS.Client.Server.{i}. */
export function registerDNS(ctx: OpenWrtContext, ip: IPInterfaces): void {
  const { model } = ctx;
  const servers = new InstanceMap();
  const read = async (): Promise<Map<string, ServerRow>> => {
    const dump = await ctx.ubus<InterfaceDump>('network.interface', 'dump');
    const rows = new Map<string, ServerRow>();
    for (const iface of dump.interface ?? []) {
      for (const server of iface['dns-server'] ?? []) if (!rows.has(server)) rows.set(server, { iface, server });
    }
    servers.list(rows.keys()); // number in netifd's order, whatever is read first
    return rows;
  };

  model.register('Device.DNS.Client.', {
    params: ['Enable', 'Status'],
    get: () => ({ Enable: true, Status: 'Enabled' }),
  });
  model.register('Device.DNS.Client.Server.{i}.', {
    params: ['Enable', 'Status', 'DNSServer', 'Interface', 'Type'],
    list: async () => servers.list((await read()).keys()),
    get: async ([n]) => {
      const row = (await read()).get(servers.keyOf(n) ?? '');
      if (!row) throw noSuchInstance('DNS server', n);
      const values: Record<string, Value> = {
        Enable: true,
        Status: 'Enabled',
        DNSServer: row.server,
        Interface: await ip.pathOf(row.iface.interface),
        Type: dnsServerType(row.iface.proto),
      };
      return values;
    },
  });
}
