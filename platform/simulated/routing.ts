/**
 * Device.Routing. of the simulated gateway (TR-181 Routing:1): the main routing table as
 * `ip route` shows it, as IPv4Forwarding rows. The LAN route follows br-lan's (writable)
 * address; the default route and the WAN subnet come with the 5G data session, so they are
 * listed only while it is up (Churn reports them coming and going). Each route keeps its
 * instance number: 1 default, 2 WAN subnet, 3 LAN subnet.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { Churn } from './churn.js';
import { type IPState, LAN_INTERFACE, WAN_INTERFACE } from './ip.js';
import { formatIPv4, networkOf, parseIPv4 } from './ipv4.js';
import { nth, type SimContext } from './SimContext.js';

interface Route {
  alias: string;
  fromNetwork: boolean;
  values(ip: IPState): Record<string, Value>;
}

function network(s: { address: string; mask: string }): string {
  const a = parseIPv4(s.address);
  const m = parseIPv4(s.mask);
  return a === undefined || m === undefined ? '' : formatIPv4(networkOf(a, m));
}

/** The routes of every gateway, instances 1-3, read from its Device.IP (a fleet shares this table: issue 14). */
const ROUTES: readonly Route[] = [
  {
    alias: 'cpe-default',
    fromNetwork: true,
    values: (ip) => ({ DestIPAddress: '', DestSubnetMask: '', GatewayIPAddress: ip.wan().gateway, Interface: WAN_INTERFACE, Origin: '3GPP-NAS', ForwardingMetric: 0 }),
  },
  {
    alias: 'cpe-wwan0',
    fromNetwork: true,
    values: (ip) => ({ DestIPAddress: network(ip.wan()), DestSubnetMask: ip.wan().mask, GatewayIPAddress: '', Interface: WAN_INTERFACE, Origin: '3GPP-NAS', ForwardingMetric: 0 }),
  },
  {
    alias: 'cpe-br-lan',
    fromNetwork: false,
    values: (ip) => ({ DestIPAddress: network(ip.lan()), DestSubnetMask: ip.lan().mask, GatewayIPAddress: '', Interface: LAN_INTERFACE, Origin: 'Static', ForwardingMetric: 0 }),
  },
];

/** The routes there are now: those from the network only while the data session is up. */
function listed(ip: IPState): number[] {
  return ROUTES.flatMap((r, i) => (!r.fromNetwork || ip.wanUp() ? [i + 1] : []));
}

/** The main table's keys; any other router is 7016. */
function one(keys: InstanceKeys): InstanceKeys {
  nth([1], keys[0]);
  return keys;
}

/** Device.Routing.Router.{i}.: one binding for every gateway of a fleet (issue 14): nothing in it is the gateway's. */
const ROUTER: ObjectBinding = {
  params: ['Enable', 'Status', 'Alias'],
  list: () => [1],
  get: (keys) => {
    one(keys);
    return { Enable: true, Status: 'Enabled', Alias: 'cpe-main' };
  },
};

const FORWARDING_PARAMS = [
  'Enable',
  'Status',
  'Alias',
  'Type',
  'StaticRoute',
  'DestIPAddress',
  'DestSubnetMask',
  'ForwardingPolicy',
  'GatewayIPAddress',
  'Interface',
  'Origin',
  'ForwardingMetric',
] as const;

const FORWARDING_WRITABLE = ['ForwardingPolicy'] as const;

/** Router.1.IPv4Forwarding.{i}. of one gateway: a thin class over its Device.IP, the methods one copy for a fleet. */
class ForwardingBinding implements ObjectBinding {
  readonly params = FORWARDING_PARAMS;
  /** ForwardingPolicy (QoS:1): the policy a QoS Classification's ForwardingPolicy picks this route for, kept in the store. */
  readonly writable = FORWARDING_WRITABLE;

  constructor(
    private readonly ip: IPState,
    private readonly ctx: SimContext,
  ) {}

  private path(keys: InstanceKeys): string {
    return `Device.Routing.Router.${keys[0]}.IPv4Forwarding.${keys[1]}.`;
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.get(keys);
    const path = this.path(keys);
    this.ctx.store.setRow(path, { ...(this.ctx.store.row(path) ?? {}), ForwardingPolicy: changes.ForwardingPolicy ?? -1 });
  }

  list(keys: InstanceKeys): number[] {
    one(keys);
    return listed(this.ip);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    one(keys);
    const route = nth(ROUTES, keys[1]);
    // A route from the network goes with the data session (it may have ended since list).
    if (!listed(this.ip).includes(keys[1])) throw new UspError(ErrorCode.ObjectDoesNotExist, `route ${keys[1]} is gone with the data session`);
    return {
      Enable: true,
      Status: 'Enabled',
      Alias: route.alias,
      Type: 'Normal',
      StaticRoute: !route.fromNetwork,
      ForwardingPolicy: this.ctx.store.row(this.path(keys))?.ForwardingPolicy ?? -1,
      ...route.values(this.ip),
    };
  }
}

/** Serves Device.Routing.Router.{i}. (the main table) and its IPv4Forwarding.{i}. rows. */
export function registerRouting(ctx: SimContext, churn: Churn, ip: IPState): void {
  ctx.model.register('Device.Routing.Router.{i}.', ROUTER);
  const node = ctx.model.register('Device.Routing.Router.{i}.IPv4Forwarding.{i}.', new ForwardingBinding(ip, ctx));
  churn.watch(node, () => listed(ip).map((n) => [1, n]));
}
