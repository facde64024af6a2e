import { describe, expect, it } from 'vitest';
import { hasPolicyRule, policyMark, policyOfTable, policyRuleArgs, policyTable } from '../../../../platform/linux/policy-routing.js';
import { qosScript } from '../../../../platform/linux/qos-nft.js';
import { routeArgs, routeKey, tableOfPolicy } from '../../../../platform/linux/route-table.js';

describe('Linux forwarding policies (policy routing by mark)', () => {
  it('gives policy N its mark bits, its table and its ip rule', () => {
    expect(policyMark(3)).toBe(0x30000);
    expect(policyTable(3)).toBe(0x5103);
    expect(policyRuleArgs(3)).toEqual(['fwmark', '0x30000/0xff0000', 'lookup', '20739', 'pref', '20739']);
    expect([policyOfTable('20739'), policyOfTable(0x5100), policyOfTable('main'), policyOfTable(undefined), policyOfTable('100'), policyOfTable(0x5100 + 256)]).toEqual([3, 0, -1, -1, -1, -1]);
  });

  it('finds its rule in `ip -json rule show`', () => {
    const rules = JSON.stringify([
      { priority: 0, src: 'all', table: 'local' },
      { priority: 20739, src: 'all', fwmark: '0x30000', fwmask: '0xff0000', table: '20739' },
      { priority: 32766, src: 'all', table: 'main' },
    ]);
    expect([hasPolicyRule(rules, 3), hasPolicyRule(rules, 4), hasPolicyRule('not json', 3)]).toEqual([true, false, false]);
  });

  it('puts a route of policy N into its table; -1 is the main table; other values answer 7012', () => {
    expect(tableOfPolicy(-1, 'p.')).toBeUndefined();
    expect(tableOfPolicy(undefined, 'p.')).toBeUndefined();
    expect(tableOfPolicy(0, 'p.')).toBe(0x5100);
    expect(() => tableOfPolicy(256, 'p.')).toThrow(expect.objectContaining({ code: 7012 }));
    const r = { dst: '10.79.0.0/24', gateway: '10.77.0.2', dev: 'qw2', protocol: 'static', table: '20739' };
    expect(routeArgs(r)).toEqual(['10.79.0.0/24', 'via', '10.77.0.2', 'dev', 'qw2', 'table', '20739']);
    // A main-table route keeps the key it had before policies; the same route in a policy table is another row.
    expect(routeKey({ ...r, table: undefined })).toBe('10.79.0.0/24|10.77.0.2|qw2|0|unicast');
    expect(routeKey(r)).toBe('10.79.0.0/24|10.77.0.2|qw2|0|unicast|20739');
  });

  it('marks a Classification of policy N, and unclassified traffic with DefaultForwardingPolicy, keeping the traffic class bits', () => {
    const script = qosScript(
      't',
      [
        { n: 1, values: { Order: 1, Protocol: 17, DestPort: 6010, TrafficClass: -1, ForwardingPolicy: 3, DSCPMark: -1, EthernetPriorityMark: -1 } },
        { n: 2, values: { Order: 2, Protocol: 17, DestPort: 6011, TrafficClass: 5, ForwardingPolicy: 0, DSCPMark: -1, EthernetPriorityMark: -1 } },
      ],
      [],
      { dscp: -1, priority: -1, forwardingPolicy: 7 },
    );
    const lines = script.split('\n').map((l) => l.trim());
    const chain = (n: number): string[] => lines.slice(lines.indexOf(`chain class_${n} {`) + 1, lines.indexOf('}', lines.indexOf(`chain class_${n} {`)));
    expect(chain(1)).toEqual(['meta mark set meta mark & 0xff00ffff | 0x30000']);
    expect(chain(2)).toEqual(['meta mark set 0x51000005']);
    expect(lines).toContain('meta mark set meta mark & 0xff00ffff | 0x70000 comment "Device.QoS.Default"');
  });
});
