/**
 * Device.DHCPv4.Server on OpenWrt from recorded outputs: `uci -q -X show dhcp` of OpenWrt's
 * default dhcp config as OpenWrt's own uci printed it before and after each write the binding
 * makes, and the lease file of a real dnsmasq run serving that config (test/fixtures/openwrt/README.md).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, type UspError } from '../../../../datamodel/UspError.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { POOL_CRITERIA } from '../../../../platform/dhcpv4-pool-criteria.js';
import { DHCP_EVENT, openWrt, type PlatformFixture } from './fake-openwrt.js';

const POOL = 'Device.DHCPv4.Server.Pool.{i}.';
const STATIC = 'Device.DHCPv4.Server.Pool.{i}.StaticAddress.{i}.';
const RELOAD = ['ubus', 'call', ...DHCP_EVENT.split(' ')];

describe('openwrt platform: Device.DHCPv4.Server from the dhcp config and dnsmasq leases', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || (a[0] === 'ubus' && a[2] === 'service'));

  it('reads each dhcp section as a Pool, its range from the interface network, hosts as StaticAddress, leases as Client', async () => {
    fx = openWrt();
    const v = await fx.values('Device.DHCPv4.');
    expect(v.get('Device.DHCPv4.Server.')).toEqual({ Enable: true, PoolNumberOfEntries: 2 });
    // config dhcp lan: start 100, limit 150, 12h on lan 192.168.1.1/24; dnsmasq offers itself as DNS and router.
    expect(v.get('Device.DHCPv4.Server.Pool.1.')).toEqual({
      Enable: true,
      Status: 'Enabled',
      Alias: 'cpe-lan',
      Order: 1,
      Interface: 'Device.IP.Interface.2',
      MinAddress: '192.168.1.100',
      MaxAddress: '192.168.1.249',
      SubnetMask: '255.255.255.0',
      DNSServers: '192.168.1.1',
      DomainName: 'lan',
      IPRouters: '192.168.1.1',
      LeaseTime: 43200,
      ReservedAddresses: '',
      // No criteria (no `list tag` of the agent's): the TR-181 defaults.
      ...POOL_CRITERIA,
      StaticAddressNumberOfEntries: 1,
      ClientNumberOfEntries: 3,
      OptionNumberOfEntries: 0,
    });
    // config dhcp wan: ignore 1.
    expect(v.get('Device.DHCPv4.Server.Pool.2.')).toMatchObject({ Enable: false, Status: 'Disabled', Interface: 'Device.IP.Interface.1', ClientNumberOfEntries: 0 });
    expect(v.get('Device.DHCPv4.Server.Pool.1.StaticAddress.1.')).toEqual({ Enable: true, Alias: 'cpe-cfg04fe63', Chaddr: '52:3f:b5:5f:a9:be', Yiaddr: '192.168.1.20' });
    // The lease file's order; udhcpc sends client-id 01:<mac>, the host name when given one (-x hostname:).
    expect(v.get('Device.DHCPv4.Server.Pool.1.Client.1.')).toEqual({ Alias: 'cpe-1', Chaddr: 'c6:ac:3d:24:3b:ec', Active: true, IPv4AddressNumberOfEntries: 1, OptionNumberOfEntries: 2 });
    expect(v.get('Device.DHCPv4.Server.Pool.1.Client.1.IPv4Address.1.')).toEqual({ IPAddress: '192.168.1.184', LeaseTimeRemaining: '2026-12-05T18:56:57Z' });
    expect(v.get('Device.DHCPv4.Server.Pool.1.Client.1.Option.1.')).toEqual({ Tag: 61, Value: '01c6ac3d243bec' });
    expect(v.get('Device.DHCPv4.Server.Pool.1.Client.1.Option.2.')).toEqual({ Tag: 12, Value: Buffer.from('pixel-7').toString('hex') });
    // The printer (static address) sent no host name: only its client identifier.
    expect(v.get('Device.DHCPv4.Server.Pool.1.Client.2.')).toMatchObject({ Chaddr: '52:3f:b5:5f:a9:be', OptionNumberOfEntries: 1 });
    expect(v.get('Device.DHCPv4.Server.Pool.1.Client.2.IPv4Address.1.')).toMatchObject({ IPAddress: '192.168.1.20' });
    expect(v.get('Device.DHCPv4.Server.Pool.1.Client.3.')).toMatchObject({ Chaddr: 'de:58:55:e5:dc:76' });
  });

  it('a lease that has ended is an inactive Client; no lease file is no Client', async () => {
    fx = openWrt(undefined, { now: () => Date.UTC(2026, 11, 6) });
    expect(await fx.binding('Device.DHCPv4.Server.Pool.{i}.Client.{i}.').get([1, 1], {})).toMatchObject({ Active: false });
    fx.close();
    fx = openWrt(undefined, { leaseFile: '/nonexistent/dhcp.leases' });
    expect((await fx.values('Device.DHCPv4.')).get('Device.DHCPv4.Server.Pool.1.')).toMatchObject({ ClientNumberOfEntries: 0 });
  });

  it('sets the range and lease time as start/limit/leasetime, commits dhcp and has procd reload dnsmasq', async () => {
    fx = openWrt();
    await fx.platform.ready;
    await fx.values('Device.DHCPv4.');
    // From the commit on, uci shows what OpenWrt's uci showed after those commands (recorded).
    fx.fake.respondUci('dhcp', { file: 'uci-show-dhcp.pool-set.txt' });
    fx.fake.clearLog();
    await fx.binding(POOL).set!([1], { MinAddress: '192.168.1.50', MaxAddress: '192.168.1.149', LeaseTime: 3600 }, {});
    expect(writes()).toEqual([['uci', 'set', 'dhcp.lan.start=50'], ['uci', 'set', 'dhcp.lan.limit=100'], ['uci', 'set', 'dhcp.lan.leasetime=3600'], ['uci', 'commit', 'dhcp'], RELOAD]);
    expect(await fx.binding(POOL).get([1], {})).toMatchObject({ MinAddress: '192.168.1.50', MaxAddress: '192.168.1.149', LeaseTime: 3600 });
  });

  it('refuses a range outside the network and a lease time dnsmasq does not take, writing nothing', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    const e = await Promise.resolve(fx.binding(POOL).set!([1], { MaxAddress: '192.168.2.10', LeaseTime: 30 }, {})).catch((err: unknown) => err);
    expect((e as UspError).code).toBe(ErrorCode.InvalidValue);
    expect((e as UspError).paramErrors?.map((p) => p.param).sort()).toEqual(['LeaseTime', 'MaxAddress']);
    expect(writes()).toEqual([]);
  });

  it('Enable false sets ignore, true deletes it, an unchanged Enable writes nothing', async () => {
    fx = openWrt();
    await fx.platform.ready;
    await fx.values('Device.DHCPv4.');
    fx.fake.clearLog();
    // Enable true on the enabled pool: nothing to write (uci fails deleting an option that is not there).
    await fx.binding(POOL).set!([1], { Enable: true }, {});
    expect(writes()).toEqual([]);
    await fx.binding(POOL).set!([2], { Enable: true }, {});
    fx.fake.respondUci('dhcp', { file: 'uci-show-dhcp.disabled.txt' });
    await fx.binding(POOL).set!([1], { Enable: false }, {});
    expect(writes()).toEqual([['uci', 'delete', 'dhcp.wan.ignore'], ['uci', 'commit', 'dhcp'], RELOAD, ['uci', 'set', 'dhcp.lan.ignore=1'], ['uci', 'commit', 'dhcp'], RELOAD]);
    expect(await fx.binding(POOL).get([1], {})).toMatchObject({ Enable: false, Status: 'Disabled' });
  });

  it('adds a Pool with uci add dhcp dhcp and deletes it by section name', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.respondUci('dhcp', { file: 'uci-show-dhcp.server-added.txt' });
    await fx.values('Device.DHCPv4.');
    fx.fake.willAdd('cfg05ad04');
    fx.fake.respondUci('dhcp', { file: 'uci-show-dhcp.pool-added.txt' });
    fx.fake.clearLog();
    const tx = new Transaction(fx.model, {});
    const inst = await tx.add(fx.model.requireNode(POOL), [], { Enable: true, Interface: 'Device.IP.Interface.1', MinAddress: '192.168.10.10', MaxAddress: '192.168.10.29', LeaseTime: 600 });
    await tx.commit();
    expect(inst.keys).toEqual([3]);
    expect(writes()).toEqual([
      ['uci', 'add', 'dhcp', 'dhcp'],
      ['uci', 'set', 'dhcp.cfg05ad04.interface=wan'],
      ['uci', 'set', 'dhcp.cfg05ad04.start=10'],
      ['uci', 'set', 'dhcp.cfg05ad04.limit=20'],
      ['uci', 'set', 'dhcp.cfg05ad04.leasetime=600'],
      ['uci', 'commit', 'dhcp'],
      RELOAD,
    ]);
    expect(await fx.binding(POOL).get([3], {})).toMatchObject({ Enable: true, Interface: 'Device.IP.Interface.1', MinAddress: '192.168.10.10', MaxAddress: '192.168.10.29', LeaseTime: 600 });
    fx.fake.clearLog();
    await fx.binding(POOL).delete!([3], {});
    expect(writes()).toEqual([['uci', 'delete', 'dhcp.cfg05ad04'], ['uci', 'commit', 'dhcp'], RELOAD]);
    // TR-181's default Enable is false: a pool added without it is written with ignore 1.
    fx.fake.clearLog();
    fx.fake.willAdd('cfg06ad05');
    await fx.binding(POOL).add!([], { Interface: 'Device.IP.Interface.1' }, {});
    expect(writes().slice(0, 3)).toEqual([
      ['uci', 'add', 'dhcp', 'dhcp'],
      ['uci', 'set', 'dhcp.cfg06ad05.ignore=1'],
      ['uci', 'set', 'dhcp.cfg06ad05.interface=wan'],
    ]);
  });

  it('deleting a Pool deletes its static addresses (host sections in its network) with it', async () => {
    fx = openWrt();
    await fx.platform.ready;
    await fx.values('Device.DHCPv4.');
    fx.fake.clearLog();
    await fx.binding(POOL).delete!([1], {});
    expect(writes()).toEqual([['uci', 'delete', 'dhcp.lan'], ['uci', 'delete', 'dhcp.cfg04fe63'], ['uci', 'commit', 'dhcp'], RELOAD]);
  });

  it('adds a StaticAddress as a host section, changes and deletes it', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.respondUci('dhcp', { file: 'uci-show-dhcp.txt' });
    expect((await fx.values('Device.DHCPv4.')).get('Device.DHCPv4.Server.Pool.1.')).toMatchObject({ StaticAddressNumberOfEntries: 0 });
    fx.fake.willAdd('cfg04fe63');
    fx.fake.respondUci('dhcp', { file: 'uci-show-dhcp.host-added.txt' });
    fx.fake.clearLog();
    const tx = new Transaction(fx.model, {});
    const inst = await tx.add(fx.model.requireNode(STATIC), [1], { Enable: true, Chaddr: '52:3F:B5:5F:A9:BE', Yiaddr: '192.168.1.20' });
    await tx.commit();
    expect(inst.keys).toEqual([1, 1]);
    expect(writes()).toEqual([
      ['uci', 'add', 'dhcp', 'host'],
      ['uci', 'set', 'dhcp.cfg04fe63.mac=52:3f:b5:5f:a9:be'],
      ['uci', 'set', 'dhcp.cfg04fe63.ip=192.168.1.20'],
      ['uci', 'commit', 'dhcp'],
      RELOAD,
    ]);
    // The Alias the agent gave the new row (TR-369 R-ADD: every row has one), kept by the agent.
    expect(await fx.binding(STATIC).get([1, 1], {})).toEqual({ Enable: true, Alias: 'cpe-1', Chaddr: '52:3f:b5:5f:a9:be', Yiaddr: '192.168.1.20' });
    fx.fake.clearLog();
    const bad = await Promise.resolve(fx.binding(STATIC).set!([1, 1], { Yiaddr: '10.0.0.5', Enable: false }, {})).catch((err: unknown) => err);
    expect((bad as UspError).paramErrors?.map((p) => p.param).sort()).toEqual(['Enable', 'Yiaddr']);
    await fx.binding(STATIC).set!([1, 1], { Yiaddr: '192.168.1.21' }, {});
    await fx.binding(STATIC).delete!([1, 1], {});
    expect(writes()).toEqual([['uci', 'set', 'dhcp.cfg04fe63.ip=192.168.1.21'], ['uci', 'commit', 'dhcp'], RELOAD, ['uci', 'delete', 'dhcp.cfg04fe63'], ['uci', 'commit', 'dhcp'], RELOAD]);
  });
});
