/**
 * Static routes the kernel does not hold but a Routing.Router.1.IPv4Forwarding/IPv6Forwarding
 * row still names: rows a Controller switched off (Enable false: TR-181 keeps a disabled row in
 * the table, Status Disabled, with no route in effect) and rows switched on whose route the
 * kernel refused (Status Error: its interface down or gone, its gateway not reachable). The
 * kernel forgets a route it does not hold, so the agent keeps these: one JSON value per table in
 * its store (row Device.Routing.), each row with its instance number, so it comes back under the
 * same number (and with it its stored Alias) after an agent restart. Without a store they are
 * kept for the life of the agent. Bounded.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { IpRoute } from './routing.js';

/** The store row holding the held routes of both tables. */
export const HELD_ROUTES_ROW = 'Device.Routing.';
/** Held rows kept at most per table: a Controller cannot grow the agent without bound. */
export const MAX_HELD_ROUTES = 64;

/** One row the kernel does not hold: its route as the agent would write it, and its Enable. */
export interface HeldRoute {
  /** The row's instance number. */
  n: number;
  /** false: Status Disabled; true: the kernel refused it (Status Error). */
  enable: boolean;
  route: IpRoute;
}

/** The InstanceMap key of a held row: apart from every kernel route's key (route-table.ts routeKey). */
export const heldKey = (n: number): string => `held:${n}`;

const str = (v: unknown, re: RegExp): string | undefined => (typeof v === 'string' && re.test(v) ? v : undefined);
/** What a stored value may be, so a damaged store cannot put odd words into an `ip` command line. */
const DST = /^(default|[0-9a-fA-F.:]{2,39}(\/\d{1,3})?)$/;
const ADDRESS = /^[0-9a-fA-F.:]{2,39}$/;
const IFNAME = /^[\w.@-]{1,15}$/;
const TABLE = /^\d{1,10}$/;
const TYPE = /^(blackhole|unreachable|prohibit)$/;

/** A stored entry as a HeldRoute, or undefined for one this version cannot read (left out). */
function fromStored(item: unknown): HeldRoute | undefined {
  if (!Array.isArray(item)) return undefined;
  const [n, enable, r] = item as unknown[];
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || typeof enable !== 'boolean' || typeof r !== 'object' || r === null) return undefined;
  const o = r as Record<string, unknown>;
  const dst = str(o.dst, DST);
  if (dst === undefined) return undefined;
  const metric = typeof o.metric === 'number' && Number.isInteger(o.metric) && o.metric > 0 ? o.metric : undefined;
  const type = str(o.type, TYPE);
  return { n, enable, route: { dst, dev: str(o.dev, IFNAME), gateway: str(o.gateway, ADDRESS), metric, table: str(o.table, TABLE), protocol: 'static', ...(type ? { type } : {}) } };
}

/** What is stored of a route: what `ip route add` needs to put it back. */
const toStored = (h: HeldRoute): unknown[] => [h.n, h.enable, { dst: h.route.dst, gateway: h.route.gateway, dev: h.route.dev, metric: h.route.metric, table: h.route.table, type: h.route.type }];

export class HeldRoutes {
  /** Without a store: the value itself. */
  private memory: Value | undefined;
  /** The last parse, valid while the stored text is the same. */
  private parsed: { from: Value | undefined; rows: HeldRoute[] } | undefined;

  /** `key`: the `$`-key of this table's value in HELD_ROUTES_ROW. */
  constructor(
    private readonly store: DataStore | undefined,
    private readonly key: string,
    private readonly numbers: InstanceMap,
  ) {}

  private raw(): Value | undefined {
    return this.store ? this.store.row(HELD_ROUTES_ROW)?.[this.key] : this.memory;
  }

  private parse(): HeldRoute[] {
    const raw = this.raw();
    if (this.parsed && this.parsed.from === raw) return this.parsed.rows;
    let items: unknown;
    try {
      items = typeof raw === 'string' ? JSON.parse(raw) : [];
    } catch {
      items = [];
    }
    const rows = (Array.isArray(items) ? items : [])
      .map(fromStored)
      .filter((h): h is HeldRoute => h !== undefined)
      .slice(0, MAX_HELD_ROUTES);
    this.parsed = { from: raw, rows };
    return rows;
  }

  /**
   * The held rows, each under its own number: claimed before the kernel's routes are numbered
   * (a number from an earlier run). One whose number another row holds now is left out rather
   * than shown twice.
   */
  all(): HeldRoute[] {
    return this.parse().filter((h) => this.numbers.claim(heldKey(h.n), h.n));
  }

  /** The held row with instance number `n`. */
  get(n: number | undefined): HeldRoute | undefined {
    return n === undefined ? undefined : this.all().find((h) => h.n === n);
  }

  /** Keeps (or replaces) a held row; 7005 past the bound. */
  put(h: HeldRoute, path: string): void {
    const others = this.parse().filter((x) => x.n !== h.n);
    if (others.length >= MAX_HELD_ROUTES) {
      throw new UspError(ErrorCode.ResourcesExceeded, `${path}Enable: at most ${MAX_HELD_ROUTES} routes are kept switched off or refused; Delete some`, { path });
    }
    this.save([...others, h]);
  }

  /** Forgets a held row (enabled in the kernel again, or deleted). */
  drop(n: number): void {
    const rows = this.parse();
    if (rows.some((h) => h.n === n)) this.save(rows.filter((h) => h.n !== n));
  }

  /** Forgets the rows of kernel table `table` (its router deleted); returns what puts them back. */
  dropTable(table: string): () => void {
    const rows = this.parse();
    const gone = rows.filter((h) => h.route.table === table);
    if (gone.length === 0) return () => undefined;
    this.save(rows.filter((h) => h.route.table !== table));
    return () => this.save([...this.parse().filter((h) => !gone.some((g) => g.n === h.n)), ...gone]);
  }

  private save(rows: readonly HeldRoute[]): void {
    const text = JSON.stringify(rows.map(toStored));
    if (!this.store) this.memory = text;
    else this.store.setRow(HELD_ROUTES_ROW, { ...(this.store.row(HELD_ROUTES_ROW) ?? {}), [this.key]: text });
  }
}
