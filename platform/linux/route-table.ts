/**
 * What the Linux IPv4Forwarding (routing.ts) and IPv6Forwarding (routing-ipv6.ts) tables share:
 * a route's row key and the `ip route` arguments naming it, and the writes of a kernel route
 * table. Static routes are added, changed and deleted (`ip -4|-6 route add|replace|del ... proto
 * static`, route-set.ts) when their Interface is one the agent manages; routes the kernel, a DHCP
 * client, router advertisements or a routing daemon made are read-only (Set, Delete: 7002).
 * A static row switched off (Enable false) or refused by the kernel stays a row, kept by the
 * agent (route-held.ts).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { Value } from '../../datamodel/value/Value.js';
import { heldKey, type HeldRoute, type HeldRoutes } from './route-held.js';
import { setRoute } from './route-set.js';
import type { LinuxContext } from './LinuxContext.js';
import { MAX_FORWARDING_POLICY, policyOfTable, policyTable, syncPolicyRule } from './policy-routing.js';
import type { IpRoute } from './routing.js';
import { moveNumber, routeArgs, routeKey, STATIC_PROTOCOLS } from './route-key.js';

export { moveNumber, routeArgs, routeKey, STATIC_PROTOCOLS } from './route-key.js';

/** One kernel route table as a TR-181 forwarding table: what its writes need. */
export interface RouteTable<R extends IpRoute> {
  ctx: LinuxContext;
  /** `ip`'s address family switch. */
  family: '-4' | '-6';
  /** Instance numbers of the rows, by routeKey. */
  numbers: InstanceMap;
  /** The row's path (`...Forwarding.{i}.` while the instance is not known yet). */
  rowPath(keys: InstanceKeys): string;
  /** 7016 for a Router that does not exist. */
  requireRouter(keys: InstanceKeys): void;
  /** The route of a row (7016 when it is gone). */
  routeOf(keys: InstanceKeys): Promise<R>;
  /** The route an Add under Router `parentKeys` describes, as `ip -json route` will show it; throws the TR-369 error of a bad one. */
  fromParams(params: Record<string, Value>, path: string, parentKeys: InstanceKeys): R;
  /** Route `r` with the values of a Set (`params`, Enable left out) applied; throws the TR-369 error of a bad one. */
  change(r: R, params: Record<string, Value>, path: string): R;
  /** The parameters a Set can change (ObjectBinding.writable). */
  writable: readonly string[];
  /** The rows the kernel does not hold: switched off, or refused. */
  held: HeldRoutes;
  /** Every route of the table now, to know when a policy's rule is no longer needed. */
  allRoutes?(): Promise<readonly R[]>;
}

/** The table a route of ForwardingPolicy `fp` goes to (undefined: main); 7012 outside 0..255. */
export function tableOfPolicy(fp: Value | undefined, path: string): number | undefined {
  const n = typeof fp === 'number' ? fp : -1;
  if (n === -1) return undefined;
  if (!Number.isInteger(n) || n < -1 || n > MAX_FORWARDING_POLICY)
    throw new UspError(ErrorCode.InvalidValue, `${path}ForwardingPolicy: ${n} is not within -1..${MAX_FORWARDING_POLICY} on this device`, { path });
  return policyTable(n);
}

/** What a Delete removed: the kernel's route, or a held row. */
type Removed<R> = { r: R; held?: undefined } | { held: HeldRoute };

/** Set, Add, Delete and the rollback of a Delete for a kernel route table. */
export function routeTableWrites<R extends IpRoute>(t: RouteTable<R>): Pick<ObjectBinding, 'set' | 'writable' | 'add' | 'delete' | 'snapshot' | 'restore'> {
  const { ctx, family } = t;
  /** Rows added switched off so far (each is numbered under a key of its own first). */
  let addedOff = 0;
  /** Keeps policy `n`'s ip rule while its table holds a route. */
  const syncRule = async (n: number): Promise<void> => {
    if (n < 0) return;
    ctx.runner.invalidate('ip ');
    const used = ((await t.allRoutes?.()) ?? []).some((r) => policyOfTable(r.table) === n);
    await syncPolicyRule(ctx.runner, family, n, used);
  };
  return {
    writable: t.writable,
    set: (keys, changes) => setRoute(t, keys, changes, syncRule),
    add: async (parentKeys, params) => {
      t.requireRouter(parentKeys);
      const path = t.rowPath(parentKeys);
      const r = t.fromParams(params, path, parentKeys);
      ctx.ip.requireManaged(r.dev ?? '', path);
      if (params.Enable === false) {
        // Added switched off: a row the agent keeps, no route in the kernel.
        // A number of its own: the same route may be a row of the kernel's now.
        const pending = `adding|${++addedOff}`;
        const n = t.numbers.numberOf(pending);
        try {
          t.held.put({ n, enable: false, route: r }, path);
        } catch (e) {
          t.numbers.retire(pending);
          throw e;
        }
        moveNumber(t.numbers, pending, heldKey(n));
        return n;
      }
      await ctx.ip.run([family, 'route', 'add', ...routeArgs(r), 'proto', 'static'], path);
      await syncRule(policyOfTable(r.table));
      return t.numbers.numberOf(routeKey(r));
    },
    delete: async (keys) => {
      const n = keys[keys.length - 1]!;
      if (t.held.get(n)) {
        t.held.drop(n);
        t.numbers.retire(heldKey(n));
        return;
      }
      const r = await t.routeOf(keys);
      const path = t.rowPath(keys);
      if (!STATIC_PROTOCOLS.has(r.protocol ?? 'boot')) {
        throw new UspError(ErrorCode.RequestDenied, `${path}: only static routes can be deleted; this one came from ${r.protocol ?? 'the kernel'}`, { path });
      }
      ctx.ip.requireManaged(r.dev ?? '', path);
      await ctx.ip.run([family, 'route', 'del', ...routeArgs(r)], path);
      await syncRule(policyOfTable(r.table));
    },
    // What a Delete removed, read before it runs, so a failed transaction can put it back.
    snapshot: (keys) => {
      const held = t.held.get(keys[keys.length - 1]);
      const before: Promise<Removed<R>> = held ? Promise.resolve({ held }) : t.routeOf(keys).then((r) => ({ r }));
      before.catch(() => undefined);
      return before;
    },
    restore: async (_keys, snap) => {
      const removed = await (snap as Promise<Removed<R>>);
      if (removed.held) {
        t.held.put(removed.held, t.rowPath(_keys));
        t.numbers.claim(heldKey(removed.held.n), removed.held.n);
        return;
      }
      const { r } = removed;
      await ctx.ip.run([family, 'route', 'add', ...routeArgs(r), 'proto', r.protocol ?? 'boot']);
      await syncRule(policyOfTable(r.table));
    },
  };
}
