/**
 * The shapes of the ubus answers this platform reads, as far as it reads them. Field names were
 * checked against the producers (see docs/platform-mapping.md): procd `system.c`, netifd
 * `ubus.c`/`device.c`/`system-linux.c`/`wireless.c`, rpcd `iwinfo.c`, hostapd `ubus.c`. Every
 * field is optional because older releases omit some and a down interface omits more.
 */

/** `ubus call system board` */
export interface SystemBoard {
  kernel?: string;
  hostname?: string;
  system?: string;
  model?: string;
  board_name?: string;
  release?: { distribution?: string; version?: string; revision?: string; target?: string; description?: string };
}

/** `ubus call system info`: memory in bytes, root/tmp in KiB. */
export interface SystemInfo {
  localtime?: number;
  uptime?: number;
  load?: number[];
  memory?: { total?: number; free?: number; shared?: number; buffered?: number; available?: number; cached?: number };
  root?: { total?: number; free?: number; used?: number; avail?: number };
}

/** One entry of `ubus call network.interface dump` → `interface[]`. */
export interface NetIfStatus {
  interface: string;
  up?: boolean;
  available?: boolean;
  autostart?: boolean;
  /** Seconds since the interface came up (only while up). */
  uptime?: number;
  l3_device?: string;
  device?: string;
  proto?: string;
  'ipv4-address'?: Array<{ address: string; mask: number }>;
  'ipv6-address'?: Array<{ address: string; mask: number; preferred?: number; valid?: number }>;
  'ipv6-prefix'?: Array<{ address: string; mask: number; preferred?: number; valid?: number }>;
  'ipv6-prefix-assignment'?: Array<{
    address: string;
    mask: number;
    preferred?: number;
    valid?: number;
    'local-address'?: { address: string; mask: number };
  }>;
  'dns-server'?: string[];
  /** Routes netifd installed for the interface, IPv4 and IPv6 alike; `mask` is a prefix length. */
  route?: Array<{ target: string; mask: number; nexthop?: string; source?: string; metric?: number }>;
}

export interface InterfaceDump {
  interface?: NetIfStatus[];
}

/** One device of `ubus call network.device status` (no argument: all devices, by name). */
export interface DeviceStatus {
  type?: string;
  devtype?: string;
  present?: boolean;
  up?: boolean;
  carrier?: boolean;
  'link-supported'?: string[];
  /** "1000F": Mbit/s and F(ull)/H(alf) duplex; absent while the speed is unknown. */
  speed?: string;
  autoneg?: boolean;
  mtu?: number;
  macaddr?: string;
  'bridge-members'?: string[];
  /** A DSA user port's conduit (the CPU port's netdev), when netifd knows it. */
  conduit?: string;
  statistics?: Record<string, number>;
}

export type DeviceStatusMap = Record<string, DeviceStatus>;

/** `ubus call network.wireless status`: radios by UCI section name. */
export type WirelessStatus = Record<string, WirelessRadioStatus>;

export interface WirelessRadioStatus {
  up?: boolean;
  pending?: boolean;
  autostart?: boolean;
  disabled?: boolean;
  config?: Record<string, unknown>;
  interfaces?: Array<{ section: string; ifname?: string; config?: Record<string, unknown> }>;
}

/** `ubus call iwinfo info {"device":"<ifname>"}` */
export interface IwinfoInfo {
  phy?: string;
  ssid?: string;
  bssid?: string;
  country?: string;
  mode?: string;
  channel?: number;
  center_chan1?: number;
  frequency?: number;
  txpower?: number;
  noise?: number;
  encryption?: { enabled?: boolean; wpa?: number[]; authentication?: string[]; ciphers?: string[]; wep?: string[] };
  hwmodes?: string[];
  htmodes?: string[];
  htmode?: string;
}

/**
 * One frequency of `ubus call iwinfo freqlist {"device":"<radio>"}` (rpcd `rpc_iwinfo_freqlist`):
 * `band` in GHz (2, 5, 6, 60), `restricted` when nl80211 flags it NO_IR (and not radar).
 */
export interface IwinfoFreq {
  band?: number;
  channel?: number;
  mhz?: number;
  restricted?: boolean;
  flags?: string[];
  active?: boolean;
}

export interface IwinfoFreqlist {
  results?: IwinfoFreq[];
}

/** One level of `ubus call iwinfo txpowerlist {"device":"<radio>"}` (rpcd `rpc_iwinfo_txpowerlist`). */
export interface IwinfoTxPower {
  dbm?: number;
  mw?: number;
  active?: boolean;
}

export interface IwinfoTxPowerlist {
  results?: IwinfoTxPower[];
}

/** One station of `ubus call iwinfo assoclist {"device":"<ifname>"}`; rates in kbit/s. */
export interface IwinfoStation {
  mac: string;
  signal?: number;
  noise?: number;
  /** Milliseconds since the station was last heard. */
  inactive?: number;
  /** Seconds since association. */
  connected_time?: number;
  authorized?: boolean;
  rx?: IwinfoRate & { drop_misc?: number };
  tx?: IwinfoRate & { retries?: number; failed?: number };
}

export interface IwinfoRate {
  rate?: number;
  bytes?: number;
  packets?: number;
  mhz?: number;
  ht?: boolean;
  vht?: boolean;
  he?: boolean;
  eht?: boolean;
}

export interface IwinfoAssoclist {
  results?: IwinfoStation[];
}
