/**
 * The composition root's choice of Device.Cellular.AccessPoint.{i}: on OpenWrt the UCI network
 * interfaces with proto modemmanager (writable), on generic Linux ModemManager's bearers
 * (read-only). The fake `ubus`/`uci` and `mmcli` are put first on PATH, as registerPlatform
 * finds its tools there.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { registerPlatform, type StartedPlatform } from '../../../agent/platforms.js';
import { createLogger } from '../../../datamodel/Logger.js';
import { Schema } from '../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../datamodel/tree/DataModel.js';
import { FakeMmcli } from '../platform/modemmanager/fake-mmcli.js';
import { fakeOpenWrt, type FakeOpenWrt } from '../platform/openwrt/fake-openwrt.js';

const AP = 'Device.Cellular.AccessPoint.{i}.';
const log = createLogger('error', 'test', () => undefined);

describe('registerPlatform: where Device.Cellular.AccessPoint comes from', () => {
  const PATH = process.env.PATH;
  let openwrt: FakeOpenWrt | undefined;
  let mmcli: FakeMmcli | undefined;
  let started: StartedPlatform | undefined;
  afterEach(() => {
    started?.stop();
    openwrt?.cleanup();
    mmcli?.cleanup();
    process.env.PATH = PATH;
    started = openwrt = mmcli = undefined;
  });

  it('OpenWrt with ModemManager: one writable row per proto-modemmanager interface', async () => {
    openwrt = fakeOpenWrt();
    mmcli = new FakeMmcli();
    process.env.PATH = [openwrt.bin, mmcli.binDir, PATH].join(':');
    const model = new DataModel(Schema.load());
    started = await registerPlatform(model, 'openwrt', { log });
    expect(started.cellular).toBe(true);
    const ap = model.bindingAt(AP)!;
    expect(ap.set).toBeDefined();
    expect(await ap.list!([], {})).toEqual([1, 2]);
    expect(await ap.get([2], {})).toMatchObject({ Enable: false, APN: 'm2m.example', Interface: 'Device.Cellular.Interface.1' });
    expect(mmcli.calls()).not.toContain('-b 1 -J');
  });

  it("generic Linux with ModemManager: the bearers' rows, a table a Controller adds to and deletes from", async () => {
    mmcli = new FakeMmcli();
    process.env.PATH = [mmcli.binDir, PATH].join(':');
    const model = new DataModel(Schema.load());
    started = await registerPlatform(model, 'linux', { log });
    const ap = model.bindingAt(AP)!;
    expect([typeof ap.set, typeof ap.add, typeof ap.delete]).toEqual(['function', 'function', 'function']);
    expect(await ap.list!([], {})).toEqual([1]);
    expect(await ap.get([1], {})).toMatchObject({ APN: 'internet.telekom', Interface: 'Device.Cellular.Interface.1' });
  });
});
