/** `--wifi hostapd|off`, `--hostapd-dir DIR` and `--hostapd-conf FILE[,FILE]` as the Linux platform's Wi-Fi setting. */
import { describe, expect, it } from 'vitest';
import { parseWiFiOption, wifiSetting } from '../../../../agent/defaults/wifi-option.js';

describe('--wifi and --hostapd-dir', () => {
  it('on/off spellings; anything else is refused with what to give', () => {
    expect(['hostapd', 'on', 'TRUE', '1'].map((t) => parseWiFiOption(t))).toEqual([true, true, true, true]);
    expect(['off', 'false', '0', 'no'].map((t) => parseWiFiOption(t))).toEqual([false, false, false, false]);
    expect(() => parseWiFiOption('nl80211')).toThrow(/give hostapd .* or off/);
  });

  it('undefined (auto) without options; off wins over a directory; a directory gives settings', () => {
    expect(wifiSetting(undefined, undefined)).toBeUndefined();
    expect(wifiSetting('off', '/run/hostapd')).toBe(false);
    expect(wifiSetting(undefined, '/run/hostapd')).toEqual({ hostapdDir: '/run/hostapd' });
    expect(wifiSetting('hostapd', undefined)).toEqual({});
    expect(() => wifiSetting(undefined, ' ')).toThrow(/--hostapd-dir/);
  });

  it('--hostapd-conf: absolute files, comma-separated; relative, empty or a directory refused', () => {
    expect(wifiSetting(undefined, undefined, '/etc/hostapd/wlan0.conf, /etc/hostapd/wlan1.conf')).toEqual({ hostapdConf: ['/etc/hostapd/wlan0.conf', '/etc/hostapd/wlan1.conf'] });
    expect(wifiSetting(undefined, '/run/hostapd', '/etc/hostapd.conf')).toEqual({ hostapdDir: '/run/hostapd', hostapdConf: ['/etc/hostapd.conf'] });
    for (const bad of ['hostapd.conf', '', '/etc/hostapd/', '/a.conf,']) expect(() => wifiSetting(undefined, undefined, bad), bad).toThrow(/--hostapd-conf/);
  });
});
