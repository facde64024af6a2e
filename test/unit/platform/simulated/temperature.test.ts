import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { UNKNOWN_TIME, type Value } from '../../../../datamodel/value/Value.js';
import { BOOT_MS, expectSchemaTyped, refusal, type SimFixture, simulated } from './fixture.js';

const SENSOR = 'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.';
const at = (seconds: number): string => new Date(BOOT_MS + seconds * 1000).toISOString().replace('.000Z', 'Z');

describe('simulated platform: Device.DeviceInfo.TemperatureStatus', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  const sensor = (n: number): Promise<Record<string, Value>> => sim.values(`${SENSOR}${n}.`);
  const reset = async (n: number): Promise<void> => {
    const objectPath = `${SENSOR}${n}.`;
    await sim.binding(`${SENSOR}{i}.`).commands!['Reset()'].run({
      keys: [n],
      objectPath,
      input: {},
      commandKey: '',
      ctx: {},
      signal: new AbortController().signal,
    });
  };

  it('lists the CPU, 5G modem and 6 GHz radio sensors, with no reading until the drivers have probed', async () => {
    sim = simulated();
    expect((await sim.values('Device.DeviceInfo.TemperatureStatus.')).TemperatureSensorNumberOfEntries).toBe(3);
    expect(await sim.instances(SENSOR)).toEqual([1, 2, 3]);
    const boot = await Promise.all([1, 2, 3].map(sensor));
    expect(boot.map((s) => s.Name)).toEqual(['CPU', '5G modem', 'Wi-Fi 6 GHz radio']);
    for (const s of boot) {
      // Power-on is a reset; -274 and the Unknown Time say "no good reading since".
      expect(s).toMatchObject({ Enable: true, Status: 'Enabled', ResetTime: at(0), Value: -274, LastUpdate: UNKNOWN_TIME, MinValue: -274, MaxTime: UNKNOWN_TIME });
    }
    sim.advance(5);
    for (const s of await Promise.all([1, 2, 3].map(sensor))) {
      expect(s).toMatchObject({ LastUpdate: at(4), MinTime: at(4), MaxTime: at(4), HighAlarmTime: UNKNOWN_TIME });
      expect(s.Value).toBe(s.MinValue);
      expect(s.Value).toBe(s.MaxValue);
    }
  });

  it('warms up after boot, then moves with load and the time of day within realistic ranges', async () => {
    sim = simulated();
    sim.advance(5);
    const cold = await Promise.all([1, 2, 3].map(async (n) => (await sensor(n)).Value as number));
    const seen: number[][] = [[], [], []];
    for (let i = 0; i < 2 * 96; i++) {
      // two days, every quarter of an hour
      sim.advance(900);
      for (const n of [1, 2, 3]) seen[n - 1].push((await sensor(n)).Value as number);
    }
    for (const [i, values] of seen.entries()) {
      // A powered SoC, modem and radio run well above the room, and well below their limits.
      expect(Math.min(...values.slice(4)), `sensor ${i + 1}`).toBeGreaterThan(cold[i] + 8);
      expect(Math.min(...values), `sensor ${i + 1}`).toBeGreaterThanOrEqual(15);
      expect(Math.max(...values), `sensor ${i + 1}`).toBeLessThanOrEqual(80);
      expect(new Set(values).size, `sensor ${i + 1} moves`).toBeGreaterThan(4);
    }
    // The CPU and the modem run hotter than the radio's amplifier.
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(seen[0])).toBeGreaterThan(mean(seen[2]));
    expect(mean(seen[1])).toBeGreaterThan(mean(seen[2]));
  });

  it("cools the 6 GHz radio's sensor when the radio is switched off, and warms it again", async () => {
    sim = simulated();
    sim.advance(3600);
    const on = (await sensor(3)).Value as number;
    await sim.set('Device.WiFi.Radio.3.', { Enable: false });
    sim.advance(1800);
    const off = (await sensor(3)).Value as number;
    expect(off).toBeLessThan(on - 5);
    await sim.set('Device.WiFi.Radio.3.', { Enable: true });
    sim.advance(1800);
    expect((await sensor(3)).Value as number).toBeGreaterThan(off + 5);
  });

  it('keeps the lowest and highest reading since the reset, with the time each was first read', async () => {
    sim = simulated(3);
    const readings: Array<{ value: number; at: string }> = [];
    for (let t = 0; t < 4 * 3600; t += 30) {
      // one look per poll
      sim.advance(30);
      const s = await sensor(2);
      readings.push({ value: s.Value as number, at: String(s.LastUpdate) });
    }
    const s = await sensor(2);
    const lowest = readings.reduce((a, b) => (b.value < a.value ? b : a));
    const highest = readings.reduce((a, b) => (b.value > a.value ? b : a));
    expect(s).toMatchObject({ MinValue: lowest.value, MinTime: lowest.at, MaxValue: highest.value, MaxTime: highest.at });
    expect(new Set(readings.map((r) => r.at)).size).toBe(readings.length); // a fresh reading every 30 s
  });

  it('sets HighAlarmTime the first time a reading reaches HighAlarmValue; a new threshold clears it', async () => {
    sim = simulated();
    sim.advance(3600);
    const now = (await sensor(1)).Value as number;
    await sim.set(`${SENSOR}1.`, { HighAlarmValue: now - 3 });
    expect((await sensor(1)).HighAlarmTime).toBe(UNKNOWN_TIME); // judged from the next reading
    sim.advance(30);
    const first = (await sensor(1)).LastUpdate;
    expect((await sensor(1)).HighAlarmTime).toBe(first);
    sim.advance(600);
    expect(await sensor(1)).toMatchObject({ HighAlarmTime: first, LowAlarmTime: UNKNOWN_TIME });
    await sim.set(`${SENSOR}1.`, { HighAlarmValue: 95 });
    sim.advance(600);
    expect((await sensor(1)).HighAlarmTime).toBe(UNKNOWN_TIME);
    // The low alarm likewise, and -274 means "not configured".
    await sim.set(`${SENSOR}1.`, { LowAlarmValue: 90 });
    sim.advance(30);
    expect((await sensor(1)).LowAlarmTime).not.toBe(UNKNOWN_TIME);
    await sim.set(`${SENSOR}1.`, { LowAlarmValue: -274, HighAlarmValue: -274 });
    sim.advance(600);
    expect(await sensor(1)).toMatchObject({ LowAlarmTime: UNKNOWN_TIME, HighAlarmTime: UNKNOWN_TIME });
  });

  it('refuses thresholds that cross and polling faster than every 5 s (7012)', async () => {
    sim = simulated();
    const changes: Array<Record<string, Value>> = [{ LowAlarmValue: 96 }, { HighAlarmValue: -10 }, { PollingInterval: 1 }, { PollingInterval: 86_401 }];
    for (const change of changes) {
      const e = await refusal(() => sim.set(`${SENSOR}1.`, change));
      expect(e.paramErrors[0], JSON.stringify(change)).toMatchObject({ param: Object.keys(change)[0], code: ErrorCode.InvalidValue });
    }
    expect(await sensor(1)).toMatchObject({ LowAlarmValue: 0, HighAlarmValue: 95, PollingInterval: 0 });
  });

  it('Reset() forgets the extremes and alarms and reads again at once', async () => {
    sim = simulated();
    sim.advance(30);
    await sim.set(`${SENSOR}2.`, { HighAlarmValue: 1 });
    sim.advance(7200);
    expect((await sensor(2)).HighAlarmTime).not.toBe(UNKNOWN_TIME);
    await reset(2);
    const s = await sensor(2);
    expect(s).toMatchObject({ ResetTime: at(7230), LastUpdate: at(7230), MinTime: at(7230), MaxTime: at(7230) });
    expect([s.MinValue, s.MaxValue]).toEqual([s.Value, s.Value]);
    // The alarm was cleared, and the reading at the reset is the first to meet it again.
    expect(s.HighAlarmTime).toBe(at(7230));
    expect((await sensor(1)).ResetTime).toBe(at(0)); // the other sensors are untouched
  });

  it('stops reading while disabled, and counts re-enabling as a reset', async () => {
    sim = simulated();
    sim.advance(600);
    await sim.set(`${SENSOR}3.`, { Enable: false });
    const last = await sensor(3);
    expect(last.Status).toBe('Disabled');
    sim.advance(3600);
    // The last good reading stays.
    expect(await sensor(3)).toEqual(last);
    await sim.set(`${SENSOR}3.`, { Enable: true });
    expect(await sensor(3)).toMatchObject({ Status: 'Enabled', ResetTime: at(4200), LastUpdate: at(4200) });
  });

  it('polls at the PollingInterval a Controller sets', async () => {
    sim = simulated();
    sim.advance(100); // polls at 4, 34, 64, 94 s
    await sim.set(`${SENSOR}1.`, { PollingInterval: 300 });
    const times = new Set<string>();
    for (let i = 0; i < 40; i++) {
      sim.advance(30);
      times.add(String((await sensor(1)).LastUpdate));
    }
    expect([...times]).toEqual([at(94), at(394), at(694), at(994), at(1294)]);
  });

  it('reads the same for the same seed and clock, and differently for another seed', async () => {
    const trace = async (seed: number): Promise<Value[]> => {
      sim = simulated(seed);
      const out: Value[] = [];
      for (let i = 0; i < 20; i++) {
        sim.advance(1234);
        for (const n of [1, 2, 3]) out.push((await sensor(n)).Value);
      }
      sim.stop();
      return out;
    };
    const a = await trace(21);
    expect(await trace(21)).toEqual(a);
    expect(await trace(22)).not.toEqual(a);
    sim = simulated();
  });

  it('serves every value as its schema types it', async () => {
    for (const t of [0, 4, 86_400]) {
      sim = simulated(8);
      sim.advance(t);
      const objects = (await sim.readAll()).filter((o) => o.path.startsWith('Device.DeviceInfo.TemperatureStatus.'));
      expect(expectSchemaTyped(objects)).toBe(1 + 3 * 16);
      sim.stop();
    }
    sim = simulated();
  });
});
