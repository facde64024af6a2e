/** `--wifi hostapd|off`, `--hostapd-dir DIR` and `--hostapd-conf FILE[,FILE]` as the Linux platform's Wi-Fi setting. */
import { describe, expect, it } from 'vitest';
import { hostapdConfFromFile, parseWiFiOption, wifiSetting, withFileHostapdConf } from '../../../../agent/defaults/wifi-option.js';

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

  it('--hostapd-global: the absolute path of the global control socket', () => {
    expect(wifiSetting(undefined, undefined, undefined, '/run/hostapd-global')).toEqual({ hostapdGlobal: '/run/hostapd-global' });
    for (const bad of ['hostapd-global', '', '/run/']) expect(() => wifiSetting(undefined, undefined, undefined, bad), bad).toThrow(/--hostapd-global/);
  });

  it('--wpa-supplicant-dir: an absolute control directory, for Device.WiFi.EndPoint.', () => {
    expect(wifiSetting(undefined, undefined, undefined, undefined, '/var/run/wpa_supplicant')).toEqual({ wpaSupplicantDir: '/var/run/wpa_supplicant' });
    for (const bad of ['wpa_supplicant', '']) expect(() => wifiSetting(undefined, undefined, undefined, undefined, bad), bad).toThrow(/--wpa-supplicant-dir/);
    expect(wifiSetting('off', undefined, undefined, undefined, '/run/wpa_supplicant')).toBe(false);
  });

  it('--wpa-supplicant-global: the absolute path of the global socket, for EndPoint Add/Delete', () => {
    expect(wifiSetting(undefined, undefined, undefined, undefined, undefined, '/run/wpa_supplicant-global')).toEqual({ wpaSupplicantGlobal: '/run/wpa_supplicant-global' });
    for (const bad of ['wpa_supplicant-global', '', '/run/']) expect(() => wifiSetting(undefined, undefined, undefined, undefined, undefined, bad), bad).toThrow(/--wpa-supplicant-global/);
  });
});

describe('$hostapdConf in the defaults file', () => {
  it('a string or an array of absolute files; the command line wins; --wifi off wins', () => {
    expect(hostapdConfFromFile(undefined, 'd.json')).toBeUndefined();
    expect(hostapdConfFromFile('/etc/a.conf,/etc/b.conf', 'd.json')).toEqual(['/etc/a.conf', '/etc/b.conf']);
    expect(hostapdConfFromFile(['/etc/a.conf'], 'd.json')).toEqual(['/etc/a.conf']);
    for (const bad of [[], 3, ['a.conf'], 'x']) expect(() => hostapdConfFromFile(bad, 'd.json'), JSON.stringify(bad)).toThrow(/\$hostapdConf/);
    expect(withFileHostapdConf(undefined, ['/etc/a.conf'])).toEqual({ hostapdConf: ['/etc/a.conf'] });
    expect(withFileHostapdConf({ hostapdDir: '/run/h' }, ['/etc/a.conf'])).toEqual({ hostapdDir: '/run/h', hostapdConf: ['/etc/a.conf'] });
    expect(withFileHostapdConf({ hostapdConf: ['/etc/cli.conf'] }, ['/etc/a.conf'])).toEqual({ hostapdConf: ['/etc/cli.conf'] });
    expect(withFileHostapdConf(false, ['/etc/a.conf'])).toBe(false);
    expect(withFileHostapdConf(undefined, undefined)).toBeUndefined();
  });
});
