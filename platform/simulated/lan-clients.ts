/**
 * The devices on the simulated LAN: three wired ones on the cabled LAN ports and every Wi-Fi
 * station of wifi-stations.ts. One registry serves Device.Hosts and the DHCPv4 server's
 * leases, so a device has the same MAC address, IP address and instance number in both, and
 * its association in Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}. is the one Hosts names.
 *
 * Leases follow the clock like everything else: a device takes a lease when it first connects
 * and renews it every half lease time while connected, so it expires a lease time after the
 * device left. The simulation keeps no history of link outages: a wired or resident device
 * keeps its lease through them (its renewals are reckoned from its first connection), while a
 * visitor's lease runs out a lease time after its last visit.
 */
import type { DhcpRequestClass } from '../dhcpv4-pool-criteria.js';
import type { EthernetPortState } from './ethernet.js';
import { formatIPv4 } from './ipv4.js';
import { hash32, Prng } from './random.js';
import { formatMac, type SimContext } from './SimContext.js';
import type { BssState } from './wifi-access-point.js';
import { SLOT_S, type StationDevice, type StationRoster } from './wifi-stations.js';

/**
 * The DHCP pool settings the leases depend on; `statics` maps a MAC address to its fixed address,
 * `reserved` holds the pool's ReservedAddresses (never handed out dynamically).
 */
export interface PoolConfig {
  /** The pool's instance number: clients of one pool share its addresses. */
  pool?: number;
  min: number;
  max: number;
  leaseTimeS: number;
  gateway: number;
  statics: ReadonlyMap<string, number>;
  reserved: ReadonlySet<number>;
}

export interface LanClient {
  /** Instance number of Device.Hosts.Host.{i}. and of the DHCP pool's Client.{i}. */
  n: number;
  label: string;
  hostName: string;
  mac: string;
  interfaceType: 'Ethernet' | 'Wi-Fi';
  /** Device.Ethernet.Interface.{i} or Device.WiFi.SSID.{i} it is connected through (a reference value). */
  layer1: string;
}

export interface Presence {
  active: boolean;
  /** Wall-clock ms of the last change of `active` (of the first connection if there was none). */
  activeChangedAt: number;
  /** The device's Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i} row as a reference value, or "". */
  associatedDevice: string;
  /** Wall-clock ms of the last renewal and of the expiry; undefined when it holds no lease. */
  lease: { renewedAt: number; expiresAt: number } | undefined;
}

/** Wired devices by the LAN port they are plugged into (lan3 has no cable). */
const WIRED: Readonly<Record<string, { label: string; hostName: (rnd: Prng) => string }>> = {
  lan1: {
    label: 'desktop',
    hostName: (r) =>
      `DESKTOP-${r
        .int(0, 36 ** 7 - 1)
        .toString(36)
        .toUpperCase()
        .padStart(7, '0')}`,
  },
  lan2: { label: 'nas', hostName: () => 'nas' },
  lan4: { label: 'set-top-box', hostName: (r) => `stb-${r.int(0, 0xffff).toString(16).padStart(4, '0')}` },
};

/** DHCP host names (option 12) the stations send, by station label. */
const STATION_HOST_NAMES: Readonly<Record<string, (rnd: Prng) => string>> = {
  'smart-plug': (r) => `shellyplug-s-${r.int(0, 0xffffff).toString(16).toUpperCase().padStart(6, '0')}`,
  printer: (r) => `HP${r.int(0, 0xffffff).toString(16).toUpperCase().padStart(6, '0')}`,
  laptop: () => 'MacBook-Pro',
  tv: () => 'LGwebOSTV',
  'visitor-phone': () => 'Galaxy-S23',
  phone: () => 'Pixel-8',
  'guest-tablet': () => 'iPad',
};

/**
 * The Vendor Class Identifier (option 60) each kind of device sends, by label (none: the device
 * sends no option 60): what a Pool's or a Forwarding row's VendorClassID can match. One table for
 * the whole fleet.
 */
const VENDOR_CLASSES: Readonly<Record<string, string>> = {
  desktop: 'MSFT 5.0',
  'set-top-box': 'IPTV-STB',
  printer: 'Hewlett-Packard JetDirect',
  tv: 'LGE-webOS',
  phone: 'android-dhcp-14',
  'visitor-phone': 'android-dhcp-13',
};

/** What client `c` puts in its DHCP requests that a pool or relay criterion can match: option 60, option 61 (01 + its MAC), its MAC. */
export function requestOf(c: LanClient): DhcpRequestClass {
  return { vendorClass: VENDOR_CLASSES[c.label], clientIdHex: `01${c.mac.replace(/:/g, '')}`, chaddr: c.mac };
}

/**
 * Layer1Interface values by port or SSID number: one string per process for every gateway of a
 * fleet, where a template per client made ~10 strings per gateway (issue 14). Bounded: the
 * numbers are the simulated device's own ports and SSIDs.
 */
const ETHERNET_REFS: string[] = [];
const SSID_REFS: string[] = [];
function layer1(refs: string[], prefix: string, n: number): string {
  return (refs[n] ??= `${prefix}${n}`);
}

/** A wired device asks for its lease this long after its link comes up. */
const DHCP_AFTER_LINK_MS = 1_500;

type Source = { kind: 'wired'; port: EthernetPortState } | { kind: 'station'; device: StationDevice; bss: BssState };

export class LanClients {
  readonly clients: readonly LanClient[];
  private readonly sources: readonly Source[];

  constructor(
    private readonly ctx: SimContext,
    ethernet: readonly EthernetPortState[],
    private readonly roster: StationRoster,
    bsses: readonly BssState[],
    /** The settings of the pool serving `c`. */
    private readonly pool: (c: LanClient) => PoolConfig,
  ) {
    const rnd = new Prng(ctx.seed, 'lan-clients');
    const clients: LanClient[] = [];
    const sources: Source[] = [];
    ethernet.forEach((port, i) => {
      const wired = WIRED[port.name];
      if (!wired || !port.cabled) return;
      // Locally administered, like the simulated device's own: never a real vendor's address.
      const mac = formatMac(0x02 * 2 ** 40 + rnd.int(0, 0xff) * 2 ** 32 + rnd.int(0, 0xffff) * 2 ** 16 + rnd.int(0, 0xffff));
      clients.push({ n: clients.length + 1, label: wired.label, hostName: wired.hostName(rnd), mac, interfaceType: 'Ethernet', layer1: layer1(ETHERNET_REFS, 'Device.Ethernet.Interface.', i + 1) });
      sources.push({ kind: 'wired', port });
    });
    for (const device of roster.devices) {
      const hostName = STATION_HOST_NAMES[device.def.label]?.(rnd) ?? device.def.label;
      clients.push({ n: clients.length + 1, label: device.def.label, hostName, mac: device.mac, interfaceType: 'Wi-Fi', layer1: layer1(SSID_REFS, 'Device.WiFi.SSID.', device.def.ap) });
      sources.push({ kind: 'station', device, bss: bsses[device.def.ap - 1] });
    }
    this.clients = clients;
    this.sources = sources;
  }

  /** The client with instance number `n`, or undefined. */
  byNumber(n: number): LanClient | undefined {
    return this.clients[n - 1];
  }

  presence(c: LanClient): Presence {
    const src = this.sources[c.n - 1];
    const now = this.ctx.now();
    const half = (this.pool(c).leaseTimeS * 1000) / 2;
    // Renewals every half lease time from `from` while connected (until `until`).
    const lease = (from: number, until: number): Presence['lease'] => {
      if (now < from) return undefined;
      const renewedAt = from + Math.floor((Math.min(now, until) - from) / half) * half;
      const expiresAt = renewedAt + 2 * half;
      return expiresAt > now ? { renewedAt, expiresAt } : undefined;
    };
    if (src.kind === 'wired') {
      const joinAt = src.port.linkUpAt + DHCP_AFTER_LINK_MS;
      const active = src.port.clock.up && now >= joinAt;
      return { active, activeChangedAt: Math.max(joinAt, src.port.clock.changedAtMs), associatedDevice: '', lease: lease(joinAt, Infinity) };
    }
    const { device, bss } = src;
    const at = this.roster.find(device);
    const associatedDevice = at ? `Device.WiFi.AccessPoint.${at.keys[0]}.AssociatedDevice.${at.keys[1]}` : '';
    if (!device.def.visitor) {
      const joinAt = this.ctx.bootedAt + device.joinDelayS * 1000;
      return { active: !!at, activeChangedAt: at?.since ?? Math.max(joinAt, bss.changedAt()), associatedDevice, lease: lease(joinAt, Infinity) };
    }
    const visit = this.roster.lastVisit(device, this.pool(c).leaseTimeS + SLOT_S);
    if (!visit) return { active: false, activeChangedAt: this.ctx.bootedAt, associatedDevice, lease: undefined };
    return { active: !!at, activeChangedAt: at ? at.since : visit.to, associatedDevice, lease: lease(visit.from, visit.to) };
  }

  /** Whether the device is in Device.Hosts: connected now, or holding a lease. */
  known(c: LanClient): boolean {
    const p = this.presence(c);
    return p.active || p.lease !== undefined;
  }

  /**
   * The address the pool gives `c`: its static address if it has one, else a seeded spot in
   * the pool, moved on past addresses other clients of that pool (lower instance numbers first), the static
   * ones, the pool's reserved ones or the gateway already hold. With every free address taken
   * the client gets none ("").
   */
  address(c: LanClient): string {
    const { pool, min, max, gateway, statics, reserved } = this.pool(c);
    const fixed = statics.get(c.mac);
    if (fixed !== undefined) return formatIPv4(fixed);
    const size = max - min + 1;
    if (size <= 0) return '';
    // Static and reserved addresses (TR-181 Pool.{i}.ReservedAddresses) are never handed out to anyone else.
    const taken = new Set<number>([gateway, ...statics.values(), ...reserved]);
    let address: number | undefined;
    for (const other of this.clients.slice(0, c.n)) {
      if (other !== c && (statics.has(other.mac) || this.pool(other).pool !== pool)) continue;
      let offset = hash32(this.ctx.seed, 'dhcp', other.label) % size;
      let tries = 0;
      for (; tries < size && taken.has(min + offset); tries++) offset = (offset + 1) % size;
      address = tries < size ? min + offset : undefined;
      if (address !== undefined) taken.add(address);
    }
    return address === undefined ? '' : formatIPv4(address);
  }
}
