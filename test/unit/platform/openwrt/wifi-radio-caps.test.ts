/**
 * Device.WiFi.Radio.{i} capabilities on OpenWrt (TR-181 WiFiRadio:1) through the fake router:
 * PossibleChannels from `iwinfo freqlist`, TransmitPowerSupported/TransmitPower from
 * `iwinfo txpowerlist`, MaxBitRate from `iwinfo info` and /etc/board.json, and the writes of
 * TransmitPower, ExtensionChannel, GuardInterval and IEEE80211hEnabled as UCI commands.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { refusal } from '../refusal.js';
import { fakeOpenWrt, FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const RELOAD = ['ubus', 'call', 'network', 'reload'];

/** The fake router with radio1's netifd configuration changed by `edit`. */
function withRadio1(edit: (config: Record<string, unknown>) => void): PlatformFixture {
  const fake = fakeOpenWrt();
  const status = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-network-wireless-status.json'), 'utf8')) as Record<string, { config: Record<string, unknown> }>;
  edit(status.radio1.config);
  fake.respond('network.wireless status', { json: status });
  return openWrt(fake);
}

describe('openwrt platform: Wi-Fi radio capabilities', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  /** The uci writes and the reload a Set ran, in order. */
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));
  const set = (n: number, changes: Record<string, Value>): Promise<void> => Promise.resolve(fx.binding('Device.WiFi.Radio.{i}.').set!([n], changes, {}));

  it('reads the channels, power levels and top rate of both radios, with one freqlist and one txpowerlist each', async () => {
    fx = openWrt();
    const v = await fx.values('Device.WiFi.');
    expect(v.get('Device.WiFi.Radio.1.')).toMatchObject({
      // 2.4 GHz, down: the channels of the US plan; no live BSS, so the widths come from board.json.
      PossibleChannels: '1,2,3,4,5,6,7,8,9,10,11,12,13',
      TransmitPowerSupported: '25,50,75,100',
      TransmitPower: 100,
      // 802.11ax at 40 MHz with 2 streams (antennas 0x3/0x3): 2 × 286.8 Mbps.
      MaxBitRate: 573,
      ExtensionChannel: 'Auto',
      GuardInterval: 'Auto',
      MCS: -1,
      IEEE80211hSupported: false,
      IEEE80211hEnabled: false,
    });
    expect(v.get('Device.WiFi.Radio.2.')).toMatchObject({
      // 5 GHz, US: the DFS channels are possible; 169-177 are NO_IR (restricted) and left out.
      PossibleChannels: '36,40,44,48,52,56,60,64,100,104,108,112,116,120,124,128,132,136,140,144,149,153,157,161,165',
      TransmitPower: 100,
      // iwinfo info: HE80 is the widest mode; 2 × 600.5 Mbps.
      MaxBitRate: 1201,
      IEEE80211hSupported: true,
      IEEE80211hEnabled: true,
    });
    const calls = fx.fake.ubusCalls().filter((c) => /freqlist|txpowerlist/.test(c));
    expect(calls.sort()).toEqual(['iwinfo freqlist {"device":"radio0"}', 'iwinfo freqlist {"device":"radio1"}', 'iwinfo txpowerlist {"device":"radio0"}', 'iwinfo txpowerlist {"device":"radio1"}']);
  });

  it('reads a configured txpower as the nearest percentage of the maximum, short_gi off as 800nsec, ieee80211h off', async () => {
    fx = withRadio1((c) => Object.assign(c, { txpower: 17, short_gi_20: false, short_gi_40: false, ieee80211h: false }));
    // 23 dBm at most: 6 dB less is a quarter of the power.
    expect((await fx.values('Device.WiFi.')).get('Device.WiFi.Radio.2.')).toMatchObject({ TransmitPower: 25, GuardInterval: '800nsec', IEEE80211hEnabled: false });
  });

  it('leaves MaxBitRate out when board.json does not say how many antennas the radio has', async () => {
    fx = openWrt(fakeOpenWrt(), { boardFile: path.join(FIXTURES, 'no-such-board.json') });
    const v = (await fx.values('Device.WiFi.')).get('Device.WiFi.Radio.2.');
    expect(v).not.toHaveProperty('MaxBitRate');
    expect(v).toMatchObject({ PossibleChannels: expect.stringMatching(/^36,/) });
  });

  it('writes TransmitPower as dBm, and full power by deleting txpower', async () => {
    fx = openWrt();
    fx.fake.clearLog();
    await set(2, { TransmitPower: 50 });
    expect(writes()).toEqual([['uci', 'set', 'wireless.radio1.txpower=20'], ['uci', 'commit', 'wireless'], RELOAD]);
    fx.close();
    fx = withRadio1((c) => (c.txpower = 17));
    fx.fake.clearLog();
    await set(2, { TransmitPower: 100 });
    expect(writes()).toEqual([['uci', 'delete', 'wireless.radio1.txpower'], ['uci', 'commit', 'wireless'], RELOAD]);
  });

  it('refuses a TransmitPower that is not one of TransmitPowerSupported (7012), writing nothing', async () => {
    fx = openWrt();
    fx.fake.clearLog();
    for (const bad of [60, -1]) {
      const e = await refusal(() => set(2, { TransmitPower: bad }));
      expect(e.code).toBe(ErrorCode.InvalidValue);
      expect(e.paramErrors[0]).toMatchObject({ param: 'TransmitPower' });
    }
    expect(writes()).toEqual([]);
  });

  it('writes GuardInterval 800nsec as every short_gi option off and Auto by deleting them; refuses 400nsec', async () => {
    fx = openWrt();
    fx.fake.clearLog();
    await set(2, { GuardInterval: '800nsec' });
    expect(writes()).toEqual([
      ['uci', 'set', 'wireless.radio1.short_gi_20=0'],
      ['uci', 'set', 'wireless.radio1.short_gi_40=0'],
      ['uci', 'set', 'wireless.radio1.short_gi_80=0'],
      ['uci', 'set', 'wireless.radio1.short_gi_160=0'],
      ['uci', 'commit', 'wireless'],
      RELOAD,
    ]);
    expect((await refusal(() => set(2, { GuardInterval: '400nsec' }))).code).toBe(ErrorCode.InvalidValue);
    fx.close();
    fx = withRadio1((c) => Object.assign(c, { short_gi_20: false, short_gi_40: false }));
    fx.fake.clearLog();
    await set(2, { GuardInterval: 'Auto' });
    expect(writes()).toEqual([['uci', 'delete', 'wireless.radio1.short_gi_20'], ['uci', 'delete', 'wireless.radio1.short_gi_40'], ['uci', 'commit', 'wireless'], RELOAD]);
  });

  it('writes IEEE80211hEnabled to ieee80211h, and refuses it on the 2.4 GHz radio', async () => {
    fx = openWrt();
    fx.fake.clearLog();
    await set(2, { IEEE80211hEnabled: false });
    expect(writes()).toEqual([['uci', 'set', 'wireless.radio1.ieee80211h=0'], ['uci', 'commit', 'wireless'], RELOAD]);
    fx.fake.clearLog();
    expect((await refusal(() => set(1, { IEEE80211hEnabled: true }))).code).toBe(ErrorCode.InvalidValue);
    expect(writes()).toEqual([]);
  });

  it('takes a fixed secondary channel only on an HT40 radio, and only where the pair exists', async () => {
    fx = openWrt();
    // HE80: the 80 MHz channel plan places the secondary channels.
    expect((await refusal(() => set(2, { ExtensionChannel: 'AboveControlChannel' }))).code).toBe(ErrorCode.InvalidValue);
    fx.close();
    fx = withRadio1((c) => (c.htmode = 'HT40'));
    fx.fake.clearLog();
    // Channel 36 pairs with 40 above it, never with 32 below.
    expect((await refusal(() => set(2, { ExtensionChannel: 'BelowControlChannel' }))).code).toBe(ErrorCode.InvalidValue);
    await set(2, { ExtensionChannel: 'AboveControlChannel' });
    expect(writes()).toEqual([['uci', 'set', 'wireless.radio1.htmode=HT40+'], ['uci', 'commit', 'wireless'], RELOAD]);
  });

  it('accepts only MCS -1: OpenWrt has no fixed rate for an access point', async () => {
    fx = openWrt();
    fx.fake.clearLog();
    await set(2, { MCS: -1 });
    expect((await refusal(() => set(2, { MCS: 7 }))).code).toBe(ErrorCode.InvalidValue);
    expect(writes()).toEqual([]);
  });
});
