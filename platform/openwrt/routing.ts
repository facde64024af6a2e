/**
 * Device.Routing.Router.1. on OpenWrt (TR-181 Routing:1, read-only), from the same cached
 * `ubus call network.interface dump` that IP.Interface reads: one IPv4Forwarding row per IPv4
 * entry of each interface's `route[]`, keyed by interface and target/prefix length, so a route
 * keeps its instance while netifd keeps it. A default route (prefix length 0) has an empty
 * DestIPAddress and DestSubnetMask, and an on-link route (nexthop 0.0.0.0) an empty gateway, as
 * TR-181 writes them. Origin follows the interface's `proto`.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { noSuchInstance, prefixToMask } from './convert.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { IPInterfaces } from './ip.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { InterfaceDump, NetIfStatus } from './ubus-types.js';

type Route = NonNullable<NetIfStatus['route']>[number];

/** netifd `proto` → IPv4Forwarding.Origin. */
const ORIGIN: Record<string, string> = {
  dhcp: 'DHCPv4',
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

interface RouteRow {
  key: string;
  iface: NetIfStatus;
  route: Route;
}

const IPV4_RE = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Serves Device.Routing.Router.{i}. (one router, the main table) and its IPv4Forwarding.{i}. rows. */
export function registerRouting(ctx: OpenWrtContext, ip: IPInterfaces): void {
  const { model } = ctx;
  const routes = new InstanceMap();
  const read = async (): Promise<RouteRow[]> => {
    const dump = await ctx.ubus<InterfaceDump>('network.interface', 'dump');
    const rows = (dump.interface ?? []).flatMap((iface) =>
      (iface.route ?? []).filter((r) => IPV4_RE.test(r.target)).map((route) => ({ key: `${iface.interface}/${route.target}/${route.mask}`, iface, route })),
    );
    routes.list(rows.map((r) => r.key)); // number in netifd's order, whatever is read first
    return rows;
  };
  const router = (n: number | undefined): void => {
    if (n !== 1) throw noSuchInstance('router', n);
  };

  model.register('Device.Routing.Router.{i}.', {
    params: ['Enable', 'Status'],
    list: () => [1],
    get: ([n]) => {
      router(n);
      return { Enable: true, Status: 'Enabled' };
    },
    // Router 1 is the kernel's main routing table (254), whatever the numbering: its stored Alias goes with it.
    rowIdentity: ([n]) => (n === 1 ? 'table main' : undefined),
  });
  model.register('Device.Routing.Router.{i}.IPv4Forwarding.{i}.', {
    params: ['Enable', 'Status', 'DestIPAddress', 'DestSubnetMask', 'GatewayIPAddress', 'Interface', 'Origin', 'ForwardingMetric'],
    list: async ([n]) => (n === 1 ? routes.list((await read()).map((r) => r.key)) : []),
    get: async ([n, i]) => {
      router(n);
      const key = routes.keyOf(i);
      const row = (await read()).find((r) => r.key === key);
      if (!row) throw noSuchInstance('IPv4 route', i);
      const { route } = row;
      const isDefault = route.mask === 0;
      // netifd reports a metric only for routes that set one; TR-181's -1 is "not used".
      const metric = typeof route.metric === 'number' && Number.isSafeInteger(route.metric) && route.metric >= 0 && route.metric <= 0x7fffffff ? route.metric : -1;
      const values: Record<string, Value> = {
        Enable: true,
        Status: 'Enabled',
        DestIPAddress: isDefault ? '' : route.target,
        DestSubnetMask: isDefault ? '' : prefixToMask(route.mask),
        GatewayIPAddress: route.nexthop && route.nexthop !== '0.0.0.0' ? route.nexthop : '',
        Interface: await ip.pathOf(row.iface.interface),
        Origin: ORIGIN[row.iface.proto ?? ''] ?? 'Static',
        ForwardingMetric: metric,
      };
      return values;
    },
  });
}
