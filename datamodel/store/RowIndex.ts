/**
 * Stored rows of one kind of table (one supported path, e.g. "Device.NAT.PortMapping.{i}."),
 * found by the values of some of their parameters without reading every row: what a TR-181
 * unique-key check (TR-369 R-ADD.5 / R-SET.2a, error 7025) or a per-Recipient bound needs when a
 * table holds 10,000 rows. The DataStore keeps it, since every change of a stored row passes
 * through it (set, remove, restore, revert after a failed save, load, factory reset), so an undo
 * or a rollback keeps the index right with no work of the transaction's own.
 */
import type { Value } from '../value/Value.js';

export class RowIndex {
  /**
   * Table path + the row's values of `params` → instance numbers holding them. Made at the first
   * row: most indexed tables of a gateway stay empty, and a fleet pays two maps per table per gateway.
   */
  private entries: Map<string, Set<number>> | undefined;
  /** Row path → its entry, to take it out when the row changes or goes. */
  private entryOf: Map<string, string> | undefined;

  /**
   * `defaults`: what a parameter the row does not store reads as (the stored binding serves the
   * schema default then), so the index compares what a Get would return.
   */
  constructor(
    readonly params: readonly string[],
    private readonly defaults: Readonly<Record<string, Value>>,
  ) {}

  /** The row `tablePath` + `n` at `path` now holds `row` (undefined: it is gone). */
  update(path: string, tablePath: string, n: number, row: Readonly<Record<string, Value>> | undefined): void {
    const was = this.entryOf?.get(path);
    const now = row ? this.entry(tablePath, row) : undefined;
    if (was === now) return;
    if (was !== undefined) {
      const set = this.entries?.get(was);
      set?.delete(n);
      if (set?.size === 0) this.entries?.delete(was);
      this.entryOf?.delete(path);
    }
    if (now !== undefined) {
      const entries = (this.entries ??= new Map<string, Set<number>>());
      let set = entries.get(now);
      if (!set) entries.set(now, (set = new Set()));
      set.add(n);
      (this.entryOf ??= new Map<string, string>()).set(path, now);
    }
  }

  /** Instances of the table at `tablePath` whose `params` equal those of `values`, ascending. */
  find(tablePath: string, values: Readonly<Record<string, Value>>): number[] {
    const set = this.entries?.get(this.entry(tablePath, values));
    return set ? [...set].sort((a, b) => a - b) : [];
  }

  /** How many rows of the table at `tablePath` hold these values (no copy: a bound's count). */
  count(tablePath: string, values: Readonly<Record<string, Value>>): number {
    if (!this.entries) return 0;
    return this.entries.get(this.entry(tablePath, values))?.size ?? 0;
  }

  clear(): void {
    this.entries = undefined;
    this.entryOf = undefined;
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
