/**
 * The commands the Linux Wi-Fi stand-ins were run with, from the file USP_WIFI_STANDIN_LOG names
 * (one JSON argv a line), each as one string. hostapd_cli's `-p <control directory>` is left out,
 * so a test reads `hostapd_cli -i wlan0 set wpa_group_rekey 600` whichever directory it ran with.
 */
import { readFileSync } from 'node:fs';

export function standinCalls(log: string): string[] {
  return readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as string[])
    .map((a) => (a[0] === 'hostapd_cli' ? ['hostapd_cli', ...a.slice(3)] : a).join(' '));
}
