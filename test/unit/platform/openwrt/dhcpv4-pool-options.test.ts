/**
 * Device.DHCPv4.Server.Pool.{i}.Option, .Order and .ReservedAddresses on OpenWrt, replayed at the
 * command boundary: `uci -q -X show dhcp` answers what OpenWrt's own uci printed before and after
 * each write the binding makes (test/fixtures/openwrt/README.md), and the item forms are the ones
 * dnsmasq 2.90 was seen to send to a real DHCP client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, type UspError } from '../../../../datamodel/UspError.js';
import { formatDhcpOption, parseDhcpOption } from '../../../../platform/openwrt/dhcp-option-value.js';
import { DHCP_EVENT, openWrt, type PlatformFixture } from './fake-openwrt.js';

const POOL = 'Device.DHCPv4.Server.Pool.{i}.';
const OPTION = 'Device.DHCPv4.Server.Pool.{i}.Option.{i}.';
const RELOAD = ['ubus', 'call', ...DHCP_EVENT.split(' ')];
const WPAD = Buffer.from('http://wpad/wpad.dat').toString('hex');
const WPAD_ITEM = `252,${WPAD.match(/../g)!.join(':')}`;

describe('dhcp_option items as dnsmasq sends them', () => {
  it('reads dotted addresses, colon hex, decimal numbers by width and text', () => {
    expect(parseDhcpOption('42,192.168.1.1')).toEqual({ tag: 42, value: 'c0a80101' });
    expect(parseDhcpOption('6,1.1.1.1,9.9.9.9')).toEqual({ tag: 6, value: '0101010109090909' });
    expect(parseDhcpOption(WPAD_ITEM)).toEqual({ tag: 252, value: WPAD });
    // What udhcpc printed for dnsmasq's '224,5', '225,300' and '26,1400' (MTU: 2 bytes).
    expect(parseDhcpOption('224,5')).toEqual({ tag: 224, value: '05' });
    expect(parseDhcpOption('225,300')).toEqual({ tag: 225, value: '012c' });
    expect(parseDhcpOption('26,1400')).toEqual({ tag: 26, value: '0578' });
    expect(parseDhcpOption('15,home')).toEqual({ tag: 15, value: Buffer.from('home').toString('hex') });
    expect(parseDhcpOption('3')).toEqual({ tag: 3, value: '' });
    for (const other of ['option:router,192.168.1.1', 'tag:guest,3,10.0.0.1', 'option6:dns-server,[::]', '0,1', '255,1']) expect(parseDhcpOption(other)).toBeUndefined();
  });

  it('writes what reads back the same bytes, refusing what dnsmasq cannot send', () => {
    expect(formatDhcpOption(42, 'C0A80101')).toBe('42,192.168.1.1');
    expect(formatDhcpOption(252, WPAD)).toBe(WPAD_ITEM);
    expect(formatDhcpOption(26, '0578')).toBe('26,1400');
    expect(formatDhcpOption(224, '05')).toBe('224,5');
    expect(formatDhcpOption(3, '')).toBe('3');
    expect(formatDhcpOption(26, '05')).toEqual({ refused: 'option 26 takes 2 bytes in dnsmasq' });
    expect(formatDhcpOption(43, 'abc')).toEqual({ refused: 'must be hexBinary' });
    for (const [tag, hex] of [
      [42, 'c0a80101'],
      [252, WPAD],
      [26, '0578'],
      [224, '05'],
      [43, '0102'],
    ] as const)
      expect(parseDhcpOption(formatDhcpOption(tag, hex) as string)).toEqual({ tag, value: hex });
  });
});

describe('openwrt platform: DHCPv4 pool options, order and reserved addresses', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || (a[0] === 'ubus' && a[2] === 'service'));
  const fail = (p: Promise<unknown> | unknown): Promise<UspError> =>
    Promise.resolve(p).then(
      () => expect.fail('accepted'),
      (e: unknown) => e as UspError,
    );

  it('adds Options with uci add_list dhcp_option, disables one into usp_disabled_dhcp_option, deletes it', async () => {
    fx = openWrt();
    await fx.platform.ready;
    expect(await fx.binding(POOL).get([1], {})).toMatchObject({ Order: 1, ReservedAddresses: '' });
    expect(await fx.binding(OPTION).list!([1], {})).toEqual([]);
    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('dhcp', { file: 'uci-show-dhcp.options-added.txt' });
    expect(await fx.binding(OPTION).add!([1], { Tag: 42, Value: 'c0a80101', Enable: true }, {})).toBe(1);
    expect(writes()).toEqual([['uci', 'add_list', 'dhcp.lan.dhcp_option=42,192.168.1.1'], ['uci', 'commit', 'dhcp'], RELOAD]);
    // The recording holds both items; the second Add is then refused as a duplicate Tag.
    expect((await fail(fx.binding(OPTION).add!([1], { Tag: 42, Value: 'c0a80102' }, {}))).code).toBe(ErrorCode.DuplicateUniqueKey);
    expect(await fx.binding(OPTION).list!([1], {})).toEqual([1, 2]);
    expect(await fx.binding(OPTION).get([1, 2], {})).toEqual({ Enable: true, Alias: 'cpe-2', Tag: 252, Value: WPAD });
    // A pool's NTP option is no DNSServers/IPRouters change: those still read dnsmasq's defaults.
    expect(await fx.binding(POOL).get([1], {})).toMatchObject({ IPRouters: '192.168.1.1', DNSServers: '192.168.1.1' });

    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('dhcp', { file: 'uci-show-dhcp.option-disabled.txt' });
    await fx.binding(OPTION).set!([1, 1], { Enable: false }, {});
    expect(writes()).toEqual([
      ['uci', 'delete', 'dhcp.lan.dhcp_option'],
      ['uci', 'add_list', `dhcp.lan.dhcp_option=${WPAD_ITEM}`],
      ['uci', 'add_list', 'dhcp.lan.usp_disabled_dhcp_option=42,192.168.1.1'],
      ['uci', 'commit', 'dhcp'],
      RELOAD,
    ]);
    expect(await fx.binding(OPTION).get([1, 1], {})).toEqual({ Enable: false, Alias: 'cpe-1', Tag: 42, Value: 'c0a80101' });

    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('dhcp', { file: 'uci-show-dhcp.host-added.txt' });
    await fx.binding(OPTION).delete!([1, 2], {});
    expect(writes()[0]).toEqual(['uci', 'delete', 'dhcp.lan.dhcp_option']);
    expect(writes().slice(1)).toEqual([['uci', 'commit', 'dhcp'], RELOAD]);
  });

  it('refuses a bad Tag or Value with 7012 and writes nothing; a failing commit reverts', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    const e = await fail(fx.binding(OPTION).add!([1], { Tag: 26, Value: '05' }, {}));
    expect(e.code).toBe(ErrorCode.InvalidValue);
    expect(e.paramErrors?.map((p) => p.param)).toEqual(['Value']);
    expect((await fail(fx.binding(OPTION).add!([1], { Value: '05' }, {}))).paramErrors?.map((p) => p.param)).toEqual(['Tag']);
    expect(writes()).toEqual([]);
    fx.fake.failCommit(true);
    expect((await fail(fx.binding(OPTION).add!([1], { Tag: 42, Value: 'c0a80101' }, {}))).code).toBe(ErrorCode.InternalError);
    expect(writes()).toEqual([
      ['uci', 'add_list', 'dhcp.lan.usp_disabled_dhcp_option=42,192.168.1.1'],
      ['uci', 'commit', 'dhcp'],
      ['uci', 'revert', 'dhcp'],
    ]);
    expect(await fx.binding(OPTION).list!([1], {})).toEqual([]);
  });

  it('Order moves the section with uci reorder, keeping every instance number', async () => {
    fx = openWrt();
    await fx.platform.ready;
    expect(await fx.binding(POOL).get([2], {})).toMatchObject({ Order: 2 });
    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('dhcp', { file: 'uci-show-dhcp.pool-reordered.txt' });
    await fx.binding(POOL).set!([2], { Order: 1 }, {});
    expect(writes()).toEqual([['uci', 'reorder', 'dhcp.wan=1'], ['uci', 'commit', 'dhcp'], RELOAD]);
    // The rows keep their instance numbers; only Order changed.
    expect(await fx.binding(POOL).get([2], {})).toMatchObject({ Order: 1, Alias: 'cpe-wan' });
    expect(await fx.binding(POOL).get([1], {})).toMatchObject({ Order: 2, Alias: 'cpe-lan' });
  });

  it("ReservedAddresses writes name-only host sections, which keep the addresses from dnsmasq's dynamic allocation", async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    // Outside the range (.100-.249), or not an address: refused before anything is written.
    for (const bad of ['192.168.1.20', '192.168.1.150,nope']) {
      const e = await fail(fx.binding(POOL).set!([1], { ReservedAddresses: bad }, {}));
      expect(e.paramErrors?.map((p) => p.param)).toEqual(['ReservedAddresses']);
    }
    expect(writes()).toEqual([]);
    fx.fake.willAdd('cfg05fe63');
    fx.fake.respondUciAfterCommit('dhcp', { file: 'uci-show-dhcp.reserved-added.txt' });
    await fx.binding(POOL).set!([1], { ReservedAddresses: '192.168.1.150' }, {});
    expect(writes()).toEqual([
      ['uci', 'add', 'dhcp', 'host'],
      ['uci', 'set', 'dhcp.cfg05fe63.name=usp-reserved-192-168-1-150'],
      ['uci', 'set', 'dhcp.cfg05fe63.ip=192.168.1.150'],
      ['uci', 'commit', 'dhcp'],
      RELOAD,
    ]);
    // Not a StaticAddress (no MAC): the pool still has its one static host.
    expect((await fx.values('Device.DHCPv4.')).get('Device.DHCPv4.Server.Pool.1.')).toMatchObject({ ReservedAddresses: '192.168.1.150', StaticAddressNumberOfEntries: 1 });
    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('dhcp', { file: 'uci-show-dhcp.host-added.txt' });
    await fx.binding(POOL).set!([1], { ReservedAddresses: '' }, {});
    expect(writes()).toEqual([['uci', 'delete', 'dhcp.cfg05fe63'], ['uci', 'commit', 'dhcp'], RELOAD]);
  });
});
