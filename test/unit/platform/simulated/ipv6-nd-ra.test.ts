import { afterEach, describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { refusal, type SimFixture, simulated } from './fixture.js';

const RA = 'Device.RouterAdvertisement.';
const ND = 'Device.NeighborDiscovery.';

describe('simulated platform: Device.RouterAdvertisement and Device.NeighborDiscovery', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it('ships advertising on br-lan with RFC 4861 timers, and ND on br-lan and wwan0', async () => {
    sim = simulated();
    expect(await sim.values(RA)).toEqual({ Enable: true, InterfaceSettingNumberOfEntries: 1 });
    expect(await sim.values(`${RA}InterfaceSetting.1.`)).toMatchObject({
      Enable: true,
      Status: 'Enabled',
      Interface: 'Device.IP.Interface.1',
      MaxRtrAdvInterval: 600,
      MinRtrAdvInterval: 200,
      AdvDefaultLifetime: 1800,
      AdvPreferredRouterFlag: 'Medium',
      OptionNumberOfEntries: 0,
    });
    expect(await sim.values(ND)).toEqual({ Enable: true, InterfaceSettingNumberOfEntries: 2 });
    expect(await sim.values(`${ND}InterfaceSetting.1.`)).toMatchObject({ Interface: 'Device.IP.Interface.1', RSEnable: false, NUDEnable: true, Status: 'Enabled' });
    expect(await sim.values(`${ND}InterfaceSetting.2.`)).toMatchObject({
      Interface: 'Device.IP.Interface.2',
      RSEnable: true,
      RetransTimer: 1000,
      RtrSolicitationInterval: 4000,
      MaxRtrSolicitations: 3,
    });
  });

  it('keeps a Controller’s changes in the store: they survive a restart on the same store', async () => {
    const store = new DataStore();
    sim = simulated(42, { store });
    await sim.set(`${RA}InterfaceSetting.1.`, { MaxRtrAdvInterval: 100, MinRtrAdvInterval: 30, AdvDefaultLifetime: 300, AdvManagedFlag: true });
    const opt = await sim.add(`${RA}InterfaceSetting.1.Option.`, { Enable: true, Tag: 24, Value: '1800000000000000' });
    await sim.set(`${ND}InterfaceSetting.2.`, { RetransTimer: 2000, MaxRtrSolicitations: 5 });
    sim.stop();
    sim = simulated(42, { store });
    expect(await sim.values(`${RA}InterfaceSetting.1.`)).toMatchObject({ MaxRtrAdvInterval: 100, MinRtrAdvInterval: 30, AdvDefaultLifetime: 300, AdvManagedFlag: true, OptionNumberOfEntries: 1 });
    expect(await sim.values(`${RA}InterfaceSetting.1.Option.${opt}.`)).toMatchObject({ Enable: true, Tag: 24 });
    expect(await sim.values(`${ND}InterfaceSetting.2.`)).toMatchObject({ RetransTimer: 2000, MaxRtrSolicitations: 5 });
  });

  it('follows the row, the whole object and the interface in Status', async () => {
    sim = simulated();
    await sim.set(RA, { Enable: false });
    expect((await sim.values(`${RA}InterfaceSetting.1.`)).Status).toBe('Disabled');
    await sim.set(RA, { Enable: true });
    await sim.set('Device.IP.Interface.1.', { IPv6Enable: false });
    expect((await sim.values(`${RA}InterfaceSetting.1.`)).Status).toBe('Error');
    const n = await sim.add(`${ND}InterfaceSetting.`, { Enable: true });
    expect((await sim.values(`${ND}InterfaceSetting.${n}.`)).Status).toBe('Error_Misconfigured');
  });

  it('refuses what RFC 4861 forbids (7012), keeping the row as it was', async () => {
    sim = simulated();
    const row = `${RA}InterfaceSetting.1.`;
    for (const [bad, param] of [
      [{ MinRtrAdvInterval: 451 }, 'MinRtrAdvInterval'], // 0.75 × 600 = 450
      [{ MaxRtrAdvInterval: 200 }, 'MaxRtrAdvInterval'], // 200 > 0.75 × 200
      [{ AdvDefaultLifetime: 599 }, 'AdvDefaultLifetime'], // neither 0 nor ≥ 600
      [{ AdvLinkMTU: 1279 }, 'AdvLinkMTU'],
      [{ Interface: 'Device.IP.Interface.3' }, 'Interface'], // lo
      [{ Interface: 'Device.IP.Interface.9' }, 'Interface'],
      [{ Interface: 'Device.Ethernet.Link.1' }, 'Interface'],
    ] as const) {
      const e = await refusal(() => sim.set(row, bad));
      expect(e.code, JSON.stringify(bad)).toBe(ErrorCode.InvalidValue);
      expect(e.paramErrors?.map((p) => p.param)).toContain(param);
    }
    expect(await sim.values(row)).toMatchObject({ MaxRtrAdvInterval: 600, MinRtrAdvInterval: 200, AdvDefaultLifetime: 1800, AdvLinkMTU: 0, Interface: 'Device.IP.Interface.1' });
    await sim.set(row, { AdvDefaultLifetime: 0 }); // a router that is no default router
    expect((await refusal(() => sim.add(`${RA}InterfaceSetting.1.Option.`, { Tag: 256 }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => sim.set(`${ND}InterfaceSetting.1.`, { RetransTimer: 3_600_001 }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => sim.set(`${ND}InterfaceSetting.1.`, { MaxRtrSolicitations: 101 }))).code).toBe(ErrorCode.InvalidValue);
  });

  it('refuses a second row on one interface (7025), and deletes a shipped row for good', async () => {
    const store = new DataStore();
    sim = simulated(42, { store });
    expect((await refusal(() => sim.add(`${RA}InterfaceSetting.`, { Interface: 'Device.IP.Interface.1' }))).code).toBe(ErrorCode.DuplicateUniqueKey);
    await sim.del(`${ND}InterfaceSetting.1.`);
    expect(await sim.instances(`${ND}InterfaceSetting.`)).toEqual([2]);
    sim.stop();
    sim = simulated(42, { store });
    expect(await sim.instances(`${ND}InterfaceSetting.`)).toEqual([2]);
  });
});
