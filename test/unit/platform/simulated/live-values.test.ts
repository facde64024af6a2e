import { afterEach, describe, expect, it } from 'vitest';
import { growth } from '../../../../platform/simulated/random.js';
import { type SimFixture, simulated } from './fixture.js';

describe('simulated platform: values that move with the clock', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it('counts UpTime from the injected clock', async () => {
    sim = simulated();
    const info = sim.binding('Device.DeviceInfo.');
    expect((await info.get([], {})).UpTime).toBe(0);
    sim.advance(86_400.7);
    expect((await info.get([], {})).UpTime).toBe(86_400);
  });

  it('grows Ethernet counters with time, as unsignedLong decimal strings', async () => {
    sim = simulated();
    const stats = sim.binding('Device.Ethernet.Interface.{i}.Stats.');
    let previous = await stats.get([1], {});
    for (let i = 0; i < 20; i++) {
      sim.advance(37);
      const now = await stats.get([1], {});
      expect(typeof now.BytesSent).toBe('string');
      expect(typeof now.ErrorsSent).toBe('number'); // StatsCounter32 in Ethernet
      for (const name of ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived']) {
        expect(BigInt(now[name] as string), name).toBeGreaterThan(BigInt(previous[name] as string));
      }
      const parts = ['Unicast', 'Multicast', 'Broadcast'].map((k) => BigInt(now[`${k}PacketsSent`] as string));
      expect(parts.reduce((a, b) => a + b)).toBe(BigInt(now.PacketsSent as string));
      previous = now;
    }
  });

  it('keeps counters still while an interface is disabled, and reports it Down', async () => {
    sim = simulated();
    sim.advance(600);
    const eth = sim.binding('Device.Ethernet.Interface.{i}.');
    const stats = sim.binding('Device.Ethernet.Interface.{i}.Stats.');
    await eth.set!([1], { Enable: false }, {});
    const frozen = await stats.get([1], {});
    sim.advance(300);
    expect(await stats.get([1], {})).toEqual(frozen);
    expect(await eth.get([1], {})).toMatchObject({ Status: 'Down', CurrentBitRate: 0, LastChange: 300 });
    await eth.set!([1], { Enable: true }, {});
    sim.advance(30);
    expect(BigInt((await stats.get([1], {})).BytesSent as string)).toBeGreaterThan(BigInt(frozen.BytesSent as string));
  });

  it('serves Cellular counters as StatsCounter64 and moves RSRP/RSRQ/RSSI realistically', async () => {
    sim = simulated();
    sim.advance(60);
    expect(typeof (await sim.binding('Device.Cellular.Interface.{i}.Stats.').get([1], {})).ErrorsSent).toBe('string');
    const cell = sim.binding('Device.Cellular.Interface.{i}.');
    const rsrp = new Set<number>();
    for (let i = 0; i < 120; i++) {
      sim.advance(30);
      const v = await cell.get([1], {});
      expect(v).toMatchObject({ Status: 'Up', CurrentAccessTechnology: 'NR' });
      const [p, q, s] = [v.RSRP, v.RSRQ, v.RSSI] as number[];
      expect(p).toBeGreaterThanOrEqual(-120);
      expect(p).toBeLessThanOrEqual(-70);
      expect(q).toBeGreaterThanOrEqual(-20);
      expect(q).toBeLessThanOrEqual(-3);
      // RSRQ = 10·log10(N) + RSRP - RSSI for N = 273 resource blocks, within rounding.
      expect(Math.abs(10 * Math.log10(273) + p - s - q)).toBeLessThanOrEqual(0.5);
      rsrp.add(p);
    }
    expect(rsrp.size).toBeGreaterThan(5); // it moves
  });

  it('growth() is strictly increasing however the rate wobbles', () => {
    let last = -1;
    for (let t = 1; t < 200_000; t += 13.7) {
      const g = growth(3, 'x', t, 1000);
      expect(g).toBeGreaterThan(last);
      last = g;
    }
  });
});
