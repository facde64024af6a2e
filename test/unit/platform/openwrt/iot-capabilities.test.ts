/**
 * Device.IoTCapability.{i}. on OpenWrt: the kernel's LEDs and sensors as on any Linux
 * (platform/linux/iot-capabilities.ts), read under the platform's sysRoot, beside the recorded
 * ubus/uci of the other OpenWrt tests. The sysfs is the router layout of
 * test/fixtures/iot-sysfs (written by hand from the kernel ABI and OpenWrt's LED names).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { fakeOpenWrt, openWrt, type PlatformFixture } from './fake-openwrt.js';

const ROUTER = fileURLToPath(new URL('../../../fixtures/iot-sysfs/router', import.meta.url));
const T = 'Device.IoTCapability.';

describe('openwrt platform: IoTCapability from sysfs', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  it("serves the board's LEDs, thermal zone, GPIO inputs, colour sensor and charger, and writes back a Controller's LED setting when the store is loaded", async () => {
    const fake = fakeOpenWrt();
    const sysRoot = path.join(fake.dir, 'sys');
    fs.cpSync(ROUTER, sysRoot, { recursive: true });
    const store = new DataStore();
    fx = openWrt(fake, { sysRoot, store });
    const v = await fx.values();
    expect(v.get(`${T}3.BinaryControl.`)).toMatchObject({ Description: 'LED green:power', Value: true });
    expect(v.get(`${T}9.LevelSensor.`)).toMatchObject({ Type: 'Temperature', Value: '47.5' });
    // The kernel's other sensors through the same code: the tamper and water-leak lines, the colour sensor, the charger.
    expect(v.get(`${T}10.BinarySensor.`)).toMatchObject({ Type: 'DoorOpen', Value: false });
    expect(v.get(`${T}11.BinarySensor.`)).toMatchObject({ Type: 'WaterDetected', Value: false });
    expect(v.get(`${T}12.MultiLevelSensor.`)).toMatchObject({ Type: 'RGB', Values: '412,530,298', ValueNames: 'Red,Green,Blue' });
    expect(v.get(`${T}13.EnumSensor.`)).toMatchObject({ Type: 'OperatingState', Value: 'Charging' });
    expect(v.get(`${T}14.BlobSensor.`)).toMatchObject({ Type: 'text' });
    await fx.binding(`${T}{i}.BinaryControl.`).set!([3], { Value: false }, {});
    expect(fs.readFileSync(path.join(sysRoot, 'class', 'leds', 'green:power', 'brightness'), 'utf8').trim()).toBe('0');
    // /etc/init.d/led at the next boot: the board's UCI led section switches it on again; the agent's start puts it back.
    fs.writeFileSync(path.join(sysRoot, 'class', 'leds', 'green:power', 'brightness'), '1\n');
    await fx.platform.stateLoaded();
    expect(fs.readFileSync(path.join(sysRoot, 'class', 'leds', 'green:power', 'brightness'), 'utf8').trim()).toBe('0');
  });

  it('registers no IoTCapability where the kernel has no LED or sensor', async () => {
    fx = openWrt();
    expect(fx.model.bindingAt(`${T}{i}.`)).toBeUndefined();
  });
});
