/**
 * The agent's persistent configuration: stored object rows and per-table instance counters,
 * kept in memory and saved as one JSON document written atomically. Instance numbers grow
 * monotonically per table and are never reused (R-ARC.8), including across restarts.
 */
import { readFileSync, readdirSync, renameSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Value } from '../value/Value.js';
import { writeFileAtomic } from './atomic-write.js';

interface TableState { next: number; instances: number[] }

interface StoreFile {
  format: 1;
  tables: Record<string, TableState>;
  rows: Record<string, Record<string, Value>>;
}

export const STATE_FILE = 'state.json';

export class DataStore {
  /** Concrete object path ("Device.LocalAgent.Controller.1.") → stored values. */
  private rows = new Map<string, Record<string, Value>>();
  /** Concrete table path ("Device.LocalAgent.Controller.") → counter and instances. */
  private tables = new Map<string, TableState>();
  private dirty = false;
  /** The latest snapshot not yet known to be on disk, its number, and the number last written. */
  private pending?: string;
  private generation = 0;
  private written = 0;
  private writing: Promise<void> | undefined;

  /** `dir` undefined keeps everything in memory (tests, the fleet simulator). */
  constructor(readonly dir?: string) {}

  get file(): string | undefined { return this.dir ? join(this.dir, STATE_FILE) : undefined; }

  /**
   * Loads saved state. Returns false when there is none. A corrupt file is moved aside
   * (state.json.corrupt-<time>) and reported through `onCorrupt`, and the store starts empty so
   * the caller can apply factory defaults instead of crashing.
   */
  load(onCorrupt: (why: string, movedTo: string) => void): boolean {
    const file = this.file;
    if (!file) return false;
    this.removeStaleTemporaries();
    if (!existsSync(file)) return false;
    try {
      const doc = JSON.parse(readFileSync(file, 'utf8')) as StoreFile;
      if (doc.format !== 1 || typeof doc.rows !== 'object' || typeof doc.tables !== 'object') throw new Error('not a usp-agent state file');
      this.rows = new Map(Object.entries(doc.rows));
      this.tables = new Map(Object.entries(doc.tables));
      return true;
    } catch (e) {
      const aside = `${file}.corrupt-${Date.now()}`;
      renameSync(file, aside);
      onCorrupt(e instanceof Error ? e.message : String(e), aside);
      this.rows.clear();
      this.tables.clear();
      return false;
    }
  }

  /** A power cut during a save leaves its temporary file behind; they would pile up on flash. */
  private removeStaleTemporaries(): void {
    if (!this.dir || !existsSync(this.dir)) return;
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith(`.${STATE_FILE}.`) && name.endsWith('.tmp')) rmSync(join(this.dir, name), { force: true });
    }
  }

  row(path: string): Record<string, Value> | undefined { return this.rows.get(path); }

  setRow(path: string, values: Record<string, Value>): void {
    this.rows.set(path, values);
    this.dirty = true;
  }

  /** Instances of a table, ascending. */
  instances(tablePath: string): number[] { return this.tables.get(tablePath)?.instances ?? []; }

  /**
   * Allocates an instance number: the next of the counter, or `requested` (factory defaults),
   * which also moves the counter past it.
   */
  allocate(tablePath: string, requested?: number): number {
    let t = this.tables.get(tablePath);
    if (!t) { t = { next: 1, instances: [] }; this.tables.set(tablePath, t); }
    const n = requested ?? t.next;
    if (t.instances.includes(n)) throw new Error(`instance ${tablePath}${n} exists`);
    t.next = Math.max(t.next, n + 1);
    t.instances = [...t.instances, n].sort((a, b) => a - b);
    this.dirty = true;
    return n;
  }

  /** Removes an instance row, its sub-objects and sub-tables (the counter stays). */
  remove(instancePath: string, tablePath: string, n: number): void {
    const t = this.tables.get(tablePath);
    if (t) t.instances = t.instances.filter((i) => i !== n);
    for (const k of [...this.rows.keys()]) if (k.startsWith(instancePath)) this.rows.delete(k);
    for (const k of [...this.tables.keys()]) if (k.startsWith(instancePath)) this.tables.delete(k);
    this.dirty = true;
  }

  /** Everything stored at and below `instancePath`, to put back with `restoreSubtree`. */
  snapshotSubtree(instancePath: string): { rows: [string, Record<string, Value>][]; tables: [string, TableState][] } {
    return {
      rows: [...this.rows].filter(([k]) => k.startsWith(instancePath)).map(([k, v]) => [k, { ...v }]),
      tables: [...this.tables].filter(([k]) => k.startsWith(instancePath)).map(([k, v]) => [k, { next: v.next, instances: [...v.instances] }]),
    };
  }

  restoreSubtree(tablePath: string, n: number, snap: ReturnType<DataStore['snapshotSubtree']>): void {
    for (const [k, v] of snap.rows) this.rows.set(k, v);
    for (const [k, v] of snap.tables) this.tables.set(k, v);
    const t = this.tables.get(tablePath) ?? { next: n + 1, instances: [] };
    if (!t.instances.includes(n)) t.instances = [...t.instances, n].sort((a, b) => a - b);
    this.tables.set(tablePath, t);
    this.dirty = true;
  }

  /** Forgets everything (factory reset); the caller flushes. */
  clear(): void {
    this.rows.clear();
    this.tables.clear();
    this.dirty = true;
  }

  /**
   * Saves what the store holds now. The snapshot is taken synchronously, at the call, so a
   * transaction that commits under the write lock gets exactly its committed state; the file
   * write happens after, and commits that arrive meanwhile are saved together by the next write
   * (group commit: one fsync for many acknowledged changes). Resolves once a write that
   * includes this call's snapshot is on disk.
   */
  flush(): Promise<void> {
    if (!this.dir) { this.dirty = false; return Promise.resolve(); }
    if (this.dirty) {
      this.pending = this.serialize();
      this.dirty = false;
      this.generation++;
    }
    return this.writeUpTo(this.generation);
  }

  private async writeUpTo(target: number): Promise<void> {
    while (this.written < target) {
      if (this.writing) {
        await this.writing.catch(() => undefined);
        continue;
      }
      const text = this.pending!;
      const gen = this.generation;
      this.writing = (async () => {
        mkdirSync(this.dir!, { recursive: true });
        await writeFileAtomic(this.file!, text);
        this.written = gen;
      })().finally(() => { this.writing = undefined; });
      await this.writing;
    }
  }

  private serialize(): string {
    const doc: StoreFile = { format: 1, tables: Object.fromEntries(this.tables), rows: Object.fromEntries(this.rows) };
    return JSON.stringify(doc);
  }
}
