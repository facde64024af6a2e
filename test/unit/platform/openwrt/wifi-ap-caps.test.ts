/**
 * Device.WiFi.AccessPoint.{i} on OpenWrt beyond the basics (TR-181 WiFiAccessPoint:1 and :2):
 * WMM/U-APSD capability, the MAC allow list (UCI macfilter/maclist), Security.WEPKey (key1) and
 * RekeyingInterval (wpa_group_rekey), and WPS (wps_pushbutton/wps_label), through the fake router:
 * reads, the uci commands a Set runs with the reload, refusals (7012) and the revert of a failed
 * commit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { refusal } from '../refusal.js';
import { fakeOpenWrt, FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const RELOAD = ['ubus', 'call', 'network', 'reload'];
const COMMIT = ['uci', 'commit', 'wireless'];
const AP = 'Device.WiFi.AccessPoint.{i}.';
const SECURITY = 'Device.WiFi.AccessPoint.{i}.Security.';
const WPS = 'Device.WiFi.AccessPoint.{i}.WPS.';

/** The fake router whose `uci show wireless` has `lines` added to the recorded configuration. */
function withWireless(...lines: string[]): PlatformFixture {
  const fake = fakeOpenWrt();
  fake.respondUci('wireless', { text: fs.readFileSync(path.join(FIXTURES, 'uci-show-wireless.txt'), 'utf8') + lines.map((l) => `${l}\n`).join('') });
  return openWrt(fake);
}

describe('openwrt platform: AccessPoint capabilities, MAC filter, WEP key, rekeying and WPS', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));
  const set = (object: string, changes: Record<string, Value>): Promise<void> => Promise.resolve(fx.binding(object).set!([2], changes, {}));

  it('reads the defaults of the recorded AccessPoint', async () => {
    fx = openWrt();
    const v = await fx.values('Device.WiFi.');
    expect(v.get('Device.WiFi.AccessPoint.2.')).toMatchObject({ WMMCapability: true, UAPSDCapability: true, MACAddressControlEnabled: false, AllowedMACAddress: '' });
    // WPA2-PSK with CCMP: hostapd's group rekey default is a day; no WEP key configured.
    expect(v.get('Device.WiFi.AccessPoint.2.Security.')).toMatchObject({ RekeyingInterval: 86400 });
    expect(v.get('Device.WiFi.AccessPoint.2.Security.')).not.toHaveProperty('WEPKey');
    expect(v.get('Device.WiFi.AccessPoint.2.WPS.')).toEqual({ Enable: false, ConfigMethodsSupported: 'Label,PushButton', ConfigMethodsEnabled: '' });
  });

  it('reads an allow list, a group rekey interval, an ASCII WEP key and push-button WPS from UCI', async () => {
    fx = withWireless(
      "wireless.default_radio1.macfilter='allow'",
      "wireless.default_radio1.maclist='AA:BB:CC:00:00:01' 'aa:bb:cc:00:00:02'",
      "wireless.default_radio1.wpa_group_rekey='3600'",
      "wireless.default_radio1.key1='s:abcde'",
      "wireless.default_radio1.wps_pushbutton='1'",
    );
    const v = await fx.values('Device.WiFi.');
    expect(v.get('Device.WiFi.AccessPoint.2.')).toMatchObject({ MACAddressControlEnabled: true, AllowedMACAddress: 'aa:bb:cc:00:00:01,aa:bb:cc:00:00:02' });
    expect(v.get('Device.WiFi.AccessPoint.2.Security.')).toMatchObject({ WEPKey: '6162636465', RekeyingInterval: 3600 });
    expect(v.get('Device.WiFi.AccessPoint.2.WPS.')).toMatchObject({ Enable: true, ConfigMethodsEnabled: 'PushButton' });
  });

  it('writes the allow list as macfilter allow and one add_list per address, then reloads', async () => {
    fx = openWrt();
    fx.fake.clearLog();
    await set(AP, { MACAddressControlEnabled: true, AllowedMACAddress: 'AA:BB:CC:00:00:01,aa:bb:cc:00:00:02' });
    expect(writes()).toEqual([
      ['uci', 'set', 'wireless.default_radio1.macfilter=allow'],
      ['uci', 'add_list', 'wireless.default_radio1.maclist=aa:bb:cc:00:00:01'],
      ['uci', 'add_list', 'wireless.default_radio1.maclist=aa:bb:cc:00:00:02'],
      COMMIT,
      RELOAD,
    ]);
  });

  it('replaces a list and turns the filter off by deleting macfilter', async () => {
    fx = withWireless("wireless.default_radio1.macfilter='allow'", "wireless.default_radio1.maclist='aa:bb:cc:00:00:01'");
    fx.fake.clearLog();
    await set(AP, { AllowedMACAddress: 'aa:bb:cc:00:00:09' });
    await set(AP, { MACAddressControlEnabled: false });
    expect(writes()).toEqual([
      ['uci', 'delete', 'wireless.default_radio1.maclist'],
      ['uci', 'add_list', 'wireless.default_radio1.maclist=aa:bb:cc:00:00:09'],
      COMMIT,
      RELOAD,
      ['uci', 'delete', 'wireless.default_radio1.macfilter'],
      COMMIT,
      RELOAD,
    ]);
  });

  it('refuses a bad address and leaves a deny list configured outside TR-181 alone (7012)', async () => {
    fx = withWireless("wireless.default_radio1.macfilter='deny'", "wireless.default_radio1.maclist='aa:bb:cc:00:00:01'");
    fx.fake.clearLog();
    // A deny list is not an allow list: it reads as no MAC address control.
    expect((await fx.values('Device.WiFi.')).get('Device.WiFi.AccessPoint.2.')).toMatchObject({ MACAddressControlEnabled: false, AllowedMACAddress: '' });
    const refused: Array<Record<string, Value>> = [{ MACAddressControlEnabled: true }, { AllowedMACAddress: 'aa:bb:cc:00:00:02' }, { MACAddressControlEnabled: true, AllowedMACAddress: 'not-a-mac' }];
    for (const bad of refused) {
      const e = await refusal(() => set(AP, bad));
      expect(e.code).toBe(ErrorCode.InvalidValue);
    }
    expect(writes()).toEqual([]);
    // Both together replace it.
    await set(AP, { MACAddressControlEnabled: true, AllowedMACAddress: 'aa:bb:cc:00:00:02' });
    expect(writes()).toEqual([
      ['uci', 'set', 'wireless.default_radio1.macfilter=allow'],
      ['uci', 'delete', 'wireless.default_radio1.maclist'],
      ['uci', 'add_list', 'wireless.default_radio1.maclist=aa:bb:cc:00:00:02'],
      COMMIT,
      RELOAD,
    ]);
  });

  it('writes WEPKey to key1 only (key stays the PSK outside WEP) and RekeyingInterval to wpa_group_rekey; refuses a key of the wrong length', async () => {
    fx = openWrt();
    fx.fake.clearLog();
    await set(SECURITY, { WEPKey: '0102030405', RekeyingInterval: 3600 });
    expect(writes()).toEqual([['uci', 'set', 'wireless.default_radio1.key1=0102030405'], ['uci', 'set', 'wireless.default_radio1.wpa_group_rekey=3600'], COMMIT, RELOAD]);
    fx.fake.clearLog();
    expect((await refusal(() => set(SECURITY, { WEPKey: '010203' }))).code).toBe(ErrorCode.InvalidValue);
    expect(writes()).toEqual([]);
  });

  it('turns WPS on with push button, chooses methods, and off again', async () => {
    fx = openWrt();
    fx.fake.clearLog();
    await set(WPS, { Enable: true });
    expect(writes()).toEqual([['uci', 'set', 'wireless.default_radio1.wps_pushbutton=1'], COMMIT, RELOAD]);
    fx.close();
    fx = withWireless("wireless.default_radio1.wps_pushbutton='1'");
    fx.fake.clearLog();
    await set(WPS, { ConfigMethodsEnabled: 'Label' });
    await set(WPS, { Enable: false });
    expect(writes()).toEqual([
      ['uci', 'set', 'wireless.default_radio1.wps_label=1'],
      ['uci', 'set', 'wireless.default_radio1.wps_pushbutton=0'],
      COMMIT,
      RELOAD,
      ['uci', 'set', 'wireless.default_radio1.wps_pushbutton=0'],
      COMMIT,
      RELOAD,
    ]);
  });

  it('refuses WPS methods OpenWrt has no option for, and methods while WPS stays disabled (7012)', async () => {
    fx = openWrt();
    fx.fake.clearLog();
    const refused: Array<Record<string, Value>> = [{ Enable: true, ConfigMethodsEnabled: 'PIN' }, { ConfigMethodsEnabled: 'PushButton' }, { Enable: true, ConfigMethodsEnabled: '' }];
    for (const bad of refused) {
      expect((await refusal(() => set(WPS, bad))).code).toBe(ErrorCode.InvalidValue);
    }
    expect(writes()).toEqual([]);
  });

  it('reverts the staged options when the commit fails (7003), as every Wi-Fi write does', async () => {
    fx = openWrt();
    fx.fake.clearLog();
    fx.fake.failCommit(true);
    const e = await refusal(() => set(AP, { MACAddressControlEnabled: true }));
    expect(e.code).toBe(ErrorCode.InternalError);
    expect(writes()).toEqual([['uci', 'set', 'wireless.default_radio1.macfilter=allow'], COMMIT, ['uci', 'revert', 'wireless']]);
  });
});
