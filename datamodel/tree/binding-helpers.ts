/**
 * The common shapes of a binding, named once (node-opcua's bindVariable has the same few):
 * a constant object, a source read at most once per maximum age and shared by concurrent reads,
 * and a table served from a list of rows keyed by something stable. Platforms and plugins build
 * bindings from these so a binding is a few lines; each shape still registers per object, so one
 * source call fills a whole object (or a whole table).
 */
import type { Value } from '../value/Value.js';
import type { Awaitable, InstanceKeys, ObjectBinding } from './binding.js';
import { InstanceMap } from './InstanceMap.js';
import { ErrorCode, UspError } from '../UspError.js';

/** A read-only object whose values never change (ValueChange never polls it). */
export function constantObject(values: Readonly<Record<string, Value>>): ObjectBinding {
  return { params: Object.keys(values), get: () => ({ ...values }), changesOnlyThroughAgent: true };
}

export interface CachedOptions {
  /** How long one read of the source is reused, in ms (reads overlapping a call in flight within it share it); 0: every read calls the source. */
  maxAgeMs: number;
  /** The clock (ms); default Date.now. Tests give a fake one. */
  now?: () => number;
}

/** A source read through `cachedSource`: `read()` answers from the cache; `invalidate()` forgets it (after a write). */
export interface CachedSource<T> {
  read(): Promise<T>;
  invalidate(): void;
}

/**
 * `fetch` called at most once per `maxAgeMs`: reads within that age, and reads that overlap a
 * call in flight, share its result. A call that rejects is not kept, so the next read tries
 * again. A clock that went back makes the cached value stale.
 */
export function cachedSource<T>(fetch: () => Awaitable<T>, opts: CachedOptions): CachedSource<T> {
  const now = opts.now ?? Date.now;
  let last: { at: number; value: Promise<T> } | undefined;
  return {
    read(): Promise<T> {
      const t = now();
      if (last && t >= last.at && t - last.at < opts.maxAgeMs) return last.value;
      const value = Promise.resolve().then(fetch);
      const entry = { at: t, value };
      last = entry;
      value.catch(() => {
        if (last === entry) last = undefined;
      });
      return value;
    },
    invalidate(): void {
      last = undefined;
    },
  };
}

/**
 * A single-instance object read from one source: `fetch` returns the whole object's values and
 * is called at most once per `maxAgeMs`, whatever the number of parameters a Get reads.
 */
export function cachedObject(params: readonly string[], fetch: () => Awaitable<Record<string, Value>>, opts: CachedOptions): ObjectBinding {
  const source = cachedSource(fetch, opts);
  return { params, get: async () => ({ ...(await source.read()) }) };
}

export interface TableOptions<Row> extends CachedOptions {
  /** Parameters the rows serve (default: every parameter of the schema object). */
  params?: readonly string[];
  /** The rows present now, keyed by something stable (a device name, a MAC address): one call lists the table and fills every row. */
  rows: () => Awaitable<Iterable<readonly [string, Row]>>;
  /** A row's values. */
  values: (row: Row, key: string) => Record<string, Value>;
  /** The allocator to number rows with (default a new one); share it when another object refers to these rows. */
  instances?: InstanceMap;
}

/** A table binding plus its instance numbers, for references to its rows. */
export interface ListTable extends ObjectBinding {
  readonly instances: InstanceMap;
}

/**
 * A read-only table from a list of keyed rows. Rows keep their instance number while they exist
 * and get it back when they return (InstanceMap); `list` and every row's `get` within
 * `maxAgeMs` share one call of `rows`. The table sits directly under non-table objects or is the
 * innermost level read: `rows` is not given the parent's keys.
 */
export function tableFromList<Row>(opts: TableOptions<Row>): ListTable {
  const instances = opts.instances ?? new InstanceMap();
  const source = cachedSource(async () => {
    const byKey = new Map<string, Row>();
    for (const [key, row] of await opts.rows()) byKey.set(key, row);
    return { numbers: instances.list(byKey.keys()), byKey };
  }, opts);
  const own = (keys: InstanceKeys): number | undefined => keys[keys.length - 1];
  return {
    params: opts.params,
    instances,
    list: async () => (await source.read()).numbers,
    get: async (keys) => {
      const { byKey } = await source.read();
      const key = instances.keyOf(own(keys));
      const row = key === undefined ? undefined : byKey.get(key);
      if (row === undefined || key === undefined) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${own(keys)}`);
      return opts.values(row, key);
    },
  };
}
