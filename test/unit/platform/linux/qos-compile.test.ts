import { describe, expect, it } from 'vitest';
import { actionStatements, classificationMatches, parsePolicerCounters, qosScript } from '../../../../platform/linux/qos-nft.js';
import { agentQdiscDevices, tcBatch } from '../../../../platform/linux/qos-tc.js';

describe('Linux QoS compilers', () => {
  it('writes Classifications in TR-106 Order, each to its result chain, and the defaults last', () => {
    const script = qosScript(
      't',
      [
        { n: 1, values: { Order: 2, Protocol: 6, DestPort: 80, TrafficClass: 2, DSCPMark: -1, EthernetPriorityMark: -1 } },
        { n: 2, values: { Order: 1, DSCPCheck: 10, TrafficClass: 1, DSCPMark: 46, EthernetPriorityMark: 3 }, device: 'eth1', policer: 4 },
      ],
      [{ n: 4, values: { CommittedRate: 8000, CommittedBurstSize: 1500, ConformingAction: 'Null', NonConformingAction: 'Drop' } }],
      { dscp: 0, priority: -1 },
    );
    const lines = script.split('\n').map((l) => l.trim());
    const rules = lines.filter((l) => l.includes('goto class_'));
    expect(rules).toEqual([
      'iifname "eth1" ip dscp 10 goto class_2 comment "Device.QoS.Classification.2"',
      'iifname "eth1" ip6 dscp 10 goto class_2 comment "Device.QoS.Classification.2"',
      'meta protocol { ip, ip6 } meta l4proto 6 th dport 80 goto class_1 comment "Device.QoS.Classification.1"',
    ]);
    expect(lines).toContain('meta mark set 0x51000001');
    expect(lines).toContain('meta priority set 0:3');
    expect(lines).toContain('jump policer_4');
    expect(lines).toContain('limit rate over 1000 bytes/second burst 1500 bytes counter name "policer_4_over" goto policer_4_over');
    expect(script).toContain('chain policer_4_over {\n    drop\n  }');
    expect(lines.indexOf('ip dscp set 0 comment "Device.QoS.Default"')).toBeGreaterThan(lines.indexOf(rules.at(-1)!));
  });

  it('a two-rate three-colour Policer: the peak bucket first, then the committed one, each colour its action chain', () => {
    const script = qosScript(
      't',
      [],
      [
        {
          n: 1,
          values: { MeterType: 'TwoRateThreeColor', CommittedRate: 8000, PeakRate: 16000, PeakBurstSize: 3000, ConformingAction: 'Null', PartialConformingAction: '10', NonConformingAction: 'Drop' },
        },
      ],
      {
        dscp: -1,
        priority: -1,
      },
    );
    const chain = script.slice(script.indexOf('chain policer_1 {'));
    expect(
      chain
        .split('\n')
        .slice(1, 4)
        .map((l) => l.trim()),
    ).toEqual([
      'counter name "policer_1_total"',
      'limit rate over 2000 bytes/second burst 3000 bytes counter name "policer_1_over" goto policer_1_over',
      'limit rate over 1000 bytes/second counter name "policer_1_partial" goto policer_1_partial',
    ]);
    expect(script).toContain('chain policer_1_partial {\n    ip dscp set 10\n    ip6 dscp set 10\n  }');
  });

  it('with nothing to do the table goes', () => {
    expect(qosScript('t', [], [], { dscp: -1, priority: -1 })).toBe('table inet t {}\ndelete table inet t\n');
  });

  it('reads Policer actions and a MAC criterion', () => {
    expect(actionStatements('Drop')).toEqual(['drop']);
    expect(actionStatements('Null')).toEqual([]);
    expect(actionStatements('24:3')).toEqual(['meta priority set 0:3', 'ip dscp set 24', 'ip6 dscp set 24']);
    expect(classificationMatches({ n: 1, values: { SourceMACAddress: '02:00:00:00:00:01', DSCPCheck: -1 } })).toEqual(['ether saddr 02:00:00:00:00:01']);
  });

  it('parses the Policer counters nft reports', () => {
    const json = JSON.stringify({
      nftables: [{ metainfo: {} }, { counter: { name: 'policer_4_total', packets: 10, bytes: 1000 } }, { counter: { name: 'policer_4_over', packets: 3, bytes: 300 } }],
    });
    expect(parsePolicerCounters(json).get(4)).toEqual({ totalPackets: 10, totalBytes: 1000, overPackets: 3, overBytes: 300, partialPackets: 0, partialBytes: 0 });
    expect(parsePolicerCounters('not json').size).toBe(0);
  });

  it('builds one HTB tree: Shaper rate at the root, Queues by Weight and Precedence, mark filters', () => {
    const lines = tcBatch({
      device: 'wan0',
      rateBps: 1_000_000,
      queues: [
        { n: 1, classes: [5, 6], weight: 3, precedence: 1 },
        { n: 2, classes: [6], weight: 1, precedence: 3, ceilBps: 500_000 },
      ],
    });
    expect(lines).toEqual([
      'qdisc add dev wan0 root handle 51: htb default fffe',
      'class add dev wan0 parent 51: classid 51:1 htb rate 1000000bit ceil 1000000bit',
      'class add dev wan0 parent 51:1 classid 51:101 htb rate 600000bit ceil 1000000bit prio 0',
      'class add dev wan0 parent 51:1 classid 51:102 htb rate 200000bit ceil 500000bit prio 2',
      'class add dev wan0 parent 51:1 classid 51:fffe htb rate 200000bit ceil 1000000bit prio 7',
      'filter add dev wan0 parent 51: protocol all prio 1 u32 match mark 0x51000005 0xff00ffff classid 51:101',
      'filter add dev wan0 parent 51: protocol all prio 1 u32 match mark 0x51000006 0xff00ffff classid 51:101',
    ]);
    // DefaultQueue 2 wins over DefaultTrafficClass 5.
    expect(
      tcBatch({
        device: 'wan0',
        rateBps: 1e6,
        queues: [
          { n: 1, classes: [5], weight: 0, precedence: 1 },
          { n: 2, classes: [], weight: 0, precedence: 1 },
        ],
        defaultClass: 5,
        defaultQueue: 2,
      })[0],
    ).toBe('qdisc add dev wan0 root handle 51: htb default 102');
    // DefaultTrafficClass 6: unclassified traffic goes to Queue 1, no extra default class.
    expect(tcBatch({ device: 'wan0', rateBps: 1e6, queues: [{ n: 1, classes: [6], weight: 0, precedence: 1 }], defaultClass: 6 })[0]).toBe('qdisc add dev wan0 root handle 51: htb default 101');
  });

  it('knows its own root qdiscs and no others', () => {
    const json = JSON.stringify([
      { kind: 'htb', handle: '51:', root: true, dev: 'wan0' },
      { kind: 'htb', handle: '1:', root: true, dev: 'lan0' },
      { kind: 'noqueue', handle: '0:', root: true, dev: 'lo' },
    ]);
    expect(agentQdiscDevices(json)).toEqual(['wan0']);
  });
});
