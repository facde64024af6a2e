/**
 * Device.USB. on OpenWrt: the same sysfs reading as on Linux (platform/usb/usb-sysfs.ts) under the
 * platform's sysRoot, beside the recorded ubus/uci of the other OpenWrt tests. The sysfs is the
 * router tree of test/fixtures/iot-sysfs, whose USB files were recorded in a QEMU guest
 * (test/fixtures/linux/usb-sysfs). Interface Enable is the netdev's netifd `config device`
 * section (platform/openwrt/usb-interface-enable.ts): the configuration uci shows after a write
 * is the recorded one with the lines the write adds, written here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { refusal } from '../refusal.js';
import { defaultUci, FIXTURES, fakeOpenWrt, openWrt, type PlatformFixture } from './fake-openwrt.js';

const ROUTER = fileURLToPath(new URL('../../../fixtures/iot-sysfs/router', import.meta.url));
const U = 'Device.USB.';
const NETDEV = 'enx525400123456';
const RELOAD = ['ubus', 'call', 'network', 'reload'];
const COMMIT = ['uci', 'commit', 'network'];

/** The fixture's `uci show network` with these lines appended (what uci shows after the write). */
function uciWith(lines: string[]): { text: string } {
  return { text: (defaultUci().network as { text: string }).text + lines.map((l) => `${l}\n`).join('') };
}

describe('openwrt platform: USB from sysfs', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  const start = (): PlatformFixture => {
    const fake = fakeOpenWrt();
    const sysRoot = path.join(fake.dir, 'sys');
    fs.cpSync(ROUTER, sysRoot, { recursive: true });
    return openWrt(fake, { sysRoot });
  };
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));

  it('serves the ports, hosts, devices and the USB network interface', async () => {
    fx = start();
    const v = await fx.values();
    expect(v.get(U)).toEqual({ InterfaceNumberOfEntries: 1, PortNumberOfEntries: 10 });
    expect(v.get(`${U}USBHosts.Host.3.`)).toMatchObject({ Name: 'usb3', Type: 'xHCI', USBVersion: '3.0', DeviceNumberOfEntries: 1 });
    expect(v.get(`${U}Interface.1.`)).toMatchObject({ Name: 'enx525400123456', Status: 'Up', Port: 'Device.USB.Port.7' });
    expect(fx.model.bindingAt(`${U}Interface.{i}.`)?.writable).toEqual(['Enable']);
    expect(fx.model.bindingAt(`${U}USBHosts.Host.{i}.`)?.writable).toEqual(['Enable', 'PowerManagementEnable']);
  });

  it("writes Interface Enable as the netdev's netifd device section and reads it back from there", async () => {
    fx = start();
    expect((await fx.values(U)).get(`${U}Interface.1.`)).toMatchObject({ Enable: true });
    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('network', uciWith([`network.usp_port_${NETDEV}=device`, `network.usp_port_${NETDEV}.name='${NETDEV}'`, `network.usp_port_${NETDEV}.enabled='0'`]));
    await fx.binding(`${U}Interface.{i}.`).set!([1], { Enable: false }, {});
    expect(writes()).toEqual([
      ['uci', 'set', `network.usp_port_${NETDEV}=device`],
      ['uci', 'set', `network.usp_port_${NETDEV}.name=${NETDEV}`],
      ['uci', 'set', `network.usp_port_${NETDEV}.enabled=0`],
      COMMIT,
      RELOAD,
    ]);
    // The recorded sysfs still shows the link up: Enable is what netifd is told, Status the link's.
    expect((await fx.values(U)).get(`${U}Interface.1.`)).toMatchObject({ Name: NETDEV, Enable: false });
    fx.fake.clearLog();
    await fx.binding(`${U}Interface.{i}.`).set!([1], { Enable: true }, {});
    expect(writes()).toEqual([['uci', 'delete', `network.usp_port_${NETDEV}.enabled`], COMMIT, RELOAD]);
  });

  it('refuses to disable the USB netdev the default route leaves through (7012) and writes nothing', async () => {
    fx = start();
    const dump = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-network-interface-dump.json'), 'utf8')) as { interface: Array<Record<string, unknown>> };
    dump.interface.push({ interface: 'usbwan', up: true, device: NETDEV, l3_device: NETDEV, route: [{ target: '0.0.0.0', mask: 0, nexthop: '192.168.8.1' }] });
    fx.fake.respond('network.interface dump', { json: dump });
    await fx.values(U);
    fx.fake.clearLog();
    const e = await refusal(() => fx.binding(`${U}Interface.{i}.`).set!([1], { Enable: false }, {}));
    expect(e.code).toBe(ErrorCode.InvalidValue);
    expect(writes()).toEqual([]);
  });

  it('registers no USB where the kernel has none', () => {
    fx = openWrt();
    expect(fx.model.bindingAt(`${U}USBHosts.Host.{i}.`)).toBeUndefined();
  });
});
