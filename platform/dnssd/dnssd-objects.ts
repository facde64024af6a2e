/**
 * Device.DNS.SD. (TR-181 DNS_SD:1) on Linux and OpenWrt: the DNS-SD services the CPE discovers on
 * its LAN with multicast DNS (mdns-browser.ts).
 *
 * - Enable and AdvertisedInterfaces are kept in the agent's store and take effect at the commit
 *   of the Set: Enable true opens the browser's socket on the IPv4 addresses of the
 *   AdvertisedInterfaces (IP.Interface rows; empty: every non-loopback interface with an IPv4
 *   address, as TR-181 says for a CPE without the parameter); Enable false closes it and the
 *   Service table reads empty.
 * - Status: Disabled, Enabled, or Error when the socket could not be opened or no interface
 *   named could join the mDNS group.
 * - Service.{i}: one row per service instance with a PTR and an SRV record alive, numbered by
 *   its full name; Host names the Device.Hosts.Host rows of the target's A/AAAA addresses.
 *   TextRecord.{i}: the TXT record's key/value pairs, in the order sent.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored } from '../../datamodel/store/stored-binding.js';
import type { InstanceKeys, RequestContext } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { Logger } from '../../datamodel/Logger.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { dateTimeOf, type Value } from '../../datamodel/value/Value.js';
import { CommitApplier } from '../commit-applier.js';
import type { HostLookup } from '../lldp/lldp-hosts.js';
import { invalid } from '../stored-table.js';
import type { DiscoveredService } from './discovered-services.js';
import { MdnsBrowser, type MdnsInterface } from './mdns-browser.js';

const SD = 'Device.DNS.SD.';
const SERVICE = 'Device.DNS.SD.Service.{i}.';
const TEXT_RECORD = 'Device.DNS.SD.Service.{i}.TextRecord.{i}.';
const SERVICE_PARAMS = ['InstanceName', 'ApplicationProtocol', 'TransportProtocol', 'Domain', 'Port', 'Target', 'Status', 'LastUpdate', 'Host', 'TimeToLive', 'Priority', 'Weight'];
const IP_INTERFACE = /^Device\.IP\.Interface\.\d+\.?$/;

export interface DnsSdOptions {
  model: DataModel;
  store: DataStore;
  /** The IPv4 interfaces of the IP.Interface references given; of every LAN-side interface for none. */
  interfaces(references: readonly string[]): Promise<MdnsInterface[]>;
  /** The Host list of a service's addresses (platform/lldp/lldp-hosts.ts). */
  hosts: HostLookup;
  now: () => number;
  log?: Logger;
}

/** Serves Device.DNS.SD. and runs the browser while Enable is true. */
export class DnsSdDiscovery {
  readonly browser: MdnsBrowser;
  private readonly services = new InstanceMap();
  /** Serialises the browser's restarts. */
  private applying: Promise<void> = Promise.resolve();
  private stopped = false;
  /** The interfaces the browser was last started on. */
  private browsingOn = '';

  constructor(private readonly opts: DnsSdOptions) {
    this.browser = new MdnsBrowser({ now: opts.now, log: opts.log });
  }

  register(): void {
    const { model, store } = this.opts;
    const { changed } = new CommitApplier(model, () => this.apply(), this.opts.log, 'DNS-SD discovery');
    registerStored(model, store, SD, {
      params: ['Enable', 'Status', 'AdvertisedInterfaces'],
      live: { Status: () => this.browser.status },
      validate: (_keys, changes) => {
        const refs = changes.AdvertisedInterfaces;
        if (typeof refs !== 'string') return;
        const bad = splitList(refs).filter((r) => !IP_INTERFACE.test(r));
        if (bad.length > 0) throw invalid([{ param: 'AdvertisedInterfaces', message: `not Device.IP.Interface rows: ${bad.join(', ')}` }]);
      },
      onChange: changed,
    });
    model.register(SERVICE, {
      params: SERVICE_PARAMS,
      list: () => this.services.list(this.rows().map((s) => s.key)),
      get: (keys, ctx) => this.serviceValues(keys, ctx),
    });
    model.register(TEXT_RECORD, {
      params: ['Key', 'Value'],
      list: (parentKeys) => this.serviceAt(parentKeys).textRecords.map((_, i) => i + 1),
      get: (keys) => {
        const t = this.serviceAt(keys).textRecords[keys[1]! - 1];
        if (!t) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: Device.DNS.SD.Service.${keys[0]}.TextRecord.${keys[1]}`);
        return { Key: t.key, Value: t.value };
      },
    });
  }

  /** Once the store is loaded: starts browsing when Enable is stored true. */
  start(): Promise<void> {
    return this.apply();
  }

  stop(): void {
    this.stopped = true;
    this.browser.stop();
  }

  /** Puts the stored Enable and AdvertisedInterfaces into effect. */
  private apply(): Promise<void> {
    // A failed apply (logged by CommitApplier) must not stop the next one from running.
    this.applying = this.applying
      .catch(() => undefined)
      .then(async () => {
        if (this.stopped) return;
        const row = this.opts.store.row(SD) ?? {};
        if (row.Enable !== true) {
          if (this.browser.status !== 'Disabled') this.opts.log?.info('DNS-SD discovery stopped');
          this.browser.stop();
          return;
        }
        const refs = splitList(typeof row.AdvertisedInterfaces === 'string' ? row.AdvertisedInterfaces : '');
        const interfaces = await this.opts.interfaces(refs);
        if (this.stopped) return;
        // A Set that changes nothing the browser uses keeps what it has heard.
        const key = interfaces.map((i) => `${i.name}=${i.address}/${i.netmask}`).join(',');
        if (this.browser.listening && key === this.browsingOn) return;
        this.browsingOn = key;
        await this.browser.start(interfaces);
        this.opts.log?.info('DNS-SD discovery browsing', { interfaces: interfaces.map((i) => `${i.name}=${i.address}`).join(','), status: this.browser.status });
      });
    return this.applying;
  }

  private rows(): DiscoveredService[] {
    return this.browser.listening ? this.browser.services.list(this.opts.now()) : [];
  }

  private serviceAt(keys: InstanceKeys): DiscoveredService {
    const key = this.services.keyOf(keys[0]!);
    const s = key === undefined ? undefined : this.rows().find((r) => r.key === key);
    if (!s) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: Device.DNS.SD.Service.${keys[0]}`);
    return s;
  }

  private async serviceValues(keys: InstanceKeys, ctx: RequestContext): Promise<Record<string, Value>> {
    const s = this.serviceAt(keys);
    return {
      InstanceName: s.instanceName,
      ApplicationProtocol: s.applicationProtocol,
      TransportProtocol: s.transportProtocol,
      Domain: s.domain,
      Port: s.port,
      Target: s.target,
      Status: s.status,
      LastUpdate: dateTimeOf(s.lastUpdate),
      Host: await this.opts.hosts({ macs: new Set(), addresses: new Set(s.addresses) }, ctx),
      TimeToLive: s.timeToLive,
      Priority: s.priority,
      Weight: s.weight,
    };
  }
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
