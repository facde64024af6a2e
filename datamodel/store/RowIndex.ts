/**
 * Stored rows of one kind of table (one supported path, e.g. "Device.NAT.PortMapping.{i}."),
 * found by the values of some of their parameters without reading every row: what a TR-181
 * unique-key check (TR-369 R-ADD.5 / R-SET.2a, error 7025) or a per-Recipient bound needs when a
 * table holds 10,000 rows. The DataStore keeps it, since every change of a stored row passes
 * through it (set, remove, restore, revert after a failed save, load, factory reset), so an undo
 * or a rollback keeps the index right with no work of the transaction's own.
 *
 * The index is built only when a lookup meets a table of more than SCAN_LIMIT rows: a smaller
 * table is read row by row, which costs no more than a few string comparisons. Most tables of a
 * gateway hold a handful of rows, and a fleet of 10,000 gateways would otherwise keep two maps
 * per indexed table per gateway for lookups that a scan answers as fast.
 */
import type { Value } from '../value/Value.js';

/** Tables up to this many rows are scanned instead of indexed. */
export const SCAN_LIMIT = 32;

/** What an index reads its rows from (the DataStore). */
export interface RowSource {
  /** Instance numbers of the concrete table, ascending. */
  instances(tablePath: string): readonly number[];
  row(path: string): Readonly<Record<string, Value>> | undefined;
  /** Every stored row of the tables at the index's supported path, with its table path and number. */
  rowsOf(supportedPath: string, visit: (path: string, tablePath: string, n: number, row: Readonly<Record<string, Value>>) => void): void;
}

export class RowIndex {
  /**
   * Table path + the row's values of `params` → instance numbers holding them; undefined until
   * the index is built (a lookup in a table above SCAN_LIMIT rows) and again after clear().
   */
  private entries: Map<string, Set<number>> | undefined;
  /** Row path → its entry, to take it out when the row changes or goes (with `entries`). */
  private entryOf: Map<string, string> | undefined;

  /**
   * `defaults`: what a parameter the row does not store reads as (the stored binding serves the
   * schema default then), so the index compares what a Get would return.
   */
  constructor(
    readonly supportedPath: string,
    readonly params: readonly string[],
    readonly defaults: Readonly<Record<string, Value>>,
    private readonly source: RowSource,
  ) {}

  /** Whether the maps exist (tests, and the store, which tells an unbuilt index nothing). */
  get built(): boolean {
    return this.entries !== undefined;
  }

  /** The row `tablePath` + `n` at `path` now holds `row` (undefined: it is gone). */
  update(path: string, tablePath: string, n: number, row: Readonly<Record<string, Value>> | undefined): void {
    const entries = this.entries;
    const entryOf = this.entryOf;
    if (!entries || !entryOf) return;
    const was = entryOf.get(path);
    const now = row ? this.entry(tablePath, row) : undefined;
    if (was === now) return;
    if (was !== undefined) {
      const set = entries.get(was);
      set?.delete(n);
      if (set?.size === 0) entries.delete(was);
      entryOf.delete(path);
    }
    if (now !== undefined) {
      let set = entries.get(now);
      if (!set) entries.set(now, (set = new Set()));
      set.add(n);
      entryOf.set(path, now);
    }
  }

  /** Instances of the table at `tablePath` whose `params` equal those of `values`, ascending. */
  find(tablePath: string, values: Readonly<Record<string, Value>>): number[] {
    const wanted = this.entry(tablePath, values);
    const entries = this.entries ?? this.buildIfLarge(tablePath);
    if (!entries) return this.scan(tablePath, wanted);
    const set = entries.get(wanted);
    return set ? [...set].sort((a, b) => a - b) : [];
  }

  /** How many rows of the table at `tablePath` hold these values (no copy: a bound's count). */
  count(tablePath: string, values: Readonly<Record<string, Value>>): number {
    const wanted = this.entry(tablePath, values);
    const entries = this.entries ?? this.buildIfLarge(tablePath);
    if (!entries) return this.scan(tablePath, wanted).length;
    return entries.get(wanted)?.size ?? 0;
  }

  /** Forgets the maps (every row was replaced at once): the next lookup of a large table builds them again. */
  clear(): void {
    this.entries = undefined;
    this.entryOf = undefined;
  }

  /** The rows of the table whose entry is `wanted`, read one by one (ascending, as instances are). */
  private scan(tablePath: string, wanted: string): number[] {
    const out: number[] = [];
    for (const n of this.source.instances(tablePath)) {
      const row = this.source.row(`${tablePath}${n}.`);
      if (row && this.entry(tablePath, row) === wanted) out.push(n);
    }
    return out;
  }

  /** Builds the maps from every stored row when the table looked up is above SCAN_LIMIT rows. */
  private buildIfLarge(tablePath: string): Map<string, Set<number>> | undefined {
    if (this.source.instances(tablePath).length <= SCAN_LIMIT) return undefined;
    this.entries = new Map();
    this.entryOf = new Map();
    this.source.rowsOf(this.supportedPath, (path, table, n, row) => this.update(path, table, n, row));
    return this.entries;
  }

  /**
   * Values are primitives (Value), so type and text identify one exactly as `===` does; the
   * separator cannot occur in a path, so two different value lists never share an entry.
   */
  private entry(tablePath: string, values: Readonly<Record<string, Value>>): string {
    let e = tablePath;
    for (const p of this.params) {
      const v = values[p] ?? this.defaults[p];
      e += `\u0000${typeof v}:${String(v).replaceAll('\\', '\\\\').replaceAll('\u0000', '\\0')}`;
    }
    return e;
  }
}
