/**
 * Device.DeviceInfo.TemperatureStatus on Linux (TR-181 TempStatus:1, TempStatusAdv:2) over a fake
 * sysfs laid out from the kernel ABI (fake-sensors.ts), with the platform's fake clock: the
 * readings, extremes and alarms the agent's polls collect, and what a Controller's writes do.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { HostFiles } from '../../../../platform/linux/HostFiles.js';
import { registerTemperatureStatus } from '../../../../platform/linux/temperature-status.js';
import { ErrorCode, type UspError } from '../../../../datamodel/UspError.js';
import { UNKNOWN_TIME } from '../../../../datamodel/value/Value.js';
import { CAPTURED_MS, FakeHost, linuxHost, type LinuxFixture } from './fake-host.js';
import { SENSOR_INPUTS, setReading, writeFakeSensors } from './fake-sensors.js';

const TABLE = 'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.';
const at = (seconds: number): string => new Date(CAPTURED_MS + seconds * 1000).toISOString().replace('.000Z', 'Z');

describe('linux platform: TemperatureStatus from /sys/class/thermal and /sys/class/hwmon', () => {
  let fx: LinuxFixture;
  afterEach(() => fx.cleanup());

  const setup = (): void => {
    const host = new FakeHost();
    writeFakeSensors(host.sysRoot);
    fx = linuxHost({}, host);
  };
  const sensors = async (): Promise<Map<string, Record<string, unknown>>> => {
    const all = await fx.byPath();
    return new Map([...all].filter(([p]) => p.startsWith(TABLE)));
  };
  const sensor = async (n: number): Promise<Record<string, unknown>> => (await sensors()).get(`${TABLE}${n}.`)!;
  const set = (n: number, changes: Record<string, unknown>): Promise<void> => Promise.resolve(fx.model.bindingAt(`${TABLE}{i}.`)!.set!([n], changes as never, {}));
  const reading = (input: string, mc: number): void => setReading(fx.host.sysRoot, input, mc);

  it('one row per sensor: the thermal zone (not again as its hwmon), then each hwmon input, with the chip limits as alarm values', async () => {
    setup();
    const rows = await sensors();
    expect([...rows.keys()]).toEqual([`${TABLE}1.`, `${TABLE}2.`, `${TABLE}3.`]);
    expect((await fx.byPath()).get('Device.DeviceInfo.TemperatureStatus.')).toEqual({ TemperatureSensorNumberOfEntries: 3 });
    expect(rows.get(`${TABLE}1.`)).toEqual({
      Enable: true,
      Status: 'Enabled',
      ResetTime: at(0),
      Name: 'cpu-thermal',
      Value: 48,
      LastUpdate: at(0),
      MinValue: 48,
      MinTime: at(0),
      MaxValue: 48,
      MaxTime: at(0),
      LowAlarmValue: -274,
      LowAlarmTime: UNKNOWN_TIME,
      HighAlarmValue: 105,
      HighAlarmTime: UNKNOWN_TIME,
      PollingInterval: 0,
    });
    expect(rows.get(`${TABLE}2.`)).toMatchObject({ Name: 'mt7915_phy0 temp1', Value: 52, LowAlarmValue: -274, HighAlarmValue: 110 });
    expect(rows.get(`${TABLE}3.`)).toMatchObject({ Name: 'lm75 board', Value: 32, LowAlarmValue: 0, HighAlarmValue: 80 });
  });

  it('polls every 30 s: Value and LastUpdate the last reading, Min/Max since the reset, the alarm time when first met', async () => {
    setup();
    await sensors();
    reading(SENSOR_INPUTS.cpu, 61_000);
    fx.advance(10);
    // Not due yet: the last reading stands.
    expect(await sensor(1)).toMatchObject({ Value: 48, LastUpdate: at(0) });
    fx.advance(20);
    expect(await sensor(1)).toMatchObject({ Value: 61, LastUpdate: at(30), MaxValue: 61, MaxTime: at(30), MinValue: 48 });
    reading(SENSOR_INPUTS.cpu, 106_000);
    fx.advance(30);
    expect(await sensor(1)).toMatchObject({ Value: 106, HighAlarmTime: at(60), MaxValue: 106 });
    reading(SENSOR_INPUTS.cpu, 40_000);
    fx.advance(30);
    expect(await sensor(1)).toMatchObject({ Value: 40, MinValue: 40, MinTime: at(90), MaxValue: 106, MaxTime: at(60), HighAlarmTime: at(60) });
  });

  it('Reset() forgets the extremes and alarms and reads again at once', async () => {
    setup();
    await sensors();
    reading(SENSOR_INPUTS.board, 85_000);
    fx.advance(30);
    expect(await sensor(3)).toMatchObject({ Value: 85, HighAlarmTime: at(30) });
    reading(SENSOR_INPUTS.board, 33_000);
    fx.advance(5);
    await fx.model.bindingAt(`${TABLE}{i}.`)!.commands!['Reset()']!.run({ keys: [3], objectPath: `${TABLE}3.`, input: {}, commandKey: '', ctx: {}, signal: new AbortController().signal });
    expect(await sensor(3)).toMatchObject({ ResetTime: at(35), Value: 33, LastUpdate: at(35), MaxValue: 33, MaxTime: at(35), HighAlarmTime: UNKNOWN_TIME });
  });

  it('Enable false stops the polls (Status Disabled); true again is a reset', async () => {
    setup();
    await sensors();
    await set(2, { Enable: false });
    reading(SENSOR_INPUTS.wifi, 70_000);
    fx.advance(60);
    expect(await sensor(2)).toMatchObject({ Enable: false, Status: 'Disabled', Value: 52, LastUpdate: at(0) });
    await set(2, { Enable: true });
    expect(await sensor(2)).toMatchObject({ Enable: true, Status: 'Enabled', ResetTime: at(60), Value: 70, MinValue: 70, LastUpdate: at(60) });
  });

  it('PollingInterval counts from the last reading; a new alarm value clears its alarm time; crossing thresholds are 7012', async () => {
    setup();
    await sensors();
    await set(1, { PollingInterval: 5 });
    reading(SENSOR_INPUTS.cpu, 90_000);
    fx.advance(5);
    expect(await sensor(1)).toMatchObject({ PollingInterval: 5, Value: 90, LastUpdate: at(5) });
    await set(1, { HighAlarmValue: 85 });
    fx.advance(5);
    expect(await sensor(1)).toMatchObject({ HighAlarmValue: 85, HighAlarmTime: at(10) });
    await set(1, { HighAlarmValue: 95 });
    expect(await sensor(1)).toMatchObject({ HighAlarmValue: 95, HighAlarmTime: UNKNOWN_TIME });
    for (const bad of [{ LowAlarmValue: 99 }, { PollingInterval: 86_401 }]) {
      const e = await set(1, bad).catch((err: unknown) => err);
      expect((e as UspError).code, JSON.stringify(bad)).toBe(ErrorCode.InvalidValue);
    }
  });

  it('a sensor whose file no longer reads is in Error and keeps its last good reading; a sensor that leaves is gone', async () => {
    setup();
    await sensors();
    fs.writeFileSync(path.join(fx.host.sysRoot, SENSOR_INPUTS.wifi), '');
    fx.advance(30);
    expect(await sensor(2)).toMatchObject({ Status: 'Error', Value: 52, LastUpdate: at(0) });
    fs.rmSync(path.join(fx.host.sysRoot, 'class', 'hwmon', 'hwmon1'));
    fx.advance(30);
    const rows = await sensors();
    expect([...rows.keys()]).toEqual([`${TABLE}1.`, `${TABLE}3.`]);
  });
});

describe('linux platform: TemperatureStatus polls between Gets', () => {
  it('a reading only the poll timer saw is MaxValue at the next Get', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-temp-'));
    const sysRoot = path.join(dir, 'sys');
    writeFakeSensors(sysRoot);
    // The agent reads the zone through its class link.
    const input = path.join(sysRoot, 'class', 'thermal', 'thermal_zone0', 'temp');
    // Reads of the sensor's file, counted once they returned (what they saw is then taken).
    let reads = 0;
    const real = fs.promises.readFile.bind(fs.promises) as (...args: unknown[]) => Promise<unknown>;
    vi.spyOn(fs.promises, 'readFile').mockImplementation(((...args: unknown[]) =>
      real(...args).then((r) => {
        if (String(args[0]) === input) reads++;
        return r;
      })) as never);
    const model = new DataModel(Schema.load());
    const temps = registerTemperatureStatus(model, new HostFiles({ sysRoot }), Date.now);
    try {
      const binding = model.bindingAt(`${TABLE}{i}.`)!;
      await binding.set!([1], { PollingInterval: 1 }, {});
      expect(await binding.get([1], {})).toMatchObject({ Value: 48, MaxValue: 48 });
      setReading(sysRoot, SENSOR_INPUTS.cpu, 99_000);
      const before = reads;
      await vi.waitFor(() => expect(reads).toBeGreaterThan(before), { timeout: 10_000, interval: 50 });
      setReading(sysRoot, SENSOR_INPUTS.cpu, 30_000);
      // The Get may poll again (30 °C), but the maximum since the reset is what the timer read.
      expect(await binding.get([1], {})).toMatchObject({ MaxValue: 99 });
    } finally {
      temps.stop();
      vi.restoreAllMocks();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
