/**
 * The IP and DNS switches of OpenWrt behind one real agent, driven by our TestController over a
 * real loopback WebSocket: Interface.{i}.IPv4Enable, IPv6Enable and ULAEnable, Device.IP.IPv6Enable and
 * IPv4Enable, Device.DNS.Client.Enable. ubus and uci are the stand-ins of
 * test/unit/platform/openwrt/fake-openwrt.ts, first on PATH: `uci show network` answers the
 * network config checked against OpenWrt's own uci (uci-show-network.txt) with the fake's
 * cellular uplinks, `uci show dhcp` the dhcp config recorded with it; what they answer after a
 * commit was recorded with OpenWrt's uci running the very commands expected here
 * (uci-show-network.switch-*.txt, uci-show-dhcp.client-off.txt; each restore printed the
 * starting config again, byte for byte). Every command the agent runs is logged and compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../datamodel/UspError.js';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { fakeOpenWrt, type FakeOpenWrt, FIXTURES, UCI_NETWORK_CELLULAR } from '../unit/platform/openwrt/fake-openwrt.js';
import { DHCP_RELOAD } from './openwrt-dhcp-steps.js';

const RELOAD = ['ubus', 'call', 'network', 'reload'];
const COMMIT = ['uci', 'commit', 'network'];
const WAN = 'Device.IP.Interface.1.';
const LAN = 'Device.IP.Interface.2.';
const network = fs.readFileSync(path.join(FIXTURES, 'uci-show-network.txt'), 'utf8') + UCI_NETWORK_CELLULAR;
const dhcp = fs.readFileSync(path.join(FIXTURES, 'uci-show-dhcp.host-added.txt'), 'utf8');
const uci = (...args: string[]): string[] => ['uci', ...args];
const recorded = (file: string): string => fs.readFileSync(path.join(FIXTURES, file), 'utf8');

describe('OpenWrt IP and DNS switches through UCI, over WebSocket', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  const writes = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || (a[0] === 'ubus' && a[1] === 'call' && (a[2] === 'network' || a[2] === 'service')));
  /** Sets `params` on `obj`, `config` then reading `after`; resolves with the commands it ran. */
  const step = async (obj: string, params: Record<string, string>, config: string, after: string): Promise<string[][]> => {
    fake.respondUciAfterCommit(config, { text: after });
    fake.clearLog();
    await set(f.controller, obj, params);
    return writes();
  };
  const read = async (obj: string) => (await getObjects(f.controller, [obj]))[obj];

  beforeAll(async () => {
    fake = fakeOpenWrt();
    fake.respondUci('network', { text: network });
    fake.respondUci('dhcp', { text: dhcp });
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('Interface IPv6Enable: refused on wan, whose device wan6 shares, and on a value that is no boolean, writing nothing', async () => {
    fake.clearLog();
    expect(await trySet(f.controller, WAN, { IPv6Enable: 'false' })).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidValue });
    expect(await trySet(f.controller, LAN, { IPv6Enable: 'off' })).toMatchObject({ ok: false });
    expect(writes()).toEqual([]);
  });

  it('Interface IPv6Enable false on lan sets ipv6 0 on its br-lan device section; true deletes it again', async () => {
    const off = recorded('uci-show-network.switch-lan-ipv6-off.txt');
    expect(await step(LAN, { IPv6Enable: 'false' }, 'network', off)).toEqual([uci('set', 'network.cfg030f15.ipv6=0'), COMMIT, RELOAD]);
    expect(await read(LAN)).toMatchObject({ IPv6Enable: 'false', Enable: 'true' });
    expect(await step(LAN, { IPv6Enable: 'true' }, 'network', network)).toEqual([uci('delete', 'network.cfg030f15.ipv6'), COMMIT, RELOAD]);
    expect(await read(LAN)).toMatchObject({ IPv6Enable: 'true' });
  });

  it('DNS.Client.Enable false: dnsmasq localuse and lo left out, kept aside; true puts them back', async () => {
    const S = 'dhcp.cfg01411c';
    const off = recorded('uci-show-dhcp.client-off.txt');
    expect(await step('Device.DNS.Client.', { Enable: 'false' }, 'dhcp', off)).toEqual([
      uci('set', `${S}.usp_dns_client_off=1`),
      uci('set', `${S}.usp_localuse=unset`),
      uci('set', `${S}.localuse=1`),
      uci('add_list', `${S}.notinterface=lo`),
      uci('set', `${S}.usp_notinterface_lo=1`),
      uci('commit', 'dhcp'),
      DHCP_RELOAD,
    ]);
    expect(await read('Device.DNS.Client.')).toMatchObject({ Enable: 'false', Status: 'Disabled' });
    expect(await step('Device.DNS.Client.', { Enable: 'true' }, 'dhcp', dhcp)).toEqual([
      uci('delete', `${S}.usp_dns_client_off`),
      uci('delete', `${S}.usp_localuse`),
      uci('delete', `${S}.localuse`),
      uci('delete', `${S}.usp_notinterface_lo`),
      uci('del_list', `${S}.notinterface=lo`),
      uci('commit', 'dhcp'),
      DHCP_RELOAD,
    ]);
    expect(await read('Device.DNS.Client.')).toMatchObject({ Enable: 'true', Status: 'Enabled' });
  });

  it('IPv4Enable false on lan: proto none, static kept aside, its address still a row; refused on wan, the uplink', async () => {
    fake.clearLog();
    expect(await trySet(f.controller, WAN, { IPv4Enable: 'false' })).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidValue });
    expect(writes()).toEqual([]);
    const off = recorded('uci-show-network.switch-ipv4-off.txt');
    expect(await step(LAN, { IPv4Enable: 'false' }, 'network', off)).toEqual([uci('set', 'network.lan.usp_ipv4_proto=static'), uci('set', 'network.lan.proto=none'), COMMIT, RELOAD]);
    expect(await read(LAN)).toMatchObject({ IPv4Enable: 'false', IPv6Enable: 'true', ULAEnable: 'true' });
    expect(await read(`${LAN}IPv4Address.1.`)).toMatchObject({ IPAddress: '192.168.1.1' });
    expect(await step(LAN, { IPv4Enable: 'true' }, 'network', network)).toEqual([uci('set', 'network.lan.proto=static'), uci('delete', 'network.lan.usp_ipv4_proto'), COMMIT, RELOAD]);
    expect(await read(LAN)).toMatchObject({ IPv4Enable: 'true' });
  });

  it('ULAEnable false on lan: ip6class names every interface but not "local"; true deletes it', async () => {
    const names = ['loopback', 'lan', 'wan', 'wan6', 'wwan', 'wwan_m2m'];
    const off = recorded('uci-show-network.switch-ula-off.txt');
    expect(await step(LAN, { ULAEnable: 'false' }, 'network', off)).toEqual([
      ...names.map((n) => uci('add_list', `network.lan.ip6class=${n}`)),
      uci('set', 'network.lan.usp_ula_off=1'),
      COMMIT,
      RELOAD,
    ]);
    expect(await read(LAN)).toMatchObject({ ULAEnable: 'false' });
    expect(await step(LAN, { ULAEnable: 'true' }, 'network', network)).toEqual([uci('delete', 'network.lan.usp_ula_off'), uci('delete', 'network.lan.ip6class'), COMMIT, RELOAD]);
    expect(await read(LAN)).toMatchObject({ ULAEnable: 'true' });
  });

  it('Device.IP.IPv6Enable false: ipv6 0 on every device (sections made for lo and eth1.2), the modem bearer IPv4 only; interfaces hold', async () => {
    const off = recorded('uci-show-network.switch-ipv6-off.txt');
    const ran = await step('Device.IP.', { IPv6Enable: 'false' }, 'network', off);
    expect(ran).toEqual([
      uci('set', 'network.usp_port_lo=device'),
      uci('set', 'network.usp_port_eth1_2=device'),
      uci('set', 'network.globals.usp_ipv6_disabled=1'),
      uci('set', 'network.wwan.usp_iptype=ipv4v6'),
      uci('set', 'network.wwan.iptype=ipv4'),
      uci('set', 'network.usp_port_lo.name=lo'),
      uci('set', 'network.usp_port_lo.ipv6=0'),
      uci('set', 'network.usp_port_lo.usp_ipv6=created'),
      uci('set', 'network.cfg030f15.usp_ipv6=unset'),
      uci('set', 'network.cfg030f15.ipv6=0'),
      uci('set', 'network.usp_port_eth1_2.name=eth1.2'),
      uci('set', 'network.usp_port_eth1_2.ipv6=0'),
      uci('set', 'network.usp_port_eth1_2.usp_ipv6=created'),
      COMMIT,
      RELOAD,
    ]);
    expect(await read('Device.IP.')).toMatchObject({ IPv6Enable: 'false', IPv6Status: 'Disabled' });
    // lan reads its own switch (on) and refuses a Set while the global one holds it off.
    expect(await read(LAN)).toMatchObject({ IPv6Enable: 'true' });
    fake.clearLog();
    expect(await trySet(f.controller, LAN, { IPv6Enable: 'false' })).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidValue });
    expect(writes()).toEqual([]);

    expect(await step('Device.IP.', { IPv6Enable: 'true' }, 'network', network)).toEqual([
      uci('delete', 'network.globals.usp_ipv6_disabled'),
      uci('delete', 'network.cfg030f15.usp_ipv6'),
      uci('delete', 'network.cfg030f15.ipv6'),
      uci('delete', 'network.wwan.usp_iptype'),
      uci('set', 'network.wwan.iptype=ipv4v6'),
      uci('delete', 'network.usp_port_lo'),
      uci('delete', 'network.usp_port_eth1_2'),
      COMMIT,
      RELOAD,
    ]);
    expect(await read('Device.IP.')).toMatchObject({ IPv6Enable: 'true', IPv6Status: 'Enabled' });
  });

  it('Device.IP.IPv4Enable false is refused while wan holds the IPv4 default route, writing nothing', async () => {
    fake.clearLog();
    const r = await trySet(f.controller, 'Device.IP.', { IPv4Enable: 'false' });
    expect(r).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidValue });
    expect(JSON.stringify(r)).toMatch(/wan holds the IPv4 default route/);
    expect(writes()).toEqual([]);
    expect(await read('Device.IP.')).toMatchObject({ IPv4Enable: 'true', IPv4Status: 'Enabled' });
  });
});
