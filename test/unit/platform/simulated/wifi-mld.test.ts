/**
 * Device.WiFi.SSID.{i}.MLDUnit on the simulated gateway (TR-181 WiFiSSID:2): -1 (in no MLD)
 * until written; SSIDs given one unit form one multi-link device from BSSes on different radios,
 * so a second BSS of an MLD on a radio is refused (7012), by MLDUnit or by LowerLayers; a new
 * unit restarts the BSS (its stations associate again); the unit outlives a restart.
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

describe('simulated platform: Wi-Fi SSID MLDUnit (multi-link device)', () => {
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

  it('reads -1 (no MLD) on every SSID until written, added ones included', async () => {
    const sim = start();
    for (const n of [1, 2, 3, 4]) expect((await sim.values(`Device.WiFi.SSID.${n}.`)).MLDUnit).toBe(-1);
    const added = await sim.add('Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.2', SSID: 'IoT' });
    expect((await sim.values(`Device.WiFi.SSID.${added}.`)).MLDUnit).toBe(-1);
  });

  it('groups the home network on its three radios into one MLD, and refuses a second BSS of it on a radio', async () => {
    const sim = start();
    for (const n of [1, 2, 3]) await sim.set(`Device.WiFi.SSID.${n}.`, { MLDUnit: 0 });
    for (const n of [1, 2, 3]) expect((await sim.values(`Device.WiFi.SSID.${n}.`)).MLDUnit).toBe(0);
    // The guest SSID sits on Radio.1, where MLD 0 already has SSID.1.
    await expect(sim.set('Device.WiFi.SSID.4.', { MLDUnit: 0 })).rejects.toMatchObject({
      code: 7012,
      paramErrors: [{ param: 'MLDUnit', code: 7012, message: expect.stringContaining('Device.WiFi.SSID.1 of MLD unit 0 is already on Device.WiFi.Radio.1') }],
    });
    expect((await sim.values('Device.WiFi.SSID.4.')).MLDUnit).toBe(-1);
    // Another unit is another MLD: the guest network can be one on its own.
    await sim.set('Device.WiFi.SSID.4.', { MLDUnit: 24 });
    // Moving SSID.2 (MLD 0) onto Radio.1, where SSID.1 of MLD 0 is: refused, naming LowerLayers.
    await expect(sim.set('Device.WiFi.SSID.2.', { LowerLayers: 'Device.WiFi.Radio.1' })).rejects.toMatchObject({ code: 7012, paramErrors: [{ param: 'LowerLayers' }] });
    expect((await sim.values('Device.WiFi.SSID.2.')).LowerLayers).toBe('Device.WiFi.Radio.2');
    // An added SSID joining MLD 0 on a radio it already has: refused at Add, no instance used.
    await expect(sim.add('Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.3', MLDUnit: 0 })).rejects.toMatchObject({ code: 7012 });
    // Left out of the MLD (-1), SSID.2 leaves room on Radio.2 for an added member.
    await sim.set('Device.WiFi.SSID.2.', { MLDUnit: -1 });
    const added = await sim.add('Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.2', MLDUnit: 0 });
    expect(await sim.values(`Device.WiFi.SSID.${added}.`)).toMatchObject({ MLDUnit: 0, LowerLayers: 'Device.WiFi.Radio.2' });
    await expect(sim.set('Device.WiFi.SSID.2.', { MLDUnit: 0 })).rejects.toMatchObject({ code: 7012 });
  });

  it('restarts the BSS on a new unit: its stations associate again', async () => {
    const sim = start();
    sim.advance(600);
    expect((await sim.instances('Device.WiFi.AccessPoint.2.AssociatedDevice.')).length).toBeGreaterThan(0);
    await sim.set('Device.WiFi.SSID.2.', { MLDUnit: 3 });
    expect(await sim.instances('Device.WiFi.AccessPoint.2.AssociatedDevice.')).toEqual([]);
    sim.advance(120);
    expect((await sim.instances('Device.WiFi.AccessPoint.2.AssociatedDevice.')).length).toBeGreaterThan(0);
    // The same unit again changes nothing: no restart.
    await sim.set('Device.WiFi.SSID.2.', { MLDUnit: 3 });
    expect((await sim.instances('Device.WiFi.AccessPoint.2.AssociatedDevice.')).length).toBeGreaterThan(0);
  });

  it('keeps the units across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-sim-mld-'));
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
    await a.set('Device.WiFi.SSID.1.', { MLDUnit: 5 });
    await a.set('Device.WiFi.SSID.3.', { MLDUnit: 5 });
    a.stop();
    const b = boot();
    expect([(await b.values('Device.WiFi.SSID.1.')).MLDUnit, (await b.values('Device.WiFi.SSID.2.')).MLDUnit, (await b.values('Device.WiFi.SSID.3.')).MLDUnit]).toEqual([5, -1, 5]);
    await expect(b.set('Device.WiFi.SSID.4.', { MLDUnit: 5 })).rejects.toMatchObject({ code: 7012 });
  });
});
