/**
 * DNSServers, IPRouters and DomainName of a DHCPv4 pool on OpenWrt, written as options 6, 3 and
 * 15 of the pool's `dhcp_option` list. `uci show dhcp` is the recorded default config
 * (uci-show-dhcp.host-added.txt); what it shows after a commit is that file with the items the
 * Set appended, written here (uci `add_list`/`del_list` only append or drop list items).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, type UspError } from '../../../../datamodel/UspError.js';
import { DHCP_EVENT, FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const POOL = 'Device.DHCPv4.Server.Pool.{i}.';
const RELOAD = ['ubus', 'call', ...DHCP_EVENT.split(' ')];
const DHCP = fs.readFileSync(path.join(FIXTURES, 'uci-show-dhcp.host-added.txt'), 'utf8');

/** The recorded config with a `dhcp_option` list on the lan pool, printed as `uci -X show` prints a list. */
function withLanOptions(...items: string[]): string {
  return DHCP.replace("dhcp.lan.leasetime='12h'\n", `dhcp.lan.leasetime='12h'\ndhcp.lan.dhcp_option=${items.map((i) => `'${i}'`).join(' ')}\n`);
}

/**
 * Whether the real dnsmasq takes the items as OpenWrt's dnsmasq.init passes them
 * (`--dhcp-option=<network>,<item>` beside the pool's `--dhcp-range=set:<network>,...`).
 */
function dnsmasqTakes(items: string[]): { status: number | null; out: string } {
  const args = ['--test', '--conf-file=/dev/null', '--dhcp-range=set:lan,192.168.1.100,192.168.1.249,255.255.255.0,12h', ...items.map((i) => `--dhcp-option=lan,${i}`)];
  const r = spawnSync('dnsmasq', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The items the Set appended to dhcp_option. */
function appended(calls: string[][]): string[] {
  return calls.filter((c) => c[1] === 'add_list').map((c) => c[2].replace(/^dhcp\.lan\.dhcp_option=/, ''));
}

describe('openwrt platform: a pool sends DNSServers, IPRouters and DomainName as dhcp_option 6, 3, 15', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || (a[0] === 'ubus' && a[2] === 'service'));

  it('appends one dhcp_option item per parameter, commits dhcp and has procd reload dnsmasq', async () => {
    fx = openWrt();
    await fx.platform.ready;
    expect(await fx.binding(POOL).get([1], {})).toMatchObject({ DNSServers: '192.168.1.1', IPRouters: '192.168.1.1', DomainName: 'lan' });
    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('dhcp', { text: withLanOptions('6,192.168.1.2,192.168.1.3', '3,192.168.1.254', '15,home.arpa') });
    await fx.binding(POOL).set!([1], { DNSServers: '192.168.1.2, 192.168.1.3', IPRouters: '192.168.1.254', DomainName: 'home.arpa' }, {});
    expect(writes()).toEqual([
      ['uci', 'add_list', 'dhcp.lan.dhcp_option=6,192.168.1.2,192.168.1.3'],
      ['uci', 'add_list', 'dhcp.lan.dhcp_option=3,192.168.1.254'],
      ['uci', 'add_list', 'dhcp.lan.dhcp_option=15,home.arpa'],
      ['uci', 'commit', 'dhcp'],
      RELOAD,
    ]);
    expect(await fx.binding(POOL).get([1], {})).toMatchObject({ DNSServers: '192.168.1.2,192.168.1.3', IPRouters: '192.168.1.254', DomainName: 'home.arpa' });
    expect(dnsmasqTakes(appended(writes()))).toMatchObject({ status: 0, out: expect.stringContaining('syntax check OK') });
  });

  it('replaces the items of that option (numbered or named) and keeps the others; an unchanged value writes nothing', async () => {
    fx = openWrt();
    fx.fake.respondUci('dhcp', { text: withLanOptions('42,192.168.1.1', 'option:router,192.168.1.253', '6,9.9.9.9') });
    await fx.platform.ready;
    expect(await fx.binding(POOL).get([1], {})).toMatchObject({ DNSServers: '9.9.9.9' });
    fx.fake.clearLog();
    await fx.binding(POOL).set!([1], { DNSServers: '9.9.9.9' }, {});
    expect(writes()).toEqual([]);
    await fx.binding(POOL).set!([1], { DNSServers: '1.1.1.1', IPRouters: '192.168.1.1' }, {});
    expect(writes()).toEqual([
      ['uci', 'del_list', 'dhcp.lan.dhcp_option=6,9.9.9.9'],
      ['uci', 'add_list', 'dhcp.lan.dhcp_option=6,1.1.1.1'],
      ['uci', 'del_list', 'dhcp.lan.dhcp_option=option:router,192.168.1.253'],
      ['uci', 'add_list', 'dhcp.lan.dhcp_option=3,192.168.1.1'],
      ['uci', 'commit', 'dhcp'],
      RELOAD,
    ]);
  });

  it('an empty value is the bare tag, so dnsmasq sends no such option, and reads back empty', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('dhcp', { text: withLanOptions('6', '15') });
    await fx.binding(POOL).set!([1], { DNSServers: '', DomainName: '' }, {});
    expect(writes()).toEqual([['uci', 'add_list', 'dhcp.lan.dhcp_option=6'], ['uci', 'add_list', 'dhcp.lan.dhcp_option=15'], ['uci', 'commit', 'dhcp'], RELOAD]);
    expect(await fx.binding(POOL).get([1], {})).toMatchObject({ DNSServers: '', DomainName: '', IPRouters: '192.168.1.1' });
    // An option without data: dnsmasq leaves out its default for it (its man page, --dhcp-option).
    expect(dnsmasqTakes(appended(writes()))).toMatchObject({ status: 0 });
  });

  it('refuses what dnsmasq cannot send with 7012 naming each parameter, writing nothing', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    const e = await Promise.resolve(fx.binding(POOL).set!([1], { DNSServers: '192.168.1.300', IPRouters: '1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5', DomainName: 'my home' }, {})).catch(
      (err: unknown) => err,
    );
    expect((e as UspError).code).toBe(ErrorCode.InvalidValue);
    expect((e as UspError).paramErrors?.map((p) => p.param).sort()).toEqual(['DNSServers', 'DomainName', 'IPRouters']);
    expect(writes()).toEqual([]);
  });

  it('the three are in the writable list of the binding (GetSupportedDM: PARAM_READ_WRITE)', () => {
    fx = openWrt();
    expect(fx.binding(POOL).writable ?? []).toEqual(expect.arrayContaining(['DNSServers', 'IPRouters', 'DomainName']));
  });
});
