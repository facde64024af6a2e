/**
 * `--time chrony|off` and `--time-zone-file FILE`: Device.Time. on the Linux platform from chrony
 * (platform/linux/time.ts), and where a written LocalTimeZone goes as a TZif file.
 */
import type { TimeSettings } from '../../platform/linux/time.js';

/** `--time` text: chrony (also on/true/1) or off (also false/0). */
export function parseTimeOption(text: string, source = '--time'): boolean {
  const t = text.trim().toLowerCase();
  if (['chrony', 'on', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new Error(`${source} ${JSON.stringify(text)}: give chrony (serve Device.Time. from chronyd, writing the agent's sources file) or off (leave chrony alone)`);
}

/** The platform's setting from the two options: false (off), settings (a zone file), or undefined (on where chronyc answers). */
export function timeSetting(time: string | undefined, zoneFile: string | undefined): boolean | TimeSettings | undefined {
  const on = time === undefined ? undefined : parseTimeOption(time);
  if (on === false) return false;
  if (zoneFile !== undefined) {
    if (zoneFile.trim() === '') throw new Error('--time-zone-file: give the file a written LocalTimeZone goes to as a TZif file, e.g. /etc/localtime');
    return { zoneFile };
  }
  return on === undefined ? undefined : {};
}
