import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { openWrt, type PlatformFixture } from './fake-openwrt.js';
import { refusal } from '../refusal.js';

const RELOAD = ['ubus', 'call', 'network', 'reload'];

describe('openwrt platform: writes through UCI', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  /** The invocations of uci and of the reload, in order (reads left out). */
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));

  it('sets Device.WiFi.SSID.{i}.SSID with uci set, uci commit, then a network reload', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    await fx.binding('Device.WiFi.SSID.{i}.').set!([2], { SSID: 'Kitchen 5G' }, {});
    expect(writes()).toEqual([['uci', 'set', 'wireless.default_radio1.ssid=Kitchen 5G'], ['uci', 'commit', 'wireless'], RELOAD]);
    // The write invalidated the cache: the next read asks netifd again.
    fx.fake.clearLog();
    await fx.binding('Device.WiFi.SSID.{i}.').get([2], {});
    expect(fx.fake.ubusCalls()).toContain('network.wireless status');
  });

  it('writes the passphrase, security mode and channel to their UCI options', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    await fx.binding('Device.WiFi.AccessPoint.{i}.Security.').set!([2], { ModeEnabled: 'WPA3-Personal-Transition', KeyPassphrase: 'a new passphrase' }, {});
    await fx.binding('Device.WiFi.Radio.{i}.').set!([2], { Channel: 44 }, {});
    await fx.binding('Device.WiFi.Radio.{i}.').set!([1], { Enable: true, AutoChannelEnable: true }, {});
    expect(writes()).toEqual([
      ['uci', 'set', 'wireless.default_radio1.encryption=sae-mixed'],
      ['uci', 'set', 'wireless.default_radio1.key=a new passphrase'],
      ['uci', 'commit', 'wireless'],
      RELOAD,
      ['uci', 'set', 'wireless.radio1.channel=44'],
      ['uci', 'commit', 'wireless'],
      RELOAD,
      ['uci', 'set', 'wireless.radio0.disabled=0'],
      ['uci', 'set', 'wireless.radio0.channel=auto'],
      ['uci', 'commit', 'wireless'],
      RELOAD,
    ]);
  });

  it('writes a raw PSK and the RADIUS server to key, auth_server, auth_port and auth_secret; refuses what hostapd cannot take', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    const psk = '0123456789abcdef'.repeat(4);
    await fx.binding('Device.WiFi.AccessPoint.{i}.Security.').set!([2], { PreSharedKey: psk }, {});
    await fx.binding('Device.WiFi.AccessPoint.{i}.Security.').set!([2], { RadiusServerIPAddr: '192.0.2.10', RadiusServerPort: 1645, RadiusSecret: 'radius secret' }, {});
    expect(writes()).toEqual([
      ['uci', 'set', `wireless.default_radio1.key=${psk}`],
      ['uci', 'commit', 'wireless'],
      RELOAD,
      ['uci', 'set', 'wireless.default_radio1.auth_server=192.0.2.10'],
      ['uci', 'set', 'wireless.default_radio1.auth_port=1645'],
      ['uci', 'set', 'wireless.default_radio1.auth_secret=radius secret'],
      ['uci', 'commit', 'wireless'],
      RELOAD,
    ]);
    const refused: Array<Record<string, string | number>> = [{ PreSharedKey: 'abcd' }, { RadiusServerIPAddr: 'radius.example' }, { RadiusServerPort: 0 }];
    for (const bad of refused) {
      const e = await refusal(() => fx.binding('Device.WiFi.AccessPoint.{i}.Security.').set!([2], bad, {}));
      expect(e.code, JSON.stringify(bad)).toBe(ErrorCode.InvalidValue);
    }
  });

  it('reverts and fails with a UspError when uci commit fails, without reloading', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    fx.fake.failCommit(true);
    const e = await refusal(() => fx.binding('Device.WiFi.AccessPoint.{i}.Security.').set!([2], { KeyPassphrase: 'secret passphrase 2' }, {}));
    expect(e.code).toBe(ErrorCode.InternalError);
    expect(e.message).toMatch(/wireless\.default_radio1\.key.*reverted.*uci: I\/O error/);
    expect(e.message).not.toContain('secret passphrase 2');
    expect(writes()).toEqual([
      ['uci', 'set', 'wireless.default_radio1.key=secret passphrase 2'],
      ['uci', 'commit', 'wireless'],
      ['uci', 'revert', 'wireless'],
    ]);
  });

  it('rolls a whole Set transaction back: the undo writes the old value again', async () => {
    fx = openWrt();
    await fx.platform.ready;
    const node = fx.model.requireNode('Device.WiFi.SSID.{i}.');
    const tx = new Transaction(fx.model, {});
    await tx.set({ node, keys: [2] }, { SSID: 'Temporary' });
    fx.fake.clearLog();
    await tx.rollback();
    expect(writes()).toEqual([['uci', 'set', 'wireless.default_radio1.ssid=OpenWrt'], ['uci', 'commit', 'wireless'], RELOAD]);
  });

  it('refuses values this device cannot take with 7012, before touching UCI', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    const radio = fx.binding('Device.WiFi.Radio.{i}.');
    const bad = await refusal(() => radio.set!([2], { Channel: 6, TransmitPower: 60 }, {}));
    expect(bad.code).toBe(ErrorCode.InvalidValue);
    expect(bad.paramErrors.map((p) => p.param).sort()).toEqual(['Channel', 'TransmitPower']);
    const mode = await refusal(() => fx.binding('Device.WiFi.AccessPoint.{i}.Security.').set!([1], { ModeEnabled: 'WPA2-Personal' }, {}));
    expect(mode.message).toMatch(/needs a KeyPassphrase/);
    expect(writes()).toEqual([]);
  });

  it('takes a reference at its current value, with or without the trailing ".", writing nothing', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    for (const ref of ['Device.WiFi.SSID.2', 'Device.WiFi.SSID.2.']) {
      await fx.binding('Device.WiFi.AccessPoint.{i}.').set!([2], { SSIDReference: ref }, {});
    }
    await fx.binding('Device.WiFi.SSID.{i}.').set!([2], { LowerLayers: 'Device.WiFi.Radio.2.' }, {});
    // SSID.1 has AccessPoint.1 (SSIDReference is the AccessPoint's unique key).
    const moved = await refusal(() => fx.binding('Device.WiFi.AccessPoint.{i}.').set!([2], { SSIDReference: 'Device.WiFi.SSID.1.' }, {}));
    expect(moved.paramErrors[0]).toMatchObject({ param: 'SSIDReference', code: ErrorCode.DuplicateUniqueKey });
    expect(writes().filter((a) => a[0] === 'uci' && a[1] !== 'commit')).toEqual([]);
  });

  it('has nothing to write for objects it only reads (7020 from the transaction)', async () => {
    fx = openWrt();
    const tx = new Transaction(fx.model, {});
    const e = await refusal(() => tx.set({ node: fx.model.requireNode('Device.Ethernet.Interface.{i}.Stats.'), keys: [1] }, { BytesSent: '0' }));
    expect(e.code).toBe(ErrorCode.ObjectNotUpdated);
  });
});
