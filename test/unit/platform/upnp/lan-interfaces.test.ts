/**
 * Which interfaces the SSDP browser of Device.UPnP.Discovery. listens on: the LAN only. Linux:
 * the interfaces without a default route (a /proc written here); OpenWrt: the l3_device of the
 * networks in the firewall zone `lan` (the recorded uci show firewall and network.interface dump).
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostFiles } from '../../../../platform/linux/HostFiles.js';
import { linuxLanInterfaces } from '../../../../platform/linux/upnp-lan.js';
import type { InterfaceDump } from '../../../../platform/openwrt/ubus-types.js';
import { parseUciShow } from '../../../../platform/openwrt/uci-show.js';
import { devicesOfNetworks, lanZoneNetworks } from '../../../../platform/openwrt/upnp-lan.js';
import { FIXTURES } from '../openwrt/fake-openwrt.js';

const ROUTE_HEAD = 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT';
const all = [
  { name: 'wan0', address: '192.0.2.10', netmask: '255.255.255.0' },
  { name: 'br-lan', address: '192.168.1.1', netmask: '255.255.255.0' },
  { name: 'guest', address: '192.168.2.1', netmask: '255.255.255.0' },
];

describe('Linux: the LAN is every IPv4 interface without a default route', () => {
  const dir = mkdtempSync(join(tmpdir(), 'usp-upnp-lan-'));
  mkdirSync(join(dir, 'net'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const files = new HostFiles({ procRoot: dir });
  const write = (route: string, route6 = ''): void => {
    writeFileSync(join(dir, 'net', 'route'), `${ROUTE_HEAD}\n${route}`);
    writeFileSync(join(dir, 'net', 'ipv6_route'), route6);
  };

  it('leaves out the device of the IPv4 default route', async () => {
    write('wan0\t00000000\t0102000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\nbr-lan\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n');
    expect((await linuxLanInterfaces(files, () => all)).map((i) => i.name)).toEqual(['br-lan', 'guest']);
  });

  it('leaves out the device of an IPv6-only default route too', async () => {
    write('', `${'0'.repeat(32)} 00 ${'0'.repeat(32)} 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003 wan0\n`);
    expect((await linuxLanInterfaces(files, () => all)).map((i) => i.name)).toEqual(['br-lan', 'guest']);
  });

  it('without a default route every interface is LAN; /proc unreadable reads as no route', async () => {
    write('');
    expect(await linuxLanInterfaces(files, () => all)).toHaveLength(3);
    expect(await linuxLanInterfaces(new HostFiles({ procRoot: join(dir, 'absent') }), () => all)).toHaveLength(3);
  });
});

describe('OpenWrt: the LAN is the l3_device of the networks in the lan firewall zone', () => {
  const firewall = parseUciShow(readFileSync(join(FIXTURES, 'uci-show-firewall.txt'), 'utf8'));
  const dump = JSON.parse(readFileSync(join(FIXTURES, 'ubus-network-interface-dump.json'), 'utf8')) as InterfaceDump;

  it('the recorded device: lan is br-lan; wan (eth1.2) is left out', () => {
    expect(lanZoneNetworks(firewall)).toEqual(['lan']);
    expect(devicesOfNetworks(dump, lanZoneNetworks(firewall))).toEqual(['br-lan']);
  });

  it('a lan zone of several networks gives each device once; no lan zone gives none (never the WAN)', () => {
    const two = parseUciShow("firewall.z=zone\nfirewall.z.name='lan'\nfirewall.z.network='lan' 'guest'\nfirewall.w=zone\nfirewall.w.name='wan'\nfirewall.w.network='wan'\n");
    const d: InterfaceDump = {
      interface: [
        { interface: 'lan', l3_device: 'br-lan' },
        { interface: 'guest', device: 'br-guest' },
        { interface: 'wan', l3_device: 'eth1' },
        { interface: 'lan6', l3_device: 'br-lan' },
      ],
    } as InterfaceDump;
    expect(devicesOfNetworks(d, lanZoneNetworks(two))).toEqual(['br-lan', 'br-guest']);
    expect(lanZoneNetworks(parseUciShow("firewall.w=zone\nfirewall.w.name='wan'\nfirewall.w.network='wan'\n"))).toEqual([]);
  });
});
