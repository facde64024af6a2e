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
  const start = (opts: { store?: DataStore; model?: DataModel } = {}): SimFixture => { const s = simulated(42, opts); sims.push(s); return s; };

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

  it('caps the stations\' rates at a fixed MCS, and places the 40 MHz secondary channel as told', async () => {
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
      store.load((why) => { throw new Error(why); });
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
