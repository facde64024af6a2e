/**
 * What the DNS relay and DHCPv4 server rows become in the agent's dnsmasq file (dnsmasq-conf.ts),
 * and the checks before a row is kept. That dnsmasq takes the file and serves it is
 * test/integration/linux-dnsmasq.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { dnsmasqConfText, dnsmasqWanted, poolProblems, staticProblems, optionProblems, forwardingProblems, type DnsmasqConf, type PoolConf } from '../../../../platform/linux/dnsmasq-conf.js';
import { dnsmasqUsable } from '../../../../platform/linux/dnsmasq-process.js';
import { parseIPv4 } from '../../../../platform/simulated/ipv4.js';

const subnet = { address: parseIPv4('192.168.1.1')!, mask: parseIPv4('255.255.255.0')! };
const pool = (values: Record<string, string | number | boolean>, extra: Partial<PoolConf> = {}): PoolConf => ({
  n: 1,
  path: 'Device.DHCPv4.Server.Pool.1',
  values: { Enable: true, Order: 1, MinAddress: '192.168.1.100', MaxAddress: '192.168.1.199', SubnetMask: '', LeaseTime: 3600, ...values },
  subnet,
  statics: [],
  options: [],
  ...extra,
});
const conf = (c: Partial<DnsmasqConf>): DnsmasqConf => ({ relayEnable: true, forwarders: [], serverEnable: true, pools: [], leaseFile: '/data/dnsmasq.leases', pidFile: '/data/dnsmasq.pid', ...c });

describe('the agent-owned dnsmasq file', () => {
  it('the relay: port 53 or 0, no-resolv, one server= line per enabled forwarder (with its device)', () => {
    const text = dnsmasqConfText(
      conf({
        forwarders: [
          { path: 'Device.DNS.Relay.Forwarding.1', values: { Enable: true, DNSServer: '9.9.9.9' }, device: 'eth0' },
          { path: 'Device.DNS.Relay.Forwarding.2', values: { Enable: false, DNSServer: '1.1.1.1' } },
          { path: 'Device.DNS.Relay.Forwarding.3', values: { Enable: true, DNSServer: '2001:db8::53' } },
        ],
      }),
    );
    expect(text).toContain('port=53\n');
    expect(text).toContain('no-resolv\n');
    expect(text).toContain('local-service\n');
    expect(text).toContain('dhcp-leasefile=/data/dnsmasq.leases\n');
    expect(text).toContain('server=9.9.9.9@eth0\n');
    expect(text).toContain('server=2001:db8::53\n');
    expect(text).not.toContain('1.1.1.1');
    expect(dnsmasqConfText(conf({ relayEnable: false }))).toContain('port=0\n');
  });

  it('a pool: its range, options, reserved and static addresses; none while Server.Enable is false or the pool cannot serve', () => {
    const p = pool(
      { IPRouters: '192.168.1.1', DNSServers: '192.168.1.1, 9.9.9.9', DomainName: 'lan', ReservedAddresses: '192.168.1.150', LeaseTime: -1 },
      { statics: [{ Enable: true, Chaddr: 'AA:BB:CC:DD:EE:FF', Yiaddr: '192.168.1.20' }], options: [{ Enable: true, Tag: 43, Value: '0102ff' }] },
    );
    const text = dnsmasqConfText(conf({ pools: [p] }));
    expect(text).toContain('dhcp-range=set:pool1,192.168.1.100,192.168.1.199,255.255.255.0,infinite\n');
    expect(text).toContain('dhcp-option=tag:pool1,3,192.168.1.1\n');
    expect(text).toContain('dhcp-option=tag:pool1,6,192.168.1.1,9.9.9.9\n');
    expect(text).toContain('dhcp-option=tag:pool1,15,lan\n');
    expect(text).toContain('dhcp-host=id:usp-reserved,192.168.1.150\n');
    expect(text).toContain('dhcp-host=aa:bb:cc:dd:ee:ff,192.168.1.20\n');
    expect(text).toContain('dhcp-option=tag:pool1,43,01:02:ff\n');
    expect(dnsmasqConfText(conf({ pools: [p], serverEnable: false }))).not.toContain('dhcp-range');
    // No interface subnet (Interface empty, or its device has no IPv4 address): not served.
    expect(dnsmasqConfText(conf({ pools: [pool({}, { subnet: undefined })] }))).not.toContain('dhcp-range');
    expect(dnsmasqWanted(conf({ relayEnable: false, pools: [pool({ Enable: false })] }))).toBe(false);
    expect(dnsmasqWanted(conf({ relayEnable: false, pools: [pool({})] }))).toBe(true);
  });

  it('refuses what dnsmasq could not take, blaming only the values written', () => {
    expect(poolProblems({ MinAddress: '192.168.1.200', MaxAddress: '192.168.1.100' }, { MinAddress: '192.168.1.200' }, subnet)).toEqual([
      { param: 'MinAddress', message: 'MinAddress 192.168.1.200 is above MaxAddress 192.168.1.100' },
    ]);
    expect(poolProblems({ MinAddress: '192.168.1.10', MaxAddress: '192.168.2.10' }, { MaxAddress: '192.168.2.10' }, subnet).map((b) => b.param)).toEqual(['MaxAddress']);
    expect(poolProblems({ MinAddress: '10.0.0.1', MaxAddress: '10.0.0.9' }, { Interface: 'Device.IP.Interface.2' }, subnet).map((b) => b.param)).toEqual(['MinAddress', 'MaxAddress']);
    expect(poolProblems({ SubnetMask: '255.0.255.0', DomainName: 'bad name\nserver=6.6.6.6', LeaseTime: 10 }, { SubnetMask: 'x', DomainName: 'x', LeaseTime: 10 }, subnet).map((b) => b.param)).toEqual(
      ['SubnetMask', 'DomainName', 'LeaseTime'],
    );
    expect(staticProblems({ Chaddr: '02:00:00:00:60', Yiaddr: '192.168.1.5' }, { Chaddr: '02:00:00:00:60' }, subnet).map((b) => b.param)).toEqual(['Chaddr']);
    expect(staticProblems({ Chaddr: '', Yiaddr: '10.1.1.1' }, { Yiaddr: '10.1.1.1' }, subnet).map((b) => b.param)).toEqual(['Yiaddr']);
    expect(optionProblems({ Value: '0g' }, { Value: '0g' }).map((b) => b.param)).toEqual(['Value']);
    expect(forwardingProblems({ DNSServer: 'dns.example' }).map((b) => b.param)).toEqual(['DNSServer']);
  });

  it('runs only where it may: the setting, the program, root', () => {
    expect(dnsmasqUsable(false, '/bin/sh', 0)).toEqual({ usable: false, why: 'switched off (--dnsmasq off)' });
    expect(dnsmasqUsable(undefined, '/nonexistent/dnsmasq', 0).why).toMatch(/not installed/);
    expect(dnsmasqUsable(undefined, '/bin/sh', 1000).why).toMatch(/root/);
    expect(dnsmasqUsable(undefined, '/bin/sh', 0)).toEqual({ usable: true });
  });
});
