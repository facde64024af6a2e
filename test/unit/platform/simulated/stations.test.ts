import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Change } from '../../../../datamodel/tree/ChangeFeed.js';
import { type SimFixture, simulated } from './fixture.js';

const STATIONS = 'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.';

describe('simulated platform: Wi-Fi stations', () => {
  let sim: SimFixture;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    sim.stop();
    vi.useRealTimers();
  });

  it('keeps residents on stable instance numbers while visitors come and go with new ones', async () => {
    sim = simulated();
    const table = sim.binding(STATIONS);
    const seen = new Set<number>();
    for (let minute = 1; minute <= 6 * 60; minute++) {
      sim.advance(60);
      const list = await table.list!([2], {});
      expect(list.slice(0, 2)).toEqual([1, 2]); // laptop and TV
      for (const n of list.slice(2)) seen.add(n);
      expect(list).toEqual([...list].sort((a, b) => a - b));
    }
    // Visits happened, each with its own instance number, never reusing a resident's.
    expect(seen.size).toBeGreaterThan(3);
    for (const n of seen) expect(n).toBeGreaterThanOrEqual(100);
  });

  it('tells subscribers when stations associate and leave, until stopped', async () => {
    sim = simulated();
    const changes: Array<Change & { at: number }> = [];
    let elapsed = 0;
    // Only the stations' news: hosts, leases and routes have their own.
    sim.model.changes.subscribe((c) => {
      if (c.path.includes('.AssociatedDevice.')) changes.push({ ...c, at: elapsed });
    });
    for (let i = 0; i < 4 * 60 * 4; i++) {
      // four hours in 15 s steps
      sim.advance(15);
      elapsed += 15;
      vi.advanceTimersByTime(15_000);
    }
    const created = changes.filter((c) => c.kind === 'created');
    const deleted = changes.filter((c) => c.kind === 'deleted');
    expect(created.length).toBeGreaterThan(0);
    expect(deleted.length).toBeGreaterThan(0);
    for (const c of [...created, ...deleted]) expect(c.path).toMatch(/^Device\.WiFi\.AccessPoint\.\d\.AssociatedDevice\.\d+\.$/);
    // Residents join within a minute of boot and then stay; later news is all visitors.
    for (const c of [...created, ...deleted].filter((x) => x.at > 60)) expect(c.inst.keys[1]).toBeGreaterThanOrEqual(100);

    sim.stop();
    const count = changes.length;
    for (let i = 0; i < 200; i++) {
      sim.advance(15);
      vi.advanceTimersByTime(15_000);
    }
    expect(changes.length).toBe(count);
  });

  it('drops every station when the AccessPoint is disabled, and serves the guest network once enabled', async () => {
    sim = simulated();
    sim.advance(3600);
    const table = sim.binding(STATIONS);
    await sim.binding('Device.WiFi.AccessPoint.{i}.').set!([1], { Enable: false }, {});
    expect(await table.list!([1], {})).toEqual([]);
    expect(await table.list!([4], {})).toEqual([]); // guest SSID ships disabled
    await sim.binding('Device.WiFi.SSID.{i}.').set!([4], { Enable: true }, {});
    let guests = 0;
    for (let i = 0; i < 24 * 36; i++) {
      sim.advance(100);
      guests += (await table.list!([4], {})).length;
    }
    expect(guests).toBeGreaterThan(0);
  });

  it("reports a station's link consistently", async () => {
    sim = simulated();
    sim.advance(1800);
    const v = await sim.binding(STATIONS).get([3, 1], {});
    expect(v.SNR).toBe((v.SignalStrength as number) - (v.Noise as number));
    expect(v.LastDataDownlinkRate as number).toBeLessThanOrEqual(v.MaxSupportedDataDownlinkRate as number);
    expect(v.AssociationTime).toMatch(/^2025-03-10T08:00:\d\dZ$/);
  });
});
