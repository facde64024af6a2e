/**
 * Device.Routing.Router.{i} on Linux (TR-181 Routing:1/2, IPv6Routing:1) and
 * IP.Interface.{i}.Router: the routing instances of routers.ts as a table a Controller adds to
 * and deletes from, and the reference that moves an interface to one.
 *
 * - Router.1 is the kernel's main table: always Enabled (Enable false: 7012, the host keeps its
 *   main routes), never deleted (7024).
 * - An added router starts disabled (TR-181's default); Enable true puts in the `ip rule`s of
 *   the interfaces that name it, false takes them out (its table's routes stay: Status Disabled).
 * - Delete takes out its rules and its table's routes (IPv4 and IPv6, and the rows kept switched
 *   off), and the interfaces that named it name Router.1 again (TR-181 strong reference: the
 *   reference is emptied, and an interface of no router is routed by the main table). A
 *   rolled-back Delete puts the router, its interfaces and its routes back.
 * - IP.Interface.Router reads `Device.Routing.Router.N`, Router.1 for every interface no
 *   Controller moved; a Set ("" is Router.1) needs a managed interface (7002) and a router that
 *   exists (7012).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { ExtraParams } from '../../datamodel/tree/extra-params.js';
import type { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { Value } from '../../datamodel/value/Value.js';
import { CommandError } from '../exec/CommandError.js';
import type { LinuxContext } from './LinuxContext.js';
import { routeArgs } from './route-key.js';
import { routerTable } from './router-rules.js';
import { MAX_ADDED_ROUTERS, routerOfReference, type LinuxRouters, type RoutersState } from './routers.js';
import { parseIpRoutes, type IpRoute } from './routing.js';

const ROUTER_PARAMS: readonly string[] = ['Enable', 'Status'];
const ROUTER_NAMES: readonly string[] = ['Router'];

/** What a Delete of a router took away from the kernel, for a rolled-back one. */
interface RemovedRouter {
  n: number;
  routes: Array<{ family: '-4' | '-6'; route: IpRoute }>;
  /** Puts back the rows switched off that the forwarding tables held for it. */
  undoHeld: () => void;
}

const routerPath = (n: number | undefined): string => `Device.Routing.Router.${n ?? '{i}'}.`;

/** Registers Device.Routing.Router.{i}. (Add and Delete only where `routers` has a store to keep them in). */
export function registerRouters(ctx: LinuxContext, routers: LinuxRouters): void {
  /** What the last Delete took away: a rolled-back Delete brings it back. */
  let removed: RemovedRouter | undefined;
  const tableRoutes = async (n: number): Promise<RemovedRouter['routes']> => {
    const table = String(routerTable(n));
    const out: RemovedRouter['routes'] = [];
    for (const family of ['-4', '-6'] as const) {
      const routes = parseIpRoutes(await ctx.runner.run('ip', [family, '-json', 'route', 'show', 'table', 'all']));
      out.push(...routes.filter((r) => r.table === table).map((route) => ({ family, route })));
    }
    return out;
  };

  const binding: ObjectBinding = {
    params: ROUTER_PARAMS,
    list: () => routers.list(),
    get: (keys) => {
      routers.require(keys[0]);
      const enable = keys[0] === 1 || routers.added(keys[0])!.enable;
      return { Enable: enable, Status: enable ? 'Enabled' : 'Disabled' };
    },
    // Router 1 is the kernel's main routing table (254), whatever the numbering; an added one its own table: its stored Alias goes with it.
    rowIdentity: ([n]) => (n === 1 ? 'table main' : routers.added(n) ? `table ${routerTable(n!)}` : undefined),
    set: async (keys, changes) => {
      const n = keys[0]!;
      routers.require(n);
      if (typeof changes.Enable !== 'boolean') return;
      const path = routerPath(n);
      if (n === 1) {
        if (!changes.Enable) throw new UspError(ErrorCode.InvalidValue, `${path}Enable: Router.1 is the host's main routing table and stays enabled`, { path });
        return;
      }
      const state = routers.state();
      await routers.change({ ...state, routers: state.routers.map((r) => (r.n === n ? { ...r, enable: changes.Enable as boolean } : r)) }, path);
    },
  };
  if (routers.addable) {
    Object.assign(binding, {
      add: async (_parentKeys: InstanceKeys, params: Record<string, Value>) => {
        const state = routers.state();
        if (state.routers.length >= MAX_ADDED_ROUTERS) {
          throw new UspError(ErrorCode.ResourcesExceeded, `Device.Routing.Router.: at most ${MAX_ADDED_ROUTERS} routers beside Router.1 on this device`);
        }
        const n = state.next;
        await routers.change({ ...state, next: n + 1, routers: [...state.routers, { n, enable: params.Enable === true }] }, routerPath(n));
        return n;
      },
      delete: async (keys: InstanceKeys) => {
        const n = keys[0]!;
        const path = routerPath(n);
        if (n === 1) throw new UspError(ErrorCode.DeleteFailure, `${path}: Router.1 is the host's main routing table and cannot be deleted`, { path });
        routers.require(n);
        const state = routers.state();
        // Read before anything goes: a rolled-back Delete puts these routes back.
        const routes = await tableRoutes(n);
        // Interfaces that named it are routed by Router.1 again (their reference emptied).
        const interfaces = Object.fromEntries(Object.entries(state.interfaces).filter(([, r]) => r !== n));
        await routers.change({ ...state, routers: state.routers.filter((r) => r.n !== n), interfaces }, path);
        for (const family of ['-4', '-6'] as const) await flushTable(ctx, family, routerTable(n));
        removed = { n, routes, undoHeld: routers.dropTableRows(routerTable(n)) };
      },
      // The kept state before the Delete (taken before it runs); the kernel's part is kept by the Delete itself.
      snapshot: (): RoutersState => routers.state(),
      restore: async (keys: InstanceKeys, snap: unknown) => {
        const n = keys[0]!;
        routers.save(snap as RoutersState);
        if (removed?.n === n) {
          for (const { family, route } of removed.routes) await ctx.ip.run([family, 'route', 'add', ...routeArgs(route), 'proto', route.protocol ?? 'boot']).catch(() => undefined);
          removed.undoHeld();
        }
        removed = undefined;
        await routers.syncRules();
      },
    } satisfies Partial<ObjectBinding>);
  }
  ctx.model.register('Device.Routing.Router.{i}.', binding);
}

/** Empties kernel table `table` of `family`; an IPv4 table without a route does not exist, which is no failure here. */
async function flushTable(ctx: LinuxContext, family: '-4' | '-6', table: number): Promise<void> {
  try {
    await ctx.runner.run('ip', [family, 'route', 'flush', 'table', String(table)]);
  } catch (e) {
    if (!(e instanceof CommandError && /table does not exist/i.test(e.stderr))) throw e;
  } finally {
    ctx.runner.invalidate('ip ');
  }
}

/**
 * IP.Interface.{i}.Router (ExtraParams beside ip.ts's binding): read from `routers`; written
 * (where routers can be added) for the interfaces the agent manages.
 */
export function interfaceRouterParam(ctx: LinuxContext, routers: LinuxRouters, interfaces: InstanceMap): ExtraParams {
  const read = (keys: InstanceKeys): Record<string, Value> => {
    const name = interfaces.keyOf(keys[0]);
    return { Router: `Device.Routing.Router.${name === undefined ? 1 : routers.routerOfInterface(name)}` };
  };
  if (!routers.addable) return { names: ROUTER_NAMES, read };
  return {
    names: ROUTER_NAMES,
    read,
    write: async (keys, changes) => {
      if (typeof changes.Router !== 'string') return;
      const path = `Device.IP.Interface.${keys[0]}.`;
      const name = interfaces.requireKey(keys[0]);
      ctx.ip.requireManaged(name, path);
      const n = routerOfReference(changes.Router);
      if (n === undefined || (n !== 1 && !routers.added(n))) {
        throw new UspError(ErrorCode.InvalidValue, `${path}Router: ${JSON.stringify(changes.Router)} names no Device.Routing.Router row`, { path });
      }
      const state = routers.state();
      const { [name]: _, ...others } = state.interfaces;
      await routers.change({ ...state, interfaces: n === 1 ? others : { ...others, [name]: n } }, path);
    },
  };
}
