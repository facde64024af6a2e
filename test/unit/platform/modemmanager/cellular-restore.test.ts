/**
 * What a Controller wrote to Device.Cellular on generic Linux outlives ModemManager forgetting it
 * (platform/modemmanager/kept-cellular.ts, cellular-restore.ts): the access points it added and
 * NetworkRequested are kept in the agent's store and applied again when ModemManager restarts
 * (here: the fake mmcli's modem gets a new index and an empty bearer list, as a restarted
 * ModemManager re-probes it) and when the agent starts; a bearer that still exists (same APN and
 * IP type) is never made twice. The replies are the recorded and schema outputs of
 * test/fixtures/modemmanager, renumbered.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { type ModemManagerPlatform, registerModemManagerPlatform } from '../../../../platform/modemmanager/index.js';
import { FakeMmcli } from './fake-mmcli.js';

const FIXTURES = new URL('../../../fixtures/modemmanager/', import.meta.url).pathname;
const fixture = (file: string): string => fs.readFileSync(path.join(FIXTURES, file), 'utf8');
const schema = Schema.load();
const AP = 'Device.Cellular.AccessPoint.{i}.';
const IFACE = 'Device.Cellular.Interface.{i}.';
const BEARER = '/org/freedesktop/ModemManager1/Bearer/';
const FWA = "--create-bearer=apn='fwa.example',ip-type=ipv4,allow-roaming=yes";

interface ModemJson {
  modem: { 'dbus-path': string; generic: { bearers: string[] } };
}

/** `mmcli -m <index> -J`: the recorded modem (mmcli-m0.json) under that index, listing these bearers. */
function modemJson(index: number, ...bearers: number[]): ModemJson {
  const m = JSON.parse(fixture('mmcli-m0.json')) as ModemJson;
  m.modem['dbus-path'] = `/org/freedesktop/ModemManager1/Modem/${index}`;
  m.modem.generic.bearers = bearers.map((b) => `${BEARER}${b}`);
  return m;
}
const listing = (index: number): unknown => ({ 'modem-list': [`/org/freedesktop/ModemManager1/Modem/${index}`] });
/** mmcli's answer to a --create-bearer that made bearer `n`. */
const created = (n: number): string => fixture('mmcli-m0-create-bearer.txt').replace(/Bearer\/\d+/, `Bearer/${n}`);
/** `mmcli -b n -J` of a bearer with these properties (mmcli-b2.json's keys). */
function bearerJson(n: number, props: Record<string, string>, connected: boolean): unknown {
  const b = JSON.parse(fixture('mmcli-b2.json')) as { bearer: { 'dbus-path': string; properties: Record<string, string>; status: Record<string, string> } };
  b.bearer['dbus-path'] = `${BEARER}${n}`;
  Object.assign(b.bearer.properties, props);
  b.bearer.status.connected = connected ? 'yes' : 'no';
  return b;
}
const FWA_PROPS = { apn: 'fwa.example', 'ip-type': 'ipv4', user: '--', password: '--' };

describe('modemmanager platform: what ModemManager forgets is kept and applied again', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c();
  });

  const setup = (): { mmcli: FakeMmcli; dataDir: string } => {
    const mmcli = new FakeMmcli();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-mm-kept-'));
    cleanups.push(() => mmcli.cleanup());
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    return { mmcli, dataDir };
  };
  /** One start of the platform the way the agent starts it: registered, the store loaded, stateLoaded(). */
  const start = async (mmcli: FakeMmcli, dataDir: string, restoreCheckMs = 60_000): Promise<{ model: DataModel; store: DataStore; mm: ModemManagerPlatform }> => {
    const model = new DataModel(schema);
    const store = new DataStore(dataDir);
    const mm = registerModemManagerPlatform(model, { commandPath: mmcli.binDir, store, restoreCheckMs });
    cleanups.push(() => mm.stop());
    store.load((why) => {
      throw new Error(why);
    });
    await mm.stateLoaded();
    return { model, store, mm };
  };
  /** Command lines that change ModemManager's state, in order. */
  const changes = (mmcli: FakeMmcli): string[] => mmcli.calls().filter((c) => !c.endsWith(' -J') && !c.includes('--signal-setup'));
  /** A Controller's Add (as the transaction calls the binding), saved. */
  const addFwa = async (model: DataModel, store: DataStore, mmcli: FakeMmcli): Promise<number> => {
    mmcli.onChange(`-m 0 ${FWA}`, created(2), { '-m 0 -J': modemJson(0, 1, 2), '-b 2 -J': bearerJson(2, FWA_PROPS, false) });
    mmcli.onChange('-b 2 --connect', fixture('mmcli-b-connect.txt'), { '-b 2 -J': bearerJson(2, FWA_PROPS, true) });
    const n = await model.bindingAt(AP)!.add!([], { APN: 'fwa.example', IPVersion: 4, Enable: true } as Record<string, Value>, {});
    await store.flush();
    return n;
  };

  it('a restart of ModemManager (new modem index, no bearers) gets the added access point and NetworkRequested back, once', async () => {
    const { mmcli, dataDir } = setup();
    const { model, store } = await start(mmcli, dataDir, 200);
    const n = await addFwa(model, store, mmcli);
    expect(n).toBe(2);
    mmcli.onChange('-m 0 --3gpp-register-in-operator=26202', fixture('mmcli-m0-3gpp-register.txt'));
    await model.bindingAt(IFACE)!.set!([1], { NetworkRequested: '26202' }, {});
    await store.flush();
    const before = changes(mmcli).length;

    // ModemManager restarts: the modem is probed again as Modem/1, with no bearer; the agent reads nothing meanwhile.
    mmcli.reply('-L -J', listing(1));
    mmcli.reply('-m 1 -J', modemJson(1));
    mmcli.onChange('-m 1 --3gpp-register-in-operator=26202', fixture('mmcli-m0-3gpp-register.txt'));
    mmcli.onChange(`-m 1 ${FWA}`, created(1), { '-m 1 -J': modemJson(1, 1), '-b 1 -J': bearerJson(1, FWA_PROPS, false) });
    mmcli.onChange('-b 1 --connect', fixture('mmcli-b-connect.txt'), { '-b 1 -J': bearerJson(1, FWA_PROPS, true) });
    await vi.waitFor(() => expect(changes(mmcli).slice(before)).toEqual([`-m 1 ${FWA}`, '-b 1 --connect', '-m 1 --3gpp-register-in-operator=26202']), { timeout: 10_000, interval: 50 });

    // The row is back under its number, connected; the bearer ModemManager had of its own (internet.telekom) is not the agent's to make.
    const binding = model.bindingAt(AP)!;
    expect(await binding.list!([], {})).toEqual([n]);
    expect(await binding.get([n], {})).toMatchObject({ APN: 'fwa.example', IPVersion: 4, Enable: true, Interface: 'Device.Cellular.Interface.1' });
    expect(await model.bindingAt(IFACE)!.get([1], {})).toMatchObject({ NetworkRequested: '26202' });
    // Later looks find nothing missing: nothing is made twice.
    const settled = mmcli.calls().length;
    await vi.waitFor(() => expect(mmcli.calls().length).toBeGreaterThan(settled + 2), { timeout: 10_000, interval: 50 });
    expect(changes(mmcli).slice(before)).toHaveLength(3);
  });

  it('after an agent restart NetworkRequested reads back and is asked for again; a kept bearer ModemManager still has is not made again, one it lost is; a deleted row is not kept', async () => {
    const { mmcli, dataDir } = setup();
    const first = await start(mmcli, dataDir);
    await addFwa(first.model, first.store, mmcli);
    mmcli.onChange('-m 0 --3gpp-register-in-operator=26202', fixture('mmcli-m0-3gpp-register.txt'));
    await first.model.bindingAt(IFACE)!.set!([1], { NetworkRequested: '26202' }, {});
    await first.store.flush();
    first.mm.stop();
    const before = changes(mmcli).length;

    // The agent starts again; ModemManager still has bearer 2 (fwa.example, IPv4): nothing to make.
    // The modem is on 26201 (the recorded operator), not the network requested: asked for again.
    const second = await start(mmcli, dataDir);
    expect(changes(mmcli).slice(before)).toEqual(['-m 0 --3gpp-register-in-operator=26202']);
    expect(await second.model.bindingAt(IFACE)!.list!([], {})).toEqual([1]);
    expect(await second.model.bindingAt(IFACE)!.get([1], {})).toMatchObject({ NetworkRequested: '26202' });
    expect((await second.model.bindingAt(AP)!.list!([], {})).length).toBe(2);
    // Automatic again: nothing to ask for at the next start.
    mmcli.onChange('-m 0 --3gpp-register-home', fixture('mmcli-m0-3gpp-register.txt'));
    await second.model.bindingAt(IFACE)!.set!([1], { NetworkRequested: '' }, {});
    await second.store.flush();
    second.mm.stop();
    const homeAt = changes(mmcli).length;

    // A reboot: ModemManager has none of the bearers; the agent starts and makes the kept one only.
    mmcli.reply('-m 0 -J', modemJson(0));
    mmcli.onChange(`-m 0 ${FWA}`, created(1), { '-m 0 -J': modemJson(0, 1), '-b 1 -J': bearerJson(1, FWA_PROPS, false) });
    mmcli.onChange('-b 1 --connect', fixture('mmcli-b-connect.txt'), { '-b 1 -J': bearerJson(1, FWA_PROPS, true) });
    const third = await start(mmcli, dataDir);
    expect(changes(mmcli).slice(homeAt)).toEqual([`-m 0 ${FWA}`, '-b 1 --connect']);

    // Deleted by the Controller: gone from the store, not made again at the next start.
    mmcli.onChange('-m 0 --delete-bearer=1', fixture('mmcli-m0-delete-bearer.txt'), { '-m 0 -J': modemJson(0) });
    expect(await third.model.bindingAt(AP)!.list!([], {})).toEqual([1]);
    await third.model.bindingAt(AP)!.delete!([1], {});
    await third.store.flush();
    third.mm.stop();
    const after = changes(mmcli).length;
    await start(mmcli, dataDir);
    expect(changes(mmcli).slice(after)).toEqual([]);
  });
});
