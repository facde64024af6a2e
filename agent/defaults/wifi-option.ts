/**
 * `--wifi hostapd|off` and `--hostapd-dir DIR`: Device.WiFi. on the Linux platform from hostapd's
 * control interface and iw (platform/linux/wifi.ts), and where hostapd's control sockets are.
 */
import type { WiFiSettings } from '../../platform/linux/wifi.js';

/** `--wifi` text: hostapd (also on/true/1) or off (also false/0). */
export function parseWiFiOption(text: string, source = '--wifi'): boolean {
  const t = text.trim().toLowerCase();
  if (['hostapd', 'on', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new Error(`${source} ${JSON.stringify(text)}: give hostapd (serve Device.WiFi. from hostapd_cli and iw) or off (leave Wi-Fi unserved)`);
}

/** The platform's setting from the two options: false (off), settings (a control directory), or undefined (on where iw and hostapd_cli are installed). */
export function wifiSetting(wifi: string | undefined, hostapdDir: string | undefined): boolean | WiFiSettings | undefined {
  const on = wifi === undefined ? undefined : parseWiFiOption(wifi);
  if (on === false) return false;
  if (hostapdDir !== undefined) {
    if (hostapdDir.trim() === '') throw new Error("--hostapd-dir: give hostapd's control directory (its ctrl_interface), e.g. /var/run/hostapd");
    return { hostapdDir };
  }
  return on === undefined ? undefined : {};
}
