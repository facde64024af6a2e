/**
 * Device.UPnP.Discovery. (TR-181 UPnPDiscBasic:1, UPnPDiscAdv:1/2) on Linux and OpenWrt: the
 * UPnP root devices, embedded devices and services the agent's own SSDP browser
 * (ssdp-browser.ts) hears on the LAN.
 *
 * TR-181 gives discovery no Enable, so the browser starts at the first read of a Discovery table
 * (the M-SEARCH goes out at once: rows fill in within seconds) and runs until the agent stops. An
 * agent no Controller asks about UPnP opens no socket. It listens on the LAN interfaces only
 * (the platform says which: a gateway must neither discover nor be heard on its WAN), looked for
 * again before each M-SEARCH (a LAN that comes up later is joined then).
 *
 * - RootDevice.{i}: devices that announced `upnp:rootdevice`; Device.{i}: the other device UUIDs
 *   (embedded devices); Service.{i}: one row per service USN. Numbered by UUID / USN.
 * - Host: the Device.Hosts.Host rows of the address the last message came from.
 * - Service.ParentDevice: the RootDevice or Device row of the USN's device UUID ("" when that
 *   device is not listed).
 */
import type { RequestContext } from '../../datamodel/tree/binding.js';
import { constantObject } from '../../datamodel/tree/binding-helpers.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { Logger } from '../../datamodel/Logger.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { dateTimeOf, type Value } from '../../datamodel/value/Value.js';
import type { MdnsInterface } from '../dnssd/mdns-browser.js';
import { hostsOfModel, type HostLookup } from '../lldp/lldp-hosts.js';
import type { DiscoveredEntry } from './discovered-devices.js';
import { SsdpBrowser } from './ssdp-browser.js';

const DISCOVERY = 'Device.UPnP.Discovery.';
const DEVICE_PARAMS = ['Status', 'UUID', 'USN', 'LeaseTime', 'Location', 'Server', 'Host', 'LastUpdate'];
const SERVICE_PARAMS = ['Status', 'USN', 'LeaseTime', 'Location', 'Server', 'Host', 'LastUpdate', 'ParentDevice'];

export interface UPnPDiscoveryOptions {
  model: DataModel;
  /** The interfaces to listen on: read at the first read of a table, and again before each later M-SEARCH. */
  interfaces(): Promise<MdnsInterface[]>;
  /** The Host list of an address (platform/lldp/lldp-hosts.ts). */
  hosts: HostLookup;
  now: () => number;
  log?: Logger;
}

type Table = 'RootDevice' | 'Device' | 'Service';

/** Registers Device.UPnP.Discovery. on the LAN interfaces `lan` gives (Linux and OpenWrt each say which); returns its stop. */
export function registerUPnPDiscovery(model: DataModel, lan: () => Promise<MdnsInterface[]>, now: () => number, log?: Logger): () => void {
  const d = new UPnPDiscovery({ model, interfaces: lan, hosts: hostsOfModel(model), now, log });
  d.register();
  return () => d.stop();
}

/** Serves Device.UPnP.Discovery. from an SSDP browser started at the first read. */
export class UPnPDiscovery {
  readonly browser: SsdpBrowser;
  private readonly numbers: Record<Table, InstanceMap> = { RootDevice: new InstanceMap(), Device: new InstanceMap(), Service: new InstanceMap() };
  private starting: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: UPnPDiscoveryOptions) {
    this.browser = new SsdpBrowser({ now: opts.now, log: opts.log, interfacesNow: () => opts.interfaces() });
  }

  register(): void {
    const { model } = this.opts;
    model.register('Device.UPnP.', constantObject({}));
    model.register(DISCOVERY, constantObject({}));
    for (const table of ['RootDevice', 'Device'] as const) {
      model.register(`${DISCOVERY}${table}.{i}.`, {
        params: DEVICE_PARAMS,
        list: async () => this.list(table),
        get: async (keys, ctx) => this.values(table, this.entryAt(table, keys[0]), ctx),
      });
    }
    model.register(`${DISCOVERY}Service.{i}.`, {
      params: SERVICE_PARAMS,
      list: async () => this.list('Service'),
      get: async (keys, ctx) => this.values('Service', this.entryAt('Service', keys[0]), ctx),
    });
  }

  stop(): void {
    this.stopped = true;
    this.browser.stop();
  }

  /** Starts the browser once, at the first read. */
  private ensureStarted(): Promise<void> {
    this.starting ??= (async () => {
      const interfaces = await this.opts.interfaces();
      if (this.stopped) return;
      await this.browser.start(interfaces);
      if (this.browser.listening) this.opts.log?.info('UPnP discovery listening', { interfaces: interfaces.map((i) => `${i.name}=${i.address}`).join(',') });
    })()
      .catch((e: unknown) => this.opts.log?.warn('UPnP discovery not started', { error: e instanceof Error ? e.message : String(e) }))
      .then(() => {
        // Port 1900 could not be bound (or a socket failed later): the next read tries again.
        if (!this.browser.listening) this.starting = undefined;
      });
    return this.starting;
  }

  private rows(table: Table): DiscoveredEntry[] {
    const now = this.opts.now();
    const d = this.browser.devices;
    return table === 'RootDevice' ? d.roots(now) : table === 'Device' ? d.embedded(now) : d.servicesNow(now);
  }

  private async list(table: Table): Promise<number[]> {
    await this.ensureStarted();
    return this.rows(table).map((e) => this.numbers[table].numberOf(e.key));
  }

  private entryAt(table: Table, n: number | undefined): DiscoveredEntry {
    const key = this.numbers[table].keyOf(n);
    const e = key === undefined ? undefined : this.rows(table).find((r) => r.key === key);
    if (!e) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${DISCOVERY}${table}.${n}`);
    return e;
  }

  private async values(table: Table, e: DiscoveredEntry, ctx: RequestContext): Promise<Record<string, Value>> {
    const common: Record<string, Value> = {
      Status: e.status,
      USN: e.usn,
      LeaseTime: e.leaseTime,
      Location: e.location,
      Server: e.server,
      Host: await this.opts.hosts({ macs: new Set(), addresses: new Set([e.address]) }, ctx),
      LastUpdate: dateTimeOf(e.lastUpdate),
    };
    if (table !== 'Service') return { ...common, UUID: e.uuid };
    return { ...common, ParentDevice: this.parentOf(e.uuid) };
  }

  /** The RootDevice or Device row of a device UUID, by the number it was listed under. */
  private parentOf(uuid: string): string {
    const root = this.browser.devices.isRoot(uuid);
    if (root === undefined) return '';
    const table: Table = root ? 'RootDevice' : 'Device';
    return `${DISCOVERY}${table}.${this.numbers[table].numberOf(uuid.toLowerCase())}`;
  }
}
