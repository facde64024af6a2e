/**
 * Device.DNS.Relay. (TR-181 DNSRelay:1) and Device.DHCPv4.Server. (DHCPv4Server:1,
 * DHCPv4ServerClientInfo:1) on generic Linux, through a dnsmasq the agent owns (`--dnsmasq`):
 *
 * - The rows are configuration kept in the agent's store (they survive a restart): Relay.Enable,
 *   Forwarding.{i}, Server.Enable, Pool.{i} with StaticAddress.{i} and Option.{i}. Controllers
 *   add and delete the tables' rows. Each change is checked before it is kept (7012, nothing
 *   kept); once the transaction commits, the one configuration file is made from the rows
 *   (dnsmasq-conf.ts) and dnsmasq restarted on it (dnsmasq-process.ts) before the answer.
 * - Interface (Forwarding, Pool) is kept as written and, beside it in the store, the kernel
 *   device it named then (`$device`), as the NAT rows do: IP.Interface numbers are assigned afresh
 *   at each start, the device's name is not. A pool serves the IPv4 subnet of that device's first
 *   address; MinAddress, MaxAddress and the StaticAddress Yiaddr must lie inside it.
 * - Status: Relay and Forwarding read Error, and Pools Error, while dnsmasq cannot run (it exits,
 *   or refuses the file); a Pool with no Interface, or whose device has no IPv4 address, or
 *   without Min/MaxAddress, reads Error_Misconfigured and is not in the file.
 * - Read back as stored: DNSServers and IPRouters empty mean dnsmasq's defaults (it offers its
 *   own address on that interface for both); SubnetMask empty means the interface's.
 * - Pool.{i}.Client.{i}: dnsmasq's lease file in the data directory (dhcpv4-clients.ts).
 * - Conditional serving (DHCPv4CondServing:1): a Pool's VendorClassID, ClientID, UserClassID and
 *   Chaddr/ChaddrMask (with their Exclude flags) and its Order become dnsmasq tags
 *   (dnsmasq-classes.ts); what dnsmasq cannot match is refused with 7012 and nothing kept.
 * - Device.DHCPv4.Relay. (DHCPv4Relay:1): `dhcp-relay` lines in the same file (dhcpv4-relay.ts).
 * - At start the file is made from the stored rows and dnsmasq started, if anything is enabled.
 *   The TR-181 defaults (Relay.Enable and Server.Enable false) run nothing: the factory defaults
 *   file or a Controller switches them on.
 */
import { join } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import { CommitApplier } from '../commit-applier.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored } from '../../datamodel/store/stored-binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import { parseIPv4 } from '../simulated/ipv4.js';
import { CONDITIONAL_POOL_PARAMS, criteriaProblems } from '../dhcpv4-pool-criteria.js';
import { type Dhcpv4Clients, registerDhcpv4Clients } from './dhcpv4-clients.js';
import { LinuxDhcpv4Relay } from './dhcpv4-relay.js';
import { LinuxDhcpv6Server } from './dhcpv6-server.js';
import type { Neighbour6 } from './dhcpv6-source-address.js';
import { dnsmasqCriteriaProblems } from './dnsmasq-classes.js';
import {
  dnsmasqConfText,
  dnsmasqWanted,
  forwardingProblems,
  isDevice,
  MAX_FORWARDERS,
  MAX_OPTIONS,
  MAX_POOLS,
  MAX_STATIC_ADDRESSES,
  optionProblems,
  poolMask,
  poolProblems,
  poolServes,
  prefixMask,
  staticProblems,
  type DnsmasqConf,
  type PoolConf,
  type Subnet,
} from './dnsmasq-conf.js';
import { DnsmasqProcess, DNSMASQ_BIN } from './dnsmasq-process.js';
import { leaseScriptLines } from './dnsmasq-lease-script.js';
import { invalid, publicValues, type Row, StoredTable } from '../stored-table.js';
import type { IpLink } from './ip-addr.js';
import type { IpInterfaceNames } from './nat.js';

const RELAY = 'Device.DNS.Relay.';
const FORWARDING = 'Device.DNS.Relay.Forwarding.{i}.';
const SERVER = 'Device.DHCPv4.Server.';
export const POOL = 'Device.DHCPv4.Server.Pool.{i}.';
const STATIC = `${POOL}StaticAddress.{i}.`;
const OPTION = `${POOL}Option.{i}.`;
const DEVICE_KEY = '$device';
const LIVE_STATUS = new Set(['Status']);
const FORWARDING_PARAMS = ['Enable', 'Status', 'Alias', 'DNSServer', 'Interface', 'Type'];
const POOL_PARAMS = CONDITIONAL_POOL_PARAMS;

/** The files of the agent's dnsmasq, all in `dir` (the agent's data directory). */
export function dnsmasqFiles(dir: string): { confFile: string; leaseFile: string; pidFile: string } {
  return { confFile: join(dir, 'dnsmasq.conf'), leaseFile: join(dir, 'dnsmasq.leases'), pidFile: join(dir, 'dnsmasq.pid') };
}

export interface LinuxDnsmasqOptions {
  model: DataModel;
  store: DataStore;
  interfaces: IpInterfaceNames;
  links: () => Promise<ReadonlyMap<string, IpLink>>;
  /** Where the configuration, lease and pid files are (the agent's data directory). */
  dir: string;
  binary?: string;
  now?: () => number;
  log?: Logger;
  /** The kernel's IPv6 neighbours (`ip -j -6 neigh show`): the DHCPv6 Clients' SourceAddress. */
  neighbours?: () => Promise<Neighbour6[]>;
  /** The lease script learning the clients' DHCP options for Bridging.Filter (dnsmasq-lease-script.ts). */
  leaseScript?: string;
}

/** The rows, the file made of them and the dnsmasq child. */
export class LinuxDnsmasq {
  readonly files: ReturnType<typeof dnsmasqFiles>;
  readonly process: DnsmasqProcess;
  private forwarding!: StoredTable;
  private pools!: StoredTable;
  private statics!: StoredTable;
  private options!: StoredTable;
  private dhcpRelay!: LinuxDhcpv4Relay;
  private dhcpv6!: LinuxDhcpv6Server;
  /** The Client rows (Hosts.Host.{i}.DHCPClient names them). */
  clients?: Dhcpv4Clients;
  /** A row changed since the file was last made: the next commit makes it again. */
  /** Serialises the making of the file. */
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly opts: LinuxDnsmasqOptions) {
    this.files = dnsmasqFiles(opts.dir);
    this.process = new DnsmasqProcess({ binary: opts.binary ?? DNSMASQ_BIN, confFile: this.files.confFile, pidFile: this.files.pidFile, log: opts.log });
  }

  /** Serves Device.DNS.Relay. (+ Forwarding.{i}.) and Device.DHCPv4.Server. (+ Pool.{i}. and its tables). */
  register(): void {
    const { model, store } = this.opts;
    const { changed } = new CommitApplier(model, () => this.apply(), this.opts.log, 'dnsmasq configuration');
    const running = (): boolean => this.process.status() !== 'failed';
    registerStored(model, store, RELAY, {
      params: ['Enable', 'Status'],
      live: { Status: () => (this.relayEnable() ? (running() ? 'Enabled' : 'Error') : 'Disabled') },
      onChange: changed,
    });
    this.forwarding = new StoredTable(store, model.requireNode(FORWARDING), {
      params: FORWARDING_PARAMS,
      live: new Set(['Status', 'Type']),
      max: MAX_FORWARDERS,
      references: ['Interface'],
      check: async (_keys, merged, changes) => {
        const bad = forwardingProblems(merged);
        if (bad.length > 0) throw invalid(bad);
        return this.withDevice(merged, changes);
      },
      read: async (_keys, row) => ({
        ...(await this.readInterface(row)),
        Type: 'Static',
        Status: row.Enable !== true ? 'Disabled' : this.relayEnable() && !running() ? 'Error' : 'Enabled',
      }),
      apply: changed,
    });
    model.register(FORWARDING, this.forwarding);
    this.dhcpRelay = new LinuxDhcpv4Relay(model, store, {
      withDevice: (m, c) => this.withDevice(m, c),
      readInterface: (r) => this.readInterface(r),
      subnetOf: (d) => this.subnetOf(d),
      running,
      changed,
    });
    this.dhcpRelay.register();
    this.dhcpv6 = new LinuxDhcpv6Server(model, store, {
      withDevice: (m, c) => this.withDevice(m, c),
      readInterface: (r) => this.readInterface(r),
      links: this.opts.links,
      running,
      changed,
      leaseFile: this.files.leaseFile,
      now: this.opts.now ?? Date.now,
      neighbours: this.opts.neighbours,
    });
    this.dhcpv6.register();
    registerStored(model, store, SERVER, { params: ['Enable'], onChange: changed });
    this.pools = new StoredTable(store, model.requireNode(POOL), {
      params: POOL_PARAMS,
      live: LIVE_STATUS,
      max: MAX_POOLS,
      references: ['Interface'],
      // TR-181 Order: a pool added without one comes after every other.
      initial: () => ({ Order: Math.max(0, ...this.pools.rows([]).map(([, r]) => Number(r.Order ?? 0))) + 1 }),
      check: async (_keys, merged, changes) => {
        const row = await this.withDevice(merged, changes);
        const bad = [...poolProblems(row, changes, await this.subnetOf(deviceOf(row))), ...criteriaProblems(row, changes)];
        if (bad.length === 0) bad.push(...dnsmasqCriteriaProblems(row, changes));
        if (bad.length > 0) throw invalid(bad);
        return row;
      },
      read: async (keys, row) => {
        const values = await this.readInterface(row);
        const pool = await this.poolConf(keys[0]!, row);
        values.Status = row.Enable !== true ? 'Disabled' : !poolServes(pool) ? 'Error_Misconfigured' : this.serverEnable() && !running() ? 'Error' : 'Enabled';
        return values;
      },
      apply: changed,
    });
    model.register(POOL, this.pools);
    this.statics = new StoredTable(store, model.requireNode(STATIC), {
      params: ['Enable', 'Alias', 'Chaddr', 'Yiaddr'],
      live: new Set(),
      max: MAX_STATIC_ADDRESSES,
      check: async (keys, merged, changes) => {
        const pool = await this.poolConf(keys[0]!, store.row(model.requireNode(POOL).pathOf([keys[0]!])) ?? {});
        const mask = poolMask(pool);
        const bad = staticProblems(merged, changes, pool.subnet && mask !== undefined ? { address: pool.subnet.address, mask } : undefined);
        if (bad.length > 0) throw invalid(bad);
        return merged;
      },
      read: async (_keys, row) => publicValues(row),
      apply: changed,
    });
    model.register(STATIC, this.statics);
    this.options = new StoredTable(store, model.requireNode(OPTION), {
      params: ['Enable', 'Alias', 'Tag', 'Value'],
      live: new Set(),
      max: MAX_OPTIONS,
      check: async (_keys, merged, changes) => {
        const bad = optionProblems(merged, changes);
        if (bad.length > 0) throw invalid(bad);
        return merged;
      },
      read: async (_keys, row) => publicValues(row),
      apply: changed,
    });
    model.register(OPTION, this.options);
    this.clients = registerDhcpv4Clients(model, {
      leaseFile: this.files.leaseFile,
      pools: () => this.pools.list([]),
      poolOf: async (n) => this.poolConf(n, store.row(model.requireNode(POOL).pathOf([n])) ?? {}),
      now: this.opts.now ?? Date.now,
    });
  }

  /** Ends a dnsmasq an earlier run left, then starts one on the stored rows (if anything is enabled). */
  async start(): Promise<void> {
    this.process.endLeftover();
    await this.apply();
    const s = this.process.status();
    if (s !== 'off') this.opts.log?.info('dnsmasq started from the stored rows', { conf: this.files.confFile, leases: this.files.leaseFile });
  }

  stop(): void {
    this.process.stop();
  }

  private relayEnable(): boolean {
    return this.opts.store.row(RELAY)?.Enable === true;
  }

  private serverEnable(): boolean {
    return this.opts.store.row(SERVER)?.Enable === true;
  }

  /** Makes the file from the store as it is now and (re)starts dnsmasq on it, after the runs before. */
  apply(): Promise<void> {
    const run = this.applying.then(async () => {
      const conf = await this.conf();
      await this.process.apply(dnsmasqWanted(conf) ? dnsmasqConfText(conf) : undefined);
    });
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async conf(): Promise<DnsmasqConf> {
    const pools: PoolConf[] = [];
    for (const [n, row] of this.pools.rows([])) pools.push(await this.poolConf(n, row));
    return {
      relayEnable: this.relayEnable(),
      forwarders: this.forwarding.rows([]).map(([n, values]) => ({ path: this.opts.model.requireNode(FORWARDING).pathOf([n]).slice(0, -1), values, device: deviceOf(values) })),
      serverEnable: this.serverEnable(),
      pools,
      dhcpRelays: await this.dhcpRelay.lines(),
      dhcpv6: await this.dhcpv6.lines(),
      leaseFile: this.files.leaseFile,
      pidFile: this.files.pidFile,
      ...(this.opts.leaseScript ? { leaseScript: leaseScriptLines(this.opts.leaseScript) } : {}),
    };
  }

  /** Pool `n` as the file sees it. */
  private async poolConf(n: number, row: Row): Promise<PoolConf> {
    return {
      n,
      path: this.opts.model.requireNode(POOL).pathOf([n]).slice(0, -1),
      values: row,
      device: deviceOf(row),
      subnet: await this.subnetOf(deviceOf(row)),
      statics: n === 0 ? [] : this.statics.rows([n]).map(([, r]) => r),
      options: n === 0 ? [] : this.options.rows([n]).map(([, r]) => r),
    };
  }

  /** The IPv4 subnet of `device`'s first IPv4 address now. */
  async subnetOf(device: string | undefined): Promise<Subnet | undefined> {
    if (device === undefined) return undefined;
    const addr = (await this.opts.links()).get(device)?.addr_info?.find((a) => a.family === 'inet');
    const address = addr ? parseIPv4(addr.local) : undefined;
    return address === undefined || !addr ? undefined : { address, mask: prefixMask(addr.prefixlen) };
  }

  /** `merged` with the device of its Interface when the change wrote one; 7012 for a path that names no IP.Interface row. */
  async withDevice(merged: Record<string, Value>, changes: Record<string, Value>): Promise<Record<string, Value>> {
    if (changes.Interface === undefined) return merged;
    const reference = String(changes.Interface);
    const out = { ...merged };
    delete out[DEVICE_KEY];
    if (reference === '') return out;
    const device = await this.opts.interfaces.nameOf(reference);
    if (device === undefined) throw invalid([{ param: 'Interface', message: `${reference} is no Device.IP.Interface row of this device` }]);
    if (!isDevice(device)) throw invalid([{ param: 'Interface', message: `device ${JSON.stringify(device)} has a name dnsmasq cannot take` }]);
    out[DEVICE_KEY] = device;
    return out;
  }

  /** The stored values with Interface as the path of its device now (it follows the device across restarts). */
  async readInterface(row: Row): Promise<Record<string, Value>> {
    const values = publicValues(row);
    const device = deviceOf(row);
    const present = device === undefined ? undefined : await this.opts.interfaces.pathOf(device);
    if (present !== undefined) values.Interface = present;
    return values;
  }
}

function deviceOf(row: Row): string | undefined {
  const d = row[DEVICE_KEY];
  return typeof d === 'string' && d !== '' ? d : undefined;
}
