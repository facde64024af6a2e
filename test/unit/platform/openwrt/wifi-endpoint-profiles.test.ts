/**
 * Device.WiFi.EndPoint Profiles on OpenWrt (WiFiEndPoint:1): the station's wifi-iface holds the
 * referenced Profile, the others are `usp_wifi_profile` sections, and ProfileReference swaps one
 * into the wifi-iface. uci and ubus are the stand-ins of fake-openwrt.ts: the station's `uci show`
 * (uci-show-wireless.sta.txt) and iwinfo answers are written by us (test/fixtures/openwrt/README.md);
 * what `uci show` prints after each commit is that file with the options the test expects the
 * agent to have written, and every uci command the agent runs is compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { dropNetworkPlan, endpointEnabled, endpointEnablePlan, swapPlan } from '../../../../platform/openwrt/wifi-endpoint-profile-plan.js';
import { refusal } from '../refusal.js';
import { FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const RELOAD = ['ubus', 'call', 'network', 'reload'];
const EP = 'Device.WiFi.EndPoint.{i}.';
const PROFILE = `${EP}Profile.{i}.`;
const STA = fs.readFileSync(path.join(FIXTURES, 'uci-show-wireless.sta.txt'), 'utf8');

/** The station fixture with `edit` applied to its usp_wifi1 lines and `extra` lines appended. */
function wireless(edit: Record<string, string | undefined>, extra: string[] = []): { text: string } {
  const lines = STA.trimEnd()
    .split('\n')
    .filter((l) => !Object.keys(edit).some((o) => l.startsWith(`wireless.usp_wifi1.${o}=`)));
  for (const [o, v] of Object.entries(edit)) if (v !== undefined) lines.push(`wireless.usp_wifi1.${o}='${v}'`);
  return { text: [...lines, ...extra, ''].join('\n') };
}

/** The second Profile as `uci show` prints the section the Add and Security Set wrote. */
const BACKUP = [
  'wireless.usp_wprof1=usp_wifi_profile',
  "wireless.usp_wprof1.endpoint='usp_wifi1'",
  "wireless.usp_wprof1.encryption='psk2'",
  "wireless.usp_wprof1.ssid='Backup-2G'",
  "wireless.usp_wprof1.usp_location='Office'",
  "wireless.usp_wprof1.usp_priority='1'",
  "wireless.usp_wprof1.key='backup passphrase'",
];

function statusWithStation(): unknown {
  const status = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-network-wireless-status.json'), 'utf8')) as Record<string, { interfaces: unknown[] }>;
  status.radio1!.interfaces.push({ section: 'usp_wifi1', ifname: 'phy1-sta0', config: { mode: 'sta' }, vlans: [], stations: [] });
  return status;
}

describe('openwrt platform: WiFi.EndPoint Profiles (usp_wifi_profile sections, ProfileReference swaps)', () => {
  let fx: PlatformFixture;
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));
  const commit = [['uci', 'commit', 'wireless'], RELOAD];

  beforeAll(async () => {
    fx = openWrt();
    fx.fake.respondUci('wireless', { file: 'uci-show-wireless.sta.txt' });
    fx.fake.respond('network.wireless status', { json: statusWithStation() });
    fx.fake.respond('iwinfo info {"device":"phy1-sta0"}', { file: 'ubus-iwinfo-info.phy1-sta0.json' });
    fx.fake.respond('iwinfo assoclist {"device":"phy1-sta0"}', { file: 'ubus-iwinfo-assoclist.phy1-sta0.json' });
    await fx.platform.ready;
  });
  afterAll(() => fx.close());

  it('adds a second Profile as a usp_wifi_profile section, with its Location, Priority and Security', async () => {
    await fx.values('Device.WiFi.');
    fx.fake.respondUciAfterCommit('wireless', wireless({}, BACKUP.slice(0, 6)));
    fx.fake.clearLog();
    expect(await fx.binding(PROFILE).add!([1], { SSID: 'Backup-2G', Location: 'Office', Priority: 1 }, {})).toBe(2);
    expect(writes()).toEqual([
      ['uci', 'set', 'wireless.usp_wprof1=usp_wifi_profile'],
      ['uci', 'set', 'wireless.usp_wprof1.endpoint=usp_wifi1'],
      ['uci', 'set', 'wireless.usp_wprof1.encryption=none'],
      ['uci', 'set', 'wireless.usp_wprof1.ssid=Backup-2G'],
      ['uci', 'set', 'wireless.usp_wprof1.usp_location=Office'],
      ['uci', 'set', 'wireless.usp_wprof1.usp_priority=1'],
      ...commit,
    ]);
    fx.fake.respondUciAfterCommit('wireless', wireless({}, BACKUP));
    fx.fake.clearLog();
    await fx.binding(`${PROFILE}Security.`).set!([1, 2], { ModeEnabled: 'WPA2-Personal', KeyPassphrase: 'backup passphrase' }, {});
    expect(writes()).toEqual([['uci', 'set', 'wireless.usp_wprof1.encryption=psk2'], ['uci', 'set', 'wireless.usp_wprof1.key=backup passphrase'], ...commit]);
    const v = await fx.values('Device.WiFi.');
    expect(v.get('Device.WiFi.EndPoint.1.')).toMatchObject({ ProfileReference: 'Device.WiFi.EndPoint.1.Profile.1', ProfileNumberOfEntries: 2, Status: 'Enabled' });
    expect(v.get('Device.WiFi.EndPoint.1.Profile.1.')).toMatchObject({ Status: 'Active', SSID: 'Uplink-5G' });
    expect(v.get('Device.WiFi.EndPoint.1.Profile.2.')).toMatchObject({ Enable: true, Status: 'Available', SSID: 'Backup-2G', Location: 'Office', Priority: 1 });
  });

  it('refuses a ProfileReference it cannot make the one joined (7012), and nothing is written', async () => {
    fx.fake.clearLog();
    for (const ref of ['', 'Device.WiFi.EndPoint.2.Profile.1', 'Device.WiFi.EndPoint.1.Profile.9', 'Device.WiFi.SSID.1']) {
      expect((await refusal(() => fx.binding(EP).set!([1], { ProfileReference: ref }, {}))).code, ref).toBe(ErrorCode.InvalidValue);
    }
    expect((await refusal(() => fx.binding(PROFILE).set!([1, 1], { SSID: '' }, {}))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => fx.binding(`${PROFILE}Security.`).set!([1, 2], { WEPKey: 'abc' }, {}))).code).toBe(ErrorCode.InvalidValue);
    expect(writes()).toEqual([]);
  });

  it('a failed commit is reverted and the Profiles keep their numbers', async () => {
    fx.fake.failCommit(true, 'wireless');
    fx.fake.clearLog();
    const e = await refusal(() => fx.binding(EP).set!([1], { ProfileReference: 'Device.WiFi.EndPoint.1.Profile.2' }, {}));
    fx.fake.failCommit(false);
    expect(e.code).toBe(ErrorCode.InternalError);
    expect(fx.fake.invocations().some((a) => a[0] === 'uci' && a[1] === 'revert')).toBe(true);
    expect((await fx.values('Device.WiFi.')).get('Device.WiFi.EndPoint.1.')).toMatchObject({ ProfileReference: 'Device.WiFi.EndPoint.1.Profile.1' });
  });

  it('ProfileReference swaps the Profiles: the station joins Profile 2 after the reload, Profile 1 waits in the section', async () => {
    const swapped = wireless({ ssid: 'Backup-2G', key: 'backup passphrase', usp_location: 'Office', usp_priority: '1' }, [
      'wireless.usp_wprof1=usp_wifi_profile',
      "wireless.usp_wprof1.endpoint='usp_wifi1'",
      "wireless.usp_wprof1.encryption='psk2'",
      "wireless.usp_wprof1.ssid='Uplink-5G'",
      "wireless.usp_wprof1.key='uplink passphrase'",
    ]);
    fx.fake.respondUciAfterCommit('wireless', swapped);
    fx.fake.clearLog();
    await fx.binding(EP).set!([1], { ProfileReference: 'Device.WiFi.EndPoint.1.Profile.2.' }, {});
    expect(writes()).toEqual([
      ['uci', 'set', 'wireless.usp_wifi1.ssid=Backup-2G'],
      ['uci', 'set', 'wireless.usp_wprof1.ssid=Uplink-5G'],
      ['uci', 'set', 'wireless.usp_wifi1.key=backup passphrase'],
      ['uci', 'set', 'wireless.usp_wprof1.key=uplink passphrase'],
      ['uci', 'set', 'wireless.usp_wifi1.usp_location=Office'],
      ['uci', 'delete', 'wireless.usp_wprof1.usp_location'],
      ['uci', 'set', 'wireless.usp_wifi1.usp_priority=1'],
      ['uci', 'delete', 'wireless.usp_wprof1.usp_priority'],
      ['uci', 'set', 'wireless.usp_wifi1.disabled=0'],
      ...commit,
    ]);
    // wpa_supplicant on the new network: iwinfo (written by us from the recorded station answer) reports it.
    const info = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-iwinfo-info.phy1-sta0.json'), 'utf8')) as Record<string, unknown>;
    fx.fake.respond('iwinfo info {"device":"phy1-sta0"}', { json: { ...info, ssid: 'Backup-2G', bssid: 'A0:40:A0:65:43:21' } });
    const v = await fx.values('Device.WiFi.');
    expect(v.get('Device.WiFi.EndPoint.1.')).toMatchObject({ ProfileReference: 'Device.WiFi.EndPoint.1.Profile.2', Status: 'Enabled' });
    expect(v.get('Device.WiFi.EndPoint.1.Profile.2.')).toMatchObject({ Status: 'Active', SSID: 'Backup-2G', Location: 'Office', Priority: 1 });
    expect(v.get('Device.WiFi.EndPoint.1.Profile.1.')).toMatchObject({ Status: 'Available', SSID: 'Uplink-5G', Location: '', Priority: 0 });
    expect(v.get('Device.WiFi.EndPoint.1.Profile.1.Security.')).toMatchObject({ ModeEnabled: 'WPA2-Personal', KeyPassphrase: 'uplink passphrase' });
    expect(v.get('Device.WiFi.SSID.3.')).toMatchObject({ SSID: 'Backup-2G' });

    // The referenced Profile disabled: the wifi-iface stops, the EndPoint stays enabled but has nothing to join.
    fx.fake.respondUciAfterCommit('wireless', {
      text: swapped.text.replace("usp_wifi1.disabled='0'", "usp_wifi1.disabled='1'") + "wireless.usp_wifi1.usp_enable='0'\nwireless.usp_wifi1.usp_ep_enable='1'\n",
    });
    fx.fake.clearLog();
    await fx.binding(PROFILE).set!([1, 2], { Enable: false }, {});
    expect(writes()).toEqual([['uci', 'set', 'wireless.usp_wifi1.usp_ep_enable=1'], ['uci', 'set', 'wireless.usp_wifi1.usp_enable=0'], ['uci', 'set', 'wireless.usp_wifi1.disabled=1'], ...commit]);
    const off = await fx.values('Device.WiFi.');
    expect(off.get('Device.WiFi.EndPoint.1.')).toMatchObject({ Enable: true, Status: 'Error_Misconfigured' });
    expect(off.get('Device.WiFi.EndPoint.1.Profile.2.')).toMatchObject({ Enable: false, Status: 'Disabled' });
    // Enabling the station's SSID row does not run it on the disabled Profile either.
    fx.fake.clearLog();
    await fx.binding('Device.WiFi.SSID.{i}.').set!([3], { Enable: true }, {});
    expect(writes()).toEqual([['uci', 'set', 'wireless.usp_wifi1.disabled=1'], ...commit]);

    // Deleting the waiting Profile deletes its section.
    fx.fake.respondUciAfterCommit('wireless', {
      text: swapped.text
        .split('\n')
        .filter((l) => !l.startsWith('wireless.usp_wprof1'))
        .join('\n'),
    });
    fx.fake.clearLog();
    await fx.binding(PROFILE).delete!([1, 1], {});
    expect(writes()).toEqual([['uci', 'delete', 'wireless.usp_wprof1'], ...commit]);
    expect((await fx.values('Device.WiFi.')).get('Device.WiFi.EndPoint.1.')).toMatchObject({ ProfileNumberOfEntries: 1, ProfileReference: 'Device.WiFi.EndPoint.1.Profile.2' });
  });
});

describe('EndPoint Profile planning', () => {
  it('past 8 Profiles an Add is refused (7005)', async () => {
    const many = Array.from({ length: 7 }, (_, k) => [`wireless.usp_wprof${k + 1}=usp_wifi_profile`, `wireless.usp_wprof${k + 1}.endpoint='usp_wifi1'`]).flat();
    const fx = openWrt();
    try {
      fx.fake.respondUci('wireless', wireless({}, many));
      fx.fake.respond('network.wireless status', { json: statusWithStation() });
      await fx.platform.ready;
      expect((await refusal(() => fx.binding(PROFILE).add!([1], { SSID: 'ninth' }, {}))).code).toBe(ErrorCode.ResourcesExceeded);
    } finally {
      fx.close();
    }
  });

  const sta = { ssid: 'A', encryption: 'psk2', key: 'passphrase-a', disabled: '0' };
  it('the EndPoint Enable is kept aside while the referenced Profile is disabled', () => {
    expect(endpointEnabled({ ...sta, usp_enable: '0', usp_ep_enable: '0' }, true)).toBe(false);
    expect(endpointEnabled({ ...sta, usp_enable: '0' }, true)).toBe(true);
    expect(endpointEnabled(sta, true)).toBe(false);
    expect(endpointEnablePlan('s', { ...sta, usp_enable: '0', usp_ep_enable: '1' }, false)).toEqual([
      { section: 's', option: 'usp_ep_enable', value: '0', secret: false },
      { section: 's', option: 'disabled', value: '1' },
    ]);
    expect(endpointEnablePlan('s', sta, false)).toEqual([{ section: 's', option: 'disabled', value: '1' }]);
  });

  it('a swap into a station without a network moves the Profile and deletes its section', () => {
    const { changes, removeTarget } = swapPlan(
      { section: 's', config: { disabled: '0' }, disabled: false },
      { section: 'p', config: { ssid: 'B', encryption: 'sae', key: 'passphrase-b', usp_enable: '0' } },
    );
    expect(removeTarget).toBe(true);
    expect(changes.filter((c) => c.section === 'p')).toEqual([]);
    expect(changes.map((c) => `${c.option}=${c.value}`)).toEqual(['ssid=B', 'encryption=sae', 'key=passphrase-b', 'usp_enable=0', 'usp_ep_enable=1', 'disabled=1']);
  });

  it('deleting the referenced Profile leaves the station without a network', () => {
    expect(dropNetworkPlan('s', { ...sta, usp_location: 'x' }, false).map((c) => `${c.remove ? 'delete ' : ''}${c.option}=${c.value}`)).toEqual([
      'delete ssid=',
      'delete key=',
      'delete usp_location=',
      'encryption=none',
      'disabled=0',
    ]);
  });
});
