/**
 * The OpenWrt platform's Device.DHCPv6. (odhcpd's pools and leases, the odhcp6c clients netifd
 * runs) behind a real agent, driven by our TestController over a real loopback WebSocket. ubus and
 * uci are the stand-ins of test/unit/platform/openwrt/fake-openwrt.ts, first on PATH; the
 * odhcpd/odhcp6c answers are written from their sources (test/fixtures/openwrt/README.md), the
 * `uci show` after each commit is the recording with the options written, and every command the
 * agent runs is logged and compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { add, del, operate, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { FIXTURES, fakeOpenWrt, type FakeOpenWrt, UCI_NETWORK_CELLULAR } from '../unit/platform/openwrt/fake-openwrt.js';
import { DHCP_RELOAD, dhcpWrites } from './openwrt-dhcp-steps.js';

const read = (file: string): string => fs.readFileSync(path.join(FIXTURES, file), 'utf8');
const json = (file: string): unknown => JSON.parse(read(file));
// The recorded dhcp config with a `guest` section on which odhcpd relays DHCPv6 (written for this test).
const DHCP = `${read('uci-show-dhcp.ra.txt')}dhcp.guest=dhcp\ndhcp.guest.interface='guest'\ndhcp.guest.ignore='1'\ndhcp.guest.dhcpv6='relay'\n`;
// The recorded network with one interface without addressing, `spare` (written for this test), for a Client Add.
const NETWORK = `${read('uci-show-network.txt') + UCI_NETWORK_CELLULAR}network.spare=interface\nnetwork.spare.device='eth2'\nnetwork.spare.proto='none'\nnetwork.guest=interface\nnetwork.guest.device='eth3'\nnetwork.guest.proto='none'\n`;
const POOL = 'Device.DHCPv6.Server.Pool.';
const CLIENT = 'Device.DHCPv6.Client.';
const NETWORK_RELOAD = ['ubus', 'call', 'network', 'reload'];

describe('OpenWrt DHCPv6 over WebSocket (odhcpd, odhcp6c)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  let lan: string;
  let wan: string;
  let wan6: string;
  let spare: string;
  let guest: string;
  const networkWrites = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q' && a.join(' ').includes('network')) || (a[0] === 'ubus' && a[2] === 'network'));

  beforeAll(async () => {
    fake = fakeOpenWrt();
    fake.respondUci('dhcp', { text: DHCP });
    fake.respondUci('network', { text: NETWORK });
    const dump = json('ubus-network-interface-dump.json') as { interface: unknown[] };
    fake.respond('network.interface dump', { json: { interface: [...dump.interface, json('ubus-network-interface-dump.wan6.json')] } });
    fake.respond('dhcp ipv6leases', { file: 'ubus-dhcp-ipv6leases.json' });
    fake.respond('odhcp6c.eth1.2 get_state', { file: 'ubus-odhcp6c-get_state.eth1.2.json' });
    fake.respond('network.interface.wan6 renew', { text: '' });
    f = await startOpenWrtAgent(fake);
    const ip = await getObjects(f.controller, ['Device.IP.Interface.*.']);
    const named = (name: string): string =>
      Object.entries(ip)
        .find(([, v]) => v.Name === name)![0]
        .slice(0, -1);
    [lan, wan, wan6, spare, guest] = [named('lan'), named('wan'), named('wan6'), named('spare'), named('guest')];
  });
  afterAll(async () => {
    await f?.close();
  });

  it('reads lan’s odhcpd pool and its clients from ipv6leases, one per DUID', async () => {
    const v = await getObjects(f.controller, ['Device.DHCPv6.Server.', `${POOL}*.`]);
    expect(v['Device.DHCPv6.Server.']).toMatchObject({ Enable: 'true', PoolNumberOfEntries: '1' });
    expect(v[`${POOL}1.`]).toMatchObject({ Enable: 'true', Status: 'Enabled', Order: '1', Interface: lan, IANAEnable: 'true', IAPDEnable: 'true', ClientNumberOfEntries: '2' });
    // lan's prefix netifd assigned from the ULA (ipv6-prefix-assignment): what odhcpd numbers from.
    expect(v[`${POOL}1.`]!.IANAPrefixes).toBe(`${lan}.IPv6Prefix.1`);
    expect(v[`${POOL}1.Client.1.`]).toMatchObject({ Active: 'true', SourceAddress: 'fe80::3e22:fbff:fe00:10', IPv6AddressNumberOfEntries: '1', IPv6PrefixNumberOfEntries: '1' });
    expect(v[`${POOL}1.Client.1.IPv6Address.1.`]).toMatchObject({ IPAddress: 'fd12:3456:789a:1::e80' });
    expect(v[`${POOL}1.Client.1.IPv6Address.1.`]!.ValidLifetime).toMatch(/^20\d\d-/);
    expect(v[`${POOL}1.Client.1.IPv6Prefix.1.`]).toMatchObject({ Prefix: 'fd12:3456:789a:13::/64' });
    expect(v[`${POOL}1.Client.1.Option.1.`]).toMatchObject({ Tag: '1', Value: '000100012e4f1a203c22fb000010' });
    expect(v[`${POOL}1.Client.2.`]).toMatchObject({ SourceAddress: '', IPv6PrefixNumberOfEntries: '0' });
    expect(v[`${POOL}1.Client.2.IPv6Address.1.`]).toMatchObject({ IPAddress: 'fd12:3456:789a:1::41b', PreferredLifetime: '9999-12-31T23:59:59Z', ValidLifetime: '9999-12-31T23:59:59Z' });
  });

  it('a Pool Set writes odhcpd’s options, committed and reloaded; what odhcpd cannot do is refused, writing nothing', async () => {
    fake.clearLog();
    for (const [params, code] of [
      [{ Interface: wan }, 7013], // the section's: the DHCPv4 pool's and the RA's too
      [{ IAPDAddLength: '8' }, 7010], // not served: odhcpd has no such setting
    ] as const) {
      const r = await trySet(f.controller, `${POOL}1.`, params);
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, JSON.stringify(params)).toBe(code);
    }
    expect(dhcpWrites(fake)).toEqual([]);
    fake.respondUciAfterCommit('dhcp', { text: `${DHCP.replace("dhcp.lan.dhcpv6='server'", "dhcp.lan.dhcpv6='disabled'")}dhcp.lan.dhcpv6_pd='0'\n` });
    await set(f.controller, `${POOL}1.`, { Enable: 'false', IAPDEnable: 'false' });
    expect(dhcpWrites(fake)).toEqual([['uci', 'set', 'dhcp.lan.dhcpv6=disabled'], ['uci', 'set', 'dhcp.lan.dhcpv6_pd=0'], ['uci', 'commit', 'dhcp'], DHCP_RELOAD]);
    const v = await getObjects(f.controller, [`${POOL}1.`]);
    expect(v[`${POOL}1.`]).toMatchObject({ Enable: 'false', Status: 'Disabled', IAPDEnable: 'false', ClientNumberOfEntries: '0' });
  });

  it('Server.Enable false disables every serving pool, keeping its mode in the agent’s option; true gives it back', async () => {
    const on = `${DHCP.replace("dhcp.lan.dhcpv6='server'", "dhcp.lan.dhcpv6='disabled'")}dhcp.lan.dhcpv6_pd='0'\n`;
    // First lan's pool back on (the last test disabled it).
    fake.respondUciAfterCommit('dhcp', { text: on.replace("dhcp.lan.dhcpv6='disabled'", "dhcp.lan.dhcpv6='server'") });
    await set(f.controller, `${POOL}1.`, { Enable: 'true' });
    fake.clearLog();
    const off = `${on}dhcp.lan.usp_dhcpv6_mode='server'\ndhcp.odhcpd.usp_dhcpv6_disabled='1'\n`;
    fake.respondUciAfterCommit('dhcp', { text: off });
    await set(f.controller, 'Device.DHCPv6.Server.', { Enable: 'false' });
    expect(dhcpWrites(fake)).toEqual([
      ['uci', 'set', 'dhcp.odhcpd.usp_dhcpv6_disabled=1'],
      ['uci', 'set', 'dhcp.lan.usp_dhcpv6_mode=server'],
      ['uci', 'set', 'dhcp.lan.dhcpv6=disabled'],
      ['uci', 'commit', 'dhcp'],
      DHCP_RELOAD,
    ]);
    const v = await getObjects(f.controller, ['Device.DHCPv6.Server.', `${POOL}1.`]);
    expect(v['Device.DHCPv6.Server.']).toMatchObject({ Enable: 'false' });
    expect(v[`${POOL}1.`]).toMatchObject({ Enable: 'true', Status: 'Disabled' });
    fake.clearLog();
    fake.respondUciAfterCommit('dhcp', { text: on });
    await set(f.controller, 'Device.DHCPv6.Server.', { Enable: 'true' });
    expect(dhcpWrites(fake)).toEqual([
      ['uci', 'delete', 'dhcp.odhcpd.usp_dhcpv6_disabled'],
      ['uci', 'set', 'dhcp.lan.dhcpv6=server'],
      ['uci', 'delete', 'dhcp.lan.usp_dhcpv6_mode'],
      ['uci', 'commit', 'dhcp'],
      DHCP_RELOAD,
    ]);
  });

  it('Add gives an interface’s dhcp section its pool, Delete takes it away; an interface with a pool or none is refused', async () => {
    // No Interface; lan's pool exists; guest's section relays.
    for (const [params, why] of [
      [{}, /name the Device.IP.Interface/],
      [{ Interface: lan }, /has its DHCPv6 pool already/],
      [{ Interface: guest }, /relays DHCPv6/],
    ] as Array<[Record<string, string>, RegExp]>) {
      const r = await tryAdd(f.controller, POOL, params);
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect([r.paramErrCode ?? r.errCode, r.errMsg]).toEqual([7012, expect.stringMatching(why)]);
    }
    fake.clearLog();
    const added = DHCP.replace("dhcp.lan.dhcpv6='server'", "dhcp.lan.dhcpv6='disabled'").replace("dhcp.wan.ignore='1'\n", "dhcp.wan.ignore='1'\ndhcp.wan.dhcpv6='server'\ndhcp.wan.dhcpv6_na='0'\n");
    fake.respondUciAfterCommit('dhcp', { text: added });
    const path2 = await add(f.controller, POOL, { Interface: wan, Enable: 'true', IANAEnable: 'false' });
    expect(path2).toBe(`${POOL}2.`);
    expect(dhcpWrites(fake)).toEqual([['uci', 'set', 'dhcp.wan.dhcpv6=server'], ['uci', 'set', 'dhcp.wan.dhcpv6_na=0'], ['uci', 'commit', 'dhcp'], DHCP_RELOAD]);
    expect((await getObjects(f.controller, [`${POOL}2.`]))[`${POOL}2.`]).toMatchObject({ Enable: 'true', Interface: wan, IANAEnable: 'false', Order: '2' });
    fake.clearLog();
    fake.respondUciAfterCommit('dhcp', { text: added.replace("dhcp.wan.dhcpv6='server'\n", '') });
    await del(f.controller, `${POOL}2.`);
    expect(dhcpWrites(fake)).toEqual([['uci', 'delete', 'dhcp.wan.dhcpv6'], ['uci', 'commit', 'dhcp'], DHCP_RELOAD]);
    expect((await getObjects(f.controller, ['Device.DHCPv6.Server.']))['Device.DHCPv6.Server.']).toMatchObject({ PoolNumberOfEntries: '1' });
    // wan6 has no dhcp section: a new one serves DHCPv6 only (ignore '1': dnsmasq leaves it alone).
    fake.clearLog();
    fake.willAdd('cfg0b1a2b');
    fake.respondUciAfterCommit('dhcp', {
      text: `${added.replace("dhcp.wan.dhcpv6='server'\n", '')}dhcp.cfg0b1a2b=dhcp\ndhcp.cfg0b1a2b.interface='wan6'\ndhcp.cfg0b1a2b.ignore='1'\ndhcp.cfg0b1a2b.dhcpv6='disabled'\n`,
    });
    expect(await add(f.controller, POOL, { Interface: wan6 })).toBe(`${POOL}3.`);
    expect(dhcpWrites(fake)).toEqual([
      ['uci', 'add', 'dhcp', 'dhcp'],
      ['uci', 'set', 'dhcp.cfg0b1a2b.interface=wan6'],
      ['uci', 'set', 'dhcp.cfg0b1a2b.ignore=1'],
      ['uci', 'set', 'dhcp.cfg0b1a2b.dhcpv6=disabled'],
      ['uci', 'commit', 'dhcp'],
      DHCP_RELOAD,
    ]);
  });

  it('reads wan6’s odhcp6c: its DUID, the server and the options it received', async () => {
    const v = await getObjects(f.controller, ['Device.DHCPv6.', `${CLIENT}*.`]);
    expect(v['Device.DHCPv6.']).toMatchObject({ ClientNumberOfEntries: '1' });
    expect(v[`${CLIENT}1.`]).toMatchObject({
      Enable: 'true',
      Status: 'Enabled',
      Interface: wan6,
      DUID: '000300019483C4000002',
      RequestAddresses: 'true',
      RequestPrefixes: 'true',
      RequestedOptions: '',
      ServerNumberOfEntries: '1',
      ReceivedOptionNumberOfEntries: '2',
    });
    expect(v[`${CLIENT}1.Server.1.`]).toMatchObject({ SourceAddress: 'fe80::1', DUID: '', InformationRefreshTime: '0001-01-01T00:00:00Z' });
    expect(v[`${CLIENT}1.ReceivedOption.1.`]).toMatchObject({ Tag: '23', Value: '20010DB8001000000000000000000001', Server: `${CLIENT}1.Server.1` });
    expect(v[`${CLIENT}1.ReceivedOption.2.`]).toMatchObject({ Tag: '24', Value: '03697370076578616D706C6500' });
  });

  it('a Client Set writes dhcpv6.sh’s options and reloads netifd; Renew() asks netifd to renew', async () => {
    fake.clearLog();
    const r = await trySet(f.controller, `${CLIENT}1.`, { RequestedOptions: '23,2' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7012);
    fake.respondUciAfterCommit('network', { text: `${NETWORK.replace("network.wan6.proto='dhcpv6'\n", "network.wan6.proto='dhcpv6'\nnetwork.wan6.reqprefix='no'\nnetwork.wan6.reqopts='23 24'\n")}` });
    await set(f.controller, `${CLIENT}1.`, { RequestPrefixes: 'false', RequestedOptions: '23,24' });
    expect(networkWrites()).toEqual([['uci', 'set', 'network.wan6.reqprefix=no'], ['uci', 'set', 'network.wan6.reqopts=23 24'], ['uci', 'commit', 'network'], NETWORK_RELOAD]);
    expect((await getObjects(f.controller, [`${CLIENT}1.`]))[`${CLIENT}1.`]).toMatchObject({ RequestPrefixes: 'false', RequestedOptions: '23,24' });
    fake.clearLog();
    expect(await operate(f.controller, `${CLIENT}1.Renew()`)).toEqual({ ok: true, value: true });
    expect(fake.ubusCalls()).toContain('network.interface.wan6 renew');
  });

  it('Add makes an unaddressed interface a DHCPv6 client, Delete gives it back; the IPv6 uplink’s own client is kept', async () => {
    const r = await tryAdd(f.controller, CLIENT, { Interface: lan });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7012);
    const m = await f.controller.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [`${CLIENT}1.`] } });
    expect(m.body.msgBody === 'error' ? m.body.error.errCode : 0).toBe(7024);
    fake.clearLog();
    const added = NETWORK.replace("network.spare.proto='none'", "network.spare.proto='dhcpv6'\nnetwork.spare.reqaddress='none'");
    fake.respondUciAfterCommit('network', { text: added });
    expect(await add(f.controller, CLIENT, { Interface: spare, Enable: 'true', RequestAddresses: 'false' })).toBe(`${CLIENT}2.`);
    expect(networkWrites()).toEqual([['uci', 'set', 'network.spare.proto=dhcpv6'], ['uci', 'set', 'network.spare.reqaddress=none'], ['uci', 'commit', 'network'], NETWORK_RELOAD]);
    fake.clearLog();
    fake.respondUciAfterCommit('network', { text: NETWORK });
    await del(f.controller, `${CLIENT}2.`);
    expect(networkWrites()).toEqual([['uci', 'set', 'network.spare.proto=none'], ['uci', 'delete', 'network.spare.reqaddress'], ['uci', 'commit', 'network'], NETWORK_RELOAD]);
  });

  it('SentOption rows are wan6’s sendopts items (odhcp6c’s -x), a disabled one in the agent’s option; what odhcp6c refuses is refused, writing nothing', async () => {
    const sent = `${CLIENT}1.SentOption.`;
    fake.clearLog();
    for (const [params, code] of [
      [{ Tag: '14', Value: '' }, 7012], // rapid commit: the protocol's own
      [{ Tag: '39', Value: '00' }, 7012], // FQDN: odhcp6c builds it itself
      [{ Tag: '23', Value: '20010DB8000000000000000000000001' }, 7012], // odhcp6c reads 23 as addresses, not hex
      [{ Tag: '500', Enable: 'true' }, 7012], // no data: odhcp6c would not start
      [{ Tag: '500', Value: 'xyz' }, 7011],
    ] as const) {
      const r = await tryAdd(f.controller, sent, params);
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, `${JSON.stringify(params)}: ${r.errMsg}`).toBe(code);
    }
    expect(networkWrites()).toEqual([]);
    const withSent = NETWORK.replace("network.wan6.proto='dhcpv6'\n", "network.wan6.proto='dhcpv6'\nnetwork.wan6.sendopts='500:abba'\n");
    fake.respondUciAfterCommit('network', { text: withSent });
    expect(await add(f.controller, sent, { Enable: 'true', Tag: '500', Value: 'ABBA' })).toBe(`${sent}1.`);
    expect(networkWrites()).toEqual([['uci', 'add_list', 'network.wan6.sendopts=500:abba'], ['uci', 'commit', 'network'], NETWORK_RELOAD]);
    // The table's unique key: a second row with Tag 500 is 7025.
    const dup = await tryAdd(f.controller, sent, { Tag: '500', Value: '01' });
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.paramErrCode ?? dup.errCode).toBe(7025);
    fake.clearLog();
    fake.respondUciAfterCommit('network', { text: withSent.replace("network.wan6.sendopts='500:abba'\n", "network.wan6.sendopts='500:abba'\nnetwork.wan6.usp_disabled_sendopts='16:0000040e'\n") });
    expect(await add(f.controller, sent, { Tag: '16', Value: '0000040E' })).toBe(`${sent}2.`);
    fake.respondUciAfterCommit('network', { text: withSent.replace("network.wan6.sendopts='500:abba'\n", "network.wan6.usp_disabled_sendopts='500:abba' '16:0000040e'\n") });
    await set(f.controller, `${sent}1.`, { Enable: 'false' });
    expect(networkWrites()).toEqual([
      ['uci', 'delete', 'network.wan6.sendopts'],
      ['uci', 'add_list', 'network.wan6.sendopts=500:abba'],
      ['uci', 'add_list', 'network.wan6.usp_disabled_sendopts=16:0000040e'],
      ['uci', 'commit', 'network'],
      NETWORK_RELOAD,
      ['uci', 'delete', 'network.wan6.sendopts'],
      ['uci', 'delete', 'network.wan6.usp_disabled_sendopts'],
      ['uci', 'add_list', 'network.wan6.usp_disabled_sendopts=500:abba'],
      ['uci', 'add_list', 'network.wan6.usp_disabled_sendopts=16:0000040e'],
      ['uci', 'commit', 'network'],
      NETWORK_RELOAD,
    ]);
    const v = await getObjects(f.controller, [`${CLIENT}1.`]);
    expect(v[`${CLIENT}1.`]).toMatchObject({ SentOptionNumberOfEntries: '2' });
    expect(v[`${sent}1.`]).toMatchObject({ Enable: 'false', Tag: '500', Value: 'ABBA' });
    expect(v[`${sent}2.`]).toMatchObject({ Enable: 'false', Tag: '16', Value: '0000040E' });
    fake.clearLog();
    fake.respondUciAfterCommit('network', { text: withSent.replace("network.wan6.sendopts='500:abba'\n", "network.wan6.usp_disabled_sendopts='500:abba'\n") });
    await del(f.controller, `${sent}2.`);
    expect(networkWrites()).toEqual([
      ['uci', 'delete', 'network.wan6.usp_disabled_sendopts'],
      ['uci', 'add_list', 'network.wan6.usp_disabled_sendopts=500:abba'],
      ['uci', 'commit', 'network'],
      NETWORK_RELOAD,
    ]);
    fake.respondUciAfterCommit('network', { text: NETWORK });
    await del(f.controller, `${sent}1.`);
    expect((await getObjects(f.controller, [`${CLIENT}1.`]))[`${CLIENT}1.`]).toMatchObject({ SentOptionNumberOfEntries: '0' });
  });

  it('a new Interface moves the client with its options in one commit; RapidCommit and SuggestedT1/T2 are odhcp6c’s fixed behaviour, read-only', async () => {
    fake.respondUciAfterCommit('network', { text: NETWORK.replace("network.spare.proto='none'", "network.spare.proto='dhcpv6'") });
    const path2 = await add(f.controller, CLIENT, { Interface: spare, Enable: 'true' });
    fake.respondUciAfterCommit('network', { text: NETWORK.replace("network.spare.proto='none'", "network.spare.proto='dhcpv6'\nnetwork.spare.sendopts='500:abba'") });
    await add(f.controller, `${path2}SentOption.`, { Enable: 'true', Tag: '500', Value: 'ABBA' });
    fake.clearLog();
    const moved = NETWORK.replace("network.guest.proto='none'", "network.guest.proto='dhcpv6'\nnetwork.guest.sendopts='500:abba'\nnetwork.guest.reqprefix='no'");
    fake.respondUciAfterCommit('network', { text: moved });
    await set(f.controller, path2, { Interface: guest, RequestPrefixes: 'false' });
    expect(networkWrites()).toEqual([
      ['uci', 'set', 'network.guest.proto=dhcpv6'],
      // `uci show` prints a one-item list as an option: copied as one (netifd splits either into odhcp6c's -x items).
      ['uci', 'set', 'network.guest.sendopts=500:abba'],
      ['uci', 'set', 'network.spare.proto=none'],
      ['uci', 'delete', 'network.spare.sendopts'],
      ['uci', 'set', 'network.guest.reqprefix=no'],
      ['uci', 'commit', 'network'],
      NETWORK_RELOAD,
    ]);
    const v = await getObjects(f.controller, [path2]);
    expect(v[path2]).toMatchObject({ Interface: guest, RequestPrefixes: 'false', RapidCommit: 'false', SuggestedT1: '-1', SuggestedT2: '-1', SentOptionNumberOfEntries: '1' });
    expect(v[`${path2}SentOption.1.`]).toMatchObject({ Enable: 'true', Tag: '500', Value: 'ABBA' });
    fake.clearLog();
    // wan6 holds the IPv6 default route: its client stays; no UCI option sets these three.
    for (const [params, code] of [
      [{ Interface: spare }, 7012],
      [{ RapidCommit: 'true' }, 7013],
      [{ SuggestedT1: '600' }, 7013],
      [{ SuggestedT2: '900' }, 7013],
    ] as const) {
      const r = await trySet(f.controller, `${CLIENT}1.`, params);
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, `${JSON.stringify(params)}: ${r.errMsg}`).toBe(code);
    }
    expect(networkWrites()).toEqual([]);
    fake.respondUciAfterCommit('network', { text: NETWORK });
    await del(f.controller, path2);
  });
});
