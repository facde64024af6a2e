/**
 * Stable instance numbers for tables whose rows come from the host (network interfaces, IP
 * addresses, modems): a row keeps its number for as long as the agent runs, however other rows
 * come and go, and a number is never handed to a different row (TR-369 "Instance numbers are
 * not reused"). Numbers are not persisted: after an agent restart they are assigned afresh.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';

export class InstanceNumbers<K = string> {
  private readonly byKey = new Map<K, number>();
  private readonly byNumber = new Map<number, K>();
  private next = 1;

  /** The number of `key`, assigning the next free one on first sight. */
  numberOf(key: K): number {
    let n = this.byKey.get(key);
    if (n === undefined) {
      n = this.next++;
      this.byKey.set(key, n);
      this.byNumber.set(n, key);
    }
    return n;
  }

  /**
   * The numbers of the rows present now, ascending. New rows are numbered in the order given,
   * so callers pass them in a meaningful order (ifindex, modem index).
   */
  list(present: Iterable<K>): number[] {
    const out: number[] = [];
    for (const k of present) out.push(this.numberOf(k));
    return out.sort((a, b) => a - b);
  }

  /** The key of instance `n`, or a 7016 when no row ever had that number. */
  keyOf(n: number | undefined): K {
    const k = n === undefined ? undefined : this.byNumber.get(n);
    if (k === undefined) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${n}`);
    return k;
  }
}
