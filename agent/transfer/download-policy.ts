/**
 * Where the device may download from, for every transfer a controller starts (firmware images in
 * FirmwareImage.{i}.Download(); software packages and bulk-data uploads are to use the same
 * policy). A download names any URL and reports what it found (TransferComplete! FaultString), so
 * without a policy a controller could probe the device's own services: on live platforms the
 * agent refuses hosts that resolve to a loopback, link-local, unspecified, multicast or broadcast
 * address, or to one of the device's own addresses. The check is made on the addresses the name
 * resolves to, for the first URL and for every redirect, and again on the address actually
 * connected to (`lookup`), so a DNS answer that changes in between does not get around it.
 *
 * Configured by Device.LocalAgent.X_<VENDOR>_AllowLocalDownloads (with --vendor-prefix; see
 * `allowLocalDownloadsParam`): false (refuse) by default on the live platforms, true on the
 * simulated gateway, whose tests serve files on loopback.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { SchemaParam } from '../../datamodel/schema/types.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { VENDOR_PREFIX_RE } from '../../platform/vendor-param.js';

/** Address ranges never downloaded from under the policy, each with why. */
const REFUSED_RANGES: ReadonlyArray<{ net: string; prefix: number; type: 'ipv4' | 'ipv6'; what: string }> = [
  { net: '127.0.0.0', prefix: 8, type: 'ipv4', what: 'loopback' },
  { net: '0.0.0.0', prefix: 8, type: 'ipv4', what: 'unspecified' },
  { net: '169.254.0.0', prefix: 16, type: 'ipv4', what: 'link-local' },
  { net: '224.0.0.0', prefix: 4, type: 'ipv4', what: 'multicast' },
  { net: '255.255.255.255', prefix: 32, type: 'ipv4', what: 'broadcast' },
  { net: '::1', prefix: 128, type: 'ipv6', what: 'loopback' },
  { net: '::', prefix: 128, type: 'ipv6', what: 'unspecified' },
  { net: 'fe80::', prefix: 10, type: 'ipv6', what: 'link-local' },
  { net: 'ff00::', prefix: 8, type: 'ipv6', what: 'multicast' },
];

const RANGES = REFUSED_RANGES.map((r) => {
  const list = new BlockList();
  list.addSubnet(r.net, r.prefix, r.type);
  return { list, type: r.type, what: r.what };
});

/**
 * "::ffff:127.0.0.1" or "::ffff:7f00:1" → "127.0.0.1": an IPv4-mapped IPv6 address reaches the
 * IPv4 host, so it is judged as that host.
 */
function unmap(address: string): string {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1]!;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return address;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** The device's own addresses now (interfaces come and go, e.g. the WAN), zone ids removed. */
export function ownAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) out.add(unmap(a.address.split('%')[0]!.toLowerCase()));
  }
  return out;
}

/**
 * Why the policy refuses `address` (an IP address), or undefined when a download may use it.
 * `own` is the device's own addresses.
 */
export function addressProblem(address: string, own: ReadonlySet<string> = ownAddresses()): string | undefined {
  const a = unmap(address.split('%')[0]!.toLowerCase());
  const family = isIP(a);
  if (family === 0) return `${address} is not an IP address`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const r of RANGES) if (r.type === type && r.list.check(a, type)) return `${address} is a ${r.what} address`;
  if (own.has(a)) return `${address} is one of this device's own addresses`;
  return undefined;
}

/** What a download asks of the policy: a check per URL and a DNS lookup that enforces it. */
export interface DownloadPolicy {
  /** Why `url`'s host may not be downloaded from, or undefined (a name that does not resolve is left to the transfer). */
  check(url: URL): Promise<string | undefined>;
  /** For http(s).request: resolves like dns.lookup, failing when an address is refused. */
  readonly lookup: LookupFunction;
}

/**
 * The policy for one agent. `refuseLocal` is read at each download, so the setting in the data
 * model applies without a restart.
 */
/** The setting a refusal names when the agent has no vendor prefix to name its own. */
const GENERIC_SETTING = 'Device.LocalAgent.X_<VENDOR>_AllowLocalDownloads';

export function downloadPolicy(refuseLocal: () => boolean, own: () => ReadonlySet<string> = ownAddresses, setting = GENERIC_SETTING): DownloadPolicy {
  return new FunctionPolicy(refuseLocal, own, setting);
}

/**
 * A policy: a class, so a fleet's gateways share its methods (issue 14); its `lookup`, which
 * http(s).request calls as a plain function, is made at the first download.
 */
abstract class Policy implements DownloadPolicy {
  private lookupOf?: LookupFunction;

  constructor(
    private readonly own: () => ReadonlySet<string>,
    private readonly setting: string,
  ) {}

  /** Whether loopback, link-local and the device's own addresses are refused now. */
  protected abstract refuseLocal(): boolean;

  async check(url: URL): Promise<string | undefined> {
    if (!this.refuseLocal()) return undefined;
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const addresses = await resolveAll(host);
    return addresses && this.refusal(host, addresses);
  }

  get lookup(): LookupFunction {
    return (this.lookupOf ??= policyLookup(this));
  }

  refusal(host: string, addresses: readonly LookupAddress[]): string | undefined {
    if (!this.refuseLocal()) return undefined;
    const mine = this.own();
    for (const { address } of addresses) {
      const why = addressProblem(address, mine);
      if (why) return `downloads from ${host} are refused: ${why} (${this.setting})`;
    }
    return undefined;
  }
}

/** Refuses while `refuse()` says so. */
class FunctionPolicy extends Policy {
  constructor(
    private readonly refuse: () => boolean,
    own: () => ReadonlySet<string>,
    setting: string,
  ) {
    super(own, setting);
  }

  protected refuseLocal(): boolean {
    return this.refuse();
  }
}

/** Refuses unless the agent's stored X_<VENDOR>_AllowLocalDownloads (or, without one, the platform default) allows. */
class StoredSettingPolicy extends Policy {
  constructor(
    private readonly store: DataStore,
    private readonly param: SchemaParam | undefined,
    private readonly byDefault: boolean,
  ) {
    super(ownAddresses, param ? `Device.LocalAgent.${param.name}` : GENERIC_SETTING);
  }

  protected refuseLocal(): boolean {
    const v = this.param && this.store.row('Device.LocalAgent.')?.[this.param.name];
    return !(typeof v === 'boolean' ? v : this.byDefault);
  }
}

function resolveAll(host: string): Promise<LookupAddress[] | undefined> {
  return new Promise((resolve) => {
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => resolve(err ? undefined : addresses));
  });
}

/** dns.lookup for http(s).request, failing with EDOWNLOADREFUSED when `policy` refuses an address. */
function policyLookup(policy: Policy): LookupFunction {
  return ((
    hostname: string,
    options: LookupAllOptions | { all?: boolean; family?: number; hints?: number },
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { family: options.family, hints: options.hints, all: true }, (err, addresses) => {
      if (err) {
        callback(err, []);
        return;
      }
      const why = policy.refusal(hostname, addresses);
      if (why) {
        callback(Object.assign(new Error(why), { code: 'EDOWNLOADREFUSED' }), []);
        return;
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  }) as LookupFunction;
}

/**
 * Device.LocalAgent.X_<VENDOR>_AllowLocalDownloads (boolean, set in the factory-defaults file,
 * read-only to controllers so none can lift the policy it protects against): true lets downloads
 * reach loopback, link-local and the device's own addresses.
 */
export function allowLocalDownloadsParam(vendorPrefix: string): SchemaParam {
  return { name: `${vendorPrefix}AllowLocalDownloads`, access: 'readOnly', type: 'boolean' };
}

/** The policy's default per platform: refuse on live platforms, allow on the simulated gateway. */
export function allowLocalDownloadsByDefault(platform: string): boolean {
  return platform === 'simulated';
}

/** The policy's setting in Device.LocalAgent. and the policy that follows it. */
export interface DownloadPolicySetting {
  /** For registerLocalAgent: the vendor parameter and its platform default (none without a vendor prefix). */
  vendorParams: Array<{ param: SchemaParam; default: boolean }>;
  policy: DownloadPolicy;
}

/**
 * Wires the setting: with a valid vendor prefix, X_<VENDOR>_AllowLocalDownloads is stored in
 * Device.LocalAgent. (the factory-defaults file sets it, FactoryReset() restores it); without
 * one the platform default applies.
 */
export function downloadPolicySetting(store: DataStore, platform: string, vendorPrefix: string | undefined): DownloadPolicySetting {
  const byDefault = allowLocalDownloadsByDefault(platform);
  // A malformed prefix is reported by the platform registration, naming --vendor-prefix.
  const param = vendorPrefix !== undefined && VENDOR_PREFIX_RE.test(vendorPrefix) ? allowLocalDownloadsParam(vendorPrefix) : undefined;
  return { vendorParams: param ? [{ param, default: byDefault }] : [], policy: new StoredSettingPolicy(store, param, byDefault) };
}
