/**
 * What the SSDP browser has heard (TR-181 Device.UPnP.Discovery.): one entry per device UUID
 * (a root device once it announced `upnp:rootdevice`, an embedded device otherwise) and one per
 * service USN. Each message renews its entry's lease for CACHE-CONTROL max-age seconds; a lease
 * that runs out reads LeaseExpired and a byebye reads ByebyeReceived, and an inactive entry is
 * removed INACTIVE_KEEP_MS later (TR-181 leaves how long to the CPE). Both tables are bounded:
 * when full, the oldest inactive entry makes room, and with none inactive the newcomer is not
 * kept (a LAN peer must not grow the agent's memory).
 */
import type { SsdpAdvertisement } from './ssdp-message.js';

export const LIMITS = { devices: 128, services: 256 } as const;
/** How long an expired or departed entry stays listed. */
export const INACTIVE_KEEP_MS = 10_000;

export type DiscoveryStatus = 'LeaseActive' | 'LeaseExpired' | 'ByebyeReceived';

/** One Device.UPnP.Discovery RootDevice, Device or Service row as served. */
export interface DiscoveredEntry {
  /** Lower-cased UUID (devices) or USN (services): the row's identity. */
  key: string;
  uuid: string;
  usn: string;
  leaseTime: number;
  location: string;
  server: string;
  /** The IPv4 address the last message came from (for Host). */
  address: string;
  lastUpdate: number;
  status: DiscoveryStatus;
}

interface Entry extends DiscoveredEntry {
  expiresAt: number;
  inactiveSince?: number;
}

interface DeviceEntry extends Entry {
  root: boolean;
  /** The USN forms heard, best first per TR-181: device type, root device, bare UUID. */
  usnRank: number;
}

export class DiscoveredDevices {
  private readonly devices = new Map<string, DeviceEntry>();
  private readonly services = new Map<string, Entry>();

  /** Takes one advertisement heard from `address` at `now` (ms since the epoch). */
  take(ad: SsdpAdvertisement, address: string, now: number): void {
    this.prune(now);
    if (ad.target.kind === 'service') this.takeService(ad, address, now);
    else this.takeDevice(ad, address, now);
  }

  roots(now: number): DiscoveredEntry[] {
    this.prune(now);
    return [...this.devices.values()].filter((d) => d.root).map(view);
  }

  embedded(now: number): DiscoveredEntry[] {
    this.prune(now);
    return [...this.devices.values()].filter((d) => !d.root).map(view);
  }

  servicesNow(now: number): DiscoveredEntry[] {
    this.prune(now);
    return [...this.services.values()].map(view);
  }

  /** Whether the device of `uuid` is listed as a root device (undefined: not listed). */
  isRoot(uuid: string): boolean | undefined {
    return this.devices.get(uuid.toLowerCase())?.root;
  }

  /** When the next lease runs out or an inactive entry is to be removed, or undefined. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const e of [...this.devices.values(), ...this.services.values()]) {
      const at = e.inactiveSince === undefined ? e.expiresAt : e.inactiveSince + INACTIVE_KEEP_MS;
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  clear(): void {
    this.devices.clear();
    this.services.clear();
  }

  private takeDevice(ad: SsdpAdvertisement, address: string, now: number): void {
    const key = ad.uuid.toLowerCase();
    let e = this.devices.get(key);
    if (!e) {
      if (ad.kind === 'byebye' || !makeRoom(this.devices, LIMITS.devices)) return;
      e = { ...renewed(ad, address, now), key, uuid: ad.uuid, root: false, usnRank: 9 };
      this.devices.set(key, e);
    }
    if (ad.target.kind === 'rootdevice') e.root = true;
    // TR-181: the USN of the device-type form is preferred, then the root device's, then uuid:U.
    const rank = ad.target.kind === 'device' ? 0 : ad.target.kind === 'rootdevice' ? 1 : 2;
    if (rank <= e.usnRank) {
      e.usnRank = rank;
      e.usn = ad.usn;
    }
    apply(e, ad, address, now);
  }

  private takeService(ad: SsdpAdvertisement, address: string, now: number): void {
    const key = ad.usn.toLowerCase();
    let e = this.services.get(key);
    if (!e) {
      if (ad.kind === 'byebye' || !makeRoom(this.services, LIMITS.services)) return;
      e = { ...renewed(ad, address, now), key, uuid: ad.uuid, usn: ad.usn };
      this.services.set(key, e);
    }
    apply(e, ad, address, now);
  }

  private prune(now: number): void {
    for (const table of [this.devices, this.services] as Array<Map<string, Entry>>) {
      for (const [k, e] of table) {
        if (e.inactiveSince === undefined && now >= e.expiresAt) {
          e.status = 'LeaseExpired';
          e.inactiveSince = e.expiresAt;
        }
        if (e.inactiveSince !== undefined && now >= e.inactiveSince + INACTIVE_KEEP_MS) table.delete(k);
      }
    }
  }
}

function renewed(ad: SsdpAdvertisement, address: string, now: number): Entry {
  return { key: '', uuid: ad.uuid, usn: ad.usn, leaseTime: ad.maxAge, location: ad.location, server: ad.server, address, lastUpdate: now, status: 'LeaseActive', expiresAt: now + ad.maxAge * 1000 };
}

/** An alive renews the lease and the headers; a byebye marks the entry departed. */
function apply(e: Entry, ad: SsdpAdvertisement, address: string, now: number): void {
  e.lastUpdate = now;
  e.address = address;
  if (ad.kind === 'byebye') {
    e.status = 'ByebyeReceived';
    e.inactiveSince = now;
    return;
  }
  e.status = 'LeaseActive';
  e.inactiveSince = undefined;
  e.leaseTime = ad.maxAge;
  e.expiresAt = now + ad.maxAge * 1000;
  e.location = ad.location;
  if (ad.server !== '') e.server = ad.server;
}

/** Whether a new entry fits: at the bound, the entry inactive longest is removed to make room. */
function makeRoom(table: Map<string, Entry>, bound: number): boolean {
  if (table.size < bound) return true;
  let oldest: [string, number] | undefined;
  for (const [k, e] of table) if (e.inactiveSince !== undefined && (!oldest || e.inactiveSince < oldest[1])) oldest = [k, e.inactiveSince];
  if (!oldest) return false;
  table.delete(oldest[0]);
  return true;
}

function view(e: Entry): DiscoveredEntry {
  return { key: e.key, uuid: e.uuid, usn: e.usn, leaseTime: e.leaseTime, location: e.location, server: e.server, address: e.address, lastUpdate: e.lastUpdate, status: e.status };
}
