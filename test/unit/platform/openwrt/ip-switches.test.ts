/**
 * The IP switches of OpenWrt as UCI changes: Interface.{i}.IPv4Enable (ip-interface-ipv4.ts),
 * ULAEnable (ip-interface-ula.ts), Device.IP.IPv4Enable and IPv6Enable (ip-ipv6-global.ts), on
 * the network config checked against OpenWrt's uci (uci-show-network.txt), with the cellular
 * uplinks of the fake's default config, and variants of it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { globalIPv4Changes, ipv4Enabled, ipv4EnableChanges } from '../../../../platform/openwrt/ip-interface-ipv4.js';
import { ulaEnableChanges } from '../../../../platform/openwrt/ip-interface-ula.js';
import { deviceIPv6Enabled, globalIPv6Changes } from '../../../../platform/openwrt/ip-ipv6-global.js';
import { configValues } from '../../../../platform/openwrt/ip-config.js';
import { configuredV4, planV4, takesStatic } from '../../../../platform/openwrt/ipv4-config.js';
import { parseUciShow, type UciConfig } from '../../../../platform/openwrt/uci-show.js';
import { FIXTURES, UCI_NETWORK_CELLULAR } from './fake-openwrt.js';

const shown = fs.readFileSync(path.join(FIXTURES, 'uci-show-network.txt'), 'utf8');
const config = parseUciShow(shown);
const section = (c: UciConfig, name: string) => c.find((s) => s.name === name)!;
const plus = (...lines: string[]) => parseUciShow(shown + lines.join('\n') + '\n');

describe('openwrt IP.Interface IPv4Enable', () => {
  it('false: the proto kept aside and proto none (lan static, wan dhcp); true puts it back', () => {
    expect(ipv4EnableChanges(section(config, 'lan'), false, false)).toEqual([
      { section: 'lan', option: 'usp_ipv4_proto', value: 'static' },
      { section: 'lan', option: 'proto', value: 'none' },
    ]);
    expect(ipv4EnableChanges(section(config, 'wan'), false, false)).toEqual([
      { section: 'wan', option: 'usp_ipv4_proto', value: 'dhcp' },
      { section: 'wan', option: 'proto', value: 'none' },
    ]);
    const off = plus("network.lan.usp_ipv4_proto='static'").map((s) => (s.name === 'lan' ? { ...s, options: { ...s.options, proto: 'none' } } : s));
    expect(ipv4Enabled(section(off, 'lan'))).toBe(false);
    expect(configValues(section(off, 'lan'), off)).toMatchObject({ IPv4Enable: false, IPv6Enable: true, ULAEnable: true });
    expect(ipv4EnableChanges(section(off, 'lan'), true, false)).toEqual([
      { section: 'lan', option: 'proto', value: 'static' },
      { section: 'lan', option: 'usp_ipv4_proto', value: '', remove: true },
    ]);
    expect(ipv4EnableChanges(section(config, 'lan'), true, false)).toEqual([]);
  });

  it('refuses the uplink, a proto carrying IPv6 too, static IPv6, DHCPv6 and a static interface without an address', () => {
    expect(ipv4EnableChanges(section(config, 'wan'), false, true)).toMatch(/holds the IPv4 default route/);
    const cell = parseUciShow(UCI_NETWORK_CELLULAR);
    expect(ipv4EnableChanges(section(cell, 'wwan'), false, false)).toMatch(/proto modemmanager, which carries IPv6 too/);
    const v6 = plus("network.lan.ip6addr='fd00::1/64'");
    expect(ipv4EnableChanges(section(v6, 'lan'), false, false)).toMatch(/static IPv6 \(ip6addr\)/);
    expect(ipv4EnableChanges(section(config, 'wan6'), true, false)).toMatch(/proto dhcpv6: its IPv4 is another interface/);
    const bare = parseUciShow("network.x=interface\nnetwork.x.proto='static'\n");
    expect(ipv4EnableChanges(section(bare, 'x'), true, false)).toMatch(/add a Device.IP.Interface.{i}.IPv4Address/);
  });
});

describe('openwrt IPv4Address rows while IPv4Enable is false', () => {
  const off = parseUciShow(shown + "network.lan.usp_ipv4_proto='static'\n").map((s) => (s.name === 'lan' ? { ...s, options: { ...s.options, proto: 'none' } } : s));
  const lan = section(off, 'lan');

  it('keeps the static addresses as rows and writes the kept proto, not proto', () => {
    expect(configuredV4(lan)).toEqual({ enabled: ['192.168.1.1/24'], disabled: [] });
    expect(takesStatic(lan)).toBe(true);
    expect(planV4(lan, { enabled: [], disabled: [] })).toEqual([
      { section: 'lan', option: 'ipaddr', value: '', remove: true },
      { section: 'lan', option: 'netmask', value: '', remove: true },
      { section: 'lan', option: 'usp_ipv4_proto', value: 'none' },
    ]);
  });
});

describe('openwrt IP.Interface ULAEnable', () => {
  it('false without ip6class: every interface named, the agent’s marker set; true deletes both', () => {
    const changes = ulaEnableChanges(section(config, 'lan'), config, false);
    expect(changes).toEqual([
      ...['loopback', 'lan', 'wan', 'wan6'].map((value) => ({ section: 'lan', option: 'ip6class', value, append: true })),
      { section: 'lan', option: 'usp_ula_off', value: '1' },
    ]);
    const off = plus("network.lan.ip6class='loopback' 'lan' 'wan' 'wan6'", "network.lan.usp_ula_off='1'");
    expect(configValues(section(off, 'lan'), off).ULAEnable).toBe(false);
    expect(ulaEnableChanges(section(off, 'lan'), off, true)).toEqual([
      { section: 'lan', option: 'usp_ula_off', value: '', remove: true },
      { section: 'lan', option: 'ip6class', value: '', remove: true },
    ]);
  });

  it('an operator’s ip6class: the local item removed or added; refused without ip6assign or a ULA prefix', () => {
    const own = plus("network.lan.ip6class='wan6' 'local'");
    expect(ulaEnableChanges(section(own, 'lan'), own, false)).toEqual([{ section: 'lan', option: 'ip6class', value: 'local', removeItem: true }]);
    const without = plus("network.lan.ip6class='wan6'");
    expect(ulaEnableChanges(section(without, 'lan'), without, true)).toEqual([{ section: 'lan', option: 'ip6class', value: 'local', append: true }]);
    expect(ulaEnableChanges(section(config, 'wan'), config, true)).toMatch(/no ip6assign/);
    const noUla = parseUciShow(shown.replace("network.globals.ula_prefix='fd12:3456:789a::/48'\n", ''));
    expect(ulaEnableChanges(section(noUla, 'lan'), noUla, true)).toMatch(/set Device.IP.ULAPrefix first/);
  });
});

describe('openwrt Device.IP.IPv6Enable', () => {
  it('false: ipv6 0 on every interface’s device, sections created where none, the modem bearer IPv4 only; all kept', () => {
    const cell = parseUciShow(shown + UCI_NETWORK_CELLULAR);
    expect(globalIPv6Changes(cell, false)).toEqual({
      create: [
        { section: 'usp_port_lo', device: 'lo' },
        { section: 'usp_port_eth1_2', device: 'eth1.2' },
      ],
      changes: [
        { section: 'globals', option: 'usp_ipv6_disabled', value: '1' },
        { section: 'wwan', option: 'usp_iptype', value: 'ipv4v6' },
        { section: 'wwan', option: 'iptype', value: 'ipv4' },
        { section: 'usp_port_lo', option: 'name', value: 'lo' },
        { section: 'usp_port_lo', option: 'ipv6', value: '0' },
        { section: 'usp_port_lo', option: 'usp_ipv6', value: 'created' },
        { section: 'cfg030f15', option: 'usp_ipv6', value: 'unset' },
        { section: 'cfg030f15', option: 'ipv6', value: '0' },
        { section: 'usp_port_eth1_2', option: 'name', value: 'eth1.2' },
        { section: 'usp_port_eth1_2', option: 'ipv6', value: '0' },
        { section: 'usp_port_eth1_2', option: 'usp_ipv6', value: 'created' },
      ],
      remove: [],
    });
    expect(globalIPv6Changes(config, true)).toEqual({ create: [], changes: [], remove: [] });
  });

  it('true: each kept value back, the agent’s sections removed unless something else wrote in them', () => {
    const off = plus(
      "network.globals.usp_ipv6_disabled='1'",
      "network.cfg030f15.ipv6='0'",
      "network.cfg030f15.usp_ipv6='unset'",
      'network.usp_port_lo=device',
      "network.usp_port_lo.name='lo'",
      "network.usp_port_lo.ipv6='0'",
      "network.usp_port_lo.usp_ipv6='created'",
      'network.usp_port_eth1_2=device',
      "network.usp_port_eth1_2.name='eth1.2'",
      "network.usp_port_eth1_2.ipv6='0'",
      "network.usp_port_eth1_2.usp_ipv6='created'",
      "network.usp_port_eth1_2.mtu='1480'",
    );
    expect(deviceIPv6Enabled(section(off, 'cfg030f15'))).toBe(true);
    expect(globalIPv6Changes(off, true)).toEqual({
      create: [],
      changes: [
        { section: 'globals', option: 'usp_ipv6_disabled', value: '', remove: true },
        { section: 'cfg030f15', option: 'usp_ipv6', value: '', remove: true },
        { section: 'cfg030f15', option: 'ipv6', value: '', remove: true },
        { section: 'usp_port_eth1_2', option: 'usp_ipv6', value: '', remove: true },
        { section: 'usp_port_eth1_2', option: 'ipv6', value: '', remove: true },
      ],
      remove: ['usp_port_lo'],
    });
  });

  it('refuses an IPv6-only bearer and a modem proto without an IPv6 option', () => {
    expect(globalIPv6Changes(plus('network.m=interface', "network.m.proto='modemmanager'", "network.m.iptype='ipv6'"), false)).toMatch(/IPv6 only/);
    expect(globalIPv6Changes(plus('network.q=interface', "network.q.proto='qmi'", "network.q.device='/dev/cdc-wdm0'"), false)).toMatch(/proto qmi\) has no IPv6 switch/);
  });
});

describe('openwrt Device.IP.IPv4Enable', () => {
  it('false turns every IPv4 interface off but loopback and marks them; true turns back only those', () => {
    expect(globalIPv4Changes(config, false, new Set())).toEqual([
      { section: 'globals', option: 'usp_ipv4_disabled', value: '1' },
      { section: 'lan', option: 'usp_ipv4_proto', value: 'static' },
      { section: 'lan', option: 'proto', value: 'none' },
      { section: 'lan', option: 'usp_ipv4_by_global', value: '1' },
      { section: 'wan', option: 'usp_ipv4_proto', value: 'dhcp' },
      { section: 'wan', option: 'proto', value: 'none' },
      { section: 'wan', option: 'usp_ipv4_by_global', value: '1' },
    ]);
    expect(globalIPv4Changes(config, false, new Set(['wan']))).toMatch(/wan holds the IPv4 default route/);
    const off = plus("network.globals.usp_ipv4_disabled='1'", "network.lan.usp_ipv4_proto='static'", "network.lan.usp_ipv4_by_global='1'", "network.wan.usp_ipv4_proto='dhcp'");
    // wan was off on its own before: it stays off; lan reads its own value (true) and refuses a Set.
    expect(ipv4Enabled(section(off, 'lan'))).toBe(true);
    expect(ipv4EnableChanges(section(off, 'lan'), false, false)).toMatch(/Device.IP.IPv4Enable is false/);
    expect(globalIPv4Changes(off, true, new Set())).toEqual([
      { section: 'globals', option: 'usp_ipv4_disabled', value: '', remove: true },
      { section: 'lan', option: 'usp_ipv4_by_global', value: '', remove: true },
      { section: 'lan', option: 'proto', value: 'static' },
      { section: 'lan', option: 'usp_ipv4_proto', value: '', remove: true },
    ]);
  });
});
