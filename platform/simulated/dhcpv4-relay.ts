/**
 * Device.DHCPv4.Relay. of the simulated gateway (TR-181 DHCPv4Relay:1): conditional relaying of
 * br-lan's DHCP requests. The gateway ships with the relay function enabled and no Forwarding
 * row; a Controller adds rows (persisted). For each client of br-lan the enabled row of lowest
 * Order whose criteria match the client's request decides: LocallyServed true leaves it to the
 * gateway's own server, a DHCPServerIPAddress relays it there. A relayed client still gets an
 * address (the remote server's, which the simulation does not model apart from the local pool's
 * allocation) but holds no lease of the local server: it leaves Pool.{i}.Client.{i} and its
 * Hosts.Host.{i}.DHCPClient reads "". A relayed client is therefore reported as an
 * ObjectDeletion of its Client row, and back as an ObjectCreation when it is served again.
 *
 * What the clients send (lan-clients.ts requestOf): option 61 (client identifier 01 + MAC),
 * a vendor class (60) for some kinds of device, no user class (77). The criteria match as
 * TR-181 says against those, by the same rules as a Pool's (dhcpv4-pool-criteria.ts): a
 * UserClassID matches no client (its Exclude form every client). A row with LocallyServed false and no DHCPServerIPAddress reads
 * Error_Misconfigured and is skipped, as on OpenWrt, where dnsmasq cannot drop requests.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { criteriaMatch, poolCriteria } from '../dhcpv4-pool-criteria.js';
import { canonicalizeReferences } from '../reference.js';
import type { ClientRelay, DHCPv4State } from './dhcpv4.js';
import { FactoryTable } from './factory-table.js';
import { LAN_INTERFACE } from './ip.js';
import { type LanClient, requestOf } from './lan-clients.js';
import { schemaDefaults } from './schema-tables.js';
import { invalidParams, type SimContext, WritableRows } from './SimContext.js';

const RELAY = 'Device.DHCPv4.Relay.';
const FORWARDING = 'Device.DHCPv4.Relay.Forwarding.{i}.';
/** Forwarding rows a Controller may add. */
const MAX_FORWARDING = 16;
const NO_ROWS = [] as const;
const RELAY_PARAMS = ['Enable', 'Status'] as const;
const STORED_PARAMS = [
  'Enable',
  'Alias',
  'Order',
  'Interface',
  'VendorClassID',
  'VendorClassIDExclude',
  'VendorClassIDMode',
  'ClientID',
  'ClientIDExclude',
  'UserClassID',
  'UserClassIDExclude',
  'Chaddr',
  'ChaddrMask',
  'ChaddrExclude',
  'LocallyServed',
  'DHCPServerIPAddress',
] as const;
const FORWARDING_PARAMS = ['Status', ...STORED_PARAMS] as const;

/** Whether the client's request matches the row's criteria (the Pool's rules: dhcpv4-pool-criteria.ts). */
export function matches(row: Record<string, Value>, c: LanClient): boolean {
  return criteriaMatch(poolCriteria(row), requestOf(c));
}

/** The simulated relay agent: its setting, its Forwarding rows, and the decision per client. */
class RelayAgent implements ClientRelay {
  readonly relay: WritableRows;
  readonly table: FactoryTable;
  readonly rows: WritableRows;

  constructor(readonly ctx: SimContext) {
    this.relay = new WritableRows(ctx, RELAY, { Enable: true });
    this.table = new FactoryTable(ctx, FORWARDING, NO_ROWS, MAX_FORWARDING);
    const defaults = schemaDefaults(ctx.model, FORWARDING, STORED_PARAMS);
    this.rows = new WritableRows(ctx, FORWARDING, (keys) => ({ ...defaults, DHCPServerIPAddress: '', Order: keys[0] }));
  }

  /** The row's Status; Enabled rows are the ones that take part in relaying. */
  status(row: Record<string, Value>): string {
    if (this.relay.row([]).Enable !== true || row.Enable !== true) return 'Disabled';
    return row.Interface === '' || (row.LocallyServed !== true && row.DHCPServerIPAddress === '') ? 'Error_Misconfigured' : 'Enabled';
  }

  /** The DHCP server a br-lan client's requests are relayed to, or undefined when the gateway serves it. */
  relayedTo(c: LanClient): string | undefined {
    const rows = this.table
      .list([])
      .map((n) => ({ n, row: this.rows.row([n]) }))
      .filter(({ row }) => row.Interface === LAN_INTERFACE && this.status(row) === 'Enabled')
      .sort((a, b) => Number(a.row.Order) - Number(b.row.Order) || a.n - b.n);
    const first = rows.find(({ row }) => matches(row, c));
    return first && first.row.LocallyServed !== true ? String(first.row.DHCPServerIPAddress) : undefined;
  }

  relays(c: LanClient): boolean {
    return this.relayedTo(c) !== undefined;
  }

  /** Refuses (7012) an Interface a relay cannot sit on: br-lan, or a LAN-side IP interface a Controller added. */
  async check(changes: Record<string, Value>): Promise<void> {
    canonicalizeReferences(changes, ['Interface']);
    const ref = changes.Interface;
    if (ref === undefined || ref === '' || ref === LAN_INTERFACE) return;
    const { model } = this.ctx;
    const m = /^Device\.IP\.Interface\.(\d+)$/.exec(String(ref));
    const added = m !== null && Number(m[1]) > 3 && (await model.listInstances(model.requireNode('Device.IP.Interface.{i}.'), [], {})).includes(Number(m[1]));
    if (!added) throw invalidParams([{ param: 'Interface', message: `the relay takes requests on br-lan (${LAN_INTERFACE}) or on a LAN-side IP interface a Controller added, not ${String(ref)}` }]);
  }
}

/** Device.DHCPv4.Relay. */
class RelayBinding implements ObjectBinding {
  readonly params = RELAY_PARAMS;

  constructor(private readonly a: RelayAgent) {}

  get(): Record<string, Value> {
    const on = this.a.relay.row([]).Enable === true;
    return { Enable: on, Status: on ? 'Enabled' : 'Disabled' };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.a.relay.apply(keys, changes);
  }
}

/** Device.DHCPv4.Relay.Forwarding.{i}. */
class ForwardingBinding implements ObjectBinding {
  readonly params = FORWARDING_PARAMS;

  constructor(private readonly a: RelayAgent) {}

  list(): number[] {
    return this.a.table.list([]);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const row = this.a.rows.row(this.a.table.check(keys));
    return { ...row, Status: this.a.status(row) };
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    this.a.table.check(keys);
    await this.a.check(changes);
    this.a.rows.apply(keys, changes);
  }

  async add(_parent: InstanceKeys, params: Record<string, Value>): Promise<number> {
    const values = { ...params };
    // Checked before numbering, so a refused Add uses no instance number.
    await this.a.check(values);
    const { table, rows } = this.a;
    // TR-181 Order: a new row without one comes after every row there is.
    const last = Math.max(0, ...table.list([]).map((n) => Number(rows.row([n]).Order)));
    const n = table.add([]);
    rows.apply([n], { Order: last + 1, ...values });
    return n;
  }

  delete(keys: InstanceKeys): void {
    this.a.table.delete(keys);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.a.table.snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.a.table.restore(keys, snap);
  }
}

/** Serves the relay agent and makes the DHCPv4 server leave the clients it relays to it. */
export function registerDHCPv4Relay(ctx: SimContext, dhcp: DHCPv4State): void {
  const agent = new RelayAgent(ctx);
  ctx.model.register(RELAY, new RelayBinding(agent));
  ctx.model.register(FORWARDING, new ForwardingBinding(agent));
  dhcp.relay = agent;
}
