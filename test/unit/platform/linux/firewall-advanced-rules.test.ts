/**
 * The nft rules an Advanced firewall Rule becomes (firewall-advanced-rules.ts), and the checks
 * that refuse what nft could not hold. The kernel's reading of them is tested in
 * test/integration/linux-firewall-advanced.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { jumpsLoop, ruleProblems } from '../../../../platform/firewall-rule-checks.js';
import { advancedScript, chainLines, misconfigured, ruleLines } from '../../../../platform/linux/firewall-advanced-rules.js';

const chains = new Set([1, 2]);
const rule = (values: Record<string, string | number | boolean>, devices: { sourceDevice?: string; destDevice?: string } = {}) => ({ values: { Enable: true, Target: 'Drop', ...values }, ...devices });

describe('linux advanced firewall: a Rule as nft', () => {
  it('writes each criterion, its Exclude as !=, and the target', () => {
    expect(
      ruleLines(
        rule({ SourceInterface: 'Device.IP.Interface.2', SourceInterfaceExclude: true, Protocol: 17, DestPort: 5000, DestPortRangeMax: 5010, Target: 'Accept' }, { sourceDevice: 'wan0' }),
        chains,
      ),
    ).toEqual(['iifname != "wan0" meta l4proto 17 th dport 5000-5010 accept']);
    expect(ruleLines(rule({ IPVersion: 6, SourceIP: '2001:db8::1', SourceMask: '/64', DestPort: 22, DestPortExclude: true, Target: 'Reject' }), chains)).toEqual([
      'meta nfproto ipv6 ip6 saddr 2001:db8::1/64 meta l4proto { 6, 17, 33, 132, 136 } th dport != 22 reject',
    ]);
    expect(ruleLines(rule({ Target: 'TargetChain', TargetChain: 'Device.Firewall.Chain.2' }), chains)).toEqual(['jump chain_2']);
    expect(ruleLines(rule({ Target: 'Return', ProtocolExclude: true, Protocol: 6 }), chains)).toEqual(['meta l4proto != 6 return']);
  });

  it('reads DSCP from the header of each family it may be in; a Class Selector matches its class', () => {
    expect(ruleLines(rule({ DSCP: 46 }), chains)).toEqual(['ip dscp 46 drop', 'ip6 dscp 46 drop']);
    expect(ruleLines(rule({ DSCP: 8, DestIP: '10.0.0.1' }), chains)).toEqual(['ip daddr 10.0.0.1 ip dscp 8-15 drop']);
    expect(ruleLines(rule({ DSCP: 0, DSCPExclude: true, IPVersion: 6 }), chains)).toEqual(['meta nfproto ipv6 ip6 dscp != 0-7 drop']);
  });

  it('leaves out disabled and misconfigured rules, and orders the rest by Order', () => {
    expect(ruleLines(rule({ Enable: false }), chains)).toEqual([]);
    expect(misconfigured(rule({ Target: 'TargetChain', TargetChain: '' }), chains)).toMatch(/TargetChain/);
    expect(misconfigured(rule({ Target: 'TargetChain', TargetChain: 'Device.Firewall.Chain.9' }), chains)).toMatch(/TargetChain/);
    expect(misconfigured(rule({ SourceInterface: 'Device.IP.Interface.3' }), chains)).toMatch(/SourceInterface/);
    const lines = chainLines(
      {
        n: 1,
        enable: true,
        rules: [
          [1, rule({ Order: 2, Target: 'Accept' })],
          [2, rule({ Order: 1, Protocol: 1 })],
          [3, rule({ Order: 1, Protocol: 58, $ordered: 5 })],
        ],
      },
      chains,
    );
    expect(lines).toEqual(['meta l4proto 58 drop', 'meta l4proto 1 drop', 'accept']);
    expect(chainLines({ n: 1, enable: false, rules: [[1, rule({})]] }, chains)).toEqual([]);
  });

  it('refuses values nft cannot hold, naming the parameter', () => {
    const params = (v: Record<string, string | number | boolean>) => ruleProblems(v).map((b) => b.param);
    expect(params({ DestPort: 8000, DestPortRangeMax: 7000 })).toEqual(['DestPortRangeMax']);
    expect(params({ SourcePortRangeMax: 7000 })).toEqual(['SourcePortRangeMax']);
    expect(params({ Protocol: 1, DestPort: 80 })).toEqual(['Protocol']);
    expect(params({ IPVersion: 5 })).toEqual(['IPVersion']);
    expect(params({ IPVersion: 4, DestIP: '2001:db8::1' })).toEqual(['IPVersion']);
    expect(params({ DestIP: '10.0.0.1', DestMask: '/33' })).toEqual(['DestMask']);
    expect(params({ SourceIP: 'host.example' })).toEqual(['SourceIP']);
    expect(params({ Target: 'TargetChain', TargetChain: 'Device.IP.Interface.1' })).toEqual(['TargetChain']);
  });

  it('finds a loop of jumps, through itself or other chains', () => {
    expect(jumpsLoop(new Map([[1, new Set([1])]]), 1)).toBe(true);
    expect(
      jumpsLoop(
        new Map([
          [1, new Set([2])],
          [2, new Set([3])],
          [3, new Set([1])],
        ]),
        1,
      ),
    ).toBe(true);
    expect(
      jumpsLoop(
        new Map([
          [1, new Set([2])],
          [2, new Set([3])],
        ]),
        1,
      ),
    ).toBe(false);
  });

  it('keeps the agent and the stateful firewall ahead of the level, then the default policy', () => {
    const s = advancedScript('t', { levelChain: 1, defaultPolicy: 'Reject', portMappingEnabled: false, chains: [{ n: 1, enable: true, rules: [] }] }, { tcp: [8443, 0], udp: [] });
    expect(s.startsWith('table inet t {}\ndelete table inet t\ntable inet t {\n')).toBe(true);
    expect(s).toContain('tcp dport 8443 accept');
    expect(s).not.toContain('udp dport {');
    expect(s).toContain('ct status dnat drop');
    expect(s).toMatch(/jump chain_1\n\s+meta l4proto tcp reject with tcp reset\n\s+reject\n/);
    expect(s).toContain('chain chain_1 {\n  }');
  });
});
