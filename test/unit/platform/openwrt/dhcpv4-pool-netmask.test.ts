/**
 * Device.DHCPv4.Server.Pool.{i}.SubnetMask on OpenWrt: the pool's `netmask`, from which
 * dnsmasq.init counts the range (ipcalc.sh of the interface address, that mask, start, limit).
 * `uci show dhcp` is the recorded default config (uci-show-dhcp.host-added.txt: lan on
 * 192.168.1.1/24, start 100, limit 150); what it shows after a commit is that file with the
 * options the Set wrote, written here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, type UspError } from '../../../../datamodel/UspError.js';
import { maskPrefix } from '../../../../platform/openwrt/dhcpv4-pool-netmask.js';
import { DHCP_EVENT, FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const POOL = 'Device.DHCPv4.Server.Pool.{i}.';
const RELOAD = ['ubus', 'call', ...DHCP_EVENT.split(' ')];
const DHCP = fs.readFileSync(path.join(FIXTURES, 'uci-show-dhcp.host-added.txt'), 'utf8');

/** The recorded config with the lan pool's start, limit and netmask as given. */
function lan(start: number, limit: number, netmask: string): string {
  return DHCP.replace("dhcp.lan.start='100'\ndhcp.lan.limit='150'\n", `dhcp.lan.start='${start}'\ndhcp.lan.limit='${limit}'\ndhcp.lan.netmask='${netmask}'\n`);
}

describe('maskPrefix', () => {
  it('reads only contiguous masks', () => {
    expect(['255.255.255.0', '255.255.0.0', '255.255.255.252', '255.0.255.0', 'x'].map(maskPrefix)).toEqual([24, 16, 30, undefined, undefined]);
  });
});

describe('openwrt platform: a pool SubnetMask is its netmask, and the range is counted from it', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || (a[0] === 'ubus' && a[2] === 'service'));

  it('a narrower mask with a range inside it writes netmask, start and limit', async () => {
    fx = openWrt();
    await fx.platform.ready;
    expect(await fx.binding(POOL).get([1], {})).toMatchObject({ SubnetMask: '255.255.255.0', MinAddress: '192.168.1.100', MaxAddress: '192.168.1.249' });
    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('dhcp', { text: lan(100, 27, '255.255.255.128') });
    await fx.binding(POOL).set!([1], { SubnetMask: '255.255.255.128', MaxAddress: '192.168.1.126' }, {});
    expect(writes()).toEqual([['uci', 'set', 'dhcp.lan.netmask=255.255.255.128'], ['uci', 'set', 'dhcp.lan.start=100'], ['uci', 'set', 'dhcp.lan.limit=27'], ['uci', 'commit', 'dhcp'], RELOAD]);
    expect(await fx.binding(POOL).get([1], {})).toMatchObject({ SubnetMask: '255.255.255.128', MinAddress: '192.168.1.100', MaxAddress: '192.168.1.126' });
  });

  it('a wider mask moves the network base: start is rewritten so the range stays where it is', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('dhcp', { text: lan(356, 150, '255.255.0.0') });
    await fx.binding(POOL).set!([1], { SubnetMask: '255.255.0.0' }, {});
    expect(writes()).toEqual([['uci', 'set', 'dhcp.lan.netmask=255.255.0.0'], ['uci', 'set', 'dhcp.lan.start=356'], ['uci', 'set', 'dhcp.lan.limit=150'], ['uci', 'commit', 'dhcp'], RELOAD]);
    expect(await fx.binding(POOL).get([1], {})).toMatchObject({ SubnetMask: '255.255.0.0', MinAddress: '192.168.1.100', MaxAddress: '192.168.1.249' });
  });

  it('refuses with 7012 a mask that is not contiguous, a /32, or one the range does not fit, writing nothing', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    for (const SubnetMask of ['255.0.255.0', '255.255.255.255', '255.255.255.128']) {
      const e = await Promise.resolve(fx.binding(POOL).set!([1], { SubnetMask }, {})).then(
        () => undefined,
        (err: unknown) => err as UspError,
      );
      expect(e?.code, SubnetMask).toBe(ErrorCode.InvalidValue);
      expect(e?.paramErrors?.map((p) => p.param)).toEqual(['SubnetMask']);
    }
    expect(writes()).toEqual([]);
    // Its current value: nothing to write.
    await fx.binding(POOL).set!([1], { SubnetMask: '255.255.255.0' }, {});
    expect(writes()).toEqual([]);
  });
});
