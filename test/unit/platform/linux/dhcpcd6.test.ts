/**
 * platform/linux/dhcpcd6.ts: a Device.DHCPv6.Client row as dhcpcd.conf lines, and dhcpcd's hook
 * variables back as TR-181 ReceivedOption rows (option data rebuilt as hexBinary).
 */
import { describe, expect, it } from 'vitest';
import { addressHex, dhcpcdConf, isBound, parseDhcpcdState, receivedOptions } from '../../../../platform/linux/dhcpcd6.js';

describe('dhcpcd for Device.DHCPv6.Client', () => {
  it('maps the row to dhcpcd.conf', () => {
    const conf = (row: Record<string, string | boolean>) => dhcpcdConf(row, '/d/hook', '/d/state').split('\n').slice(1, -1);
    const head = ['noipv6rs', 'persistent', 'duid', 'script /d/hook', 'env USP_STATE=/d/state'];
    expect(conf({ RequestAddresses: true })).toEqual([...head, 'ia_na 1']);
    expect(conf({ RequestAddresses: true, RequestPrefixes: true, RapidCommit: true, RequestedOptions: '24,23' })).toEqual([
      ...head,
      'ia_na 1',
      'ia_pd 2',
      'option rapid_commit',
      'option dhcp6_domain_search, dhcp6_name_servers',
    ]);
    expect(conf({ RequestAddresses: false })).toEqual([...head, 'inform6']);
  });

  it('reads the state and rebuilds the options', () => {
    const s = parseDhcpcdState(
      [
        'reason=BOUND6',
        'new_dhcp6_client_id=000100012a',
        'new_dhcp6_server_id=00030001020000000001',
        'new_dhcp6_ia_na1_iaid=00000001',
        'new_dhcp6_ia_na1_t1=1800',
        'new_dhcp6_ia_na1_t2=3150',
        'new_dhcp6_ia_na1_ia_addr1=fd00:61::1a91',
        'new_dhcp6_ia_na1_ia_addr1_pltime=3600',
        'new_dhcp6_ia_na1_ia_addr1_vltime=3600',
        'new_dhcp6_name_servers=2001:db8::53 2001:db8::54',
        'new_dhcp6_domain_search=lan.test',
        'PATH=/bin',
        'garbage',
      ].join('\n'),
    );
    expect(s.reason).toBe('BOUND6');
    expect(isBound(s.reason)).toBe(true);
    expect(isBound('STOPPED')).toBe(false);
    expect(receivedOptions(s.vars)).toEqual([
      { Tag: 1, Value: '000100012A' },
      { Tag: 2, Value: '00030001020000000001' },
      { Tag: 3, Value: '00000001' + '00000708' + '00000C4E' + '0005' + '0018' + 'FD000061000000000000000000001A91' + '00000E10' + '00000E10' },
      { Tag: 23, Value: '20010DB800000000000000000000005320010DB8000000000000000000000054' },
      { Tag: 24, Value: '036C616E047465737400' },
    ]);
    expect(addressHex('fe80::1')).toBe('FE800000000000000000000000000001');
    expect(addressHex('1:2:3')).toBeUndefined();
  });
});
