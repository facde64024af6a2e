/**
 * Device.IP.Interface.{i}.Stats. of the simulated gateway (TR-181 IPInterface:2): wwan0 counts
 * the cellular data session, br-lan routes the same traffic the other way round, lo counts the
 * device's own local traffic (whole-tree.test.ts checks every counter against the schema); counters grow while the interface is up and
 * stand still while it is disabled.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type SimFixture, simulated } from './fixture.js';

const IF = 'Device.IP.Interface.';

describe('simulated Device.IP.Interface.{i}.Stats.', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it('wwan0 carries the data session, br-lan the same bytes the other way, lo its own', async () => {
    sim = simulated();
    sim.advance(10 * 86_400);
    const [lan, wan, lo] = await Promise.all([1, 2, 3].map((n) => sim.values(`${IF}${n}.Stats.`)));
    const cell = await sim.values('Device.Cellular.Interface.1.Stats.');
    const near = (a: unknown, b: unknown): void => {
      const r = Number(a) / Number(b);
      expect(r).toBeGreaterThan(0.97);
      expect(r).toBeLessThan(1.03);
    };
    near(wan.BytesReceived, cell.BytesReceived);
    near(lan.BytesSent, wan.BytesReceived);
    expect(Number(wan.BytesReceived)).toBeGreaterThan(Number(wan.BytesSent));
    expect(Number(lo.BytesSent)).toBeGreaterThan(0);
    expect(BigInt(String(wan.PacketsSent))).toBe(BigInt(String(wan.UnicastPacketsSent)) + BigInt(String(wan.MulticastPacketsSent)) + BigInt(String(wan.BroadcastPacketsSent)));
  });

  it('grows while up and stands still while the interface is disabled', async () => {
    sim = simulated();
    sim.advance(600);
    const before = await sim.values(`${IF}1.Stats.`);
    sim.advance(60);
    const later = await sim.values(`${IF}1.Stats.`);
    expect(BigInt(String(later.BytesSent))).toBeGreaterThan(BigInt(String(before.BytesSent)));
    await sim.set(`${IF}1.`, { Enable: false });
    const frozen = await sim.values(`${IF}1.Stats.`);
    sim.advance(300);
    expect(await sim.values(`${IF}1.Stats.`)).toEqual(frozen);
  });
});
