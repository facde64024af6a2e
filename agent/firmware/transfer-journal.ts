/**
 * Downloads in flight, on disk (`firmware-transfers.json` in the data directory), so a download
 * the agent never finished (kill -9, power cut, crash) is still reported: the next start sends
 * its Device.LocalAgent.TransferComplete! with a fault (TR-181: every transfer requested ends
 * with one). The entry is written when the transfer starts and removed once its
 * TransferComplete! is on the change feed. Bounded by the number of FirmwareImage rows (one
 * download per row at a time). Without a data directory nothing survives a restart, as the rest
 * of the agent's state.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeFileAtomicSync } from '../../datamodel/store/atomic-write.js';
import { ErrorCode } from '../../datamodel/UspError.js';
import type { TransferResult } from './transfer-complete.js';

export const TRANSFER_JOURNAL_FILE = 'firmware-transfers.json';
/** More rows than any device has banks: a bound, not a limit anyone meets. */
const MAX_ENTRIES = 16;

type Stored = Omit<TransferResult, 'startTime' | 'completeTime'> & { startTime: string };

/** One entry per transfer: the row and when it started (a new download of the row gets its own). */
function keyOf(s: Pick<Stored, 'affected' | 'startTime'>): string {
  return `${s.affected}@${s.startTime}`;
}

export class TransferJournal {
  private readonly file: string | undefined;
  private get entries(): Map<string, Stored> {
    return (this.entriesOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private entriesOf?: Map<string, Stored>;
  /** Keys of the entries a previous run left, until they are reported. */
  private readonly leftover: string[];

  /** Reads what a previous run left now, before any controller can start a new download. */
  constructor(dataDir: string | undefined) {
    this.file = dataDir === undefined ? undefined : join(dataDir, TRANSFER_JOURNAL_FILE);
    const left = this.file ? (readJsonFile<Record<string, Stored>>(this.file) ?? {}) : {};
    for (const [k, v] of Object.entries(left).slice(0, MAX_ENTRIES)) this.entries.set(k, v);
    this.leftover = [...this.entries.keys()];
  }

  /** The transfers a previous run started and never reported, as failed TransferComplete! results; forgets them. */
  takeInterrupted(): TransferResult[] {
    const left = this.leftover.splice(0).map((k) => this.entries.get(k)!);
    for (const s of left) this.entries.delete(keyOf(s));
    if (left.length) this.save();
    return left.map((s) => ({
      ...s,
      startTime: new Date(s.startTime),
      completeTime: undefined,
      faultCode: ErrorCode.CommandFailure,
      faultString: 'the download was interrupted by a restart of the agent; nothing from it was installed',
    }));
  }

  begin(r: TransferResult): void {
    if (this.entries.size >= MAX_ENTRIES) return;
    const s: Stored = { ...r, startTime: r.startTime.toISOString() };
    this.entries.set(keyOf(s), s);
    this.save();
  }

  end(r: TransferResult): void {
    if (this.entries.delete(keyOf({ affected: r.affected, startTime: r.startTime.toISOString() }))) this.save();
  }

  private save(): void {
    if (!this.file) return;
    if (this.entries.size === 0) rmSync(this.file, { force: true });
    else writeFileAtomicSync(this.file, JSON.stringify(Object.fromEntries(this.entries)));
  }
}
