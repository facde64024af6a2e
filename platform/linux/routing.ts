/**
 * Device.Routing. of a Linux host (TR-181 Routing:1, IPv4 part): Router.1 is the kernel's main
 * routing table, its IPv4Forwarding.{i} rows the IPv4 unicast, blackhole, unreachable and
 * prohibit routes of `ip -4 -json route show table main`, read once per cacheMs for every row.
 * A row is known by destination, gateway, device and metric, and keeps its number while the
 * agent runs.
 *
 * Static routes are written back (Add, Set and Delete of IPv4Forwarding rows, `ip -4 route
 * add/replace/del ... proto static`, route-set.ts) when their Interface is one the agent manages
 * (ip-write.ts); routes the kernel, a DHCP client or a routing daemon made are read-only (Set,
 * Delete: 7002). A static row switched off (Enable false) is kept by the agent with its values
 * (route-held.ts): Status Disabled, no route in the kernel.
 *
 * ForwardingPolicy (QoS:1): a row of policy N is a route of the agent's routing table for N, which
 * an ip rule selects for packets the QoS classifier marked with N (policy-routing.ts); -1 is the
 * main table. The routes of those tables are read with the main table's (`table all`, the rest
 * of it left out).
 *
 * Routers a Controller added (routers.ts, router-objects.ts) are tables of their own: the rows of
 * Router.N are the routes of its table, added and changed there (ForwardingPolicy stays -1:
 * forwarding policies choose among Router.1's tables).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { Value } from '../../datamodel/value/Value.js';
import { sourceError } from '../exec/CommandError.js';
import { maskToPrefix } from './ip-address-write.js';
import { prefixToMask } from './ip-addr.js';
import type { LinuxContext } from './LinuxContext.js';
import { policyOfTable } from './policy-routing.js';
import { heldKey, HeldRoutes, type HeldRoute } from './route-held.js';
import { routeKey, routeTableWrites, STATIC_PROTOCOLS, tableOfPolicy } from './route-table.js';
import { isIPv4 } from 'node:net';

/** One route as `ip -json route` shows it (the fields read here). */
export interface IpRoute {
  /** "default", "10.0.0.0/24" or a host address (a /32). */
  dst: string;
  gateway?: string;
  dev?: string;
  metric?: number;
  /** "kernel", "static", "dhcp", "ra", "zebra", "bird", ...; absent for "boot" (ip route add's default). */
  protocol?: string;
  /** Absent for unicast. */
  type?: string;
  /** The routing table, as `ip -json route show table all` names it; absent for main. */
  table?: string;
}

/** The iproute2 call every IPv4Forwarding row reads. */
export const IP_ROUTE_ARGS = ['-4', '-json', 'route', 'show', 'table', 'all'] as const;

/** Whether a route of `table all` is one of Router.1's rows: the main table's, or a forwarding policy's. */
export const isRouterRoute = (r: IpRoute): boolean => r.table === undefined || r.table === 'main' || policyOfTable(r.table) >= 0;

/** The routers whose rows a forwarding table serves (routers.ts): which router a route's table is, and the table of a router. */
export interface RouterTables {
  /** 7016 unless Router.{n} exists. */
  require(n: number | undefined): void;
  /** The router of a route of `table` (undefined: no router's). */
  routerOfTable(table: string | undefined): number | undefined;
  /** The table of Router.{n}'s new routes (undefined: main). */
  tableOf(n: number): string | undefined;
  /** What a Delete of a router must also drop of this table's own rows. */
  onTableRemoved(removal: (table: number) => () => void): void;
}

/** Router.1 alone: the main table and its forwarding policies' tables. */
export const MAIN_ROUTER_ONLY: RouterTables = {
  require: (n) => {
    if (n !== 1) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such router: Device.Routing.Router.${n}`);
  },
  routerOfTable: (table) => (isRouterRoute({ dst: '', table }) ? 1 : undefined),
  tableOf: () => undefined,
  onTableRemoved: () => undefined,
};

/**
 * The parameters of an Add or Set of a row of Router.{n}: a router a Controller added has one
 * table, so its rows take no ForwardingPolicy but -1 (7012); theirs is left out (the route stays
 * in the router's table).
 */
export function routerParams(n: number | undefined, params: Record<string, Value>, path: string): Record<string, Value> {
  if (n === 1 || params.ForwardingPolicy === undefined) return params;
  if (params.ForwardingPolicy !== -1) {
    throw new UspError(ErrorCode.InvalidValue, `${path}ForwardingPolicy: ${String(params.ForwardingPolicy)}: forwarding policies choose among Router.1's tables; a row of Router.${n} takes -1`, {
      path,
    });
  }
  const { ForwardingPolicy: _, ...rest } = params;
  return rest;
}

const TYPES: Readonly<Record<string, string>> = { unicast: 'Normal', blackhole: 'Blackhole', unreachable: 'Unreachable', prohibit: 'Prohibit' };
/** Who made a route, as TR-181 Origin says it; the rest (kernel, routing daemons) read as Static. */
const ORIGINS: Readonly<Record<string, string>> = { dhcp: 'DHCPv4', ppp: 'IPCP', rip: 'RIP', ospf: 'OSPF', bird: 'RIP' };

/** Parses `ip -json route` output, keeping the well-formed routes of the types TR-181 names. */
export function parseIpRoutes(json: string): IpRoute[] {
  const data: unknown = JSON.parse(json);
  if (!Array.isArray(data)) throw new Error('ip -json route: expected a JSON array');
  return (data as Array<Partial<IpRoute>>).filter((r): r is IpRoute => typeof r?.dst === 'string' && TYPES[r.type ?? 'unicast'] !== undefined);
}

/** `dst` of `ip route` as TR-181 DestIPAddress and DestSubnetMask ("" and "" for the default route). */
function destination(dst: string): { DestIPAddress: string; DestSubnetMask: string } {
  if (dst === 'default') return { DestIPAddress: '', DestSubnetMask: '' };
  const [addr, len] = dst.split('/');
  return { DestIPAddress: addr, DestSubnetMask: prefixToMask(len === undefined ? 32 : Number(len)) };
}

/** What a Set can change of an IPv4Forwarding row (Type stays Normal: 7013). */
const WRITABLE: readonly string[] = ['Enable', 'DestIPAddress', 'DestSubnetMask', 'ForwardingPolicy', 'GatewayIPAddress', 'Interface', 'ForwardingMetric'];
/** Where an Add starts from: the default route, no gateway, metric 0, the main table. */
const NEW_ROUTE: IpRoute = { dst: 'default', protocol: 'static' };

/** An IPv4Forwarding row's values of route `r`, as the kernel holds it (Enable, Status: Enabled) or the agent does (`held`). */
function rowValues(r: IpRoute, ifNumber: number | undefined, held: HeldRoute | undefined): Record<string, Value> {
  return {
    Enable: held ? held.enable : true,
    Status: held ? (held.enable ? 'Error' : 'Disabled') : 'Enabled',
    Type: TYPES[r.type ?? 'unicast'],
    StaticRoute: STATIC_PROTOCOLS.has(r.protocol ?? 'boot'),
    ...destination(r.dst),
    ForwardingPolicy: policyOfTable(r.table),
    GatewayIPAddress: r.gateway ?? '',
    Interface: ifNumber === undefined ? '' : `Device.IP.Interface.${ifNumber}`,
    Origin: ORIGINS[r.protocol ?? ''] ?? 'Static',
    ForwardingMetric: r.metric ?? 0,
  };
}

/**
 * Serves Device.Routing.Router.{i}.IPv4Forwarding (router-objects.ts serves the Router table).
 * `interfaces` are IP.Interface's instance numbers by device name (ip.ts), which the Interface
 * references use; `store` keeps the rows switched off (none: kept while the agent runs);
 * `routers` says which router each route's table is (default: Router.1 alone).
 */
export function registerRouting(ctx: LinuxContext, interfaces: InstanceMap, store?: DataStore, routers: RouterTables = MAIN_ROUTER_ONLY): void {
  const { model } = ctx;
  const numbers = new InstanceMap();
  const held = new HeldRoutes(store, '$heldIPv4Forwarding', numbers);
  routers.onTableRemoved((table) => held.dropTable(String(table)));
  const routes = async (): Promise<Map<string, IpRoute>> => {
    try {
      return await ctx.runner.cached(
        'ip',
        IP_ROUTE_ARGS,
        ctx.cacheMs,
        (out) =>
          new Map(
            parseIpRoutes(out)
              .filter((r) => r.table !== 'local')
              .map((r) => [routeKey(r), r]),
          ),
      );
    } catch (e) {
      throw sourceError(e);
    }
  };
  const routeOf = async (keys: InstanceKeys): Promise<IpRoute> => {
    const key = numbers.requireKey(keys[1]);
    const r = (await routes()).get(key);
    // Which routes are rows follows the routers as they are now, not as they were at the read.
    if (!r || routers.routerOfTable(r.table) !== keys[0]) throw new UspError(ErrorCode.ObjectDoesNotExist, `the route ${key.split('|').slice(0, 3).join(' ')} no longer exists`);
    return r;
  };
  const requireRouter = (keys: InstanceKeys): void => routers.require(keys[0]);
  const rowPath = (keys: InstanceKeys): string => `Device.Routing.Router.${keys[0]}.IPv4Forwarding.${keys[1] ?? '{i}'}.`;

  model.register('Device.Routing.Router.{i}.IPv4Forwarding.{i}.', {
    params: ['Enable', 'Status', 'Type', 'StaticRoute', 'DestIPAddress', 'DestSubnetMask', 'ForwardingPolicy', 'GatewayIPAddress', 'Interface', 'Origin', 'ForwardingMetric'],
    list: async (parentKeys) => {
      requireRouter(parentKeys);
      const mine = (r: IpRoute): boolean => routers.routerOfTable(r.table) === parentKeys[0];
      // The held rows first: their numbers (from an earlier run) are claimed before the kernel's routes are numbered.
      const kept = held
        .all()
        .filter((h) => mine(h.route))
        .map((h) => heldKey(h.n));
      return numbers.list([...kept, ...[...(await routes())].filter(([, r]) => mine(r)).map(([k]) => k)]);
    },
    get: async (keys) => {
      const h = held.get(keys[1]);
      if (h && routers.routerOfTable(h.route.table) !== keys[0]) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such row: ${rowPath(keys)}`);
      const r = h?.route ?? (await routeOf(keys));
      return rowValues(r, r.dev === undefined ? undefined : interfaces.peek(r.dev), h);
    },
    ...routeTableWrites({
      ctx,
      family: '-4',
      numbers,
      rowPath,
      requireRouter,
      routeOf,
      fromParams: (params, path, [n]) => routeFromParams(routerParams(n, params, path), path, (ref) => ifnameOf(ref, interfaces, path), routers.tableOf(n!)),
      change: (r, params, path) => changeRoute(r, routerParams(routers.routerOfTable(r.table), params, path), path, (ref) => ifnameOf(ref, interfaces, path)),
      writable: WRITABLE,
      held,
      allRoutes: async () => [...(await routes()).values()].filter((r) => routers.routerOfTable(r.table) !== undefined),
    }),
  });
}

/** The route an Add describes; Interface is required (the agent changes only managed interfaces' routes). */
function routeFromParams(params: Record<string, Value>, path: string, ifname: (ref: string) => string, table?: string): IpRoute {
  const type = typeof params.Type === 'string' && params.Type !== '' ? params.Type : 'Normal';
  if (type !== 'Normal') throw new UspError(ErrorCode.RequestDenied, `${path}Type: only Normal routes can be added on this platform`, { path });
  if (typeof params.Interface !== 'string' || params.Interface === '')
    throw new UspError(ErrorCode.ObjectCouldNotBeCreated, `${path}: give Interface (a Device.IP.Interface the agent manages) in the Add`, { path });
  return changeRoute(table === undefined ? NEW_ROUTE : { ...NEW_ROUTE, table }, params, path, ifname);
}

/**
 * Route `r` with the parameters `params` gives (an Add's, or a Set's) in place of its own, as
 * `ip -json route` will show it: a host route without /32, so the row is found under its key.
 */
export function changeRoute(r: IpRoute, params: Record<string, Value>, path: string, ifname: (ref: string) => string): IpRoute {
  const now = destination(r.dst);
  const text = (name: string, current: string): string => (typeof params[name] === 'string' ? (params[name] as string) : current);
  const bad = (name: string, value: string, why: string): UspError => new UspError(ErrorCode.InvalidValue, `${path}${name}: ${JSON.stringify(value)} ${why}`, { path });
  const dest = text('DestIPAddress', now.DestIPAddress);
  if (dest !== '' && !isIPv4(dest)) throw bad('DestIPAddress', dest, 'is not an IPv4 address');
  const mask = text('DestSubnetMask', now.DestSubnetMask);
  const prefix = mask === '' ? 32 : maskToPrefix(mask, path);
  const gateway = text('GatewayIPAddress', r.gateway ?? '');
  if (gateway !== '' && !isIPv4(gateway)) throw bad('GatewayIPAddress', gateway, 'is not an IPv4 address');
  let dev = r.dev;
  if (typeof params.Interface === 'string') {
    if (params.Interface === '') throw bad('Interface', '', 'names no interface: a route here goes out of a Device.IP.Interface');
    dev = ifname(params.Interface);
  }
  const metric = typeof params.ForwardingMetric === 'number' ? (params.ForwardingMetric > 0 ? params.ForwardingMetric : undefined) : r.metric;
  const policyTable = params.ForwardingPolicy === undefined ? undefined : tableOfPolicy(params.ForwardingPolicy, path);
  const table = params.ForwardingPolicy === undefined ? r.table : policyTable === undefined ? undefined : String(policyTable);
  return {
    ...r,
    dst: dest === '' ? 'default' : prefix === 32 ? dest : `${dest}/${prefix}`,
    gateway: gateway === '' ? undefined : gateway,
    dev,
    metric,
    table,
    protocol: 'static',
  };
}

/** The device name behind a `Device.IP.Interface.N` reference (7012 when it names no row). */
export function ifnameOf(ref: string, interfaces: InstanceMap, path: string): string {
  const m = /^Device\.IP\.Interface\.(\d+)\.?$/.exec(ref);
  const name = m ? interfaces.keyOf(Number(m[1])) : undefined;
  if (name === undefined) throw new UspError(ErrorCode.InvalidValue, `${path}Interface: ${JSON.stringify(ref)} names no IP.Interface`, { path });
  return name;
}
