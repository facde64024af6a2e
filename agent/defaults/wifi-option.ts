/**
 * `--wifi hostapd|off`, `--hostapd-dir DIR`, `--hostapd-conf FILE[,FILE]`, `--hostapd-global PATH` and
 * `--wpa-supplicant-dir DIR`, `--wpa-supplicant-global PATH` (Device.WiFi.EndPoint. over wpa_supplicant; Add/Delete): Device.WiFi. on the
 * Linux platform from hostapd's control interface and iw (platform/linux/wifi.ts), where hostapd's
 * control sockets are, and which configuration files it runs (read only, for what its control
 * interface cannot report; default: those on the running hostapd's command line).
 */
import { isAbsolute } from 'node:path';
import type { WiFiSettings } from '../../platform/linux/wifi.js';

/** The defaults file's key for `--hostapd-conf`: "FILE[,FILE]" or an array of files. */
export const HOSTAPD_CONF_KEY = '$hostapdConf';

/** `--wifi` text: hostapd (also on/true/1) or off (also false/0). */
export function parseWiFiOption(text: string, source = '--wifi'): boolean {
  const t = text.trim().toLowerCase();
  if (['hostapd', 'on', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new Error(`${source} ${JSON.stringify(text)}: give hostapd (serve Device.WiFi. from hostapd_cli and iw) or off (leave Wi-Fi unserved)`);
}

/** The platform's setting from the two options: false (off), settings (a control directory), or undefined (on where iw and hostapd_cli are installed). */
export function wifiSetting(
  wifi: string | undefined,
  hostapdDir: string | undefined,
  hostapdConf?: string,
  hostapdGlobal?: string,
  wpaSupplicantDir?: string,
  wpaSupplicantGlobal?: string,
): boolean | WiFiSettings | undefined {
  const on = wifi === undefined ? undefined : parseWiFiOption(wifi);
  if (on === false) return false;
  const settings: WiFiSettings = {};
  if (hostapdDir !== undefined) {
    if (hostapdDir.trim() === '') throw new Error("--hostapd-dir: give hostapd's control directory (its ctrl_interface), e.g. /var/run/hostapd");
    settings.hostapdDir = hostapdDir;
  }
  if (hostapdConf !== undefined) settings.hostapdConf = parseHostapdConf(hostapdConf);
  if (hostapdGlobal !== undefined) {
    if (!isAbsolute(hostapdGlobal) || hostapdGlobal.endsWith('/'))
      throw new Error("--hostapd-global: give the path of hostapd's global control socket (hostapd -g PATH), e.g. /var/run/hostapd-global");
    settings.hostapdGlobal = hostapdGlobal;
  }
  if (wpaSupplicantDir !== undefined) {
    if (!isAbsolute(wpaSupplicantDir)) throw new Error("--wpa-supplicant-dir: give wpa_supplicant's control directory (its ctrl_interface) as an absolute path, e.g. /run/wpa_supplicant");
    settings.wpaSupplicantDir = wpaSupplicantDir;
  }
  if (wpaSupplicantGlobal !== undefined) {
    if (!isAbsolute(wpaSupplicantGlobal) || wpaSupplicantGlobal.endsWith('/'))
      throw new Error("--wpa-supplicant-global: give the path of wpa_supplicant's global control socket (wpa_supplicant -g PATH), e.g. /run/wpa_supplicant-global");
    settings.wpaSupplicantGlobal = wpaSupplicantGlobal;
  }
  if (Object.keys(settings).length > 0) return settings;
  return on === undefined ? undefined : {};
}

/** `--hostapd-conf FILE[,FILE]`: absolute paths of hostapd configuration files, at most 16. */
export function parseHostapdConf(text: string, source = '--hostapd-conf'): string[] {
  const files = text.split(',').map((f) => f.trim());
  if (files.length > 16 || files.some((f) => !isAbsolute(f) || f.endsWith('/'))) {
    throw new Error(`${source} ${JSON.stringify(text)}: give hostapd's configuration files as absolute paths, comma-separated (at most 16), e.g. /etc/hostapd/hostapd.conf`);
  }
  return files;
}

/** The defaults file's `$hostapdConf` ("FILE[,FILE]" or ["FILE", ...]), checked; undefined when absent. */
export function hostapdConfFromFile(value: unknown, file: string): string[] | undefined {
  if (value === undefined) return undefined;
  const source = `factory defaults: ${HOSTAPD_CONF_KEY} (${file}):`;
  if (typeof value === 'string') return parseHostapdConf(value, source);
  if (Array.isArray(value) && value.length > 0 && value.every((f) => typeof f === 'string')) return parseHostapdConf(value.join(','), source);
  throw new Error(`${source} must be hostapd's configuration files, e.g. "/etc/hostapd/hostapd.conf" or ["/etc/hostapd/wlan0.conf", "/etc/hostapd/wlan1.conf"]`);
}

/** The command line's Wi-Fi setting with the defaults file's `$hostapdConf` where the command line gives none. */
export function withFileHostapdConf(setting: boolean | WiFiSettings | undefined, fileConf: string[] | undefined): boolean | WiFiSettings | undefined {
  if (setting === false || fileConf === undefined || (typeof setting === 'object' && setting.hostapdConf !== undefined)) return setting;
  return { ...(typeof setting === 'object' ? setting : {}), hostapdConf: fileConf };
}
