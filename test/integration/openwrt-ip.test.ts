/**
 * The OpenWrt platform's Device.IP. behind a real agent, driven by our TestController over a
 * real loopback WebSocket: a Controller adds an IP interface, sets it, resets one, changes the
 * ULA prefix and deletes the interface again. ubus and uci are the recorded stand-ins of
 * test/unit/platform/openwrt/fake-openwrt.ts, first on PATH: `uci show network` answers what
 * OpenWrt's own uci printed before and after each of these writes (uci-show-network.*.txt, see
 * test/fixtures/openwrt/README.md), and every command the agent runs is logged and compared.
 *
 * netifd is not running here: its `network.interface dump` stays the recorded one, and the
 * answers of `ubus call network.interface.<name> down/up` and `network reload` are empty, as
 * those methods print nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { add, del, operate, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { fakeOpenWrt, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const RELOAD = ['ubus', 'call', 'network', 'reload'];
const COMMIT = ['uci', 'commit', 'network'];
const FW_COMMIT = ['uci', 'commit', 'firewall'];
const FW_RELOAD = ['/etc/init.d/firewall', 'reload'];
/** The shipped firewall's zones, as OpenWrt's uci names them (uci-show-firewall.uci.txt). */
const LAN_ZONE = 'firewall.cfg02dc81';
const WAN_ZONE = 'firewall.cfg03dc81';

describe('OpenWrt IP interfaces over WebSocket (recorded uci network)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  /** What the agent wrote: uci (not its `uci -q -X show` reads) and the ubus calls that act. */
  const writes = (): string[][] =>
    fake
      .invocations()
      .filter((a) => (a[0] === 'uci' && a[1] !== '-q') || (a[0] === 'ubus' && a[1] === 'call' && (a[2] === 'network' || a[2].startsWith('network.interface.'))) || a[0] === FW_RELOAD[0]);
  const ip = async (...paths: string[]) => getObjects(f.controller, paths);

  beforeAll(async () => {
    fake = fakeOpenWrt();
    // OpenWrt's uci over the recorded device's /etc/config/network (etc-config-network) and the shipped firewall (etc-config-firewall).
    fake.respondUci('network', { file: 'uci-show-network.txt' });
    fake.respondUci('firewall', { file: 'uci-show-firewall.uci.txt' });
    for (const m of ['down', 'up']) fake.respond(`network.interface.wan ${m}`, { text: '' });
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('reads the interfaces netifd runs, then the configured ones it does not, and the IP switches', async () => {
    const v = await ip('Device.IP.');
    expect(v['Device.IP.']).toMatchObject({ IPv4Enable: 'true', IPv4Status: 'Enabled', ULAPrefix: 'fd12:3456:789a::/48', InterfaceNumberOfEntries: '4' });
    expect(['1', '2', '3', '4'].map((n) => v[`Device.IP.Interface.${n}.`]?.Name)).toEqual(['wan', 'lan', 'loopback', 'wan6']);
    expect(v['Device.IP.Interface.2.']).toMatchObject({ Enable: 'true', Status: 'Up', ULAEnable: 'true', IPv4Enable: 'true', IPv6Enable: 'true' });
    expect(v['Device.IP.Interface.4.']).toMatchObject({ Enable: 'true', Status: 'Down', IPv4Enable: 'false', LowerLayers: 'Device.Ethernet.Link.3' });
  });

  // The next three tests follow the recorded sequence: add, enable, ULA prefix, delete, add again.
  it('adds an interface (a disabled proto none section, in the lan zone) and enables it on a link (its zone follows: wan)', async () => {
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.ip-added.txt' });
    fake.respondUciAfterCommit('firewall', { file: 'uci-show-firewall.ip-added.txt' });
    fake.clearLog();
    const row = await add(f.controller, 'Device.IP.Interface.', {});
    expect(row).toBe('Device.IP.Interface.5.');
    // No LowerLayers: the lan zone, else firewall4 would drop its traffic.
    expect(writes()).toEqual([
      ['uci', 'set', 'network.usp1=interface'],
      ['uci', 'set', 'network.usp1.proto=none'],
      ['uci', 'set', 'network.usp1.disabled=1'],
      COMMIT,
      RELOAD,
      ['uci', 'add_list', `${LAN_ZONE}.network=usp1`],
      FW_COMMIT,
      FW_RELOAD,
    ]);
    expect((await ip(row))[row]).toMatchObject({ Name: 'usp1', Enable: 'false', Status: 'Down', LowerLayers: '' });

    // Ethernet.Link.2 is eth1, the WAN port (the recorded network.device status).
    expect((await ip('Device.Ethernet.Link.2.'))['Device.Ethernet.Link.2.']).toMatchObject({ Name: 'eth1' });
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.ip-enabled.txt' });
    fake.respondUciAfterCommit('firewall', { file: 'uci-show-firewall.ip-on-wan.txt' });
    fake.clearLog();
    await set(f.controller, row, { Enable: 'true', LowerLayers: 'Device.Ethernet.Link.2.' });
    // eth1 is the link wan's eth1.2 is VLAN 2 of: the wan zone, out of lan (whose input policy is ACCEPT).
    expect(writes()).toEqual([
      ['uci', 'delete', 'network.usp1.disabled'],
      ['uci', 'set', 'network.usp1.device=eth1'],
      COMMIT,
      RELOAD,
      ['uci', 'del_list', `${LAN_ZONE}.network=usp1`],
      ['uci', 'add_list', `${WAN_ZONE}.network=usp1`],
      FW_COMMIT,
      FW_RELOAD,
    ]);
    expect((await ip(row))[row]).toMatchObject({ Enable: 'true', LowerLayers: 'Device.Ethernet.Link.2' });
  });

  it('sets the ULA prefix in globals; refuses one outside fc00::/7', async () => {
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.ula-set.txt' });
    fake.clearLog();
    await set(f.controller, 'Device.IP.', { ULAPrefix: 'fd00:1:2::/48' });
    expect(writes()).toEqual([['uci', 'set', 'network.globals.ula_prefix=fd00:1:2::/48'], COMMIT, RELOAD]);
    expect((await ip('Device.IP.'))['Device.IP.']).toMatchObject({ ULAPrefix: 'fd00:1:2::/48' });
    fake.clearLog();
    const r = await trySet(f.controller, 'Device.IP.', { ULAPrefix: '2001:db8::/48' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7012);
    expect(writes()).toEqual([]);
  });

  it('deletes the interface it added (out of its zone, then uci delete of the section); added again, it is a new instance', async () => {
    // Recorded: the del_list leaves the shipped firewall again.
    fake.respondUciAfterCommit('firewall', { file: 'uci-show-firewall.uci.txt' });
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.ip-deleted.txt' });
    fake.clearLog();
    await del(f.controller, 'Device.IP.Interface.5.');
    expect(writes()).toEqual([['uci', 'del_list', `${WAN_ZONE}.network=usp1`], FW_COMMIT, FW_RELOAD, ['uci', 'delete', 'network.usp1'], COMMIT, RELOAD]);
    expect((await ip('Device.IP.'))['Device.IP.']).toMatchObject({ InterfaceNumberOfEntries: '4' });
    // The same section name again, but instance numbers are not reused.
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.ip-readded.txt' });
    fake.respondUciAfterCommit('firewall', { file: 'uci-show-firewall.ip-added.txt' });
    expect(await add(f.controller, 'Device.IP.Interface.', {})).toBe('Device.IP.Interface.6.');
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.ip-deleted.txt' });
    fake.respondUciAfterCommit('firewall', { file: 'uci-show-firewall.uci.txt' });
    fake.clearLog();
    await del(f.controller, 'Device.IP.Interface.6.');
    expect(writes()).toEqual([['uci', 'del_list', `${LAN_ZONE}.network=usp1`], FW_COMMIT, FW_RELOAD, ['uci', 'delete', 'network.usp1'], COMMIT, RELOAD]);
    expect((await ip('Device.IP.'))['Device.IP.']).toMatchObject({ InterfaceNumberOfEntries: '4' });
  });

  it('refuses a LowerLayers that names no Ethernet.Link with 7012, at Set and at Add, writing nothing', async () => {
    fake.clearLog();
    for (const bad of ['Device.Ethernet.Link.99', 'Device.Ethernet.Interface.1', 'Device.Ethernet.Link.1,Device.Ethernet.Link.2']) {
      const r = await trySet(f.controller, 'Device.IP.Interface.1.', { LowerLayers: bad });
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, bad).toBe(7012);
      const a = await tryAdd(f.controller, 'Device.IP.Interface.', { LowerLayers: bad });
      expect(a.ok, bad).toBe(false);
      if (!a.ok) expect(a.paramErrCode ?? a.errCode, bad).toBe(7012);
    }
    // IPv4Enable has no netifd switch: only its current value is taken.
    const r = await trySet(f.controller, 'Device.IP.Interface.1.', { IPv4Enable: 'false' });
    expect(r.ok).toBe(false);
    expect(writes()).toEqual([]);
  });

  it('reverts and fails when uci commit fails: nothing reloads and the interface keeps its value', async () => {
    fake.failCommit(true);
    fake.clearLog();
    try {
      const r = await trySet(f.controller, 'Device.IP.Interface.1.', { Enable: 'false' });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7003);
      expect(writes()).toEqual([['uci', 'set', 'network.wan.disabled=1'], COMMIT, ['uci', 'revert', 'network']]);
      // An Add the same way: reverted, no row.
      fake.clearLog();
      const a = await tryAdd(f.controller, 'Device.IP.Interface.', {});
      expect(a.ok).toBe(false);
      expect(writes()).toEqual([['uci', 'set', 'network.usp1=interface'], ['uci', 'set', 'network.usp1.proto=none'], ['uci', 'set', 'network.usp1.disabled=1'], COMMIT, ['uci', 'revert', 'network']]);
      expect((await ip('Device.IP.'))['Device.IP.']).toMatchObject({ InterfaceNumberOfEntries: '4' });
    } finally {
      fake.failCommit(false);
    }
    expect((await ip('Device.IP.Interface.1.'))['Device.IP.Interface.1.']).toMatchObject({ Enable: 'true' });
  });

  it('Reset() takes an enabled interface down and up through netifd', async () => {
    fake.clearLog();
    expect(await operate(f.controller, 'Device.IP.Interface.1.Reset()')).toEqual({ ok: true, value: true });
    expect(writes()).toEqual([
      ['ubus', 'call', 'network.interface.wan', 'down'],
      ['ubus', 'call', 'network.interface.wan', 'up'],
    ]);
  });
});

describe('OpenWrt DNS client servers over WebSocket (recorded uci network)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  const writes = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || (a[0] === 'ubus' && a[1] === 'call' && a[2] === 'network'));

  beforeAll(async () => {
    fake = fakeOpenWrt();
    fake.respondUci('network', { file: 'uci-show-network.txt' });
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('adds a server to the uplink dns list, disables it (the agent list usp_disabled_dns) and deletes it', async () => {
    // The uplink's DHCP servers (recorded dump) are rows 1 and 2.
    expect((await getObjects(f.controller, ['Device.DNS.Client.']))['Device.DNS.Client.']).toMatchObject({ ServerNumberOfEntries: '2' });
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.dns-added.txt' });
    fake.clearLog();
    // No Interface: the interface holding the default route (wan).
    const row = await add(f.controller, 'Device.DNS.Client.Server.', { DNSServer: '9.9.9.9', Enable: 'true' });
    expect(row).toBe('Device.DNS.Client.Server.3.');
    expect(writes()).toEqual([['uci', 'add_list', 'network.wan.dns=9.9.9.9'], COMMIT, RELOAD]);
    expect((await getObjects(f.controller, [row]))[row]).toEqual({ Enable: 'true', Status: 'Enabled', DNSServer: '9.9.9.9', Interface: 'Device.IP.Interface.1', Type: 'Static', Alias: 'cpe-3' });

    fake.respondUciAfterCommit('network', { file: 'uci-show-network.dns-disabled.txt' });
    fake.clearLog();
    await set(f.controller, row, { Enable: 'false' });
    expect(writes()).toEqual([['uci', 'del_list', 'network.wan.dns=9.9.9.9'], ['uci', 'add_list', 'network.wan.usp_disabled_dns=9.9.9.9'], COMMIT, RELOAD]);
    expect((await getObjects(f.controller, [row]))[row]).toMatchObject({ Enable: 'false', Status: 'Disabled', DNSServer: '9.9.9.9' });

    // Recorded: the del_list leaves the shipped config again.
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.txt' });
    fake.clearLog();
    await del(f.controller, row);
    expect(writes()).toEqual([['uci', 'del_list', 'network.wan.usp_disabled_dns=9.9.9.9'], COMMIT, RELOAD]);
    expect((await getObjects(f.controller, ['Device.DNS.Client.']))['Device.DNS.Client.']).toMatchObject({ ServerNumberOfEntries: '2' });
  });

  it('refuses what no dns list can hold, writing nothing: 7012 at Add and Set, 7024 deleting an uplink server', async () => {
    fake.clearLog();
    for (const params of [{ DNSServer: '9.9.9.9', Interface: 'Device.IP.Interface.99' }, { DNSServer: '1.1.1.1' }] as Array<Record<string, string>>) {
      const r = await tryAdd(f.controller, 'Device.DNS.Client.Server.', params);
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, JSON.stringify(params)).toBe(7012);
    }
    const s = await trySet(f.controller, 'Device.DNS.Client.Server.1.', { DNSServer: '8.8.8.8' });
    expect(s.ok).toBe(false);
    if (!s.ok) expect(s.paramErrCode ?? s.errCode).toBe(7012);
    const m = await f.controller.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: ['Device.DNS.Client.Server.1.'] } });
    expect(m.body.msgBody === 'error' ? m.body.error.errCode : m.body).toBe(7024);
    expect(writes()).toEqual([]);
  });
});

describe('OpenWrt static IPv4 addresses over WebSocket (recorded uci network)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  const writes = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || (a[0] === 'ubus' && a[1] === 'call' && a[2] === 'network'));
  const LAN = 'Device.IP.Interface.2.IPv4Address.';

  beforeAll(async () => {
    fake = fakeOpenWrt();
    fake.respondUci('network', { file: 'uci-show-network.txt' });
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('adds a second lan address (ipaddr rewritten as a list), disables, changes and deletes it', async () => {
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.ipv4-added.txt' });
    fake.clearLog();
    const row = await add(f.controller, LAN, { IPAddress: '10.0.0.1', SubnetMask: '255.255.255.0', Enable: 'true' });
    expect(row).toBe(`${LAN}2.`);
    expect(writes()).toEqual([
      ['uci', 'delete', 'network.lan.ipaddr'],
      ['uci', 'add_list', 'network.lan.ipaddr=192.168.1.1/24'],
      ['uci', 'add_list', 'network.lan.ipaddr=10.0.0.1/24'],
      ['uci', 'delete', 'network.lan.netmask'],
      COMMIT,
      RELOAD,
    ]);
    const v = await getObjects(f.controller, [`${LAN}*.`]);
    // The recorded dump still holds the first only: the second reads from UCI until netifd assigns it.
    expect(v[`${LAN}1.`]).toMatchObject({ IPAddress: '192.168.1.1', SubnetMask: '255.255.255.0' });
    expect(v[row]).toEqual({ Enable: 'true', Status: 'Enabled', IPAddress: '10.0.0.1', SubnetMask: '255.255.255.0', AddressingType: 'Static', Alias: 'cpe-2' });

    fake.respondUciAfterCommit('network', { file: 'uci-show-network.ipv4-disabled.txt' });
    fake.clearLog();
    await set(f.controller, row, { Enable: 'false' });
    expect(writes()).toEqual([
      ['uci', 'delete', 'network.lan.ipaddr'],
      ['uci', 'add_list', 'network.lan.ipaddr=192.168.1.1/24'],
      ['uci', 'add_list', 'network.lan.usp_disabled_ipaddr=10.0.0.1/24'],
      COMMIT,
      RELOAD,
    ]);
    expect((await getObjects(f.controller, [row]))[row]).toMatchObject({ Enable: 'false', Status: 'Disabled', IPAddress: '10.0.0.1' });

    fake.respondUciAfterCommit('network', { file: 'uci-show-network.ipv4-changed.txt' });
    fake.clearLog();
    await set(f.controller, row, { IPAddress: '10.0.0.2' });
    expect(writes()).toEqual([['uci', 'delete', 'network.lan.usp_disabled_ipaddr'], ['uci', 'add_list', 'network.lan.usp_disabled_ipaddr=10.0.0.2/24'], COMMIT, RELOAD]);
    expect((await getObjects(f.controller, [row]))[row]).toMatchObject({ Enable: 'false', IPAddress: '10.0.0.2' });

    fake.respondUciAfterCommit('network', { file: 'uci-show-network.ipv4-deleted.txt' });
    fake.clearLog();
    await del(f.controller, row);
    expect(writes()).toEqual([['uci', 'delete', 'network.lan.usp_disabled_ipaddr'], COMMIT, RELOAD]);
    expect((await getObjects(f.controller, ['Device.IP.Interface.2.']))['Device.IP.Interface.2.']).toMatchObject({ IPv4AddressNumberOfEntries: '1' });
  });

  it('refuses addresses netifd learnt by DHCP and Adds it cannot hold, writing nothing', async () => {
    fake.clearLog();
    // wan (Interface.1) is proto dhcp: no static address can be added, its lease is not configured.
    const a = await tryAdd(f.controller, 'Device.IP.Interface.1.IPv4Address.', { IPAddress: '10.1.1.1', SubnetMask: '255.255.255.0' });
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.errCode).toBe(7017);
    const s = await trySet(f.controller, 'Device.IP.Interface.1.IPv4Address.1.', { IPAddress: '192.168.10.3' });
    expect(s.ok).toBe(false);
    if (!s.ok) expect(s.paramErrCode ?? s.errCode).toBe(7012);
    const m = await f.controller.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: ['Device.IP.Interface.1.IPv4Address.1.'] } });
    expect(m.body.msgBody === 'error' ? m.body.error.errCode : m.body).toBe(7024);
    // A mask that is no mask.
    const b = await tryAdd(f.controller, LAN, { IPAddress: '10.0.0.9', SubnetMask: '255.0.255.0' });
    expect(b.ok).toBe(false);
    expect(writes()).toEqual([]);
  });
});
