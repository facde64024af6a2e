/**
 * The persistent store's journal (`state.journal` beside state.json): one line per committed
 * transaction holding only the rows and table counters it changed, so a commit costs what it
 * changed instead of a rewrite of the whole state (the persistence requirement of the LocalAgent
 * issue: an acknowledged change survives a power cut).
 *
 * A line is `<checksum> <json>\n`: 8 hex digits of FNV-1a over the JSON text, a space, a
 * JournalRecord. A line cut short by a crash has no "\n" or a wrong checksum and is ignored.
 */
import type { Value } from '../value/Value.js';

export const JOURNAL_FILE = 'state.journal';

/**
 * How one table's instances changed: the counter, then either the instances added/removed or,
 * when the table was created or replaced as a whole, all of them.
 */
export interface TableDelta {
  next: number;
  add?: number[];
  del?: number[];
  all?: number[];
}

/** One committed transaction. `null` means the row or table no longer exists. */
export interface JournalRecord {
  /** Increases by one per record; state.json names the last one it includes. */
  seq: number;
  /** Everything was forgotten (factory reset) before the changes below. */
  clear?: true;
  rows: Record<string, Record<string, Value> | null>;
  tables: Record<string, TableDelta | null>;
}

/**
 * One journal line from already-serialised rows (a row's JSON text, or null when deleted): the
 * rows are serialised once, for the line and for the saved image.
 */
export function journalLine(seq: number, clear: boolean, rows: ReadonlyArray<readonly [string, string | null]>, tables: ReadonlyArray<readonly [string, TableDelta | null]>): string {
  const rowText = rows.map(([k, v]) => `${JSON.stringify(k)}:${v ?? 'null'}`).join(',');
  const tableText = tables.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',');
  const json = `{"seq":${seq}${clear ? ',"clear":true' : ''},"rows":{${rowText}},"tables":{${tableText}}}`;
  return `${checksum(json)} ${json}\n`;
}

/** What a journal holds: its whole records after `afterSeq`, and where the readable part ends. */
export interface JournalScan {
  records: JournalRecord[];
  /** Bytes from the start up to the end of the last good line: the journal is cut back to this. */
  goodBytes: number;
  /** Whole lines skipped because state.json already includes them (a compaction cut short). */
  skipped: number;
  /**
   * A bad line followed by further lines: not a torn tail but damage. The records before it are
   * kept; `dropped` lines from it on are not.
   */
  damage?: { why: string; dropped: number };
}

const NEWLINE = 0x0a;

/**
 * Reads a journal. Records up to `afterSeq` are already in state.json and are skipped. The
 * first bad line ends the scan: when it is the last line it is a write cut short by a crash
 * (ignored, TR-369 needs only acknowledged changes kept); when more lines follow, `damage`
 * says so.
 */
export function scanJournal(buf: Uint8Array, afterSeq: number): JournalScan {
  const records: JournalRecord[] = [];
  let pos = 0;
  let lastSeq = -1;
  let skipped = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(NEWLINE, pos);
    if (nl < 0) break; // torn tail: the write never finished
    const got = readRecord(Buffer.from(buf.buffer, buf.byteOffset + pos, nl - pos).toString('utf8'), lastSeq);
    if (typeof got === 'string') {
      const dropped = countLines(buf, pos);
      return { records, goodBytes: pos, skipped, damage: dropped > 1 ? { why: got, dropped } : undefined };
    }
    lastSeq = got.seq;
    if (got.seq > afterSeq) records.push(got);
    else skipped++;
    pos = nl + 1;
  }
  return { records, goodBytes: pos, skipped };
}

/** The record on a line, or why the line is not one. */
function readRecord(line: string, lastSeq: number): JournalRecord | string {
  if (line.length < 10 || line[8] !== ' ') return 'not a journal line';
  const json = line.slice(9);
  if (line.slice(0, 8) !== checksum(json)) return 'checksum mismatch';
  let r: JournalRecord;
  try {
    r = JSON.parse(json) as JournalRecord;
  } catch (e) {
    return `not JSON: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (!Number.isSafeInteger(r.seq) || typeof r.rows !== 'object' || r.rows === null || typeof r.tables !== 'object' || r.tables === null) return 'not a journal record';
  if (r.seq <= lastSeq) return `record ${r.seq} follows record ${lastSeq}`;
  return r;
}

/** Lines from `pos` to the end, a final line without "\n" included. */
function countLines(buf: Uint8Array, pos: number): number {
  let n = 0;
  for (let i = pos; i < buf.length; i++) if (buf[i] === NEWLINE) n++;
  return buf[buf.length - 1] === NEWLINE ? n : n + 1;
}

/** FNV-1a (32 bit) over UTF-16 code units: enough to tell a whole line from a torn or garbled one. */
function checksum(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
