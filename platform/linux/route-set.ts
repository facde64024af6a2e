/**
 * A Set of a static Routing.Router.1.IPv4Forwarding/IPv6Forwarding row on Linux: the route the
 * row names is changed in the kernel, and the row keeps its instance number (and so its Alias).
 *
 * - A new gateway or interface for the same destination, metric and table is one
 *   `ip route replace` (the kernel swaps the route in place: no moment without it).
 * - A new destination, metric or table (ForwardingPolicy) cannot be replaced (the kernel knows a
 *   route by those): the new route is added first and then the old one deleted, so a refused add
 *   leaves the old route as it was.
 * - Enable false deletes the route and keeps the row in the agent's store (route-held.ts, Status
 *   Disabled); a Set of a disabled row changes only the store; Enable true adds the route again,
 *   and a route the kernel then refuses stays a held row with Status Error (TR-181: the row is
 *   enabled, its route is not in effect), tried again at the row's next Set.
 *
 * A change the kernel refuses answers 7012 with the kernel's reason (the row is as before).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { heldKey } from './route-held.js';
import { moveNumber, routeArgs, routeKey, STATIC_PROTOCOLS } from './route-key.js';
import type { RouteTable } from './route-table.js';
import { policyOfTable } from './policy-routing.js';
import type { IpRoute } from './routing.js';

/** Whether `ip route replace` can turn `from` into `to`: the kernel finds a route by destination, type, metric and table. */
export function replaceable(from: IpRoute, to: IpRoute): boolean {
  const table = (r: IpRoute): string => (r.table === undefined || r.table === 'main' ? 'main' : r.table);
  return from.dst === to.dst && (from.type ?? 'unicast') === (to.type ?? 'unicast') && (from.metric ?? 0) === (to.metric ?? 0) && table(from) === table(to);
}

/** The `ip` commands (argv after `ip`) that turn kernel route `from` into `to`: none when they are the same route. */
export function planRouteChange(family: '-4' | '-6', from: IpRoute, to: IpRoute): string[][] {
  if (routeKey(from) === routeKey(to)) return [];
  if (replaceable(from, to)) return [[family, 'route', 'replace', ...routeArgs(to), 'proto', 'static']];
  return [
    [family, 'route', 'add', ...routeArgs(to), 'proto', 'static'],
    [family, 'route', 'del', ...routeArgs(from)],
  ];
}

/** A failed route write as a Set answers it: what the kernel refused is 7012 (a missing `ip` stays 7003, an unmanaged interface 7002). */
function refused(e: unknown, path: string): UspError {
  if (!kernelRefused(e)) return e instanceof UspError ? e : new UspError(ErrorCode.InternalError, String(e), { path });
  return new UspError(ErrorCode.InvalidValue, `${path}: the kernel refused the route: ${e.message}`, { path });
}

/** Whether a failed `ip` write is the kernel refusing the route (not `ip` missing, not the agent lacking the right to write). */
function kernelRefused(e: unknown): e is UspError {
  return e instanceof UspError && e.code !== ErrorCode.InternalError && !/Operation not permitted|Permission denied/i.test(e.message);
}

/** Runs `plan`; when a later command fails, the earlier ones are undone (a route added is deleted again). */
async function runPlan<R extends IpRoute>(t: RouteTable<R>, plan: readonly string[][], path: string): Promise<void> {
  const done: string[][] = [];
  try {
    for (const args of plan) {
      await t.ctx.ip.run(args, path);
      done.push(args);
    }
  } catch (e) {
    for (const args of done.reverse()) {
      if (args[2] !== 'add') continue;
      await t.ctx.ip.run([args[0]!, 'route', 'del', ...args.slice(3, -2)]).catch(() => undefined);
    }
    throw refused(e, path);
  }
}

/** A Set of one row (see the file comment). `syncRule` keeps a forwarding policy's ip rule while its table holds a route. */
export async function setRoute<R extends IpRoute>(t: RouteTable<R>, keys: InstanceKeys, changes: Record<string, Value>, syncRule: (n: number) => Promise<void>): Promise<void> {
  const path = t.rowPath(keys);
  const n = keys[keys.length - 1]!;
  const enable = changes.Enable;
  const params = Object.fromEntries(Object.entries(changes).filter(([name]) => name !== 'Enable'));
  const held = t.held.get(n);
  if (held) {
    const next = t.change(held.route as R, params, path);
    t.ctx.ip.requireManaged(next.dev ?? '', path);
    const on = typeof enable === 'boolean' ? enable : held.enable;
    if (!on) return t.held.put({ ...held, enable: false, route: next }, path);
    try {
      await t.ctx.ip.run([t.family, 'route', 'add', ...routeArgs(next), 'proto', 'static'], path);
    } catch (e) {
      if (!kernelRefused(e)) throw e;
      // Enabled, but not in effect: TR-181 Status Error, the kernel's reason in the log.
      t.ctx.log?.warn('static route enabled but refused by the kernel (Status Error)', { path, reason: e instanceof Error ? e.message : String(e) });
      return t.held.put({ ...held, enable: true, route: next }, path);
    }
    t.held.drop(n);
    moveNumber(t.numbers, heldKey(n), routeKey(next));
    await syncRule(policyOfTable(next.table));
    return;
  }

  const r = await t.routeOf(keys);
  const next = t.change(r, params, path);
  const changing = enable === false || routeKey(next) !== routeKey(r);
  if (!changing) return;
  if (!STATIC_PROTOCOLS.has(r.protocol ?? 'boot')) {
    throw new UspError(ErrorCode.RequestDenied, `${path}: only a static route is changed by the agent; this one came from ${r.protocol ?? 'the kernel'}`, { path });
  }
  t.ctx.ip.requireManaged(r.dev ?? '', path);
  t.ctx.ip.requireManaged(next.dev ?? '', path);
  if (enable === false) {
    // Kept first (7005 past the bound), so a refused delete is all that must be undone.
    t.held.put({ n, enable: false, route: { ...next, protocol: 'static' } }, path);
    try {
      await runPlan(t, [[t.family, 'route', 'del', ...routeArgs(r)]], path);
    } catch (e) {
      t.held.drop(n);
      throw e;
    }
    moveNumber(t.numbers, routeKey(r), heldKey(n));
    await syncRule(policyOfTable(r.table));
    return;
  }
  await runPlan(t, planRouteChange(t.family, r, next), path);
  moveNumber(t.numbers, routeKey(r), routeKey(next));
  await syncRule(policyOfTable(next.table));
  if (policyOfTable(next.table) !== policyOfTable(r.table)) await syncRule(policyOfTable(r.table));
}
