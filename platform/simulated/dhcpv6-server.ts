/**
 * Device.DHCPv6.Server. of the simulated gateway (TR-181 DHCPv6Server:1, DHCPv6ServerAdv:1,
 * DHCPv6ServerClientInfo:1): a stateful pool on br-lan, as odhcpd serves it on OpenWrt, handing
 * each LAN device that runs a DHCPv6 client one address (IA_NA) from every on-link /64 of br-lan
 * (the delegated global one while the WAN has IPv6, the ULA one): IANAPrefixes names those
 * IP.Interface.1.IPv6Prefix rows. A Controller may add pools (on br-lan, or on a LAN-side IP
 * interface it added that is attached to IPv6) and delete any; their settings and Option rows
 * are persisted. A device is served by the enabled br-lan pool of lowest Order whose criteria
 * (DUID, VendorClassID, UserClassID, SourceAddress: dhcpv6-pool-criteria.ts) match its Solicit,
 * and only while that pool has IANAEnable. IAPDEnable makes the pool offer prefixes from wwan0's
 * delegated /56 (IAPDPrefixes), split by IAPDAddLength; no simulated LAN device asks for one.
 *
 * Android phones and smart plugs run no DHCPv6 client (SLAAC only), so they never have a row.
 * Leases follow the devices' DHCPv4 ones (lan-clients.ts): nothing is kept per device.
 * At no idle cost in a fleet: the bindings share a holder whose state is made at the first read.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { dhcpv6OptionProblems } from '../dhcpv6-options.js';
import { canonicalizeReferences } from '../reference.js';
import type { Churn } from './churn.js';
import type { DHCPv4State } from './dhcpv4.js';
import { criteriaProblemsV6, type Dhcpv6Request, POOL_CRITERIA_V6, poolTakes } from './dhcpv6-pool-criteria.js';
import { FactoryTable } from './factory-table.js';
import { LAN_INTERFACE, type IPState } from './ip.js';
import type { LanIPv6 } from './ip-ipv6.js';
import { contains, eui64, formatIPv6, LINK_LOCAL, parseIPv6Prefix, withInterfaceId } from './ipv6.js';
import type { LanClient } from './lan-clients.js';
import { dateTime, invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';
import { StoredRowsBinding } from './stored-rows-binding.js';

const POOL = 'Device.DHCPv6.Server.Pool.{i}.';
const OPTION = `${POOL}Option.{i}.`;
const CLIENT = `${POOL}Client.{i}.`;
const MAX_POOLS = 8;
const MAX_OPTIONS = 16;
const FACTORY_POOLS = [1] as const;
const NO_ROWS = [] as const;
/** Kinds of LAN device that run no DHCPv6 client: Android (SLAAC only) and IPv4-only plugs. */
const NO_DHCPV6 = new Set(['phone', 'visitor-phone', 'smart-plug']);
/** The delegated prefix is a /56: IAPDAddLength may split it down to /64s. */
const MAX_ADD_LENGTH = 8;
const WAN_DELEGATED = 'Device.IP.Interface.2.IPv6Prefix.2';

const SERVER_PARAMS = ['Enable'] as const;
const POOL_STORED = ['Enable', 'Alias', 'Order', 'Interface', 'IANAEnable', 'IAPDEnable', 'IAPDAddLength', ...Object.keys(POOL_CRITERIA_V6)];
const POOL_PARAMS = [...POOL_STORED, 'Status', 'IANAPrefixes', 'IAPDPrefixes'] as const;
const OPTION_PARAMS = ['Enable', 'Alias', 'Tag', 'Value'] as const;
const CLIENT_PARAMS = ['SourceAddress', 'Active'] as const;
const ADDRESS_PARAMS = ['IPAddress', 'PreferredLifetime', 'ValidLifetime'] as const;
const CLIENT_OPTION_PARAMS = ['Tag', 'Value'] as const;

/** br-lan's pool as shipped: stateful addresses, no prefix delegation to the LAN. */
const LAN_POOL: Readonly<Record<string, Value>> = {
  Enable: true,
  Alias: 'cpe-lan',
  Order: 1,
  Interface: LAN_INTERFACE,
  IANAEnable: true,
  IAPDEnable: false,
  IAPDAddLength: 0,
  ...POOL_CRITERIA_V6,
};
const OPTION_DEFAULTS: Readonly<Record<string, Value>> = { Enable: false, Alias: '', Tag: 0, Value: '' };

/** The DUID-LL (RFC 8415 §11.4, hardware type 1) a device forms from its MAC address. */
const duidOf = (c: LanClient): string => `00030001${c.mac.replace(/:/g, '')}`;
const linkLocalOf = (c: LanClient): bigint => withInterfaceId(LINK_LOCAL, eui64(c.mac));
/** What the device's Solicit carries. */
const requestOf = (c: LanClient): Dhcpv6Request => ({ duid: duidOf(c), source: linkLocalOf(c) });

export interface Dhcpv6ServerDeps {
  dhcp: DHCPv4State;
  lanV6: LanIPv6;
  ip: IPState;
}

class PoolRows extends WritableRows {
  constructor(
    ctx: SimContext,
    private readonly table: FactoryTable,
  ) {
    super(ctx, POOL, {});
  }

  protected override initialRow(keys: InstanceKeys): Record<string, Value> {
    return this.table.isFactory(keys) ? { ...LAN_POOL } : { ...LAN_POOL, Enable: false, Alias: '', Order: keys[0], Interface: '', IANAEnable: false };
  }
}

/** One gateway's DHCPv6 server, made at the first read of it. */
class ServerState {
  readonly server: WritableRows;
  readonly pools: FactoryTable;
  readonly pool: PoolRows;
  readonly options: FactoryTable;
  readonly optionRows: WritableRows;

  constructor(
    readonly ctx: SimContext,
    readonly deps: Dhcpv6ServerDeps,
  ) {
    this.server = new WritableRows(ctx, 'Device.DHCPv6.Server.', { Enable: true });
    this.pools = new FactoryTable(ctx, POOL, FACTORY_POOLS, MAX_POOLS);
    this.pool = new PoolRows(ctx, this.pools);
    this.options = new FactoryTable(ctx, OPTION, NO_ROWS, MAX_OPTIONS);
    this.optionRows = new WritableRows(ctx, OPTION, OPTION_DEFAULTS);
  }

  /** br-lan's on-link /64s the pools number from, with their IP.Interface.1.IPv6Prefix rows. */
  lanPrefixes(): Array<{ ref: string; prefix: string; validUntil: number }> {
    if (!this.deps.ip.ipv6(1)) return [];
    // The plan's fixed rows (ipv6-plan.ts): 1 the delegated global /64, 3 the ULA /64.
    const ula = parseIPv6Prefix(this.deps.ip.lanUla());
    const inUla = (text: string): boolean => {
      const p = parseIPv6Prefix(text);
      return ula !== undefined && p !== undefined && contains(ula, p.network);
    };
    return this.deps.lanV6.slaacPrefixes().map((p) => ({ ...p, ref: `${LAN_INTERFACE}.IPv6Prefix.${inUla(p.prefix) ? 3 : 1}` }));
  }

  /** The interface's number if `ref` is an IP.Interface. */
  interfaceOf(ref: Value): number | undefined {
    const m = /^Device\.IP\.Interface\.(\d+)$/.exec(String(ref));
    return m ? Number(m[1]) : undefined;
  }

  status(p: number): string {
    const row = this.pool.row([p]);
    if (this.server.row([]).Enable !== true || row.Enable !== true) return 'Disabled';
    const n = this.interfaceOf(row.Interface);
    return n === undefined || !this.deps.ip.ipv6(n) ? 'Error_Misconfigured' : 'Enabled';
  }

  /** The pool serving `c` now, or undefined. */
  poolOf(c: LanClient): number | undefined {
    if (NO_DHCPV6.has(c.label) || this.server.row([]).Enable !== true) return undefined;
    const serving = this.pools
      .list([])
      .map((p) => ({ p, row: this.pool.row([p]) }))
      .filter(({ row }) => row.Enable === true && row.Interface === LAN_INTERFACE);
    serving.sort((a, b) => Number(a.row.Order) - Number(b.row.Order) || a.p - b.p);
    const r = requestOf(c);
    const chosen = serving.find(({ row }) => poolTakes(row, r));
    return chosen?.row.IANAEnable === true && this.lanPrefixes().length > 0 ? chosen.p : undefined;
  }

  leased(p: number): number[] {
    const { lan } = this.deps.dhcp;
    return lan.clients.filter((c) => lan.presence(c).lease !== undefined && this.poolOf(c) === p).map((c) => c.n);
  }

  client(keys: InstanceKeys): { c: LanClient; lease: { renewedAt: number; expiresAt: number } } {
    this.pools.check(keys.slice(0, 1));
    const c = this.deps.dhcp.lan.byNumber(keys[1]!);
    const lease = c && this.poolOf(c) === keys[0] ? this.deps.dhcp.lan.presence(c).lease : undefined;
    if (!c || !lease) throw new UspError(ErrorCode.ObjectDoesNotExist, `no DHCPv6 lease for client ${keys[1]}`);
    return { c, lease };
  }

  /** One address per br-lan /64: the server picks host number 0x1000 + the device's number. */
  addresses(keys: InstanceKeys): Array<Record<string, Value>> {
    const { c, lease } = this.client(keys);
    return this.lanPrefixes().flatMap(({ prefix, validUntil }) => {
      const p = parseIPv6Prefix(prefix);
      if (!p) return [];
      const until = dateTime(Math.min(lease.expiresAt, validUntil));
      return [{ IPAddress: formatIPv6(withInterfaceId(p, 0x1000n + BigInt(c.n))), PreferredLifetime: until, ValidLifetime: until }];
    });
  }

  /** The options the device sent: its DUID (1) and its option request list (6: DNS servers, domain list). */
  sent(keys: InstanceKeys): Array<Record<string, Value>> {
    const { c } = this.client(keys);
    return [
      { Tag: 1, Value: duidOf(c).toUpperCase() },
      { Tag: 6, Value: '00170018' },
    ];
  }

  async check(changes: Record<string, Value>): Promise<void> {
    canonicalizeReferences(changes, ['Interface']);
    const bad = criteriaProblemsV6(changes);
    const add = changes.IAPDAddLength;
    if (add !== undefined && Number(add) > MAX_ADD_LENGTH) bad.push({ param: 'IAPDAddLength', message: `the delegated prefix is a /56: at most ${MAX_ADD_LENGTH} bits can be added` });
    const ref = changes.Interface;
    if (ref !== undefined && ref !== '') {
      const n = this.interfaceOf(ref);
      const { model } = this.ctx;
      const lanSide = n === 1 || (n !== undefined && n > 3 && (await model.listInstances(model.requireNode('Device.IP.Interface.{i}.'), [], {})).includes(n));
      if (!lanSide) bad.push({ param: 'Interface', message: `a pool serves br-lan (${LAN_INTERFACE}) or a LAN-side IP interface a Controller added` });
      else if (!this.deps.ip.ipv6(n)) bad.push({ param: 'Interface', message: `${String(ref)} is not attached to IPv6 (IPv6Enable false)` });
    }
    if (bad.length > 0) throw invalidParams(bad);
    // Order is the table's unique key: the transaction refuses a second pool with one (7025).
  }

  checkOption(keys: InstanceKeys, changes: Record<string, Value>): void {
    const parent = keys.slice(0, -1);
    const siblings = this.options.list(parent).map((m) => [m, this.optionRows.row([...parent, m])] as const);
    const bad = dhcpv6OptionProblems(keys, changes, siblings);
    if (bad.length > 0) throw invalidParams(bad);
  }
}

class Holder {
  private made?: ServerState;

  constructor(
    private readonly ctx: SimContext,
    private readonly deps: Dhcpv6ServerDeps,
  ) {}

  get s(): ServerState {
    return (this.made ??= new ServerState(this.ctx, this.deps));
  }
}

/** Device.DHCPv6.Server. */
class ServerBinding implements ObjectBinding {
  readonly params = SERVER_PARAMS;

  constructor(private readonly h: Holder) {}

  get(): Record<string, Value> {
    return this.h.s.server.row([]);
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.h.s.server.apply(keys, changes);
  }
}

/** Device.DHCPv6.Server.Pool.{i}. */
class PoolBinding implements ObjectBinding {
  readonly params = POOL_PARAMS;
  readonly writable = POOL_STORED.filter((p) => p !== 'Alias');

  constructor(private readonly h: Holder) {}

  list(): number[] {
    return this.h.s.pools.list([]);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const s = this.h.s;
    const row = s.pool.row(s.pools.check(keys));
    const onLan = row.Interface === LAN_INTERFACE;
    const iana = onLan && row.IANAEnable === true ? s.lanPrefixes().map((p) => p.ref) : [];
    const iapd = row.IAPDEnable === true && s.deps.lanV6.delegated() !== undefined ? [WAN_DELEGATED] : [];
    return { ...row, Status: s.status(keys[0]!), IANAPrefixes: iana.join(','), IAPDPrefixes: iapd.join(',') };
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const s = this.h.s;
    s.pools.check(keys);
    await s.check(changes);
    s.pool.apply(keys, changes);
  }

  async add(_parent: InstanceKeys, params: Record<string, Value>): Promise<number> {
    const s = this.h.s;
    const values = { ...params };
    await s.check(values); // checked before numbering, so a refused Add uses no number
    const n = s.pools.add([]);
    // TR-181 Order: a pool added without one comes after every other.
    const last = Math.max(
      0,
      ...s.pools
        .list([])
        .filter((p) => p !== n)
        .map((p) => Number(s.pool.row([p]).Order)),
    );
    s.pool.apply([n], { Order: last + 1, ...values });
    return n;
  }

  delete(keys: InstanceKeys): void {
    this.h.s.pools.delete(keys);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.h.s.pools.snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.h.s.pools.restore(keys, snap);
  }
}

/** Device.DHCPv6.Server.Pool.{i}.Option.{i}.: options the pool adds to its replies. */
class OptionBinding extends StoredRowsBinding {
  readonly params = OPTION_PARAMS;

  constructor(private readonly h: Holder) {
    super();
  }

  protected parentTable(): FactoryTable {
    return this.h.s.pools;
  }

  protected table(): FactoryTable {
    return this.h.s.options;
  }

  protected rows(): WritableRows {
    return this.h.s.optionRows;
  }

  protected checkChanges(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.h.s.checkOption(keys, changes);
  }
}

/** Pool.{i}.Client.{i}.: the devices holding addresses of the pool. */
class ClientBinding implements ObjectBinding {
  readonly params = CLIENT_PARAMS;

  constructor(private readonly h: Holder) {}

  list([p]: InstanceKeys): number[] {
    this.h.s.pools.check([p!]);
    return this.h.s.leased(p!);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const s = this.h.s;
    const { c } = s.client(keys);
    return { SourceAddress: formatIPv6(linkLocalOf(c)), Active: s.deps.dhcp.lan.presence(c).active };
  }
}

/** Client.{i}.IPv6Address.{i}. and Client.{i}.Option.{i}. */
class ClientRowsBinding implements ObjectBinding {
  constructor(
    private readonly h: Holder,
    private readonly rows: 'addresses' | 'sent',
    readonly params: readonly string[],
  ) {}

  list(keys: InstanceKeys): number[] {
    return this.h.s[this.rows](keys).map((_, i) => i + 1);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    return { ...nth(this.h.s[this.rows](keys), keys[2]) };
  }
}

/** Client.{i}.IPv6Prefix.{i}.: no simulated LAN device asks for a prefix. */
class NoPrefixBinding implements ObjectBinding {
  readonly params = ['Prefix', 'PreferredLifetime', 'ValidLifetime'] as const;

  constructor(private readonly h: Holder) {}

  list(keys: InstanceKeys): number[] {
    this.h.s.client(keys);
    return [];
  }

  get(keys: InstanceKeys): Record<string, Value> {
    throw new UspError(ErrorCode.ObjectDoesNotExist, `no delegated prefix ${keys[2]}`);
  }
}

/** Serves Device.DHCPv6.Server. with its pools, their options and clients. */
export function registerDHCPv6Server(ctx: SimContext, churn: Churn, deps: Dhcpv6ServerDeps): void {
  const { model } = ctx;
  const h = new Holder(ctx, deps);
  model.register('Device.DHCPv6.Server.', new ServerBinding(h));
  model.register(POOL, new PoolBinding(h));
  model.register(OPTION, new OptionBinding(h));
  const clientNode = model.register(CLIENT, new ClientBinding(h));
  model.register(`${CLIENT}IPv6Address.{i}.`, new ClientRowsBinding(h, 'addresses', ADDRESS_PARAMS));
  model.register(`${CLIENT}IPv6Prefix.{i}.`, new NoPrefixBinding(h));
  model.register(`${CLIENT}Option.{i}.`, new ClientRowsBinding(h, 'sent', CLIENT_OPTION_PARAMS));
  churn.watch(clientNode, () => h.s.pools.list([]).flatMap((p) => h.s.leased(p).map((n) => [p, n])));
}
