/**
 * OpenWrt SSID and AccessPoint rows come from the UCI wireless config (recorded with OpenWrt's
 * own uci, test/fixtures/openwrt/README.md), so a disabled wifi-iface, which netifd leaves out of
 * its status, stays a row that reads Enable=false; and a LuCI-made anonymous section keeps its
 * instance number when libuci renames it after an earlier section is deleted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { refusal } from '../refusal.js';
import { FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const RELOAD = ['ubus', 'call', 'network', 'reload'];

/** netifd's status with the wifi-iface `section` of radio1 left out, as netifd does for a disabled one. */
function statusWithout(section: string): unknown {
  const status = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-network-wireless-status.json'), 'utf8')) as Record<string, { up: boolean; interfaces: Array<{ section: string }> }>;
  for (const radio of Object.values(status)) radio.interfaces = radio.interfaces.filter((i) => i.section !== section);
  return status;
}

describe('openwrt platform: SSID and AccessPoint rows from UCI wireless', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));

  it('disables an SSID and its AccessPoint with uci set disabled=1; the rows stay and read Enable=false', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.respondUciAfterCommit('wireless', { file: 'uci-show-wireless.iface-disabled.txt' });
    fx.fake.clearLog();
    await fx.binding('Device.WiFi.SSID.{i}.').set!([2], { Enable: false }, {});
    expect(writes()).toEqual([['uci', 'set', 'wireless.default_radio1.disabled=1'], ['uci', 'commit', 'wireless'], RELOAD]);
    // netifd drops the disabled wifi-iface from its status; UCI still holds it.
    fx.fake.respond('network.wireless status', { json: statusWithout('default_radio1') });
    const v = await fx.values('Device.WiFi.');
    expect(v.get('Device.WiFi.SSID.2.')).toMatchObject({ Enable: false, Status: 'Down', SSID: 'OpenWrt' });
    expect(v.get('Device.WiFi.AccessPoint.2.')).toMatchObject({ Enable: false, Status: 'Disabled' });
    expect(v.get('Device.WiFi.')).toMatchObject({ SSIDNumberOfEntries: 2, AccessPointNumberOfEntries: 2 });
  });

  it('keeps the instance number of a LuCI-made anonymous wifi-iface that libuci renames after an earlier delete', async () => {
    fx = openWrt();
    fx.fake.respondUci('wireless', { file: 'uci-show-wireless.anonymous.txt' });
    await fx.platform.ready;
    expect((await fx.values('Device.WiFi.')).get('Device.WiFi.SSID.3.')).toMatchObject({ SSID: 'luci', Name: 'cfg053579' });
    // Deleting SSID.1 (default_radio0) renames cfg053579 to cfg043579 (recorded).
    fx.fake.respondUciAfterCommit('wireless', { file: 'uci-show-wireless.anonymous-after-delete.txt' });
    fx.fake.respond('network.wireless status', { json: statusWithout('default_radio0') });
    fx.fake.clearLog();
    await fx.binding('Device.WiFi.SSID.{i}.').delete!([1], {});
    expect(writes()).toEqual([['uci', 'delete', 'wireless.default_radio0'], ['uci', 'commit', 'wireless'], RELOAD]);
    const v = await fx.values('Device.WiFi.');
    expect(v.get('Device.WiFi.SSID.3.')).toMatchObject({ SSID: 'luci', Name: 'cfg043579' });
    expect(v.has('Device.WiFi.SSID.1.')).toBe(false);
    expect(v.has('Device.WiFi.AccessPoint.1.')).toBe(false);
    expect(v.get('Device.WiFi.AccessPoint.3.')).toMatchObject({ SSIDReference: 'Device.WiFi.SSID.3' });
  });

  it('refuses to enable an SSID that has no AccessPoint, and to move an SSID to a Radio that does not exist', async () => {
    fx = openWrt();
    fx.fake.respondUci('wireless', { file: 'uci-show-wireless.ssid-added.txt' });
    await fx.platform.ready;
    fx.fake.clearLog();
    const bare = await refusal(() => fx.binding('Device.WiFi.SSID.{i}.').set!([3], { Enable: true }, {}));
    expect(bare.paramErrors[0]).toMatchObject({ param: 'Enable', code: ErrorCode.InvalidValue });
    const moved = await refusal(() => fx.binding('Device.WiFi.SSID.{i}.').set!([3], { LowerLayers: 'Device.WiFi.Radio.7' }, {}));
    expect(moved.paramErrors[0]).toMatchObject({ param: 'LowerLayers', code: ErrorCode.InvalidValue });
    expect(writes()).toEqual([]);
    // An SSID waiting for its AccessPoint is no AccessPoint row.
    expect((await fx.values('Device.WiFi.')).get('Device.WiFi.')).toMatchObject({ SSIDNumberOfEntries: 3, AccessPointNumberOfEntries: 2 });
  });
});
