/**
 * What is on disk, kept in memory: state.json plus every journal record written since. The
 * store compacts from it (state.json is written from this, never from the live rows, which may
 * hold a transaction's uncommitted changes) and puts the live rows back to it when a save fails.
 * Rows are kept as their JSON text: a row is serialised once per commit, for the journal line
 * and for this image, and a compaction only joins the texts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Value } from '../value/Value.js';
import { JOURNAL_FILE, scanJournal, type TableDelta } from './journal.js';

/** Counter and instances of one table (R-ARC.8: the counter never goes back). */
export interface TableState {
  next: number;
  instances: number[];
}

/** state.json. `seq` (absent before the journal existed) is the last journal record it includes. */
export interface StateDocument {
  format: 1;
  seq?: number;
  tables: Record<string, TableState>;
  rows: Record<string, Record<string, Value>>;
}

export const STATE_FILE = 'state.json';

export class SavedImage {
  private rows = new Map<string, string>();
  private tables = new Map<string, { next: number; instances: Set<number> }>();
  /** The last journal record (or state.json) included. */
  seq = 0;

  static fromDocument(doc: StateDocument): SavedImage {
    const img = new SavedImage();
    for (const [k, v] of Object.entries(doc.rows)) img.rows.set(k, JSON.stringify(v));
    for (const [k, t] of Object.entries(doc.tables)) img.tables.set(k, { next: t.next, instances: new Set(t.instances) });
    img.seq = doc.seq ?? 0;
    return img;
  }

  /** A copy to apply records to before they are known to be on disk. */
  copy(): SavedImage {
    const img = new SavedImage();
    img.rows = new Map(this.rows);
    for (const [k, t] of this.tables) img.tables.set(k, { next: t.next, instances: new Set(t.instances) });
    img.seq = this.seq;
    return img;
  }

  /** Applies one record: rows as JSON text (null: deleted), tables as deltas (null: deleted). */
  apply(seq: number, clear: boolean, rows: Iterable<readonly [string, string | null]>, tables: Iterable<readonly [string, TableDelta | null]>): void {
    if (clear) {
      this.rows.clear();
      this.tables.clear();
    }
    for (const [k, v] of rows) {
      if (v === null) this.rows.delete(k);
      else this.rows.set(k, v);
    }
    for (const [k, d] of tables) {
      if (d === null) {
        this.tables.delete(k);
        continue;
      }
      let t = this.tables.get(k);
      if (!t || d.all) {
        t = { next: d.next, instances: new Set(d.all ?? []) };
        this.tables.set(k, t);
      }
      t.next = d.next;
      for (const n of d.add ?? []) t.instances.add(n);
      for (const n of d.del ?? []) t.instances.delete(n);
    }
    this.seq = seq;
  }

  row(path: string): Record<string, Value> | undefined {
    const text = this.rows.get(path);
    return text === undefined ? undefined : (JSON.parse(text) as Record<string, Value>);
  }

  table(path: string): TableState | undefined {
    const t = this.tables.get(path);
    return t ? { next: t.next, instances: [...t.instances].sort((a, b) => a - b) } : undefined;
  }

  allRows(): Map<string, Record<string, Value>> {
    return new Map([...this.rows.keys()].map((k) => [k, this.row(k)!]));
  }

  allTables(): Map<string, TableState> {
    return new Map([...this.tables.keys()].map((k) => [k, this.table(k)!]));
  }

  /** The state.json text, naming `seq` as the last journal record it makes redundant. */
  document(seq: number): string {
    const tables: Record<string, TableState> = {};
    for (const k of this.tables.keys()) tables[k] = this.table(k)!;
    const rows: string[] = [];
    for (const [k, v] of this.rows) rows.push(`${JSON.stringify(k)}:${v}`);
    return `{"format":1,"seq":${seq},"tables":${JSON.stringify(tables)},"rows":{${rows.join(',')}}}`;
  }
}

/** Parses state.json; throws when the text is not one. */
export function parseStateDocument(text: string): StateDocument {
  const doc = JSON.parse(text) as StateDocument;
  if (doc === null || doc.format !== 1 || typeof doc.rows !== 'object' || typeof doc.tables !== 'object') throw new Error('not a usp-agent state file');
  if (doc.seq !== undefined && !Number.isSafeInteger(doc.seq)) throw new Error('not a usp-agent state file (bad seq)');
  return doc;
}

/**
 * What a data directory holds, read without changing anything (tests and tools; the agent itself
 * uses DataStore.load, which also repairs): state.json plus the journal's whole records.
 * Undefined when there is no state.json.
 */
export function readSavedState(dir: string): { rows: Record<string, Record<string, Value>>; tables: Record<string, TableState> } | undefined {
  const file = join(dir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  const img = SavedImage.fromDocument(parseStateDocument(readFileSync(file, 'utf8')));
  const journal = join(dir, JOURNAL_FILE);
  if (existsSync(journal)) {
    for (const r of scanJournal(readFileSync(journal), img.seq).records) img.apply(r.seq, r.clear === true, rowTexts(r.rows), Object.entries(r.tables));
  }
  return { rows: Object.fromEntries(img.allRows()), tables: Object.fromEntries(img.allTables()) };
}

/** A read record's rows as JSON text, as SavedImage keeps them. */
export function rowTexts(rows: Record<string, Record<string, Value> | null>): [string, string | null][] {
  return Object.entries(rows).map(([k, v]) => [k, v === null ? null : JSON.stringify(v)]);
}
