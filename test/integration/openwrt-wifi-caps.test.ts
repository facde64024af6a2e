/**
 * What an OpenWrt radio and access point can do (TR-181 WiFiRadio:1, WiFiAccessPoint:1/2) behind
 * a real agent, driven by our TestController over a real loopback WebSocket. ubus and uci are the
 * stand-ins of test/unit/platform/openwrt/fake-openwrt.ts, first on PATH: `iwinfo freqlist` and
 * `txpowerlist` answer from the schema fixtures of test/fixtures/openwrt, /etc/board.json is the
 * fixture copy inside the stand-ins' directory, and every uci command a Set runs is compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../datamodel/UspError.js';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { fakeOpenWrt, type FakeOpenWrt, FIXTURES } from '../unit/platform/openwrt/fake-openwrt.js';

const RELOAD = ['ubus', 'call', 'network', 'reload'];
const COMMIT = ['uci', 'commit', 'wireless'];

describe('OpenWrt radio and access point capabilities over WebSocket', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  /** uci writes and the reload, in order (the `uci -q -X show` reads left out). */
  const writes = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));

  beforeAll(async () => {
    fake = fakeOpenWrt();
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('reads the 5 GHz radio: possible channels, power levels, top rate, 802.11h', async () => {
    const v = await getObjects(f.controller, ['Device.WiFi.Radio.2.']);
    expect(v['Device.WiFi.Radio.2.']).toMatchObject({
      PossibleChannels: '36,40,44,48,52,56,60,64,100,104,108,112,116,120,124,128,132,136,140,144,149,153,157,161,165',
      TransmitPowerSupported: '25,50,75,100',
      TransmitPower: '100',
      MaxBitRate: '1201',
      ExtensionChannel: 'Auto',
      GuardInterval: 'Auto',
      MCS: '-1',
      IEEE80211hSupported: 'true',
      IEEE80211hEnabled: 'true',
    });
  });

  it('sets TransmitPower to half power as 3 dB below the maximum, and refuses a level not offered', async () => {
    const c = f.controller;
    fake.clearLog();
    await set(c, 'Device.WiFi.Radio.2.', { TransmitPower: '50' });
    expect(writes()).toEqual([['uci', 'set', 'wireless.radio1.txpower=20'], COMMIT, RELOAD]);
    fake.clearLog();
    expect(await trySet(c, 'Device.WiFi.Radio.2.', { TransmitPower: '60' })).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidValue });
    expect(writes()).toEqual([]);
  });

  it('sets OperatingStandards as the htmode generation and RegulatoryDomain as country and country3; refuses what OpenWrt cannot run', async () => {
    const c = f.controller;
    expect((await getObjects(c, ['Device.WiFi.Radio.2.']))['Device.WiFi.Radio.2.']).toMatchObject({ OperatingStandards: 'a,n,ac,ax', RegulatoryDomain: 'US ' });
    fake.clearLog();
    await set(c, 'Device.WiFi.Radio.2.', { OperatingStandards: 'a,n,ac' });
    await set(c, 'Device.WiFi.Radio.2.', { RegulatoryDomain: 'DEO' });
    expect(writes()).toEqual([
      ['uci', 'set', 'wireless.radio1.htmode=VHT80'],
      COMMIT,
      RELOAD,
      ['uci', 'set', 'wireless.radio1.country=DE'],
      ['uci', 'set', 'wireless.radio1.country3=O'],
      COMMIT,
      RELOAD,
    ]);
    fake.clearLog();
    expect(await trySet(c, 'Device.WiFi.Radio.2.', { OperatingStandards: 'ax' })).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidValue });
    expect(await trySet(c, 'Device.WiFi.Radio.2.', { RegulatoryDomain: 'QQ ' })).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidValue });
    expect(await trySet(c, 'Device.WiFi.Radio.2.', { MCS: '7' })).toMatchObject({ ok: false, paramErrCode: ErrorCode.ParamReadOnly });
    expect(writes()).toEqual([]);
  });

  it('reads and writes the access point: capabilities, MAC allow list, rekeying, WPS', async () => {
    const c = f.controller;
    const ap = 'Device.WiFi.AccessPoint.2.';
    let v = await getObjects(c, [ap, `${ap}Security.`, `${ap}WPS.`]);
    expect(v[ap]).toMatchObject({ WMMCapability: 'true', UAPSDCapability: 'true', MACAddressControlEnabled: 'false', AllowedMACAddress: '' });
    // WEPKey is secured: "" for a Controller without a SecuredRole, configured or not.
    expect(v[`${ap}Security.`]).toMatchObject({ RekeyingInterval: '86400', WEPKey: '' });
    expect(v[`${ap}WPS.`]).toMatchObject({ Enable: 'false', ConfigMethodsSupported: 'Label,PushButton', ConfigMethodsEnabled: '' });
    fake.clearLog();
    await set(c, ap, { MACAddressControlEnabled: 'true', AllowedMACAddress: 'aa:bb:cc:00:00:01' });
    await set(c, `${ap}Security.`, { RekeyingInterval: '3600' });
    await set(c, `${ap}WPS.`, { Enable: 'true' });
    expect(writes()).toEqual([
      ['uci', 'set', 'wireless.default_radio1.macfilter=allow'],
      ['uci', 'add_list', 'wireless.default_radio1.maclist=aa:bb:cc:00:00:01'],
      COMMIT,
      RELOAD,
      ['uci', 'set', 'wireless.default_radio1.wpa_group_rekey=3600'],
      COMMIT,
      RELOAD,
      ['uci', 'set', 'wireless.default_radio1.wps_pushbutton=1'],
      COMMIT,
      RELOAD,
    ]);
    fake.clearLog();
    // Not a MAC address, and a WPS method OpenWrt has no option for: refused, nothing written.
    expect(await trySet(c, ap, { AllowedMACAddress: 'aa:bb' })).toMatchObject({ ok: false });
    expect(await trySet(c, `${ap}WPS.`, { ConfigMethodsEnabled: 'PIN' })).toMatchObject({ ok: false });
    expect(writes()).toEqual([]);
    v = await getObjects(c, [`${ap}WPS.`]);
    expect(v[`${ap}WPS.`]).toMatchObject({ Enable: 'false' }); // the stand-in's uci show did not change
  });

  it('writes a WEP key to key1, and reads it back as empty (secured)', async () => {
    const c = f.controller;
    fake.clearLog();
    await set(c, 'Device.WiFi.AccessPoint.2.Security.', { WEPKey: '0102030405' });
    expect(writes()).toEqual([['uci', 'set', 'wireless.default_radio1.key1=0102030405'], COMMIT, RELOAD]);
    // Once configured, a Get shows it only to a Controller whose role may read secured values.
    fake.respondUci('wireless', { text: `${fs.readFileSync(path.join(FIXTURES, 'uci-show-wireless.txt'), 'utf8')}wireless.default_radio1.key1='0102030405'\n` });
    const v = await getObjects(c, ['Device.WiFi.AccessPoint.2.Security.']);
    expect(v['Device.WiFi.AccessPoint.2.Security.']).toHaveProperty('WEPKey', '');
  });
});
