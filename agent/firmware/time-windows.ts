/**
 * The TimeWindow.{i} input of FirmwareImage.{i}.Activate() (TR-181 Firmware:1): one to five
 * windows, as offsets in seconds from the call, that must not overlap. The agent activates in
 * the first window whose Mode it can honour: Immediately and AnyTime, at the window's Start.
 * WhenIdle (the agent cannot tell that the subscriber is idle) and ConfirmationNeeded (there is
 * no user to ask) are not used; TR-181 says a window needing a confirmation that never comes
 * "MUST NOT be used".
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';

export type WindowMode = 'AnyTime' | 'Immediately' | 'WhenIdle' | 'ConfirmationNeeded';

export interface TimeWindow {
  instance: number;
  start: number;
  end: number;
  mode: WindowMode;
}

/** TR-181: TimeWindow.{i} has maxEntries 5 (Device.DeviceInfo.MaxNumberOfActivateTimeWindows). */
export const MAX_TIME_WINDOWS = 5;
const MODES: readonly WindowMode[] = ['AnyTime', 'Immediately', 'WhenIdle', 'ConfirmationNeeded'];
const USABLE: ReadonlySet<WindowMode> = new Set(['Immediately', 'AnyTime']);
const KEY_RE = /^TimeWindow\.(\d+)\.(Start|End|Mode|UserMessage|MaxRetries)$/;
const UINT_MAX = 4294967295;

/** Reads the windows from Activate()'s input ("TimeWindow.1.Start" → …), ordered by instance; 7027 when malformed. */
export function parseTimeWindows(input: Record<string, Value>): TimeWindow[] {
  const rows = new Map<number, Record<string, Value>>();
  for (const [k, v] of Object.entries(input)) {
    const m = KEY_RE.exec(k);
    if (!m) continue;
    const n = Number(m[1]);
    let row = rows.get(n);
    if (!row) {
      row = {};
      rows.set(n, row);
    }
    row[m[2]] = v;
  }
  if (rows.size === 0) throw invalid('at least one TimeWindow is required');
  if (rows.size > MAX_TIME_WINDOWS) throw invalid(`at most ${MAX_TIME_WINDOWS} TimeWindows are supported`);
  const windows = [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([n, row]): TimeWindow => {
      for (const name of ['Start', 'End', 'Mode']) if (row[name] === undefined) throw invalid(`TimeWindow.${n}.${name} is mandatory`);
      const start = seconds(row.Start, `TimeWindow.${n}.Start`);
      const end = seconds(row.End, `TimeWindow.${n}.End`);
      const mode = String(row.Mode) as WindowMode;
      if (!MODES.includes(mode)) throw invalid(`TimeWindow.${n}.Mode ${JSON.stringify(row.Mode)} is not one of ${MODES.join(', ')}`);
      if (end < start) throw invalid(`TimeWindow.${n} ends (${end}) before it starts (${start})`);
      return { instance: n, start, end, mode };
    });
  for (let i = 1; i < windows.length; i++) {
    if (windows[i].start < windows[i - 1].end) throw invalid(`TimeWindow.${windows[i].instance} overlaps TimeWindow.${windows[i - 1].instance}`);
  }
  return windows;
}

/** The window the agent activates in, or undefined when it can use none of them. */
export function chooseWindow(windows: readonly TimeWindow[]): TimeWindow | undefined {
  return windows.find((w) => USABLE.has(w.mode));
}

/** The windows whose Mode the agent can honour, in order (kept for an activation that outlives a restart). */
export function usableWindows(windows: readonly TimeWindow[]): TimeWindow[] {
  return windows.filter((w) => USABLE.has(w.mode));
}

function seconds(v: Value, name: string): number {
  const n = typeof v === 'number' ? v : /^\d+$/.test(String(v)) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 0 || n > UINT_MAX) throw invalid(`${name} must be an unsignedInt (seconds), not ${JSON.stringify(v)}`);
  return n;
}

function invalid(message: string): UspError {
  return new UspError(ErrorCode.InvalidCommandArgs, message);
}
