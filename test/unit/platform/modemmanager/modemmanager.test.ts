import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import type { BaseType } from '../../../../datamodel/schema/types.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { type ObjectValues, readSubtree } from '../../../../datamodel/tree/read-object.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { formatValue } from '../../../../datamodel/value/format-value.js';
import { parseValue } from '../../../../datamodel/value/parse-value.js';
import { registerLinuxPlatform } from '../../../../platform/linux/index.js';
import { detectModemManager, registerModemManagerPlatform } from '../../../../platform/modemmanager/index.js';
import { FakeHost } from '../linux/fake-host.js';
import { FakeMmcli, type MmFixture, modemManager } from './fake-mmcli.js';

const JS_TYPE: Record<BaseType, 'boolean' | 'number' | 'string'> = {
  boolean: 'boolean',
  int: 'number',
  unsignedInt: 'number',
  long: 'string',
  unsignedLong: 'string',
  decimal: 'string',
  string: 'string',
  dateTime: 'string',
  base64: 'string',
  hexBinary: 'string',
};

const SINR = 'X_EXAMPLE-COM_SINR';

describe('modemmanager platform: the recorded Quectel RM500Q (NR non-standalone)', () => {
  let f: MmFixture;
  afterEach(() => f.cleanup());

  it('maps Cellular, Interface, USIM and AccessPoint as docs/platform-mapping.md says', async () => {
    f = modemManager({ vendorPrefix: 'X_EXAMPLE-COM_' });
    const all = await f.read();
    // The one bearer's "roaming": "allowed".
    expect(all.get('Device.Cellular.')).toEqual({ RoamingEnabled: true, RoamingStatus: 'Home', InterfaceNumberOfEntries: 1, AccessPointNumberOfEntries: 1 });
    const { [SINR]: sinr, ...iface } = all.get('Device.Cellular.Interface.1.')!;
    expect(iface).toEqual({
      Enable: true,
      Status: 'Up', // state "connected"
      Name: 'wwan0', // the "(net)" port
      LastChange: 0, // the agent sees this Status for the first time
      Upstream: true,
      IMEI: '350000000000001',
      SupportedAccessTechnologies: 'GPRS,EDGE,UMTS,UMTSHSPA,LTE,NR', // current-capabilities "gsm-umts, lte, 5gnr"
      PreferredAccessTechnology: 'NR', // current-modes "... preferred: 5g"
      CurrentAccessTechnology: 'NR', // access-technologies ["lte", "5gnr"]
      AvailableNetworks: 'Telekom.de', // no scan: the network in use
      NetworkRequested: '', // automatic registration until the agent asks for one
      NetworkInUse: 'Telekom.de',
      // NR is in use: the 5g block, rounded to whole dBm; mmcli has no 5g RSSI, so the LTE anchor's.
      RSRP: -88,
      RSRQ: -11,
      RSSI: -71,
    });
    expect(sinr).toBe(18); // 5g snr "17.50", halves away from zero
    expect(all.get('Device.Cellular.Interface.1.USIM.')).toEqual({
      Status: 'Valid', // unlock-required "sim-pin2" guards fixed dialling only
      IMSI: '262010000000001',
      ICCID: '8949022000000000012',
      PINCheck: 'Off', // enabled-locks has "fixed-dialing", not "sim"
      // MSISDN: own-numbers is empty, so it is left out rather than served as an invalid "".
    });
    expect(all.get('Device.Cellular.AccessPoint.1.')).toEqual({
      Enable: true, // status.connected "yes"
      APN: 'internet.telekom',
      Username: 'telekom',
      Password: 'tm',
      Interface: 'Device.Cellular.Interface.1',
      IPVersion: -1,
      Type: 'default',
    });
  });

  it('types every value as the schema says, within its facets', async () => {
    f = modemManager({ vendorPrefix: 'X_EXAMPLE-COM_' });
    const out: ObjectValues[] = [];
    await readSubtree(f.model, { node: f.model.root, keys: [] }, 0, {}, out);
    for (const { inst, path: where, values } of out) {
      for (const [name, v] of Object.entries(values)) {
        const p = inst.node.params.get(name);
        expect(p, `${where}${name} is served`).toBeDefined();
        expect(typeof v, `${where}${name}`).toBe(p!.list ? 'string' : JS_TYPE[p!.type]);
        expect(parseValue(p!, formatValue(p!, v)), `${where}${name}`).toStrictEqual(v);
      }
    }
  });

  it('runs each mmcli source once per whole-tree read, and --signal-setup once', async () => {
    f = modemManager();
    await f.read();
    expect(f.mmcli.counts()).toEqual({
      '-L -J': 1,
      '-m 0 -J': 1,
      '-m 0 --signal-setup=5': 1,
      '-m 0 --signal-get -J': 1,
      '-b 1 -J': 1,
      '-i 0 -J': 1,
    });
    // Setup comes before the first reading.
    const calls = f.mmcli.calls();
    expect(calls.indexOf('-m 0 --signal-setup=5')).toBeLessThan(calls.indexOf('-m 0 --signal-get -J'));
    await f.read();
    expect(f.mmcli.calls()).toHaveLength(6); // same instant: all cached
    f.advance(2.5); // status sources (2 s) are stale, the signal reading (3 s) is not
    await f.read();
    expect(f.mmcli.counts()).toMatchObject({ '-L -J': 2, '-m 0 -J': 2, '-b 1 -J': 2, '-i 0 -J': 2, '-m 0 --signal-get -J': 1 });
    f.advance(1);
    await f.read();
    expect(f.mmcli.counts()).toMatchObject({ '-L -J': 2, '-m 0 --signal-get -J': 2, '-m 0 --signal-setup=5': 1 });
  });

  it('reads the signal anew once the short cache has aged', async () => {
    f = modemManager({ signalMaxAgeMs: 1000 });
    const iface = f.model.bindingAt('Device.Cellular.Interface.{i}.')!;
    await iface.list!([], {});
    expect(await iface.get([1], {})).toMatchObject({ RSRP: -88 });
    const s = f.mmcli.fixture<{ modem: { signal: { '5g': Record<string, string> } } }>('-m 0 --signal-get -J');
    s.modem.signal['5g'].rsrp = '-93.40';
    f.mmcli.reply('-m 0 --signal-get -J', s);
    expect(await iface.get([1], {})).toMatchObject({ RSRP: -88 });
    f.advance(1.5);
    expect(await iface.get([1], {})).toMatchObject({ RSRP: -93 });
  });

  it('falls back to LTE when the 5g block has no readings (the verbatim --signal-get listing)', async () => {
    f = modemManager({ vendorPrefix: 'X_EXAMPLE-COM_' });
    f.mmcli.useFixture('-m 0 --signal-get -J', 'mmcli-m0-signal-get.lte-only.json');
    const v = (await f.read('Device.Cellular.')).get('Device.Cellular.Interface.1.')!;
    expect(v).toMatchObject({ CurrentAccessTechnology: 'NR', RSSI: -71, RSRP: -100, RSRQ: -9 });
    expect(v[SINR]).toBe(19);
  });

  it('reports unknown readings as TR-181 says: maxval for RSRP/RSRQ, the floor for RSSI', async () => {
    f = modemManager();
    f.mmcli.reply('-m 0 --signal-get -J', { modem: { signal: { refresh: { rate: '0' }, lte: { rssi: '--', rsrp: '--', rsrq: '--', snr: '--' } } } });
    expect((await f.read('Device.Cellular.')).get('Device.Cellular.Interface.1.')).toMatchObject({ RSSI: -117, RSRP: 2147483647, RSRQ: 2147483647 });
  });

  it('keeps serving the modem when it has no extended signal interface', async () => {
    f = modemManager();
    f.mmcli.reply('-m 0 --signal-get -J', 'not json: error: modem has no extended signal capabilities');
    expect((await f.read('Device.Cellular.')).get('Device.Cellular.Interface.1.')).toMatchObject({ Status: 'Up', IMEI: '350000000000001', RSRP: 2147483647 });
  });

  it('maps a disabled modem with a PIN-locked SIM, roaming', async () => {
    f = modemManager();
    const m = f.mmcli.fixture<{ modem: { generic: Record<string, unknown>; '3gpp': Record<string, unknown> } }>('-m 0 -J');
    Object.assign(m.modem.generic, { state: 'locked', 'unlock-required': 'sim-pin', 'access-technologies': [], 'own-numbers': ['+4915112345678'] });
    Object.assign(m.modem['3gpp'], { 'registration-state': 'roaming', 'enabled-locks': ['sim', 'fixed-dialing'], 'operator-name': '--', 'operator-code': '23415' });
    f.mmcli.reply('-m 0 -J', m);
    const all = await f.read('Device.Cellular.');
    expect(all.get('Device.Cellular.')).toMatchObject({ RoamingStatus: 'Roaming' });
    const iface = all.get('Device.Cellular.Interface.1.')!;
    expect(iface).toMatchObject({ Status: 'Dormant', Enable: true, NetworkInUse: '23415' });
    expect(iface).not.toHaveProperty('CurrentAccessTechnology');
    expect(all.get('Device.Cellular.Interface.1.USIM.')).toMatchObject({ Status: 'Available', PINCheck: 'OnNetworkAccess', MSISDN: '+4915112345678' });
  });

  it('counts LastChange from the read where the agent first saw the Status, and from 0 again when it changes', async () => {
    f = modemManager();
    const lastChange = async () => (await f.read('Device.Cellular.')).get('Device.Cellular.Interface.1.')!.LastChange;
    expect(await lastChange()).toBe(0);
    f.advance(90);
    expect(await lastChange()).toBe(90); // still "connected" (Up)
    const m = f.mmcli.fixture<{ modem: { generic: Record<string, unknown> } }>('-m 0 -J');
    m.modem.generic.state = 'searching'; // the network was lost: Dormant
    f.mmcli.reply('-m 0 -J', m);
    f.advance(5);
    expect(await lastChange()).toBe(0);
    f.advance(12);
    expect(await lastChange()).toBe(12);
  });

  it('keeps the instance number of a re-plugged modem (new ModemManager index, same device)', async () => {
    f = modemManager();
    const all = async () => f.read('Device.Cellular.');
    expect((await all()).get('Device.Cellular.Interface.1.')).toMatchObject({ IMEI: '350000000000001' });
    f.mmcli.reply('-L -J', { 'modem-list': [] });
    f.advance(5);
    // No bearer left: RoamingEnabled is ModemManager's default for a new bearer, allowed.
    expect((await all()).get('Device.Cellular.')).toEqual({ RoamingEnabled: true, InterfaceNumberOfEntries: 0, AccessPointNumberOfEntries: 0 });
    await expect(f.model.bindingAt('Device.Cellular.Interface.{i}.')!.get([1], {})).rejects.toMatchObject({ code: ErrorCode.ObjectDoesNotExist });
    // Back on the same USB port: ModemManager calls it Modem/3 now, its device path is the same.
    const m = f.mmcli.fixture<{ modem: Record<string, unknown> }>('-m 0 -J');
    m.modem['dbus-path'] = '/org/freedesktop/ModemManager1/Modem/3';
    f.mmcli.reply('-L -J', { 'modem-list': ['/org/freedesktop/ModemManager1/Modem/3'] });
    f.mmcli.reply('-m 3 -J', m);
    f.mmcli.reply('-m 3 --signal-get -J', f.mmcli.fixture('-m 0 --signal-get -J'));
    f.advance(5);
    const after = await all();
    expect(after.get('Device.Cellular.Interface.1.')).toMatchObject({ IMEI: '350000000000001', RSRP: -88 });
    expect(after.get('Device.Cellular.AccessPoint.1.')).toMatchObject({ Interface: 'Device.Cellular.Interface.1' });
    // The new modem object needs its own signal set-up, once.
    expect(f.mmcli.counts()).toMatchObject({ '-m 0 --signal-setup=5': 1, '-m 3 --signal-setup=5': 1 });
  });
});

describe('modemmanager platform: failures', () => {
  let f: MmFixture | undefined;
  afterEach(() => {
    f?.cleanup();
    f = undefined;
  });

  it('a failing mmcli fails Device.Cellular only (7003, one call per read), not the rest of the tree', async () => {
    const host = new FakeHost();
    const mmcli = new FakeMmcli();
    try {
      const model = new DataModel(Schema.load());
      registerLinuxPlatform(model, host.options());
      registerModemManagerPlatform(model, { commandPath: mmcli.binDir, now: () => 0 });
      mmcli.setFailing(true);
      const read = async (p: string) => {
        const out: ObjectValues[] = [];
        await readSubtree(model, { node: model.requireNode(p), keys: [] }, 0, {}, out);
        return out;
      };
      await expect(read('Device.Cellular.')).rejects.toMatchObject({
        code: ErrorCode.InternalError,
        message: expect.stringMatching(/data source failed: mmcli -L -J: exit 1: error: couldn't find the ModemManager process/),
      });
      const iface = model.bindingAt('Device.Cellular.Interface.{i}.')!;
      await expect(iface.list!([], {})).rejects.toMatchObject({ code: ErrorCode.InternalError });
      expect(mmcli.counts()).toEqual({ '-L -J': 1 }); // the failure is cached like an answer
      for (const p of ['Device.DeviceInfo.', 'Device.Ethernet.', 'Device.IP.']) expect((await read(p)).length, p).toBeGreaterThan(0);
    } finally {
      host.cleanup();
      mmcli.cleanup();
    }
  });

  it('detects ModemManager when mmcli answers, and not when it fails or is missing', async () => {
    const mmcli = new FakeMmcli();
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-no-mmcli-'));
    try {
      expect(await detectModemManager({ commandPath: mmcli.binDir })).toBe(true);
      mmcli.setFailing(true);
      expect(await detectModemManager({ commandPath: mmcli.binDir })).toBe(false);
      expect(await detectModemManager({ commandPath: empty })).toBe(false);
    } finally {
      mmcli.cleanup();
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses a vendor prefix that is not X_<VENDOR>_', () => {
    const model = new DataModel(Schema.load());
    expect(() => registerModemManagerPlatform(model, { vendorPrefix: 'EXAMPLE_' })).toThrow(/X_<OUI or domain-with-hyphens>_/);
  });
});

describe('modemmanager platform: the vendor SINR parameter', () => {
  let f: MmFixture | undefined;
  afterEach(() => {
    f?.cleanup();
    f = undefined;
  });

  it('is served under the configured prefix, typed int in dB, and listed by the model', async () => {
    f = modemManager({ vendorPrefix: 'X_0A5F1E_' });
    const node = f.model.requireNode('Device.Cellular.Interface.{i}.');
    expect(node.params.get('X_0A5F1E_SINR')).toMatchObject({ type: 'int', access: 'readOnly', units: 'dB' });
    expect((await f.read('Device.Cellular.')).get('Device.Cellular.Interface.1.')).toMatchObject({ X_0A5F1E_SINR: 18 });
  });

  it('is not served without a vendor prefix', async () => {
    f = modemManager();
    const node = f.model.requireNode('Device.Cellular.Interface.{i}.');
    expect([...node.params.keys()].filter((n) => n.startsWith('X_'))).toEqual([]);
    expect(Object.keys((await f.read('Device.Cellular.')).get('Device.Cellular.Interface.1.')!).filter((n) => n.startsWith('X_'))).toEqual([]);
  });
});
