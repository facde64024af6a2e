/**
 * Device.Cellular on generic Linux with ModemManager, written by a Controller: the real agent
 * (platform linux) with the fake `mmcli` first on PATH, which replays the recorded and schema
 * outputs of test/fixtures/modemmanager and logs every command line. Add creates a bearer,
 * Delete deletes it, a Set of its APN makes a new one in its place (bearers are immutable),
 * Enable connects or disconnects it, RoamingEnabled makes the bearers anew with allow-roaming,
 * NetworkRequested registers the modem; what ModemManager cannot do is refused with the
 * TR-369 error a Controller can act on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../datamodel/UspError.js';
import { type AgentFixture, startAgent } from '../peers/agent-fixture.js';
import { add, del, get, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { FakeMmcli } from '../unit/platform/modemmanager/fake-mmcli.js';

const FIXTURES = new URL('../fixtures/modemmanager/', import.meta.url).pathname;
const fixture = (file: string): string => fs.readFileSync(path.join(FIXTURES, file), 'utf8');
const BEARER = '/org/freedesktop/ModemManager1/Bearer/';

interface ModemJson {
  modem: { generic: { bearers: string[]; state: string } };
}

/** `mmcli -m 0 -J` listing these bearers. */
function modemWith(mmcli: FakeMmcli, ...bearers: number[]): ModemJson {
  const m = mmcli.fixture<ModemJson>('-m 0 -J');
  m.modem.generic.bearers = bearers.map((b) => `${BEARER}${b}`);
  return m;
}

/** mmcli's answer to a --create-bearer that made bearer `n` (mmcli-m0-create-bearer.txt, renumbered). */
const created = (n: number): string => fixture('mmcli-m0-create-bearer.txt').replace(/Bearer\/\d+/, `Bearer/${n}`);

/** `mmcli -b n -J` of a bearer with these properties and connection (mmcli-b2.json's keys). */
function bearerJson(n: number, props: Record<string, string>, connected = false): unknown {
  const b = JSON.parse(fixture('mmcli-b2.json')) as { bearer: { 'dbus-path': string; properties: Record<string, string>; status: Record<string, string> } };
  b.bearer['dbus-path'] = `${BEARER}${n}`;
  Object.assign(b.bearer.properties, props);
  b.bearer.status.connected = connected ? 'yes' : 'no';
  return b;
}

describe('Device.Cellular on Linux + ModemManager, written by a Controller', () => {
  let mmcli: FakeMmcli;
  let f: AgentFixture;
  let pathBefore: string | undefined;

  beforeEach(async () => {
    mmcli = new FakeMmcli();
    pathBefore = process.env.PATH;
    process.env.PATH = [mmcli.binDir, pathBefore ?? ''].join(path.delimiter);
    f = await startAgent({ platform: 'linux' });
  });

  afterEach(async () => {
    await f.close();
    process.env.PATH = pathBefore;
    mmcli.cleanup();
  });

  /** Command lines that change ModemManager's state, in order. */
  const changes = (): string[] => mmcli.calls().filter((c) => !c.endsWith(' -J') && !c.includes('--signal-setup'));

  it('Add creates a bearer with the Add values; the row reads from it and Delete deletes it', async () => {
    const line = "-m 0 --create-bearer=apn='fwa.example',ip-type=ipv4,allow-roaming=yes";
    mmcli.onChange(line, created(2), { '-m 0 -J': modemWith(mmcli, 1, 2), '-b 2 -J': fixture('mmcli-b2.json') });
    const row = await add(f.controller, 'Device.Cellular.AccessPoint.', { APN: 'fwa.example', IPVersion: '4' });
    expect(row).toBe('Device.Cellular.AccessPoint.2.');
    expect(changes()).toEqual([line]); // Enable false (the default): created, not connected
    expect(await get(f.controller, `${row}APN`)).toBe('fwa.example');
    expect(await get(f.controller, `${row}Interface`)).toBe('Device.Cellular.Interface.1');
    expect(await get(f.controller, `${row}Enable`)).toBe('false');
    expect(await get(f.controller, 'Device.Cellular.AccessPointNumberOfEntries')).toBe('2');

    mmcli.onChange('-m 0 --delete-bearer=2', fixture('mmcli-m0-delete-bearer.txt'), { '-m 0 -J': modemWith(mmcli, 1) });
    await del(f.controller, row);
    expect(changes().at(-1)).toBe('-m 0 --delete-bearer=2');
    expect(await get(f.controller, 'Device.Cellular.AccessPointNumberOfEntries')).toBe('1');
  });

  it('Add with Enable true connects the new bearer; credentials are quoted for ModemManager', async () => {
    const line = `-m 0 --create-bearer=apn='corp.example',user='ops',password="it's",apn-type=default,allow-roaming=yes`;
    mmcli.onChange(line, created(2), { '-m 0 -J': modemWith(mmcli, 1, 2), '-b 2 -J': bearerJson(2, { apn: 'corp.example', user: 'ops', password: "it's" }) });
    mmcli.onChange('-b 2 --connect', fixture('mmcli-b-connect.txt'), { '-b 2 -J': bearerJson(2, { apn: 'corp.example', user: 'ops', password: "it's" }, true) });
    const row = await add(f.controller, 'Device.Cellular.AccessPoint.', { APN: 'corp.example', Username: 'ops', Password: "it's", Type: 'default', Enable: 'true' });
    expect(changes()).toEqual([line, '-b 2 --connect']);
    expect(await get(f.controller, `${row}Enable`)).toBe('true');
  });

  it('an Add whose connection ModemManager refuses fails (7017) and leaves no bearer behind', async () => {
    const line = "-m 0 --create-bearer=apn='corp.example',allow-roaming=yes";
    mmcli.onChange(line, created(2), { '-m 0 -J': modemWith(mmcli, 1, 2), '-b 2 -J': bearerJson(2, { apn: 'corp.example' }) });
    mmcli.refuse('-b 2 --connect', fixture('mmcli-b-connect.not-subscribed.stderr.txt'));
    mmcli.onChange('-m 0 --delete-bearer=2', fixture('mmcli-m0-delete-bearer.txt'), { '-m 0 -J': modemWith(mmcli, 1) });
    const r = await tryAdd(f.controller, 'Device.Cellular.AccessPoint.', { APN: 'corp.example', Enable: 'true' });
    expect(r).toMatchObject({ ok: false, errCode: ErrorCode.ObjectCouldNotBeCreated, errMsg: expect.stringMatching(/could not connect it: .*Requested service option not subscribed/) });
    expect(changes()).toEqual([line, '-b 2 --connect', '-m 0 --delete-bearer=2']);
    expect(await get(f.controller, 'Device.Cellular.AccessPointNumberOfEntries')).toBe('1');
  });

  it("a Set of APN makes a new bearer in the old one's place, same instance, connected as before", async () => {
    const line = "-m 0 --create-bearer=apn='internet.v6',user='telekom',password='tm',apn-type=default,allow-roaming=yes";
    mmcli.onChange(line, created(3), { '-b 3 -J': bearerJson(3, { apn: 'internet.v6', user: 'telekom', password: 'tm', 'ip-type': 'ipv4v6' }) });
    mmcli.onChange('-m 0 --delete-bearer=1', fixture('mmcli-m0-delete-bearer.txt'), { '-m 0 -J': modemWith(mmcli, 3) });
    mmcli.onChange('-b 3 --connect', fixture('mmcli-b-connect.txt'), { '-b 3 -J': bearerJson(3, { apn: 'internet.v6', user: 'telekom', password: 'tm', 'ip-type': 'ipv4v6' }, true) });
    await set(f.controller, 'Device.Cellular.AccessPoint.1.', { APN: 'internet.v6' });
    // Created first (a refusal leaves the old bearer), the old one deleted, the new one connected: bearer 1 was.
    expect(changes()).toEqual([line, '-m 0 --delete-bearer=1', '-b 3 --connect']);
    expect(await get(f.controller, 'Device.Cellular.AccessPoint.1.APN')).toBe('internet.v6');
    expect(await get(f.controller, 'Device.Cellular.AccessPoint.1.Enable')).toBe('true');
    expect(await get(f.controller, 'Device.Cellular.AccessPointNumberOfEntries')).toBe('1');
  });

  it('Enable false disconnects the bearer and keeps it', async () => {
    mmcli.onChange('-b 1 --disconnect', fixture('mmcli-b-disconnect.txt'), { '-b 1 -J': bearerJson(1, { apn: 'internet.telekom' }, false) });
    await set(f.controller, 'Device.Cellular.AccessPoint.1.', { Enable: 'false' });
    expect(changes()).toEqual(['-b 1 --disconnect']);
    expect(await get(f.controller, 'Device.Cellular.AccessPoint.1.Enable')).toBe('false');
    expect(await get(f.controller, 'Device.Cellular.AccessPointNumberOfEntries')).toBe('1');
  });

  it('RoamingEnabled false makes each bearer anew with allow-roaming=no', async () => {
    expect(await get(f.controller, 'Device.Cellular.RoamingEnabled')).toBe('true'); // bearer 1: "roaming": "allowed"
    const line = "-m 0 --create-bearer=apn='internet.telekom',user='telekom',password='tm',apn-type=default,allow-roaming=no";
    const forbidden = { apn: 'internet.telekom', user: 'telekom', password: 'tm', 'ip-type': 'ipv4v6', roaming: 'forbidden' };
    mmcli.onChange(line, created(4), { '-b 4 -J': bearerJson(4, forbidden) });
    mmcli.onChange('-m 0 --delete-bearer=1', fixture('mmcli-m0-delete-bearer.txt'), { '-m 0 -J': modemWith(mmcli, 4) });
    mmcli.onChange('-b 4 --connect', fixture('mmcli-b-connect.txt'), { '-b 4 -J': bearerJson(4, forbidden, true) });
    await set(f.controller, 'Device.Cellular.', { RoamingEnabled: 'false' });
    expect(changes()).toEqual([line, '-m 0 --delete-bearer=1', '-b 4 --connect']);
    expect(await get(f.controller, 'Device.Cellular.RoamingEnabled')).toBe('false');
    expect(await get(f.controller, 'Device.Cellular.AccessPoint.1.APN')).toBe('internet.telekom');
  });

  it('NetworkRequested registers the modem by operator code, "" automatically; Interface.Enable false disables it', async () => {
    expect(await get(f.controller, 'Device.Cellular.Interface.1.NetworkRequested')).toBe('');
    mmcli.onChange('-m 0 --3gpp-register-in-operator=26202', fixture('mmcli-m0-3gpp-register.txt'));
    await set(f.controller, 'Device.Cellular.Interface.1.', { NetworkRequested: '26202' });
    expect(await get(f.controller, 'Device.Cellular.Interface.1.NetworkRequested')).toBe('26202');
    mmcli.onChange('-m 0 --3gpp-register-home', fixture('mmcli-m0-3gpp-register.txt'));
    await set(f.controller, 'Device.Cellular.Interface.1.', { NetworkRequested: '' });
    expect(await get(f.controller, 'Device.Cellular.Interface.1.NetworkRequested')).toBe('');
    const disabled = modemWith(mmcli, 1);
    disabled.modem.generic.state = 'disabled';
    mmcli.onChange('-m 0 --disable', 'successfully disabled the modem\n', { '-m 0 -J': disabled });
    await set(f.controller, 'Device.Cellular.Interface.1.', { Enable: 'false' });
    expect(changes()).toEqual(['-m 0 --3gpp-register-in-operator=26202', '-m 0 --3gpp-register-home', '-m 0 --disable']);
    expect(await get(f.controller, 'Device.Cellular.Interface.1.Status')).toBe('Down');
  });

  it('PreferredAccessTechnology sets the preferred mode and keeps the allowed ones; Auto prefers none', async () => {
    const preferLte = '-m 0 --set-allowed-modes=3g|4g|5g --set-preferred-mode=4g';
    const lte = modemWith(mmcli, 1) as ModemJson & { modem: { generic: { 'current-modes': string } } };
    lte.modem.generic['current-modes'] = 'allowed: 3g, 4g, 5g; preferred: 4g';
    mmcli.onChange(preferLte, fixture('mmcli-m0-set-modes.txt'), { '-m 0 -J': lte });
    await set(f.controller, 'Device.Cellular.Interface.1.', { PreferredAccessTechnology: 'LTE' });
    expect(await get(f.controller, 'Device.Cellular.Interface.1.PreferredAccessTechnology')).toBe('LTE');
    mmcli.onChange('-m 0 --set-allowed-modes=3g|4g|5g', fixture('mmcli-m0-set-modes.txt'));
    await set(f.controller, 'Device.Cellular.Interface.1.', { PreferredAccessTechnology: 'Auto' });
    expect(changes()).toEqual([preferLte, '-m 0 --set-allowed-modes=3g|4g|5g']);
    // 2G is not among the modes the modem may use: refused before asking ModemManager.
    const gprs = await trySet(f.controller, 'Device.Cellular.Interface.1.', { PreferredAccessTechnology: 'GPRS' });
    expect(gprs).toMatchObject({ ok: false, errMsg: expect.stringMatching(/may use 3g, 4g, 5g/) });
    expect(changes()).toHaveLength(2);
  });

  it('refuses what ModemManager cannot take (7012) before asking it, and passes its refusals on (7017, 7002)', async () => {
    const bad = await tryAdd(f.controller, 'Device.Cellular.AccessPoint.', { APN: '-bad..apn' });
    expect(bad).toMatchObject({ ok: false, errCode: ErrorCode.InvalidValue });
    const quotes = await tryAdd(f.controller, 'Device.Cellular.AccessPoint.', { APN: 'corp.example', Password: `a'b"c` });
    expect(quotes).toMatchObject({ ok: false, errCode: ErrorCode.InvalidValue });
    const name = await trySet(f.controller, 'Device.Cellular.Interface.1.', { NetworkRequested: 'Vodafone.de' });
    expect(name).toMatchObject({ ok: false, errMsg: expect.stringMatching(/operator code/) });
    expect(changes()).toEqual([]);

    mmcli.refuse("-m 0 --create-bearer=apn='fwa.example',allow-roaming=yes", fixture('mmcli-m0-create-bearer.too-many.stderr.txt'));
    const full = await tryAdd(f.controller, 'Device.Cellular.AccessPoint.', { APN: 'fwa.example' });
    expect(full).toMatchObject({ ok: false, errCode: ErrorCode.ObjectCouldNotBeCreated, errMsg: expect.stringMatching(/Maximum number of PDP\/bearer contexts reached/) });
    expect(await get(f.controller, 'Device.Cellular.AccessPointNumberOfEntries')).toBe('1');

    // A Set ModemManager refuses leaves the old bearer as it was.
    mmcli.refuse("-m 0 --create-bearer=apn='fwa.example',user='telekom',password='tm',apn-type=default,allow-roaming=yes", fixture('mmcli-m0-create-bearer.too-many.stderr.txt'));
    const refusedSet = await trySet(f.controller, 'Device.Cellular.AccessPoint.1.', { APN: 'fwa.example' });
    expect(refusedSet).toMatchObject({ ok: false, errMsg: expect.stringMatching(/could not create the bearer: .*Maximum number of PDP\/bearer contexts reached/) });
    expect(await get(f.controller, 'Device.Cellular.AccessPoint.1.APN')).toBe('internet.telekom');
    expect(changes().some((c) => c.includes('--delete-bearer'))).toBe(false);
  });
});
