/**
 * The simulated modem's SINR (Device.Cellular.Interface.1.X_<VENDOR>_SINR; TR-181 2.19 has none):
 * served under the agent's vendor prefix only, moving with the radio, consistent with RSRQ.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type SimFixture, simulated } from './fixture.js';

const SINR = 'X_EXAMPLE-COM_SINR';
const IFACE = { path: 'Device.Cellular.Interface.{i}.', keys: [1] };

describe('simulated gateway: cellular SINR (vendor parameter)', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  async function radio(): Promise<{ rsrq: number; sinr: number }> {
    const v = await sim.model.readValues({ node: sim.model.requireNode(IFACE.path), keys: IFACE.keys }, {});
    return { rsrq: Number(v.RSRQ), sinr: v[SINR] as number };
  }

  it('is served as a read-only int in dB under the vendor prefix, and not without one', async () => {
    sim = simulated(42, { vendorPrefix: 'X_EXAMPLE-COM_' });
    const node = sim.model.requireNode(IFACE.path);
    expect(node.params.get(SINR)).toMatchObject({ access: 'readOnly', type: 'int', units: 'dB' });
    expect(typeof (await radio()).sinr).toBe('number');
    sim.stop();
    sim = simulated(42);
    expect(sim.model.requireNode(IFACE.path).params.get(SINR)).toBeUndefined();
  });

  it('moves over a day within a realistic FWA range, higher where RSRQ is better', async () => {
    sim = simulated(7, { vendorPrefix: 'X_EXAMPLE-COM_' });
    const samples: Array<{ rsrq: number; sinr: number }> = [];
    for (let i = 0; i < 288; i++) {
      sim.advance(300);
      samples.push(await radio());
    }
    const sinrs = samples.map((s) => s.sinr);
    expect(Math.min(...sinrs)).toBeGreaterThanOrEqual(-23);
    expect(Math.max(...sinrs)).toBeLessThanOrEqual(40);
    expect(new Set(sinrs).size).toBeGreaterThan(8);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(sinrs)).toBeGreaterThan(5);
    expect(mean(sinrs)).toBeLessThan(25);
    // Samples with the better half of RSRQ have the better SINR on average.
    const byRsrq = [...samples].sort((a, b) => a.rsrq - b.rsrq);
    const half = byRsrq.length / 2;
    expect(mean(byRsrq.slice(half).map((s) => s.sinr))).toBeGreaterThan(mean(byRsrq.slice(0, half).map((s) => s.sinr)) + 2);
  });

  it('is the same for the same seed and clock', async () => {
    sim = simulated(11, { vendorPrefix: 'X_EXAMPLE-COM_' });
    sim.advance(4000);
    const a = await radio();
    sim.stop();
    sim = simulated(11, { vendorPrefix: 'X_EXAMPLE-COM_' });
    sim.advance(4000);
    expect(await radio()).toEqual(a);
  });
});
