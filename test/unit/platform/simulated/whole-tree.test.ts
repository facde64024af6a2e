import { afterEach, describe, expect, it } from 'vitest';
import { expectSchemaTyped } from '../schema-typed.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { type SimFixture, simulated } from './fixture.js';

describe('simulated platform: the whole tree', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it('registers against the real TR-181 schema', () => {
    sim = simulated();
    for (const path of [
      'Device.DeviceInfo.',
      'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.',
      'Device.Time.',
      'Device.Ethernet.Interface.{i}.Stats.',
      'Device.Ethernet.Link.{i}.Stats.',
      'Device.WiFi.Radio.{i}.',
      'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.',
      'Device.IP.Interface.{i}.IPv4Address.{i}.',
      'Device.IP.Interface.{i}.IPv6Address.{i}.',
      'Device.IP.Interface.{i}.IPv6Prefix.{i}.',
      'Device.Cellular.Interface.{i}.',
      'Device.Cellular.AccessPoint.{i}.',
      'Device.Bridging.Bridge.{i}.Port.{i}.',
      'Device.Bridging.Bridge.{i}.VLANPort.{i}.',
      'Device.Hosts.Host.{i}.IPv4Address.{i}.',
      'Device.DHCPv4.Server.Pool.{i}.Client.{i}.IPv4Address.{i}.',
      'Device.NAT.InterfaceSetting.{i}.',
      'Device.NAT.PortMapping.{i}.',
      'Device.Firewall.Chain.{i}.',
      'Device.DNS.Relay.Forwarding.{i}.',
      'Device.Routing.Router.{i}.IPv4Forwarding.{i}.',
    ]) {
      expect(sim.model.requireNode(path).supported, path).toBe(true);
    }
  });

  it.each([
    [42, 3600], // past boot: links up, stations associated, modem attached
    [42, 0], // at boot: nothing associated or attached yet
    [1, 10],
    [0xdeadbeef, 45 * 86_400],
    [7, 1_000_003],
  ])('seed %i after %i s: reads a few hundred parameters, each typed as its schema says and valid for its facets', async (seed, seconds) => {
    sim = simulated(seed);
    sim.advance(seconds);
    const objects = await sim.readAll();
    const params = expectSchemaTyped(objects);
    expect(objects.length).toBeGreaterThan(80);
    // A full gateway (temperature sensors, IPv6 rows, LAN hosts with their IPv6 addresses and
    // leases, bridge port counters, Wi-Fi statistics and the AccessPoints' 16 access categories,
    // the LLDP neighbour and the four LEDs included, RouterAdvertisement and NeighborDiscovery ~60
    // more, the DHCPv6 leases ~150, the USB host with its stick ~90, the DNS-SD printer and NAS
    // ~30; about 1300 at boot, 2700 once everything is up) but not a runaway table.
    expect(params).toBeGreaterThan(900);
    expect(params).toBeLessThan(3000);
  });

  it('derives the NumberOfEntries of the tables it serves', async () => {
    sim = simulated();
    sim.advance(3600);
    const byPath = new Map((await sim.readAll()).map((o) => [o.path, o.values]));
    expect(byPath.get('Device.Ethernet.')).toMatchObject({ InterfaceNumberOfEntries: 5, LinkNumberOfEntries: 2 });
    expect(byPath.get('Device.DeviceInfo.TemperatureStatus.')).toMatchObject({ TemperatureSensorNumberOfEntries: 3 });
    expect(byPath.get('Device.WiFi.')).toMatchObject({ RadioNumberOfEntries: 3, SSIDNumberOfEntries: 4, AccessPointNumberOfEntries: 4 });
    expect(byPath.get('Device.IP.Interface.1.')).toMatchObject({ Name: 'br-lan', IPv4AddressNumberOfEntries: 1, IPv6AddressNumberOfEntries: 3, IPv6PrefixNumberOfEntries: 3 });
    expect(byPath.get('Device.IP.Interface.2.')).toMatchObject({
      Name: 'wwan0',
      IPv4AddressNumberOfEntries: 1,
      IPv6AddressNumberOfEntries: 2,
      IPv6PrefixNumberOfEntries: 2,
      Status: 'Up',
    });
    const residents = byPath.get('Device.WiFi.AccessPoint.2.')?.AssociatedDeviceNumberOfEntries as number;
    expect(residents).toBeGreaterThanOrEqual(2);
  });

  it('reads the same values for the same seed and clock', async () => {
    const strip = (objs: Array<{ path: string; values: Record<string, Value> }>) => objs.map((o) => [o.path, o.values]);
    sim = simulated(7);
    sim.advance(5000);
    const a = strip(await sim.readAll());
    sim.stop();
    sim = simulated(7);
    sim.advance(5000);
    expect(strip(await sim.readAll())).toEqual(a);
  });
});
