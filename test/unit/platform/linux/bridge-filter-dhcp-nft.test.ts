/**
 * The DHCP-derived criteria of a Bridging.Filter in the agent's nft `bridge` table
 * (bridge-filter-dhcp-nft.ts): one named set of MAC addresses per criterion, matched with `@set`
 * or `!= @set`. `nft` itself takes the script in test/integration/linux-bridge-filter-dhcp.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { LearntDhcpClient } from '../../../../platform/bridge-filter-dhcp.js';
import { dhcpNftOf } from '../../../../platform/linux/bridge-filter-dhcp-nft.js';
import { bridgeFilterScript } from '../../../../platform/linux/bridge-filter-nft.js';

const clients: LearntDhcpClient[] = [
  { family: 4, mac: '02:00:00:00:00:01', vendorClass: Buffer.from('usp-cam'), userClassHex: [] },
  { family: 4, mac: '02:00:00:00:00:02', vendorClass: Buffer.from('usp-cam'), clientIdHex: '01aa', userClassHex: [] },
];

describe('Linux Bridging.Filter DHCP criteria as nft sets', () => {
  it('one set per criterion with the MACs it names now, matched on the frame side it says', () => {
    const values = { Order: 1, SourceMACFromVendorClassIDFilter: 'usp-cam', SourceMACFromVendorClassIDFilterExclude: false, DestMACFromClientIDFilter: '01aa' };
    const dhcp = dhcpNftOf(3, values, clients);
    expect(dhcp).toEqual({
      sets: [
        { name: 'f3_src_vendor', macs: ['02:00:00:00:00:01', '02:00:00:00:00:02'] },
        { name: 'f3_dst_client', macs: ['02:00:00:00:00:02'] },
      ],
      matches: ['ether saddr @f3_src_vendor', 'ether daddr != @f3_dst_client'],
    });
    expect(bridgeFilterScript('t', [{ n: 3, device: 'lan1', values, dhcp }]).split('\n')).toEqual([
      'table bridge t {}',
      'delete table bridge t',
      'table bridge t {',
      '  set f3_src_vendor {',
      '    type ether_addr',
      '    elements = { 02:00:00:00:00:01, 02:00:00:00:00:02 }',
      '  }',
      '  set f3_dst_client {',
      '    type ether_addr',
      '    elements = { 02:00:00:00:00:02 }',
      '  }',
      '  chain prerouting {',
      '    type filter hook prerouting priority filter; policy accept;',
      '    iifname "lan1" jump port_1 comment "frames arriving on lan1"',
      '  }',
      '  chain port_1 {',
      '    ether saddr @f3_src_vendor ether daddr != @f3_dst_client accept comment "Device.Bridging.Filter.3"',
      '    drop',
      '  }',
      '}',
      '',
    ]);
  });

  it('an empty set is declared without elements; a criterion admitting nothing leaves the Filter without a rule', () => {
    const values = { SourceMACFromUserClassIDFilter: '0102', SourceMACFromUserClassIDFilterExclude: false };
    const script = bridgeFilterScript('t', [{ n: 1, device: 'lan1', values, dhcp: dhcpNftOf(1, values, clients) }]);
    expect(script).toContain('  set f1_src_user {\n    type ether_addr\n  }\n');
    const none = { SourceMACFromUserClassIDFilterExclude: false };
    const port = bridgeFilterScript('t', [{ n: 1, device: 'lan1', values: none, dhcp: dhcpNftOf(1, none, clients) }]);
    expect(port).toContain('  chain port_1 {\n    drop\n  }');
    expect(port).not.toContain('set f1');
  });
});
