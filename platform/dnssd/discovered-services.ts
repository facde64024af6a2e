/**
 * The DNS-SD services the browser has heard (RFC 6763), as Device.DNS.SD.Service.{i} reads
 * them: what the mDNS records say (PTR: a service type and its instances; SRV: where; TXT: the
 * key/value pairs; A/AAAA: the target host's addresses), each record kept for the TTL it came
 * with (RFC 6762 10). A record with TTL 0 is a goodbye: its service reads GoodbyeReceived and
 * is removed one second later (RFC 6762 10.1). Every table is bounded; what comes beyond a bound
 * is not kept (a LAN peer must not grow the agent's memory).
 */
import { nameKey, RecordType, type Labels, type ResourceRecord, type SrvData } from './dns-message.js';

/** Bounds of what one browser keeps. */
export const LIMITS = {
  services: 128,
  serviceTypes: 64,
  hosts: 256,
  addressesPerHost: 8,
  textRecordsPerService: 32,
} as const;

/** RFC 6762 10.1: a goodbye record is deleted one second after it is received. */
const GOODBYE_MS = 1000;
const SERVICES_TYPE = nameKey(['_services', '_dns-sd', '_udp', 'local']);

/** A record's value with when it was received and when it expires (ms since the epoch). */
interface Kept<T> {
  value: T;
  ttl: number;
  receivedAt: number;
  expiresAt: number;
}

export interface TextRecord {
  key: string;
  value: string;
}

/** One Device.DNS.SD.Service.{i} as served. */
export interface DiscoveredService {
  /** Lower-cased full name: the row's identity. */
  key: string;
  instanceName: string;
  applicationProtocol: string;
  transportProtocol: 'TCP' | 'UDP';
  domain: string;
  target: string;
  port: number;
  priority: number;
  weight: number;
  timeToLive: number;
  status: 'LeaseActive' | 'GoodbyeReceived';
  lastUpdate: number;
  textRecords: readonly TextRecord[];
  addresses: readonly string[];
}

interface ServiceEntry {
  name: Labels;
  ptr: Kept<true>;
  srv?: Kept<SrvData>;
  txt?: Kept<readonly TextRecord[]>;
  lastUpdate: number;
}

/** A name/type the browser should ask again for (RFC 6762 5.2: at 80 % of a record's TTL). */
export interface Refresh {
  name: Labels;
  type: number;
}

export class DiscoveredServices {
  private readonly types = new Map<string, { name: Labels; kept: Kept<true> }>();
  private readonly services = new Map<string, ServiceEntry>();
  private readonly hosts = new Map<string, Map<string, Kept<string>>>();

  /** Service types known now (the browser asks for each one's instances). */
  serviceTypes(now: number): Labels[] {
    this.prune(now);
    return [...this.types.values()].map((t) => t.name);
  }

  /**
   * Takes the records of one response; returns what it learnt that needs a follow-up query:
   * new service types, instances without SRV/TXT, targets without an address.
   */
  take(records: readonly ResourceRecord[], now: number): Refresh[] {
    const follow: Refresh[] = [];
    // Addresses and SRV first: a PTR in the same packet then finds its service complete.
    for (const r of records) if (r.type === RecordType.A || r.type === RecordType.AAAA) this.takeAddress(r, now);
    for (const r of records) {
      if (r.type !== RecordType.PTR) continue;
      if (nameKey(r.name) === SERVICES_TYPE) {
        if (this.takeType(r.data, r.ttl, now)) follow.push({ name: r.data, type: RecordType.PTR });
      } else if (isServiceType(r.name) && isInstanceOf(r.data, r.name)) {
        this.takeInstance(r.data, r.ttl, now);
      }
    }
    for (const r of records) {
      const entry = this.services.get(nameKey(r.name));
      if (!entry) continue;
      if (r.type === RecordType.SRV) entry.srv = kept(r.data, r.ttl, now, entry.srv);
      else if (r.type === RecordType.TXT) entry.txt = kept(textRecords(r.data), r.ttl, now, entry.txt);
      else continue;
      entry.lastUpdate = now;
    }
    for (const e of this.services.values()) {
      if (e.ptr.receivedAt !== now) continue;
      if (!e.srv) follow.push({ name: e.name, type: RecordType.SRV });
      if (!e.txt) follow.push({ name: e.name, type: RecordType.TXT });
      if (e.srv && e.srv.value.target.length > 0 && !this.hosts.has(nameKey(e.srv.value.target))) follow.push({ name: e.srv.value.target, type: RecordType.A });
    }
    return follow;
  }

  /** The services with a PTR and an SRV now, in the order first heard. */
  list(now: number): DiscoveredService[] {
    this.prune(now);
    const out: DiscoveredService[] = [];
    for (const [key, e] of this.services) {
      if (!e.srv) continue;
      const s = serviceOf(key, e, this.addressesOf(e.srv.value.target));
      if (s) out.push(s);
    }
    return out;
  }

  /** Records at or past 80 % of their TTL and not yet asked again for (RFC 6762 5.2), marked asked. */
  refreshesDue(now: number): Refresh[] {
    this.prune(now);
    const due: Refresh[] = [];
    const check = (k: Kept<unknown>, name: Labels, type: number): void => {
      if (k.ttl > 0 && now >= k.receivedAt + k.ttl * 800 && now < k.expiresAt) {
        due.push({ name, type });
        // Next ask at 90 %: two tries before the record lapses.
        k.receivedAt += k.ttl * 100;
      }
    };
    for (const t of this.types.values()) check(t.kept, ['_services', '_dns-sd', '_udp', 'local'], RecordType.PTR);
    for (const e of this.services.values()) {
      check(e.ptr, e.name.slice(1), RecordType.PTR);
      if (e.srv) check(e.srv, e.name, RecordType.SRV);
      if (e.txt) check(e.txt, e.name, RecordType.TXT);
    }
    return due;
  }

  /** When the next record reaches 80 % of its TTL or expires (ms since the epoch), or undefined. */
  nextDue(): number | undefined {
    let next: number | undefined;
    const see = (k: Kept<unknown> | undefined): void => {
      if (!k) return;
      const at = k.ttl > 0 ? Math.min(k.expiresAt, k.receivedAt + k.ttl * 800) : k.expiresAt;
      if (next === undefined || at < next) next = at;
    };
    for (const t of this.types.values()) see(t.kept);
    for (const e of this.services.values()) [e.ptr, e.srv, e.txt].forEach(see);
    return next;
  }

  clear(): void {
    this.types.clear();
    this.services.clear();
    this.hosts.clear();
  }

  private takeType(name: Labels, ttl: number, now: number): boolean {
    const key = nameKey(name);
    const known = this.types.get(key);
    if (!known && (this.types.size >= LIMITS.serviceTypes || !isServiceType(name))) return false;
    this.types.set(key, { name, kept: kept(true, ttl, now, known?.kept) });
    return !known && ttl > 0;
  }

  private takeInstance(name: Labels, ttl: number, now: number): void {
    const key = nameKey(name);
    const known = this.services.get(key);
    if (!known) {
      if (ttl === 0 || this.services.size >= LIMITS.services) return;
      this.services.set(key, { name, ptr: kept(true, ttl, now), lastUpdate: now });
      return;
    }
    known.ptr = kept(true, ttl, now, known.ptr);
    known.lastUpdate = now;
  }

  private takeAddress(r: ResourceRecord & { type: 1 | 28 }, now: number): void {
    const key = nameKey(r.name);
    let addresses = this.hosts.get(key);
    if (!addresses) {
      if (r.ttl === 0 || this.hosts.size >= LIMITS.hosts) return;
      this.hosts.set(key, (addresses = new Map<string, Kept<string>>()));
    }
    // RFC 6762 10.2: a cache-flush record replaces the others of its name and type heard over a second ago.
    if (r.cacheFlush) {
      for (const [a, k] of addresses) if (a.includes(':') === (r.type === RecordType.AAAA) && k.receivedAt < now - 1000) addresses.delete(a);
    }
    if (!addresses.has(r.data) && addresses.size >= LIMITS.addressesPerHost) return;
    addresses.set(r.data, kept(r.data, r.ttl, now, addresses.get(r.data)));
  }

  private addressesOf(target: Labels): string[] {
    return [...(this.hosts.get(nameKey(target))?.values() ?? [])].map((k) => k.value);
  }

  private prune(now: number): void {
    for (const [k, t] of this.types) if (t.kept.expiresAt <= now) this.types.delete(k);
    for (const [k, e] of this.services) {
      if (e.ptr.expiresAt <= now || (e.srv && e.srv.expiresAt <= now)) this.services.delete(k);
      else if (e.txt && e.txt.expiresAt <= now) e.txt = undefined;
    }
    for (const [k, addresses] of this.hosts) {
      for (const [a, kept] of addresses) if (kept.expiresAt <= now) addresses.delete(a);
      if (addresses.size === 0) this.hosts.delete(k);
    }
  }
}

/** A record kept for `ttl` seconds; a goodbye (TTL 0) of a known record keeps it one more second. */
function kept<T>(value: T, ttl: number, now: number, before?: Kept<T>): Kept<T> {
  if (ttl === 0) return { value: before?.value ?? value, ttl: 0, receivedAt: now, expiresAt: now + GOODBYE_MS };
  return { value, ttl, receivedAt: now, expiresAt: now + ttl * 1000 };
}

/** `_app._tcp.<domain>` or `_app._udp.<domain>`. */
function isServiceType(name: Labels): boolean {
  const [app, proto] = name;
  return name.length >= 3 && app !== undefined && /^_[A-Za-z0-9-]{1,15}$/.test(app) && (proto?.toLowerCase() === '_tcp' || proto?.toLowerCase() === '_udp');
}

/** `<instance>.<type>`: one label before the type it was listed under. */
function isInstanceOf(instance: Labels, type: Labels): boolean {
  return instance.length === type.length + 1 && nameKey(instance.slice(1)) === nameKey(type);
}

/** RFC 6763 6.3-6.4: "key=value" strings; a key without "=" is a boolean attribute; the first of a key wins. */
function textRecords(strings: readonly Buffer[]): TextRecord[] {
  const out: TextRecord[] = [];
  const seen = new Set<string>();
  for (const s of strings) {
    if (s.length === 0) continue;
    const eq = s.indexOf(0x3d);
    const key = s.toString('utf8', 0, eq < 0 ? s.length : eq);
    if (key === '' || seen.has(key.toLowerCase())) continue;
    seen.add(key.toLowerCase());
    out.push({ key, value: eq < 0 ? '' : s.toString('utf8', eq + 1) });
    if (out.length >= LIMITS.textRecordsPerService) break;
  }
  return out;
}

function serviceOf(key: string, e: ServiceEntry, addresses: string[]): DiscoveredService | undefined {
  const srv = e.srv!;
  const [instance, app, proto, ...domain] = e.name;
  if (instance === undefined || app === undefined || proto === undefined) return undefined;
  const goodbye = e.ptr.ttl === 0 || srv.ttl === 0;
  return {
    key,
    instanceName: instance,
    applicationProtocol: app.slice(1),
    transportProtocol: proto.toLowerCase() === '_udp' ? 'UDP' : 'TCP',
    domain: domain.join('.'),
    target: srv.value.target.length === 0 ? '' : `${srv.value.target.join('.')}.`,
    port: srv.value.port,
    priority: srv.value.priority,
    weight: srv.value.weight,
    timeToLive: goodbye ? 0 : Math.min(e.ptr.ttl, srv.ttl),
    status: goodbye ? 'GoodbyeReceived' : 'LeaseActive',
    lastUpdate: e.lastUpdate,
    textRecords: e.txt?.value ?? [],
    addresses,
  };
}
