/**
 * Device.USB. on OpenWrt: the same sysfs reading as on Linux (platform/usb/usb-sysfs.ts) under the
 * platform's sysRoot, beside the recorded ubus/uci of the other OpenWrt tests. The sysfs is the
 * router tree of test/fixtures/iot-sysfs, whose USB files were recorded in a QEMU guest
 * (test/fixtures/linux/usb-sysfs). Interface Enable stays read-only: netifd owns the links.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeOpenWrt, openWrt, type PlatformFixture } from './fake-openwrt.js';

const ROUTER = fileURLToPath(new URL('../../../fixtures/iot-sysfs/router', import.meta.url));
const U = 'Device.USB.';

describe('openwrt platform: USB from sysfs', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  it('serves the ports, hosts, devices and the USB network interface', async () => {
    const fake = fakeOpenWrt();
    const sysRoot = path.join(fake.dir, 'sys');
    fs.cpSync(ROUTER, sysRoot, { recursive: true });
    fx = openWrt(fake, { sysRoot });
    const v = await fx.values();
    expect(v.get(U)).toEqual({ InterfaceNumberOfEntries: 1, PortNumberOfEntries: 10 });
    expect(v.get(`${U}USBHosts.Host.3.`)).toMatchObject({ Name: 'usb3', Type: 'xHCI', USBVersion: '3.0', DeviceNumberOfEntries: 1 });
    expect(v.get(`${U}Interface.1.`)).toMatchObject({ Name: 'enx525400123456', Status: 'Up', Port: 'Device.USB.Port.7' });
    expect(fx.model.bindingAt(`${U}Interface.{i}.`)?.writable).toEqual([]);
    expect(fx.model.bindingAt(`${U}USBHosts.Host.{i}.`)?.writable).toEqual(['Enable', 'PowerManagementEnable']);
  });

  it('registers no USB where the kernel has none', () => {
    fx = openWrt();
    expect(fx.model.bindingAt(`${U}USBHosts.Host.{i}.`)).toBeUndefined();
  });
});
