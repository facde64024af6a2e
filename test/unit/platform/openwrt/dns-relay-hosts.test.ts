/**
 * Device.DNS.Relay and Device.Hosts on OpenWrt from recorded outputs: the dnsmasq section of
 * `uci -q -X show dhcp` (OpenWrt's uci), the interface dump's DNS servers (what netifd writes to
 * dnsmasq's resolv file), and the lease file and ARP table of a real dnsmasq run
 * (test/fixtures/openwrt/README.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, type UspError } from '../../../../datamodel/UspError.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { parseArp, parseLeases } from '../../../../platform/dnsmasq-leases.js';
import { DHCP_EVENT, FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const FWD = 'Device.DNS.Relay.Forwarding.{i}.';
const RELOAD = ['ubus', 'call', ...DHCP_EVENT.split(' ')];

describe('openwrt platform: Device.DNS.Relay from the dnsmasq section', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || (a[0] === 'ubus' && a[2] === 'service'));

  it('forwards to the uplink servers of the resolv file: read-only rows with their interface and Type', async () => {
    fx = openWrt();
    const v = await fx.values('Device.DNS.Relay.');
    expect(v.get('Device.DNS.Relay.')).toEqual({ Enable: true, Status: 'Enabled', ForwardNumberOfEntries: 2 });
    expect(v.get('Device.DNS.Relay.Forwarding.1.')).toEqual({ Enable: true, Status: 'Enabled', Alias: 'cpe-1', DNSServer: '1.1.1.1', Interface: 'Device.IP.Interface.1', Type: 'DHCPv4' });
    const e = await Promise.resolve(fx.binding(FWD).set!([1], { DNSServer: '8.8.8.8' }, {})).catch((err: unknown) => err);
    expect((e as UspError).code).toBe(ErrorCode.InvalidValue);
    const d = await Promise.resolve(fx.binding(FWD).delete!([1], {})).catch((err: unknown) => err);
    expect((d as UspError).code).toBe(ErrorCode.InvalidValue);
  });

  it('adds a Static forwarder with uci add_list server, deletes it with del_list', async () => {
    fx = openWrt();
    await fx.platform.ready;
    await fx.values('Device.DNS.Relay.');
    fx.fake.respondUci('dhcp', { file: 'uci-show-dhcp.server-added.txt' });
    fx.fake.clearLog();
    const tx = new Transaction(fx.model, {});
    const inst = await tx.add(fx.model.requireNode(FWD), [], { Enable: true, DNSServer: '9.9.9.9' });
    await tx.commit();
    expect(inst.keys).toEqual([3]);
    expect(writes()).toEqual([['uci', 'add_list', 'dhcp.cfg01411c.server=9.9.9.9'], ['uci', 'commit', 'dhcp'], RELOAD]);
    expect(await fx.binding(FWD).get([3], {})).toMatchObject({ DNSServer: '9.9.9.9', Interface: '', Type: 'Static' });
    fx.fake.clearLog();
    fx.fake.respondUci('dhcp', { file: 'uci-show-dhcp.host-added.txt' });
    await fx.binding(FWD).delete!([3], {});
    expect(writes()).toEqual([['uci', 'del_list', 'dhcp.cfg01411c.server=9.9.9.9'], ['uci', 'commit', 'dhcp'], RELOAD]);
    expect((await fx.values('Device.DNS.Relay.')).get('Device.DNS.Relay.')).toMatchObject({ ForwardNumberOfEntries: 2 });
  });

  it('a Static forwarder disabled moves to the agent list usp_disabled_server; its Interface is the device after @', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.respondUci('dhcp', { file: 'uci-show-dhcp.server-added.txt' });
    await fx.values('Device.DNS.Relay.');
    fx.fake.respondUci('dhcp', { file: 'uci-show-dhcp.server-disabled.txt' });
    fx.fake.clearLog();
    await fx.binding(FWD).set!([1], { Enable: false }, {});
    expect(writes()).toEqual([['uci', 'del_list', 'dhcp.cfg01411c.server=9.9.9.9'], ['uci', 'add_list', 'dhcp.cfg01411c.usp_disabled_server=9.9.9.9'], ['uci', 'commit', 'dhcp'], RELOAD]);
    expect(await fx.binding(FWD).get([1], {})).toMatchObject({ Enable: false, Status: 'Disabled', DNSServer: '9.9.9.9', Type: 'Static' });
    fx.fake.respondUci('dhcp', { file: 'uci-show-dhcp.server-via-wan.txt' });
    fx.fake.clearLog();
    await fx.binding(FWD).set!([1], { Enable: true, Interface: 'Device.IP.Interface.1.' }, {});
    expect(writes()).toEqual([['uci', 'del_list', 'dhcp.cfg01411c.usp_disabled_server=9.9.9.9'], ['uci', 'add_list', 'dhcp.cfg01411c.server=9.9.9.9@eth1.2'], ['uci', 'commit', 'dhcp'], RELOAD]);
    expect(await fx.binding(FWD).get([1], {})).toMatchObject({ Enable: true, Status: 'Enabled', DNSServer: '9.9.9.9', Interface: 'Device.IP.Interface.1' });
    // TR-181's default Enable is false: an Add without it is a disabled row.
    fx.fake.respondUci('dhcp', { file: 'uci-show-dhcp.server-v6-added.txt' });
    fx.fake.clearLog();
    const tx = new Transaction(fx.model, {});
    await tx.add(fx.model.requireNode(FWD), [], { DNSServer: '2620:fe::fe' });
    await tx.commit();
    expect(writes()[0]).toEqual(['uci', 'add_list', 'dhcp.cfg01411c.usp_disabled_server=2620:fe::fe']);
    expect((await fx.values('Device.DNS.Relay.')).get('Device.DNS.Relay.Forwarding.4.')).toMatchObject({ Enable: false, DNSServer: '2620:fe::fe', Interface: '' });
  });

  it('Enable false is port 0 (dnsmasq stops answering DNS, its DHCP goes on)', async () => {
    fx = openWrt();
    await fx.platform.ready;
    await fx.values('Device.DNS.Relay.');
    fx.fake.respondUci('dhcp', { file: 'uci-show-dhcp.disabled.txt' });
    fx.fake.clearLog();
    await fx.binding('Device.DNS.Relay.').set!([], { Enable: false }, {});
    expect(writes()).toEqual([['uci', 'set', 'dhcp.cfg01411c.port=0'], ['uci', 'commit', 'dhcp'], RELOAD]);
    expect(await fx.binding('Device.DNS.Relay.').get([], {})).toEqual({ Enable: false, Status: 'Disabled' });
    // With DNS off dnsmasq offers no DNS server to DHCP clients.
    expect(await fx.binding('Device.DHCPv4.Server.Pool.{i}.').get([1], {})).toMatchObject({ DNSServers: '' });
  });
});

describe('openwrt platform: Device.Hosts from the lease file, the ARP table and the IPv6 neighbours', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  it('one Host per MAC: Active from the ARP entry, HostName and DHCPClient from the lease', async () => {
    fx = openWrt();
    const v = await fx.values('Device.Hosts.');
    // The three DHCP clients and the Wi-Fi station known only by its IPv6 neighbour entries.
    expect(v.get('Device.Hosts.')).toMatchObject({ HostNumberOfEntries: 4 });
    const dhcp = await fx.values('Device.DHCPv4.');
    const byMac = new Map<unknown, Record<string, unknown>>([...v].filter(([p]) => /Host\.\d+\.$/.test(p)).map(([p, h]) => [h.PhysAddress, { path: p, ...h }]));
    expect(byMac.get('de:58:55:e5:dc:76')).toMatchObject({ IPAddress: '192.168.1.104', HostName: 'laptop', Active: true, Layer3Interface: 'Device.IP.Interface.2', IPv4AddressNumberOfEntries: 1 });
    // The printer stopped answering (ARP flags 0x0): still a host, not active; it sent no host name.
    expect(byMac.get('52:3f:b5:5f:a9:be')).toMatchObject({ IPAddress: '192.168.1.20', HostName: '', Active: false });
    expect(byMac.get('c6:ac:3d:24:3b:ec')).toMatchObject({ HostName: 'pixel-7', Active: true });
    // DHCPClient names the Client row of the same MAC.
    for (const h of byMac.values()) if (h.DHCPClient !== '') expect(dhcp.get(`${String(h.DHCPClient)}.`)).toMatchObject({ Chaddr: h.PhysAddress });
  });

  it('a host known only by ARP (fixed address, no lease) has no DHCPClient; no ARP file leaves the leases', async () => {
    fx = openWrt(undefined, { leaseFile: '/nonexistent/dhcp.leases' });
    const v = await fx.values('Device.Hosts.');
    expect(v.get('Device.Hosts.')).toMatchObject({ HostNumberOfEntries: 4 });
    expect([...v.values()].filter((h) => 'PhysAddress' in h).every((h) => h.DHCPClient === '' && h.HostName === '')).toBe(true);
    fx.close();
    fx = openWrt(undefined, { arpFile: '/nonexistent/arp' });
    fx.fake.respondIp6Neigh(undefined);
    const w = await fx.values('Device.Hosts.');
    expect([...w.values()].filter((h) => 'PhysAddress' in h).map((h) => h.Active)).toEqual([false, false, false]);
  });

  it("counts ARP entries on the LAN only: the WAN's gateway is no host", async () => {
    // The recorded table plus a WAN neighbour line (constructed here, in the kernel's format).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-arp-'));
    const arp = path.join(dir, 'arp');
    fs.writeFileSync(arp, `${fs.readFileSync(path.join(FIXTURES, 'proc-net-arp.txt'), 'utf8')}192.168.10.1     0x1         0x2         00:11:22:33:44:55     *        eth1.2\n`);
    fx = openWrt(undefined, { arpFile: arp });
    try {
      const macs = [...(await fx.values('Device.Hosts.')).values()].map((h) => h.PhysAddress).filter(Boolean);
      expect(macs.sort()).toEqual(['3c:22:fb:00:00:10', '52:3f:b5:5f:a9:be', 'c6:ac:3d:24:3b:ec', 'de:58:55:e5:dc:76']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses the lease and ARP formats strictly, skipping what is not a row', () => {
    expect(parseLeases('0 AA:BB:CC:DD:EE:FF 10.0.0.9 * *\nduid 00:01:02\n1 x 10.0.0.1 a b\n')).toEqual([{ expiry: 0, mac: 'aa:bb:cc:dd:ee:ff', ip: '10.0.0.9', hostName: '', clientId: '' }]);
    expect(parseArp('IP address HW type Flags HW address Mask Device\n10.0.0.2 0x1 0x0 00:00:00:00:00:00 * br-lan\n10.0.0.3 0x1 0x6 aa:bb:cc:dd:ee:01 * br-lan\n')).toEqual([
      { ip: '10.0.0.3', mac: 'aa:bb:cc:dd:ee:01', device: 'br-lan', complete: true },
    ]);
  });
});
