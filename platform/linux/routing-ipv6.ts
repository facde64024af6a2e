/**
 * Device.Routing.Router.1.IPv6Forwarding.{i} of a Linux host (TR-181 IPv6Routing:1): the IPv6
 * unicast, blackhole, unreachable and prohibit routes of the kernel's main table, from one
 * `ip -6 -json route show table main` per cacheMs. A row is known by destination, next hop,
 * device, metric and type, as IPv4Forwarding's (routing.ts), and keeps its number while the agent
 * runs.
 *
 * Static routes are written back (Add, Set and Delete, `ip -6 route add/replace/del ... proto
 * static`, route-set.ts) when their Interface is one the agent manages; routes the kernel, router
 * advertisements, a DHCPv6 client or a routing daemon made are read-only (Set, Delete: 7002). A
 * static row switched off (Enable false) is kept by the agent (route-held.ts): Status Disabled.
 *
 * ForwardingPolicy as IPv4Forwarding's (routing.ts, policy-routing.ts): a row of policy N is a
 * route of the agent's table for N, chosen by an `ip -6 rule` on the packet mark; -1 the main table.
 *
 * Rows of a Router a Controller added are the routes of its table, as IPv4Forwarding's (routing.ts).
 *
 * DestIPPrefix of the default route is `::/0`; a host route is `ADDR/128`. ExpirationTime is
 * when a route learnt from an RA expires, the Infinite Time for one that does not.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { Value } from '../../datamodel/value/Value.js';
import { sourceError } from '../exec/CommandError.js';
import type { LinuxContext } from './LinuxContext.js';
import { dateTime, INFINITE_TIME } from './net-status.js';
import { heldKey, HeldRoutes, type HeldRoute } from './route-held.js';
import { routeKey, routeTableWrites, tableOfPolicy } from './route-table.js';
import { policyOfTable } from './policy-routing.js';
import { ifnameOf, MAIN_ROUTER_ONLY, parseIpRoutes, routerParams, type IpRoute, type RouterTables } from './routing.js';

/** An IPv6 route as `ip -6 -json route` shows it: IpRoute, and seconds left for a route with a lifetime. */
export interface Ip6Route extends IpRoute {
  expires?: number;
}

/** The iproute2 call every IPv6Forwarding row reads. */
export const IP6_ROUTE_ARGS = ['-6', '-json', 'route', 'show', 'table', 'all'] as const;

/** The metric `ip -6 route add` gives a route that names none (and `ip -json` then shows). */
export const IP6_DEFAULT_METRIC = 1024;

const TYPES: Readonly<Record<string, string>> = { unicast: 'Normal', blackhole: 'Blackhole', unreachable: 'Unreachable', prohibit: 'Prohibit' };
/** Who made a route, as TR-181 Origin says it; the rest (kernel, routing daemons) read as Static. */
const ORIGINS: Readonly<Record<string, string>> = { ra: 'RA', dhcp: 'DHCPv6', ospf: 'OSPF', ripng: 'RIPng' };

/** `dst` of `ip -6 route` as TR-181 DestIPPrefix: `::/0` for the default route, `/128` for a host route. */
export function destPrefix(dst: string): string {
  if (dst === 'default') return '::/0';
  return dst.includes('/') ? dst : `${dst}/128`;
}

/**
 * An IPv6 address in the one form `ip -json` prints (RFC 5952: lower case, longest zero run
 * compressed), so a row added as `2001:DB8:0::/48` is found again under its key; undefined when
 * `text` is no IPv6 address.
 */
export function canonicalIPv6(text: string): string | undefined {
  if (!text.includes(':') || /[[\]/%]/.test(text)) return undefined;
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}

/** What a Set can change of an IPv6Forwarding row (Type stays Normal: 7013). */
const WRITABLE: readonly string[] = ['Enable', 'DestIPPrefix', 'ForwardingPolicy', 'NextHop', 'Interface', 'ForwardingMetric'];
/** Where an Add starts from: the default route, no next hop, ip's metric, the main table. */
const NEW_ROUTE: Ip6Route = { dst: 'default', metric: IP6_DEFAULT_METRIC, protocol: 'static' };

/** An IPv6Forwarding row's values of route `r` read at `at`, as the kernel holds it or the agent does (`held`). */
function rowValues(r: Ip6Route, at: number, ifNumber: number | undefined, held: HeldRoute | undefined): Record<string, Value> {
  return {
    Enable: held ? held.enable : true,
    Status: held ? (held.enable ? 'Error' : 'Disabled') : 'Enabled',
    Type: TYPES[r.type ?? 'unicast'],
    DestIPPrefix: destPrefix(r.dst),
    ForwardingPolicy: policyOfTable(r.table),
    NextHop: r.gateway ?? '',
    Interface: ifNumber === undefined ? '' : `Device.IP.Interface.${ifNumber}`,
    Origin: ORIGINS[r.protocol ?? ''] ?? 'Static',
    ForwardingMetric: r.metric ?? 0,
    ExpirationTime: typeof r.expires === 'number' ? dateTime(at + r.expires * 1000) : INFINITE_TIME,
  };
}

/** What one `ip -6 -json route show table all` (cached for cacheMs) holds: every route by routeKey, and when it was read. */
export interface Ip6RouteRead {
  at: number;
  byKey: ReadonlyMap<string, Ip6Route>;
}

/** The routes of every IPv6 table: one call, shared by IPv6Forwarding and RouteInformation (route-information.ts). */
export async function readIp6Routes(ctx: LinuxContext): Promise<Ip6RouteRead> {
  try {
    return await ctx.runner.cached('ip', IP6_ROUTE_ARGS, ctx.cacheMs, (out) => ({
      at: ctx.now(),
      byKey: new Map((parseIpRoutes(out) as Ip6Route[]).map((r) => [routeKey(r), r])),
    }));
  } catch (e) {
    throw sourceError(e);
  }
}

/**
 * Serves Router.{i}.IPv6Forwarding.{i} (router-objects.ts serves the Router table).
 * `interfaces` are IP.Interface's instance numbers by device name; `store` keeps the rows
 * switched off (none: kept while the agent runs); `routers` says which router each route's
 * table is (default: Router.1 alone).
 */
export function registerIPv6Forwarding(ctx: LinuxContext, interfaces: InstanceMap, store?: DataStore, routers: RouterTables = MAIN_ROUTER_ONLY): void {
  const numbers = new InstanceMap();
  const held = new HeldRoutes(store, '$heldIPv6Forwarding', numbers);
  routers.onTableRemoved((table) => held.dropTable(String(table)));
  // Which routes are rows follows the routers as they are now, not as they were at the read.
  const isRow = (r: Ip6Route | undefined): r is Ip6Route => r !== undefined && routers.routerOfTable(r.table) !== undefined;
  const routes = (): Promise<Ip6RouteRead> => readIp6Routes(ctx);
  const rowPath = (keys: InstanceKeys): string => `Device.Routing.Router.${keys[0]}.IPv6Forwarding.${keys[1] ?? '{i}'}.`;
  const requireRouter = (keys: InstanceKeys): void => routers.require(keys[0]);
  const routeOf = async (keys: InstanceKeys): Promise<{ at: number; r: Ip6Route }> => {
    const key = numbers.requireKey(keys[1]);
    const { at, byKey } = await routes();
    const r = byKey.get(key);
    if (!isRow(r) || routers.routerOfTable(r.table) !== keys[0]) throw new UspError(ErrorCode.ObjectDoesNotExist, `the route ${key.split('|').slice(0, 3).join(' ')} no longer exists`);
    return { at, r };
  };

  ctx.model.register('Device.Routing.Router.{i}.IPv6Forwarding.{i}.', {
    params: ['Enable', 'Status', 'Type', 'DestIPPrefix', 'ForwardingPolicy', 'NextHop', 'Interface', 'Origin', 'ForwardingMetric', 'ExpirationTime'],
    list: async (parentKeys) => {
      requireRouter(parentKeys);
      const mine = (r: IpRoute): boolean => routers.routerOfTable(r.table) === parentKeys[0];
      // The held rows first: their numbers (from an earlier run) are claimed before the kernel's routes are numbered.
      const kept = held
        .all()
        .filter((h) => mine(h.route))
        .map((h) => heldKey(h.n));
      return numbers.list([...kept, ...[...(await routes()).byKey].filter(([, r]) => mine(r)).map(([k]) => k)]);
    },
    get: async (keys) => {
      const h = held.get(keys[1]);
      if (h && routers.routerOfTable(h.route.table) !== keys[0]) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such row: ${rowPath(keys)}`);
      const { at, r } = h ? { at: ctx.now(), r: h.route as Ip6Route } : await routeOf(keys);
      return rowValues(r, at, r.dev === undefined ? undefined : interfaces.peek(r.dev), h);
    },
    ...routeTableWrites({
      ctx,
      family: '-6',
      numbers,
      rowPath,
      requireRouter,
      routeOf: async (keys) => (await routeOf(keys)).r,
      fromParams: (params, path, [n]) => route6FromParams(routerParams(n, params, path), path, (ref) => ifnameOf(ref, interfaces, path), routers.tableOf(n!)),
      change: (r, params, path) => changeRoute6(r, routerParams(routers.routerOfTable(r.table), params, path), path, (ref) => ifnameOf(ref, interfaces, path)),
      writable: WRITABLE,
      held,
      allRoutes: async () => [...(await routes()).byKey.values()].filter(isRow),
    }),
  });
}

/** The route an Add describes, as `ip -6 -json route` will show it; Interface is required. */
function route6FromParams(params: Record<string, Value>, path: string, ifname: (ref: string) => string, table?: string): Ip6Route {
  const type = typeof params.Type === 'string' && params.Type !== '' ? params.Type : 'Normal';
  if (type !== 'Normal') throw new UspError(ErrorCode.RequestDenied, `${path}Type: only Normal routes can be added on this platform`, { path });
  tableOfPolicy(params.ForwardingPolicy, path);
  if (typeof params.Interface !== 'string' || params.Interface === '')
    throw new UspError(ErrorCode.ObjectCouldNotBeCreated, `${path}: give Interface (a Device.IP.Interface the agent manages) in the Add`, { path });
  return changeRoute6(table === undefined ? NEW_ROUTE : { ...NEW_ROUTE, table }, params, path, ifname);
}

/** Route `r` with the parameters `params` gives (an Add's, or a Set's) in place of its own, as `ip -6 -json route` will show it. */
export function changeRoute6(r: Ip6Route, params: Record<string, Value>, path: string, ifname: (ref: string) => string): Ip6Route {
  const dst = typeof params.DestIPPrefix === 'string' ? ip6Destination(params.DestIPPrefix, path) : r.dst;
  let gateway = r.gateway;
  if (typeof params.NextHop === 'string') {
    const hop = params.NextHop;
    gateway = hop === '' ? undefined : canonicalIPv6(hop);
    if (gateway === undefined && hop !== '') throw new UspError(ErrorCode.InvalidValue, `${path}NextHop: ${JSON.stringify(hop)} is not an IPv6 address`, { path });
  }
  let dev = r.dev;
  if (typeof params.Interface === 'string') {
    if (params.Interface === '') throw new UspError(ErrorCode.InvalidValue, `${path}Interface: "" names no interface: a route here goes out of a Device.IP.Interface`, { path });
    dev = ifname(params.Interface);
  }
  const metric = typeof params.ForwardingMetric === 'number' ? (params.ForwardingMetric > 0 ? params.ForwardingMetric : IP6_DEFAULT_METRIC) : r.metric;
  const policyTable = params.ForwardingPolicy === undefined ? undefined : tableOfPolicy(params.ForwardingPolicy, path);
  const table = params.ForwardingPolicy === undefined ? r.table : policyTable === undefined ? undefined : String(policyTable);
  const { expires: _, ...rest } = r;
  return { ...rest, dst, gateway, dev, metric, table, protocol: 'static' };
}

/** DestIPPrefix as `ip -6 -json route` prints a destination: `default`, `ADDR` (a /128) or `ADDR/LEN`. */
function ip6Destination(prefix: string, path: string): string {
  if (prefix === '' || prefix === '::/0') return 'default';
  const [addr, len, extra] = prefix.split('/');
  const canonical = canonicalIPv6(addr);
  const bits = len === undefined ? 128 : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (canonical === undefined || extra !== undefined || !(bits >= 0 && bits <= 128)) {
    throw new UspError(ErrorCode.InvalidValue, `${path}DestIPPrefix: ${JSON.stringify(prefix)} is not an IPv6 prefix (e.g. 2001:db8:1::/48)`, { path });
  }
  return bits === 128 ? canonical : `${canonical}/${bits}`;
}
