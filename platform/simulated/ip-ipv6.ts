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
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { canonicalizeReferences } from '../reference.js';
import type { Churn } from './churn.js';
import { type InterfaceRows, ipv6Plan, type IPv6Inputs } from './ipv6-plan.js';
import { dateTime, invalidParams, type SimContext, WritableRows } from './SimContext.js';

/** TR-106: the dateTime of a lifetime that never ends. */
export const INFINITE_TIME = '9999-12-31T23:59:59Z';

const ADDRESS = 'Device.IP.Interface.{i}.IPv6Address.{i}.';
const PREFIX = 'Device.IP.Interface.{i}.IPv6Prefix.{i}.';
/** IP.Interface instances that may have IPv6 rows: br-lan, wwan0, lo. */
const INTERFACES = [1, 2, 3];

/** What the LAN's hosts need of br-lan's IPv6: the /64s they form SLAAC addresses in. */
export interface LanIPv6 {
  /** br-lan's enabled on-link, autonomous prefixes now (RFC 4862 §5.5.3), global before ULA. */
  slaacPrefixes(): Array<{ prefix: string; validUntil: number }>;
}

/** Serves the IPv6Address and IPv6Prefix tables of every IP.Interface. */
export function registerIPv6(ctx: SimContext, churn: Churn, inputs: IPv6Inputs): LanIPv6 {
  const { model } = ctx;
  const plan = ipv6Plan(ctx, inputs);
  const rowsOf = (n: number): InterfaceRows => (INTERFACES.includes(n) ? plan(n) : { addresses: new Map(), prefixes: new Map() });
  const lifetime = (ms: number): string => (Number.isFinite(ms) ? dateTime(ms) : INFINITE_TIME);
  // How usable an address or prefix is (RFC 4293 ipAddressStatus): on an interface that is not
  // Up it is Inaccessible; past its preferred lifetime, Deprecated.
  const usability = (enabled: boolean, n: number, preferredUntil: number): string => {
    if (!enabled) return 'Invalid';
    if (inputs.ip.status(n) !== 'Up') return 'Inaccessible';
    return ctx.now() < preferredUntil ? 'Preferred' : 'Deprecated';
  };

  const addressRows = new WritableRows(ctx, ADDRESS, (keys) => ({ Enable: true, Alias: address(keys).alias }));
  const address = (keys: InstanceKeys) => {
    const row = rowsOf(keys[0]).addresses.get(keys[1]);
    if (!row) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such IPv6 address: ${model.requireNode(ADDRESS).pathOf(keys)}`);
    return row;
  };
  const addressNode = model.register(ADDRESS, {
    params: ['Enable', 'Status', 'IPAddressStatus', 'Alias', 'IPAddress', 'Origin', 'Prefix', 'PreferredLifetime', 'ValidLifetime', 'Anycast'],
    list: ([n]) => [...rowsOf(n).addresses.keys()],
    get: (keys) => values(keys),
    set: (keys, changes) => {
      canonicalizeReferences(changes, ['Prefix']);
      refuseNonStatic(values(keys), changes, address(keys).origin);
      addressRows.apply(keys, changes);
    },
  });
  function values(keys: InstanceKeys): Record<string, Value> {
    const a = address(keys);
    const row = addressRows.row(keys);
    return {
      ...row,
      Status: row.Enable ? 'Enabled' : 'Disabled',
      IPAddressStatus: usability(row.Enable === true, keys[0], a.preferredUntil),
      IPAddress: a.address,
      Origin: a.origin,
      Prefix: a.prefix,
      PreferredLifetime: lifetime(a.preferredUntil),
      ValidLifetime: lifetime(a.validUntil),
      Anycast: false,
    };
  }

  const prefixRows = new WritableRows(ctx, PREFIX, (keys) => ({ Enable: true, Alias: prefix(keys).alias }));
  const prefix = (keys: InstanceKeys) => {
    const row = rowsOf(keys[0]).prefixes.get(keys[1]);
    if (!row) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such IPv6 prefix: ${model.requireNode(PREFIX).pathOf(keys)}`);
    return row;
  };
  const prefixNode = model.register(PREFIX, {
    params: ['Enable', 'Status', 'PrefixStatus', 'Alias', 'Prefix', 'Origin', 'StaticType', 'ParentPrefix', 'ChildPrefixBits', 'OnLink', 'Autonomous', 'PreferredLifetime', 'ValidLifetime'],
    list: ([n]) => [...rowsOf(n).prefixes.keys()],
    get: (keys) => prefixValues(keys),
    set: (keys, changes) => {
      canonicalizeReferences(changes, ['ParentPrefix']);
      refuseNonStatic(prefixValues(keys), changes, prefix(keys).origin);
      prefixRows.apply(keys, changes);
    },
  });
  function prefixValues(keys: InstanceKeys): Record<string, Value> {
    const p = prefix(keys);
    const row = prefixRows.row(keys);
    return {
      ...row,
      Status: row.Enable ? 'Enabled' : 'Disabled',
      PrefixStatus: usability(row.Enable === true, keys[0], p.preferredUntil),
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

  churn.watch(addressNode, () => INTERFACES.flatMap((n) => [...rowsOf(n).addresses.keys()].map((k) => [n, k])));
  churn.watch(prefixNode, () => INTERFACES.flatMap((n) => [...rowsOf(n).prefixes.keys()].map((k) => [n, k])));
  return {
    slaacPrefixes: () =>
      [...rowsOf(1).prefixes.entries()]
        .filter(([k, p]) => p.onLink && p.autonomous && prefixRows.row([1, k]).Enable === true && inputs.ip.status(1) === 'Up')
        .map(([, p]) => ({ prefix: p.prefix, validUntil: p.validUntil })),
  };
}

/** TR-181: only Enable (and the write-once Alias) may change unless Origin is Static. */
function refuseNonStatic(current: Record<string, Value>, changes: Record<string, Value>, origin: string): void {
  const refused = Object.keys(changes).filter((p) => p !== 'Enable' && p !== 'Alias' && changes[p] !== current[p]);
  if (refused.length > 0) {
    throw invalidParams(refused.map((param) => ({ param, message: `the row's Origin is ${origin}: only Static rows can be modified` })));
  }
}
