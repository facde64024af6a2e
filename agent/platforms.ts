/**
 * Choosing the data sources for the TR-181 tree (`--platform`): the entries of the platform
 * registry (platform-registry.ts; the built-in ones in builtin-platforms.ts: simulated, openwrt,
 * linux, none, with ModemManager for Device.Cellular. on the live ones when mmcli answers).
 * `auto` picks OpenWrt when /etc/openwrt_release and ubus exist, otherwise Linux. Platforms are
 * loaded lazily: a router loads only its own.
 */
import { warnServiceSwitchesIgnored } from './defaults/service-switches-option.js';
import type { DataModel } from '../datamodel/tree/DataModel.js';
import { VENDOR_PREFIX_RE } from '../platform/vendor-param.js';
import { builtinPlatforms } from './builtin-platforms.js';
import type { PlatformEntry, PlatformOptions, PlatformParts } from './platform-registry.js';

export type { LiveFirmwareOptions, PlatformOptions } from './platform-registry.js';
export { OPENWRT_STAGING_DIR } from './builtin-platforms.js';

/** The built-in `--platform` values. */
export type BuiltinPlatformName = 'auto' | 'simulated' | 'openwrt' | 'linux' | 'none';
/** A `--platform` value: a built-in one, or one a plugin registers (checked when the agent starts). */
export type PlatformName = BuiltinPlatformName | (string & {});
/** The built-in `--platform` values (the built-in registry's names; checked against it in the unit test). */
export const PLATFORM_NAMES: readonly BuiltinPlatformName[] = ['auto', 'simulated', 'openwrt', 'linux', 'none'];

/** A platform a plugin brings, and the plugin (`--plugin FILE`), for messages. */
export interface PluginPlatform {
  entry: PlatformEntry;
  source: string;
}

export interface StartedPlatform extends Omit<PlatformParts, 'stop' | 'cellular' | 'cellularAccessPoints'> {
  name: Exclude<PlatformName, 'auto'>;
  cellular: boolean;
  stop(): void;
}

/**
 * Starts platform `name` (and its add-ons) from the built-in registry plus the platforms plugins
 * bring, registering their bindings on `model`.
 */
export async function registerPlatform(model: DataModel, name: PlatformName, opts: PlatformOptions, fromPlugins: readonly PluginPlatform[] = []): Promise<StartedPlatform> {
  const log = opts.log.child('platform');
  if (opts.vendorPrefix !== undefined && !VENDOR_PREFIX_RE.test(opts.vendorPrefix)) {
    throw new Error(`--vendor-prefix must look like X_<OUI or domain-with-hyphens>_, e.g. X_EXAMPLE-COM_; got ${JSON.stringify(opts.vendorPrefix)}`);
  }
  const registry = builtinPlatforms();
  for (const p of fromPlugins) registry.addFromPlugin(p.entry, p.source);
  const entry = await registry.choose(name);
  if (name === 'auto') log.info('platform detected', { platform: entry.name });
  // Only generic Linux writes interfaces itself; elsewhere the option would silently do nothing.
  if (opts.manageInterfaces?.length && entry.name !== 'linux') log.warn('--manage-interfaces applies to the linux platform only; ignored', { platform: entry.name });
  if (opts.packetCounters !== undefined && entry.name !== 'linux' && entry.name !== 'openwrt')
    log.warn('--packet-counters applies to the linux and openwrt platforms only; ignored', { platform: entry.name });
  if (opts.nat !== undefined && entry.name !== 'linux') log.warn('--nat applies to the linux platform only; ignored', { platform: entry.name });
  if (opts.time !== undefined && entry.name !== 'linux') log.warn('--time applies to the linux platform only; ignored', { platform: entry.name });
  if (opts.wifi !== undefined && entry.name !== 'linux') log.warn('--wifi and --hostapd-dir apply to the linux platform only; ignored', { platform: entry.name });
  if (opts.dnsmasq !== undefined && entry.name !== 'linux') log.warn('--dnsmasq applies to the linux platform only; ignored', { platform: entry.name });
  if (opts.mqttBroker !== undefined && entry.name !== 'linux' && entry.name !== 'openwrt') log.warn('--mqtt-broker applies to the linux and openwrt platforms only; ignored', { platform: entry.name });
  if (opts.upnpIgd !== undefined && entry.name !== 'linux' && entry.name !== 'openwrt') log.warn('--upnp-igd applies to the linux and openwrt platforms only; ignored', { platform: entry.name });
  if (opts.dhcpClient !== undefined && entry.name !== 'linux') log.warn('--dhcp-client applies to the linux platform only; ignored', { platform: entry.name });
  if (opts.radvd !== undefined && entry.name !== 'linux') log.warn('--radvd applies to the linux platform only; ignored', { platform: entry.name });
  warnServiceSwitchesIgnored(opts.services, entry.name, log);
  if (opts.manageDns !== undefined && entry.name !== 'linux') log.warn('--manage-dns applies to the linux platform only; ignored', { platform: entry.name });
  const { parts, addOns } = await registry.start(model, entry, opts);
  const { cellularAccessPoints: _, ...rest } = parts;
  if (entry.name !== 'simulated' && entry.name !== 'none') {
    log.info('platform ready', {
      platform: entry.name,
      modemmanager: addOns.includes('modemmanager'),
      firmware: parts.firmware ? 'yes' : 'no',
      ...(entry.name === 'linux' ? { manages: opts.manageInterfaces?.join(',') || 'none' } : {}),
    });
  }
  return { ...rest, name: entry.name as StartedPlatform['name'], cellular: parts.cellular ?? false, stop: parts.stop ?? (() => undefined) };
}
