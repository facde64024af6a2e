/** IPv6 text (ipv6-text.ts) and the ULA address of an interface (ip-ula.ts). */
import { describe, expect, it } from 'vitest';
import { addressIn } from '../../../../platform/linux/ip-ula.js';
import { formatIPv6, maskIPv6, parseIPv6, prefixOf } from '../../../../platform/linux/ipv6-text.js';

describe('IPv6 text', () => {
  it('parses full and compressed forms, refuses what is not an address', () => {
    expect(parseIPv6('fd00::1')).toEqual([0xfd00, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6('2001:DB8:0:0:1:0:0:1')).toEqual([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]);
    expect(parseIPv6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7', '12345::', 'fe80::1%eth0', '', '1:2:3:4:5:6:7:8::']) expect(parseIPv6(bad), bad).toBeUndefined();
  });

  it('formats as RFC 5952 (longest zero run, first on a tie, not a single group) and masks to a prefix', () => {
    expect(formatIPv6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1])).toBe('2001:db8::1:0:0:1');
    expect(formatIPv6([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1])).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIPv6([0, 0, 0, 0, 0, 0, 0, 1])).toBe('::1');
    expect(formatIPv6(maskIPv6(parseIPv6('fd12:3456:789a:ffff::1')!, 52))).toBe('fd12:3456:789a:f000::');
    expect(prefixOf('2001:db8:1:2:a:b:c:d', 64)).toBe('2001:db8:1:2::/64');
  });

  it("an interface's ULA: subnet from its number, interface ID ::1", () => {
    expect(addressIn('fd12:3456:789a::/48', 3)).toBe('fd12:3456:789a:3::1/64');
    expect(addressIn('fd00:1::/48', 0x1ff)).toBe('fd00:1:0:1ff::1/64');
  });
});
