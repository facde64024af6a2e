/**
 * Device.WiFi.EndPoint on OpenWrt: a wifi-iface in mode "sta" is an EndPoint, its network its
 * referenced Profile (more Profiles: wifi-endpoint-profiles.test.ts); Status and Stats from iwinfo of the station interface. uci and ubus are the stand-ins
 * of fake-openwrt.ts; the station's uci show and iwinfo answers are written by us
 * (test/fixtures/openwrt/README.md), and every uci write the agent makes is compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { stationLink } from '../../../../platform/openwrt/wifi-endpoint.js';
import { profileSecurityPlan } from '../../../../platform/openwrt/wifi-endpoint-security.js';
import type { IfaceEntry } from '../../../../platform/openwrt/WiFiState.js';
import { refusal } from '../refusal.js';
import { FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const RELOAD = ['ubus', 'call', 'network', 'reload'];
const EP = 'Device.WiFi.EndPoint.{i}.';

/** netifd's recorded status with the station usp_wifi1 running as phy1-sta0 on radio1. */
function statusWithStation(): unknown {
  const status = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-network-wireless-status.json'), 'utf8')) as Record<string, { interfaces: unknown[] }>;
  status.radio1!.interfaces.push({ section: 'usp_wifi1', ifname: 'phy1-sta0', config: { mode: 'sta', ssid: 'Uplink-5G', encryption: 'psk2', network: ['lan'] }, vlans: [], stations: [] });
  return status;
}

function station(fx: PlatformFixture): void {
  fx.fake.respondUci('wireless', { file: 'uci-show-wireless.sta.txt' });
  fx.fake.respond('network.wireless status', { json: statusWithStation() });
  fx.fake.respond('iwinfo info {"device":"phy1-sta0"}', { file: 'ubus-iwinfo-info.phy1-sta0.json' });
  fx.fake.respond('iwinfo assoclist {"device":"phy1-sta0"}', { file: 'ubus-iwinfo-assoclist.phy1-sta0.json' });
}

describe('openwrt platform: Device.WiFi.EndPoint from sta wifi-ifaces', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));

  it('reads a station: associated (Enabled), its SSID row, Profile.1 with its network and security, Stats from the assoclist; no free SSID: 7017', async () => {
    fx = openWrt();
    station(fx);
    await fx.platform.ready;
    const v = await fx.values('Device.WiFi.');
    expect(v.get('Device.WiFi.')).toMatchObject({ EndPointNumberOfEntries: 1 });
    expect(v.get('Device.WiFi.EndPoint.1.')).toMatchObject({
      Enable: true,
      Status: 'Enabled',
      SSIDReference: 'Device.WiFi.SSID.3',
      ProfileReference: 'Device.WiFi.EndPoint.1.Profile.1',
      ProfileNumberOfEntries: 1,
    });
    expect(v.get('Device.WiFi.EndPoint.1.Profile.1.')).toMatchObject({ Enable: true, Status: 'Active', SSID: 'Uplink-5G' });
    expect(v.get('Device.WiFi.EndPoint.1.Profile.1.Security.')).toMatchObject({ ModeEnabled: 'WPA2-Personal', KeyPassphrase: 'uplink passphrase', PreSharedKey: '', WEPKey: '' });
    // rx 864.8 Mbit/s is capped at TR-181's 600000 kbps; 412 retries over 20188 + 412 frames ≈ 2 %.
    expect(v.get('Device.WiFi.EndPoint.1.Stats.')).toEqual({ LastDataDownlinkRate: 600000, LastDataUplinkRate: 576500, SignalStrength: -61, Retransmissions: 2 });
    // The station's SSID is an SSID row (Upstream), not an AccessPoint.
    expect(v.get('Device.WiFi.SSID.3.')).toMatchObject({ Upstream: true, SSID: 'Uplink-5G' });
    expect(v.get('Device.WiFi.')).toMatchObject({ AccessPointNumberOfEntries: 2 });
    // No SSID without an AccessPoint is left to make a station of: 7017.
    expect((await refusal(() => fx.binding(EP).add!([], {}, {}))).code).toBe(ErrorCode.ObjectCouldNotBeCreated);
  });

  it('not associated (no BSSID) is Error; disabled is Disabled; no network is Error_Misconfigured', () => {
    const f = { disabled: false, config: { ssid: 'x' } } as unknown as IfaceEntry;
    expect(stationLink(f, { ssid: 'x' }, { results: [] }).status).toBe('Error');
    expect(stationLink(f, undefined, undefined)).toMatchObject({ status: 'Error', stats: { LastDataDownlinkRate: 1000, SignalStrength: 0 } });
    expect(stationLink({ ...f, disabled: true }, undefined, undefined).status).toBe('Disabled');
    expect(stationLink({ ...f, config: {} }, undefined, undefined).status).toBe('Error_Misconfigured');
  });

  it('plans Security writes: encryption, key and key1, 7012 for WEP modes, Enterprise, a short PSK or WEP key', () => {
    const cur = { ModeEnabled: 'None', KeyPassphrase: '', PreSharedKey: '' };
    expect(profileSecurityPlan('s', cur, { ModeEnabled: 'WPA3-Personal', KeyPassphrase: 'a passphrase' })).toEqual([
      { section: 's', option: 'encryption', value: 'sae' },
      { section: 's', option: 'key', value: 'a passphrase', secret: true },
    ]);
    expect(profileSecurityPlan('s', cur, { ModeEnabled: 'WPA-Personal', PreSharedKey: 'AB'.repeat(32) })).toEqual([
      { section: 's', option: 'encryption', value: 'psk' },
      { section: 's', option: 'key', value: 'ab'.repeat(32), secret: true },
    ]);
    expect(profileSecurityPlan('s', cur, { WEPKey: '0A1B2C3D4E' })).toEqual([{ section: 's', option: 'key1', value: '0a1b2c3d4e', secret: true }]);
    const refused: Array<Record<string, string>> = [{ WEPKey: '0a1b' }, { ModeEnabled: 'WEP-128' }, { ModeEnabled: 'WPA2-Enterprise' }, { ModeEnabled: 'WPA2-Personal' }, { PreSharedKey: 'abcd' }];
    for (const bad of refused) {
      expect(() => profileSecurityPlan('s', cur, bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidValue }));
    }
  });

  it('Add makes the SSID without an AccessPoint a station; Delete gives it back', async () => {
    fx = openWrt();
    fx.fake.respondUci('wireless', { file: 'uci-show-wireless.ssid-added.txt' });
    await fx.platform.ready;
    fx.fake.respondUciAfterCommit('wireless', { file: 'uci-show-wireless.sta.txt' });
    fx.fake.clearLog();
    const n = await fx.binding(EP).add!([], { Enable: true }, {});
    expect(n).toBe(1);
    expect(writes()).toEqual([
      ['uci', 'set', 'wireless.usp_wifi1.mode=sta'],
      ['uci', 'delete', 'wireless.usp_wifi1.usp_ap'],
      ['uci', 'set', 'wireless.usp_wifi1.disabled=0'],
      ['uci', 'commit', 'wireless'],
      RELOAD,
    ]);
    fx.fake.clearLog();
    await fx.binding(`${EP}Profile.{i}.Security.`).set!([1, 1], { KeyPassphrase: 'a new passphrase' }, {});
    expect(writes()).toEqual([['uci', 'set', 'wireless.usp_wifi1.key=a new passphrase'], ['uci', 'commit', 'wireless'], RELOAD]);
    fx.fake.respondUciAfterCommit('wireless', { file: 'uci-show-wireless.ssid-added.txt' });
    fx.fake.clearLog();
    await fx.binding(EP).delete!([1], {});
    expect(writes()).toEqual([
      ['uci', 'set', 'wireless.usp_wifi1.mode=ap'],
      ['uci', 'set', 'wireless.usp_wifi1.usp_ap=0'],
      ['uci', 'set', 'wireless.usp_wifi1.disabled=1'],
      ['uci', 'commit', 'wireless'],
      RELOAD,
    ]);
    expect((await fx.values('Device.WiFi.')).get('Device.WiFi.')).toMatchObject({ EndPointNumberOfEntries: 0 });
  });
});
