/**
 * The DHCP-derived criteria of Bridging.Filter (bridge-filter-dhcp.ts): which learnt clients each
 * names (Mode, DHCPType, hex values) and what Exclude and an empty value mean. The Linux
 * agent's nft sets built from them are in test/unit/platform/linux/bridge-filter-dhcp-nft.test.ts,
 * real frames in test/integration/linux-bridge-filter-dhcp.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { criterionMacs, dhcpCriteria, dhcpCriteriaAdmit, type LearntDhcpClient, vendorClassMatches } from '../../../platform/bridge-filter-dhcp.js';

const cam: LearntDhcpClient = { family: 4, mac: '02:00:00:00:00:01', vendorClass: Buffer.from('usp-cam 2.0'), clientIdHex: '01aabbccddeeff', userClassHex: ['03616263', '616263'] };
const phone: LearntDhcpClient = { family: 6, mac: '02:00:00:00:00:02', vendorClassHex: '0000118b0006646f63736973', clientIdHex: '000300010200000000', userClassHex: ['0002756e'] };
const clients = [cam, phone];

describe('Bridging.Filter criteria learnt from DHCP', () => {
  it('matches an option 60 vendor class as Mode says, byte for byte and case-sensitive', () => {
    const sent = Buffer.from('Example device');
    const value = Buffer.from('Example');
    expect(['Exact', 'Prefix', 'Suffix', 'Substring'].map((m) => vendorClassMatches(value, m, sent))).toEqual([false, true, false, true]);
    expect(vendorClassMatches(Buffer.from('device'), 'Suffix', sent)).toBe(true);
    expect(vendorClassMatches(Buffer.from('example'), 'Prefix', sent)).toBe(false);
    expect(vendorClassMatches(value, 'Exact', undefined)).toBe(false);
  });

  it('names the learnt clients of the DHCPType the Filter has', () => {
    const macsOf = (r: Record<string, string | boolean>): string[][] => {
      const c = dhcpCriteria(r);
      return c === 'nothing' ? [] : c.map((x) => criterionMacs(x, clients));
    };
    expect(macsOf({ SourceMACFromVendorClassIDFilter: 'usp-cam', SourceMACFromVendorClassIDMode: 'Prefix' })).toEqual([[cam.mac]]);
    expect(macsOf({ SourceMACFromVendorClassIDFilter: 'usp-cam' })).toEqual([[]]); // Exact: the class is longer
    expect(macsOf({ DestMACFromClientIDFilter: '01AABBCCDDEEFF' })).toEqual([[cam.mac]]);
    // Option 77 in either form dnsmasq may have had.
    expect(macsOf({ SourceMACFromUserClassIDFilter: '616263' })).toEqual([[cam.mac]]);
    // DHCPv6: the v6 vendor class (Mode is a DHCPv4 matter), the DUID, option 15; the DHCPv4 vendor class is ignored.
    expect(macsOf({ DHCPType: 'DHCPv6', SourceMACFromVendorClassIDFilterv6: '0000118b0006646f63736973', SourceMACFromVendorClassIDFilter: 'usp-cam' })).toEqual([[phone.mac]]);
    expect(macsOf({ DHCPType: 'DHCPv6', SourceMACFromClientIDFilter: '01aabbccddeeff' })).toEqual([[]]);
    expect(macsOf({ DHCPType: 'DHCPv6', DestMACFromUserClassIDFilter: '0002756e', DestMACFromClientIDFilter: '000300010200000000' })).toEqual([[phone.mac], [phone.mac]]);
  });

  it('an empty value is no criterion with Exclude true (the default) and admits nothing with Exclude false', () => {
    expect(dhcpCriteria({})).toEqual([]);
    expect(dhcpCriteria({ SourceMACFromClientIDFilterExclude: false })).toBe('nothing');
    expect(dhcpCriteria({ DHCPType: 'DHCPv6', SourceMACFromVendorClassIDFilter: 'x', SourceMACFromVendorClassIDFilterExclude: false })).toBe('nothing');
    expect(dhcpCriteriaAdmit({ SourceMACFromClientIDFilterExclude: false }, clients, cam.mac, phone.mac)).toBe(false);
    expect(dhcpCriteriaAdmit({}, clients, cam.mac, phone.mac)).toBe(true);
  });

  it('Exclude false admits only the named devices, Exclude true all others; Source and Dest each on their own MAC', () => {
    const only = { SourceMACFromVendorClassIDFilter: 'usp-cam', SourceMACFromVendorClassIDMode: 'Substring', SourceMACFromVendorClassIDFilterExclude: false };
    expect(dhcpCriteriaAdmit(only, clients, cam.mac, phone.mac)).toBe(true);
    expect(dhcpCriteriaAdmit(only, clients, phone.mac, cam.mac)).toBe(false);
    const but = { ...only, SourceMACFromVendorClassIDFilterExclude: true };
    expect(dhcpCriteriaAdmit(but, clients, cam.mac, phone.mac)).toBe(false);
    expect(dhcpCriteriaAdmit(but, clients, '02:00:00:00:00:99', cam.mac)).toBe(true);
    const toCam = { DestMACFromClientIDFilter: '01aabbccddeeff', DestMACFromClientIDFilterExclude: false };
    expect(dhcpCriteriaAdmit(toCam, clients, phone.mac, cam.mac.toUpperCase())).toBe(true);
    expect(dhcpCriteriaAdmit(toCam, clients, cam.mac, phone.mac)).toBe(false);
  });
});
