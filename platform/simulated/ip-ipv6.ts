/**
 * Device.IP.Interface.{i}.IPv6Address.{i}. and .IPv6Prefix.{i}. of the simulated gateway
 * (TR-181 IPv6Interface:1, IPv6Address:1, IPv6Prefix:1), over the plan in ipv6-plan.ts.
 *
 * Rows come and go with what creates them (SLAAC, the RA and DHCPv6-PD of the data session,
 * the router's own numbering of br-lan) and Churn reports them. Setting IPv6Enable to false, on
 * an IP.Interface or on Device.IP, makes that interface's rows disappear rather than go
 * Disabled: TR-181 says the interface is then *detached* from the IPv6 stack, the table lists
 * the addresses the interface has, and a detached interface has none (as Linux's disable_ipv6
 * flushes them). A row's own Enable is the Controller's and survives the row going away.
 *
 * None of these rows is Origin Static, and TR-181 lets a Controller modify their addresses,
 * prefixes, flags and lifetimes only when it is: those writes are refused (7012).
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { canonicalizeReferences } from '../reference.js';
import type { Churn } from './churn.js';
import { type AddressRow, type IPv6Inputs, IPv6Plan, type PrefixRow } from './ipv6-plan.js';
import { dateTime, invalidParams, type SimContext, WritableRows } from './SimContext.js';
import { INFINITE_TIME } from '../../datamodel/value/Value.js';

/** TR-106: the dateTime of a lifetime that never ends (datamodel's one constant). */
export { INFINITE_TIME };

const ADDRESS = 'Device.IP.Interface.{i}.IPv6Address.{i}.';
const PREFIX = 'Device.IP.Interface.{i}.IPv6Prefix.{i}.';
/** IP.Interface instances that may have IPv6 rows: br-lan, wwan0, lo. */
const INTERFACES = [1, 2, 3];

/** What the LAN's hosts need of br-lan's IPv6: the /64s they form SLAAC addresses in. */
export interface LanIPv6 {
  /** br-lan's enabled on-link, autonomous prefixes now (RFC 4862 §5.5.3), global before ULA. */
  slaacPrefixes(): Array<{ prefix: string; validUntil: number }>;
  /** wwan0's delegated prefix (DHCPv6-PD, its IPv6Prefix.2) while the data session has IPv6, else undefined. */
  delegated(): { prefix: string; preferredUntil: number; validUntil: number } | undefined;
}

const ADDRESS_PARAMS = ['Enable', 'Status', 'IPAddressStatus', 'Alias', 'IPAddress', 'Origin', 'Prefix', 'PreferredLifetime', 'ValidLifetime', 'Anycast'] as const;
const PREFIX_PARAMS = [
  'Enable',
  'Status',
  'PrefixStatus',
  'Alias',
  'Prefix',
  'Origin',
  'StaticType',
  'ParentPrefix',
  'ChildPrefixBits',
  'OnLink',
  'Autonomous',
  'PreferredLifetime',
  'ValidLifetime',
] as const;

const lifetime = (ms: number): string => (Number.isFinite(ms) ? dateTime(ms) : INFINITE_TIME);

/**
 * One gateway's IPv6Address and IPv6Prefix rows: the plan's, with the Controller's Enable and
 * Alias of each. The two bindings are thin classes over it, one copy of their methods for
 * every gateway of a fleet (issue 14).
 */
class IPv6Rows implements LanIPv6 {
  readonly plan: IPv6Plan;
  readonly addressRows: WritableRows;
  readonly prefixRows: WritableRows;

  constructor(
    private readonly ctx: SimContext,
    private readonly inputs: IPv6Inputs,
  ) {
    this.plan = new IPv6Plan(ctx, inputs);
    this.addressRows = new WritableRows(ctx, ADDRESS, (keys) => ({ Enable: true, Alias: this.address(keys).alias }));
    this.prefixRows = new WritableRows(ctx, PREFIX, (keys) => ({ Enable: true, Alias: this.prefix(keys).alias }));
  }

  // How usable an address or prefix is (RFC 4293 ipAddressStatus): on an interface that is not
  // Up it is Inaccessible; past its preferred lifetime, Deprecated.
  usability(enabled: boolean, n: number, preferredUntil: number): string {
    if (!enabled) return 'Invalid';
    if (this.inputs.ip.status(n) !== 'Up') return 'Inaccessible';
    return this.ctx.now() < preferredUntil ? 'Preferred' : 'Deprecated';
  }

  address(keys: InstanceKeys): AddressRow {
    const row = this.plan.rows(keys[0]).addresses.get(keys[1]);
    if (!row) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such IPv6 address: ${this.ctx.model.requireNode(ADDRESS).pathOf(keys)}`);
    return row;
  }

  prefix(keys: InstanceKeys): PrefixRow {
    const row = this.plan.rows(keys[0]).prefixes.get(keys[1]);
    if (!row) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such IPv6 prefix: ${this.ctx.model.requireNode(PREFIX).pathOf(keys)}`);
    return row;
  }

  addressValues(keys: InstanceKeys): Record<string, Value> {
    const a = this.address(keys);
    const row = this.addressRows.row(keys);
    return {
      ...row,
      Status: row.Enable ? 'Enabled' : 'Disabled',
      IPAddressStatus: this.usability(row.Enable === true, keys[0], a.preferredUntil),
      IPAddress: a.address,
      Origin: a.origin,
      Prefix: a.prefix,
      PreferredLifetime: lifetime(a.preferredUntil),
      ValidLifetime: lifetime(a.validUntil),
      Anycast: false,
    };
  }

  prefixValues(keys: InstanceKeys): Record<string, Value> {
    const p = this.prefix(keys);
    const row = this.prefixRows.row(keys);
    return {
      ...row,
      Status: row.Enable ? 'Enabled' : 'Disabled',
      PrefixStatus: this.usability(row.Enable === true, keys[0], p.preferredUntil),
      // StaticType and ChildPrefixBits describe Static "prefix slots"; none of these is one.
      Prefix: p.prefix,
      Origin: p.origin,
      StaticType: 'Inapplicable',
      ParentPrefix: p.parentPrefix,
      ChildPrefixBits: '',
      OnLink: p.onLink,
      Autonomous: p.autonomous,
      PreferredLifetime: lifetime(p.preferredUntil),
      ValidLifetime: lifetime(p.validUntil),
    };
  }

  /** Every address row there is now, for Churn. */
  addressKeys(): InstanceKeys[] {
    return INTERFACES.flatMap((n) => [...this.plan.rows(n).addresses.keys()].map((k) => [n, k]));
  }

  /** Every prefix row there is now, for Churn. */
  prefixKeys(): InstanceKeys[] {
    return INTERFACES.flatMap((n) => [...this.plan.rows(n).prefixes.keys()].map((k) => [n, k]));
  }

  slaacPrefixes(): Array<{ prefix: string; validUntil: number }> {
    return [...this.plan.rows(1).prefixes.entries()]
      .filter(([k, p]) => p.onLink && p.autonomous && this.prefixRows.row([1, k]).Enable === true && this.inputs.ip.status(1) === 'Up')
      .map(([, p]) => ({ prefix: p.prefix, validUntil: p.validUntil }));
  }

  delegated(): { prefix: string; preferredUntil: number; validUntil: number } | undefined {
    return this.plan.rows(2).prefixes.get(2);
  }
}

/** Device.IP.Interface.{i}.IPv6Address.{i}. */
class AddressBinding implements ObjectBinding {
  readonly params = ADDRESS_PARAMS;

  constructor(private readonly rows: IPv6Rows) {}

  list([n]: InstanceKeys): number[] {
    return [...this.rows.plan.rows(n).addresses.keys()];
  }

  get(keys: InstanceKeys): Record<string, Value> {
    return this.rows.addressValues(keys);
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    canonicalizeReferences(changes, ['Prefix']);
    refuseNonStatic(this.rows.addressValues(keys), changes, this.rows.address(keys).origin);
    this.rows.addressRows.apply(keys, changes);
  }
}

/** Device.IP.Interface.{i}.IPv6Prefix.{i}. */
class PrefixBinding implements ObjectBinding {
  readonly params = PREFIX_PARAMS;

  constructor(private readonly rows: IPv6Rows) {}

  list([n]: InstanceKeys): number[] {
    return [...this.rows.plan.rows(n).prefixes.keys()];
  }

  get(keys: InstanceKeys): Record<string, Value> {
    return this.rows.prefixValues(keys);
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    canonicalizeReferences(changes, ['ParentPrefix']);
    refuseNonStatic(this.rows.prefixValues(keys), changes, this.rows.prefix(keys).origin);
    this.rows.prefixRows.apply(keys, changes);
  }
}

/** Serves the IPv6Address and IPv6Prefix tables of every IP.Interface. */
export function registerIPv6(ctx: SimContext, churn: Churn, inputs: IPv6Inputs): LanIPv6 {
  const rows = new IPv6Rows(ctx, inputs);
  const addressNode = ctx.model.register(ADDRESS, new AddressBinding(rows));
  const prefixNode = ctx.model.register(PREFIX, new PrefixBinding(rows));
  churn.watch(addressNode, () => rows.addressKeys());
  churn.watch(prefixNode, () => rows.prefixKeys());
  return rows;
}

/** TR-181: only Enable (and the write-once Alias) may change unless Origin is Static. */
function refuseNonStatic(current: Record<string, Value>, changes: Record<string, Value>, origin: string): void {
  const refused = Object.keys(changes).filter((p) => p !== 'Enable' && p !== 'Alias' && changes[p] !== current[p]);
  if (refused.length > 0) {
    throw invalidParams(refused.map((param) => ({ param, message: `the row's Origin is ${origin}: only Static rows can be modified` })));
  }
}
