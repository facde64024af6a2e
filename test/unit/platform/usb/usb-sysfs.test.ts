/**
 * Device.USB. on Linux/OpenWrt over the sysfs tree recorded in a VM (test/fixtures/linux/usb-sysfs:
 * an EHCI and an xHCI controller, a CDC Ethernet adapter, a USB 3 stick, a hub with a keyboard,
 * a tablet), copied to a temp dir, served through the data model as a Get reads it; the Host
 * writes land in the root hub's own attribute files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { readSubtree, type ObjectValues } from '../../../../datamodel/tree/read-object.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { HostFiles } from '../../../../platform/linux/HostFiles.js';
import { readUsbTree, registerSysfsUsb } from '../../../../platform/usb/usb-sysfs.js';
import { parseUsbTree, usbRate, usbVersion } from '../../../../platform/usb/usb-sysfs-parse.js';
import { refusal } from '../refusal.js';

const FIXTURE = fileURLToPath(new URL('../../../fixtures/linux/usb-sysfs/sys', import.meta.url));
const schema = Schema.load();
const U = 'Device.USB.';
const H = `${U}USBHosts.Host.`;

let root: string;
let clock = 1_000_000;
const now = (): number => clock;
const devices = (...p: string[]): string => path.join(root, 'bus', 'usb', 'devices', ...p);

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-usb-sysfs-'));
  fs.cpSync(FIXTURE, root, { recursive: true, verbatimSymlinks: true });
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function served(opts: Parameters<typeof registerSysfsUsb>[3] = {}): DataModel {
  const model = new DataModel(schema);
  expect(registerSysfsUsb(model, new HostFiles({ sysRoot: root }), now, opts)).toBe(true);
  return model;
}

const at = (model: DataModel, supported: string, ...keys: number[]) => ({ node: model.requireNode(supported), keys });

async function read(model: DataModel): Promise<Map<string, Record<string, unknown>>> {
  const out: ObjectValues[] = [];
  await readSubtree(model, { node: model.root, keys: [] }, 0, {}, out);
  return new Map(out.filter((o) => o.path.startsWith(U)).map((o) => [o.path, o.values]));
}

describe('sysfs values', () => {
  it('speed and version as TR-181 says them', () => {
    expect(['1.5', '12', '480', '5000', '10000', '20000', 'x', undefined].map(usbRate)).toEqual(['Low', 'Full', 'High', 'Super', 'Super', 'Super', 'Unknown', 'Unknown']);
    expect([' 2.00', '1.10', '3.20', '', undefined, 'x'].map(usbVersion)).toEqual(['2.0', '1.1', '3.2', '', '', '']);
  });

  it('a host without USB registers nothing', () => {
    const model = new DataModel(schema);
    expect(registerSysfsUsb(model, new HostFiles({ sysRoot: path.join(root, 'nothing') }), now)).toBe(false);
    expect(model.bindingAt('Device.USB.')).toBeUndefined();
  });
});

describe('the recorded tree', () => {
  it('one Host per root hub; the xHCI twin ports are one physical Port', async () => {
    const t = parseUsbTree(await readUsbTree(new HostFiles({ sysRoot: root })));
    expect(t.hosts.map((h) => [h.name, h.type, h.usbVersion, h.devices.map((d) => d.key)])).toEqual([
      ['usb1', 'EHCI', '2.0', ['1-1#2']],
      ['usb2', 'xHCI', '2.0', ['2-1#2', '2-3#3', '2-3.1#4']],
      ['usb3', 'xHCI', '3.0', ['3-2#2']],
    ]);
    expect(t.ports.map((p) => p.name)).toEqual(['usb1-port1', 'usb1-port2', 'usb1-port3', 'usb1-port4', 'usb1-port5', 'usb1-port6', 'usb2-port1', 'usb2-port2', 'usb2-port3', 'usb2-port4']);
    // The stick sits on the SuperSpeed side of physical port 2.
    expect(t.ports.find((p) => p.name === 'usb2-port2')).toEqual({ name: 'usb2-port2', standard: '3.0', type: 'Host', receptacle: 'Standard-A', rate: 'Super', power: 'Self' });
    // An empty xHCI port signals at its SuperSpeed side's rate.
    expect(t.ports.find((p) => p.name === 'usb2-port4')).toMatchObject({ standard: '3.0', rate: 'Super', power: 'Unknown' });
    expect(t.hosts[2].devices[0].usbPort).toBe('usb2-port2');
    expect(t.interfaces).toEqual([{ name: 'enx525400123456', enable: true, status: 'Up', upstream: true, maxBitRate: 12, macAddress: '52:54:00:12:34:56', port: 'usb2-port1' }]);
  });

  it('serves every object of Device.USB. through the data model', async () => {
    const v = await read(served());
    expect(v.get(U)).toEqual({ InterfaceNumberOfEntries: 1, PortNumberOfEntries: 10 });
    expect(v.get(`${U}USBHosts.`)).toEqual({ HostNumberOfEntries: 3 });
    expect(v.get(`${U}Port.8.`)).toEqual({ Name: 'usb2-port2', Standard: '3.0', Type: 'Host', Receptacle: 'Standard-A', Rate: 'Super', Power: 'Self' });
    expect(v.get(`${U}Interface.1.`)).toEqual({
      Enable: true,
      Status: 'Up',
      Name: 'enx525400123456',
      LastChange: 0,
      LowerLayers: '',
      Upstream: true,
      MaxBitRate: 12,
      MACAddress: '52:54:00:12:34:56',
      Port: 'Device.USB.Port.7',
    });
    expect(v.get(`${U}Interface.1.Stats.`)).toMatchObject({ BytesSent: expect.stringMatching(/^\d+$/), PacketsReceived: expect.stringMatching(/^\d+$/), ErrorsSent: 0 });
    expect(v.get(`${H}2.`)).toEqual({ Enable: true, Name: 'usb2', Type: 'xHCI', PowerManagementEnable: true, USBVersion: '2.0', DeviceNumberOfEntries: 3 });
    expect(v.get(`${H}2.Device.3.`)).toMatchObject({ DeviceNumber: 4, ProductClass: 'QEMU USB Keyboard', Port: 1, USBPort: '', Parent: 'Device.USB.USBHosts.Host.2.Device.2', Rate: 'Full' });
    expect(v.get(`${H}2.Device.2.`)).toMatchObject({ DeviceClass: '09', MaxChildren: 8, USBPort: 'Device.USB.Port.9', Parent: '', IsSelfPowered: true });
    expect(v.get(`${H}3.Device.1.`)).toMatchObject({ DeviceNumber: 2, USBVersion: '3.0', VendorID: 0x46f4, ProductID: 1, Rate: 'Super', USBPort: 'Device.USB.Port.8', IsSuspended: false });
    expect(v.get(`${H}2.Device.1.Configuration.1.`)).toEqual({ ConfigurationNumber: 1, InterfaceNumberOfEntries: 2 });
    expect(v.get(`${H}2.Device.1.Configuration.1.Interface.2.`)).toEqual({ InterfaceNumber: 1, InterfaceClass: '0a', InterfaceSubClass: '00', InterfaceProtocol: '00' });
  });

  it('a device unplugged between two reads leaves its row (7016 for its number); plugged again it is a new row', async () => {
    const model = served();
    expect((await read(model)).get(`${H}3.`)).toMatchObject({ DeviceNumberOfEntries: 1 });
    fs.rmSync(devices('3-2'), { recursive: true });
    fs.rmSync(devices('3-2:1.0'), { recursive: true });
    clock += 2000;
    const v = await read(model);
    expect(v.get(`${H}3.`)).toMatchObject({ DeviceNumberOfEntries: 0 });
    expect(v.has(`${H}3.Device.1.`)).toBe(false);
    expect((await refusal(() => model.readValues({ node: model.requireNode(`${H}{i}.Device.{i}.`), keys: [3, 1] }, {}))).code).toBe(7016);
    // The port is empty now.
    expect(v.get(`${U}Port.8.`)).toMatchObject({ Rate: 'Super', Power: 'Unknown' });
    // Plugged again, the stick gets the bus's next address: a new row.
    fs.cpSync(path.join(FIXTURE, 'bus/usb/devices/3-2'), devices('3-2'), { recursive: true });
    fs.writeFileSync(devices('3-2', 'devnum'), '3\n');
    clock += 2000;
    expect(await model.listInstances(model.requireNode(`${H}{i}.Device.{i}.`), [3], {})).toEqual([2]);
  });

  it('Host Enable and PowerManagementEnable write the root hub attributes; Reset() re-authorizes it', async () => {
    const model = served();
    await read(model);
    const tx = new Transaction(model, {});
    await tx.set(at(model, `${H}{i}.`, 3), { Enable: false, PowerManagementEnable: false });
    await tx.commit();
    expect(fs.readFileSync(devices('usb3', 'authorized'), 'utf8')).toBe('0');
    expect(fs.readFileSync(devices('usb3', 'power', 'control'), 'utf8')).toBe('on');
    expect((await read(model)).get(`${H}3.`)).toMatchObject({ Enable: false, PowerManagementEnable: false });
    // Reset() of a disabled host is refused: it would switch the host on.
    const reset = model.commandBinding(model.requireNode(`${H}{i}.`), 'Reset()')!;
    const call = { keys: [3], objectPath: `${H}3.`, input: {}, commandKey: '', ctx: {}, signal: new AbortController().signal };
    expect((await refusal(() => reset.run(call))).code).toBe(7022);
    fs.writeFileSync(devices('usb3', 'authorized'), '1\n');
    clock += 2000;
    expect(await reset.run(call)).toEqual({});
    expect(fs.readFileSync(devices('usb3', 'authorized'), 'utf8')).toBe('1');
  });

  it('Interface Enable is read-only without a link switch; with one it calls it', async () => {
    expect(served().bindingAt(`${U}Interface.{i}.`)?.writable).toEqual([]);
    const calls: unknown[] = [];
    const rw = served({ setLinkEnable: async (...a) => void calls.push(a) });
    await read(rw);
    const tx = new Transaction(rw, {});
    await tx.set(at(rw, `${U}Interface.{i}.`, 1), { Enable: false });
    await tx.commit();
    expect(calls).toEqual([['enx525400123456', false, 'Device.USB.Interface.1.Enable']]);
  });

  it('serves nothing else as writable: a Set of another parameter answers 7013 (GetSupportedDM: read-only)', () => {
    const model = served({ setLinkEnable: async () => undefined });
    expect(model.bindingAt(`${H}{i}.`)?.writable).toEqual(['Enable', 'PowerManagementEnable']);
    expect(model.bindingAt(`${U}Interface.{i}.`)?.writable).toEqual(['Enable']);
    for (const p of [`${U}Port.{i}.`, `${H}{i}.Device.{i}.`]) expect(model.bindingAt(p)?.writable ?? []).toEqual([]);
  });
});
