/**
 * Device.Cellular on generic Linux across a reboot: the real agent (platform linux) with the fake
 * `mmcli` first on PATH (test/unit/platform/modemmanager/fake-mmcli.ts, replaying the schema
 * outputs of test/fixtures/modemmanager). The access point a Controller added and the
 * NetworkRequested it set are kept in the agent's store; after the reboot ModemManager has no
 * bearer and registers automatically, and the agent's start makes the bearer again and asks for
 * the network again, and a Controller reads both back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AgentFixture, startAgent } from '../peers/agent-fixture.js';
import { add, get, set } from '../peers/controller-steps.js';
import { FakeMmcli } from '../unit/platform/modemmanager/fake-mmcli.js';

const FIXTURES = new URL('../fixtures/modemmanager/', import.meta.url).pathname;
const fixture = (file: string): string => fs.readFileSync(path.join(FIXTURES, file), 'utf8');
const BEARER = '/org/freedesktop/ModemManager1/Bearer/';
const FWA = "-m 0 --create-bearer=apn='fwa.example',ip-type=ipv4,allow-roaming=yes";

interface ModemJson {
  modem: { generic: { bearers: string[] } };
}

/** `mmcli -m 0 -J` (the recorded modem) listing these bearers. */
function modemWith(...bearers: number[]): ModemJson {
  const m = JSON.parse(fixture('mmcli-m0.json')) as ModemJson;
  m.modem.generic.bearers = bearers.map((b) => `${BEARER}${b}`);
  return m;
}
const created = (n: number): string => fixture('mmcli-m0-create-bearer.txt').replace(/Bearer\/\d+/, `Bearer/${n}`);
/** `mmcli -b n -J` of the fwa.example bearer (mmcli-b2.json is that bearer). */
function fwaBearer(n: number): unknown {
  const b = JSON.parse(fixture('mmcli-b2.json')) as { bearer: { 'dbus-path': string } };
  b.bearer['dbus-path'] = `${BEARER}${n}`;
  return b;
}

describe('Device.Cellular on Linux + ModemManager across a reboot', () => {
  let mmcli: FakeMmcli;
  let pathBefore: string | undefined;
  let dataDir: string;
  const fixtures: AgentFixture[] = [];

  beforeEach(() => {
    mmcli = new FakeMmcli();
    pathBefore = process.env.PATH;
    process.env.PATH = [mmcli.binDir, pathBefore ?? ''].join(path.delimiter);
    dataDir = fs.mkdtempSync(path.join(mmcli.dir, 'data-'));
  });
  afterEach(async () => {
    for (const f of fixtures.splice(0)) await f.close();
    process.env.PATH = pathBefore;
    mmcli.cleanup();
  });

  const changes = (): string[] => mmcli.calls().filter((c) => !c.endsWith(' -J') && !c.includes('--signal-setup'));

  it('the added access point and NetworkRequested come back: the bearer made again once, the network asked for again', async () => {
    const first = await startAgent({ platform: 'linux', dataDir });
    fixtures.push(first);
    mmcli.onChange(FWA, created(2), { '-m 0 -J': modemWith(1, 2), '-b 2 -J': fwaBearer(2) });
    expect(await add(first.controller, 'Device.Cellular.AccessPoint.', { APN: 'fwa.example', IPVersion: '4' })).toBe('Device.Cellular.AccessPoint.2.');
    mmcli.onChange('-m 0 --3gpp-register-in-operator=26202', fixture('mmcli-m0-3gpp-register.txt'));
    await set(first.controller, 'Device.Cellular.Interface.1.', { NetworkRequested: '26202' });
    await fixtures.splice(0)[0]!.close();

    // The reboot: ModemManager starts with no bearer (not even the network manager's), registered automatically.
    mmcli.reply('-m 0 -J', modemWith());
    mmcli.onChange(FWA, created(1), { '-m 0 -J': modemWith(1), '-b 1 -J': fwaBearer(1) });
    const before = changes().length;
    const second = await startAgent({ platform: 'linux', dataDir, port: first.port });
    fixtures.push(second);
    expect(changes().slice(before)).toEqual([FWA, '-m 0 --3gpp-register-in-operator=26202']);
    expect(await get(second.controller, 'Device.Cellular.Interface.1.NetworkRequested')).toBe('26202');
    expect(await get(second.controller, 'Device.Cellular.AccessPointNumberOfEntries')).toBe('1');
    expect(await get(second.controller, 'Device.Cellular.AccessPoint.1.APN')).toBe('fwa.example');
    expect(changes().slice(before)).toHaveLength(2);
  });
});
