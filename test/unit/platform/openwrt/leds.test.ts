/**
 * Device.LEDs. on OpenWrt: the kernel's LEDs read as on any Linux (platform/linux/leds.ts) under
 * the platform's sysRoot, beside the recorded ubus/uci of the other OpenWrt tests. The sysfs is
 * the router layout of test/fixtures/iot-sysfs (written by hand from the kernel ABI and OpenWrt's
 * LED names), plus a timer LED as /etc/init.d/led sets one up for a UCI `led` section with
 * trigger timer (delayon/delayoff).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeOpenWrt, openWrt, type PlatformFixture } from './fake-openwrt.js';

const ROUTER = fileURLToPath(new URL('../../../fixtures/iot-sysfs/router', import.meta.url));
const L = 'Device.LEDs.';

describe('openwrt platform: LEDs from sysfs', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  it("serves the board's LEDs with their triggers and a timer LED's cycle", async () => {
    const fake = fakeOpenWrt();
    const sysRoot = path.join(fake.dir, 'sys');
    fs.cpSync(ROUTER, sysRoot, { recursive: true });
    const timer = path.join(sysRoot, 'class', 'leds', 'red:alarm');
    fs.mkdirSync(timer);
    for (const [f, v] of Object.entries({ brightness: '0', max_brightness: '1', trigger: 'none [timer]', delay_on: '100', delay_off: '400' })) fs.writeFileSync(path.join(timer, f), `${v}\n`);
    fx = openWrt(fake, { sysRoot });
    const v = await fx.values();
    expect(v.get(L)).toEqual({ LEDNumberOfEntries: 5 });
    expect(v.get(`${L}LED.2.`)).toMatchObject({ Name: 'green:power', Status: 'InUse', Reason: 'default-on' });
    expect(v.get(`${L}LED.4.`)).toMatchObject({ Name: 'red:alarm', Reason: 'timer', CycleElementNumberOfEntries: 2 });
    expect(v.get(`${L}LED.4.CycleElement.1.`)).toMatchObject({ Color: 'FF0000', Duration: 100 });
    expect(v.get(`${L}LED.4.CurrentCycleElement.`)).toEqual({ CycleElementReference: 'Device.LEDs.LED.4.CycleElement.2', Color: '000000', Duration: 400 });
  });

  it('registers no LEDs where the kernel has none', async () => {
    fx = openWrt();
    expect(fx.model.bindingAt(`${L}LED.{i}.`)).toBeUndefined();
  });
});
