/**
 * What the Linux IPv4Forwarding (routing.ts) and IPv6Forwarding (routing-ipv6.ts) tables share:
 * a route's row key and the `ip route` arguments naming it, and the writes of a kernel route
 * table. Static routes are added and deleted (`ip -4|-6 route add|del ... proto static`) when
 * their Interface is one the agent manages; routes the kernel, a DHCP client, router
 * advertisements or a routing daemon made are read-only (Delete: 7002). A row's values are the
 * route itself, so Set is refused (7002) except Enable true: Delete the row and Add another.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { LinuxContext } from './LinuxContext.js';
import type { IpRoute } from './routing.js';

/** Routes an administrator (or this agent) added: TR-181 StaticRoute, deletable here. */
export const STATIC_PROTOCOLS: ReadonlySet<string> = new Set(['boot', 'static']);

const NO_ROUTE_WRITES: readonly string[] = [];

/** The row key of a route: what `ip route del` needs to name it again. */
export function routeKey(r: IpRoute): string {
  return [r.dst, r.gateway ?? '', r.dev ?? '', r.metric ?? 0, r.type ?? 'unicast'].join('|');
}

/** `ip route` arguments naming route `r`. */
export function routeArgs(r: IpRoute): string[] {
  return [...(r.type && r.type !== 'unicast' ? [r.type] : []), r.dst, ...(r.gateway ? ['via', r.gateway] : []), ...(r.dev ? ['dev', r.dev] : []), ...(r.metric ? ['metric', String(r.metric)] : [])];
}

/** One kernel route table as a TR-181 forwarding table: what its writes need. */
export interface RouteTable<R extends IpRoute> {
  ctx: LinuxContext;
  /** `ip`'s address family switch. */
  family: '-4' | '-6';
  /** Instance numbers of the rows, by routeKey. */
  numbers: InstanceMap;
  /** The row's path (`...Forwarding.{i}.` while the instance is not known yet). */
  rowPath(keys: InstanceKeys): string;
  /** 7016 for a Router other than Router.1 (the main table). */
  requireRouter(keys: InstanceKeys): void;
  /** The route of a row (7016 when it is gone). */
  routeOf(keys: InstanceKeys): Promise<R>;
  /** The route an Add describes, as `ip -json route` will show it; throws the TR-369 error of a bad one. */
  fromParams(params: Record<string, Value>, path: string): R;
}

/** Set, Add, Delete and the rollback of a Delete for a kernel route table. */
export function routeTableWrites<R extends IpRoute>(t: RouteTable<R>): Pick<ObjectBinding, 'set' | 'writable' | 'add' | 'delete' | 'snapshot' | 'restore'> {
  const { ctx, family } = t;
  return {
    // A kernel route is changed by Delete and Add: a Set takes only Enable true (it is in effect).
    writable: NO_ROUTE_WRITES,
    set: async (keys, changes) => {
      await t.routeOf(keys);
      for (const [param, value] of Object.entries(changes)) {
        if (param === 'Enable' && value === true) continue;
        throw new UspError(ErrorCode.RequestDenied, `${t.rowPath(keys)}${param} cannot be changed on this platform: Delete the route and Add another`, { path: t.rowPath(keys) });
      }
    },
    add: async (parentKeys, params) => {
      t.requireRouter(parentKeys);
      const path = t.rowPath(parentKeys);
      const r = t.fromParams(params, path);
      ctx.ip.requireManaged(r.dev ?? '', path);
      await ctx.ip.run([family, 'route', 'add', ...routeArgs(r), 'proto', 'static'], path);
      return t.numbers.numberOf(routeKey(r));
    },
    delete: async (keys) => {
      const r = await t.routeOf(keys);
      const path = t.rowPath(keys);
      if (!STATIC_PROTOCOLS.has(r.protocol ?? 'boot')) {
        throw new UspError(ErrorCode.RequestDenied, `${path}: only static routes can be deleted; this one came from ${r.protocol ?? 'the kernel'}`, { path });
      }
      ctx.ip.requireManaged(r.dev ?? '', path);
      await ctx.ip.run([family, 'route', 'del', ...routeArgs(r)], path);
    },
    // What a Delete removed, read before it runs, so a failed transaction can put it back.
    snapshot: (keys) => {
      const before = t.routeOf(keys);
      before.catch(() => undefined);
      return before;
    },
    restore: async (_keys, snap) => {
      const r = await (snap as Promise<R>);
      await ctx.ip.run([family, 'route', 'add', ...routeArgs(r), 'proto', r.protocol ?? 'boot']);
    },
  };
}
