import { afterEach, describe, expect, it } from 'vitest';
import { expectSchemaTyped, type SimFixture, simulated } from './fixture.js';

const PS = 'Device.DeviceInfo.ProcessStatus.';

describe('simulated platform: Device.DeviceInfo.ProcessStatus.Process.{i}', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  const processes = async () => (await sim.readAll()).filter((o) => o.path.startsWith(`${PS}Process.`));

  it("lists the gateway's daemons, the agent among them Running, with CPU time growing with the clock", async () => {
    sim = simulated();
    sim.advance(60);
    const before = await processes();
    expect((await sim.values(PS)).ProcessNumberOfEntries).toBe(before.length);
    expect(before.map((o) => o.values.Command)).toEqual(expect.arrayContaining(['procd', 'netifd', 'hostapd', 'ModemManager', 'dnsmasq', 'usp-agent']));
    expect(before.find((o) => o.values.Command === 'usp-agent')?.values).toMatchObject({ State: 'Running', Priority: 25 });
    expect(before.find((o) => o.values.Command === 'procd')?.values.PID).toBe(1);
    const pids = before.map((o) => o.values.PID as number);
    expect([...pids].sort((a, b) => a - b)).toEqual(pids); // PID order, no duplicates
    expect(new Set(pids).size).toBe(pids.length);
    sim.advance(3600);
    const after = await processes();
    expect(after.map((o) => o.values.PID)).toEqual(pids); // the same processes an hour later
    for (let i = 0; i < before.length; i++) expect(after[i]!.values.CPUTime as number).toBeGreaterThanOrEqual(before[i]!.values.CPUTime as number);
    // About the load CPUUsage reports: ~12 % of one CPU over that hour.
    const used = after.reduce((s, o, i) => s + (o.values.CPUTime as number) - (before[i]!.values.CPUTime as number), 0);
    expect(used / 3600_000).toBeGreaterThan(0.05);
    expect(used / 3600_000).toBeLessThan(0.3);
  });

  it('serves every value as its schema types it, and the same device for the same seed', async () => {
    sim = simulated(7);
    sim.advance(86_400);
    expect(expectSchemaTyped(await processes())).toBeGreaterThan(50);
    const a = (await processes()).map((o) => o.values.PID);
    sim.stop();
    sim = simulated(7);
    expect((await processes()).map((o) => o.values.PID)).toEqual(a);
  });
});
