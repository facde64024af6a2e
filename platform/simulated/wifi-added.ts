/**
 * Rows a Controller adds to a table beside the factory rows of the simulated hardware
 * (Device.WiFi.SSID.{i}. and AccessPoint.{i}., TR-181 WiFiSSID:1 and WiFiAccessPoint:1 require
 * both to be createDelete). The factory rows keep their numbers 1..n; added rows are numbered
 * from n + 1 by the store's counter (never reused while the data directory lives) and are kept
 * whole in the agent's store, sub-objects (Security., WPS.) included, so they survive a restart
 * and a failed transaction puts them back exactly.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { SimContext } from './SimContext.js';

export class AddedRows {
  private readonly tablePath: string;

  /**
   * `tablePath` is the concrete table path ("Device.WiFi.SSID."); rows are numbered from
   * `first`, at most `max` of them at a time; `defaults(n)` is what row n reads before any write.
   */
  constructor(
    private readonly ctx: SimContext,
    tablePath: string,
    private readonly first: number,
    private readonly max: number,
    private readonly defaults: (n: number) => Record<string, Value>,
  ) {
    this.tablePath = tablePath;
  }

  list(): number[] {
    return this.ctx.store.instances(this.tablePath).filter((n) => n >= this.first);
  }

  has(n: number): boolean {
    return n >= this.first && this.list().includes(n);
  }

  row(n: number): Record<string, Value> {
    return { ...this.defaults(n), ...(this.ctx.store.row(this.path(n)) ?? {}) };
  }

  /** Allocates the next number (from `first` on) and stores `params` as the new row. */
  add(params: Record<string, Value>, what: string): number {
    if (this.list().length >= this.max) throw new UspError(ErrorCode.ResourcesExceeded, `at most ${this.max} ${what} can be added`);
    const { store } = this.ctx;
    let n = store.allocate(this.tablePath);
    if (n < this.first) {
      // The table's first allocation: move its counter past the factory rows. remove() drops
      // the rows stored under the number too, which are a factory row's settings: put them back.
      const factoryRows = store.snapshotSubtree(this.path(n)).rows;
      store.remove(this.path(n), this.tablePath, n);
      for (const [path, values] of factoryRows) store.setRow(path, values);
      n = store.allocate(this.tablePath, this.first);
    }
    store.setRow(this.path(n), { ...params });
    return n;
  }

  apply(n: number, changes: Record<string, Value>): void {
    this.ctx.store.setRow(this.path(n), { ...(this.ctx.store.row(this.path(n)) ?? {}), ...changes });
  }

  remove(n: number): void {
    this.ctx.store.remove(this.path(n), this.tablePath, n);
  }

  snapshot(n: number): unknown {
    return this.ctx.store.snapshotSubtree(this.path(n));
  }

  restore(n: number, snap: unknown): void {
    this.ctx.store.restoreSubtree(this.tablePath, n, snap as ReturnType<SimContext['store']['snapshotSubtree']>);
  }

  private path(n: number): string {
    return `${this.tablePath}${n}.`;
  }
}
