/**
 * The settings a Controller writes to a kernel sensor (Enable, LowAlarmValue, HighAlarmValue,
 * PollingInterval) outlive a restart of the agent: kept in the agent's store by sensor name
 * (platform/linux/temperature-settings.ts), in effect from the first poll after the start, and
 * following the sensor when its hwmon directory is numbered differently at the next boot. Run the
 * way the agent runs it: registered, the store loaded, then stateLoaded().
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { readSubtree, type ObjectValues } from '../../../../datamodel/tree/read-object.js';
import { UNKNOWN_TIME } from '../../../../datamodel/value/Value.js';
import { HostFiles } from '../../../../platform/linux/HostFiles.js';
import { registerTemperatureStatus } from '../../../../platform/linux/temperature-status.js';
import { MAX_SENSORS } from '../../../../platform/linux/temperature-sysfs.js';
import { sensorIdentities, SensorSettings } from '../../../../platform/linux/temperature-settings.js';
import { SENSOR_INPUTS, setReading, writeFakeSensors } from './fake-sensors.js';

const TABLE = 'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.';
const schema = Schema.load();
const START_MS = 1_780_000_000_000;
const at = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

interface Boot {
  model: DataModel;
  store: DataStore;
  stop(): void;
  set(n: number, changes: Record<string, unknown>): Promise<void>;
  rows(): Promise<Map<string, Record<string, unknown>>>;
}

describe('linux platform: temperature sensor settings across restarts', () => {
  const dirs: string[] = [];
  const boots: Boot[] = [];
  afterEach(() => {
    for (const b of boots.splice(0)) b.stop();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  /** One start of the agent's temperature sensors on `sysRoot`, with the store in `dataDir`. */
  const boot = async (sysRoot: string, dataDir: string, now: () => number): Promise<Boot> => {
    const model = new DataModel(schema);
    const store = new DataStore(dataDir);
    const temps = registerTemperatureStatus(model, new HostFiles({ sysRoot }), now, store);
    store.load((why) => {
      throw new Error(why);
    });
    await temps.stateLoaded();
    const b: Boot = {
      model,
      store,
      stop: () => temps.stop(),
      set: async (n, changes) => {
        await model.bindingAt(`${TABLE}{i}.`)!.set!([n], changes as never, {});
        await store.flush();
      },
      rows: async () => {
        const out: ObjectValues[] = [];
        await readSubtree(model, { node: model.requireNode('Device.DeviceInfo.TemperatureStatus.'), keys: [] }, 0, {}, out);
        return new Map(out.filter((o) => o.path.startsWith(TABLE)).map((o) => [o.path, o.values]));
      },
    };
    boots.push(b);
    return b;
  };
  const tmp = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-temp-settings-'));
    dirs.push(d);
    return d;
  };

  it('brings back Enable, the alarm values and PollingInterval; the first poll after the start is judged by them', async () => {
    const dir = tmp();
    const sysRoot = path.join(dir, 'sys');
    writeFakeSensors(sysRoot);
    let now = START_MS;
    const first = await boot(sysRoot, path.join(dir, 'data'), () => now);
    await first.set(3, { LowAlarmValue: 10, HighAlarmValue: 40, PollingInterval: 60 });
    await first.set(2, { Enable: false });
    first.stop();

    // The board warms to 45 °C: under the chip's own limit (80), over the one the Controller set.
    setReading(sysRoot, SENSOR_INPUTS.board, 45_000);
    now += 3600_000;
    const second = await boot(sysRoot, path.join(dir, 'data'), () => now);
    const rows = await second.rows();
    expect(rows.get(`${TABLE}3.`)).toMatchObject({ Name: 'lm75 board', LowAlarmValue: 10, HighAlarmValue: 40, PollingInterval: 60, Value: 45, HighAlarmTime: at(now) });
    // Disabled before the restart: never polled since.
    expect(rows.get(`${TABLE}2.`)).toMatchObject({ Enable: false, Status: 'Disabled', Value: -274, LastUpdate: UNKNOWN_TIME });
    // Untouched sensors keep the chip's values.
    expect(rows.get(`${TABLE}1.`)).toMatchObject({ Enable: true, HighAlarmValue: 105, PollingInterval: 0 });
    // PollingInterval 60 acts: no new reading 30 s on, one at 60 s.
    setReading(sysRoot, SENSOR_INPUTS.board, 50_000);
    now += 30_000;
    expect((await second.rows()).get(`${TABLE}3.`)).toMatchObject({ Value: 45 });
    now += 30_000;
    expect((await second.rows()).get(`${TABLE}3.`)).toMatchObject({ Value: 50, LastUpdate: at(now) });
  });

  it('follows a sensor whose hwmon directory is numbered differently at the next boot', async () => {
    const dir = tmp();
    const sysRoot = path.join(dir, 'sys');
    writeFakeSensors(sysRoot);
    const first = await boot(sysRoot, path.join(dir, 'data'), () => START_MS);
    await first.set(3, { HighAlarmValue: 70 });
    first.stop();
    // The I2C chip probed later this boot: hwmon2 is now hwmon7.
    fs.renameSync(path.join(sysRoot, 'class', 'hwmon', 'hwmon2'), path.join(sysRoot, 'class', 'hwmon', 'hwmon7'));
    const second = await boot(sysRoot, path.join(dir, 'data'), () => START_MS);
    expect((await second.rows()).get(`${TABLE}3.`)).toMatchObject({ Name: 'lm75 board', HighAlarmValue: 70 });
  });

  it('names namesakes apart, and keeps the settings of at most MAX_SENSORS sensors, the absent ones dropped first', () => {
    expect(sensorIdentities(['nvme Composite', 'cpu-thermal', 'nvme Composite'])).toEqual(['nvme Composite', 'cpu-thermal', 'nvme Composite#2']);
    const store = new DataStore();
    const settings = new SensorSettings(store);
    const ids = Array.from({ length: MAX_SENSORS + 5 }, (_, i) => `chip${i}`);
    // The first five left the host; the others are present.
    const present = ids.slice(5);
    for (const id of ids) settings.write(id, { HighAlarmValue: 90 }, present);
    for (const id of present) expect(settings.of(id), id).toEqual({ HighAlarmValue: 90 });
    for (const id of ids.slice(0, 5)) expect(settings.of(id), id).toEqual({});
  });
});
