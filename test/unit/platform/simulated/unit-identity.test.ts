/**
 * A fleet's gateways take their serial number and MAC block from their gateway number (the
 * simulated unit number), not from their seed: a Controller keys devices on
 * OUI-ProductClass-SerialNumber, and 24 drawn bits repeat within a few thousand gateways.
 */
import { describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { gatewaySeed } from '../../../../agent/fleet/gateway-defaults.js';
import { SimContext } from '../../../../platform/simulated/SimContext.js';
import { registerSimulatedPlatform } from '../../../../platform/simulated/index.js';
import { BOOT_MS } from './fixture.js';

describe('simulated platform: identity of a numbered unit', () => {
  const model = new DataModel(Schema.load());
  const store = new DataStore();
  const context = (seed: number, unit?: number) => new SimContext(model, seed, () => BOOT_MS, store, unit);

  it('gives gateways 1..20000 of a fleet distinct serial numbers and distinct MAC blocks', () => {
    const serials = new Set<string>();
    const macBases = new Set<number>();
    for (let n = 1; n <= 20_000; n++) {
      const { identity } = context(gatewaySeed(7, n), n);
      serials.add(identity.serialNumber);
      macBases.add(identity.macBase);
    }
    expect(serials.size).toBe(20_000);
    expect(macBases.size).toBe(20_000);
  });

  it('keeps the MAC blocks 16 apart, so no two units share any interface address', () => {
    const a = context(gatewaySeed(7, 1), 1);
    const b = context(gatewaySeed(7, 2), 2);
    expect(Math.abs(a.identity.macBase - b.identity.macBase) % 16).toBe(0);
    expect(a.mac(15)).not.toBe(b.mac(0));
    expect(a.mac(0)).toMatch(/^0a:5f:1e:/);
    expect(a.identity.serialNumber).toMatch(/^EXN\d{4}[0-9A-F]{6}$/);
  });

  it('leaves every other identity value to the seed, and a device without a unit as it was', () => {
    const plain = context(1234);
    const numbered = context(1234, 5);
    expect(numbered.identity.imei).toBe(plain.identity.imei);
    expect(numbered.identity.hardwareVersion).toBe(plain.identity.hardwareVersion);
    expect(numbered.identity.serialNumber.slice(0, 7)).toBe(plain.identity.serialNumber.slice(0, 7));
    expect(context(1234).identity).toEqual(plain.identity);
  });

  it('refuses a unit number that is not a whole number >= 0', () => {
    expect(() => context(1, -1)).toThrow(/unit number -1/);
    expect(() => context(1, 1.5)).toThrow(/unit number 1.5/);
  });

  it('serves the unit-made serial number as Device.DeviceInfo.SerialNumber', async () => {
    const served = new DataModel(Schema.load());
    const sim = registerSimulatedPlatform(served, { seed: 42, unit: 9, now: () => BOOT_MS });
    try {
      const values = await served.bindingAt('Device.DeviceInfo.')!.get([], {});
      expect(values.SerialNumber).toBe(context(42, 9).identity.serialNumber);
      expect(values.SerialNumber).not.toBe(context(42).identity.serialNumber);
    } finally {
      sim.stop();
    }
  });
});
