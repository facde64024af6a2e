/**
 * platform/linux/dhcpv6-option-values.ts and dhcpv6-leases.ts: TR-181 hexBinary option values as
 * dnsmasq takes them for the options it knows (addresses, domain lists, text, a number) and as
 * raw bytes for the others; values that do not fit their option are refused; dnsmasq's DHCPv6
 * lease lines are read, its DHCPv4 and malformed ones skipped.
 */
import { describe, expect, it } from 'vitest';
import { parseLeases6 } from '../../../../platform/linux/dhcpv6-leases.js';
import { dnsmasqOption6Value } from '../../../../platform/linux/dhcpv6-option-values.js';

describe('dnsmasq option6 values', () => {
  it('writes each known type as dnsmasq parses it and other codes as bytes', () => {
    expect(dnsmasqOption6Value(23, '20010DB800000000000000000000005320010DB8000000000000000000000054')).toBe('[2001:db8:0:0:0:0:0:53],[2001:db8:0:0:0:0:0:54]');
    expect(dnsmasqOption6Value(24, '036C616E0474657374000665786D706C6500')).toBe('lan.test,exmple');
    expect(dnsmasqOption6Value(41, Buffer.from('CET-1CEST', 'latin1').toString('hex'))).toBe('CET-1CEST');
    expect(dnsmasqOption6Value(32, '00000E10')).toBe('3600');
    expect(dnsmasqOption6Value(15, '0004ABCD')).toBe('00:04:ab:cd');
    expect(dnsmasqOption6Value(15, '')).toBe('');
  });

  it('refuses values that do not fit the option, and text that would break the line', () => {
    for (const [tag, hex] of [
      [23, '2001'],
      [23, ''],
      [24, '036C616E'],
      [24, '03612C62'],
      [41, Buffer.from('a,b', 'latin1').toString('hex')],
      [32, '0E10'],
      [56, '00'],
      [15, 'XY'],
      [15, 'ABC'],
    ] as const) {
      expect(dnsmasqOption6Value(tag, hex), `${tag} ${hex}`).toBeUndefined();
    }
  });
});

describe('dnsmasq DHCPv6 leases', () => {
  it('reads the IPv6 lines and skips the DHCPv4, duid and malformed ones', () => {
    const text = [
      '1796533971 02:00:00:00:60:10 192.168.60.100 host *',
      'duid 00:01:00:01:32:a7:9d:3c:82:bf:e0:d0:fe:dd',
      '1796533971 1 fd00:6::13c3 * 00:01:00:01:32:a7:9d:41:36:98:e4:da:bc:cb',
      '0 7 fd00:6::1001 laptop 00:04:AA:BB',
      'x 1 fd00:6::1 * 00:01',
      '1 1 not-an-address * 00:01',
    ].join('\n');
    expect(parseLeases6(text)).toEqual([
      { expiry: 1796533971, iaid: 1, ip: 'fd00:6::13c3', hostName: '', duid: '0001000132a79d413698e4dabccb' },
      { expiry: 0, iaid: 7, ip: 'fd00:6::1001', hostName: 'laptop', duid: '0004aabb' },
    ]);
  });
});
