/**
 * The failed reports one Profile keeps to send with its next report (TR-181
 * Device.BulkData.Profile.{i}.NumberOfRetainedFailedReports), bounded in count and bytes, oldest
 * dropped first, and with HTTP.PersistAcrossReboot kept in the data directory
 * (`<dataDir>/bulkdata/<profileKey>.json`, replaced atomically) so a reboot loses none.
 *
 * Reports are kept as collected (values, not encoded bodies): the next transfer encodes retained
 * and new ones together, so JSON gives one {"Report":[...]} with several entries. A file that
 * cannot be read or parsed is logged and ignored (and replaced at the next save); a data
 * directory that cannot be written is logged, and the reports stay in memory.
 */
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import { writeFileAtomic } from '../../datamodel/store/atomic-write.js';
import type { CollectedReport, ReportEntry } from './report-contract.js';

/** Most reports kept per Profile; NumberOfRetainedFailedReports -1 ("as many as possible") means this. */
export const MAX_RETAINED_REPORTS = 32;
/** Most bytes (as serialised) kept per Profile; the oldest reports go first beyond it. */
export const MAX_RETAINED_BYTES = 1024 * 1024;

const FORMAT = 'usp-agent/bulkdata-retained-reports';
const VERSION = 1;

/** The file holding a Profile's retained reports. `profileKey` is made safe as a file name. */
export function retainedReportsFile(dataDir: string, profileKey: string): string {
  return join(dataDir, 'bulkdata', `${encodeURIComponent(profileKey).replace(/\./g, '%2E')}.json`);
}

/**
 * Deletes a Profile's persisted retained reports: for when the Profile is deleted or its
 * EncodingType changes (TR-181: "any outstanding failed reports are deleted"). Never throws.
 */
export async function discardRetainedReports(dataDir: string, profileKey: string, log: Logger): Promise<void> {
  await removeFile(retainedReportsFile(dataDir, profileKey), log);
}

/** How many reports NumberOfRetainedFailedReports lets a Profile keep, within the agent's bound. */
export function retainLimit(numberOfRetainedFailedReports: number): number {
  if (numberOfRetainedFailedReports < 0) return MAX_RETAINED_REPORTS;
  return Math.min(Math.floor(numberOfRetainedFailedReports), MAX_RETAINED_REPORTS);
}

/** One Profile's retained reports, in the order collected. */
export class RetainedReports {
  private reports: CollectedReport[] = [];
  /** Saves run one after another: each replaces the whole file through the same temporary name. */
  private saving: Promise<void> = Promise.resolve();

  /** `file`: where PersistAcrossReboot keeps them; none: memory only. */
  constructor(
    private readonly file: string | undefined,
    private readonly log: Logger,
  ) {}

  get all(): readonly CollectedReport[] {
    return this.reports;
  }

  /** Reads the persisted reports (at start); a missing file is no reports, a bad one is logged and ignored. */
  async load(): Promise<void> {
    if (!this.file) return;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn('cannot read retained Bulk Data reports; starting without them', { file: this.file, error: String(e) });
      return;
    }
    const reports = parseRetained(text);
    if (!reports) {
      this.log.warn('retained Bulk Data reports file is corrupt; ignoring it', { file: this.file });
      return;
    }
    // Reports retained while the file was being read are newer than the file's.
    this.reports = bound([...reports, ...this.reports], MAX_RETAINED_REPORTS);
  }

  /**
   * After a failed transfer of `batch` (the reports retained when it started, then the new one):
   * keeps them and any reports retained since, newest first within the limits.
   */
  retain(batch: readonly CollectedReport[], numberOfRetainedFailedReports: number): void {
    const since = this.reports.filter((r) => !batch.includes(r));
    this.reports = bound([...batch, ...since], retainLimit(numberOfRetainedFailedReports));
  }

  /** A report that never got its own transfer (a newer one was due first) waits for the next. */
  add(report: CollectedReport, numberOfRetainedFailedReports: number): void {
    this.reports = bound([...this.reports, report], retainLimit(numberOfRetainedFailedReports));
  }

  /** After a successful transfer: the reports it carried are delivered; ones retained since stay. */
  remove(batch: readonly CollectedReport[]): void {
    this.reports = this.reports.filter((r) => !batch.includes(r));
  }

  /**
   * Makes the file match memory: written when `persist` (PersistAcrossReboot) and there are
   * reports, removed otherwise. Never throws; a failure is logged.
   */
  save(persist: boolean): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    const snapshot = this.reports;
    const step = async (): Promise<void> => {
      if (!persist || snapshot.length === 0) {
        await removeFile(file, this.log);
        return;
      }
      try {
        await mkdir(join(file, '..'), { mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'EEXIST') throw e;
        });
        await writeFileAtomic(file, serialise(snapshot));
      } catch (e) {
        this.log.warn('cannot persist retained Bulk Data reports; they are kept in memory only', { file, error: String(e) });
      }
    };
    this.saving = this.saving.then(step, step);
    return this.saving;
  }
}

/** The newest reports of `list` within `count` and MAX_RETAINED_BYTES. */
function bound(list: readonly CollectedReport[], count: number): CollectedReport[] {
  const out: CollectedReport[] = [];
  let bytes = 0;
  for (let i = list.length - 1; i >= 0 && out.length < count; i--) {
    const size = JSON.stringify(toJson(list[i]!)).length;
    if (bytes + size > MAX_RETAINED_BYTES) break;
    bytes += size;
    out.unshift(list[i]!);
  }
  return out;
}

async function removeFile(file: string, log: Logger): Promise<void> {
  try {
    await unlink(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('cannot remove retained Bulk Data reports file', { file, error: String(e) });
  }
}

interface ReportJson {
  collectedAt: string;
  entries: ReportEntry[];
}

function toJson(r: CollectedReport): ReportJson {
  return { collectedAt: r.collectedAt.toISOString(), entries: [...r.entries] };
}

function serialise(reports: readonly CollectedReport[]): string {
  return `${JSON.stringify({ format: FORMAT, version: VERSION, reports: reports.map(toJson) })}\n`;
}

/** The reports in `text`, or undefined when it is not a file this module wrote. */
function parseRetained(text: string): CollectedReport[] | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(doc) || doc.format !== FORMAT || doc.version !== VERSION || !Array.isArray(doc.reports)) return undefined;
  const out: CollectedReport[] = [];
  for (const r of doc.reports as unknown[]) {
    if (!isRecord(r) || typeof r.collectedAt !== 'string' || !Array.isArray(r.entries)) return undefined;
    const collectedAt = new Date(r.collectedAt);
    if (Number.isNaN(collectedAt.getTime())) return undefined;
    const entries: ReportEntry[] = [];
    for (const e of r.entries as unknown[]) {
      if (!isRecord(e) || typeof e.name !== 'string' || typeof e.path !== 'string' || typeof e.type !== 'string') return undefined;
      const v = e.value;
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return undefined;
      entries.push({ name: e.name, path: e.path, value: v, type: e.type });
    }
    out.push({ collectedAt, entries });
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
