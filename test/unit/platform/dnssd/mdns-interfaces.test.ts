import type os from 'node:os';
import { describe, expect, it } from 'vitest';
import { sameSubnet } from '../../../../platform/dnssd/mdns-browser.js';
import { interfacesOfReferences, ipv4Interfaces } from '../../../../platform/dnssd/mdns-interfaces.js';

const v4 = (address: string, netmask: string, internal = false): os.NetworkInterfaceInfo => ({ address, netmask, family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: null });
const v6 = (address: string): os.NetworkInterfaceInfo => ({ address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '00:00:00:00:00:00', internal: false, cidr: null, scopeid: 0 });
const TABLE = {
  lo: [v4('127.0.0.1', '255.0.0.0', true)],
  'br-lan': [v6('fe80::1'), v4('192.168.1.1', '255.255.255.0'), v4('192.168.2.1', '255.255.255.0')],
  wan: [v6('2001:db8::2')],
};

describe('the interfaces the mDNS browser joins the group on', () => {
  it("a named device's first IPv4 address; a device without one is left out", () => {
    expect(ipv4Interfaces(['br-lan', 'wan', 'missing'], TABLE)).toEqual([{ name: 'br-lan', address: '192.168.1.1', netmask: '255.255.255.0' }]);
  });

  it('no names: every device with an IPv4 address but loopback', () => {
    expect(ipv4Interfaces(undefined, TABLE).map((i) => i.name)).toEqual(['br-lan']);
  });

  it('references the platform cannot resolve (or that fail) give no interface, not an error', async () => {
    expect(await interfacesOfReferences(['Device.IP.Interface.7'], () => Promise.resolve(undefined))).toEqual([]);
    expect(await interfacesOfReferences(['Device.IP.Interface.7'], () => Promise.reject(new Error('ubus timed out')))).toEqual([]);
  });

  it('reads only responses from the subnet of an interface it browses on', () => {
    const lan = { name: 'br-lan', address: '192.168.1.1', netmask: '255.255.255.0' };
    expect(sameSubnet('192.168.1.77', lan)).toBe(true);
    expect(sameSubnet('192.168.2.77', lan)).toBe(false);
    expect(sameSubnet('fe80::1', lan)).toBe(false);
    expect(sameSubnet('192.168.1', lan)).toBe(false);
    expect(sameSubnet('10.0.0.200', { name: 'x', address: '10.0.0.1', netmask: '255.0.0.0' })).toBe(true);
    expect(sameSubnet('11.0.0.1', { name: 'x', address: '10.0.0.1', netmask: '255.0.0.0' })).toBe(false);
  });
});
