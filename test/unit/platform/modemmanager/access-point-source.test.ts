/**
 * The `accessPoints` option: ModemManager's bearers serve Device.Cellular.AccessPoint.{i}
 * (generic Linux, the default; bearer-access-points.test.ts writes them), or the table is left to a platform that owns the APN
 * configuration (OpenWrt), which finds each modem's Interface row through `modems()`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { registerModemManagerPlatform } from '../../../../platform/modemmanager/index.js';
import { FakeMmcli, type MmFixture, modemManager } from './fake-mmcli.js';

const AP = 'Device.Cellular.AccessPoint.{i}.';
const MODEM = { device: '/sys/devices/platform/soc/11200000.usb/usb2/2-1', interface: 'Device.Cellular.Interface.1' };

describe('modemmanager platform: where AccessPoint comes from', () => {
  let f: MmFixture | undefined;
  afterEach(() => {
    f?.cleanup();
    f = undefined;
  });

  it("serves the bearers by default ('bearers'), a table a Controller adds to and deletes from", async () => {
    f = modemManager();
    const binding = f.model.bindingAt(AP);
    expect(binding?.set).toBeDefined();
    expect(binding?.add).toBeDefined();
    expect(binding?.delete).toBeDefined();
    expect((await f.read('Device.Cellular.')).get('Device.Cellular.AccessPoint.1.')).toMatchObject({
      APN: 'internet.telekom',
      Interface: 'Device.Cellular.Interface.1',
    });
  });

  it("leaves the table to another platform with 'external', and reads a bearer only for Stats' data netdev", async () => {
    f = modemManager({ accessPoints: 'external' });
    expect(f.model.bindingAt(AP)).toBeUndefined();
    const all = await f.read();
    expect(all.get('Device.Cellular.')).toEqual({ RoamingStatus: 'Home', InterfaceNumberOfEntries: 1 });
    expect(all.get('Device.Cellular.Interface.1.')).toMatchObject({ Status: 'Up' });
    // Interface.{i}.Stats asks the bearer for its netdev (cellular-stats.ts); no AccessPoint reads it.
    expect(new Set(f.mmcli.calls().filter((c) => c.startsWith('-b ')))).toEqual(new Set(['-b 1 -J']));
  });

  it('names each modem by its device path and Interface row, numbered as Interface.{i} lists them', async () => {
    const mmcli = new FakeMmcli();
    try {
      const model = new DataModel(Schema.load());
      const mm = registerModemManagerPlatform(model, { commandPath: mmcli.binDir, accessPoints: 'external' });
      // Asked before any Interface listing: the numbers are the ones the listing then shows.
      expect(await mm.modems()).toEqual([MODEM]);
      expect(await model.bindingAt('Device.Cellular.Interface.{i}.')!.list!([], {})).toEqual([1]);
    } finally {
      mmcli.cleanup();
    }
  });
});
