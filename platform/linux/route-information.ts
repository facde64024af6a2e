/**
 * Device.Routing.RouteInformation. on Linux (TR-181 IPv6Routing:1): the routes the kernel learnt
 * from the Route Information options (RFC 4191) of the router advertisements it received.
 *
 * - InterfaceSetting.{i}: one row per such route, read-only, from the same
 *   `ip -6 -json route show table all` the IPv6Forwarding rows read (one call serves both): the
 *   routes of protocol `ra` with a next hop that are not the default route (the kernel marks a
 *   prefix's on-link route `kernel`, and the advertisement's default router is the default
 *   route). Interface is the route's device, SourceRouter its next hop (the advertising router's
 *   link-local address), PreferredRouteFlag its `pref`, Prefix its destination, RouteLifetime
 *   when it `expires` (the Infinite Time for a route advertised without end). Status is
 *   ForwardingEntryCreated: the kernel only shows the routes it installed. TR-181 makes
 *   Interface the table's unique key; an interface that learnt two routes has two rows here.
 * - Enable is the kernel's `accept_ra_rt_info_max_plen` (net.ipv6.conf.DEV): above 0 the kernel
 *   takes routes of every prefix length up to it from an advertisement, at 0 (the kernel's
 *   default) only a default route. A Set writes 128 (true) or 0 (false) on every interface the
 *   agent manages, and on `default` (interfaces made later) when it manages all (`*`); it reads
 *   true when every managed interface (or, managing none, `default`) is above 0. An interface
 *   takes advertisements at all only while it does not forward IPv6, or has accept_ra 2.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { InstanceMap as Numbers } from '../../datamodel/tree/InstanceMap.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { LinuxContext } from './LinuxContext.js';
import { dateTime, INFINITE_TIME } from './net-status.js';
import { destPrefix, readIp6Routes, type Ip6Route } from './routing-ipv6.js';
import { promises as fs } from 'node:fs';

/** A route learnt from a Route Information option, as `ip -6 -json route` shows it. */
export interface RouteInfoRoute extends Ip6Route {
  gateway: string;
  /** "high", "medium" or "low" (RFC 4191 Prf). */
  pref?: string;
}

const PREFS: Readonly<Record<string, string>> = { high: 'High', medium: 'Medium', low: 'Low' };
/** What accept_ra_rt_info_max_plen is set to: routes of every prefix length (true), the kernel's default (false). */
const MAX_PLEN_ON = 128;
const MAX_PLEN_OFF = 0;
const IFNAME = /^[\w.@-]{1,15}$/;

/** The routes of `ip -6 -json route show table all` (parsed) that Route Information options made. */
export function routeInformationRoutes(routes: readonly Ip6Route[]): RouteInfoRoute[] {
  return (routes as RouteInfoRoute[]).filter((r) => r.protocol === 'ra' && r.dst !== 'default' && typeof r.gateway === 'string' && (r.table === undefined || r.table === 'main'));
}

/** An InterfaceSetting row's values of route `r` read at `at` (ms); `ifNumber`: its IP.Interface. */
export function routeInformationValues(r: RouteInfoRoute, at: number, ifNumber: number | undefined): Record<string, Value> {
  return {
    Status: 'ForwardingEntryCreated',
    Interface: ifNumber === undefined ? '' : `Device.IP.Interface.${ifNumber}`,
    SourceRouter: r.gateway,
    PreferredRouteFlag: PREFS[r.pref ?? 'medium'] ?? 'Medium',
    Prefix: destPrefix(r.dst),
    RouteLifetime: typeof r.expires === 'number' ? dateTime(at + r.expires * 1000) : INFINITE_TIME,
  };
}

const routeKeyOf = (r: RouteInfoRoute): string => `${r.dst}|${r.gateway}|${r.dev ?? ''}`;

/**
 * Serves Device.Routing.RouteInformation. and its InterfaceSetting table. `interfaces`:
 * IP.Interface's numbers by device name; `links`: the network devices now (the shared `ip -j addr`).
 */
export function registerRouteInformation(ctx: LinuxContext, interfaces: InstanceMap, links: () => Promise<ReadonlyMap<string, unknown>>): void {
  const numbers = new Numbers();
  const conf = (dev: string): string => ctx.files.proc('sys', 'net', 'ipv6', 'conf', dev, 'accept_ra_rt_info_max_plen');
  /** The managed interfaces there are now, and `default` when every interface is managed. */
  const managedConfs = async (): Promise<string[]> => {
    if (!ctx.ip.managed.any) return [];
    const devs = [...(await links()).keys()].filter((d) => IFNAME.test(d) && ctx.ip.managed.has(d));
    return ctx.ip.managed.has('*') ? ['default', ...devs] : devs;
  };
  const routes = async (): Promise<{ at: number; byKey: Map<string, RouteInfoRoute> }> => {
    const { at, byKey } = await readIp6Routes(ctx);
    return { at, byKey: new Map(routeInformationRoutes([...byKey.values()]).map((r) => [routeKeyOf(r), r])) };
  };

  ctx.model.register('Device.Routing.RouteInformation.', {
    params: ['Enable'],
    get: async () => {
      const confs = await managedConfs();
      // An interface without IPv6 (no conf directory) takes no advertisement either way.
      const values = (await Promise.all((confs.length > 0 ? confs : ['default']).map((d) => ctx.files.attr(conf(d))))).filter((v) => v !== undefined);
      return { Enable: values.length > 0 && values.every((v) => Number(v) > 0) };
    },
    set: async (_keys, changes) => {
      if (typeof changes.Enable !== 'boolean') return;
      const path = 'Device.Routing.RouteInformation.';
      const confs = await managedConfs();
      if (confs.length === 0) {
        throw new UspError(ErrorCode.RequestDenied, `${path}Enable: the agent manages no interface with IPv6 (start it with --manage-interfaces to let controllers change them)`, { path });
      }
      const value = changes.Enable ? MAX_PLEN_ON : MAX_PLEN_OFF;
      for (const d of confs) {
        try {
          await fs.writeFile(conf(d), `${value}\n`);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
          throw new UspError(ErrorCode.RequestDenied, `${path}Enable: cannot write ${conf(d)}: ${(e as Error).message}`, { path });
        }
      }
      ctx.log?.info('network configuration changed', { sysctl: 'accept_ra_rt_info_max_plen', value, interfaces: confs.join(' ') });
    },
  });

  ctx.model.register('Device.Routing.RouteInformation.InterfaceSetting.{i}.', {
    params: ['Status', 'Interface', 'SourceRouter', 'PreferredRouteFlag', 'Prefix', 'RouteLifetime'],
    list: async () => numbers.list((await routes()).byKey.keys()),
    get: async (keys) => {
      const key = numbers.requireKey(keys[0]);
      const { at, byKey } = await routes();
      const r = byKey.get(key);
      if (!r) throw new UspError(ErrorCode.ObjectDoesNotExist, `the route ${key.split('|')[0]} learnt from a router advertisement is gone`);
      return routeInformationValues(r, at, r.dev === undefined ? undefined : interfaces.peek(r.dev));
    },
  });
}
