/**
 * `--radvd on|off` and the defaults file's `$radvd`: whether the Linux platform runs a radvd of
 * its own for Device.RouterAdvertisement. (platform/linux/router-advertisement.ts). Off is for
 * an operator whose own radvd (or systemd-networkd, or odhcpd) advertises: two daemons sending
 * advertisements on one link would contradict each other, so with off the agent never starts
 * radvd and does not serve the object. Default on where radvd is installed and the agent runs as root.
 */

/** The key of the defaults file switching the Linux platform's own radvd (`--radvd`). */
export const RADVD_KEY = '$radvd';

/** `--radvd` text: on (also true/1/yes/radvd) or off (also false/0/no). */
export function parseRadvdOption(text: string, source = '--radvd'): boolean {
  const t = text.trim().toLowerCase();
  if (['on', 'radvd', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new Error(`${source} ${JSON.stringify(text)}: give on (serve Device.RouterAdvertisement. through a radvd the agent runs) or off (leave router advertisements to the system's own radvd)`);
}

/** The defaults file's `$radvd` value ("on"/"off" or true/false), checked; undefined when absent. */
export function radvdFromFile(value: unknown, file: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return parseRadvdOption(value, `factory defaults: ${RADVD_KEY} (${file})`);
  throw new Error(`factory defaults: ${RADVD_KEY} (${file}): must be "on" or "off"`);
}
