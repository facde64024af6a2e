/**
 * hostapd's MAC address access list as Device.WiFi.AccessPoint.{i}.AllowedMACAddress on generic
 * Linux (platform/linux/wifi-mac-access.ts): `accept_acl SHOW` as recorded
 * (test/fixtures/linux/wifi-hostapd-radio-writes), values checked before hostapd is asked, and
 * the AccessPoint / Security keys of this task (macaddr_acl, wpa_group_rekey, no WEP key).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accessPointSettings, securitySettings } from '../../../../platform/linux/wifi-ap-settings.js';
import { allowedMacs, MAX_ALLOWED_MACS, parseMacAcl } from '../../../../platform/linux/wifi-mac-access.js';
import { parseHostapdConf } from '../../../../platform/linux/hostapd-conf.js';
import { refusalCode } from './refusal-code.js';

const session = JSON.parse(readFileSync(new URL('../../../fixtures/linux/wifi-hostapd-radio-writes/session.json', import.meta.url), 'utf8')) as Array<{ step: string; stdout: string }>;
const step = (name: string): string => session.find((s) => s.step.endsWith(name))!.stdout;

describe('MAC address access control', () => {
  it("reads hostapd's accept list as recorded", () => {
    expect(parseMacAcl(step('-accept-show-2'))).toEqual(['02:00:00:00:aa:01', '02:00:00:00:aa:02']);
    expect(parseMacAcl(step('-accept-show'))).toEqual([]);
  });

  it('AllowedMACAddress: lower case, each once; 7012 for what is not a MAC address or too many', () => {
    expect(allowedMacs('02:00:00:00:AA:01, 02:00:00:00:aa:01,02:00:00:00:aa:02')).toEqual(['02:00:00:00:aa:01', '02:00:00:00:aa:02']);
    expect(allowedMacs('')).toEqual([]);
    expect(refusalCode(() => allowedMacs('02:00:00:00:aa'))).toBe(7012);
    expect(refusalCode(() => allowedMacs('02:00:00:00:aa:01 02:00:00:00:aa:02'))).toBe(7012);
    const many = Array.from({ length: MAX_ALLOWED_MACS + 1 }, (_, i) => `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`);
    expect(refusalCode(() => allowedMacs(many.join(',')))).toBe(7012);
  });

  it('MACAddressControlEnabled is macaddr_acl, RekeyingInterval wpa_group_rekey, with what to set back', () => {
    expect(accessPointSettings({ MACAddressControlEnabled: true, RekeyingInterval: 600 }, { MACAddressControlEnabled: false, RekeyingInterval: 86400 })).toEqual([
      { key: 'macaddr_acl', value: '1', undo: '0' },
      { key: 'wpa_group_rekey', value: '600', undo: '86400' },
    ]);
    expect(refusalCode(() => accessPointSettings({ RekeyingInterval: 2 ** 31 }))).toBe(7012);
  });

  it('a WEP key is never sent (hostapd keeps one it refuses while WPA runs): 7012', () => {
    expect(refusalCode(() => securitySettings({ WEPKey: '0123456789' }, 'WPA2-Personal'))).toBe(7012);
    expect(refusalCode(() => securitySettings({ WEPKey: '0123456789' }, 'None'))).toBe(7012);
  });

  it("reads macaddr_acl, wpa_group_rekey and the radio's channel 0 from hostapd's file", () => {
    const conf = parseHostapdConf('interface=wlan0\nchannel=0\nmacaddr_acl=1\nwpa_group_rekey=3600\nbss=wlan0_1\nmacaddr_acl=2\n');
    expect(conf.get('bss:wlan0')).toEqual({ MACAddressControlEnabled: true, RekeyingInterval: 3600 });
    expect(conf.get('radio:wlan0')).toEqual({ AutoChannelEnable: true });
    expect(conf.get('bss:wlan0_1')).toBeUndefined();
  });
});
