/**
 * The Linux routing instances (routers.ts, router-rules.ts) and RouteInformation's reading of
 * `ip -6 -json route` (route-information.ts): what is kept, which `ip rule` commands bring the
 * kernel's rules to it, what a reference names, which routes are Route Information routes, and
 * the refusals of router-objects.ts. What the kernel does with them: linux-ip-depth.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { parseRouterRules, planRouterRules, ROUTER_RULE_PREF, routerTable } from '../../../../platform/linux/router-rules.js';
import { MAX_ADDED_ROUTERS, parseRoutersState, routerOfReference, wantedRules } from '../../../../platform/linux/routers.js';
import { routeInformationRoutes, routeInformationValues } from '../../../../platform/linux/route-information.js';
import { parseIpRoutes, routerParams } from '../../../../platform/linux/routing.js';
import type { Ip6Route } from '../../../../platform/linux/routing-ipv6.js';
import { POLICY_TABLE_BASE, MAX_FORWARDING_POLICY } from '../../../../platform/linux/policy-routing.js';

describe('router tables and rules', () => {
  it('a router table never meets a forwarding-policy table, and its rules come before the policy rules', () => {
    expect(routerTable(2)).toBeGreaterThan(POLICY_TABLE_BASE + MAX_FORWARDING_POLICY);
    expect(ROUTER_RULE_PREF).toBeLessThan(POLICY_TABLE_BASE);
  });

  it('reads only the router rules of `ip -json rule show`', () => {
    const json = JSON.stringify([
      { priority: 0, src: 'all', table: 'local' },
      { priority: ROUTER_RULE_PREF, src: 'all', iif: 'lan0', table: String(routerTable(2)) },
      { priority: ROUTER_RULE_PREF, src: 'all', iif: 'gone0', iif_detached: null, table: String(routerTable(3)) },
      { priority: 0x5100, src: 'all', fwmark: '0x0/0xff0000', table: String(0x5100) },
      { priority: 32766, src: 'all', table: 'main' },
    ]);
    expect(parseRouterRules(json)).toEqual([
      { iif: 'lan0', table: routerTable(2) },
      { iif: 'gone0', table: routerTable(3) },
    ]);
    expect(parseRouterRules('not json')).toEqual([]);
    expect(parseRouterRules('{}')).toEqual([]);
  });

  it('plans deletions of unwanted rules first, then the additions; nothing when they agree', () => {
    const a = { iif: 'lan0', table: routerTable(2) };
    const b = { iif: 'lan1', table: routerTable(3) };
    const moved = { iif: 'lan0', table: routerTable(3) };
    expect(planRouterRules([a], [a])).toEqual([]);
    expect(planRouterRules([a, b], [moved, b])).toEqual([
      ['del', 'iif', 'lan0', 'lookup', String(routerTable(2)), 'pref', String(ROUTER_RULE_PREF)],
      ['add', 'iif', 'lan0', 'lookup', String(routerTable(3)), 'pref', String(ROUTER_RULE_PREF)],
    ]);
  });
});

describe('the kept routers', () => {
  it('wants one rule per interface of an enabled router; a disabled router has none', () => {
    const state = {
      next: 4,
      routers: [
        { n: 2, enable: true },
        { n: 3, enable: false },
      ],
      interfaces: { lan0: 2, lan1: 3 },
    };
    expect(wantedRules(state)).toEqual([{ iif: 'lan0', table: routerTable(2) }]);
  });

  it('reads a damaged or odd store safely: unknown routers, bad names and too many routers are left out; next stays past every router', () => {
    expect(parseRoutersState(undefined)).toEqual({ next: 2, routers: [], interfaces: {} });
    expect(parseRoutersState('{oops')).toEqual({ next: 2, routers: [], interfaces: {} });
    const routers = Array.from({ length: 12 }, (_, i) => ({ n: i + 2, enable: true }));
    const s = parseRoutersState(JSON.stringify({ next: 1, routers: [{ n: 1, enable: true }, { n: 'x' }, ...routers], interfaces: { lan0: 2, 'bad name; rm': 2, lan9: 77 } }));
    expect(s.routers).toHaveLength(MAX_ADDED_ROUTERS);
    expect(s.routers[0]).toEqual({ n: 2, enable: true });
    expect(s.interfaces).toEqual({ lan0: 2 });
    expect(s.next).toBe(MAX_ADDED_ROUTERS + 2);
  });

  it('a Router reference: "" and Router.1 are the main table; anything else names no router', () => {
    expect(routerOfReference('')).toBe(1);
    expect(routerOfReference('Device.Routing.Router.1')).toBe(1);
    expect(routerOfReference('Device.Routing.Router.3.')).toBe(3);
    for (const bad of ['Device.Routing.Router.0', 'Device.Routing.Router.', 'Device.IP.Interface.1', 'Device.Routing.Router.2.IPv4Forwarding.1']) expect(routerOfReference(bad)).toBeUndefined();
  });

  it('a row of an added router takes ForwardingPolicy -1 only (7012 otherwise); Router.1 keeps its policies', () => {
    const path = 'Device.Routing.Router.2.IPv4Forwarding.1.';
    expect(routerParams(2, { ForwardingPolicy: -1, DestIPAddress: '192.0.2.0' }, path)).toEqual({ DestIPAddress: '192.0.2.0' });
    expect(() => routerParams(2, { ForwardingPolicy: 3 }, path)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidValue }));
    expect(routerParams(1, { ForwardingPolicy: 3 }, path)).toEqual({ ForwardingPolicy: 3 });
  });
});

describe('RouteInformation from `ip -6 -json route show table all`', () => {
  // As the kernel showed them after a radvd advertised a prefix and two routes (recorded in a namespace).
  const json = JSON.stringify([
    { dst: '2001:db8:5::/64', dev: 'wan0', protocol: 'kernel', metric: 256, flags: [], expires: 86398, pref: 'medium' },
    { dst: '2001:db8:77::/48', gateway: 'fe80::685e:9dff:feaa:636e', dev: 'wan0', protocol: 'ra', metric: 1024, flags: [], pref: 'low' },
    { dst: '2001:db8:99::/48', gateway: 'fe80::685e:9dff:feaa:636e', dev: 'wan0', protocol: 'ra', metric: 1024, flags: [], expires: 599, pref: 'high' },
    { dst: 'default', gateway: 'fe80::685e:9dff:feaa:636e', dev: 'wan0', protocol: 'ra', metric: 1024, flags: [], expires: 10, pref: 'medium' },
    { dst: 'fe80::/64', dev: 'wan0', protocol: 'kernel', metric: 256, flags: [], pref: 'medium' },
  ]);

  it('keeps the routes of protocol ra with a next hop, not the default route nor on-link prefixes', () => {
    expect(routeInformationRoutes(parseIpRoutes(json) as Ip6Route[]).map((r) => r.dst)).toEqual(['2001:db8:77::/48', '2001:db8:99::/48']);
  });

  it('maps a route to its row: pref to PreferredRouteFlag, expires to RouteLifetime (Infinite Time without)', () => {
    const [low, high] = routeInformationRoutes(parseIpRoutes(json) as Ip6Route[]);
    const at = Date.parse('2026-12-06T12:00:00Z');
    expect(routeInformationValues(high, at, 3)).toEqual({
      Status: 'ForwardingEntryCreated',
      Interface: 'Device.IP.Interface.3',
      SourceRouter: 'fe80::685e:9dff:feaa:636e',
      PreferredRouteFlag: 'High',
      Prefix: '2001:db8:99::/48',
      RouteLifetime: '2026-12-06T12:09:59Z',
    });
    expect(routeInformationValues(low, at, undefined)).toMatchObject({ Interface: '', PreferredRouteFlag: 'Low', RouteLifetime: '9999-12-31T23:59:59Z' });
  });
});
