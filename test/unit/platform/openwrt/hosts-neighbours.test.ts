/**
 * Hosts:3 on OpenWrt: Layer1Interface, AssociatedDevice and IPv6Address, from recordings of one
 * real LAN in network namespaces (test/fixtures/openwrt/README.md): `ip -6 neigh show`, the
 * bridge's /sys brforward and brif port numbers, with the lease file and ARP table of the same
 * clients; the Wi-Fi station is the one of the iwinfo assoclist fixture.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBrforward, parseIpv6Neighbours } from '../../../../platform/openwrt/lan-neighbours.js';
import { FIXTURES, IWINFO_ASSOCLIST, openWrt, type PlatformFixture } from './fake-openwrt.js';

type Row = Record<string, unknown>;

async function hostsByMac(fx: PlatformFixture): Promise<Map<unknown, Row & { path: string }>> {
  const v = await fx.values('Device.Hosts.');
  return new Map([...v].filter(([p]) => /Host\.\d+\.$/.test(p)).map(([p, h]) => [h.PhysAddress, { path: p, ...h }]));
}

describe('openwrt platform: Hosts Layer1Interface, AssociatedDevice and IPv6Address', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  it('a Wi-Fi station is its AssociatedDevice row on its SSID; a wired host the bridge port it was seen on', async () => {
    fx = openWrt();
    const hosts = await hostsByMac(fx);
    const wifi = await fx.values('Device.WiFi.');
    const station = hosts.get('3c:22:fb:00:00:10')!;
    expect(station).toMatchObject({ Active: true, IPAddress: 'fd12:3456:789a:1:3e22:fbff:fe00:10', DHCPClient: '', IPv4AddressNumberOfEntries: 0, IPv6AddressNumberOfEntries: 2 });
    expect(wifi.get(`${String(station.AssociatedDevice)}.`)).toMatchObject({ MACAddress: '3c:22:fb:00:00:10' });
    const ap = String(station.AssociatedDevice).replace(/\.AssociatedDevice\.\d+$/, '.');
    expect(station.Layer1Interface).toBe(wifi.get(ap)?.SSIDReference);
    expect(station.Layer1Interface).toMatch(/^Device\.WiFi\.SSID\.\d+$/);
    // The laptop, the printer and the phone sit behind eth0 (brforward port 1), the station behind phy1-ap0.
    const eth = await fx.values('Device.Ethernet.');
    for (const mac of ['de:58:55:e5:dc:76', '52:3f:b5:5f:a9:be', 'c6:ac:3d:24:3b:ec']) {
      const h = hosts.get(mac)!;
      expect(h.AssociatedDevice).toBe('');
      expect(eth.get(`${String(h.Layer1Interface)}.`)).toMatchObject({ Name: 'eth0' });
    }
    // The router's own address (a local forwarding entry, its "router" neighbour) is no host.
    expect(hosts.has('0e:a2:4e:ef:ce:1b')).toBe(false);
  });

  it('lists each IPv6 neighbour address of a host, link-local and global; a FAILED entry is none', async () => {
    fx = openWrt();
    const v = await fx.values('Device.Hosts.');
    const hosts = await hostsByMac(fx);
    const addresses = (mac: string): unknown[] =>
      [...v]
        .filter(([p]) => p.startsWith(`${hosts.get(mac)!.path}IPv6Address.`))
        .map(([, a]) => a.IPAddress)
        .sort();
    expect(addresses('de:58:55:e5:dc:76')).toEqual(['fd12:3456:789a:1:dc58:55ff:fee5:dc76', 'fe80::dc58:55ff:fee5:dc76']);
    expect(addresses('c6:ac:3d:24:3b:ec')).toEqual(['fd12:3456:789a:1:c4ac:3dff:fe24:3bec', 'fe80::c4ac:3dff:fe24:3bec']);
    // The printer was switched off: both its entries FAILED, its ARP entry 0x0.
    expect(addresses('52:3f:b5:5f:a9:be')).toEqual([]);
    expect(hosts.get('52:3f:b5:5f:a9:be')).toMatchObject({ Active: false, IPAddress: '192.168.1.20' });
  });

  it('without the ip tool (a stock image) or Wi-Fi, hosts read with no IPv6 addresses and no AssociatedDevice', async () => {
    fx = openWrt();
    fs.rmSync(path.join(fx.fake.bin, 'ip'));
    fx.fake.respond(IWINFO_ASSOCLIST, { exit: 4, stderr: 'Command failed: Not found' });
    const hosts = await hostsByMac(fx);
    expect([...hosts.keys()].sort()).toEqual(['52:3f:b5:5f:a9:be', 'c6:ac:3d:24:3b:ec', 'de:58:55:e5:dc:76']);
    for (const h of hosts.values()) expect(h).toMatchObject({ IPv6AddressNumberOfEntries: 0, AssociatedDevice: '' });
    expect(hosts.get('de:58:55:e5:dc:76')?.Layer1Interface).toMatch(/^Device\.Ethernet\.Interface\.\d+$/);
  });

  it('parses ip -6 neigh and brforward as recorded', () => {
    const n = parseIpv6Neighbours(fs.readFileSync(path.join(FIXTURES, 'ip-6-neigh-show.txt'), 'utf8'));
    expect(n).toHaveLength(7);
    expect(n[0]).toEqual({ ip: 'fe80::ca2:4eff:feef:ce1b', mac: '0e:a2:4e:ef:ce:1b', device: 'br-lan' });
    const fdb = parseBrforward(fs.readFileSync(path.join(FIXTURES, 'sys-class-net/br-lan/brforward')));
    // As `bridge fdb show br br-lan` printed it in the same namespace (bridge-fdb-show.txt).
    const shown = fs
      .readFileSync(path.join(FIXTURES, 'bridge-fdb-show.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('master br-lan'))
      .map((l) => l.split(' ')[0])
      .sort();
    expect(fdb.map((e) => e.mac).sort()).toEqual(shown);
    expect(fdb.find((e) => e.mac === '3c:22:fb:00:00:10')).toEqual({ mac: '3c:22:fb:00:00:10', port: 2, local: false });
    expect(fdb.find((e) => e.mac === '0e:a2:4e:ef:ce:1b')).toMatchObject({ local: true });
  });
});
