/**
 * Device.USB. of a real `usp-agent run --platform linux` process serving the USB sysfs tree
 * recorded in a QEMU guest (its files in the router tree test/fixtures/iot-sysfs/router, copied
 * to a temp dir and named by USP_AGENT_SYSFS_ROOT), read by a real Controller over WebSocket:
 * ports, hosts, devices and the USB network adapter; a device unplugged between two reads
 * (its directories removed); Host Enable written to the root hub's `authorized`; a Set of a
 * read-only parameter refused (7013) and of an unmanaged interface's Enable (7002), with the
 * agent still answering.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { get, operate, set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { sysfsAgent } from '../peers/sysfs-agent.js';

const U = 'Device.USB.';
const H = `${U}USBHosts.Host.`;
const dev = sysfsAgent('usp-linux-usb-');
const devices = (...p: string[]): string => join(dev.sysRoot, 'bus', 'usb', 'devices', ...p);

describe('Linux Device.USB from sysfs, through a Controller', () => {
  it('serves the ports, hosts, devices with their configurations, and the USB network interface', async () => {
    const v = await getObjects(dev.c, [U]);
    expect(v[U]).toEqual({ InterfaceNumberOfEntries: '1', PortNumberOfEntries: '10' });
    expect(v[`${U}USBHosts.`]).toEqual({ HostNumberOfEntries: '3' });
    expect(v[`${H}1.`]).toMatchObject({ Enable: 'true', Name: 'usb1', Type: 'EHCI', USBVersion: '2.0', DeviceNumberOfEntries: '1' });
    expect(v[`${H}3.`]).toMatchObject({ Name: 'usb3', Type: 'xHCI', USBVersion: '3.0', DeviceNumberOfEntries: '1' });
    expect(v[`${H}3.Device.1.`]).toMatchObject({ DeviceNumber: '2', Manufacturer: 'QEMU', ProductClass: 'QEMU USB HARDDRIVE', Rate: 'Super', USBPort: 'Device.USB.Port.8' });
    expect(v[`${H}2.Device.3.`]).toMatchObject({ ProductClass: 'QEMU USB Keyboard', Parent: 'Device.USB.USBHosts.Host.2.Device.2' });
    expect(v[`${H}3.Device.1.Configuration.1.Interface.1.`]).toEqual({ InterfaceNumber: '0', InterfaceClass: '08', InterfaceSubClass: '06', InterfaceProtocol: '50' });
    expect(v[`${U}Port.8.`]).toEqual({ Alias: expect.any(String), Name: 'usb2-port2', Standard: '3.0', Type: 'Host', Receptacle: 'Standard-A', Rate: 'Super', Power: 'Self' });
    expect(v[`${U}Interface.1.`]).toMatchObject({ Enable: 'true', Status: 'Up', Name: 'enx525400123456', Upstream: 'true', MACAddress: '52:54:00:12:34:56', Port: 'Device.USB.Port.7' });
    expect(Number(v[`${U}Interface.1.Stats.`].PacketsSent)).toBeGreaterThan(0);
  });

  it('a device unplugged between two reads is gone from the next', async () => {
    expect(await get(dev.c, `${H}3.DeviceNumberOfEntries`)).toBe('1');
    rmSync(devices('3-2:1.0'), { recursive: true });
    rmSync(devices('3-2'), { recursive: true });
    await expect.poll(() => get(dev.c, `${H}3.DeviceNumberOfEntries`), { timeout: 15_000 }).toBe('0');
    expect(await get(dev.c, `${U}Port.8.Power`)).toBe('Unknown');
    expect((await getObjects(dev.c, [H]))[`${H}3.Device.1.`]).toBeUndefined();
  });

  it('Host Enable and PowerManagementEnable write the root hub; Reset() of a disabled host is refused', async () => {
    await set(dev.c, `${H}1.`, { Enable: 'false', PowerManagementEnable: 'false' });
    expect(readFileSync(devices('usb1', 'authorized'), 'utf8')).toBe('0');
    expect(readFileSync(devices('usb1', 'power', 'control'), 'utf8')).toBe('on');
    await expect.poll(() => get(dev.c, `${H}1.Enable`), { timeout: 15_000 }).toBe('false');
    expect(await operate(dev.c, `${H}1.Reset()`)).toMatchObject({ ok: false, errCode: 7022 });
    await set(dev.c, `${H}1.`, { Enable: 'true' });
    expect(await operate(dev.c, `${H}1.Reset()`)).toEqual({ ok: true, value: true });
    expect(readFileSync(devices('usb1', 'authorized'), 'utf8')).toBe('1');
  });

  it('refuses a Set of a read-only parameter and of an unmanaged interface, and keeps answering', async () => {
    // LowerLayers is writable in TR-181; a USB interface is the lowest layer here: 7013.
    expect(await trySet(dev.c, `${U}Interface.1.`, { LowerLayers: 'Device.USB.Port.7' })).toMatchObject({ ok: false, paramErrCode: 7013 });
    expect(await trySet(dev.c, `${U}Port.1.`, { Name: 'front' })).toMatchObject({ ok: false, paramErrCode: 7013 });
    // Not named by --manage-interfaces: the agent leaves the netdev alone.
    expect(await trySet(dev.c, `${U}Interface.1.`, { Enable: 'false' })).toMatchObject({ ok: false, paramErrCode: 7002 });
    expect(await get(dev.c, `${U}Interface.1.Name`)).toBe('enx525400123456');
  });
});
