/**
 * The simulated gateway's Device.QoS.QueueStats.{i}. (QoSStats:1): rows a Controller adds,
 * Status from the Queue and Interface they name, counters 0 (no simulated packet is queued).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { refusal, type SimFixture, simulated } from './fixture.js';

const running: SimFixture[] = [];
const gateway = (): SimFixture => {
  const gw = simulated(11);
  running.push(gw);
  return gw;
};
afterEach(() => {
  for (const gw of running.splice(0)) gw.stop();
});
const WAN = 'Device.IP.Interface.2';
const LAN = 'Device.IP.Interface.1';

describe('simulated QoS QueueStats', () => {
  it('a row for a Queue on its egress interface is Enabled with zero counters; elsewhere it is Error', async () => {
    const gw = gateway();
    expect((await gw.values('Device.QoS.')).QueueStatsNumberOfEntries).toBe(0);
    const q = await gw.add('Device.QoS.Queue.', { Enable: true, Interface: WAN, TrafficClasses: '1' });
    const s = await gw.add('Device.QoS.QueueStats.', { Enable: true, Queue: `Device.QoS.Queue.${q}.`, Interface: WAN });
    expect(await gw.values(`Device.QoS.QueueStats.${s}.`)).toMatchObject({
      Status: 'Enabled',
      Queue: `Device.QoS.Queue.${q}`,
      Interface: WAN,
      OutputPackets: 0,
      OutputBytes: 0,
      DroppedPackets: 0,
      DroppedBytes: 0,
      QueueOccupancyPackets: 0,
      QueueOccupancyPercentage: 0,
    });
    expect((await gw.values('Device.QoS.')).QueueStatsNumberOfEntries).toBe(1);
    const other = await gw.add('Device.QoS.QueueStats.', { Enable: true, Queue: `Device.QoS.Queue.${q}`, Interface: LAN });
    expect((await gw.values(`Device.QoS.QueueStats.${other}.`)).Status).toBe('Error');
    await gw.set(`Device.QoS.Queue.${q}.`, { AllInterfaces: true });
    expect((await gw.values(`Device.QoS.QueueStats.${other}.`)).Status).toBe('Enabled');
    await gw.set(`Device.QoS.QueueStats.${s}.`, { Enable: false });
    expect((await gw.values(`Device.QoS.QueueStats.${s}.`)).Status).toBe('Disabled');
  });

  it('refuses a Queue or Interface that is no row (7012), a second row for one pair (7025) and more than 16 rows (7005)', async () => {
    const gw = gateway();
    const q = await gw.add('Device.QoS.Queue.', { Enable: true, Interface: WAN });
    expect((await refusal(() => gw.add('Device.QoS.QueueStats.', { Queue: 'Device.QoS.Queue.9', Interface: WAN }))).code).toBe(7012);
    expect((await refusal(() => gw.add('Device.QoS.QueueStats.', { Queue: `Device.QoS.Queue.${q}`, Interface: 'Device.IP.Interface.9' }))).code).toBe(7012);
    await gw.add('Device.QoS.QueueStats.', { Queue: `Device.QoS.Queue.${q}`, Interface: WAN });
    expect((await refusal(() => gw.add('Device.QoS.QueueStats.', { Queue: `Device.QoS.Queue.${q}`, Interface: WAN }))).code).toBe(7025);
    await gw.add('Device.QoS.QueueStats.', { Queue: `Device.QoS.Queue.${q}`, Interface: LAN });
    // 16 rows in all, each pair once.
    for (let i = 0; i < 7; i++) {
      const n = await gw.add('Device.QoS.Queue.', { Enable: true, Interface: WAN });
      for (const at of [WAN, LAN]) await gw.add('Device.QoS.QueueStats.', { Queue: `Device.QoS.Queue.${n}`, Interface: at });
    }
    expect((await refusal(() => gw.add('Device.QoS.QueueStats.', { Queue: '', Interface: '' }))).code).toBe(7005);
  });
});
