/**
 * Two simulated gateways of one fleet share the bindings of the bridging, Ethernet, DHCPv4,
 * cellular and device areas (issue 14: memory per gateway): the methods are one copy on a
 * prototype and the served names one array, while what a gateway writes stays its own.
 */
import { describe, expect, it } from 'vitest';
import type { SimFixture } from './fixture.js';
import { expectSharedCode, simulatedFleet } from './fleet-fixture.js';

const fleet = simulatedFleet(11);

/** The objects whose bindings are classes over the gateway's state (or one object for the fleet). */
const CONVERTED = [
  'Device.DHCPv4.Server.',
  'Device.DHCPv4.Server.Pool.{i}.',
  'Device.DHCPv4.Server.Pool.{i}.Client.{i}.',
  'Device.DHCPv4.Server.Pool.{i}.Client.{i}.IPv4Address.{i}.',
  'Device.DHCPv4.Server.Pool.{i}.Client.{i}.Option.{i}.',
  'Device.Bridging.Bridge.{i}.',
  'Device.Bridging.Bridge.{i}.STP.',
  'Device.Bridging.Bridge.{i}.Port.{i}.',
  'Device.Bridging.Bridge.{i}.Port.{i}.Stats.',
  'Device.Bridging.Filter.{i}.',
  'Device.Ethernet.Interface.{i}.',
  'Device.Ethernet.Interface.{i}.Stats.',
  'Device.Ethernet.Link.{i}.',
  'Device.Ethernet.Link.{i}.Stats.',
  'Device.Cellular.',
  'Device.Cellular.Interface.{i}.',
  'Device.Cellular.Interface.{i}.Stats.',
  'Device.Cellular.Interface.{i}.USIM.',
  'Device.Cellular.AccessPoint.{i}.',
  'Device.Time.',
  'Device.DeviceInfo.',
  'Device.DeviceInfo.MemoryStatus.',
  'Device.DeviceInfo.ProcessStatus.',
  'Device.DeviceInfo.Location.{i}.',
  'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.',
  'Device.DeviceInfo.ProcessStatus.Process.{i}.',
  'Device.DeviceInfo.FirmwareImage.{i}.',
];

describe('bridging, Ethernet, DHCPv4, cellular and device bindings of one fleet', () => {
  it.each(CONVERTED)('%s: two gateways share the methods and the served names', (path) => {
    const [a, b] = fleet(2);
    const [ba, bb] = [a.binding(path), b.binding(path)];
    expectSharedCode(path, ba, bb, bb !== ba);
    expect(bb.params).toBeDefined();
  });

  it('keep what one gateway writes out of the others', async () => {
    const [a, b] = fleet(2);
    a.advance(120);
    b.advance(120);
    const read = async (gw: SimFixture) => ({
      bridge: await gw.values('Device.Bridging.Bridge.1.'),
      stp: await gw.values('Device.Bridging.Bridge.1.STP.'),
      port: await gw.values('Device.Bridging.Bridge.1.Port.2.'),
      eth: await gw.values('Device.Ethernet.Interface.1.'),
      link: await gw.values('Device.Ethernet.Link.1.'),
      pool: await gw.values('Device.DHCPv4.Server.Pool.1.'),
      cellular: await gw.values('Device.Cellular.'),
      modem: await gw.values('Device.Cellular.Interface.1.'),
      apn: await gw.values('Device.Cellular.AccessPoint.1.'),
      time: await gw.values('Device.Time.'),
      info: await gw.values('Device.DeviceInfo.'),
    });
    const before = await read(b);
    await a.set('Device.Bridging.Bridge.1.STP.', { Enable: true });
    await a.set('Device.Bridging.Bridge.1.Port.2.', { Enable: false });
    await a.set('Device.Ethernet.Interface.1.', { Alias: 'uplink-a' });
    await a.set('Device.Ethernet.Link.1.', { MTU: 1400 });
    await a.set('Device.DHCPv4.Server.Pool.1.', { LeaseTime: 3600 });
    await a.set('Device.Cellular.', { RoamingEnabled: true });
    await a.set('Device.Cellular.Interface.1.', { PreferredAccessTechnology: 'LTE' });
    await a.set('Device.Cellular.AccessPoint.1.', { APN: 'fwa.simnet' });
    await a.set('Device.Time.', { LocalTimeZone: 'GMT0BST,M3.5.0/1,M10.5.0' });
    await a.set('Device.DeviceInfo.', { HostName: 'gateway-a' });
    await a.add('Device.Bridging.Bridge.', { Enable: true });
    const [ra, rb] = [await read(a), await read(b)];
    expect(rb).toEqual(before);
    expect(await b.instances('Device.Bridging.Bridge.')).toEqual([1]);
    expect(await a.instances('Device.Bridging.Bridge.')).toEqual([1, 2]);
    expect([ra.stp.Enable, ra.port.Enable, ra.port.Status, ra.eth.Alias, ra.link.MTU, ra.pool.LeaseTime]).toEqual([true, false, 'Down', 'uplink-a', 1400, 3600]);
    expect([ra.cellular.RoamingEnabled, ra.modem.CurrentAccessTechnology, ra.apn.APN, ra.time.LocalTimeZone, ra.info.HostName]).toEqual([
      true,
      'LTE',
      'fwa.simnet',
      'GMT0BST,M3.5.0/1,M10.5.0',
      'gateway-a',
    ]);
  });
});
