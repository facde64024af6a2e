/**
 * Device.DHCPv6.Server. on generic Linux (TR-181 DHCPv6Server:1 but for prefix delegation,
 * DHCPv6ServerClientInfo:1) through the agent's dnsmasq (`--dnsmasq`): the rows are kept in the
 * agent's store like the DHCPv4 server's, and become lines of the same dnsmasq file:
 *
 * | TR-181 | dnsmasq line |
 * |--------|--------------|
 * | Server.Enable false | no DHCPv6 line at all |
 * | Pool.{i} (enabled, first in Order on its Interface's device), IANAEnable true | `dhcp-range=set:v6pool<i>,::1000,::ffff,constructor:<device>,64,3600`: stateful addresses in every global /64 of the device |
 * | Pool.{i}, IANAEnable false | `dhcp-range=set:v6pool<i>,::,constructor:<device>,static`: no addresses, the options only (stateless DHCPv6) |
 * | Pool.{i}.Option.{j} (enabled) | `dhcp-option=tag:v6pool<i>,option6:<Tag>,<Value>` (dhcpv6-option-values.ts) |
 *
 * - dnsmasq delegates no prefixes: IAPDEnable reads false and IAPDAddLength 0, both read-only;
 *   the pool criteria (DUID, VendorClassID, UserClassID, SourceAddress) are not served.
 * - Interface must name an IP.Interface whose device has a global IPv6 address (7012 otherwise):
 *   dnsmasq numbers from the device's prefixes. Status: Error_Misconfigured while it has none,
 *   Error while dnsmasq cannot run. A second enabled pool on the same device is not served (a
 *   comment in the file says so): dnsmasq cannot choose between two ranges on one link.
 * - IANAPrefixes: the device's IP.Interface.{i}.IPv6Prefix rows whose prefix is one of the /64s.
 * - Pool.{i}.Client.{i}: the DHCPv6 leases of the lease file inside the pool's prefixes, one
 *   Client per DUID (Option 1 is that DUID), one IPv6Address per leased address; SourceAddress
 *   the client's link-local address from the kernel's neighbour table (dhcpv6-source-address.ts).
 */
import { readFile } from 'node:fs/promises';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored } from '../../datamodel/store/stored-binding.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { dateTimeOf, INFINITE_TIME, type Value } from '../../datamodel/value/Value.js';
import { dhcpv6OptionProblems } from '../dhcpv6-options.js';
import { parseIPv6 } from '../simulated/ipv6.js';
import { invalid, publicValues, type Row, StoredTable } from '../stored-table.js';
import { type Dhcpv6Lease, parseLeases6 } from './dhcpv6-leases.js';
import { dnsmasqOption6Value } from './dhcpv6-option-values.js';
import { clientSourceAddress, type Neighbour6 } from './dhcpv6-source-address.js';
import type { IpLink } from './ip-addr.js';

const SERVER = 'Device.DHCPv6.Server.';
const POOL = 'Device.DHCPv6.Server.Pool.{i}.';
const OPTION = `${POOL}Option.{i}.`;
const CLIENT = `${POOL}Client.{i}.`;
const MAX_POOLS = 8;
const MAX_OPTIONS = 32;
const DEVICE_KEY = '$device';
const POOL_PARAMS = ['Enable', 'Status', 'Alias', 'Order', 'Interface', 'IANAEnable', 'IANAPrefixes', 'IAPDEnable', 'IAPDPrefixes', 'IAPDAddLength'] as const;
const POOL_WRITABLE = ['Enable', 'Order', 'Interface', 'IANAEnable'] as const;
/** The lease time of the addresses dnsmasq hands out (TR-181 gives a DHCPv6 pool none to set). */
const LEASE_S = 3600;

/** What the server needs of the agent's dnsmasq (dnsmasq.ts). */
export interface Dhcpv6Host {
  withDevice(merged: Record<string, Value>, changes: Record<string, Value>): Promise<Record<string, Value>>;
  readInterface(row: Row): Promise<Record<string, Value>>;
  links(): Promise<ReadonlyMap<string, IpLink>>;
  running(): boolean;
  changed(): void;
  leaseFile: string;
  now(): number;
  /** The kernel's IPv6 neighbours (`ip -j -6 neigh show`), for the Clients' SourceAddress; absent: SourceAddress reads "". */
  neighbours?(): Promise<Neighbour6[]>;
}

interface Prefix64 {
  text: string;
  network: bigint;
}

const MASK64 = ((1n << 64n) - 1n) << 64n;

function deviceOf(row: Row): string | undefined {
  const d = row[DEVICE_KEY];
  return typeof d === 'string' && d !== '' ? d : undefined;
}

/** The rows of Device.DHCPv6.Server., the lines made of them and the Client rows from the leases. */
export class LinuxDhcpv6Server {
  private pools!: StoredTable;
  private options!: StoredTable;
  private readonly clients = new InstanceMap();

  constructor(
    private readonly model: DataModel,
    private readonly store: DataStore,
    private readonly host: Dhcpv6Host,
  ) {}

  register(): void {
    const { model, store, host } = this;
    registerStored(model, store, SERVER, { params: ['Enable'], onChange: () => host.changed() });
    this.pools = new StoredTable(store, model.requireNode(POOL), {
      params: POOL_PARAMS,
      writable: POOL_WRITABLE,
      live: new Set(['Status', 'IANAPrefixes', 'IAPDPrefixes']),
      max: MAX_POOLS,
      references: ['Interface'],
      defaults: { IANAEnable: true, IAPDEnable: false, IAPDAddLength: 0 },
      // TR-181 Order: a pool added without one comes after every other.
      initial: () => ({ Order: Math.max(0, ...this.pools.rows([]).map(([, r]) => Number(r.Order ?? 0))) + 1 }),
      check: async (_keys, merged, changes) => {
        const row = await host.withDevice(merged, changes);
        const device = deviceOf(row);
        if (changes.Interface !== undefined && device !== undefined && (await this.prefixesOf(device)).length === 0) {
          throw invalid([{ param: 'Interface', message: `${device} has no global IPv6 address to number from` }]);
        }
        return row;
      },
      read: async (keys, row) => {
        const values = await host.readInterface(row);
        const prefixes = await this.prefixesOf(deviceOf(row));
        values.Status = await this.status(keys[0]!, row, prefixes);
        values.IANAPrefixes = row.IANAEnable === true && values.Status === 'Enabled' ? await this.prefixRefs(String(values.Interface ?? ''), prefixes) : '';
        values.IAPDPrefixes = '';
        return values;
      },
      apply: () => host.changed(),
    });
    model.register(POOL, this.pools);
    this.options = new StoredTable(store, model.requireNode(OPTION), {
      params: ['Enable', 'Alias', 'Tag', 'Value'],
      writable: ['Enable', 'Tag', 'Value'],
      max: MAX_OPTIONS,
      check: (keys, merged, changes) => {
        const siblings = this.options.rows(keys.slice(0, -1));
        const bad = dhcpv6OptionProblems(keys, changes, siblings);
        if (bad.length === 0 && (changes.Tag !== undefined || changes.Value !== undefined) && dnsmasqOption6Value(Number(merged.Tag), String(merged.Value ?? '')) === undefined) {
          bad.push({ param: 'Value', message: `not a value of DHCPv6 option ${String(merged.Tag)} that dnsmasq can send` });
        }
        if (bad.length > 0) throw invalid(bad);
        return merged;
      },
      read: (_keys, row) => publicValues(row),
      apply: () => host.changed(),
    });
    model.register(OPTION, this.options);
    this.registerClients();
  }

  private serverOn(): boolean {
    return this.store.row(SERVER)?.Enable === true;
  }

  /** The global /64s of `device` now (those dnsmasq's `constructor:` numbers from). */
  private async prefixesOf(device: string | undefined): Promise<Prefix64[]> {
    if (device === undefined) return [];
    const out: Prefix64[] = [];
    for (const a of (await this.host.links()).get(device)?.addr_info ?? []) {
      const n = a.family === 'inet6' && a.scope === 'global' && a.prefixlen <= 64 ? parseIPv6(a.local) : undefined;
      if (n === undefined) continue;
      const network = n & MASK64;
      if (!out.some((p) => p.network === network)) out.push({ network, text: `${a.local}/64` });
    }
    return out;
  }

  /** The enabled pool served on `device`: the first in Order (the others cannot be: one range per link). */
  private servedOn(device: string | undefined): number | undefined {
    const rows = this.pools
      .rows([])
      .filter(([, r]) => r.Enable === true && deviceOf(r) === device)
      .sort(([a, x], [b, y]) => Number(x.Order ?? 0) - Number(y.Order ?? 0) || a - b);
    return rows[0]?.[0];
  }

  private async status(n: number, row: Row, prefixes: readonly Prefix64[]): Promise<string> {
    if (row.Enable !== true || !this.serverOn()) return 'Disabled';
    if (prefixes.length === 0 || this.servedOn(deviceOf(row)) !== n) return 'Error_Misconfigured';
    return this.host.running() ? 'Enabled' : 'Error';
  }

  /** The IP.Interface's IPv6Prefix rows whose Prefix is one of `prefixes`, as a reference list. */
  private async prefixRefs(ipInterface: string, prefixes: readonly Prefix64[]): Promise<string> {
    const m = /^Device\.IP\.Interface\.(\d+)$/.exec(ipInterface);
    if (!m) return '';
    const node = this.model.node('Device.IP.Interface.{i}.IPv6Prefix.{i}.');
    if (!node || !this.model.isBound(node)) return '';
    const refs: string[] = [];
    for (const k of await this.model.listInstances(node, [Number(m[1])], {})) {
      const v = await this.model.readValues({ node, keys: [Number(m[1]), k] }, {});
      const p = String(v.Prefix ?? '').split('/');
      const n = parseIPv6(p[0] ?? '');
      if (p[1] === '64' && n !== undefined && prefixes.some((q) => q.network === n)) refs.push(`${ipInterface}.IPv6Prefix.${k}`);
    }
    return refs.join(',');
  }

  /** The `dhcp-range` and `dhcp-option` lines (after a comment naming each pool), in Order. */
  async lines(): Promise<string[]> {
    if (!this.serverOn()) return [];
    const out: string[] = [];
    const rows = this.pools.rows([]).sort(([a, x], [b, y]) => Number(x.Order ?? 0) - Number(y.Order ?? 0) || a - b);
    for (const [n, row] of rows) {
      const device = deviceOf(row);
      if (row.Enable !== true || device === undefined || (await this.prefixesOf(device)).length === 0) continue;
      const path = this.model.requireNode(POOL).pathOf([n]).slice(0, -1);
      const first = this.servedOn(device);
      if (first !== n) {
        out.push(`# not served: ${path} is on the same Interface as Device.DHCPv6.Server.Pool.${String(first)}, first in Order`);
        continue;
      }
      const tag = `v6pool${n}`;
      out.push(`# ${path}`, row.IANAEnable === false ? `dhcp-range=set:${tag},::,constructor:${device},static` : `dhcp-range=set:${tag},::1000,::ffff,constructor:${device},64,${LEASE_S}`);
      for (const [, o] of this.options.rows([n])) {
        const value = o.Enable === true ? dnsmasqOption6Value(Number(o.Tag), String(o.Value ?? '')) : undefined;
        if (value !== undefined) out.push(`dhcp-option=tag:${tag},option6:${Number(o.Tag)}${value === '' ? '' : `,${value}`}`);
      }
    }
    return out;
  }

  /** The leases of pool `p` by client DUID (numbered on first sight); 7016 for no such pool. */
  private async leasesOf(p: number | undefined): Promise<Map<string, Dhcpv6Lease[]>> {
    if (p === undefined || !this.pools.list([]).includes(p)) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such DHCPv6 pool: ${String(p)}`);
    const row = this.store.row(this.model.requireNode(POOL).pathOf([p])) ?? {};
    const prefixes = await this.prefixesOf(deviceOf(row));
    const out = new Map<string, Dhcpv6Lease[]>();
    const now = this.host.now() / 1000;
    for (const l of parseLeases6(await readFile(this.host.leaseFile, 'utf8').catch(() => ''))) {
      const a = parseIPv6(l.ip);
      if (a === undefined || !prefixes.some((q) => q.network === (a & MASK64)) || (l.expiry !== 0 && l.expiry < now)) continue;
      out.set(l.duid, [...(out.get(l.duid) ?? []), l]);
      this.clients.numberOf(l.duid);
    }
    return out;
  }

  private async leasesOfClient([p, n]: InstanceKeys): Promise<Dhcpv6Lease[]> {
    const l = (await this.leasesOf(p)).get(this.clients.keyOf(n!) ?? '');
    if (!l) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such DHCPv6 client: ${String(n)}`);
    return l;
  }

  /** The link-local address the client of `leases` sends from, on pool `p`'s device; "" when unknown. */
  private async sourceAddressOf(p: number, leases: Dhcpv6Lease[]): Promise<string> {
    const device = deviceOf(this.store.row(this.model.requireNode(POOL).pathOf([p])) ?? {});
    const neighbours = await this.host.neighbours?.().catch(() => []);
    if (!Array.isArray(neighbours)) return '';
    return clientSourceAddress(
      leases[0]!.duid,
      leases.map((l) => l.ip),
      device,
      neighbours,
    );
  }

  private registerClients(): void {
    const lifetime = (l: Dhcpv6Lease): string => (l.expiry === 0 ? INFINITE_TIME : dateTimeOf(l.expiry * 1000));
    const rows = (params: readonly string[], list: (leases: Dhcpv6Lease[]) => Array<Record<string, Value>>): ObjectBinding => ({
      params,
      list: async (keys) => list(await this.leasesOfClient(keys)).map((_, i) => i + 1),
      get: async (keys) => {
        const row = list(await this.leasesOfClient(keys))[keys[2]! - 1];
        if (!row) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such row: ${String(keys[2])}`);
        return row;
      },
    });
    const addressRows = (leases: Dhcpv6Lease[]) => leases.map((l) => ({ IPAddress: l.ip, PreferredLifetime: lifetime(l), ValidLifetime: lifetime(l) }));
    const optionRows = (leases: Dhcpv6Lease[]) => [{ Tag: 1, Value: leases[0]!.duid }];
    this.model.register(CLIENT, {
      params: ['Active', 'SourceAddress'],
      changesOnlyThroughAgent: false,
      list: async ([p]) => [...(await this.leasesOf(p)).keys()].map((d) => this.clients.numberOf(d)).sort((a, b) => a - b),
      get: async (keys) => {
        const leases = await this.leasesOfClient(keys);
        return { Active: true, SourceAddress: await this.sourceAddressOf(keys[0]!, leases) };
      },
    });
    this.model.register(`${CLIENT}IPv6Address.{i}.`, rows(['IPAddress', 'PreferredLifetime', 'ValidLifetime'], addressRows));
    this.model.register(`${CLIENT}IPv6Prefix.{i}.`, { params: ['Prefix', 'PreferredLifetime', 'ValidLifetime'], list: () => [], get: () => ({}) });
    this.model.register(`${CLIENT}Option.{i}.`, rows(['Tag', 'Value'], optionRows));
  }
}
