/**
 * Conditional serving in the agent's dnsmasq file (dnsmasq-classes.ts, dnsmasq-conf.ts): the
 * tags each Pool criterion becomes, the Order exclusions between pools of one interface, and
 * what dnsmasq cannot say (7012). That a real dnsmasq serves the right pool per class is
 * test/integration/linux-dnsmasq-classes.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { criteriaLines, dnsmasqCriteriaProblems } from '../../../../platform/linux/dnsmasq-classes.js';
import { dnsmasqConfText, type PoolConf } from '../../../../platform/linux/dnsmasq-conf.js';
import { parseIPv4 } from '../../../../platform/simulated/ipv4.js';

const subnet = { address: parseIPv4('192.168.1.1')!, mask: parseIPv4('255.255.255.0')! };
const pool = (n: number, order: number, min: number, values: Record<string, string | number | boolean> = {}, device = 'lan0'): PoolConf => ({
  n,
  path: `Device.DHCPv4.Server.Pool.${n}`,
  values: { Enable: true, Order: order, MinAddress: `192.168.1.${min}`, MaxAddress: `192.168.1.${min + 9}`, LeaseTime: 3600, ...values },
  device,
  subnet,
  statics: [],
  options: [],
});
const text = (pools: PoolConf[]): string => dnsmasqConfText({ relayEnable: false, forwarders: [], serverEnable: true, pools, leaseFile: '/d/l', pidFile: '/d/p' });

describe('pool criteria as dnsmasq tags', () => {
  it('an Exact vendor class: the bytes, and not anything longer', () => {
    expect(criteriaLines(2, { VendorClassID: 'cam', VendorClassIDMode: 'Exact' })).toEqual([
      'dhcp-match=set:usp-p2-vcm,60,63:61:6d',
      'dhcp-match=set:usp-p2-vcx,60,63:61:6d:*',
      'tag-if=set:usp-p2-vc,tag:usp-p2-vcm,tag:!usp-p2-vcx',
      'tag-if=set:usp-p2,tag:usp-p2-vc',
    ]);
  });

  it('Prefix and Substring vendor classes, client and user class, masked and excluded Chaddr', () => {
    expect(criteriaLines(1, { VendorClassID: 'cam', VendorClassIDMode: 'Prefix' })).toEqual(['dhcp-match=set:usp-p1-vc,60,63:61:6d', 'tag-if=set:usp-p1,tag:usp-p1-vc']);
    expect(criteriaLines(1, { VendorClassID: 'MSFT', VendorClassIDMode: 'Substring', VendorClassIDExclude: true })).toEqual([
      'dhcp-vendorclass=set:usp-p1-vc,MSFT',
      'tag-if=set:usp-p1,tag:!usp-p1-vc',
    ]);
    const lines = criteriaLines(3, { ClientID: '01AABB', UserClassID: 'aabb', UserClassIDExclude: true, Chaddr: '02:AA:00:00:00:01', ChaddrMask: 'ff:ff:00:00:00:00', ChaddrExclude: true });
    expect(lines).toContain('dhcp-match=set:usp-p3-cidm,61,01:aa:bb');
    expect(lines).toContain('dhcp-match=set:usp-p3-ucx,77,aa:bb:*');
    expect(lines).toContain('dhcp-mac=set:usp-p3-mac,02:aa:*:*:*:*');
    expect(lines.at(-1)).toBe('tag-if=set:usp-p3,tag:usp-p3-cid,tag:!usp-p3-uc,tag:!usp-p3-mac');
    expect(criteriaLines(4, { VendorClassIDMode: 'Prefix', ChaddrMask: 'ff:00:00:00:00:00' })).toEqual([]);
  });

  it('Order: a pool excludes the requests of the pools before it on its interface; one without criteria shadows those after it', () => {
    const t = text([pool(3, 3, 130), pool(1, 1, 100, { VendorClassID: 'cam' }), pool(2, 2, 110), pool(4, 1, 50, {}, 'lan1')]);
    expect(t).toContain('dhcp-range=tag:usp-p1,set:pool1,192.168.1.100,192.168.1.109,255.255.255.0,3600\n');
    expect(t).toContain('dhcp-range=tag:!usp-p1,set:pool2,192.168.1.110,192.168.1.119,255.255.255.0,3600\n');
    expect(t).not.toContain('set:pool3');
    expect(t).toContain('# not served: Device.DHCPv4.Server.Pool.2 comes first in Order on the same Interface and has no criteria');
    expect(t).toContain('dhcp-range=set:pool4,192.168.1.50,');
    expect(t.indexOf('tag-if=set:usp-p1,')).toBeLessThan(t.indexOf('dhcp-range=tag:usp-p1,'));
  });

  it('refuses with reasons what dnsmasq cannot match, only when a criterion is written', () => {
    const params = (v: Record<string, string>) => dnsmasqCriteriaProblems(v, v).map((b) => b.param);
    expect(params({ Chaddr: '02:00:00:00:00:01', ChaddrMask: 'ff:ff:ff:f0:00:00' })).toEqual(['ChaddrMask']);
    expect(params({ VendorClassID: 'cam', VendorClassIDMode: 'Suffix' })).toEqual(['VendorClassIDMode']);
    expect(params({ VendorClassID: 'a b,c', VendorClassIDMode: 'Substring' })).toEqual(['VendorClassID']);
    expect(params({ VendorClassID: 'a' })).toEqual(['VendorClassID']);
    expect(params({ ClientID: '01' })).toEqual(['ClientID']);
    expect(params({ VendorClassID: 'a b,c', VendorClassIDMode: 'Exact', Chaddr: '02:00:00:00:00:01', ChaddrMask: 'ff:ff:ff:00:00:00' })).toEqual([]);
    expect(dnsmasqCriteriaProblems({ VendorClassID: 'x', VendorClassIDMode: 'Suffix' }, { Enable: true })).toEqual([]);
  });
});
