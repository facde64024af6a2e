/**
 * Device.DeviceInfo.TemperatureStatus on OpenWrt: the same kernel sensors as on any Linux
 * (platform/linux/temperature-status.ts), read under the platform's sysRoot; here the fake sysfs
 * laid out from the kernel ABI (test/unit/platform/linux/fake-sensors.ts).
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFakeSensors } from '../linux/fake-sensors.js';
import { fakeOpenWrt, openWrt, type PlatformFixture } from './fake-openwrt.js';

describe('openwrt platform: TemperatureStatus from sysfs', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  it('serves the thermal zone and the hwmon inputs', async () => {
    const fake = fakeOpenWrt();
    const sysRoot = path.join(fake.dir, 'sys');
    writeFakeSensors(sysRoot);
    fx = openWrt(fake, { sysRoot });
    const v = await fx.values('Device.DeviceInfo.TemperatureStatus.');
    expect(v.get('Device.DeviceInfo.TemperatureStatus.')).toEqual({ TemperatureSensorNumberOfEntries: 3 });
    expect([1, 2, 3].map((n) => v.get(`Device.DeviceInfo.TemperatureStatus.TemperatureSensor.${n}.`)?.Name)).toEqual(['cpu-thermal', 'mt7915_phy0 temp1', 'lm75 board']);
    expect(v.get('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.2.')).toMatchObject({ Status: 'Enabled', Value: 52, HighAlarmValue: 110 });
  });

  it('serves an empty table where the kernel publishes no sensor', async () => {
    fx = openWrt();
    const v = await fx.values('Device.DeviceInfo.TemperatureStatus.');
    expect(v.get('Device.DeviceInfo.TemperatureStatus.')).toEqual({ TemperatureSensorNumberOfEntries: 0 });
  });
});
