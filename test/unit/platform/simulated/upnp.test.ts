import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { BOOT_MS, type SimFixture, simulated } from './fixture.js';
import { expectSharedCode, simulatedFleet } from './fleet-fixture.js';

describe('simulated platform: Device.UPnP. (its own IGD; a printer, a NAS and a TV on the LAN)', () => {
  let sim: SimFixture | undefined;
  afterEach(() => sim?.stop());

  it('ships with UPnP and the IGD on; Capabilities: UPnP 1.1, IGD 2, MediaServer 1', async () => {
    sim = simulated();
    expect(await sim.values('Device.UPnP.Device.')).toEqual({
      Enable: true,
      UPnPMediaServer: false,
      UPnPMediaRenderer: false,
      UPnPWLANAccessPoint: false,
      UPnPQoSDevice: false,
      UPnPQoSPolicyHolder: false,
      UPnPIGD: true,
    });
    expect(await sim.values('Device.UPnP.Device.Capabilities.')).toMatchObject({ UPnPArchitecture: 1, UPnPArchitectureMinorVer: 1, UPnPIGD: 2, UPnPMediaServer: 1, UPnPMediaRenderer: 0 });
  });

  it('hears three root devices, the NAS media server and six services, each service under its device', async () => {
    sim = simulated();
    sim.advance(120);
    expect(await sim.values('Device.UPnP.Discovery.')).toEqual({ RootDeviceNumberOfEntries: 3, DeviceNumberOfEntries: 1, ServiceNumberOfEntries: 6 });
    expect(await sim.values('Device.UPnP.Discovery.RootDevice.1.')).toEqual({
      Status: 'LeaseActive',
      UUID: 'a6f2c1d0-3b4e-4f5a-8c9d-0e1f2a3b4c5d',
      USN: 'uuid:a6f2c1d0-3b4e-4f5a-8c9d-0e1f2a3b4c5d::urn:schemas-upnp-org:device:Printer:1',
      LeaseTime: 1800,
      Location: 'http://192.168.1.23:8080/upnp/printer.xml',
      Server: 'HP-ChaiSOE/1.0 UPnP/1.0 HP-OfficeJet-Pro-9010/1.0',
      Host: '',
      LastUpdate: '2025-03-10T08:00:38Z',
    });
    expect(await sim.values('Device.UPnP.Discovery.Device.1.')).toMatchObject({ USN: expect.stringMatching(/::urn:schemas-upnp-org:device:MediaServer:1$/) });
    expect(await sim.values('Device.UPnP.Discovery.Service.2.')).toMatchObject({ USN: expect.stringMatching(/service:ContentDirectory:1$/), ParentDevice: 'Device.UPnP.Discovery.Device.1' });
    expect(await sim.values('Device.UPnP.Discovery.Service.6.')).toMatchObject({ USN: expect.stringMatching(/service:AVTransport:1$/), ParentDevice: 'Device.UPnP.Discovery.RootDevice.3' });
  });

  it('LastUpdate moves with each re-announcement (every 900 s)', async () => {
    sim = simulated();
    sim.advance(38 + 900 * 2 + 5);
    expect((await sim.values('Device.UPnP.Discovery.RootDevice.1.')).LastUpdate).toBe(new Date(BOOT_MS + (38 + 1800) * 1000).toISOString().replace('.000', ''));
  });

  it('Enable false empties the Discovery tables; a function Capabilities lacks cannot be turned on (7012)', async () => {
    sim = simulated();
    await sim.set('Device.UPnP.Device.', { Enable: false });
    expect(await sim.instances('Device.UPnP.Discovery.RootDevice.')).toEqual([]);
    expect(await sim.instances('Device.UPnP.Discovery.Service.')).toEqual([]);
    expect(() => sim!.binding('Device.UPnP.Discovery.RootDevice.{i}.').get([1], {})).toThrow(expect.objectContaining({ code: ErrorCode.ObjectDoesNotExist }));
    await sim.set('Device.UPnP.Device.', { Enable: true, UPnPMediaServer: true, UPnPIGD: false });
    expect(await sim.values('Device.UPnP.Device.')).toMatchObject({ Enable: true, UPnPMediaServer: true, UPnPIGD: false });
    expect(await sim.instances('Device.UPnP.Discovery.RootDevice.')).toEqual([1, 2, 3]);
    await expect(sim.set('Device.UPnP.Device.', { UPnPMediaRenderer: true })).rejects.toMatchObject({ code: ErrorCode.InvalidValue });
    expect((await sim.values('Device.UPnP.Device.')).UPnPMediaRenderer).toBe(false);
    await sim.set('Device.UPnP.Device.', { UPnPQoSDevice: false });
  });
});

describe('simulated Device.UPnP. in a fleet', () => {
  const fleet = simulatedFleet(3);

  it("two gateways share the bindings' code and parameter lists", async () => {
    const [a, b] = fleet(2);
    for (const path of ['Device.UPnP.Device.', 'Device.UPnP.Discovery.RootDevice.{i}.', 'Device.UPnP.Discovery.Device.{i}.', 'Device.UPnP.Discovery.Service.{i}.'])
      expectSharedCode(path, a!.binding(path), b!.binding(path));
    // Capabilities holds no per-gateway state: the fleet's one binding object.
    expectSharedCode('Device.UPnP.Device.Capabilities.', a!.binding('Device.UPnP.Device.Capabilities.'), b!.binding('Device.UPnP.Device.Capabilities.'), false);
    for (const gw of [a!, b!]) expect(await gw.instances('Device.UPnP.Discovery.Service.')).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
