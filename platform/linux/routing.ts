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
 * Serves Device.Routing.Router.1 and its IPv4Forwarding table. `interfaces` are IP.Interface's
 * instance numbers by device name (ip.ts), which the Interface references use; `store` keeps the
 * rows switched off (none: kept while the agent runs).
 */
export function registerRouting(ctx: LinuxContext, interfaces: InstanceMap, store?: DataStore): void {
  const { model } = ctx;
  const numbers = new InstanceMap();
  const held = new HeldRoutes(store, '$heldIPv4Forwarding', numbers);
  const routes = async (): Promise<Map<string, IpRoute>> => {
    try {
      return await ctx.runner.cached(
        'ip',
        IP_ROUTE_ARGS,
        ctx.cacheMs,
        (out) =>
          new Map(
            parseIpRoutes(out)
              .filter(isRouterRoute)
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
    if (!r) throw new UspError(ErrorCode.ObjectDoesNotExist, `the route ${key.split('|').slice(0, 3).join(' ')} no longer exists`);
    return r;
  };
  const requireRouter = (keys: InstanceKeys): void => {
    if (keys[0] !== 1) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such router: Device.Routing.Router.${keys[0]}`);
  };
  const rowPath = (keys: InstanceKeys): string => `Device.Routing.Router.${keys[0]}.IPv4Forwarding.${keys[1] ?? '{i}'}.`;

  model.register('Device.Routing.Router.{i}.', {
    params: ['Enable', 'Status'],
    list: () => [1],
    get: (keys) => {
      requireRouter(keys);
      return { Enable: true, Status: 'Enabled' };
    },
    // Router 1 is the kernel's main routing table (254), whatever the numbering: its stored Alias goes with it.
    rowIdentity: ([n]) => (n === 1 ? 'table main' : undefined),
  });

  model.register('Device.Routing.Router.{i}.IPv4Forwarding.{i}.', {
    params: ['Enable', 'Status', 'Type', 'StaticRoute', 'DestIPAddress', 'DestSubnetMask', 'ForwardingPolicy', 'GatewayIPAddress', 'Interface', 'Origin', 'ForwardingMetric'],
    list: async (parentKeys) => {
      requireRouter(parentKeys);
      // The held rows first: their numbers (from an earlier run) are claimed before the kernel's routes are numbered.
      const kept = held.all().map((h) => heldKey(h.n));
      return numbers.list([...kept, ...(await routes()).keys()]);
    },
    get: async (keys) => {
      const h = held.get(keys[1]);
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
      fromParams: (params, path) => routeFromParams(params, path, (ref) => ifnameOf(ref, interfaces, path)),
      change: (r, params, path) => changeRoute(r, params, path, (ref) => ifnameOf(ref, interfaces, path)),
      writable: WRITABLE,
      held,
      allRoutes: async () => [...(await routes()).values()],
    }),
  });
}

/** The route an Add describes; Interface is required (the agent changes only managed interfaces' routes). */
function routeFromParams(params: Record<string, Value>, path: string, ifname: (ref: string) => string): IpRoute {
  const type = typeof params.Type === 'string' && params.Type !== '' ? params.Type : 'Normal';
  if (type !== 'Normal') throw new UspError(ErrorCode.RequestDenied, `${path}Type: only Normal routes can be added on this platform`, { path });
  if (typeof params.Interface !== 'string' || params.Interface === '')
    throw new UspError(ErrorCode.ObjectCouldNotBeCreated, `${path}: give Interface (a Device.IP.Interface the agent manages) in the Add`, { path });
  return changeRoute(NEW_ROUTE, params, path, ifname);
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
