/**
 * Device.Hosts on generic Linux (TR-181 Hosts:3) from a recorded `ip -j neigh show`
 * (test/fixtures/linux/SOURCES.md) and a lease file in dnsmasq's format (as test/fixtures/openwrt/dhcp.leases
 * recorded it from a real dnsmasq), with the platform's fake clock.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CAPTURED_MS, FakeHost, linuxHost, type LinuxFixture } from './fake-host.js';

const HOSTS = 'Device.Hosts.';
const NOW_S = CAPTURED_MS / 1000;

describe('linux platform: Device.Hosts from the neighbour table and dnsmasq leases', () => {
  let fx: LinuxFixture;
  afterEach(() => fx.cleanup());

  const hosts = async (): Promise<Map<string, Record<string, unknown>>> => new Map([...(await fx.byPath())].filter(([p]) => p.startsWith(HOSTS)));

  it('one Host per MAC with a resolved or unresolved address; its IPv4 and IPv6 rows; Layer3Interface the IP.Interface of its device', async () => {
    fx = linuxHost({ leaseFile: '/nonexistent/dnsmasq.leases' });
    const v = await hosts();
    expect(v.get(HOSTS)).toEqual({ HostNumberOfEntries: 2 });
    // eth1 is no interface of the fake host's `ip -j addr`: its neighbour has no IP.Interface.
    expect(v.get(`${HOSTS}Host.1.`)).toEqual({
      PhysAddress: '62:a2:9e:06:29:b7',
      IPAddress: '10.0.2.2',
      DHCPClient: '',
      AssociatedDevice: '',
      Layer1Interface: '',
      Layer3Interface: '',
      HostName: '',
      Active: true,
      IPv4AddressNumberOfEntries: 1,
      IPv6AddressNumberOfEntries: 0,
    });
    expect(v.get(`${HOSTS}Host.2.`)).toMatchObject({
      PhysAddress: '4a:33:d1:8f:59:b2',
      IPAddress: '192.168.1.20',
      Layer3Interface: 'Device.IP.Interface.4',
      Active: true,
      IPv6AddressNumberOfEntries: 2,
    });
    expect(v.get(`${HOSTS}Host.2.IPv4Address.1.`)).toEqual({ IPAddress: '192.168.1.20' });
    // Global before link-local.
    expect(v.get(`${HOSTS}Host.2.IPv6Address.1.`)).toEqual({ IPAddress: '2001:db8:1::20' });
    expect(v.get(`${HOSTS}Host.2.IPv6Address.2.`)).toEqual({ IPAddress: 'fe80::4833:d1ff:fe8f:59b2' });
    expect((await fx.byPath()).get('Device.IP.Interface.4.')).toMatchObject({ Name: 'eth0' });
  });

  it('a leased client is a Host with its name until the lease ends, inactive while the kernel has no address for it', async () => {
    const host = new FakeHost();
    const leases = path.join(host.dir, 'dnsmasq.leases');
    fs.writeFileSync(
      leases,
      [
        `${NOW_S + 3600} 4a:33:d1:8f:59:b2 192.168.1.20 laptop 01:4a:33:d1:8f:59:b2`,
        `${NOW_S + 600} 52:3f:b5:5f:a9:be 192.168.1.21 * *`,
        `0 52:3f:b5:5f:a9:bf 192.168.1.22 printer *`,
        `${NOW_S - 1} 52:3f:b5:5f:a9:c0 192.168.1.23 gone *`,
        '',
      ].join('\n'),
    );
    fx = linuxHost({ leaseFile: leases }, host);
    const v = await hosts();
    expect(v.get(HOSTS)).toEqual({ HostNumberOfEntries: 4 });
    expect(v.get(`${HOSTS}Host.2.`)).toMatchObject({ PhysAddress: '4a:33:d1:8f:59:b2', HostName: 'laptop', Active: true });
    expect(v.get(`${HOSTS}Host.3.`)).toMatchObject({ PhysAddress: '52:3f:b5:5f:a9:be', IPAddress: '192.168.1.21', HostName: '', Active: false, Layer3Interface: '' });
    expect(v.get(`${HOSTS}Host.4.`)).toMatchObject({ HostName: 'printer' });
    fx.advance(601);
    const later = await hosts();
    expect(later.get(HOSTS)).toEqual({ HostNumberOfEntries: 3 });
    expect(later.get(`${HOSTS}Host.3.`)).toBeUndefined();
  });
});
