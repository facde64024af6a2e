/**
 * Device.DNS. of the simulated gateway (TR-181 DNS:1, DNSRelay:1, Baseline:4): the gateway
 * resolves through the two DNS servers the 5G network hands out with the data session (protocol
 * configuration options, hence Type "3GPP-NAS"), or the Static servers a Controller adds in their
 * place (with none it can use, Client.Status is Error); its relay (dnsmasq, the LAN's DNS server
 * at the gateway's address) forwards to the same two, or to the Static forwarders a Controller
 * adds in their place.
 */
import { isIP } from 'node:net';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import { type IPState, WAN_INTERFACE } from './ip.js';
import { FactoryTable } from './factory-table.js';
import { Prng } from './random.js';
import { invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';

/** Servers the client, and forwarders the relay, hold (dnsmasq takes any number; a bound all the same). */
const MAX_FORWARDERS = 8;
const CLIENT_SERVER = 'Device.DNS.Client.Server.{i}.';
const FORWARDING = 'Device.DNS.Relay.Forwarding.{i}.';

/** Device.DNS.: one binding for every gateway of a fleet (issue 14): nothing in it is the gateway's. */
const DNS: ObjectBinding = {
  params: ['SupportedRecordTypes'],
  get: () => ({ SupportedRecordTypes: 'A,AAAA,SRV,PTR' }),
};

/** Device.DNS.Client. and Relay. as shipped: on. */
const enabledRow = (): Record<string, Value> => ({ Enable: true });
const TOP_PARAMS = ['Enable', 'Status'] as const;
const SERVER_PARAMS = ['Enable', 'Status', 'Alias', 'DNSServer', 'Interface', 'Type'] as const;
/** The network hands out two servers with the data session: rows 1 and 2 of each table as shipped. */
const factoryServers = (): number[] => [1, 2];

/** The operator's two resolvers of the gateway with `seed` (RFC 5737 documentation addresses, so they can never be real ones). */
export function networkDnsServers(seed: number): [string, string] {
  const rnd = new Prng(seed, 'dns');
  const first = rnd.int(2, 120);
  return [`198.51.100.${first}`, `198.51.100.${first + rnd.int(1, 8)}`];
}

/** Serves Device.DNS., DNS.Client.(Server.{i}.) and DNS.Relay.(Forwarding.{i}.). */
export function registerDNS(ctx: SimContext, ip: IPState): void {
  const { model } = ctx;
  const servers = networkDnsServers(ctx.seed);

  model.register('Device.DNS.', DNS);

  const clientTop = new WritableRows(ctx, 'Device.DNS.Client.', enabledRow);
  const relayTop = new WritableRows(ctx, 'Device.DNS.Relay.', enabledRow);
  // The gateway resolves through the network's two servers as shipped, and the relay forwards
  // to the same two; a Controller may delete them and add Static servers of its own to either
  // (TR-181 Baseline:4 Client.Server createDelete, DNSRelay:1).
  const client = new ServerTable(ctx, ip, CLIENT_SERVER, 'dns', servers, clientTop);
  model.register(CLIENT_SERVER, new ServerTableBinding(client));
  const relay = new ServerTable(ctx, ip, FORWARDING, 'fwd', servers, relayTop);
  model.register(FORWARDING, new ServerTableBinding(relay));

  model.register('Device.DNS.Client.', new ClientBinding(client));
  model.register('Device.DNS.Relay.', new RelayBinding(relayTop));
}

/** Device.DNS.Client.: a client with no server it can use cannot resolve: Error (TR-181 Client.Status). */
class ClientBinding implements ObjectBinding {
  readonly params = TOP_PARAMS;

  constructor(private readonly servers: ServerTable) {}

  get(): Record<string, Value> {
    const row = this.servers.top.row([]);
    return { ...row, Status: !row.Enable ? 'Disabled' : this.servers.usable().length > 0 ? 'Enabled' : 'Error' };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.servers.top.apply(keys, changes);
  }
}

/** Device.DNS.Relay. */
class RelayBinding implements ObjectBinding {
  readonly params = TOP_PARAMS;

  constructor(private readonly top: WritableRows) {}

  get(): Record<string, Value> {
    const row = this.top.row([]);
    return { ...row, Status: row.Enable ? 'Enabled' : 'Disabled' };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.top.apply(keys, changes);
  }
}

/**
 * Client.Server.{i} or Relay.Forwarding.{i} of one gateway: the network's servers as factory
 * rows (Type 3GPP-NAS, DNSServer and Interface the network's), Static rows a Controller adds (at
 * most MAX_FORWARDERS), any of them deletable. Its binding (ServerTableBinding) is a thin class
 * over it, one copy of the methods for every gateway of a fleet (issue 14).
 */
class ServerTable {
  readonly table: FactoryTable;
  readonly rows: WritableRows;

  constructor(
    ctx: SimContext,
    private readonly ip: IPState,
    path: string,
    aliasPrefix: string,
    servers: readonly string[],
    /** Client. or Relay.: a server of a disabled one is not used. */
    readonly top: WritableRows,
  ) {
    this.table = new FactoryTable(ctx, path, factoryServers, MAX_FORWARDERS);
    this.rows = new WritableRows(ctx, path, serverRowOf(this.table, aliasPrefix, servers));
  }

  validate(keys: InstanceKeys, changes: Record<string, Value>): void {
    canonicalizeReferences(changes, ['Interface']); // the same Interface with a trailing "." is no change
    if (keys[0] !== 0 && this.table.isFactory(keys)) {
      refuseNetworkAssigned(this.rows.row(keys), changes);
      return;
    }
    const bad: Array<{ param: string; message: string }> = [];
    if (changes.DNSServer !== undefined && changes.DNSServer !== '' && isIP(String(changes.DNSServer)) === 0) {
      bad.push({ param: 'DNSServer', message: 'must be an IPv4 or IPv6 address' });
    }
    if (changes.Interface !== undefined && changes.Interface !== '' && changes.Interface !== WAN_INTERFACE) {
      bad.push({ param: 'Interface', message: `DNS servers are reached over the WAN, ${WAN_INTERFACE} (or "" for any)` });
    }
    if (keys[0] === 0 && !changes.DNSServer) bad.push({ param: 'DNSServer', message: 'a server needs its address' });
    if (bad.length > 0) throw invalidParams(bad);
  }

  /** A server of a disabled client or relay is not used; one the WAN cannot reach fails. */
  status(row: Record<string, Value>): string {
    return !row.Enable || this.top.row([]).Enable !== true ? 'Disabled' : this.ip.wanUp() ? 'Enabled' : 'Error';
  }

  /** The servers the resolver (or relay) uses now, in instance order. */
  usable(): string[] {
    const out: string[] = [];
    for (const n of this.table.list([])) {
      const row = this.rows.row([n]);
      if (this.status(row) === 'Enabled' && row.DNSServer !== '') out.push(String(row.DNSServer));
    }
    return out;
  }
}

/** The rows of a server table as shipped: the network's servers in the factory rows, nothing in a Controller's. */
function serverRowOf(table: FactoryTable, aliasPrefix: string, servers: readonly string[]): (keys: InstanceKeys) => Record<string, Value> {
  return (keys) =>
    table.isFactory(keys)
      ? { Enable: true, Alias: `cpe-${aliasPrefix}-${keys[0]}`, DNSServer: nth(servers, keys[0]), Interface: WAN_INTERFACE }
      : { Enable: false, Alias: '', DNSServer: '', Interface: '' };
}

/** Client.Server.{i}. and Relay.Forwarding.{i}. */
class ServerTableBinding implements ObjectBinding {
  readonly params = SERVER_PARAMS;

  constructor(private readonly servers: ServerTable) {}

  list(): number[] {
    return this.servers.table.list([]);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const { table, rows } = this.servers;
    const row = rows.row(table.check(keys));
    return { ...row, Status: this.servers.status(row), Type: table.isFactory(keys) ? '3GPP-NAS' : 'Static' };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.servers.validate(this.servers.table.check(keys), changes);
    this.servers.rows.apply(keys, changes);
  }

  add(_parent: InstanceKeys, params: Record<string, Value>): number {
    const values = { ...params };
    this.servers.validate([0], values); // instance 0: not numbered yet, so a refused Add uses no number
    const n = this.servers.table.add([]);
    this.servers.rows.apply([n], values);
    return n;
  }

  delete(keys: InstanceKeys): void {
    this.servers.table.delete(keys);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.servers.table.snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.servers.table.restore(keys, snap);
  }
}

/** DNSServer and Interface of a server the network assigned are the network's, not a Controller's (7012). */
function refuseNetworkAssigned(row: Record<string, Value>, changes: Record<string, Value>): void {
  const refused = ['DNSServer', 'Interface'].filter((p) => changes[p] !== undefined && changes[p] !== row[p]);
  if (refused.length > 0) {
    throw invalidParams(refused.map((param) => ({ param, message: 'assigned by the network (3GPP-NAS); only Static entries can be changed' })));
  }
}
