/**
 * The hostapd keys a Set of Device.WiFi.AccessPoint.{i}. and its Security becomes on generic Linux
 * (platform/linux/wifi-ap-settings.ts), in the order and spelling hostapd 2.10 was recorded
 * taking (test/fixtures/linux/wifi-hostapd-writes), and the values refused before hostapd is asked.
 */
import { describe, expect, it } from 'vitest';
import { accessPointSettings, passphraseProblem, securitySettings } from '../../../../platform/linux/wifi-ap-settings.js';
import { refusalCode } from './refusal-code.js';

describe('AccessPoint settings as hostapd keys', () => {
  it('maps each parameter to its key, SSIDAdvertisementEnabled inverted', () => {
    expect(accessPointSettings({ SSIDAdvertisementEnabled: false, IsolationEnable: true, MaxAllowedAssociations: 8, WMMEnable: true, UAPSDEnable: false })).toEqual([
      { key: 'ignore_broadcast_ssid', value: '1' },
      { key: 'ap_isolate', value: '1' },
      { key: 'max_num_sta', value: '8' },
      { key: 'wmm_enabled', value: '1' },
      { key: 'uapsd_advertisement_enabled', value: '0' },
    ]);
    expect(accessPointSettings({ Enable: true })).toEqual([]);
  });

  it('refuses a station limit of 0 (7012)', () => {
    expect(refusalCode(() => accessPointSettings({ MaxAllowedAssociations: 0 }))).toBe(7012);
  });
});

describe('Security as hostapd keys', () => {
  it('keys first, secret, then the mode', () => {
    expect(securitySettings({ ModeEnabled: 'WPA3-Personal', SAEPassphrase: 'sae passphrase 1' }, 'WPA2-Personal')).toEqual([
      { key: 'sae_password', value: 'sae passphrase 1', secret: true },
      { key: 'wpa_key_mgmt', value: 'SAE' },
      { key: 'ieee80211w', value: '2' },
    ]);
    expect(securitySettings({ PreSharedKey: 'AB'.repeat(32) }, 'WPA2-Personal')).toEqual([{ key: 'wpa_psk', value: 'ab'.repeat(32), secret: true }]);
  });

  it('leaving None turns WPA and its pairwise cipher back on; None is wpa 0; the same mode sends nothing', () => {
    expect(securitySettings({ ModeEnabled: 'WPA2-Personal' }, 'None').map((s) => `${s.key} ${s.value}`)).toEqual(['wpa 2', 'wpa_key_mgmt WPA-PSK', 'ieee80211w 0', 'rsn_pairwise CCMP']);
    expect(securitySettings({ ModeEnabled: 'None' }, 'WPA2-Personal')).toEqual([{ key: 'wpa', value: '0' }]);
    expect(securitySettings({ ModeEnabled: 'WPA2-Enterprise' }, 'WPA2-Enterprise')).toEqual([]);
  });

  it('refuses what hostapd would not take, or cannot be chosen here (7012)', () => {
    expect(passphraseProblem('short77')).toBeDefined();
    expect(passphraseProblem('x'.repeat(64))).toBeDefined();
    expect(passphraseProblem('caf\u00e9 passphrase')).toBeDefined();
    expect(passphraseProblem('correct horse battery')).toBeUndefined();
    expect(refusalCode(() => securitySettings({ KeyPassphrase: 'short77' }, 'WPA2-Personal'))).toBe(7012);
    expect(refusalCode(() => securitySettings({ PreSharedKey: '0123' }, 'WPA2-Personal'))).toBe(7012);
    expect(refusalCode(() => securitySettings({ SAEPassphrase: 'a\nb' }, 'WPA3-Personal'))).toBe(7012);
    expect(refusalCode(() => securitySettings({ ModeEnabled: 'WEP-128' }, 'WPA2-Personal'))).toBe(7012);
  });
});

describe('what is set back when hostapd refuses', () => {
  it('each AccessPoint key carries the value hostapd holds now', () => {
    expect(accessPointSettings({ SSIDAdvertisementEnabled: false, MaxAllowedAssociations: 8 }, { SSIDAdvertisementEnabled: true, MaxAllowedAssociations: 2007 })).toEqual([
      { key: 'ignore_broadcast_ssid', value: '1', undo: '0' },
      { key: 'max_num_sta', value: '8', undo: '2007' },
    ]);
  });
});
