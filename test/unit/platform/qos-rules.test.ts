import { describe, expect, it } from 'vitest';
import { actionValid, classificationProblems, classQueued, policerOf, policerProblems, queueProblems, shaperProblems, shapingBps, trafficClasses } from '../../../platform/qos-rules.js';

const params = (bad: Array<{ param: string }>): string[] => bad.map((b) => b.param);
const ALGORITHMS = { drop: ['DT'], scheduler: ['SP', 'WRR'] };

describe('QoS row checks', () => {
  it('accepts a plain Classification and its defaults', () => {
    expect(classificationProblems({})).toEqual([]);
    expect(classificationProblems({ Protocol: 17, DestPort: 5000, DSCPMark: 46, TrafficClass: 3, Policer: 'Device.QoS.Policer.2', SourceMACAddress: '02:00:00:00:00:01' })).toEqual([]);
  });

  it('refuses criteria the firewall Rules refuse, naming the Classification parameter', () => {
    expect(params(classificationProblems({ DestIP: 'nope' }))).toEqual(['DestIP']);
    expect(params(classificationProblems({ SourceIP: '10.0.0.1', DestIP: '2001:db8::1' }))).toEqual(['DestIP']);
    expect(params(classificationProblems({ Protocol: 1, DestPort: 80 }))).toEqual(['Protocol']);
    expect(params(classificationProblems({ DSCPCheck: 64 }))).toEqual(['DSCPCheck']);
    expect(params(classificationProblems({ DestPort: 90, DestPortRangeMax: 80 }))).toEqual(['DestPortRangeMax']);
  });

  it('refuses marks, priorities, VLAN IDs and references out of range', () => {
    expect(params(classificationProblems({ DSCPMark: 64 }))).toEqual(['DSCPMark']);
    expect(params(classificationProblems({ EthernetPriorityCheck: 8, EthernetPriorityMark: -3 }))).toEqual(['EthernetPriorityCheck', 'EthernetPriorityMark']);
    expect(params(classificationProblems({ VLANIDCheck: 4095 }))).toEqual(['VLANIDCheck']);
    expect(params(classificationProblems({ DSCPMark: -2, EthernetPriorityMark: -2 }))).toEqual(['EthernetPriorityMark']);
    expect(params(classificationProblems({ Policer: 'Device.QoS.Queue.1' }))).toEqual(['Policer']);
    expect(params(classificationProblems({ DestMACAddress: '02:00:00:00:00' }))).toEqual(['DestMACAddress']);
  });

  it('reads Policer references and TrafficClasses lists', () => {
    expect(policerOf('Device.QoS.Policer.7')).toBe(7);
    expect(policerOf('')).toBeUndefined();
    expect(trafficClasses('1, 3')).toEqual([1, 3]);
    expect(trafficClasses('')).toEqual([]);
  });

  it('checks Policer actions and meters', () => {
    for (const a of ['Null', 'Drop', 'Count', '24', ':3', '24:3']) expect(actionValid(a)).toBe(true);
    for (const a of ['drop', '64', ':8', '24:', 'x']) expect(actionValid(a)).toBe(false);
    expect(policerProblems({ Enable: true, CommittedRate: 1_000_000 }, ['SimpleTokenBucket'])).toEqual([]);
    expect(params(policerProblems({ Enable: true, CommittedRate: 0 }, ['SimpleTokenBucket']))).toEqual(['CommittedRate']);
    expect(params(policerProblems({ MeterType: 'TwoRateThreeColor', NonConformingAction: 'Shout' }, ['SimpleTokenBucket']))).toEqual(['MeterType', 'NonConformingAction']);
  });

  it('checks Queues and Shapers', () => {
    expect(queueProblems({ TrafficClasses: '1,2', ShapingRate: 2_000_000, Precedence: 2 }, ALGORITHMS)).toEqual([]);
    expect(params(queueProblems({ TrafficClasses: '1,x', ShapingRate: 0, Precedence: 0, DropAlgorithm: 'RED', SchedulerAlgorithm: 'WFQ' }, ALGORITHMS))).toEqual([
      'TrafficClasses',
      'ShapingRate',
      'Precedence',
      'DropAlgorithm',
      'SchedulerAlgorithm',
    ]);
    expect(shaperProblems({ ShapingRate: 1_000_000 })).toEqual([]);
    expect(shaperProblems({ ShapingRate: 50 })).toEqual([]);
    expect(params(shaperProblems({ ShapingRate: -2 }))).toEqual(['ShapingRate']);
  });

  it('turns ShapingRate into bits per second, a percentage of the link', () => {
    expect(shapingBps(-1, 1e9)).toBeUndefined();
    expect(shapingBps(1_000_000, undefined)).toBe(1_000_000);
    expect(shapingBps(10, 1e9)).toBe(1e8);
    expect(shapingBps(10, undefined)).toBeUndefined();
  });

  it('knows whether a traffic class has an enabled Queue', () => {
    const queues = [
      { Enable: true, TrafficClasses: '1,2' },
      { Enable: false, TrafficClasses: '3' },
    ];
    expect(classQueued(2, queues)).toBe(true);
    expect(classQueued(3, queues)).toBe(false);
  });
});
