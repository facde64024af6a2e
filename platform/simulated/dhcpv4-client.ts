/**
 * Device.DHCPv4.Client.{i}. of the simulated gateway (TR-181 DHCPv4Client:1): a DHCP client on
 * the WAN, wwan0 (Device.IP.Interface.2), as a 5G modem that hands the router its address over
 * DHCP. The gateway ships with no Client row; a Controller adds one (persisted) with its
 * SentOption.{i} and ReqOption.{i} rows. While the row is enabled and the data session is up, it
 * is Bound to wwan0's address: the network's next hop is router and DHCP server, the network's
 * two resolvers its DNS servers, and the lease (an hour) renews at T1, half-way, so
 * LeaseTimeRemaining runs from 3600 down to 1800 and back. Renew() restarts the lease now.
 *
 * At no idle cost in a fleet: the three bindings are one small object each over a shared holder,
 * and what a gateway keeps of its own (the Renew() times, the tables' helpers) is made at the
 * first read of a Client.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { duplicateKey, optionProblems } from '../dhcpv4-client-options.js';
import { canonicalizeReferences } from '../reference.js';
import { networkDnsServers } from './dns.js';
import { FactoryTable } from './factory-table.js';
import { WAN_INTERFACE, type IPState } from './ip.js';
import { schemaDefaults } from './schema-tables.js';
import { invalidParams, type SimContext, WritableRows } from './SimContext.js';
import { StoredRowsBinding } from './stored-rows-binding.js';

const CLIENT = 'Device.DHCPv4.Client.{i}.';
const SENT = `${CLIENT}SentOption.{i}.`;
const REQ = `${CLIENT}ReqOption.{i}.`;
const MAX_CLIENTS = 2;
const MAX_OPTIONS = 8;
/** An hour: what operators commonly lease a CPE's WAN address for. */
const LEASE_S = 3600;
const NO_ROWS = [] as const;
const CLIENT_STORED = ['Enable', 'Alias', 'Interface'] as const;
const CLIENT_PARAMS = [...CLIENT_STORED, 'Status', 'DHCPStatus', 'IPAddress', 'SubnetMask', 'IPRouters', 'DNSServers', 'LeaseTimeRemaining', 'DHCPServer'] as const;
const SENT_PARAMS = ['Enable', 'Alias', 'Tag', 'Value'] as const;
const REQ_STORED = ['Enable', 'Alias', 'Order', 'Tag'] as const;
const REQ_PARAMS = [...REQ_STORED, 'Value'] as const;

const hexByte = (n: number): string => n.toString(16).padStart(2, '0').toUpperCase();
const ipHex = (list: readonly string[]): string =>
  list
    .map((a) =>
      a
        .split('.')
        .map((p) => hexByte(Number(p)))
        .join(''),
    )
    .join('');

/** One gateway's client tables, made at the first use. */
class ClientState {
  readonly clients: FactoryTable;
  readonly clientRows: WritableRows;
  readonly sent: FactoryTable;
  readonly sentRows: WritableRows;
  readonly req: FactoryTable;
  readonly reqRows: WritableRows;
  /** Wall-clock ms of each client's last Renew(). */
  readonly renewedAt = new Map<number, number>();

  constructor(
    readonly ctx: SimContext,
    readonly ip: IPState,
  ) {
    const { model } = ctx;
    this.clients = new FactoryTable(ctx, CLIENT, NO_ROWS, MAX_CLIENTS);
    this.clientRows = new WritableRows(ctx, CLIENT, schemaDefaults(model, CLIENT, CLIENT_STORED));
    this.sent = new FactoryTable(ctx, SENT, NO_ROWS, MAX_OPTIONS);
    this.sentRows = new WritableRows(ctx, SENT, schemaDefaults(model, SENT, SENT_PARAMS));
    this.req = new FactoryTable(ctx, REQ, NO_ROWS, MAX_OPTIONS);
    this.reqRows = new WritableRows(ctx, REQ, schemaDefaults(model, REQ, REQ_STORED));
  }

  /** Whether client `n` holds a lease now: enabled, on wwan0, the data session up. */
  bound(n: number): boolean {
    const row = this.clientRows.row([n]);
    return row.Enable === true && row.Interface === WAN_INTERFACE && this.ip.wanUp();
  }

  /** Seconds left of the current lease: it began when wwan0 came up or at the last Renew(), and renews at T1. */
  remaining(n: number): number {
    const start = Math.max(this.ip.wanChangedAt(), this.renewedAt.get(n) ?? 0);
    const elapsed = Math.max(0, Math.floor((this.ctx.now() - start) / 1000));
    return LEASE_S - (elapsed % (LEASE_S / 2));
  }

  /** Option `tag` as the network's server gives it (hex), '' for one it does not send. */
  option(n: number, tag: number): string {
    if (!this.bound(n)) return '';
    const wan = this.ip.wan();
    if (tag === 1) return ipHex([wan.mask]);
    if (tag === 3 || tag === 54) return ipHex([wan.gateway]);
    if (tag === 6) return ipHex(networkDnsServers(this.ctx.seed));
    if (tag === 26) return '05DC';
    if (tag === 51) return LEASE_S.toString(16).padStart(8, '0').toUpperCase();
    return '';
  }

  /** Refuses (7012, 7025) an Interface the simulated client cannot run on. */
  checkInterface(n: number, changes: Record<string, Value>): void {
    canonicalizeReferences(changes, ['Interface']);
    const ref = changes.Interface;
    if (ref === undefined || ref === '') return;
    if (ref !== WAN_INTERFACE) throw invalidParams([{ param: 'Interface', message: `the gateway's DHCP client runs on the WAN, wwan0 (${WAN_INTERFACE}), not ${String(ref)}` }]);
    const other = this.clients.list([]).find((m) => m !== n && this.clientRows.row([m]).Interface === ref);
    if (other !== undefined) throw duplicateKey('Interface', `Device.DHCPv4.Client.${other}. already runs on ${String(ref)}`);
  }

  checkOption(keys: InstanceKeys, changes: Record<string, Value>, requested: boolean): void {
    const table = requested ? this.req : this.sent;
    const rows = requested ? this.reqRows : this.sentRows;
    const parent = keys.slice(0, -1);
    const siblings = table.list(parent).map((m): [number, Record<string, Value>] => [m, rows.row([...parent, m])]);
    const current = keys[keys.length - 1] === 0 ? {} : rows.row(keys);
    const bad = optionProblems(keys, { ...current, ...changes }, changes, siblings, requested);
    if (bad.length > 0) throw invalidParams(bad);
  }
}

/** The holder the bindings share: the state is made at the first use, not at registration. */
class Holder {
  private made?: ClientState;

  constructor(
    private readonly ctx: SimContext,
    private readonly ip: IPState,
  ) {}

  get s(): ClientState {
    return (this.made ??= new ClientState(this.ctx, this.ip));
  }
}

/** Device.DHCPv4.Client.{i}. */
class ClientBinding extends StoredRowsBinding {
  readonly params = CLIENT_PARAMS;
  readonly changesOnlyThroughAgent = false;
  readonly commands = {
    'Renew()': {
      run: async ({ keys }: { keys: InstanceKeys }): Promise<Record<string, Value>> => {
        const s = this.h.s;
        s.clients.check(keys);
        if (!s.bound(keys[0]!) && s.clientRows.row(keys).Enable !== true) throw new UspError(ErrorCode.CommandFailure, `Device.DHCPv4.Client.${keys[0]}. is not enabled`);
        s.renewedAt.set(keys[0]!, s.ctx.now());
        return {};
      },
    },
  };

  constructor(private readonly h: Holder) {
    super();
  }

  protected parentTable(): undefined {
    return undefined;
  }

  protected table(): FactoryTable {
    return this.h.s.clients;
  }

  protected rows(): WritableRows {
    return this.h.s.clientRows;
  }

  protected checkChanges(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.h.s.checkInterface(keys[0]!, changes);
  }

  override get(keys: InstanceKeys): Record<string, Value> {
    const s = this.h.s;
    const n = s.clients.check(keys)[0]!;
    const row = s.clientRows.row(keys);
    const onWan = row.Interface === WAN_INTERFACE;
    const bound = s.bound(n);
    const wan = s.ip.wan();
    return {
      ...row,
      Status: row.Enable !== true ? 'Disabled' : onWan ? 'Enabled' : 'Error_Misconfigured',
      // The data session down: the client is looking for a server (DHCPDISCOVER).
      DHCPStatus: bound ? 'Bound' : row.Enable === true && onWan ? 'Selecting' : 'Init',
      IPAddress: bound ? wan.address : '',
      SubnetMask: bound ? wan.mask : '',
      IPRouters: bound ? wan.gateway : '',
      DNSServers: bound ? networkDnsServers(s.ctx.seed).join(',') : '',
      DHCPServer: bound ? wan.gateway : '',
      LeaseTimeRemaining: bound ? s.remaining(n) : 0,
    };
  }

  override delete(keys: InstanceKeys): void {
    super.delete(keys);
    this.h.s.renewedAt.delete(keys[0]!);
  }
}

/** Device.DHCPv4.Client.{i}.SentOption.{i}. and ReqOption.{i}. */
class OptionBinding implements ObjectBinding {
  readonly changesOnlyThroughAgent: boolean;

  constructor(
    private readonly h: Holder,
    private readonly requested: boolean,
    readonly params: readonly string[],
  ) {
    // ReqOption.Value follows the lease.
    this.changesOnlyThroughAgent = !requested;
  }

  private tables(): { table: FactoryTable; rows: WritableRows } {
    const s = this.h.s;
    return this.requested ? { table: s.req, rows: s.reqRows } : { table: s.sent, rows: s.sentRows };
  }

  list(parent: InstanceKeys): number[] {
    this.h.s.clients.check(parent);
    return this.tables().table.list(parent);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const { table, rows } = this.tables();
    const row = rows.row(table.check(keys));
    if (!this.requested) return row;
    return { ...row, Value: row.Enable === true ? this.h.s.option(keys[0]!, Number(row.Tag)) : '' };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const { table, rows } = this.tables();
    table.check(keys);
    this.h.s.checkOption(keys, changes, this.requested);
    rows.apply(keys, changes);
  }

  add(parent: InstanceKeys, params: Record<string, Value>): number {
    const { table, rows } = this.tables();
    this.h.s.clients.check(parent);
    const values = { ...params };
    this.h.s.checkOption([...parent, 0], values, this.requested);
    // TR-181 Order: a new row without one comes after every row there is.
    const order: Record<string, Value> = this.requested ? { Order: Math.max(0, ...table.list(parent).map((m) => Number(rows.row([...parent, m]).Order))) + 1 } : {};
    const n = table.add(parent);
    rows.apply([...parent, n], { Alias: `cpe-${n}`, ...order, ...values });
    return n;
  }

  delete(keys: InstanceKeys): void {
    this.tables().table.delete(keys);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.tables().table.snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.tables().table.restore(keys, snap);
  }
}

/** Serves Device.DHCPv4.Client.{i}. with its SentOption.{i} and ReqOption.{i} tables. */
export function registerDHCPv4Client(ctx: SimContext, ip: IPState): void {
  const h = new Holder(ctx, ip);
  ctx.model.register(CLIENT, new ClientBinding(h));
  ctx.model.register(SENT, new OptionBinding(h, false, SENT_PARAMS));
  ctx.model.register(REQ, new OptionBinding(h, true, REQ_PARAMS));
}
