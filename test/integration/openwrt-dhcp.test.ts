/**
 * The OpenWrt platform's DHCPv4 server, DNS relay and Hosts behind a real agent, driven by our
 * TestController over a real loopback WebSocket. ubus and uci are the recorded stand-ins of
 * test/unit/platform/openwrt/fake-openwrt.ts, first on PATH: `uci show dhcp` answers what
 * OpenWrt's own uci printed before and after each write (test/fixtures/openwrt/README.md), and
 * every command the agent runs is logged and compared.
 *
 * The one value the test changes in a recording: the dnsmasq section's `leasefile`, pointed from
 * /tmp/dhcp.leases at the recorded lease file in the fixtures, so the agent reads that one (the
 * way it reads the file a router's dnsmasq writes). The ARP table and /sys/class/net are this
 * machine's; `ip -6 neigh show` is the recorded one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { add, del, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import type { FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';
import { DHCP_RELOAD, dhcpShow, dhcpWrites, startOnRecordedDhcp } from './openwrt-dhcp-steps.js';

const RELOAD = DHCP_RELOAD;

describe('OpenWrt DHCPv4 server, DNS relay and Hosts over WebSocket (recorded uci and dnsmasq)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  const writes = (): string[][] => dhcpWrites(fake);

  beforeAll(async () => {
    ({ fake, f } = await startOnRecordedDhcp('uci-show-dhcp.host-added.txt'));
  });
  afterAll(async () => {
    await f?.close();
  });

  it('a Controller reads the lan pool, its static address and the clients of the recorded lease file', async () => {
    const v = await getObjects(f.controller, [
      'Device.DHCPv4.Server.Pool.1.',
      'Device.DHCPv4.Server.Pool.1.StaticAddress.1.',
      'Device.DHCPv4.Server.Pool.1.Client.*.IPv4Address.*.',
      'Device.DHCPv4.Server.Pool.1.Client.*.Option.*.',
      'Device.Hosts.Host.*.',
    ]);
    expect(v['Device.DHCPv4.Server.Pool.1.']).toMatchObject({
      Enable: 'true',
      Status: 'Enabled',
      Interface: 'Device.IP.Interface.2',
      MinAddress: '192.168.1.100',
      MaxAddress: '192.168.1.249',
      LeaseTime: '43200',
      ClientNumberOfEntries: '3',
      StaticAddressNumberOfEntries: '1',
    });
    expect(v['Device.DHCPv4.Server.Pool.1.StaticAddress.1.']).toMatchObject({ Chaddr: '52:3f:b5:5f:a9:be', Yiaddr: '192.168.1.20' });
    expect(
      Object.entries(v)
        .filter(([p]) => p.startsWith('Device.DHCPv4.') && p.includes('.IPv4Address.'))
        .map(([, o]) => o.IPAddress)
        .sort(),
    ).toEqual(['192.168.1.104', '192.168.1.184', '192.168.1.20']);
    expect(
      Object.values(v)
        .filter((o) => o.Tag === '12')
        .map((o) => Buffer.from(o.Value, 'hex').toString()),
    ).toEqual(expect.arrayContaining(['laptop', 'pixel-7']));
    // Hosts: each leased MAC (this machine's own ARP table may add more).
    const hosts = Object.entries(v)
      .filter(([p]) => /^Device\.Hosts\.Host\.\d+\.$/.test(p))
      .map(([, o]) => o);
    expect(hosts.find((h) => h.PhysAddress === 'de:58:55:e5:dc:76')).toMatchObject({ HostName: 'laptop', IPAddress: '192.168.1.104', IPv6AddressNumberOfEntries: '2' });
    // The Wi-Fi station of the recorded assoclist, known by its recorded IPv6 neighbour entries.
    expect(hosts.find((h) => h.PhysAddress === '3c:22:fb:00:00:10')).toMatchObject({
      AssociatedDevice: expect.stringMatching(/^Device\.WiFi\.AccessPoint\.\d+\.AssociatedDevice\.\d+$/),
      Layer1Interface: expect.stringMatching(/^Device\.WiFi\.SSID\.\d+$/),
      IPv6AddressNumberOfEntries: '2',
    });
  });

  it('a Controller adds a DHCP option (uci add_list dhcp_option); a bad Value and a failing commit change nothing', async () => {
    fake.clearLog();
    const bad = await tryAdd(f.controller, 'Device.DHCPv4.Server.Pool.1.Option.', { Tag: '26', Value: '05', Enable: 'true' });
    expect(bad.ok).toBe(false);
    fake.failCommit(true);
    const failed = await tryAdd(f.controller, 'Device.DHCPv4.Server.Pool.1.Option.', { Tag: '42', Value: 'c0a80101', Enable: 'true' });
    fake.failCommit(false);
    expect(failed.ok).toBe(false);
    expect(writes()).toEqual([
      ['uci', 'add_list', 'dhcp.lan.dhcp_option=42,192.168.1.1'],
      ['uci', 'commit', 'dhcp'],
      ['uci', 'revert', 'dhcp'],
    ]);
    expect((await getObjects(f.controller, ['Device.DHCPv4.Server.Pool.1.']))['Device.DHCPv4.Server.Pool.1.']).toMatchObject({ OptionNumberOfEntries: '0' });

    // The recorded state once both options were added with OpenWrt's uci.
    fake.respondUciAfterCommit('dhcp', dhcpShow('uci-show-dhcp.options-added.txt'));
    fake.clearLog();
    const row = await add(f.controller, 'Device.DHCPv4.Server.Pool.1.Option.', { Tag: '42', Value: 'c0a80101', Enable: 'true' });
    expect(row).toBe('Device.DHCPv4.Server.Pool.1.Option.1.');
    expect(writes()).toEqual([['uci', 'add_list', 'dhcp.lan.dhcp_option=42,192.168.1.1'], ['uci', 'commit', 'dhcp'], RELOAD]);
    const v = await getObjects(f.controller, ['Device.DHCPv4.Server.Pool.1.Option.*.']);
    expect(v['Device.DHCPv4.Server.Pool.1.Option.1.']).toMatchObject({ Enable: 'true', Tag: '42', Value: 'c0a80101' });
    expect(v['Device.DHCPv4.Server.Pool.1.Option.2.']).toMatchObject({ Tag: '252', Value: Buffer.from('http://wpad/wpad.dat').toString('hex') });
  });

  it('a Set of the range and lease time becomes uci set, uci commit dhcp and the config.change event', async () => {
    // The recorded state after the commit, shown once the agent's `uci commit dhcp` ran.
    fake.respondUciAfterCommit('dhcp', dhcpShow('uci-show-dhcp.pool-set.txt'));
    fake.clearLog();
    await set(f.controller, 'Device.DHCPv4.Server.Pool.1.', { MinAddress: '192.168.1.50', MaxAddress: '192.168.1.149', LeaseTime: '3600' });
    expect(writes()).toEqual([['uci', 'set', 'dhcp.lan.start=50'], ['uci', 'set', 'dhcp.lan.limit=100'], ['uci', 'set', 'dhcp.lan.leasetime=3600'], ['uci', 'commit', 'dhcp'], RELOAD]);
    const v = await getObjects(f.controller, ['Device.DHCPv4.Server.Pool.1.']);
    expect(v['Device.DHCPv4.Server.Pool.1.']).toMatchObject({ MinAddress: '192.168.1.50', MaxAddress: '192.168.1.149', LeaseTime: '3600' });
    // Outside the network: refused, nothing written.
    fake.clearLog();
    const r = await trySet(f.controller, 'Device.DHCPv4.Server.Pool.1.', { MaxAddress: '192.168.2.1' });
    expect(r.ok).toBe(false);
    expect(writes()).toEqual([]);
  });

  it('a Set of DNSServers and DomainName becomes dhcp_option 6 and 15; a name dnsmasq cannot send is 7012', async () => {
    // The recorded state after the range Set, with the two items uci add_list appends (written here).
    const after = dhcpShow('uci-show-dhcp.pool-set.txt').text.replace("dhcp.lan.leasetime='3600'\n", "dhcp.lan.leasetime='3600'\ndhcp.lan.dhcp_option='6,192.168.1.2,192.168.1.3' '15,home.arpa'\n");
    fake.respondUciAfterCommit('dhcp', { text: after });
    fake.clearLog();
    await set(f.controller, 'Device.DHCPv4.Server.Pool.1.', { DNSServers: '192.168.1.2,192.168.1.3', DomainName: 'home.arpa' });
    expect(writes()).toEqual([['uci', 'add_list', 'dhcp.lan.dhcp_option=6,192.168.1.2,192.168.1.3'], ['uci', 'add_list', 'dhcp.lan.dhcp_option=15,home.arpa'], ['uci', 'commit', 'dhcp'], RELOAD]);
    const v = await getObjects(f.controller, ['Device.DHCPv4.Server.Pool.1.']);
    expect(v['Device.DHCPv4.Server.Pool.1.']).toMatchObject({ DNSServers: '192.168.1.2,192.168.1.3', DomainName: 'home.arpa', IPRouters: '192.168.1.1' });
    fake.clearLog();
    const r = await trySet(f.controller, 'Device.DHCPv4.Server.Pool.1.', { DomainName: 'my home' });
    expect(r).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(writes()).toEqual([]);
  });

  it('a Controller adds a DNS forwarder (uci add_list server) and deletes it (del_list)', async () => {
    fake.respondUciAfterCommit('dhcp', dhcpShow('uci-show-dhcp.server-added.txt'));
    fake.clearLog();
    const row = await add(f.controller, 'Device.DNS.Relay.Forwarding.', { DNSServer: '9.9.9.9', Enable: 'true' });
    expect(writes()).toEqual([['uci', 'add_list', 'dhcp.cfg01411c.server=9.9.9.9'], ['uci', 'commit', 'dhcp'], RELOAD]);
    const v = await getObjects(f.controller, [row, 'Device.DNS.Relay.']);
    expect(v[row]).toMatchObject({ DNSServer: '9.9.9.9', Enable: 'true', Type: 'Static', Interface: '' });
    expect(v['Device.DNS.Relay.']).toMatchObject({ Enable: 'true', ForwardNumberOfEntries: '3' });
    // del_list of the only item removes the option (recorded: uci-show-dhcp.deleted.txt,
    // server-disabled.txt), which leaves the recorded state before the add.
    fake.respondUciAfterCommit('dhcp', dhcpShow('uci-show-dhcp.pool-set.txt'));
    fake.clearLog();
    await del(f.controller, row);
    expect(writes()).toEqual([['uci', 'del_list', 'dhcp.cfg01411c.server=9.9.9.9'], ['uci', 'commit', 'dhcp'], RELOAD]);
    expect((await getObjects(f.controller, ['Device.DNS.Relay.']))['Device.DNS.Relay.']).toMatchObject({ ForwardNumberOfEntries: '2' });
  });
});
