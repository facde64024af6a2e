import { describe, expect, it } from 'vitest';
import { parseClassStats } from '../../../../platform/linux/qos-class-stats.js';
import { counter32, queueCounters, statsQueueOf } from '../../../../platform/qos-queue-stats.js';

// `tc -s class show dev qw0` of iproute2 6.1 (text even with -j), trimmed to two classes.
const TEXT = `class htb 51:101 parent 51:1 prio 0 rate 333Kbit ceil 1Mbit burst 1600b cburst 1600b 
 Sent 1234567 bytes 900 pkt (dropped 312, overlimits 40 requeues 0) 
 backlog 15Kb 12p requeues 0
 lended: 6 borrowed: 0 giants: 0
 tokens: 40000 ctokens: 20000

class htb 51:fffe parent 51:1 prio 7 rate 333Kbit ceil 1Mbit burst 1600b cburst 1600b 
 Sent 588 bytes 6 pkt (dropped 0, overlimits 0 requeues 0) 
 backlog 0b 0p requeues 0
`;

describe('Linux QueueStats counters', () => {
  it('reads each HTB class of tc text output, backlog units included', () => {
    const m = parseClassStats(TEXT);
    expect(m.get('51:101')).toEqual({ bytes: 1234567, packets: 900, drops: 312, backlogBytes: 15 * 1024, backlogPackets: 12 });
    expect(m.get('51:fffe')).toEqual({ bytes: 588, packets: 6, drops: 0, backlogBytes: 0, backlogPackets: 0 });
  });

  it('reads the JSON of later iproute2 and nothing of output it cannot read', () => {
    const json = JSON.stringify([{ class: 'htb', handle: '51:101', stats: { bytes: 10, packets: 2, drops: 1, backlog: 0, qlen: 0 } }, { class: 'htb' }]);
    expect([...parseClassStats(json)]).toEqual([['51:101', { bytes: 10, packets: 2, drops: 1, backlogBytes: 0, backlogPackets: 0 }]]);
    expect(parseClassStats('[not json').size).toBe(0);
    expect(parseClassStats('Cannot find device "x"').size).toBe(0);
  });

  it('makes the TR-181 counters: 32-bit wrap, dropped bytes at the mean sent size, occupancy within 0..100', () => {
    expect(queueCounters({ packets: 2 ** 32 + 5, bytes: 100 * (2 ** 32 + 5), droppedPackets: 3, backlogPackets: 7, occupancyPercent: 250 })).toEqual({
      OutputPackets: 5,
      OutputBytes: (100 * (2 ** 32 + 5)) % 2 ** 32,
      DroppedPackets: 3,
      DroppedBytes: 300,
      QueueOccupancyPackets: 7,
      QueueOccupancyPercentage: 100,
    });
    expect(queueCounters({ packets: 0, bytes: 0, droppedPackets: 4, droppedBytes: 99, backlogPackets: 0, occupancyPercent: 0 }).DroppedBytes).toBe(99);
    expect(counter32(-1)).toBe(0);
    expect([statsQueueOf('Device.QoS.Queue.3'), statsQueueOf('Device.QoS.Queue.3.'), statsQueueOf('Device.QoS.Policer.3'), statsQueueOf('')]).toEqual([3, 3, undefined, undefined]);
  });
});
