import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

type Dump = { interface: Array<Record<string, unknown>> };
const recorded = (): Dump => JSON.parse(fs.readFileSync(`${FIXTURES}ubus-network-interface-dump.json`, 'utf8'));

/** The recorded dump plus a DHCPv6 wan6, a static DNS server on lan, a metric and an on-link and an IPv6 route. */
function richer(): Dump {
  const dump = recorded();
  const wan = dump.interface.find((i) => i.interface === 'wan')!;
  const lan = dump.interface.find((i) => i.interface === 'lan')!;
  wan.route = [...(wan.route as unknown[]), { target: '10.20.0.0', mask: 16, nexthop: '0.0.0.0', metric: 10, source: '0.0.0.0/0' }, { target: '::', mask: 0, nexthop: 'fe80::1', source: '::/0' }];
  lan['dns-server'] = ['192.168.1.53'];
  dump.interface.push({
    interface: 'wan6',
    up: true,
    proto: 'dhcpv6',
    device: 'eth1.2',
    'dns-server': ['2606:4700:4700::1111'],
    route: [{ target: '::', mask: 0, nexthop: 'fe80::1', source: '::/0' }],
  });
  return dump;
}

describe('openwrt platform: Device.DNS.Client and Device.Routing from the interface dump', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  it('types each server by proto, skips IPv6 routes, masks prefix lengths and keeps a metric', async () => {
    fx = openWrt();
    fx.fake.respond('network.interface dump', { json: richer() });
    const v = await fx.values();
    expect(v.get('Device.DNS.Client.')).toMatchObject({ ServerNumberOfEntries: 4 });
    expect(v.get('Device.DNS.Client.Server.3.')).toEqual({
      Enable: true,
      Status: 'Enabled',
      DNSServer: '192.168.1.53',
      Interface: 'Device.IP.Interface.2',
      Type: 'Static',
    });
    expect(v.get('Device.DNS.Client.Server.4.')).toEqual({
      Enable: true,
      Status: 'Enabled',
      DNSServer: '2606:4700:4700::1111',
      Interface: 'Device.IP.Interface.3',
      Type: 'DHCPv6',
    });
    expect(v.get('Device.Routing.Router.1.')).toMatchObject({ IPv4ForwardingNumberOfEntries: 2 });
    expect(v.get('Device.Routing.Router.1.IPv4Forwarding.1.')).toMatchObject({ DestIPAddress: '', GatewayIPAddress: '192.168.10.1' });
    expect(v.get('Device.Routing.Router.1.IPv4Forwarding.2.')).toEqual({
      Enable: true,
      Status: 'Enabled',
      DestIPAddress: '10.20.0.0',
      DestSubnetMask: '255.255.0.0',
      GatewayIPAddress: '',
      Interface: 'Device.IP.Interface.1',
      Origin: 'DHCPv4',
      ForwardingMetric: 10,
    });
    expect(v.has('Device.Routing.Router.1.IPv4Forwarding.3.')).toBe(false);
  });

  it('keeps instance numbers while rows come and go, and never reuses one', async () => {
    fx = openWrt();
    fx.fake.respond('network.interface dump', { json: richer() });
    await fx.values();
    // wan loses 1.1.1.1 and its on-link route, then a new server and a new route appear.
    const dump = richer();
    const wan = dump.interface.find((i) => i.interface === 'wan')!;
    wan['dns-server'] = ['1.1.1.2', '9.9.9.9'];
    wan.route = [(wan.route as unknown[])[0], { target: '172.16.0.0', mask: 12, nexthop: '192.168.10.254' }];
    fx.fake.respond('network.interface dump', { json: dump });
    fx.platform.runner.invalidate();
    const v = await fx.values();
    const servers = [...v].filter(([p]) => /^Device\.DNS\.Client\.Server\.\d+\.$/.test(p)).map(([p, x]) => [p, x.DNSServer]);
    expect(servers).toEqual([
      ['Device.DNS.Client.Server.2.', '1.1.1.2'],
      ['Device.DNS.Client.Server.3.', '192.168.1.53'],
      ['Device.DNS.Client.Server.4.', '2606:4700:4700::1111'],
      ['Device.DNS.Client.Server.5.', '9.9.9.9'],
    ]);
    expect(v.get('Device.Routing.Router.1.IPv4Forwarding.1.')).toMatchObject({ GatewayIPAddress: '192.168.10.1' });
    expect(v.has('Device.Routing.Router.1.IPv4Forwarding.2.')).toBe(false);
    expect(v.get('Device.Routing.Router.1.IPv4Forwarding.3.')).toMatchObject({
      DestIPAddress: '172.16.0.0',
      DestSubnetMask: '255.240.0.0',
      GatewayIPAddress: '192.168.10.254',
      ForwardingMetric: -1,
    });
  });

  it("serves a server several interfaces announce once (DNSServer is unique), as the first interface's", async () => {
    fx = openWrt();
    const dump = richer();
    // wan6 and lan also announce wan's servers: one upstream resolver learnt twice, a static copy.
    dump.interface.find((i) => i.interface === 'wan6')!['dns-server'] = ['2606:4700:4700::1111', '1.1.1.1'];
    dump.interface.find((i) => i.interface === 'lan')!['dns-server'] = ['192.168.1.53', '1.1.1.2'];
    fx.fake.respond('network.interface dump', { json: dump });
    const servers = async (): Promise<Array<[string, unknown, unknown, unknown]>> =>
      [...(await fx.values('Device.DNS.'))].filter(([p]) => /^Device\.DNS\.Client\.Server\.\d+\.$/.test(p)).map(([p, x]) => [p, x.DNSServer, x.Interface, x.Type]);
    expect(await servers()).toEqual([
      ['Device.DNS.Client.Server.1.', '1.1.1.1', 'Device.IP.Interface.1', 'DHCPv4'],
      ['Device.DNS.Client.Server.2.', '1.1.1.2', 'Device.IP.Interface.1', 'DHCPv4'],
      ['Device.DNS.Client.Server.3.', '192.168.1.53', 'Device.IP.Interface.2', 'Static'],
      ['Device.DNS.Client.Server.4.', '2606:4700:4700::1111', 'Device.IP.Interface.3', 'DHCPv6'],
    ]);
    // wan stops announcing 1.1.1.1: the row stays (same instance), now wan6's.
    dump.interface.find((i) => i.interface === 'wan')!['dns-server'] = ['1.1.1.2'];
    fx.fake.respond('network.interface dump', { json: dump });
    fx.platform.runner.invalidate();
    expect((await servers())[0]).toEqual(['Device.DNS.Client.Server.1.', '1.1.1.1', 'Device.IP.Interface.3', 'DHCPv6']);
    expect(await servers()).toHaveLength(4);
  });

  it('fails DNS and routing with the dump when netifd does not answer, and serves the one router only', async () => {
    fx = openWrt();
    fx.fake.respond('network.interface dump', { exit: 4, stderr: 'Command failed: Not found' });
    for (const path of ['Device.DNS.', 'Device.Routing.']) {
      await expect(fx.read(path), path).rejects.toThrow(/ubus call network\.interface dump/);
    }
    expect((await fx.values('Device.DeviceInfo.')).get('Device.DeviceInfo.')).toMatchObject({ ModelName: 'COVR-X1860 A1' });
    const router = fx.binding('Device.Routing.Router.{i}.');
    expect(await router.list!([], {})).toEqual([1]);
    await expect(async () => router.get([2], {})).rejects.toThrow(/no such router: 2/);
  });
});
