import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { BOOT_MS, type SimFixture, simulated } from './fixture.js';
import { expectSharedCode, simulatedFleet } from './fleet-fixture.js';

describe('simulated platform: Device.DNS.SD. (a printer and a NAS on the LAN)', () => {
  let sim: SimFixture | undefined;
  afterEach(() => sim?.stop());

  it('ships enabled on the LAN and serves the printer and the NAS with their TXT keys', async () => {
    sim = simulated();
    expect(await sim.values('Device.DNS.SD.')).toMatchObject({ Enable: true, Status: 'Enabled', AdvertisedInterfaces: 'Device.IP.Interface.1', ServiceNumberOfEntries: 2 });
    const printer = await sim.values('Device.DNS.SD.Service.1.');
    expect(printer).toMatchObject({
      InstanceName: 'Brother HL-L2350DW series',
      ApplicationProtocol: 'ipp',
      TransportProtocol: 'TCP',
      Domain: 'local',
      Port: 631,
      Target: 'BRN3C2AF41B2C3D.local.',
      Status: 'LeaseActive',
      TimeToLive: 4500,
      TextRecordNumberOfEntries: 8,
    });
    expect(Date.parse(String(printer.LastUpdate))).toBe(BOOT_MS + 42_000);
    expect(await sim.values('Device.DNS.SD.Service.1.TextRecord.3.')).toEqual({ Key: 'rp', Value: 'ipp/print' });
    expect(await sim.values('Device.DNS.SD.Service.2.')).toMatchObject({ InstanceName: 'DiskStation', ApplicationProtocol: 'http', Port: 5000, TextRecordNumberOfEntries: 6 });
    expect(await sim.values('Device.DNS.SD.Service.2.TextRecord.1.')).toEqual({ Key: 'vendor', Value: 'Synology' });
  });

  it('Enable false empties the table; the WAN alone as AdvertisedInterfaces hears nothing; empty means every LAN', async () => {
    sim = simulated();
    await sim.set('Device.DNS.SD.', { Enable: false });
    expect(await sim.values('Device.DNS.SD.')).toMatchObject({ Status: 'Disabled', ServiceNumberOfEntries: 0 });
    await sim.set('Device.DNS.SD.', { Enable: true, AdvertisedInterfaces: 'Device.IP.Interface.2' });
    expect(await sim.instances('Device.DNS.SD.Service.')).toEqual([]);
    await sim.set('Device.DNS.SD.', { AdvertisedInterfaces: '' });
    expect(await sim.instances('Device.DNS.SD.Service.')).toEqual([1, 2]);
  });

  it('refuses an AdvertisedInterfaces that names no IP.Interface row (7012); a missing row answers 7016', async () => {
    sim = simulated();
    await expect(sim.set('Device.DNS.SD.', { AdvertisedInterfaces: 'Device.Ethernet.Interface.1' })).rejects.toMatchObject({ code: ErrorCode.InvalidValue });
    expect((await sim.values('Device.DNS.SD.')).AdvertisedInterfaces).toBe('Device.IP.Interface.1');
    expect(() => sim!.binding('Device.DNS.SD.Service.{i}.').get([3], {})).toThrow(expect.objectContaining({ code: ErrorCode.ObjectDoesNotExist }));
    expect(() => sim!.binding('Device.DNS.SD.Service.{i}.TextRecord.{i}.').get([1, 9], {})).toThrow(expect.objectContaining({ code: ErrorCode.ObjectDoesNotExist }));
  });
});

describe('simulated Device.DNS.SD. in a fleet', () => {
  const fleet = simulatedFleet(3);

  it("two gateways share the bindings' code and parameter lists", async () => {
    const [a, b] = fleet(2);
    for (const path of ['Device.DNS.SD.', 'Device.DNS.SD.Service.{i}.', 'Device.DNS.SD.Service.{i}.TextRecord.{i}.']) expectSharedCode(path, a!.binding(path), b!.binding(path));
    for (const gw of [a!, b!]) expect(await gw.instances('Device.DNS.SD.Service.')).toEqual([1, 2]);
  });
});
