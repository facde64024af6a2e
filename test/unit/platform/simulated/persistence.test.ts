import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { readSavedState } from '../../../../datamodel/store/SavedImage.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { type SimFixture, simulated } from './fixture.js';

const schema = Schema.load();

/**
 * Starts the simulated platform the way the agent does: registered on a fresh model first, the
 * store loaded afterwards, saved on every commit.
 */
function boot(dir: string, seed = 42): { sim: SimFixture; store: DataStore } {
  const store = new DataStore(dir);
  const model = new DataModel(schema);
  model.onCommit(() => store.flush());
  const sim = simulated(seed, { store, model });
  store.load((why) => {
    throw new Error(why);
  });
  return { sim, store };
}

describe("simulated platform: configuration in the agent's store", () => {
  const dirs: string[] = [];
  const sims: SimFixture[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'usp-sim-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const s of sims.splice(0)) s.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('brings back every writable value and writable table after a restart with the same data directory', async () => {
    const dir = tmp();
    const first = boot(dir);
    sims.push(first.sim);
    const a = first.sim;
    await a.set('Device.WiFi.SSID.2.', { SSID: 'Kitchen 5G' });
    await a.set('Device.WiFi.AccessPoint.2.Security.', { KeyPassphrase: 'correct horse battery' });
    await a.set('Device.WiFi.Radio.2.', { Channel: 100 });
    await a.set('Device.Cellular.AccessPoint.1.', { APN: 'fwa.simnet' });
    await a.set('Device.DeviceInfo.', { HostName: 'gw.home.arpa', FriendlyName: 'Living room' });
    await a.set('Device.Ethernet.Interface.1.', { Enable: false });
    await a.set('Device.DHCPv4.Server.Pool.1.', { LeaseTime: 3600 });
    await a.add('Device.NAT.PortMapping.', { Enable: true, RemoteHost: '203.0.113.7', ExternalPort: 443, InternalPort: 8443, Protocol: 'TCP', InternalClient: '192.168.1.10' });
    await a.add('Device.NAT.PortMapping.', { Enable: true, RemoteHost: '203.0.113.7', ExternalPort: 22, InternalPort: 22, Protocol: 'TCP', InternalClient: '192.168.1.10' });
    await a.del('Device.NAT.PortMapping.1.');
    await a.add('Device.Bridging.Bridge.1.VLAN.', { Enable: true, VLANID: 100, Name: 'iptv' });
    const saved = readSavedState(dir)!; // state.json plus the journal
    expect(saved.rows['Device.WiFi.SSID.2.']).toEqual({ SSID: 'Kitchen 5G' }); // only what was written
    first.sim.stop();

    const { sim: b } = boot(dir);
    sims.push(b);
    b.advance(60);
    expect((await b.values('Device.WiFi.SSID.2.')).SSID).toBe('Kitchen 5G');
    expect((await b.values('Device.WiFi.SSID.1.')).SSID).toBe((await a.values('Device.WiFi.SSID.1.')).SSID);
    expect((await b.values('Device.WiFi.AccessPoint.2.Security.')).KeyPassphrase).toBe('correct horse battery');
    // A channel chosen before the restart is still a manual choice.
    expect(await b.values('Device.WiFi.Radio.2.')).toMatchObject({ Channel: 100, ChannelLastSelectionReason: 'Manual', ChannelsInUse: '100,104,108,112' });
    expect(await b.values('Device.DeviceInfo.')).toMatchObject({ HostName: 'gw.home.arpa', FriendlyName: 'Living room' });
    expect((await b.values('Device.Cellular.AccessPoint.1.')).APN).toBe('fwa.simnet');
    expect((await b.values('Device.IP.Interface.2.')).Status).toBe('Up');
    // A port disabled before the restart comes up disabled, its counters still.
    expect(await b.values('Device.Ethernet.Interface.1.')).toMatchObject({ Enable: false, Status: 'Down' });
    expect((await b.values('Device.Ethernet.Interface.1.Stats.')).BytesSent).toBe('0');
    expect((await b.values('Device.DHCPv4.Server.Pool.1.')).LeaseTime).toBe(3600);
    // Tables keep their rows, instance numbers and counters.
    expect(await b.instances('Device.NAT.PortMapping.')).toEqual([2]);
    expect(await b.values('Device.NAT.PortMapping.2.')).toMatchObject({ ExternalPort: 22, Status: 'Enabled', Alias: 'cpe-2' });
    expect(await b.add('Device.NAT.PortMapping.', { RemoteHost: '203.0.113.7', ExternalPort: 80, InternalPort: 80, Protocol: 'TCP' })).toBe(3);
    expect(await b.values('Device.Bridging.Bridge.1.VLAN.1.')).toEqual({ Enable: true, Alias: 'cpe-1', Name: 'iptv', VLANID: 100 });
  });

  it('brings back temperature sensor settings, Ethernet.Link settings and IPv6 choices; readings start afresh', async () => {
    const dir = tmp();
    const first = boot(dir);
    sims.push(first.sim);
    const a = first.sim;
    a.advance(600);
    await a.set('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.', { LowAlarmValue: 5, HighAlarmValue: 70, PollingInterval: 60 });
    await a.set('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.2.', { Enable: false });
    await a.set('Device.Ethernet.Link.1.', { MTU: 1492, MACAddress: '02:11:22:33:44:55' });
    await a.set('Device.IP.Interface.2.IPv6Address.2.', { Enable: false });
    await a.set('Device.IP.Interface.1.', { ULAEnable: false });
    first.sim.stop();

    const { sim: b } = boot(dir);
    sims.push(b);
    b.advance(60);
    expect(await b.values('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.')).toMatchObject({
      LowAlarmValue: 5,
      HighAlarmValue: 70,
      PollingInterval: 60,
      Status: 'Enabled',
      ResetTime: '2025-03-10T08:00:00Z',
      LastUpdate: '2025-03-10T08:00:04Z',
    });
    // A sensor that boots disabled has never been reset, so it has no reading (TR-181 ResetTime).
    expect(await b.values('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.2.')).toMatchObject({
      Enable: false,
      Status: 'Disabled',
      Value: -274,
      ResetTime: '0001-01-01T00:00:00Z',
    });
    expect(await b.values('Device.Ethernet.Link.1.')).toMatchObject({ MTU: 1492, MACAddress: '02:11:22:33:44:55' });
    expect((await b.values('Device.IP.Interface.1.IPv6Address.1.')).IPAddress).toBe('fe80::11:22ff:fe33:4455');
    // The WAN address comes back with the new data session, still disabled.
    expect(await b.values('Device.IP.Interface.2.IPv6Address.2.')).toMatchObject({ Enable: false, Status: 'Disabled' });
    expect(await b.instances('Device.IP.Interface.1.IPv6Prefix.')).toEqual([1]);
  });

  it('ignores stored values of parameters it no longer serves', async () => {
    const dir = tmp();
    const { sim, store } = boot(dir);
    sims.push(sim);
    store.setRow('Device.WiFi.SSID.1.', { SSID: 'Old', X_OLD_Param: 7 });
    expect(await sim.values('Device.WiFi.SSID.1.')).toMatchObject({ SSID: 'Old' });
    expect(await sim.values('Device.WiFi.SSID.1.')).not.toHaveProperty('X_OLD_Param');
  });

  it('keeps values in memory, per platform, without a store', async () => {
    const a = simulated();
    const b = simulated();
    sims.push(a, b);
    await a.set('Device.WiFi.SSID.1.', { SSID: 'Only here' });
    await a.add('Device.Bridging.Bridge.1.VLAN.', { VLANID: 10 });
    expect((await a.values('Device.WiFi.SSID.1.')).SSID).toBe('Only here');
    expect((await b.values('Device.WiFi.SSID.1.')).SSID).not.toBe('Only here');
    expect(await b.instances('Device.Bridging.Bridge.1.VLAN.')).toEqual([]);
  });
});
