/**
 * The agent's persistent configuration: stored object rows and per-table instance counters,
 * kept in memory and saved so that every acknowledged change survives a crash or power cut.
 * Instance numbers grow monotonically per table and are never reused (R-ARC.8), including
 * across restarts.
 *
 * On disk: state.json (the whole state, replaced atomically) and state.journal (one fsync'd
 * line per commit with just the rows and counters it changed). A commit appends to the journal;
 * when the journal outgrows state.json it is compacted into a new state.json in the background
 * (and at stop). The state is state.json plus every whole journal record after the one
 * state.json names. A save that fails leaves the store's rows as they were saved (see revert).
 */
import { copyFileSync, existsSync, mkdirSync, openSync, closeSync, fsyncSync, ftruncateSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Value } from '../value/Value.js';
import { syncDirectory, writeFileAtomic } from './atomic-write.js';
import { JOURNAL_FILE, journalLine, scanJournal, type TableDelta } from './journal.js';
import { PathMap } from './PathMap.js';
import { RowIndex, type RowSource } from './RowIndex.js';
import { SavedImage, STATE_FILE, parseStateDocument, rowTexts, type TableState } from './SavedImage.js';

export { STATE_FILE, JOURNAL_FILE };

/** The journal is compacted once it is larger than state.json, and not below this. */
const MIN_COMPACT_BYTES = 256 * 1024;
/** A table row's path: its table's path, then its instance number ("Device.A.3.B.7." → "Device.A.3.B.", 7). */
const INSTANCE_ROW = /^(.*\.)(\d+)\.$/;
/** Instance numbers inside a table path, replaced by "{i}" to name its supported path. */
const INSTANCE_NUMBER = /\.\d+(?=\.)/g;

/** The supported path of the rows of a concrete table ("Device.A.3.B." → "Device.A.{i}.B.{i}."). */
function supportedPathOf(tablePath: string): string {
  return `${tablePath.replace(INSTANCE_NUMBER, '.{i}')}{i}.`;
}

/** Damage found in the journal at load; what was kept. */
export interface JournalDamage {
  keptRecords: number;
  droppedLines: number;
}

export interface DataStoreOptions {
  /** Compact when the journal passes this many bytes (default: the size of state.json, at least 256 KiB). */
  compactAtBytes?: number;
}

/** A commit's record, waiting for its line to be on disk. */
interface PendingRecord {
  seq: number;
  line: string;
  clear: boolean;
  rows: [string, string | null][];
  tables: [string, TableDelta | null][];
  done: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** How a table changed since the last commit. */
interface TableChange {
  added: Set<number>;
  removed: Set<number>;
  whole: boolean;
}

export class DataStore implements RowSource {
  /** Concrete object path ("Device.LocalAgent.Controller.1.") → stored values. */
  private rows = new PathMap<Record<string, Value>>();
  /** Concrete table path ("Device.LocalAgent.Controller.") → counter and instances. */
  private tables = new PathMap<TableState>();
  /**
   * Changed since the last commit, and what is on disk: only a store that saves has them (made
   * at first use), so an in-memory store (a fleet's gateways) carries none of the three.
   */
  private dirtyRowsOf?: Set<string>;
  private dirtyTablesOf?: Map<string, TableChange>;
  private imageOf?: SavedImage;
  private cleared = false;
  private seq = 0;
  /**
   * Records waiting for the writer. Bounded by the commits in flight: each is a transaction
   * awaiting its response, and the writer takes all of them at once (group commit: one fsync).
   */
  private queue: PendingRecord[] = [];
  private last?: Promise<void>;
  private writing?: Promise<void>;
  private compactWaiters: Array<(ok: boolean) => void> = [];
  /** Set when a save failed, until revert(): no commit may build on the unsaved changes. */
  private failure?: unknown;
  private failed: PendingRecord[] = [];
  /** The highest record number that failed: a compaction names it, so a stray line of it never counts. */
  private voidSeq = 0;
  /** The next save writes state.json whole: there is none yet, or a save failed. */
  private mustCompact = true;
  private journalBytes = 0;
  private journalOnDisk = false;
  private compactAt: number;
  /** Row indexes by supported table path (indexRows), kept with every change of a row; made at the first. */
  private indexes: Map<string, RowIndex[]> | undefined;

  /** `dir` undefined keeps everything in memory (tests, the fleet simulator). */
  constructor(
    readonly dir?: string,
    private readonly opts: DataStoreOptions = {},
  ) {
    this.compactAt = opts.compactAtBytes ?? MIN_COMPACT_BYTES;
  }

  private get dirtyRows(): Set<string> {
    return (this.dirtyRowsOf ??= new Set());
  }
  private get dirtyTables(): Map<string, TableChange> {
    return (this.dirtyTablesOf ??= new Map());
  }
  private get image(): SavedImage {
    return (this.imageOf ??= new SavedImage());
  }
  private set image(image: SavedImage) {
    this.imageOf = image;
  }

  get file(): string | undefined {
    return this.dir ? join(this.dir, STATE_FILE) : undefined;
  }
  /** The number of the last commit record: it grows with every saved change, across restarts. */
  get revision(): number {
    return this.seq;
  }
  get journalFile(): string | undefined {
    return this.dir ? join(this.dir, JOURNAL_FILE) : undefined;
  }

  /**
   * Loads saved state: state.json and the journal's whole records. Returns false when there is
   * none. A corrupt state.json is moved aside (state.json.corrupt-<time>, with the journal as
   * state.journal.corrupt-<time>, which holds only changes to it) and reported through
   * `onCorrupt`, and the store starts empty so the caller can apply factory defaults instead of
   * crashing. A damaged journal (a bad line with more lines after it, so not a torn last write)
   * is copied aside (state.journal.corrupt-<time>) and reported with `journal` set: state.json
   * and the records before the damage are kept, the rest is dropped. A torn last line is cut off
   * silently: it was never acknowledged.
   */
  load(onCorrupt: (why: string, movedTo: string, journal?: JournalDamage) => void): boolean {
    const file = this.file;
    const journal = this.journalFile;
    if (!file || !journal) return false;
    this.removeStaleTemporaries();
    if (!existsSync(file)) {
      // A journal without its state.json (a factory reset removed it) changes nothing known.
      rmSync(journal, { force: true });
      return false;
    }
    let image: SavedImage;
    try {
      image = SavedImage.fromDocument(parseStateDocument(readFileSync(file, 'utf8')));
    } catch (e) {
      const stamp = Date.now();
      const aside = `${file}.corrupt-${stamp}`;
      renameSync(file, aside);
      if (existsSync(journal)) renameSync(journal, `${journal}.corrupt-${stamp}`);
      onCorrupt(e instanceof Error ? e.message : String(e), aside);
      this.rows.clear();
      this.tables.clear();
      this.reindex();
      return false;
    }
    if (existsSync(journal)) {
      const buf = readFileSync(journal);
      const scan = scanJournal(buf, image.seq);
      for (const r of scan.records) image.apply(r.seq, r.clear === true, rowTexts(r.rows), Object.entries(r.tables));
      if (scan.damage) {
        const aside = `${journal}.corrupt-${Date.now()}`;
        copyFileSync(journal, aside);
        onCorrupt(`state.journal: ${scan.damage.why}`, aside, { keptRecords: scan.records.length, droppedLines: scan.damage.dropped });
      }
      // Cut a torn or damaged tail, so the next line is not appended to a fragment.
      if (scan.goodBytes < buf.length) truncateDurably(journal, scan.goodBytes);
      this.journalBytes = scan.goodBytes;
      this.journalOnDisk = true;
    }
    this.image = image;
    this.seq = image.seq;
    this.rows = PathMap.of(image.allRows());
    this.tables = PathMap.of(image.allTables());
    this.reindex();
    this.mustCompact = false;
    this.compactAt = this.opts.compactAtBytes ?? Math.max(MIN_COMPACT_BYTES, statSync(file).size);
    return true;
  }

  /** A power cut during a save leaves its temporary file behind; they would pile up on flash. */
  private removeStaleTemporaries(): void {
    if (!this.dir || !existsSync(this.dir)) return;
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith(`.${STATE_FILE}.`) && name.endsWith('.tmp')) rmSync(join(this.dir, name), { force: true });
    }
  }

  /** The stored values: never change them in place (setRow a new object), or the row indexes (indexRows) go stale. */
  row(path: string): Readonly<Record<string, Value>> | undefined {
    return this.rows.get(path);
  }

  setRow(path: string, values: Record<string, Value>): void {
    this.rows.set(path, values);
    if (this.dir) this.dirtyRows.add(path);
    this.indexRow(path, values);
  }

  /**
   * Keeps the rows of the tables at `supportedPath` ("Device.NAT.PortMapping.{i}.") findable by
   * their values of `params` (read as `defaults` when not stored), through every later change.
   * The same index for the same arguments (the stored binding asks at each lookup); it reads the
   * rows only when a lookup meets a large table (RowIndex).
   */
  indexRows(supportedPath: string, params: readonly string[], defaults: Readonly<Record<string, Value>>): RowIndex {
    const list = this.indexes?.get(supportedPath);
    const known = list?.find((i) => i.defaults === defaults && i.params.length === params.length && i.params.every((p, k) => p === params[k]));
    if (known) return known;
    const index = new RowIndex(supportedPath, params, defaults, this);
    (this.indexes ??= new Map()).set(supportedPath, (list ?? []).concat(index));
    return index;
  }

  /** RowSource: every stored row of the tables at `supportedPath`, for an index being built. */
  rowsOf(supportedPath: string, visit: (path: string, tablePath: string, n: number, row: Readonly<Record<string, Value>>) => void): void {
    for (const [path, row] of this.rows) {
      const m = INSTANCE_ROW.exec(path);
      if (m && supportedPathOf(m[1]!) === supportedPath) visit(path, m[1]!, Number(m[2]), row);
    }
  }

  /** Tells the built indexes of its table that the row at `path` now holds `row` (undefined: gone). */
  private indexRow(path: string, row: Record<string, Value> | undefined): void {
    if (!this.indexes) return;
    const m = INSTANCE_ROW.exec(path);
    if (!m) return;
    const tablePath = m[1]!;
    const indexes = this.indexes.get(supportedPathOf(tablePath));
    if (!indexes) return;
    const n = Number(m[2]);
    for (const index of indexes) index.update(path, tablePath, n, row);
  }

  /** After every row was replaced at once (load, revert of a factory reset, clear): indexes are built again when next needed. */
  private reindex(): void {
    for (const list of this.indexes?.values() ?? []) for (const index of list) index.clear();
  }

  /** Instances of a table, ascending. */
  instances(tablePath: string): number[] {
    return this.tables.get(tablePath)?.instances ?? [];
  }

  /** Makes an empty table exist, saved like any other (hasTable then holds), without a row. */
  touchTable(tablePath: string): void {
    if (this.tables.has(tablePath)) return;
    this.tables.set(tablePath, { next: 1, instances: [] });
    this.tableChange(tablePath, true);
  }

  /**
   * Whether the table was ever created here (an instance allocated or touchTable, even if all
   * were deleted since), so a binding can tell "no rows stored yet" (serve its factory rows) from "emptied".
   */
  hasTable(tablePath: string): boolean {
    return this.tables.has(tablePath);
  }

  /**
   * Allocates an instance number: the next of the counter, or `requested` (factory defaults),
   * which also moves the counter past it.
   */
  allocate(tablePath: string, requested?: number): number {
    let t = this.tables.get(tablePath);
    if (!t) {
      t = { next: 1, instances: [] };
      this.tables.set(tablePath, t);
      this.tableChange(tablePath, true);
    }
    const n = requested ?? t.next;
    if (t.instances.includes(n)) throw new Error(`instance ${tablePath}${n} exists`);
    t.next = Math.max(t.next, n + 1);
    // A new array, not a push: callers may still iterate the list they were given. By concat,
    // which sizes it exactly: a spread or a push leaves room for 16 more (~130 bytes per table
    // per gateway of a fleet).
    const last = t.instances[t.instances.length - 1];
    t.instances = last === undefined || n > last ? t.instances.concat(n) : t.instances.concat(n).sort((a, b) => a - b);
    const c = this.tableChange(tablePath);
    if (c) {
      if (!c.removed.delete(n)) c.added.add(n);
    }
    return n;
  }

  /** Removes an instance row, its sub-objects and sub-tables (the counter stays). */
  remove(instancePath: string, tablePath: string, n: number): void {
    const t = this.tables.get(tablePath);
    if (t) {
      t.instances = t.instances.filter((i) => i !== n);
      const c = this.tableChange(tablePath);
      if (c) {
        if (!c.added.delete(n)) c.removed.add(n);
      }
    }
    // The row and what lies below it, found without going through every stored path.
    for (const k of [instancePath, ...this.rows.under(instancePath)]) {
      if (this.rows.delete(k)) {
        if (this.dir) this.dirtyRows.add(k);
        this.indexRow(k, undefined);
      }
    }
    for (const k of this.tables.under(instancePath)) {
      this.tables.delete(k);
      this.tableChange(k, true);
    }
  }

  /** Everything stored at and below `instancePath`, to put back with `restoreSubtree`. */
  snapshotSubtree(instancePath: string): { rows: [string, Record<string, Value>][]; tables: [string, TableState][] } {
    return {
      rows: [instancePath, ...this.rows.under(instancePath)].flatMap((k) => {
        const v = this.rows.get(k);
        return v ? [[k, { ...v }] as [string, Record<string, Value>]] : [];
      }),
      tables: this.tables.under(instancePath).map((k) => {
        const v = this.tables.get(k)!;
        return [k, { next: v.next, instances: v.instances.slice() }];
      }),
    };
  }

  restoreSubtree(tablePath: string, n: number, snap: ReturnType<DataStore['snapshotSubtree']>): void {
    for (const [k, v] of snap.rows) this.setRow(k, v);
    for (const [k, v] of snap.tables) {
      this.tables.set(k, v);
      this.tableChange(k, true);
    }
    const t = this.tables.get(tablePath) ?? { next: n + 1, instances: [] };
    if (!this.tables.has(tablePath)) {
      this.tables.set(tablePath, t);
      this.tableChange(tablePath, true);
    }
    if (!t.instances.includes(n)) {
      t.instances = t.instances.concat(n).sort((a, b) => a - b);
      const c = this.tableChange(tablePath);
      if (c) {
        if (!c.removed.delete(n)) c.added.add(n);
      }
    }
  }

  /** Forgets everything (factory reset); the caller flushes. */
  clear(): void {
    this.rows.clear();
    this.tables.clear();
    this.reindex();
    if (!this.dir) return;
    this.dirtyRows.clear();
    this.dirtyTables.clear();
    this.cleared = true;
  }

  /** The change record of a table since the last commit (undefined when nothing is saved). */
  private tableChange(path: string, whole = false): TableChange | undefined {
    if (!this.dir) return undefined;
    let c = this.dirtyTables.get(path);
    if (!c) {
      c = { added: new Set(), removed: new Set(), whole: false };
      this.dirtyTables.set(path, c);
    }
    if (whole) c.whole = true;
    return c;
  }

  /**
   * Saves what changed since the last call. The record is taken synchronously, at the call, so a
   * transaction that commits under the write lock gets exactly its committed state; the file
   * write happens after, and commits that arrive meanwhile are appended together by the next
   * write (group commit: one fsync for many acknowledged changes). Resolves once a write that
   * includes this call's changes is on disk; rejects when that write failed, and (without
   * writing) while an earlier failure awaits revert().
   */
  flush(): Promise<void> {
    if (!this.dir) return Promise.resolve();
    if (this.dirtyRows.size > 0 || this.dirtyTables.size > 0 || this.cleared) {
      if (this.failure !== undefined) return Promise.reject(this.failure);
      const p = this.takeRecord();
      this.queue.push(p);
      this.last = p.done;
      this.kick();
    }
    // Nothing of this caller's is unsaved after a failure: the failed records are answered already.
    return this.failure === undefined && this.last ? this.last : Promise.resolve();
  }

  /**
   * Rewrites state.json from everything saved and empties the journal (at stop, so the next
   * start reads one file). Resolves false when that failed: the journal is still valid and is
   * replayed at the next start.
   */
  compact(): Promise<boolean> {
    if (!this.dir) return Promise.resolve(true);
    const done = new Promise<boolean>((resolve) => this.compactWaiters.push(resolve));
    this.kick();
    return done;
  }

  /**
   * After a failed save, under the write lock (DataModel.revertFailedCommit): every row and
   * counter changed since the last successful save goes back to its saved value, so the live
   * model, the responses (7003) and the disk agree. Saving resumes; its first write rewrites
   * state.json whole, so nothing of a half-written journal line can count.
   */
  revert(): void {
    if (this.failure === undefined) return;
    const rows = new Set(this.dirtyRows);
    const tables = new Set(this.dirtyTables.keys());
    let all = this.cleared;
    for (const p of this.failed) {
      all ||= p.clear;
      for (const [k] of p.rows) rows.add(k);
      for (const [k] of p.tables) tables.add(k);
    }
    const live = this.tables;
    if (all) {
      this.rows = PathMap.of(this.image.allRows());
      this.tables = PathMap.of(this.image.allTables());
      this.reindex();
      for (const k of live.keys()) tables.add(k);
    } else {
      for (const k of rows) {
        const v = this.image.row(k);
        if (v) this.rows.set(k, v);
        else this.rows.delete(k);
        this.indexRow(k, v);
      }
    }
    // Instances go back to what is saved, counters do not: a failed Add's number may have been
    // seen (a Get meanwhile), so it is never handed out again (R-ARC.8). The next commit saves them.
    const advanced: string[] = [];
    for (const k of tables) {
      const saved = this.image.table(k);
      const was = live.get(k);
      const next = Math.max(saved?.next ?? 1, was?.next ?? 1);
      if (saved && next === saved.next) {
        this.tables.set(k, saved);
        continue;
      }
      if (!saved && (!was || !this.keepsCounter(k))) {
        this.tables.delete(k);
        continue;
      }
      this.tables.set(k, { next, instances: saved?.instances ?? [] });
      advanced.push(k);
    }
    this.dirtyRows.clear();
    this.dirtyTables.clear();
    for (const k of advanced) this.tableChange(k, true);
    this.cleared = false;
    this.failed = [];
    this.failure = undefined;
    this.last = undefined;
  }

  /**
   * Whether a table that was never saved keeps its counter after a revert: yes unless it sits
   * under an instance that is gone (a sub-table of a failed Add), which never comes back.
   */
  private keepsCounter(tablePath: string): boolean {
    const m = /^(.*\.)(\d+)\.[^.]+\.$/.exec(tablePath);
    return !m || (this.image.table(m[1])?.instances.includes(Number(m[2])) ?? false);
  }

  private takeRecord(): PendingRecord {
    const seq = ++this.seq;
    const rows: [string, string | null][] = [];
    for (const k of this.dirtyRows) {
      const v = this.rows.get(k);
      rows.push([k, v === undefined ? null : JSON.stringify(v)]);
    }
    const tables: [string, TableDelta | null][] = [];
    for (const [k, c] of this.dirtyTables) {
      const t = this.tables.get(k);
      if (!t) {
        tables.push([k, null]);
        continue;
      }
      const d: TableDelta = { next: t.next };
      if (c.whole) d.all = t.instances;
      else {
        if (c.added.size > 0) d.add = [...c.added];
        if (c.removed.size > 0) d.del = [...c.removed];
      }
      tables.push([k, d]);
    }
    const clear = this.cleared;
    this.dirtyRows.clear();
    this.dirtyTables.clear();
    this.cleared = false;
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A caller that does not wait (void flush()) must not turn a failed save into a crash.
    done.catch(() => undefined);
    return { seq, line: journalLine(seq, clear, rows, tables), clear, rows, tables, done, resolve, reject };
  }

  private kick(): void {
    this.writing ??= this.drain().finally(() => {
      this.writing = undefined;
      if (this.queue.length > 0 || this.compactWaiters.length > 0) this.kick();
    });
  }

  /** The one writer: appends what is queued, compacts when due. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0 || this.compactWaiters.length > 0) {
      const batch = this.queue.splice(0);
      if (batch.length > 0) {
        try {
          if (this.mustCompact) await this.writeState(batch);
          else await this.append(batch);
        } catch (e) {
          this.fail(batch, e);
          continue;
        }
        for (const p of batch) p.resolve();
      }
      const waiters = this.compactWaiters.splice(0);
      if (waiters.length === 0 && this.journalBytes < this.compactAt) continue;
      let ok = true;
      if (this.journalBytes > 0 || this.mustCompact) {
        try {
          await this.writeState([]);
        } catch {
          // The journal is still whole and valid: try again once it has grown as much again.
          ok = false;
          this.compactAt = this.journalBytes + Math.max(MIN_COMPACT_BYTES, this.compactAt);
        }
      }
      for (const w of waiters) w(ok);
    }
  }

  /** Appends a batch of records with one write and one fsync, then takes them into the image. */
  private async append(batch: PendingRecord[]): Promise<void> {
    const text = batch.map((p) => p.line).join('');
    const fh = await open(this.journalFile!, 'a', 0o600);
    try {
      await fh.writeFile(text);
      await fh.datasync();
      // A new journal's directory entry must be durable too, or the whole file could vanish.
      if (!this.journalOnDisk) await syncDirectory(this.dir!);
    } catch (e) {
      // Take back what got written, so a failed commit's line does not come back at the next start.
      await fh.truncate(this.journalBytes).catch(() => undefined);
      throw e;
    } finally {
      await fh.close();
    }
    this.journalOnDisk = true;
    this.journalBytes += Buffer.byteLength(text);
    for (const p of batch) this.image.apply(p.seq, p.clear, p.rows, p.tables);
  }

  /**
   * Compaction: writes state.json whole (atomic replace) from the saved image plus `batch`, then
   * removes the journal, whose records state.json now includes. If the removal fails the next
   * write compacts again: appending to a journal that may hold a failed commit's line is unsafe.
   */
  private async writeState(batch: PendingRecord[]): Promise<void> {
    const image = batch.length > 0 ? this.image.copy() : this.image;
    for (const p of batch) image.apply(p.seq, p.clear, p.rows, p.tables);
    const text = image.document(Math.max(image.seq, this.voidSeq));
    mkdirSync(this.dir!, { recursive: true });
    await writeFileAtomic(this.file!, text);
    this.image = image;
    this.mustCompact = true;
    try {
      await rm(this.journalFile!, { force: true });
      await syncDirectory(this.dir!);
    } catch {
      return;
    }
    this.journalBytes = 0;
    this.journalOnDisk = false;
    this.mustCompact = false;
    this.compactAt = this.opts.compactAtBytes ?? Math.max(MIN_COMPACT_BYTES, Buffer.byteLength(text));
  }

  /** A write failed: it and every record queued behind it (built on its changes) fail. */
  private fail(batch: PendingRecord[], e: unknown): void {
    const lost = [...batch, ...this.queue.splice(0)];
    this.failure ??= e;
    this.failed.push(...lost);
    for (const p of lost) this.voidSeq = Math.max(this.voidSeq, p.seq);
    this.mustCompact = true;
    for (const p of lost) p.reject(e);
  }
}

/** Cuts a file to `length` and makes that durable (a torn journal tail at load). */
function truncateDurably(file: string, length: number): void {
  const fd = openSync(file, 'r+');
  try {
    ftruncateSync(fd, length);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
