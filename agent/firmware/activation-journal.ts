/**
 * Activate() calls waiting for their TimeWindow, on disk (`firmware-activations.json` in the
 * data directory). TR-181 FirmwareImage.{i}.Activate() gives windows as offsets from the call,
 * so a restart of the agent (a crash, an upgrade of the agent, a power cut) must not forget
 * them: the next start still activates in the window (at its Start, or at once when the Start
 * passed while the agent was down), or, when every window has ended, records the failed
 * activation in the image's BootFailureLog (TR-181: "A failed activation will result in this
 * FirmwareImage instance's BootFailureLog being updated"). The command's Request and its
 * OperationComplete do not survive the restart (TR-369: async commands do not, unless their
 * description says so). Bounded: one entry per waiting call, at most MAX_ENTRIES.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeFileAtomicSync } from '../../datamodel/store/atomic-write.js';
import type { TimeWindow } from './time-windows.js';

export const ACTIVATION_JOURNAL_FILE = 'firmware-activations.json';
/** One waiting Activate() per FirmwareImage row is the use; a bound well above it. */
const MAX_ENTRIES = 16;

/** A window as absolute times (ms since the epoch), so it means the same after a restart. */
export interface AbsoluteWindow {
  startAt: number;
  endAt: number;
  mode: TimeWindow['mode'];
}

export interface PendingActivation {
  /** The FirmwareImage instance number and its path (`Device.DeviceInfo.FirmwareImage.2.`). */
  bank: number;
  image: string;
  commandKey: string;
  /** When Activate() was called (ISO 8601), for the log. */
  requested: string;
  /** The windows the agent can use (Immediately, AnyTime), in order. */
  windows: AbsoluteWindow[];
}

/** The windows of one call, made absolute from the moment it was invoked. */
export function absoluteWindows(windows: readonly TimeWindow[], invokedAt: Date): AbsoluteWindow[] {
  const t = invokedAt.getTime();
  return windows.map((w) => ({ startAt: t + w.start * 1000, endAt: t + w.end * 1000, mode: w.mode }));
}

/** When to activate `p` once the agent is back at `now`: the first window not yet over; undefined when all are. */
export function nextActivation(p: PendingActivation, now: Date): number | undefined {
  const t = now.getTime();
  const w = p.windows.find((x) => x.endAt > t);
  return w === undefined ? undefined : Math.max(w.startAt, t);
}

export class ActivationJournal {
  private readonly file: string | undefined;
  private get entries(): Map<string, PendingActivation> {
    return (this.entriesOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private entriesOf?: Map<string, PendingActivation>;
  private readonly leftover: string[];
  private seq = 0;

  /** Reads what a previous run left, before any controller can call Activate() again. */
  constructor(dataDir: string | undefined) {
    this.file = dataDir === undefined ? undefined : join(dataDir, ACTIVATION_JOURNAL_FILE);
    const left = this.file ? (readJsonFile<Record<string, PendingActivation>>(this.file) ?? {}) : {};
    for (const [k, v] of Object.entries(left).slice(0, MAX_ENTRIES)) {
      if (Number.isSafeInteger(v?.bank) && Array.isArray(v.windows)) this.entries.set(k, v);
    }
    this.leftover = [...this.entries.keys()];
  }

  /** The activations a previous run left waiting; each stays journaled until end() is called with its key. */
  takeLeftover(): Array<{ key: string; pending: PendingActivation }> {
    return this.leftover.splice(0).map((key) => ({ key, pending: this.entries.get(key)! }));
  }

  /** Journals a call now waiting for its window; returns its key, or undefined when the table is full (then it is not kept across a restart). */
  begin(p: PendingActivation): string | undefined {
    if (this.entries.size >= MAX_ENTRIES) return undefined;
    const key = `${p.image}@${p.requested}#${++this.seq}`;
    this.entries.set(key, p);
    this.save();
    return key;
  }

  end(key: string | undefined): void {
    if (key !== undefined && this.entries.delete(key)) this.save();
  }

  private save(): void {
    if (!this.file) return;
    if (this.entries.size === 0) rmSync(this.file, { force: true });
    else writeFileAtomicSync(this.file, JSON.stringify(Object.fromEntries(this.entries)));
  }
}
