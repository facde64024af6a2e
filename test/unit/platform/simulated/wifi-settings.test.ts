/**
 * The writable Wi-Fi settings of the profiles (Radio ExtensionChannel and MCS, AccessPoint
 * Security and WPS) on the simulated gateway: they take effect, and they are in the agent's
 * store after a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { type SimFixture, simulated } from './fixture.js';

const schema = Schema.load();
const STATION = 'Device.WiFi.AccessPoint.2.AssociatedDevice.1.';

describe('simulated platform: Wi-Fi settings of the profiles', () => {
  const sims: SimFixture[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const s of sims.splice(0)) s.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const start = (opts: { store?: DataStore; model?: DataModel } = {}): SimFixture => {
    const s = simulated(42, opts);
    sims.push(s);
    return s;
  };

  it('derives the PSK from the passphrase and the SSID (IEEE 802.11 PBKDF2), until a Controller writes one', async () => {
    const sim = start();
    await sim.set('Device.WiFi.SSID.2.', { SSID: 'IEEE' });
    await sim.set('Device.WiFi.AccessPoint.2.Security.', { KeyPassphrase: 'password' });
    // The test vector of IEEE 802.11-2020 J.4.2.
    expect((await sim.values('Device.WiFi.AccessPoint.2.Security.')).PreSharedKey).toBe('f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e');
    const psk = 'ab'.repeat(32);
    await sim.set('Device.WiFi.AccessPoint.2.Security.', { PreSharedKey: psk });
    expect((await sim.values('Device.WiFi.AccessPoint.2.Security.')).PreSharedKey).toBe(psk);
  });

  it('restarts the BSS on a new key: its stations associate again', async () => {
    const sim = start();
    sim.advance(600);
    const before = (await sim.values(STATION)).AssociationTime;
    await sim.set('Device.WiFi.AccessPoint.2.Security.', { KeyPassphrase: 'a new passphrase' });
    expect(await sim.instances('Device.WiFi.AccessPoint.2.AssociatedDevice.')).toEqual([]);
    sim.advance(120);
    expect((await sim.values(STATION)).AssociationTime > before).toBe(true);
  });

  it("caps the stations' rates at a fixed MCS, and places the 40 MHz secondary channel as told", async () => {
    const sim = start();
    sim.advance(600);
    await sim.set('Device.WiFi.Radio.2.', { MCS: 0 });
    const st = await sim.values(STATION);
    expect(st.LastDataDownlinkRate as number).toBeLessThanOrEqual(Math.ceil((st.MaxSupportedDataDownlinkRate as number) / 16 / 100) * 100);
    await sim.set('Device.WiFi.Radio.1.', { Channel: 6, OperatingChannelBandwidth: '40MHz', ExtensionChannel: 'BelowControlChannel' });
    expect((await sim.values('Device.WiFi.Radio.1.')).ChannelsInUse).toBe('2,6');
    await sim.set('Device.WiFi.Radio.1.', { ExtensionChannel: 'AboveControlChannel' });
    expect((await sim.values('Device.WiFi.Radio.1.')).ChannelsInUse).toBe('6,10');
  });

  it('turns WPS off where it cannot work (WPA3-only) and keeps every setting across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-sim-wifi-'));
    dirs.push(dir);
    const boot = (): SimFixture => {
      const store = new DataStore(dir);
      const model = new DataModel(schema);
      model.onCommit(() => store.flush());
      const sim = start({ store, model });
      store.load((why) => {
        throw new Error(why);
      });
      return sim;
    };
    const a = boot();
    expect((await a.values('Device.WiFi.AccessPoint.3.WPS.')).Status).toBe('Disabled'); // 6 GHz: WPA3-Personal only
    expect((await a.values('Device.WiFi.AccessPoint.2.WPS.')).Status).toBe('Configured');
    await a.set('Device.WiFi.Radio.2.', { MCS: 9, ExtensionChannel: 'AboveControlChannel', Channel: 36 });
    await a.set('Device.WiFi.AccessPoint.2.WPS.', { ConfigMethodsEnabled: 'PIN' });
    await a.set('Device.WiFi.AccessPoint.2.Security.', { ModeEnabled: 'WPA3-Enterprise', RadiusServerIPAddr: '2001:db8::10', RadiusSecret: 's3cret' });
    expect((await a.values('Device.WiFi.AccessPoint.2.WPS.')).Status).toBe('Disabled');
    a.stop();

    const b = boot();
    expect(await b.values('Device.WiFi.Radio.2.')).toMatchObject({ MCS: 9, ExtensionChannel: 'AboveControlChannel', Channel: 36 });
    expect((await b.values('Device.WiFi.AccessPoint.2.WPS.')).ConfigMethodsEnabled).toBe('PIN');
    expect(await b.values('Device.WiFi.AccessPoint.2.Security.')).toMatchObject({ ModeEnabled: 'WPA3-Enterprise', RadiusServerIPAddr: '2001:db8::10', RadiusSecret: 's3cret' });
    expect((await b.values('Device.WiFi.AccessPoint.2.')).Status).toBe('Enabled');
  });
});

describe('simulated platform: SSIDs and AccessPoints a Controller adds', () => {
  const sims: SimFixture[] = [];
  afterEach(() => {
    for (const s of sims.splice(0)) s.stop();
  });

  it('adds an SSID on a radio and an AccessPoint serving it, numbered after the factory rows; deletes them again', async () => {
    const sim = simulated();
    sims.push(sim);
    sim.advance(60);
    await sim.set('Device.WiFi.SSID.1.', { SSID: 'Set before any Add' });
    await sim.set('Device.WiFi.AccessPoint.1.Security.', { KeyPassphrase: 'set before any add' });
    const ssid = await sim.add('Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.2.', SSID: 'IoT', Enable: true });
    expect(ssid).toBe(5);
    expect((await sim.values('Device.WiFi.SSID.5.')).Status).toBe('Down'); // no AccessPoint serves it yet
    const ap = await sim.add('Device.WiFi.AccessPoint.', { SSIDReference: 'Device.WiFi.SSID.5', Enable: true });
    expect(ap).toBe(5);
    expect(await sim.values('Device.WiFi.SSID.5.')).toMatchObject({ Status: 'Up', SSID: 'IoT', LowerLayers: 'Device.WiFi.Radio.2', Name: 'wlan5' });
    expect(await sim.values('Device.WiFi.AccessPoint.5.')).toMatchObject({ Status: 'Enabled', SSIDReference: 'Device.WiFi.SSID.5' });
    // Security and WPS of the new AccessPoint: the modes of its radio's band, a PSK from its passphrase and SSID.
    const sec = await sim.values('Device.WiFi.AccessPoint.5.Security.');
    expect(sec.ModeEnabled).toBe('WPA3-Personal-Transition');
    expect(sec.PreSharedKey).toMatch(/^[0-9a-f]{64}$/);
    expect(await sim.values('Device.WiFi.SSID.5.Stats.')).toMatchObject({ BytesSent: '0', PacketsReceived: '0' }); // nobody knows it yet
    expect(await sim.instances('Device.WiFi.AccessPoint.5.AssociatedDevice.')).toEqual([]);
    expect((await sim.values('Device.WiFi.')).SSIDNumberOfEntries).toBe(5);
    // The factory rows' settings are untouched by the first Add of their tables.
    expect((await sim.values('Device.WiFi.SSID.1.')).SSID).toBe('Set before any Add');
    expect((await sim.values('Device.WiFi.AccessPoint.1.Security.')).KeyPassphrase).toBe('set before any add');

    // One AccessPoint per SSID; a factory SSID keeps its own AccessPoint.
    await expect(sim.add('Device.WiFi.AccessPoint.', { SSIDReference: 'Device.WiFi.SSID.5' })).rejects.toMatchObject({ code: 7012 });
    await expect(sim.add('Device.WiFi.AccessPoint.', { SSIDReference: 'Device.WiFi.SSID.1' })).rejects.toMatchObject({ code: 7012 });
    await expect(sim.add('Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.9' })).rejects.toMatchObject({ code: 7012 });
    // The factory BSSes are the radios' own: they can be disabled, not deleted.
    await expect(sim.del('Device.WiFi.SSID.1.')).rejects.toMatchObject({ code: 7024 });
    await expect(sim.del('Device.WiFi.AccessPoint.2.')).rejects.toMatchObject({ code: 7024 });

    // Deleting the SSID leaves its AccessPoint serving none (SSIDReference is a strong reference).
    await sim.del('Device.WiFi.SSID.5.');
    expect(await sim.values('Device.WiFi.AccessPoint.5.')).toMatchObject({ SSIDReference: '', Status: 'Error_Misconfigured' });
    await sim.del('Device.WiFi.AccessPoint.5.');
    expect(await sim.instances('Device.WiFi.AccessPoint.')).toEqual([1, 2, 3, 4]);
    // Numbers are not reused.
    expect(await sim.add('Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.1' })).toBe(6);
  });

  it('keeps added rows across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-sim-wifi-'));
    try {
      const boot = (): SimFixture => {
        const store = new DataStore(dir);
        const model = new DataModel(schema);
        model.onCommit(() => store.flush());
        const sim = simulated(42, { store, model });
        sims.push(sim);
        store.load((why) => {
          throw new Error(why);
        });
        return sim;
      };
      const a = boot();
      await a.add('Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.3', SSID: 'Lab 6G', Enable: true });
      await a.add('Device.WiFi.AccessPoint.', { SSIDReference: 'Device.WiFi.SSID.5', Enable: true });
      await a.set('Device.WiFi.AccessPoint.5.Security.', { KeyPassphrase: 'lab passphrase' });
      a.stop();
      const b = boot();
      expect(await b.instances('Device.WiFi.SSID.')).toEqual([1, 2, 3, 4, 5]);
      expect(await b.values('Device.WiFi.SSID.5.')).toMatchObject({ SSID: 'Lab 6G', LowerLayers: 'Device.WiFi.Radio.3' });
      expect(await b.values('Device.WiFi.AccessPoint.5.Security.')).toMatchObject({ ModeEnabled: 'WPA3-Personal', KeyPassphrase: 'lab passphrase' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
