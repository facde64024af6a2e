import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { BOOT_MS, type SimFixture, simulated } from './fixture.js';
import { expectSharedCode, simulatedFleet } from './fleet-fixture.js';

describe('simulated platform: Device.LLDP. (the access switch on LAN port 2)', () => {
  let sim: SimFixture | undefined;
  afterEach(() => sim?.stop());

  it("serves the switch's chassis on Ethernet.Interface.2 and its port, last updated when lan2's link came up", async () => {
    sim = simulated();
    sim.advance(600);
    expect(await sim.values('Device.LLDP.Discovery.')).toEqual({ DeviceNumberOfEntries: 1 });
    const device = await sim.values('Device.LLDP.Discovery.Device.1.');
    expect(device).toMatchObject({ Interface: 'Device.Ethernet.Interface.2', ChassisIDSubtype: 4, Host: '', PortNumberOfEntries: 1 });
    expect(device.ChassisID).toMatch(/^48:a9:8a(:[0-9a-f]{2}){3}$/);
    expect((await sim.values('Device.Ethernet.Interface.2.')).Name).toBe('lan2');
    const port = await sim.values('Device.LLDP.Discovery.Device.1.Port.1.');
    expect(port).toMatchObject({ PortIDSubtype: 5, PortID: 'ether5', TTL: 120, PortDescription: 'ether5', MACAddressList: '' });
    // No HTIP TLVs from a MikroTik: LLDPRemOrgDefInfo's objects are there, empty.
    expect(await sim.values('Device.LLDP.Discovery.Device.1.DeviceInformation.')).toEqual({
      DeviceCategory: '',
      ManufacturerOUI: '',
      ModelName: '',
      ModelNumber: '',
      VendorSpecificNumberOfEntries: 0,
    });
    expect(await sim.values('Device.LLDP.Discovery.Device.1.Port.1.LinkInformation.')).toEqual({ InterfaceType: 0, MACForwardingTable: '' });
    const last = Date.parse(String(port.LastUpdate));
    expect(last).toBeGreaterThanOrEqual(BOOT_MS);
    expect(last).toBeLessThan(BOOT_MS + 600_000);
  });

  it("another gateway (seed) hears another switch: the chassis MAC follows the gateway's MAC block", async () => {
    const [other, same] = [simulated(43), simulated(42)];
    try {
      sim = simulated(42);
      const mac = async (gw: SimFixture) => (await gw.values('Device.LLDP.Discovery.Device.1.')).ChassisID;
      expect(await mac(other)).not.toBe(await mac(sim));
      expect(await mac(same)).toBe(await mac(sim));
    } finally {
      other.stop();
      same.stop();
    }
  });

  it('the switch goes with the link of lan2 and comes back with it', async () => {
    sim = simulated();
    sim.advance(60);
    await sim.set('Device.Ethernet.Interface.2.', { Enable: false });
    expect(await sim.instances('Device.LLDP.Discovery.Device.')).toEqual([]);
    await sim.set('Device.Ethernet.Interface.2.', { Enable: true });
    sim.advance(10);
    expect(await sim.instances('Device.LLDP.Discovery.Device.')).toEqual([1]);
  });

  it('a row the table does not list answers 7016; the rows are read-only', async () => {
    sim = simulated();
    expect(() => sim!.binding('Device.LLDP.Discovery.Device.{i}.').get([2], {})).toThrow(expect.objectContaining({ code: ErrorCode.ObjectDoesNotExist }));
    expect(() => sim!.binding('Device.LLDP.Discovery.Device.{i}.Port.{i}.').get([1, 2], {})).toThrow(expect.objectContaining({ code: ErrorCode.ObjectDoesNotExist }));
    expect(sim.binding('Device.LLDP.Discovery.Device.{i}.').set).toBeUndefined();
  });
});

describe('simulated Device.LLDP. in a fleet', () => {
  const fleet = simulatedFleet(3);

  it("two gateways share the bindings' methods and served names", async () => {
    const [a, b] = fleet(2);
    for (const path of [
      'Device.LLDP.',
      'Device.LLDP.Discovery.',
      'Device.LLDP.Discovery.Device.{i}.DeviceInformation.',
      'Device.LLDP.Discovery.Device.{i}.DeviceInformation.VendorSpecific.{i}.',
      'Device.LLDP.Discovery.Device.{i}.Port.{i}.LinkInformation.',
    ])
      expect(b!.binding(path)).toBe(a!.binding(path));
    for (const path of ['Device.LLDP.Discovery.Device.{i}.', 'Device.LLDP.Discovery.Device.{i}.Port.{i}.']) expectSharedCode(path, a!.binding(path), b!.binding(path));
    for (const gw of [a!, b!]) expect(await gw.instances('Device.LLDP.Discovery.Device.')).toEqual([1]);
  });
});
