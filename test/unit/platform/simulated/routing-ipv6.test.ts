/**
 * The simulated gateway's Device.Routing.Router.1.IPv6Forwarding.{i}. (QoS:2): its IPv6 routes
 * from the same plan as its addresses, ForwardingPolicy kept, the rest read-only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type SimFixture, simulated } from './fixture.js';

const running: SimFixture[] = [];
const gateway = (): SimFixture => {
  const gw = simulated(5);
  running.push(gw);
  return gw;
};
afterEach(() => {
  for (const gw of running.splice(0)) gw.stop();
});
const R = 'Device.Routing.Router.1.IPv6Forwarding.';

describe('simulated IPv6Forwarding', () => {
  it('lists the default route via the network and the LAN /64s of br-lan, matching its prefixes', async () => {
    const gw = gateway();
    // Before the data session only br-lan's ULA /64 is routed.
    expect(await gw.instances(R)).toEqual([3]);
    gw.advance(60);
    expect(await gw.instances(R)).toEqual([1, 2, 3]);
    const def = await gw.values(`${R}1.`);
    expect(def).toMatchObject({ Enable: true, Status: 'Enabled', DestIPPrefix: '::/0', NextHop: 'fe80::1', Interface: 'Device.IP.Interface.2', Origin: 'RA', ForwardingPolicy: -1 });
    const lanPrefixes = [(await gw.values('Device.IP.Interface.1.IPv6Prefix.1.')).Prefix, (await gw.values('Device.IP.Interface.1.IPv6Prefix.3.')).Prefix];
    expect([(await gw.values(`${R}2.`)).DestIPPrefix, (await gw.values(`${R}3.`)).DestIPPrefix]).toEqual(lanPrefixes);
    expect(await gw.values(`${R}3.`)).toMatchObject({ Interface: 'Device.IP.Interface.1', NextHop: '', Origin: 'Static' });
    expect((await gw.values('Device.Routing.Router.1.')).IPv6ForwardingNumberOfEntries).toBe(3);
  });

  it('keeps ForwardingPolicy; the route itself is read-only (7013); a LAN prefix disabled takes its route away', async () => {
    const gw = gateway();
    gw.advance(60);
    await gw.set(`${R}1.`, { ForwardingPolicy: 4 });
    expect((await gw.values(`${R}1.`)).ForwardingPolicy).toBe(4);
    // Only ForwardingPolicy: a Set of the route itself answers 7013 (handle-set reads `writable`).
    expect(gw.binding('Device.Routing.Router.{i}.IPv6Forwarding.{i}.').writable).toEqual(['ForwardingPolicy']);
    await gw.set('Device.IP.Interface.1.IPv6Prefix.3.', { Enable: false });
    expect((await gw.values('Device.Routing.Router.1.')).IPv6ForwardingNumberOfEntries).toBe(2);
    expect(await gw.instances(R)).toEqual([1, 2]);
  });
});
