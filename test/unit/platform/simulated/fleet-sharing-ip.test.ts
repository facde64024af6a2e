/**
 * Two simulated gateways of one fleet, for the IP-layer areas (Device.IP and its IPv6 rows,
 * DNS, NAT, Firewall, Routing, Hosts): every binding's methods and parameter list are one copy
 * for the fleet (issue 14: memory per gateway), and what one gateway is told stays its own.
 */
import { describe, expect, it } from 'vitest';
import type { SimFixture } from './fixture.js';
import { expectSharedCode, simulatedFleet } from './fleet-fixture.js';

const fleet = simulatedFleet(7);

/** The objects of the IP-layer areas each gateway serves with a binding of its own state. */
const PER_GATEWAY = [
  'Device.IP.',
  'Device.IP.Interface.{i}.',
  'Device.IP.Interface.{i}.Stats.',
  'Device.IP.Interface.{i}.IPv4Address.{i}.',
  'Device.IP.Interface.{i}.IPv6Address.{i}.',
  'Device.IP.Interface.{i}.IPv6Prefix.{i}.',
  'Device.DNS.Client.',
  'Device.DNS.Client.Server.{i}.',
  'Device.DNS.Relay.',
  'Device.DNS.Relay.Forwarding.{i}.',
  'Device.NAT.InterfaceSetting.{i}.',
  'Device.Firewall.',
  'Device.Firewall.Level.{i}.',
  'Device.Firewall.Chain.{i}.',
  'Device.Routing.Router.{i}.IPv4Forwarding.{i}.',
  'Device.Routing.Router.{i}.IPv6Forwarding.{i}.',
  'Device.Hosts.Host.{i}.',
  'Device.Hosts.Host.{i}.IPv4Address.{i}.',
  'Device.Hosts.Host.{i}.IPv6Address.{i}.',
];

describe('simulated gateways of one fleet: the IP layer', () => {
  it("share their bindings' methods and parameter lists", () => {
    const [a, b] = fleet(2);
    for (const path of PER_GATEWAY) {
      expectSharedCode(path, a.binding(path), b.binding(path));
    }
    // Interface.{i}.Reset() runs the same code on every gateway.
    const node = a.model.requireNode('Device.IP.Interface.{i}.');
    expect(b.model.commandBinding(node, 'Reset()')?.run).toBe(a.model.commandBinding(node, 'Reset()')?.run);
    // Objects with nothing of the gateway in them: one binding for the fleet.
    expect(b.binding('Device.Routing.Router.{i}.')).toBe(a.binding('Device.Routing.Router.{i}.'));
  });

  it('keep what one gateway is told out of the others', async () => {
    const paths = [
      'Device.IP.',
      'Device.IP.Interface.1.',
      'Device.IP.Interface.1.IPv4Address.1.',
      'Device.IP.Interface.1.IPv6Prefix.3.',
      'Device.DNS.Client.',
      'Device.DNS.Client.Server.1.',
      'Device.DNS.Relay.Forwarding.1.',
      'Device.NAT.InterfaceSetting.1.',
      'Device.Firewall.',
      'Device.Firewall.Level.1.',
      'Device.Firewall.Chain.1.',
      'Device.Routing.Router.1.IPv4Forwarding.3.',
    ];
    const read = async (gw: SimFixture) => {
      const out: Record<string, Record<string, unknown>> = {};
      for (const p of paths) out[p] = await gw.values(p);
      out.interfaces = { rows: await gw.instances('Device.IP.Interface.') };
      out.servers = { rows: await gw.instances('Device.DNS.Client.Server.') };
      out.forwarders = { rows: await gw.instances('Device.DNS.Relay.Forwarding.') };
      out.mappings = { rows: await gw.instances('Device.NAT.PortMapping.') };
      out.hosts = { rows: await gw.instances('Device.Hosts.Host.') };
      return out;
    };
    const [reference] = fleet(1);
    reference.advance(900);
    const untouched = await read(reference);
    const [a, b] = fleet(2);
    for (const gw of [a, b]) gw.advance(600);
    await a.set('Device.IP.', { ULAPrefix: 'fd12:3456:789a::/48' });
    await a.set('Device.IP.Interface.1.IPv4Address.1.', { IPAddress: '192.168.7.1' });
    await a.add('Device.IP.Interface.', { Enable: true, LowerLayers: 'Device.Ethernet.Link.2' });
    await a.set('Device.DNS.Client.', { Enable: false });
    await a.add('Device.DNS.Client.Server.', { Enable: true, DNSServer: '192.0.2.53' });
    await a.del('Device.DNS.Relay.Forwarding.2.');
    await a.set('Device.NAT.InterfaceSetting.1.', { Enable: false });
    await a.add('Device.NAT.PortMapping.', { Enable: true, ExternalPort: 8080, InternalPort: 80, InternalClient: '192.168.7.20', Description: 'web' });
    await a.set('Device.Firewall.', { Config: 'Advanced' });
    await a.set('Device.Firewall.Level.1.', { PortMappingEnabled: false });
    await a.set('Device.Firewall.Chain.1.', { Enable: false });
    for (const gw of [a, b]) gw.advance(300);
    const [ra, rb] = [await read(a), await read(b)];
    expect(rb).toEqual(untouched);
    expect(ra['Device.IP.'].ULAPrefix).toBe('fd12:3456:789a::/48');
    expect(ra['Device.IP.Interface.1.IPv6Prefix.3.'].Prefix).toBe('fd12:3456:789a::/64');
    expect(ra['Device.IP.Interface.1.IPv4Address.1.'].IPAddress).toBe('192.168.7.1');
    expect(ra['Device.Routing.Router.1.IPv4Forwarding.3.'].DestIPAddress).toBe('192.168.7.0');
    expect(ra.interfaces.rows).toEqual([1, 2, 3, 4]);
    expect(ra['Device.DNS.Client.'].Status).toBe('Disabled');
    expect(ra.servers.rows).toEqual([1, 2, 3]);
    expect(ra['Device.NAT.InterfaceSetting.1.'].Status).toBe('Disabled');
    expect(ra.mappings.rows).toEqual([1]);
    expect([ra['Device.Firewall.'].Config, ra['Device.Firewall.Level.1.'].PortMappingEnabled, ra['Device.Firewall.Chain.1.'].Enable]).toEqual(['Advanced', false, false]);
    expect(ra.forwarders.rows).toEqual([1]);
  });
});
