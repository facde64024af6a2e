/**
 * `--upnp-igd miniupnpd|off` and the defaults file's `$upnpIgd`: whether the platform serves
 * Device.UPnP.Device. through miniupnpd (Linux: a miniupnpd the agent runs; OpenWrt: the
 * miniupnpd package's UCI, served where it is installed unless this says off; UCI `upnp_igd`).
 * Default off on Linux: an IGD lets LAN hosts open WAN ports, so it is only there when asked for.
 */

/** The key of the defaults file switching the platform's UPnP IGD (`--upnp-igd`). */
export const UPNP_IGD_KEY = '$upnpIgd';

/** `--upnp-igd` text: miniupnpd (also on/true/1/yes) or off (also false/0/no). */
export function parseUpnpIgdOption(text: string, source = '--upnp-igd'): boolean {
  const t = text.trim().toLowerCase();
  if (['miniupnpd', 'on', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new Error(`${source} ${JSON.stringify(text)}: give miniupnpd (serve Device.UPnP.Device. through miniupnpd) or off (no UPnP IGD)`);
}

/** The defaults file's `$upnpIgd` value ("miniupnpd"/"off" or true/false), checked; undefined when absent. */
export function upnpIgdFromFile(value: unknown, file: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return parseUpnpIgdOption(value, `factory defaults: ${UPNP_IGD_KEY} (${file})`);
  throw new Error(`factory defaults: ${UPNP_IGD_KEY} (${file}): must be "miniupnpd" or "off"`);
}
