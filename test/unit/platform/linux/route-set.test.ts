/**
 * A Set of a Linux IPv4Forwarding/IPv6Forwarding row (route-set.ts): which `ip route` commands
 * it runs for which change, the rows kept switched off (route-held.ts), and the refusals. The
 * platform runs on the fake host (fake-host.ts) with every interface managed; its `ip` is wrapped
 * here so route writes succeed (or fail as the kernel words it while `route.fail` exists) and are
 * logged, while reads replay the recorded routes. What a real kernel does with those commands is
 * shown by test/integration/linux-ip-depth.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import type { ObjectBinding } from '../../../../datamodel/tree/binding.js';
import { InstanceMap } from '../../../../datamodel/tree/InstanceMap.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { HELD_ROUTES_ROW, HeldRoutes, heldKey, MAX_HELD_ROUTES } from '../../../../platform/linux/route-held.js';
import { planRouteChange } from '../../../../platform/linux/route-set.js';
import { changeRoute } from '../../../../platform/linux/routing.js';
import { changeRoute6 } from '../../../../platform/linux/routing-ipv6.js';
import { linuxHost, type LinuxFixture } from './fake-host.js';
import { wrapIp } from './ip-write-log.js';
import { settledCode } from './refusal-code.js';

const V4 = 'Device.Routing.Router.{i}.IPv4Forwarding.{i}.';
const V6 = 'Device.Routing.Router.{i}.IPv6Forwarding.{i}.';
const ETH0 = 'Device.IP.Interface.4';
const ctx = {};

let f: LinuxFixture | undefined;
afterEach(() => {
  f?.cleanup();
  f = undefined;
});

/** The fake host, its `ip` wrapped so route writes are logged and succeed unless `route.fail` exists. */
async function host(
  store = new DataStore(),
  manage: readonly string[] = ['*'],
): Promise<{ f: LinuxFixture; v4: Required<ObjectBinding>; v6: Required<ObjectBinding>; writes: () => string[]; fail: (on: boolean) => void; store: DataStore }> {
  const fx = (f = linuxHost({ store, manageInterfaces: manage }));
  const failFile = path.join(fx.host.dir, 'route.fail');
  const writes = wrapIp(fx, 'route-writes.log', [
    'case "$2 $3" in',
    `  "route add"|"route replace"|"route del") echo "$*" >> $LOG; if [ -f '${failFile}' ]; then echo 'Error: Nexthop has invalid gateway.' >&2; exit 2; fi; exit 0;;`,
    'esac',
  ]);
  // Numbers the IP.Interface rows (the Interface references) and the routes, as a Controller's first Get does.
  await fx.byPath();
  const binding = (p: string) => fx.model.bindingOf(fx.model.requireNode(p)) as Required<ObjectBinding>;
  return {
    f: fx,
    v4: binding(V4),
    v6: binding(V6),
    writes,
    fail: (on) => (on ? fs.writeFileSync(failFile, '') : fs.rmSync(failFile, { force: true })),
    store,
  };
}

const code = settledCode;

const set = (b: Required<ObjectBinding>, n: number, changes: Record<string, Value>) => b.set([1, n], changes, ctx);

describe('planning a static route change', () => {
  const r = { dst: '198.18.0.0/15', gateway: '192.0.2.254', dev: 'wa0', metric: 20, protocol: 'static' };
  it('replaces in place what keeps destination, metric and table; adds then deletes the rest', () => {
    expect(planRouteChange('-4', r, { ...r, gateway: '192.0.2.253', dev: 'wb0' })).toEqual([
      ['-4', 'route', 'replace', '198.18.0.0/15', 'via', '192.0.2.253', 'dev', 'wb0', 'metric', '20', 'proto', 'static'],
    ]);
    expect(planRouteChange('-4', r, { ...r, metric: 30 })).toEqual([
      ['-4', 'route', 'add', '198.18.0.0/15', 'via', '192.0.2.254', 'dev', 'wa0', 'metric', '30', 'proto', 'static'],
      ['-4', 'route', 'del', '198.18.0.0/15', 'via', '192.0.2.254', 'dev', 'wa0', 'metric', '20'],
    ]);
    expect(planRouteChange('-4', r, { ...r, dst: '198.51.100.0/24' })[0]?.[2]).toBe('add');
    expect(planRouteChange('-6', { ...r, dst: '2001:db8:5::/48' }, { ...r, dst: '2001:db8:5::/48', table: '20736' })).toHaveLength(2);
    expect(planRouteChange('-4', r, { ...r })).toEqual([]);
  });

  it('applies TR-181 values to a route, refusing what is none (7012)', () => {
    const ifname = (ref: string) => (ref === ETH0 ? 'eth0' : '');
    expect(changeRoute(r, { DestIPAddress: '10.1.0.0', DestSubnetMask: '255.255.0.0', ForwardingMetric: 0 }, 'p.', ifname)).toMatchObject({
      dst: '10.1.0.0/16',
      metric: undefined,
      gateway: '192.0.2.254',
    });
    expect(changeRoute(r, { GatewayIPAddress: '', Interface: ETH0, ForwardingPolicy: 2 }, 'p.', ifname)).toMatchObject({ gateway: undefined, dev: 'eth0', table: String(0x5102) });
    for (const bad of <Array<Record<string, Value>>>[{ DestSubnetMask: '255.0.255.0' }, { DestIPAddress: '10.1' }, { GatewayIPAddress: 'router' }, { Interface: '' }, { ForwardingPolicy: 300 }]) {
      expect(() => changeRoute(r, bad, 'p.', ifname), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 7012 }) as Error);
    }
    const r6 = { dst: '2001:db8:5::/48', gateway: '2001:db8:9::fe', dev: 'wa0', metric: 50, protocol: 'static', expires: 30 };
    expect(changeRoute6(r6, { DestIPPrefix: '2001:DB8:6:0::/48', NextHop: '', ForwardingMetric: 0 }, 'p.', ifname)).toEqual({
      dst: '2001:db8:6::/48',
      gateway: undefined,
      dev: 'wa0',
      metric: 1024,
      table: undefined,
      protocol: 'static',
    });
    for (const bad of <Array<Record<string, Value>>>[{ DestIPPrefix: '2001:db8::/129' }, { NextHop: '192.0.2.1' }, { Interface: '' }]) {
      expect(() => changeRoute6(r6, bad, 'p.', ifname), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 7012 }) as Error);
    }
  });
});

describe('a Set of a static route on the fake host', () => {
  it('a new gateway is one `ip route replace`, a new metric an add then a delete; the row keeps its number', async () => {
    const h = await host();
    await set(h.v4, 1, { GatewayIPAddress: '192.0.2.254' });
    expect(h.writes()).toEqual(['-4 route replace default via 192.0.2.254 dev eth0 proto static']);
    // Two parameters of one Set are one change.
    await set(h.v6, 5, { NextHop: '2001:db8::fe', ForwardingMetric: 10 });
    expect(h.writes().slice(1)).toEqual(['-6 route add default via 2001:db8::fe dev eth0 metric 10 proto static', '-6 route del default via 2001:db8::1 dev eth0 metric 1024']);
  });

  it('refuses a route the kernel, an RA or another program made (7002), and an interface not managed (7002), running nothing', async () => {
    const h = await host();
    expect(await code(set(h.v4, 2, { GatewayIPAddress: '192.0.2.254' }))).toBe(7002);
    expect(await code(set(h.v6, 2, { Enable: false }))).toBe(7002);
    expect(h.writes()).toEqual([]);
    f?.cleanup();
    const ro = await host(new DataStore(), []);
    expect(await code(set(ro.v4, 1, { ForwardingMetric: 5 }))).toBe(7002);
    expect(ro.writes()).toEqual([]);
  });

  it('a change the kernel refuses answers 7012; of an add-then-delete nothing is deleted', async () => {
    const h = await host();
    h.fail(true);
    expect(await code(set(h.v4, 1, { GatewayIPAddress: '192.0.2.254' }))).toBe(7012);
    expect(await code(set(h.v4, 1, { ForwardingMetric: 7 }))).toBe(7012);
    expect(h.writes()).toEqual(['-4 route replace default via 192.0.2.254 dev eth0 proto static', '-4 route add default via 192.0.2.1 dev eth0 metric 7 proto static']);
    expect(await h.v4.get([1, 1], ctx)).toMatchObject({ GatewayIPAddress: '192.0.2.1', Status: 'Enabled' });
  });

  it('Enable false deletes the route and keeps the row, Disabled, in the store; a Set of it changes only the row; Enable true adds it back', async () => {
    const h = await host();
    await set(h.v4, 1, { Enable: false });
    expect(h.writes()).toEqual(['-4 route del default via 192.0.2.1 dev eth0']);
    expect(await h.v4.get([1, 1], ctx)).toMatchObject({ Enable: false, Status: 'Disabled', GatewayIPAddress: '192.0.2.1', Interface: ETH0, StaticRoute: true, Origin: 'Static' });
    expect(String(h.store.row(HELD_ROUTES_ROW)?.$heldIPv4Forwarding)).toContain('192.0.2.1');
    await set(h.v4, 1, { GatewayIPAddress: '192.0.2.9', ForwardingMetric: 3 });
    expect(h.writes()).toHaveLength(1);
    expect(await h.v4.get([1, 1], ctx)).toMatchObject({ Enable: false, GatewayIPAddress: '192.0.2.9', ForwardingMetric: 3 });
    // The kernel refuses it: enabled, Status Error, still kept.
    h.fail(true);
    await set(h.v4, 1, { Enable: true });
    expect(await h.v4.get([1, 1], ctx)).toMatchObject({ Enable: true, Status: 'Error' });
    h.fail(false);
    await set(h.v4, 1, { Enable: true });
    expect(h.writes().slice(1)).toEqual(['-4 route add default via 192.0.2.9 dev eth0 metric 3 proto static', '-4 route add default via 192.0.2.9 dev eth0 metric 3 proto static']);
    expect(h.store.row(HELD_ROUTES_ROW)?.$heldIPv4Forwarding).toBe('[]');
  });

  it('a row added switched off runs no ip; a disabled row comes back under its number after a restart, before the kernel rows; its Delete forgets it', async () => {
    const h = await host();
    const n = await h.v6.add([1], { DestIPPrefix: '2001:db8:7::/48', NextHop: '2001:db8::fe', Interface: ETH0, Enable: false }, ctx);
    expect(h.writes()).toEqual([]);
    expect(await h.v6.get([1, n], ctx)).toMatchObject({ Enable: false, Status: 'Disabled', DestIPPrefix: '2001:db8:7::/48', ExpirationTime: '9999-12-31T23:59:59Z' });
    await set(h.v4, 1, { Enable: false });
    f?.cleanup();
    // The same store, a new agent.
    const again = await host(h.store);
    expect(await again.v4.list([1], ctx)).toEqual([1, 2, 3]);
    expect(await again.v4.get([1, 1], ctx)).toMatchObject({ Enable: false, Status: 'Disabled', GatewayIPAddress: '192.0.2.1' });
    expect(await again.v6.list([1], ctx)).toContain(n);
    expect(await again.v6.get([1, n], ctx)).toMatchObject({ Status: 'Disabled', DestIPPrefix: '2001:db8:7::/48' });
    await again.v6.delete([1, n], ctx);
    expect(await again.v6.list([1], ctx)).not.toContain(n);
    expect(again.writes()).toEqual([]);
  });
});

describe('an Add switched off', () => {
  it('of the same route as a kernel row gets a number of its own: the kernel row keeps its', async () => {
    const h = await host();
    const n = await h.v4.add([1], { GatewayIPAddress: '192.0.2.1', Interface: ETH0, Enable: false }, ctx);
    expect(n).toBe(3);
    expect(await h.v4.list([1], ctx)).toEqual([1, 2, 3]);
    expect(await h.v4.get([1, 1], ctx)).toMatchObject({ Status: 'Enabled', GatewayIPAddress: '192.0.2.1' });
    expect(await h.v4.get([1, 3], ctx)).toMatchObject({ Status: 'Disabled', GatewayIPAddress: '192.0.2.1' });
    expect(h.writes()).toEqual([]);
  });
});

describe('a rolled-back Delete', () => {
  it('puts a disabled row back under its number, with no ip run', async () => {
    const h = await host();
    await set(h.v4, 1, { Enable: false });
    const snap = h.v4.snapshot([1, 1]);
    await h.v4.delete([1, 1], ctx);
    expect(await h.v4.list([1], ctx)).not.toContain(1);
    await h.v4.restore([1, 1], snap);
    expect(await h.v4.get([1, 1], ctx)).toMatchObject({ Enable: false, Status: 'Disabled', GatewayIPAddress: '192.0.2.1' });
    expect(h.writes()).toEqual(['-4 route del default via 192.0.2.1 dev eth0']);
  });
});

describe('the held routes store', () => {
  it('is bounded (7005), skips entries it cannot read, and leaves out one whose number another row holds', () => {
    const store = new DataStore();
    const numbers = new InstanceMap();
    const held = new HeldRoutes(store, '$k', numbers);
    for (let n = 1; n <= MAX_HELD_ROUTES; n++) held.put({ n, enable: false, route: { dst: `10.0.${n}.0/24`, dev: 'eth0', protocol: 'static' } }, 'p.');
    expect(() => held.put({ n: 999, enable: false, route: { dst: 'default', dev: 'eth0' } }, 'p.')).toThrow(expect.objectContaining({ code: 7005 }) as Error);
    held.put({ n: 3, enable: true, route: { dst: 'default', dev: 'eth0' } }, 'p.');
    expect(held.all()).toHaveLength(MAX_HELD_ROUTES);

    store.setRow(HELD_ROUTES_ROW, {
      $k: JSON.stringify([
        [1, false, { dst: '10.9.0.0/16', dev: 'eth0; reboot' }],
        [2, false, { dst: 'x y', dev: 'eth0' }],
        [3, 'no', { dst: 'default', dev: 'eth0' }],
        [4, true, { dst: '10.4.0.0/16', dev: 'eth0', gateway: '192.0.2.1', metric: 5, type: 'blackhole' }],
        [5, false, { dst: '10.5.0.0/16', dev: 'eth0', type: 'local' }],
      ]),
    });
    const fresh = new InstanceMap();
    fresh.numberOf('a kernel route');
    const again = new HeldRoutes(store, '$k', fresh);
    // 1: its number is another row's now; 2, 3: not readable; 5: a type no route of the table has.
    expect(again.all().map((h) => [h.n, h.route.dev, h.route.type])).toEqual([
      [4, 'eth0', 'blackhole'],
      [5, 'eth0', undefined],
    ]);
    expect(fresh.peek(heldKey(4))).toBe(4);
  });
});
