/**
 * The simulated AccessPoint.{i}.AC.{i}. (TR-181 WiFi, WMM access categories) on a fake clock:
 * four rows BE/BK/VI/VO, Stats that add up to the SSID's at every instant (through visitors
 * leaving and a BSS restart), the traffic moving to BE when WMM is off, and OutQLenHistogram
 * sorting its samples into the configured intervals.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseIntervals } from '../../../../platform/simulated/wifi-access-categories.js';
import { type SimFixture, simulated } from './fixture.js';

const SUMMED = ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived', 'ErrorsSent', 'ErrorsReceived', 'DiscardPacketsSent', 'DiscardPacketsReceived', 'RetransCount'] as const;

describe('simulated platform: WiFi AccessPoint access categories', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  const acStats = async (ap: number): Promise<Record<string, Record<string, number>>> => {
    const out: Record<string, Record<string, number>> = {};
    for (const n of await sim.instances(`Device.WiFi.AccessPoint.${ap}.AC.`)) {
      const cat = String((await sim.values(`Device.WiFi.AccessPoint.${ap}.AC.${n}.`)).AccessCategory);
      const v = await sim.values(`Device.WiFi.AccessPoint.${ap}.AC.${n}.Stats.`);
      out[cat] = Object.fromEntries(SUMMED.map((k) => [k, Number(v[k])]));
    }
    return out;
  };
  const expectAddsUp = async (ap: number): Promise<Record<string, Record<string, number>>> => {
    const acs = await acStats(ap);
    const ssid = await sim.values(`Device.WiFi.SSID.${ap}.Stats.`);
    for (const k of SUMMED)
      expect(
        Object.values(acs).reduce((s, r) => s + r[k], 0),
        `AC.*.Stats.${k}`,
      ).toBe(Number(ssid[k]));
    return acs;
  };

  it('serves the four WMM access categories under every AccessPoint, in TR-181 order', async () => {
    sim = simulated();
    for (const ap of [1, 2, 3, 4]) {
      expect(await sim.instances(`Device.WiFi.AccessPoint.${ap}.AC.`)).toEqual([1, 2, 3, 4]);
      const cats = await Promise.all([1, 2, 3, 4].map(async (n) => (await sim.values(`Device.WiFi.AccessPoint.${ap}.AC.${n}.`)).AccessCategory));
      expect(cats).toEqual(['BE', 'BK', 'VI', 'VO']);
    }
    expect(await sim.values('Device.WiFi.AccessPoint.1.AC.3.')).toMatchObject({ AckPolicy: true, OutQLenHistogramIntervals: '0,1,4,8,', OutQLenHistogramSampleInterval: 60 });
  });

  it("the categories' counters add up to the SSID's, through visits, a WMM change and a BSS restart", async () => {
    sim = simulated();
    for (let step = 0; step < 12; step++) {
      sim.advance(400); // across visitor slots (600 s)
      for (const ap of [1, 2, 3, 4]) await expectAddsUp(ap);
    }
    // AccessPoint 2: the TV streams in VI, the laptop in BE; group-addressed frames go BE.
    const withWmm = await expectAddsUp(2);
    expect(withWmm.VI.BytesSent).toBeGreaterThan(0);
    expect(withWmm.BE.BytesSent).toBeGreaterThan(0);
    expect(withWmm.BK.BytesSent).toBe(0);
    expect((await expectAddsUp(3)).VO.BytesSent).toBeGreaterThan(0);
    expect((await expectAddsUp(1)).BK.BytesSent).toBeGreaterThan(0);

    // Without WMM every frame is best effort: VI stands still, BE takes the TV's stream.
    await sim.set('Device.WiFi.AccessPoint.2.', { WMMEnable: false });
    const at = await expectAddsUp(2);
    sim.advance(1800);
    const later = await expectAddsUp(2);
    expect(later.VI).toEqual(at.VI);
    expect(later.BE.BytesSent - at.BE.BytesSent).toBeGreaterThan(900_000 * 600);
    await sim.set('Device.WiFi.AccessPoint.2.', { WMMEnable: true });
    sim.advance(1800);
    const back = await expectAddsUp(2);
    expect(back.VI.BytesSent).toBeGreaterThan(later.VI.BytesSent);
    for (const k of SUMMED) for (const ac of ['BE', 'BK', 'VI', 'VO']) expect(back[ac][k]).toBeGreaterThanOrEqual(later[ac][k]);
  });

  it('OutQLenHistogram counts one sample per interval since the BSS started, in the configured bins', async () => {
    sim = simulated();
    const ac = 'Device.WiFi.AccessPoint.2.AC.3.';
    sim.advance(3600);
    // The radio came up a few seconds after boot: 59 whole minutes and a bit since the BSS started.
    const bins = String((await sim.values(`${ac}Stats.`)).OutQLenHistogram)
      .split(',')
      .map(Number);
    expect(bins).toHaveLength(5);
    expect(bins.reduce((a, b) => a + b, 0)).toBe(59);
    // The TV's stream keeps the VI queue busy: some samples find packets waiting.
    expect(bins[0]).toBeLessThan(59);
    await sim.set(ac, { OutQLenHistogramIntervals: '0,', OutQLenHistogramSampleInterval: 10 });
    const two = String((await sim.values(`${ac}Stats.`)).OutQLenHistogram)
      .split(',')
      .map(Number);
    expect(two).toHaveLength(2);
    expect(two[0] + two[1]).toBe(359);
    // An idle category (BK on AccessPoint 2) never has a queue.
    expect((await sim.values('Device.WiFi.AccessPoint.2.AC.2.Stats.')).OutQLenHistogram).toBe('59,0,0,0,0');
    await sim.set(ac, { OutQLenHistogramIntervals: '' });
    expect((await sim.values(`${ac}Stats.`)).OutQLenHistogram).toBe('');
    await expect(sim.set(ac, { OutQLenHistogramIntervals: '4,1' })).rejects.toMatchObject({ code: 7012 });
  });

  it('parses interval lists: ascending maxima, a trailing comma for no upper bound', () => {
    expect(parseIntervals('0,1,4,8,')).toEqual([0, 1, 4, 8, undefined]);
    expect(parseIntervals('0,1')).toEqual([0, 1]);
    expect(parseIntervals('')).toEqual([]);
    expect(parseIntervals('1,1')).toBeUndefined();
    expect(parseIntervals(',')).toBeUndefined();
    expect(parseIntervals('a')).toBeUndefined();
  });
});
