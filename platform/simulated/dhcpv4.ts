/**
 * Device.DHCPv4.Server. of the simulated gateway (TR-181 DHCPv4Server:1, DHCPv4ServerClientInfo:1):
 * a pool on br-lan, as dnsmasq serves it on OpenWrt, and its leases; a Controller may add pools
 * (for br-lan, or for a LAN-side IP interface it added) and delete any. The pools' settings,
 * options and static addresses are writable and persisted. Each br-lan client leases from the
 * enabled br-lan pool of lowest Order whose association criteria (TR-181 DHCPv4CondServing:1:
 * VendorClassID, ClientID, UserClassID, Chaddr/ChaddrMask, dhcpv4-pool-criteria.ts) match what
 * it sends (lan-clients.ts requestOf: some devices send a vendor class); none matching: no lease.
 * The leases are the LAN clients' (lan-clients.ts), so they come and go with the clock and are
 * reported through Churn. The choice is made on each read from the pool rows: no state per client.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { choosePool, CONDITIONAL_POOL_PARAMS, criteriaProblems, POOL_CRITERIA, poolCriteria } from '../dhcpv4-pool-criteria.js';
import { canonicalizeReferences } from '../reference.js';
import type { Churn } from './churn.js';
import type { EthernetPortState } from './ethernet.js';
import { LAN_INTERFACE, type IPState } from './ip.js';
import { inSubnet, isNetmask, parseIPv4 } from './ipv4.js';
import { type PoolChecks, type PoolTables, registerPoolTables } from './dhcpv4-pool-tables.js';
import { FactoryTable } from './factory-table.js';
import { type LanClient, LanClients, type PoolConfig, type Presence, requestOf } from './lan-clients.js';
import { dateTime, invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';
import type { BssState } from './wifi-access-point.js';
import type { StationRoster } from './wifi-stations.js';

/** Pools the server holds (br-lan's and those a Controller adds). */
const MAX_POOLS = 8;
/** Lease times the server accepts, seconds: two minutes to a week (dnsmasq's practical range). */
const LEASE_TIME_RANGE = [120, 604_800] as const;

const POOL = 'Device.DHCPv4.Server.Pool.{i}.';
const CLIENT = `${POOL}Client.{i}.`;

export interface LanDeps {
  ethernet: readonly EthernetPortState[];
  roster: StationRoster;
  bsses: readonly BssState[];
  ip: IPState;
}

/** Which br-lan clients the relay agent (dhcpv4-relay.ts) takes from the local server. */
export interface ClientRelay {
  relays(c: LanClient): boolean;
}

const NO_RELAY: ClientRelay = { relays: () => false };

/** What Device.Hosts and the relay agent need of the DHCPv4 server. */
export interface DHCPv4State {
  lan: LanClients;
  /** The pool serving client `c` now (enabled, on br-lan, lowest Order among those whose criteria match), or undefined. */
  poolOf(c: LanClient): number | undefined;
  /** Set by the relay agent when it is registered: its clients hold no lease of the local server. */
  relay: ClientRelay;
}

const SERVER_DEFAULTS = { Enable: true } as const;
const SERVER_PARAMS = ['Enable'] as const;
const POOL_PARAMS = CONDITIONAL_POOL_PARAMS;
// Alias is the agent's (stored-alias.ts): a Controller may name a lease's row as any other.
const CLIENT_PARAMS = ['Chaddr', 'Active'] as const;
const ADDRESS_PARAMS = ['IPAddress', 'LeaseTimeRemaining'] as const;
const OPTION_PARAMS = ['Tag', 'Value'] as const;
/** br-lan's pool, the one the gateway ships with. */
const FACTORY_POOLS = [1] as const;
const ONE_ADDRESS = [1] as const;
/** br-lan's pool as shipped. */
const LAN_POOL: Readonly<Record<string, Value>> = {
  Enable: true,
  Alias: 'cpe-lan',
  Order: 1,
  Interface: LAN_INTERFACE,
  MinAddress: '192.168.1.100',
  MaxAddress: '192.168.1.249',
  ReservedAddresses: '',
  SubnetMask: '255.255.255.0',
  DNSServers: '192.168.1.1',
  DomainName: 'lan',
  IPRouters: '192.168.1.1',
  LeaseTime: 43_200,
  ...POOL_CRITERIA,
};

/** A pool's settings until written: br-lan's as shipped; one a Controller adds starts disabled and empty, with TR-181's default lease time. */
class PoolRows extends WritableRows {
  constructor(
    ctx: SimContext,
    private readonly table: FactoryTable,
  ) {
    super(ctx, POOL, {});
  }

  protected override initialRow(keys: InstanceKeys): Record<string, Value> {
    return this.table.isFactory(keys)
      ? { ...LAN_POOL }
      : {
          Enable: false,
          Alias: '',
          Order: keys[0],
          Interface: '',
          MinAddress: '',
          MaxAddress: '',
          ReservedAddresses: '',
          SubnetMask: '',
          DNSServers: '',
          DomainName: '',
          IPRouters: '',
          LeaseTime: 86_400,
          ...POOL_CRITERIA,
        };
  }
}

/**
 * The DHCPv4 server of one gateway. Its bindings are classes over it, their methods one copy
 * on the prototype for a whole fleet (issue 14).
 */
class DHCPv4Server implements DHCPv4State, PoolChecks {
  readonly server: WritableRows;
  readonly pools: FactoryTable;
  readonly pool: WritableRows;
  /** Set once the pool's tables are registered (after the server object, as TR-181 orders them). */
  tables!: PoolTables;
  readonly lan: LanClients;
  relay: ClientRelay = NO_RELAY;

  constructor(
    readonly ctx: SimContext,
    readonly deps: LanDeps,
  ) {
    this.server = new WritableRows(ctx, 'Device.DHCPv4.Server.', SERVER_DEFAULTS);
    this.pools = new FactoryTable(ctx, POOL, FACTORY_POOLS, MAX_POOLS);
    this.pool = new PoolRows(ctx, this.pools);
    this.lan = new LanClients(ctx, deps.ethernet, deps.roster, deps.bsses, leasePolicy(this));
  }

  /** 7016 unless the pool of `keys` exists; returns `keys`. */
  one(keys: InstanceKeys): InstanceKeys {
    this.pools.check(keys.slice(0, 1));
    return keys;
  }

  poolExists(p: number): void {
    this.pools.check([p]);
  }

  inPoolSubnet(p: number, address: number): boolean {
    const row = this.pool.row([p]);
    const lan = this.deps.ip.lan();
    // A pool on br-lan hands out br-lan's subnet; another one its own SubnetMask around MinAddress.
    const own = parseIPv4(row.Interface === LAN_INTERFACE ? lan.address : String(row.MinAddress));
    const mask = parseIPv4(row.Interface === LAN_INTERFACE ? lan.mask : String(row.SubnetMask));
    return own !== undefined && mask !== undefined && inSubnet(address, own, mask);
  }

  poolOf(c: LanClient): number | undefined {
    if (this.server.row([]).Enable !== true) return undefined;
    const { pool } = this;
    const serving = this.pools.list([]).filter((p) => pool.row([p]).Enable === true && pool.row([p]).Interface === LAN_INTERFACE);
    serving.sort((a, b) => Number(pool.row([a]).Order) - Number(pool.row([b]).Order) || a - b);
    return choosePool(
      serving.map((p) => ({ p, criteria: poolCriteria(pool.row([p])) })),
      requestOf(c),
    )?.p;
  }

  /** What client `c` leases by. With no pool serving it, the lease it held still runs out by the shipped pool's settings. */
  leasePolicy(c: LanClient): PoolConfig {
    const p = this.poolOf(c);
    const row = this.pool.row([p ?? 1]);
    return {
      pool: p,
      min: parseIPv4(String(row.MinAddress)) ?? 0,
      max: parseIPv4(String(row.MaxAddress)) ?? -1,
      leaseTimeS: Number(row.LeaseTime),
      gateway: parseIPv4(this.deps.ip.lan().address) ?? 0,
      statics: p === undefined ? new Map() : this.tables.statics(p),
      reserved: new Set(listOf(row.ReservedAddresses).flatMap((a) => parseIPv4(a) ?? [])),
    };
  }

  async check(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const { model } = this.ctx;
    canonicalizeReferences(changes, ['Interface']);
    const merged = { ...(keys[0] === 0 ? this.pool.row([0]) : this.pool.row(keys)), ...changes };
    validatePool(merged, changes);
    const bad = criteriaProblems(merged, changes);
    if (bad.length > 0) throw invalidParams(bad);
    const ref = changes.Interface;
    const m = ref === undefined || ref === '' || ref === LAN_INTERFACE ? undefined : /^Device\.IP\.Interface\.(\d+)$/.exec(String(ref));
    // A pool serves a LAN-side interface: br-lan, or one a Controller added (not the WAN or loopback).
    if (
      ref !== undefined &&
      ref !== '' &&
      ref !== LAN_INTERFACE &&
      !(m && Number(m[1]) > 3 && (await model.listInstances(model.requireNode('Device.IP.Interface.{i}.'), [], {})).includes(Number(m[1])))
    ) {
      throw invalidParams([{ param: 'Interface', message: `a pool serves br-lan (${LAN_INTERFACE}) or a LAN-side IP interface a Controller added` }]);
    }
  }

  /** The clients holding a lease from pool `p` now (not those the relay agent relays). */
  leased(p: number): number[] {
    const { lan, relay } = this;
    return lan.clients.filter((c) => this.poolOf(c) === p && lan.presence(c).lease && !relay.relays(c)).map((c) => c.n);
  }

  client(keys: InstanceKeys): { c: LanClient; lease: NonNullable<Presence['lease']> } {
    this.one(keys);
    const c = this.lan.byNumber(keys[1]);
    const lease = c && keys[0] === this.poolOf(c) && !this.relay.relays(c) ? this.lan.presence(c).lease : undefined;
    // The lease may have run out between list and get.
    if (!c || !lease) throw new UspError(ErrorCode.ObjectDoesNotExist, `no lease for client ${keys[1]}`);
    return { c, lease };
  }

  /**
   * The options each client sent in its last request (RFC 2132): 12 its host name, 60 its
   * vendor class (when its kind of device sends one), 61 its client identifier (hardware type 1,
   * Ethernet, and its MAC address).
   */
  sent(keys: InstanceKeys): Array<{ Tag: number; Value: string }> {
    const { c } = this.client(keys);
    const r = requestOf(c);
    return [
      { Tag: 12, Value: Buffer.from(c.hostName, 'ascii').toString('hex') },
      ...(r.vendorClass === undefined ? [] : [{ Tag: 60, Value: Buffer.from(r.vendorClass, 'ascii').toString('hex') }]),
      { Tag: 61, Value: r.clientIdHex! },
    ];
  }

  /** The rows Churn watches: every lease of every pool. */
  leaseRows(): InstanceKeys[] {
    const { lan, relay } = this;
    const out: InstanceKeys[] = [];
    for (const c of lan.clients) {
      const p = this.poolOf(c);
      if (p !== undefined && lan.presence(c).lease && !relay.relays(c)) out.push([p, c.n]);
    }
    return out;
  }
}

/** Apart from the class, so the two functions LanClients and Churn call keep only the server in their context. */
function leasePolicy(s: DHCPv4Server): (c: LanClient) => PoolConfig {
  return (c) => s.leasePolicy(c);
}

function leaseRows(s: DHCPv4Server): () => InstanceKeys[] {
  return () => s.leaseRows();
}

/** Device.DHCPv4.Server. */
class ServerBinding implements ObjectBinding {
  readonly params = SERVER_PARAMS;

  constructor(private readonly s: DHCPv4Server) {}

  get(): Record<string, Value> {
    return this.s.server.row([]);
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.s.server.apply(keys, changes);
  }
}

/** Device.DHCPv4.Server.Pool.{i}. */
class PoolBinding implements ObjectBinding {
  readonly params = POOL_PARAMS;

  constructor(private readonly s: DHCPv4Server) {}

  list(): number[] {
    return this.s.pools.list([]);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const { s } = this;
    const row = s.pool.row(s.one(keys));
    const bad = row.Interface === LAN_INTERFACE ? misconfigured(row, s.deps.ip.lan()) : row.Interface === '' || parseIPv4(String(row.MinAddress)) === undefined;
    const status = s.server.row([]).Enable !== true || row.Enable !== true ? 'Disabled' : bad ? 'Error_Misconfigured' : 'Enabled';
    return { ...row, Status: status };
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    await this.s.check(this.s.one(keys), changes);
    this.s.pool.apply(keys, changes);
  }

  async add(_parent: InstanceKeys, params: Record<string, Value>): Promise<number> {
    const values = { ...params };
    await this.s.check([0], values); // instance 0: not numbered yet, so a refused Add uses no number
    const n = this.s.pools.add([]);
    this.s.pool.apply([n], values);
    return n;
  }

  delete(keys: InstanceKeys): void {
    this.s.pools.delete(this.s.one(keys));
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.s.pools.snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.s.pools.restore(keys, snap);
  }
}

/** Device.DHCPv4.Server.Pool.{i}.Client.{i}.: the leases of the serving pool. */
class ClientBinding implements ObjectBinding {
  readonly params = CLIENT_PARAMS;

  constructor(private readonly s: DHCPv4Server) {}

  list([p]: InstanceKeys): number[] {
    this.s.one([p]);
    return this.s.leased(p);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const { c } = this.s.client(keys);
    return { Chaddr: c.mac, Active: this.s.lan.presence(c).active };
  }
}

/** Client.{i}.IPv4Address.{i}.: the one address a client leases. */
class AddressBinding implements ObjectBinding {
  readonly params = ADDRESS_PARAMS;

  constructor(private readonly s: DHCPv4Server) {}

  list(keys: InstanceKeys): number[] {
    this.s.client(keys);
    return [1];
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const { c, lease } = this.s.client(keys);
    nth(ONE_ADDRESS, keys[2]);
    // Despite its name, LeaseTimeRemaining is the dateTime at which the lease ends.
    return { IPAddress: this.s.lan.address(c), LeaseTimeRemaining: dateTime(lease.expiresAt) };
  }
}

/** Client.{i}.Option.{i}.: the options the client sent. */
class ClientOptionBinding implements ObjectBinding {
  readonly params = OPTION_PARAMS;

  constructor(private readonly s: DHCPv4Server) {}

  list(keys: InstanceKeys): number[] {
    return this.s.sent(keys).map((_, i) => i + 1);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    return nth(this.s.sent(keys), keys[2]);
  }
}

/** Serves the DHCPv4 server, its pools (br-lan's as shipped, more a Controller adds) and leases. */
export function registerDHCPv4(ctx: SimContext, churn: Churn, deps: LanDeps): DHCPv4State {
  const { model } = ctx;
  const s = new DHCPv4Server(ctx, deps);
  model.register('Device.DHCPv4.Server.', new ServerBinding(s));
  s.tables = registerPoolTables(model, ctx.store, s);
  model.register(POOL, new PoolBinding(s));
  const clientNode = model.register(CLIENT, new ClientBinding(s));
  model.register(`${CLIENT}IPv4Address.{i}.`, new AddressBinding(s));
  model.register(`${CLIENT}Option.{i}.`, new ClientOptionBinding(s));
  churn.watch(clientNode, leaseRows(s));
  return s;
}

/** The items of a TR-106 list value ("" is the empty list). */
function listOf(v: Value | undefined): string[] {
  return v === undefined || v === ''
    ? []
    : String(v)
        .split(',')
        .map((s) => s.trim());
}

/** Whether the pool does not fit the LAN interface's subnet (then it serves nothing useful). */
function misconfigured(row: Record<string, Value>, lan: { address: string; mask: string }): boolean {
  const own = parseIPv4(lan.address);
  const mask = parseIPv4(lan.mask);
  if (own === undefined || mask === undefined) return true;
  const inLan = (text: string) => {
    const a = parseIPv4(text);
    return a !== undefined && inSubnet(a, own, mask);
  };
  return !inLan(String(row.MinAddress)) || !inLan(String(row.MaxAddress)) || row.SubnetMask !== lan.mask;
}

/** Refuses (7012) settings a DHCP server cannot run with; `merged` is the row after the change. */
function validatePool(merged: Record<string, Value>, changes: Record<string, Value>): void {
  const bad: Array<{ param: string; message: string }> = [];
  const min = parseIPv4(String(merged.MinAddress));
  const max = parseIPv4(String(merged.MaxAddress));
  for (const [param, v] of [
    ['MinAddress', min],
    ['MaxAddress', max],
  ] as const) {
    if (changes[param] !== undefined && v === undefined) bad.push({ param, message: 'must be an IPv4 address' });
  }
  if (min !== undefined && max !== undefined && min > max && (changes.MinAddress !== undefined || changes.MaxAddress !== undefined)) {
    bad.push({ param: changes.MinAddress !== undefined ? 'MinAddress' : 'MaxAddress', message: `MinAddress ${merged.MinAddress} is above MaxAddress ${merged.MaxAddress}` });
  }
  const mask = changes.SubnetMask === undefined ? undefined : parseIPv4(String(changes.SubnetMask));
  if (changes.SubnetMask !== undefined && (mask === undefined || !isNetmask(mask))) bad.push({ param: 'SubnetMask', message: 'must be a contiguous netmask' });
  if (changes.ReservedAddresses !== undefined && listOf(changes.ReservedAddresses).some((a) => parseIPv4(a) === undefined)) {
    bad.push({ param: 'ReservedAddresses', message: 'must be a list of IPv4 addresses' });
  }
  const lease = changes.LeaseTime;
  if (lease !== undefined && (Number(lease) < LEASE_TIME_RANGE[0] || Number(lease) > LEASE_TIME_RANGE[1])) {
    bad.push({ param: 'LeaseTime', message: `this server leases for ${LEASE_TIME_RANGE[0]} s to ${LEASE_TIME_RANGE[1]} s (no infinite leases)` });
  }
  if (bad.length > 0) throw invalidParams(bad);
}
