/**
 * What VXLAN.Filter rows become in the agent's nft `inet` table on Linux
 * (platform/linux/vxlan-filter-nft.ts), and which devices they are written for
 * (vxlanFilterTargets, from `ip -j -d link show type vxlan`). The kernel's own marking of real
 * delivery packets is in test/integration/linux-vxlan-filter.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../../../platform/exec/CommandRunner.js';
import { vxlanFilterTargets } from '../../../../platform/linux/vxlan-filter.js';
import {
  type CompiledVxlanFilter,
  markAction,
  outerDscp,
  targetMatch,
  vlanMatches,
  vxlanFilterChains,
  vxlanFilterScript,
  type VxlanFilterTarget,
} from '../../../../platform/linux/vxlan-filter-nft.js';

const T11: VxlanFilterTarget = { tunnel: 1, iface: 1, vni: 4242, port: 4789, ipv6: false, local: '10.201.0.1' };
const T12: VxlanFilterTarget = { tunnel: 1, iface: 2, vni: 7, port: 4789, ipv6: false };
const T21: VxlanFilterTarget = { tunnel: 2, iface: 1, vni: 9, port: 8472, ipv6: true, local: '2001:db8::1' };

describe('Linux VXLAN.Filter as nft rules', () => {
  it('tells delivery packets apart by port, VNI and source address, in their own family', () => {
    expect(targetMatch(T11)).toBe('meta nfproto ipv4 ip saddr 10.201.0.1 udp dport 4789 @th,96,24 4242');
    expect(targetMatch(T12)).toBe('meta nfproto ipv4 udp dport 4789 @th,96,24 7');
    expect(targetMatch(T21)).toBe('meta nfproto ipv6 ip6 saddr 2001:db8::1 udp dport 8472 @th,96,24 9');
    // An address of the other family is never written into a rule.
    expect(targetMatch({ ...T12, local: '2001:db8::1' })).toBe('meta nfproto ipv4 udp dport 4789 @th,96,24 7');
  });

  it("reads VLANIDCheck from the encapsulated frame's first tag; Exclude matches untagged frames too", () => {
    expect(vlanMatches({ VLANIDCheck: -1 })).toEqual(['']);
    expect(vlanMatches({ VLANIDCheck: -1, VLANIDExclude: true })).toEqual(['']);
    expect(vlanMatches({ VLANIDCheck: 100 })).toEqual(['@th,224,16 { 0x8100, 0x88a8 } @th,244,12 100']);
    expect(vlanMatches({ VLANIDCheck: 0, VLANIDExclude: true })).toEqual(['@th,224,16 != { 0x8100, 0x88a8 }', '@th,224,16 { 0x8100, 0x88a8 } @th,244,12 != 0']);
  });

  it('marks with the value, leaves the device its mark (-2), or copies the inner DSCP (-1)', () => {
    expect(markAction({ DSCPMarkPolicy: 46 }, false)).toBe('ip dscp set 46 accept');
    expect(markAction({ DSCPMarkPolicy: 0 }, true)).toBe('ip6 dscp set 0 accept');
    expect(markAction({ DSCPMarkPolicy: -2 }, false)).toBe('accept');
    expect(markAction({ DSCPMarkPolicy: -1 }, false)).toBe('jump copy_inner_dscp');
    expect(markAction({}, false)).toBe('jump copy_inner_dscp');
  });

  it('replaces only its own table: a chain per Interface with Filters, in Order', () => {
    const filters: CompiledVxlanFilter[] = [
      { n: 1, values: { Order: 2, AllInterfaces: true, DSCPMarkPolicy: 26, VLANIDCheck: -1 } },
      { n: 2, values: { Order: 1, Interface: 'Device.VXLAN.Tunnel.1.Interface.1', DSCPMarkPolicy: 46, VLANIDCheck: 100 } },
    ];
    expect(vxlanFilterScript('t', filters, [T12, T11]).split('\n')).toEqual([
      'table inet t {}',
      'delete table inet t',
      'table inet t {',
      '  chain output {',
      '    type filter hook output priority mangle; policy accept;',
      '    meta nfproto ipv4 ip saddr 10.201.0.1 udp dport 4789 @th,96,24 4242 jump tunnel1_interface1 comment "Device.VXLAN.Tunnel.1.Interface.1"',
      '    meta nfproto ipv4 udp dport 4789 @th,96,24 7 jump tunnel1_interface2 comment "Device.VXLAN.Tunnel.1.Interface.2"',
      '  }',
      '  chain tunnel1_interface1 {',
      '    @th,224,16 { 0x8100, 0x88a8 } @th,244,12 100 ip dscp set 46 accept comment "Device.VXLAN.Filter.2"',
      '    ip dscp set 26 accept comment "Device.VXLAN.Filter.1"',
      '  }',
      '  chain tunnel1_interface2 {',
      '    ip dscp set 26 accept comment "Device.VXLAN.Filter.1"',
      '  }',
      '}',
      '',
    ]);
    // No Filter in effect: the table goes.
    expect(vxlanFilterScript('t', [], [T11])).toBe('table inet t {}\ndelete table inet t\n');
    // A Tunnel's Filter only reaches that Tunnel's Interfaces.
    const one = vxlanFilterChains([{ n: 3, values: { Order: 1, Interface: 'Device.VXLAN.Tunnel.2', DSCPMarkPolicy: 8 } }], [T11, T21]);
    expect(one.filter((l) => l.includes('jump tunnel'))).toEqual([
      '    meta nfproto ipv6 ip6 saddr 2001:db8::1 udp dport 8472 @th,96,24 9 jump tunnel2_interface1 comment "Device.VXLAN.Tunnel.2.Interface.1"',
    ]);
    expect(one).toContain('    ip6 dscp set 8 accept comment "Device.VXLAN.Filter.3"');
  });

  it('writes the copy chains only for a Filter that copies: the IPv4 or IPv6 DSCP behind at most one tag, else 0', () => {
    const lines = vxlanFilterChains([{ n: 1, values: { Order: 1, AllInterfaces: true, DSCPMarkPolicy: -1 } }], [T11]);
    const copy = lines.slice(lines.indexOf('  chain copy_inner_dscp {'));
    expect(copy.slice(1, 5).map((l) => l.split(' vmap ')[0])).toEqual([
      '    @th,224,16 0x0800 @th,248,6',
      '    @th,224,16 { 0x8100, 0x88a8 } @th,256,16 0x0800 @th,280,6',
      '    @th,224,16 0x86dd @th,244,6',
      '    @th,224,16 { 0x8100, 0x88a8 } @th,256,16 0x86dd @th,276,6',
    ]);
    expect(copy[1]).toContain('vmap { 0 : jump dscp_0, 1 : jump dscp_1,');
    expect(copy[1]).toContain('63 : jump dscp_63 }');
    expect(copy[5]).toBe('    jump dscp_0');
    expect(lines.filter((l) => /^ {2}chain dscp_\d+ \{$/.test(l))).toHaveLength(64);
    expect(lines).toContain('    meta nfproto ipv6 ip6 dscp set 63 accept');
    expect(vxlanFilterChains([{ n: 1, values: { Order: 1, AllInterfaces: true, DSCPMarkPolicy: 5 } }], [T11])).not.toContain('  chain copy_inner_dscp {');
  });

  it('decides the outer DSCP as the table does: the first Filter in Order that matches, else the device mark', () => {
    const filters: CompiledVxlanFilter[] = [
      { n: 1, values: { Order: 3, Interface: 'Device.VXLAN.Tunnel.1', DSCPMarkPolicy: 26 } },
      { n: 2, values: { Order: 1, AllInterfaces: true, VLANIDCheck: 100, DSCPMarkPolicy: -1 } },
      { n: 3, values: { Order: 2, Interface: 'Device.VXLAN.Tunnel.1.Interface.2', VLANIDCheck: 200, VLANIDExclude: true, DSCPMarkPolicy: -2 } },
    ];
    expect(outerDscp(filters, T11, { vlan: 100, dscp: 46 }, 10)).toBe(46);
    expect(outerDscp(filters, T11, { vlan: 100 }, 10)).toBe(0);
    expect(outerDscp(filters, T11, { dscp: 46 }, 10)).toBe(26);
    expect(outerDscp(filters, T12, { dscp: 46 }, 10)).toBe(10); // untagged: not VLAN 200, so Filter 3 (-2)
    expect(outerDscp(filters, T12, { vlan: 200, dscp: 46 }, 10)).toBe(26);
    expect(outerDscp(filters, T21, { dscp: 46 }, 10)).toBe(10); // no Filter of Tunnel 2 matches
  });

  it('writes rules for the agent’s own devices only, as the kernel lists them', async () => {
    // `ip -j -d link show type vxlan` on this kernel, trimmed to what is read: two of the agent's devices and a host's.
    const listed = JSON.stringify([
      { ifname: 'vxlan-usp1-1', flags: ['UP'], linkinfo: { info_kind: 'vxlan', info_data: { id: 4242, remote: '10.201.0.2', local: '10.201.0.1', link: 'under0', port: 4789, tos: '0x28' } } },
      { ifname: 'vxlan-usp2-1', flags: ['UP'], linkinfo: { info_kind: 'vxlan', info_data: { id: 9, remote: '2001:db8::2', port: 8472 } } },
      { ifname: 'vx-host', flags: ['UP'], linkinfo: { info_kind: 'vxlan', info_data: { id: 5, remote: '10.0.0.2', port: 4789 } } },
    ]);
    const runner = { run: async () => listed } as unknown as CommandRunner;
    expect(await vxlanFilterTargets(runner)).toEqual([
      { tunnel: 1, iface: 1, vni: 4242, port: 4789, ipv6: false, local: '10.201.0.1' },
      { tunnel: 2, iface: 1, vni: 9, port: 8472, ipv6: true },
    ]);
  });
});
