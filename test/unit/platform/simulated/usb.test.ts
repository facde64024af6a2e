/**
 * The simulated gateway's Device.USB.: one xHCI host with two ports and a USB 3 flash drive in
 * port 1, whose Enable, PowerManagementEnable and Reset() act on the simulation, and a fleet
 * gateway that builds it only when something reads it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandInvocation } from '../../../../datamodel/tree/binding.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { SharedSupportedModel } from '../../../../datamodel/tree/SupportedTree.js';
import { type SimFixture, simulated } from './fixture.js';

const schema = Schema.load();
const U = 'Device.USB.';
const H = `${U}USBHosts.Host.1.`;
const running: SimFixture[] = [];
const gateway = (model?: DataModel): SimFixture => {
  const gw = simulated(7, { model });
  running.push(gw);
  return gw;
};
afterEach(() => {
  for (const gw of running.splice(0)) gw.stop();
});

describe('simulated USB', () => {
  it('serves the host, its two ports and the flash drive with its configuration', async () => {
    const gw = gateway();
    expect(await gw.values(U)).toEqual({ InterfaceNumberOfEntries: 1, PortNumberOfEntries: 2 });
    expect(await gw.values(`${U}Port.1.`)).toEqual({ Name: 'usb1-port1', Standard: '3.0', Type: 'Host', Receptacle: 'Standard-A', Rate: 'Super', Power: 'Bus' });
    expect(await gw.values(`${U}Port.2.`)).toMatchObject({ Name: 'usb1-port2', Power: 'Bus' });
    expect(await gw.values(H)).toEqual({ Enable: true, Name: 'usb1', Type: 'xHCI', PowerManagementEnable: true, USBVersion: '3.0', DeviceNumberOfEntries: 2 });
    expect(await gw.values(`${H}Device.1.`)).toMatchObject({
      DeviceNumber: 2,
      VendorID: 0x0781,
      Manufacturer: 'SanDisk',
      Rate: 'Super',
      Port: 1,
      USBPort: 'Device.USB.Port.1',
      Parent: '',
      IsSelfPowered: false,
      IsSuspended: true,
      ConfigurationNumberOfEntries: 1,
    });
    expect(await gw.values(`${H}Device.1.Configuration.1.Interface.1.`)).toEqual({ InterfaceNumber: 0, InterfaceClass: '08', InterfaceSubClass: '06', InterfaceProtocol: '50' });
    expect(await gw.values(`${H}Device.2.`)).toMatchObject({ DeviceNumber: 3, VendorID: 0x0b95, ProductID: 0x1790, DeviceClass: 'ff', USBPort: 'Device.USB.Port.2', IsSuspended: false });
    expect(await gw.instances(`${U}Interface.`)).toEqual([1]);
    expect(await gw.values(`${U}Interface.1.`)).toMatchObject({ Enable: true, Status: 'Up', Name: 'eth1', Upstream: false, MaxBitRate: 1000, Port: 'Device.USB.Port.2' });
  });

  it("eth1's Enable takes it down: Status Down, LastChange, and its Stats stand still until it is up again", async () => {
    const gw = gateway();
    gw.advance(600);
    const before = await gw.values(`${U}Interface.1.Stats.`);
    expect(Number(before.BytesSent)).toBeGreaterThan(0);
    await gw.set(`${U}Interface.1.`, { Enable: false });
    expect(await gw.values(`${U}Interface.1.`)).toMatchObject({ Enable: false, Status: 'Down', LastChange: 0 });
    gw.advance(600);
    expect(await gw.values(`${U}Interface.1.Stats.`)).toEqual(before);
    expect((await gw.values(`${U}Interface.1.`)).LastChange).toBe(600);
    await gw.set(`${U}Interface.1.`, { Enable: true });
    expect(await gw.values(`${U}Interface.1.`)).toMatchObject({ Status: 'Up', LastChange: 0 });
    gw.advance(600);
    expect(Number((await gw.values(`${U}Interface.1.Stats.`)).BytesSent)).toBeGreaterThan(Number(before.BytesSent));
    // The host switched off: the adapter and its interface are gone; on again, eth1 counts from 0.
    await gw.set(H, { Enable: false });
    expect(await gw.instances(`${U}Interface.`)).toEqual([]);
    await gw.set(H, { Enable: true });
    expect(Number((await gw.values(`${U}Interface.${(await gw.instances(`${U}Interface.`))[0]}.Stats.`)).BytesSent)).toBeLessThan(Number(before.BytesSent));
  });

  it('a disabled host shows no device; enabled again or reset, the drive and the adapter are new rows', async () => {
    const gw = gateway();
    await gw.instances(`${H}Device.`);
    await gw.set(H, { Enable: false, PowerManagementEnable: false });
    expect(await gw.values(H)).toMatchObject({ Enable: false, PowerManagementEnable: false, DeviceNumberOfEntries: 0 });
    expect(await gw.values(`${U}Port.1.`)).toMatchObject({ Power: 'Unknown' });
    await gw.set(H, { Enable: true });
    expect(await gw.instances(`${H}Device.`)).toEqual([3, 4]);
    // Power management off: the drive is never suspended.
    expect(await gw.values(`${H}Device.3.`)).toMatchObject({ DeviceNumber: 4, IsSuspended: false });
    await gw.binding(`${U}USBHosts.Host.{i}.`).commands!['Reset()']!.run({ keys: [1] } as unknown as CommandInvocation);
    expect(await gw.instances(`${H}Device.`)).toEqual([5, 6]);
  });

  it('claims only the writes it makes: a Set of anything else answers 7013 (Port has no Set at all: 7020)', async () => {
    const gw = gateway();
    await gw.values(H);
    expect(gw.binding(`${U}USBHosts.Host.{i}.`).writable).toEqual(['Enable', 'PowerManagementEnable']);
    expect(gw.binding(`${U}USBHosts.Host.{i}.Device.{i}.`).set).toBeUndefined();
    expect(gw.binding(`${U}Interface.{i}.`).writable).toEqual(['Enable']);
    await expect(gw.set(`${U}Port.1.`, { Rate: 'Low' })).rejects.toMatchObject({ code: 7020 });
  });

  it('a fleet gateway builds its USB only when something reads it', async () => {
    const share = new SharedSupportedModel();
    const builder = gateway(new DataModel(schema, { share }));
    builder.model.seal();
    const idle = gateway(new DataModel(schema, { share }));
    idle.model.seal();
    expect(idle.model.pendingGroups()).toContain('simulated USB');
    await idle.values('Device.DeviceInfo.');
    expect(idle.model.pendingGroups()).toContain('simulated USB');
    expect(await idle.values(`${U}Port.2.`)).toMatchObject({ Name: 'usb1-port2' });
    expect(idle.model.pendingGroups()).not.toContain('simulated USB');
  });
});
