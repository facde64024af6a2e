/**
 * `--time chrony|off` and `--time-zone-file FILE`: Device.Time. on the Linux platform from chrony
 * (platform/linux/time.ts), and where a written LocalTimeZone goes as a TZif file. The factory
 * defaults file may set both, as `$time` and `$timeZoneFile`, like the other Linux switches
 * (`$nat`, `$dnsmasq`, ...); the command line wins over the file, option by option.
 */
import { isAbsolute } from 'node:path';
import type { TimeSettings } from '../../platform/linux/time.js';

/** The defaults file's key for `--time`. */
export const TIME_KEY = '$time';
/** The defaults file's key for `--time-zone-file`. */
export const TIME_ZONE_FILE_KEY = '$timeZoneFile';

/** `--time` text: chrony (also on/true/1) or off (also false/0). */
export function parseTimeOption(text: string, source = '--time'): boolean {
  const t = text.trim().toLowerCase();
  if (['chrony', 'on', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new Error(`${source} ${JSON.stringify(text)}: give chrony (serve Device.Time. from chronyd, writing the agent's sources file) or off (leave chrony alone)`);
}

/**
 * The platform's setting from the two options (`time` as given on the command line, or already
 * read from the defaults file): false (off), settings (a zone file), or undefined (on where
 * chronyc answers).
 */
export function timeSetting(time: string | boolean | undefined, zoneFile: string | undefined): boolean | TimeSettings | undefined {
  const on = typeof time === 'string' ? parseTimeOption(time) : time;
  if (on === false) return false;
  if (zoneFile !== undefined) {
    if (zoneFile.trim() === '') throw new Error('--time-zone-file: give the file a written LocalTimeZone goes to as a TZif file, e.g. /etc/localtime');
    return { zoneFile };
  }
  return on === undefined ? undefined : {};
}

/** The defaults file's `$time` value ("chrony"/"off" or true/false), checked; undefined when absent. */
export function timeFromFile(value: unknown, file: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return parseTimeOption(value, `factory defaults: ${TIME_KEY} (${file})`);
  throw new Error(`factory defaults: ${TIME_KEY} (${file}): must be "chrony" or "off"`);
}

/** The defaults file's `$timeZoneFile` value: an absolute file path (a system file such as /etc/localtime); undefined when absent. */
export function timeZoneFileFromFile(value: unknown, file: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isAbsolute(value) || value.endsWith('/')) {
    throw new Error(`factory defaults: ${TIME_ZONE_FILE_KEY} (${file}): must be the absolute path of the file a written LocalTimeZone goes to as a TZif file, e.g. "/etc/localtime"`);
  }
  return value;
}
