/**
 * `usp-agent run` without loading yargs, for the command lines that cannot be wrong: every option
 * known, given once, with a valid value. yargs costs the agent process ~4 MB of resident memory
 * (its modules, ICU's segmentation data for its help layout) and ~60 ms of start-up, mostly
 * rendering the help text it caches after every command; a router starts the agent with the same
 * handful of options every time. Anything else (--help, a typo, a missing or bad value, camelCase
 * or --no- forms) returns undefined and goes through yargs, which prints its usual message.
 */
import { parseArgs } from 'node:util';
import { isLogLevel } from '../../datamodel/Logger.js';
import type { PlatformName } from '../Agent.js';

/** The `run` options as yargs hands them to the command handler (same names, same defaults). */
export interface RunOptionValues {
  defaults: string;
  'data-dir'?: string;
  platform: PlatformName;
  'legacy-coap': boolean;
  'vendor-prefix'?: string;
  seed?: string;
  'log-level': string;
  cert?: string;
  key?: string;
  ca?: string;
  'firmware-hook'?: string;
  'firmware-trust'?: string;
  'firmware-staging'?: string;
  /** `--manage-interfaces NAME[,NAME...]` (`*`: all): what the Linux platform may reconfigure. */
  'manage-interfaces'?: string;
  /** `--manage-dns FILE`: the resolv.conf controllers may rewrite (Device.DNS.Client.Server). */
  'manage-dns'?: string;
  /** `--packet-counters on|off`: nftables packet class counters (Linux, OpenWrt). */
  'packet-counters'?: string;
  /** `--nat nftables|off`: Device.NAT. as the agent's own nftables table (Linux). */
  nat?: string;
  /** `--device-image-dir DIR`: pictures of the device (Device.DeviceInfo.DeviceImageFile.{i}.). */
  'device-image-dir'?: string;
  /** `--time chrony|off`, `--time-zone-file FILE`: Device.Time. from chrony (Linux). */
  time?: string;
  'time-zone-file'?: string;
  /** `--wifi hostapd|off`, `--hostapd-dir DIR`: Device.WiFi. from hostapd and iw (Linux). */
  wifi?: string;
  'hostapd-dir'?: string;
  /** `--hostapd-conf FILE[,FILE]`: hostapd's configuration files (Linux). */
  'hostapd-conf'?: string;
  /** `--hostapd-global PATH`: hostapd's global control interface, for SSID/AccessPoint Add (Linux). */
  'hostapd-global'?: string;
  /** `--wpa-supplicant-dir DIR`: wpa_supplicant's control directory, for Device.WiFi.EndPoint. (Linux). */
  'wpa-supplicant-dir'?: string;
  /** `--wpa-supplicant-global PATH`: wpa_supplicant's global control interface, for EndPoint Add/Delete (Linux). */
  'wpa-supplicant-global'?: string;
  /** `--dnsmasq on|off`: DNS relay and DHCPv4 server through the agent's own dnsmasq (Linux). */
  dnsmasq?: string;
  /** `--access-control nftables|off`: Device.Hosts.AccessControl. as the agent's own nftables table (Linux). */
  'access-control'?: string;
  /** `--firewall nftables|off`: Device.Firewall. as the agent's own nftables table (Linux). */
  firewall?: string;
  /** `--mqtt-broker mosquitto|off`: Device.MQTT.Broker.{i}. through the agent's own Mosquitto (Linux, OpenWrt). */
  'mqtt-broker'?: string;
  /** `--upnp-igd miniupnpd|off`: Device.UPnP.Device. through miniupnpd (Linux: the agent's own; OpenWrt: the package's). */
  'upnp-igd'?: string;
  /** `--dhcp-client udhcpc|off`: Device.DHCPv4.Client.{i}. through busybox udhcpc (Linux). */
  'dhcp-client'?: string;
  /** `--radvd on|off`: Device.RouterAdvertisement. through the agent's own radvd (Linux). */
  radvd?: string;
  /** `--alarm-check-period SECONDS`: how often the agent's own alarm conditions are read. */
  'alarm-check-period'?: string;
  /** `--captive-portal|--bridge-filter|--qos on|off` (platform/service-switches.ts). */
  'captive-portal'?: string;
  'bridge-filter'?: string;
  qos?: string;
  /** `--plugin FILE`, repeatable (agent/plugins/). */
  plugin?: string[];
  /** `--vendor-log-file PATH`, repeatable: Device.DeviceInfo.VendorLogFile.{i}. */
  'vendor-log-file'?: string[];
}

const STRING_OPTIONS = [
  'defaults',
  'data-dir',
  'platform',
  'vendor-prefix',
  'seed',
  'log-level',
  'cert',
  'key',
  'ca',
  'firmware-hook',
  'firmware-trust',
  'firmware-staging',
  'manage-interfaces',
  'manage-dns',
  'packet-counters',
  'nat',
  'device-image-dir',
  'time',
  'time-zone-file',
  'wifi',
  'hostapd-dir',
  'hostapd-conf',
  'hostapd-global',
  'wpa-supplicant-dir',
  'wpa-supplicant-global',
  'dnsmasq',
  'access-control',
  'firewall',
  'mqtt-broker',
  'upnp-igd',
  'dhcp-client',
  'radvd',
  'alarm-check-period',
  'captive-portal',
  'bridge-filter',
  'qos',
] as const;

/** What a `--platform` value looks like (plugins' names follow the same rule: agent/plugins/load-plugins.ts). */
const PLATFORM_NAME_RE = /^[a-z][a-z0-9_-]{0,31}$/;

/** The `run` options of `argv` (after the node binary and script), or undefined when yargs should decide. */
export function parseRunFast(argv: readonly string[]): RunOptionValues | undefined {
  if (argv[0] !== 'run') return undefined;
  const rest = argv.slice(1);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        ...Object.fromEntries(STRING_OPTIONS.map((o) => [o, { type: 'string' as const }])),
        'legacy-coap': { type: 'boolean' },
        plugin: { type: 'string', multiple: true },
        'vendor-log-file': { type: 'string', multiple: true },
      },
      strict: true,
      allowPositionals: false,
      tokens: true,
    });
  } catch {
    return undefined;
  }
  // An option given twice becomes an array in yargs: leave that (and its message) to yargs. --plugin and --vendor-log-file are repeatable.
  const names = parsed.tokens.filter((t) => t.kind === 'option' && t.name !== 'plugin' && t.name !== 'vendor-log-file').map((t) => t.name);
  if (new Set(names).size !== names.length) return undefined;
  const v = parsed.values as Partial<Record<(typeof STRING_OPTIONS)[number], string>> & { 'legacy-coap'?: boolean; plugin?: string[]; 'vendor-log-file'?: string[] };
  if (v.defaults === undefined) return undefined;
  const platform = v.platform ?? 'auto';
  // A built-in name or one a plugin may bring (checked when the agent starts, with the plugins loaded).
  if (!PLATFORM_NAME_RE.test(platform)) return undefined;
  const logLevel = v['log-level'] ?? 'info';
  if (!isLogLevel(logLevel)) return undefined;
  if ((v.cert === undefined) !== (v.key === undefined)) return undefined;
  return {
    defaults: v.defaults,
    'data-dir': v['data-dir'],
    platform: platform as PlatformName,
    'legacy-coap': v['legacy-coap'] ?? false,
    'vendor-prefix': v['vendor-prefix'],
    seed: v.seed,
    'log-level': logLevel,
    cert: v.cert,
    key: v.key,
    ca: v.ca,
    'firmware-hook': v['firmware-hook'],
    'firmware-trust': v['firmware-trust'],
    'firmware-staging': v['firmware-staging'],
    'manage-interfaces': v['manage-interfaces'],
    'manage-dns': v['manage-dns'],
    'packet-counters': v['packet-counters'],
    nat: v.nat,
    'device-image-dir': v['device-image-dir'],
    time: v.time,
    'time-zone-file': v['time-zone-file'],
    wifi: v.wifi,
    'hostapd-dir': v['hostapd-dir'],
    'hostapd-conf': v['hostapd-conf'],
    'hostapd-global': v['hostapd-global'],
    'wpa-supplicant-dir': v['wpa-supplicant-dir'],
    'wpa-supplicant-global': v['wpa-supplicant-global'],
    dnsmasq: v.dnsmasq,
    'access-control': v['access-control'],
    firewall: v.firewall,
    'mqtt-broker': v['mqtt-broker'],
    'upnp-igd': v['upnp-igd'],
    'dhcp-client': v['dhcp-client'],
    radvd: v.radvd,
    'alarm-check-period': v['alarm-check-period'],
    'captive-portal': v['captive-portal'],
    'bridge-filter': v['bridge-filter'],
    qos: v.qos,
    plugin: v.plugin,
    'vendor-log-file': v['vendor-log-file'],
  };
}
