/**
 * The Linux routing instances (Device.Routing.Router.{i}) and which one routes each IP
 * interface (IP.Interface.{i}.Router). Router.1 is the kernel's main table: always there, always
 * enabled. A Controller adds more (at most MAX_ADDED_ROUTERS): each a table of its own
 * (router-rules.ts), chosen for the packets arriving on the interfaces that name it by one
 * `ip rule` per interface and family while the router is enabled.
 *
 * What the agent keeps (one JSON value, `$routers` in the store row Device.Routing., beside the
 * held routes of route-held.ts): the added routers with their Enable, the next instance number
 * (never given twice, so a deleted router's table is never another's), and the router of each
 * interface by device name (names, not instance numbers, stay the same across restarts). The
 * rules are made again from it when the agent starts. Without a store only Router.1 exists.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { HELD_ROUTES_ROW } from './route-held.js';
import type { LinuxContext } from './LinuxContext.js';
import { policyOfTable } from './policy-routing.js';
import { parseRouterRules, planRouterRules, routerTable, ROUTER_TABLE_BASE, type RouterRule } from './router-rules.js';

/** Routers a Controller may add beside Router.1: each costs two rules per interface it routes. */
export const MAX_ADDED_ROUTERS = 8;
/** The `$`-key of the routers' state in HELD_ROUTES_ROW. */
const KEY = '$routers';
const IFNAME = /^[\w.@-]{1,15}$/;

/** One router a Controller added. */
export interface AddedRouter {
  n: number;
  enable: boolean;
}

/** What is kept of the routers. */
export interface RoutersState {
  /** The number the next Add gets. */
  next: number;
  routers: AddedRouter[];
  /** The router of each interface that is not routed by Router.1, by device name. */
  interfaces: Record<string, number>;
}

const EMPTY: RoutersState = { next: 2, routers: [], interfaces: {} };

/** A stored value as RoutersState; what this version cannot read is left out (a damaged store starts empty). */
export function parseRoutersState(raw: unknown): RoutersState {
  let o: unknown;
  try {
    o = typeof raw === 'string' ? JSON.parse(raw) : undefined;
  } catch {
    return EMPTY;
  }
  if (typeof o !== 'object' || o === null) return EMPTY;
  const { next, routers, interfaces } = o as Partial<Record<keyof RoutersState, unknown>>;
  const isN = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 2 && v < 2 ** 31 - ROUTER_TABLE_BASE;
  const rs = (Array.isArray(routers) ? routers : [])
    .filter((r: Partial<AddedRouter> | null): r is AddedRouter => isN(r?.n) && typeof r.enable === 'boolean')
    .slice(0, MAX_ADDED_ROUTERS)
    .map(({ n, enable }) => ({ n, enable }));
  const known = new Set(rs.map((r) => r.n));
  const ifs: Record<string, number> = {};
  if (typeof interfaces === 'object' && interfaces !== null) {
    for (const [name, n] of Object.entries(interfaces)) if (IFNAME.test(name) && typeof n === 'number' && known.has(n)) ifs[name] = n;
  }
  const highest = Math.max(1, ...rs.map((r) => r.n));
  return { next: isN(next) && next > highest ? next : highest + 1, routers: rs, interfaces: ifs };
}

/** The rules `state` wants in the kernel: one per interface of an enabled added router. */
export function wantedRules(state: RoutersState): RouterRule[] {
  const on = new Set(state.routers.filter((r) => r.enable).map((r) => r.n));
  return Object.entries(state.interfaces)
    .filter(([, n]) => on.has(n))
    .map(([iif, n]) => ({ iif, table: routerTable(n) }));
}

/** `Device.Routing.Router.N` (or `""`: Router.1, the main table) as a router number; undefined when it names no router. */
export function routerOfReference(ref: string): number | undefined {
  if (ref === '') return 1;
  const m = /^Device\.Routing\.Router\.([1-9]\d{0,9})\.?$/.exec(ref);
  return m ? Number(m[1]) : undefined;
}

/** Undoes what removing a router's table did to a forwarding table's own rows (held routes). */
export type TableRemoval = (table: number) => () => void;

export class LinuxRouters {
  /** Without a store: the state itself. */
  private memory: RoutersState = EMPTY;
  private readonly removals: TableRemoval[] = [];

  constructor(
    private readonly ctx: LinuxContext,
    private readonly store?: DataStore,
  ) {}

  /** Whether Controllers can add routers (the agent has somewhere to keep them). */
  get addable(): boolean {
    return this.store !== undefined;
  }

  /** The last parse, valid while the stored text is the same (every route of a read asks which router it is). */
  private parsed: { raw: unknown; state: RoutersState } | undefined;

  state(): RoutersState {
    if (!this.store) return this.memory;
    const raw = this.store.row(HELD_ROUTES_ROW)?.[KEY];
    if (this.parsed === undefined || this.parsed.raw !== raw) this.parsed = { raw, state: parseRoutersState(raw) };
    return this.parsed.state;
  }

  save(state: RoutersState): void {
    if (!this.store) {
      this.memory = state;
      return;
    }
    this.store.setRow(HELD_ROUTES_ROW, { ...(this.store.row(HELD_ROUTES_ROW) ?? {}), [KEY]: JSON.stringify(state) });
  }

  /** Router numbers, ascending: 1 (main) and the added ones. */
  list(): number[] {
    return [1, ...this.state().routers.map((r) => r.n)].sort((a, b) => a - b);
  }

  added(n: number | undefined): AddedRouter | undefined {
    return this.state().routers.find((r) => r.n === n);
  }

  /** 7016 unless Router.{n} exists. */
  require(n: number | undefined): void {
    if (n !== 1 && !this.added(n)) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such router: Device.Routing.Router.${n}`);
  }

  /** The table of Router.{n}'s routes: undefined for Router.1 (main, and its policy tables). */
  tableOf(n: number): string | undefined {
    return n === 1 ? undefined : String(routerTable(n));
  }

  /** The router whose route a route of `table` (as `ip -json route` names it) is; undefined: another table, no router's. */
  routerOfTable(table: string | undefined): number | undefined {
    if (table === undefined || table === 'main' || policyOfTable(table) >= 0) return 1;
    const n = Number(table) - ROUTER_TABLE_BASE;
    return this.added(n) ? n : undefined;
  }

  /** The router of interface `ifname` (1 unless a Controller moved it). */
  routerOfInterface(ifname: string): number {
    return this.state().interfaces[ifname] ?? 1;
  }

  /** Registers what a Delete of a router must also drop (and a rolled-back one bring back) of a forwarding table. */
  onTableRemoved(removal: TableRemoval): void {
    this.removals.push(removal);
  }

  /** Drops the rows the forwarding tables hold for `table` beside the kernel's; returns their undo. */
  dropTableRows(table: number): () => void {
    const undo = this.removals.map((r) => r(table));
    return () => undo.forEach((u) => u());
  }

  /**
   * Keeps `next` and makes the kernel's router rules what it wants; when `ip rule` refuses, the
   * state before is kept again (and its rules restored) and the Set or Add fails with 7012.
   */
  async change(next: RoutersState, path: string): Promise<void> {
    const before = this.state();
    this.save(next);
    try {
      await this.syncRules();
    } catch (e) {
      this.save(before);
      await this.syncRules().catch(() => undefined);
      const why = e instanceof Error ? e.message : String(e);
      throw new UspError(ErrorCode.InvalidValue, `${path}: the kernel refused the routing rules: ${why}`, { path });
    }
  }

  /** Once the store is loaded: the rules of the kept routers (a reboot emptied the kernel's), a failure only logged. */
  async start(): Promise<void> {
    try {
      await this.syncRules();
    } catch (e) {
      this.ctx.log?.warn('routing rules of the added routers not made', { why: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Makes the router rules of both families what the kept state wants (at start, and after each change). */
  async syncRules(): Promise<void> {
    const wanted = wantedRules(this.state());
    for (const family of ['-4', '-6'] as const) {
      const present = parseRouterRules(await this.ctx.runner.run('ip', [family, '-json', 'rule', 'show']));
      for (const args of planRouterRules(present, wanted)) await this.ctx.ip.run([family, 'rule', ...args]);
    }
  }
}
