import { ErrorCode, UspError } from '../UspError.js';

/**
 * Stable instance numbers for rows that come and go on the device (TR-369 R-OBJ: an instance
 * number keeps naming the same row while it exists, and is not reused for another row). A row
 * is known by a stable key (interface name, UCI section, MAC address); the key gets the next
 * number the first time it is seen and keeps it for the life of the agent, even while its row is
 * absent, so a station that leaves and returns is the same instance again. Numbers are not
 * persisted: after an agent restart they are assigned afresh. Every platform uses this one
 * allocator (a plugin binding a table should too).
 */
export class InstanceMap {
  private readonly numbers = new Map<string, number>();
  private readonly keys = new Map<number, string>();
  private next = 1;
  /** Claimed numbers ahead of the counter whose keys were retired (made at the first). */
  private retiredAhead: Set<number> | undefined;

  /** The instance number of `key`, allocating the next one on first sight. */
  numberOf(key: string): number {
    let n = this.numbers.get(key);
    if (n === undefined) {
      // Past numbers claimed ahead of the counter (claim): they belong to their keys.
      while (this.keys.has(this.next) || this.retiredAhead?.has(this.next)) {
        this.retiredAhead?.delete(this.next);
        this.next++;
      }
      n = this.next++;
      this.numbers.set(key, n);
      this.keys.set(n, key);
    }
    return n;
  }

  /**
   * Gives `key` number `n`, a number the agent kept from an earlier run (a row a Controller
   * added, saved in the store), before the rows found on the device are numbered: the counter
   * passes over it. False when `n` belongs to another key already.
   */
  claim(key: string, n: number): boolean {
    if (this.numbers.get(key) === n) return true;
    if (this.keys.has(n) || this.numbers.has(key)) return false;
    this.numbers.set(key, n);
    this.keys.set(n, key);
    return true;
  }

  /** The number of `key` if it has one, without allocating. */
  peek(key: string): number | undefined {
    return this.numbers.get(key);
  }

  /** The key an instance number was given to. */
  keyOf(n: number | undefined): string | undefined {
    return n === undefined ? undefined : this.keys.get(n);
  }

  /** The key of instance `n`, or a 7016 when no present or past row has that number. */
  requireKey(n: number | undefined): string {
    const k = this.keyOf(n);
    if (k === undefined) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${n}`);
    return k;
  }

  /**
   * Numbers for the rows present now, ascending. New keys are numbered in the order given, so
   * the first listing numbers rows in the producer's order.
   */
  list(presentKeys: Iterable<string>): number[] {
    const out: number[] = [];
    for (const k of presentKeys) out.push(this.numberOf(k));
    return out.sort((a, b) => a - b);
  }

  /**
   * Forgets `key` without freeing its number: a row a Controller deleted and later adds again
   * under the same key (a VLAN ID) is a new instance, not the old one back.
   */
  retire(key: string): void {
    const n = this.numbers.get(key);
    if (n === undefined) return;
    this.numbers.delete(key);
    this.keys.delete(n);
    // A claimed number ahead of the counter is not handed out again either.
    if (n >= this.next) (this.retiredAhead ??= new Set()).add(n);
  }

  /**
   * Moves numbers to new keys, all pairs at once (a key may be renamed to another's old name):
   * a UCI section libuci renamed keeps its instance. Pairs whose old key has no number are skipped.
   */
  rekey(pairs: ReadonlyArray<readonly [string, string]>): void {
    const moves = pairs.flatMap(([from, to]) => {
      const n = this.numbers.get(from);
      return n === undefined ? [] : [[n, to] as const];
    });
    for (const [from] of pairs) this.numbers.delete(from);
    for (const [n, to] of moves) {
      this.numbers.set(to, n);
      this.keys.set(n, to);
    }
  }
}
