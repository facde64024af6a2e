/**
 * What a NAT row becomes in the agent's nftables table (nat-rules.ts): the checks before a write
 * and the script. That the kernel takes and applies it is test/integration/linux-nat.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { mappingProblems, mappingRule, mappingsOverlap, natScript } from '../../../../platform/linux/nat-rules.js';
import { natUsable } from '../../../../platform/linux/nat.js';

const base = { Enable: true, AllInterfaces: false, RemoteHost: '', ExternalPort: 8080, ExternalPortEndRange: 0, InternalPort: 80, Protocol: 'TCP', InternalClient: '192.168.1.10' };

describe('NAT rules', () => {
  it('a mapping becomes one dnat rule named by its row', () => {
    expect(mappingRule({ path: 'Device.NAT.PortMapping.1', device: 'eth1', values: base })).toBe('iifname "eth1" tcp dport 8080 dnat to 192.168.1.10:80 comment "Device.NAT.PortMapping.1"');
    expect(mappingRule({ path: 'P', values: { ...base, AllInterfaces: true, RemoteHost: '198.51.100.7', Protocol: 'UDP', InternalPort: 0 } })).toBe(
      'ip saddr 198.51.100.7 udp dport 8080 dnat to 192.168.1.10 comment "P"',
    );
    // ExternalPort 0: every port of the protocol, InternalPort ignored.
    expect(mappingRule({ path: 'P', device: 'eth1', values: { ...base, ExternalPort: 0 } })).toBe('iifname "eth1" meta l4proto tcp dnat to 192.168.1.10 comment "P"');
    // A range starting at InternalPort keeps the ports; another InternalPort shifts them.
    expect(mappingRule({ path: 'P', device: 'eth1', values: { ...base, ExternalPortEndRange: 8082, InternalPort: 8080 } })).toBe('iifname "eth1" tcp dport 8080-8082 dnat to 192.168.1.10 comment "P"');
    expect(mappingRule({ path: 'P', device: 'eth1', values: { ...base, ExternalPortEndRange: 8081, InternalPort: 5000 } })).toBe(
      'iifname "eth1" tcp dport 8080-8081 dnat ip to tcp dport map { 8080 : 192.168.1.10 . 5000, 8081 : 192.168.1.10 . 5001 } comment "P"',
    );
  });

  it('the script replaces the whole table in one transaction, rules in TR-181 precedence, and leaves out what cannot be installed', () => {
    const script = natScript(
      'usp_agent_nat',
      [
        { path: 'wild', device: 'eth1', values: { ...base, ExternalPort: 0 } },
        { path: 'port', device: 'eth1', values: base },
        { path: 'hostport', device: 'eth1', values: { ...base, RemoteHost: '198.51.100.7' } },
        { path: 'off', device: 'eth1', values: { ...base, Enable: false } },
        { path: 'noclient', device: 'eth1', values: { ...base, InternalClient: '' } },
        { path: 'nointerface', values: base },
      ],
      [{ path: 'masq', device: 'eth1' }],
      true,
    );
    const lines = script.split('\n');
    expect(lines.slice(0, 2)).toEqual(['table ip usp_agent_nat {}', 'delete table ip usp_agent_nat']);
    const comments = [...script.matchAll(/comment "([^"]+)"/g)].map((m) => m[1]);
    expect(comments).toEqual(['hostport', 'port', 'wild', 'masq']);
    expect(script).toContain('oifname "eth1" masquerade comment "masq"');
    // No rows: the table goes.
    expect(natScript('t', [], [], false)).toBe('table ip t {}\ndelete table ip t\n');
  });

  it('problems: protocol, addresses, an end before the start, a shifted range too long', () => {
    expect(mappingProblems(base)).toEqual([]);
    const params = (v: Record<string, string | number>): string[] => mappingProblems({ ...base, ...v }).map((b) => b.param);
    expect(params({ Protocol: 'SCTP' })).toEqual(['Protocol']);
    expect(params({ RemoteHost: 'example.com' })).toEqual(['RemoteHost']);
    expect(params({ InternalClient: '10.0.0.256' })).toEqual(['InternalClient']);
    expect(params({ ExternalPortEndRange: 8000 })).toEqual(['ExternalPortEndRange']);
    expect(params({ ExternalPort: 1000, ExternalPortEndRange: 3000, InternalPort: 5000 })).toEqual(['ExternalPortEndRange']);
    expect(params({ ExternalPort: 1000, ExternalPortEndRange: 1010, InternalPort: 65530 })).toEqual(['InternalPort']);
    // ExternalPort 0 ignores the end of the range.
    expect(params({ ExternalPort: 0, ExternalPortEndRange: 5 })).toEqual([]);
  });

  it('overlap: same protocol and remote host with shared ports; the same key and the wildcard are not overlaps', () => {
    expect(mappingsOverlap({ ...base, ExternalPortEndRange: 8090 }, { ...base, ExternalPort: 8085 })).toBe(true);
    expect(mappingsOverlap({ ...base, ExternalPortEndRange: 8090 }, { ...base, ExternalPort: 8085, Protocol: 'UDP' })).toBe(false);
    expect(mappingsOverlap(base, base)).toBe(false);
    expect(mappingsOverlap(base, { ...base, ExternalPort: 0 })).toBe(false);
  });

  it('usable: --nat off, nft missing or no CAP_NET_ADMIN each say why', () => {
    expect(natUsable(undefined, '/usr/sbin/nft', '000001ffffffffff')).toEqual({ usable: true });
    expect(natUsable(false, '/usr/sbin/nft', '000001ffffffffff').why).toMatch(/switched off \(--nat off\)/);
    expect(natUsable(undefined, undefined, '000001ffffffffff').why).toMatch(/nft \(nftables\) is not installed/);
    expect(natUsable(true, '/usr/sbin/nft', '0000000000000000').why).toMatch(/lacks CAP_NET_ADMIN/);
  });
});
