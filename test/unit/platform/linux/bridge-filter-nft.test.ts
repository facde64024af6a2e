/**
 * What Bridging.Filter rows become in the agent's nft `bridge` table (bridge-filter-nft.ts), and
 * the checks before a write (bridge-filter-rules.ts). The kernel's own verdicts on real frames
 * are in test/integration/linux-bridge-filter.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../../platform/bridge-filter-rules.js';
import { filterProblems } from '../../../../platform/bridge-filter-rules.js';
import { admittedBy, bridgeFilterScript, type CompiledFilter, filterMatch } from '../../../../platform/linux/bridge-filter-nft.js';

const frame = (over: Partial<Frame> = {}): Frame => ({
  ethertype: 0x0800,
  sourceMac: '02:00:00:00:00:01',
  destMac: '02:00:00:00:00:02',
  ip: { source: '10.0.0.1', dest: '10.0.0.2', protocol: 17, sourcePort: 4000, destPort: 53 },
  ...over,
});

describe('Linux Bridging.Filter as nft rules', () => {
  it('writes each criterion, its Exclude as !=, and holds IP criteria to IP frames', () => {
    expect(filterMatch({})).toBe('');
    expect(filterMatch({ VLANIDFilter: 7 })).toBe('vlan id 7');
    expect(filterMatch({ EthertypeFilterList: '2048,34525', EthertypeFilterExclude: false })).toBe('ether type { 0x0800, 0x86dd }');
    expect(filterMatch({ EthertypeFilterList: '2054' })).toBe('ether type != 0x0806'); // Exclude defaults to true
    expect(filterMatch({ SourceMACAddressFilterList: 'AA:BB:CC:DD:EE:FF', SourceMACAddressFilterExclude: false })).toBe('ether saddr aa:bb:cc:dd:ee:ff');
    // An empty list with Exclude false admits nothing: no rule at all.
    expect(filterMatch({ DestMACAddressFilterList: '', DestMACAddressFilterExclude: false })).toBeUndefined();
    expect(filterMatch({ Protocol: 17, DestPort: 53 })).toBe('meta protocol { ip, ip6 } meta l4proto 17 th dport 53');
    expect(filterMatch({ SourceIP: '10.0.0.0', SourceMask: '/8', SourceIPExclude: true })).toBe('ip saddr != 10.0.0.0/8');
    expect(filterMatch({ VLANIDFilter: 7, Protocol: 6 })).toBe('vlan id 7 vlan type { ip, ip6 } meta l4proto 6');
    expect(filterMatch({ DestPort: 1000, DestPortRangeMax: 2000, DestPortExclude: true })).toBe('meta protocol { ip, ip6 } meta l4proto { 6, 17, 33, 132, 136 } th dport != 1000-2000');
  });

  it('replaces only its own table: a chain per filtered port, the rows in Order, then drop', () => {
    const script = bridgeFilterScript('t', [
      { n: 2, device: 'lan1', values: { Order: 2, EthertypeFilterList: '2054', EthertypeFilterExclude: false } },
      { n: 1, device: 'lan1', values: { Order: 1, Protocol: 17 } },
    ]);
    expect(script.split('\n')).toEqual([
      'table bridge t {}',
      'delete table bridge t',
      'table bridge t {',
      '  chain prerouting {',
      '    type filter hook prerouting priority filter; policy accept;',
      '    iifname "lan1" jump port_1 comment "frames arriving on lan1"',
      '  }',
      '  chain port_1 {',
      '    meta protocol { ip, ip6 } meta l4proto 17 accept comment "Device.Bridging.Filter.1"',
      '    ether type 0x0806 accept comment "Device.Bridging.Filter.2"',
      '    drop',
      '  }',
      '}',
      '',
    ]);
    expect(bridgeFilterScript('t', [])).toBe('table bridge t {}\ndelete table bridge t\n');
  });

  it('decides a frame as the table does: the lowest Order that matches, else dropped', () => {
    const filters: CompiledFilter[] = [
      { n: 1, device: 'lan1', values: { Order: 2, Protocol: 17 } },
      { n: 2, device: 'lan1', values: { Order: 1, SourceMACAddressFilterList: '02:00:00:00:00:01', SourceMACAddressFilterExclude: false } },
    ];
    expect(admittedBy(filters, 'lan1', frame())).toBe(2);
    expect(admittedBy(filters, 'lan1', frame({ sourceMac: '02:00:00:00:00:09' }))).toBe(1);
    expect(admittedBy(filters, 'lan1', frame({ sourceMac: '02:00:00:00:00:09', ip: { source: '10.0.0.1', dest: '10.0.0.2', protocol: 6 } }))).toBeUndefined();
    expect(admittedBy(filters, 'lan1', frame({ sourceMac: '02:00:00:00:00:09', ethertype: 0x0806, ip: undefined }))).toBeUndefined();
  });

  it('names each impossible criterion', () => {
    expect(filterProblems({ SourceMACAddressFilterList: '02:00:00:00:00:01,nope' }).map((b) => b.param)).toEqual(['SourceMACAddressFilterList']);
    expect(filterProblems({ EthertypeFilterList: '65536' }).map((b) => b.param)).toEqual(['EthertypeFilterList']);
    expect(filterProblems({ SourceIP: '10.0.0.1', DestIP: 'fd00::1' }).map((b) => b.param)).toEqual(['DestIP']);
    expect(filterProblems({ Protocol: 1, DestPort: 80 }).map((b) => b.param)).toEqual(['Protocol']);
    expect(filterProblems({ SourceMask: '/40', SourceIP: '10.0.0.0' }).map((b) => b.param)).toEqual(['SourceMask']);
    expect(filterProblems({})).toEqual([]);
  });
});
