/**
 * On OpenWrt the kernel sensors' settings a Controller writes are kept in the agent's store too
 * (the platform takes the store and starts the polls at stateLoaded, as the agent calls them);
 * the sensors themselves are test/unit/platform/linux/temperature-settings.test.ts's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { UNKNOWN_TIME } from '../../../../datamodel/value/Value.js';
import { SENSOR_INPUTS, setReading, writeFakeSensors } from '../linux/fake-sensors.js';
import { fakeOpenWrt, openWrt, type PlatformFixture } from './fake-openwrt.js';

const SENSOR = 'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.';

describe('openwrt platform: temperature sensor settings in the agent store', () => {
  const fixtures: PlatformFixture[] = [];
  let dir: string | undefined;
  afterEach(() => {
    for (const f of fixtures.splice(0)) f.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const boot = async (sysRoot: string, dataDir: string): Promise<{ fx: PlatformFixture; store: DataStore }> => {
    const store = new DataStore(dataDir);
    const fx = openWrt(fakeOpenWrt(), { sysRoot, store });
    fixtures.push(fx);
    store.load((why) => {
      throw new Error(why);
    });
    await fx.platform.stateLoaded();
    return { fx, store };
  };

  it('brings back a threshold set before the restart, and judges the first reading by it', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-owrt-temp-'));
    const sysRoot = path.join(dir, 'sys');
    writeFakeSensors(sysRoot);
    const first = await boot(sysRoot, path.join(dir, 'data'));
    await first.fx.binding(`${SENSOR}{i}.`).set!([2], { HighAlarmValue: 60 }, {});
    await first.store.flush();
    fixtures.splice(0).forEach((f) => f.close());

    setReading(sysRoot, SENSOR_INPUTS.wifi, 65_000);
    const second = await boot(sysRoot, path.join(dir, 'data'));
    const v = await second.fx.values('Device.DeviceInfo.TemperatureStatus.');
    expect(v.get(`${SENSOR}2.`)).toMatchObject({ Name: 'mt7915_phy0 temp1', HighAlarmValue: 60, Value: 65 });
    // 65 °C is under the chip's limit (110): only the saved threshold fires.
    expect(v.get(`${SENSOR}2.`)?.HighAlarmTime).not.toBe(UNKNOWN_TIME);
  });
});
