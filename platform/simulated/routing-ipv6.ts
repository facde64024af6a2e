/**
 * Device.Routing.Router.1.IPv6Forwarding.{i}. of the simulated gateway (QoS:2 asks for it with
 * ForwardingPolicy writable): the IPv6 routes of its main table, as `ip -6 route` of a 5G FWA
 * router shows them, from the same IPv6 plan as its addresses (ipv6-plan.ts):
 *
 * 1. the default route `::/0` via the network's router on wwan0 (fe80::1, the PDN link's
 *    gateway, which also answers DHCPv6), learnt from its RAs (Origin RA, metric 1024), while
 *    the data session has IPv6; 3GPP RAs are refreshed for the session's life, so it shows no
 *    ExpirationTime (Infinite);
 * 2. br-lan's global /64 (the first of the delegated /56), the kernel's route for the router's
 *    address there (Origin Static as Linux maps `proto kernel`, metric 256), while delegated;
 * 3. br-lan's ULA /64, likewise, while br-lan has its ULA prefix.
 * A LAN route is listed while br-lan is Up and its prefix row enabled (LanIPv6.slaacPrefixes).
 * Each route keeps its instance number; Churn reports them coming and going.
 *
 * ForwardingPolicy is kept in the store, as IPv4Forwarding's (routing.ts): no simulated packet
 * carries a QoS ForwardingPolicy. The routes are the simulation's own: the rest is read-only.
 * One binding class for a fleet: a gateway holds its LanIPv6 and store, nothing more.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { INFINITE_TIME, type Value } from '../../datamodel/value/Value.js';
import type { Churn } from './churn.js';
import type { LanIPv6 } from './ip-ipv6.js';
import { LAN_INTERFACE, WAN_INTERFACE } from './ip.js';
import type { SimContext } from './SimContext.js';

const PARAMS = ['Enable', 'Status', 'Alias', 'DestIPPrefix', 'ForwardingPolicy', 'NextHop', 'Interface', 'Origin', 'ForwardingMetric', 'ExpirationTime'] as const;
const WRITABLE = ['ForwardingPolicy'] as const;
/** The PDN link's router (the UPF/PGW): its link-local address. */
const NETWORK_ROUTER = 'fe80::1';

type Route = Readonly<{ alias: string; dest: string; nextHop: string; iface: string; origin: string; metric: number }>;

/** The main table is the only Router (routing.ts); any other is 7016. */
function router(keys: InstanceKeys): void {
  if (keys[0] !== 1) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such router: Device.Routing.Router.${keys[0]}`);
}

const isUla = (prefix: string): boolean => /^f[cd]/i.test(prefix);

/** The routes there are now, by instance number. */
function routes(lanV6: LanIPv6): Map<number, Route> {
  const out = new Map<number, Route>();
  if (lanV6.delegated()) out.set(1, { alias: 'cpe-default6', dest: '::/0', nextHop: NETWORK_ROUTER, iface: WAN_INTERFACE, origin: 'RA', metric: 1024 });
  for (const p of lanV6.slaacPrefixes()) {
    const n = isUla(p.prefix) ? 3 : 2;
    out.set(n, { alias: n === 3 ? 'cpe-br-lan-ula6' : 'cpe-br-lan6', dest: p.prefix, nextHop: '', iface: LAN_INTERFACE, origin: 'Static', metric: 256 });
  }
  return out;
}

/** Router.1.IPv6Forwarding.{i}. of one gateway. */
class IPv6ForwardingBinding implements ObjectBinding {
  readonly params = PARAMS;
  readonly writable = WRITABLE;

  constructor(
    private readonly lanV6: LanIPv6,
    private readonly ctx: SimContext,
  ) {}

  private route(keys: InstanceKeys): Route {
    router(keys);
    const r = routes(this.lanV6).get(keys[1]!);
    if (!r) throw new UspError(ErrorCode.ObjectDoesNotExist, `no IPv6 route ${keys[1]} now`);
    return r;
  }

  list(keys: InstanceKeys): number[] {
    router(keys);
    return [...routes(this.lanV6).keys()].sort((a, b) => a - b);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const r = this.route(keys);
    return {
      Enable: true,
      Status: 'Enabled',
      Alias: r.alias,
      DestIPPrefix: r.dest,
      ForwardingPolicy: this.ctx.store.row(path(keys))?.ForwardingPolicy ?? -1,
      NextHop: r.nextHop,
      Interface: r.iface,
      Origin: r.origin,
      ForwardingMetric: r.metric,
      ExpirationTime: INFINITE_TIME,
    };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.route(keys);
    const p = path(keys);
    this.ctx.store.setRow(p, { ...(this.ctx.store.row(p) ?? {}), ForwardingPolicy: changes.ForwardingPolicy ?? -1 });
  }
}

const path = (keys: InstanceKeys): string => `Device.Routing.Router.${keys[0]}.IPv6Forwarding.${keys[1]}.`;

/** Serves Device.Routing.Router.{i}.IPv6Forwarding.{i}. (Router.1, the main table). */
export function registerIPv6ForwardingSim(ctx: SimContext, churn: Churn, lanV6: LanIPv6): void {
  const node = ctx.model.register('Device.Routing.Router.{i}.IPv6Forwarding.{i}.', new IPv6ForwardingBinding(lanV6, ctx));
  churn.watch(node, () => [...routes(lanV6).keys()].map((n) => [1, n]));
}
