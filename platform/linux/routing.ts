/**
 * Device.Routing. of a Linux host (TR-181 Routing:1, IPv4 part): Router.1 is the kernel's main
 * routing table, its IPv4Forwarding.{i} rows the IPv4 unicast, blackhole, unreachable and
 * prohibit routes of `ip -4 -json route show table main`, read once per cacheMs for every row.
 * A row is known by destination, gateway, device and metric, and keeps its number while the
 * agent runs.
 *
 * Static routes are written back (Add and Delete of IPv4Forwarding rows, `ip -4 route add/del
 * ... proto static`) when their Interface is one the agent manages (ip-write.ts); routes the
 * kernel, a DHCP client or a routing daemon made are read-only (Delete: 7002). A row's values
 * are the route itself, so Set is refused (7002) except Enable true and ForwardingPolicy: Delete
 * the row and Add another to change a route.
 *
 * ForwardingPolicy (QoS:1): a row of policy N is a route of the agent's routing table for N, which
 * an ip rule selects for packets the QoS classifier marked with N (policy-routing.ts); -1 is the
 * main table. The routes of those tables are read with the main table's (`table all`, the rest
 * of it left out).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { Value } from '../../datamodel/value/Value.js';
import { sourceError } from '../exec/CommandError.js';
import { maskToPrefix } from './ip-address-write.js';
import { prefixToMask } from './ip-addr.js';
import type { LinuxContext } from './LinuxContext.js';
import { policyOfTable } from './policy-routing.js';
import { routeKey, routeTableWrites, STATIC_PROTOCOLS, tableOfPolicy } from './route-table.js';

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
const ORIGINS: Readonly<Record<string, string>> = { dhcp: 'DHCPv4', ppp: 'IPCP', rip: 'RIP', ospf: 'OSPF' };

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

/**
 * Serves Device.Routing.Router.1 and its IPv4Forwarding table. `interfaces` are IP.Interface's
 * instance numbers by device name (ip.ts), which the Interface references use.
 */
export function registerRouting(ctx: LinuxContext, interfaces: InstanceMap): void {
  const { model } = ctx;
  const numbers = new InstanceMap();
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
      return numbers.list((await routes()).keys());
    },
    get: async (keys) => {
      const r = await routeOf(keys);
      const ifNumber = r.dev === undefined ? undefined : interfaces.peek(r.dev);
      return {
        Enable: true,
        Status: 'Enabled',
        Type: TYPES[r.type ?? 'unicast'],
        StaticRoute: STATIC_PROTOCOLS.has(r.protocol ?? 'boot'),
        ...destination(r.dst),
        ForwardingPolicy: policyOfTable(r.table),
        GatewayIPAddress: r.gateway ?? '',
        Interface: ifNumber === undefined ? '' : `Device.IP.Interface.${ifNumber}`,
        Origin: ORIGINS[r.protocol ?? ''] ?? 'Static',
        ForwardingMetric: r.metric ?? 0,
      };
    },
    ...routeTableWrites({
      ctx,
      family: '-4',
      numbers,
      rowPath,
      requireRouter,
      routeOf,
      fromParams: (params, path) => routeFromParams(params, path, (ref) => ifnameOf(ref, interfaces, path)),
      policies: true,
      allRoutes: async () => [...(await routes()).values()],
    }),
  });
}

/** The route an Add describes; Interface is required (the agent changes only managed interfaces' routes). */
function routeFromParams(params: Record<string, Value>, path: string, ifname: (ref: string) => string): IpRoute {
  const str = (name: string): string => (typeof params[name] === 'string' ? (params[name] as string) : '');
  if (params.Enable === false) throw new UspError(ErrorCode.RequestDenied, `${path}Enable: a Linux route exists only while enabled`, { path });
  const type = str('Type') || 'Normal';
  if (type !== 'Normal') throw new UspError(ErrorCode.RequestDenied, `${path}Type: only Normal routes can be added on this platform`, { path });
  if (str('Interface') === '') throw new UspError(ErrorCode.ObjectCouldNotBeCreated, `${path}: give Interface (a Device.IP.Interface the agent manages) in the Add`, { path });
  const dest = str('DestIPAddress');
  const mask = str('DestSubnetMask');
  const prefix = mask === '' ? 32 : maskToPrefix(mask, path);
  // As `ip -json route` shows it (a host route without /32), so the new row is found under its key.
  const dst = dest === '' ? 'default' : prefix === 32 ? dest : `${dest}/${prefix}`;
  const metric = typeof params.ForwardingMetric === 'number' && params.ForwardingMetric > 0 ? params.ForwardingMetric : undefined;
  const table = tableOfPolicy(params.ForwardingPolicy, path);
  return { dst, gateway: str('GatewayIPAddress') || undefined, dev: ifname(str('Interface')), metric, protocol: 'static', table: table === undefined ? undefined : String(table) };
}

/** The device name behind a `Device.IP.Interface.N` reference (7012 when it names no row). */
export function ifnameOf(ref: string, interfaces: InstanceMap, path: string): string {
  const m = /^Device\.IP\.Interface\.(\d+)\.?$/.exec(ref);
  const name = m ? interfaces.keyOf(Number(m[1])) : undefined;
  if (name === undefined) throw new UspError(ErrorCode.InvalidValue, `${path}Interface: ${JSON.stringify(ref)} names no IP.Interface`, { path });
  return name;
}
