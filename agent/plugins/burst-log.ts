/**
 * Logging of failures that repeat: a plugin's provider that throws does so on every request
 * that reads it, and a controller polling every second must not fill the log. The first
 * failure of a key is logged; the repeats within `quietMs` are only counted and reported with
 * the next failure logged after that. Keys are bounded: past `maxKeys`, the oldest is forgotten.
 */
import type { Logger } from '../../datamodel/Logger.js';

export interface BurstLogOptions {
  quietMs?: number;
  maxKeys?: number;
  now?: () => number;
}

export class BurstLog {
  private readonly seen = new Map<string, { at: number; repeats: number }>();
  private readonly quietMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(
    private readonly log: Logger,
    opts: BurstLogOptions = {},
  ) {
    this.quietMs = opts.quietMs ?? 60_000;
    this.maxKeys = opts.maxKeys ?? 256;
    this.now = opts.now ?? Date.now;
  }

  /** Logs `msg` at error level unless `key` was logged less than quietMs ago. Returns whether it logged. */
  error(key: string, msg: string, fields: Record<string, string | number | boolean>): boolean {
    const t = this.now();
    const last = this.seen.get(key);
    if (last && t >= last.at && t - last.at < this.quietMs) {
      last.repeats++;
      return false;
    }
    this.seen.delete(key);
    if (this.seen.size >= this.maxKeys) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { at: t, repeats: 0 });
    this.log.error(msg, last?.repeats ? { ...fields, repeatsNotLogged: last.repeats } : fields);
    return true;
  }
}
