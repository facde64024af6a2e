import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ACTIVATION_JOURNAL_FILE, ActivationJournal, absoluteWindows, nextActivation, type PendingActivation } from '../../../../agent/firmware/activation-journal.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const CALLED = new Date('2026-12-05T02:00:00Z');
const pending = (windows: Array<[number, number]>): PendingActivation => ({
  bank: 2,
  image: 'Device.DeviceInfo.FirmwareImage.2.',
  commandKey: 'k',
  requested: CALLED.toISOString(),
  windows: absoluteWindows(
    windows.map(([start, end], i) => ({ instance: i + 1, start, end, mode: 'AnyTime' })),
    CALLED,
  ),
});
const at = (s: number): Date => new Date(CALLED.getTime() + s * 1000);

describe('nextActivation (TimeWindow offsets from the call, after a restart)', () => {
  it('before the Start: at the Start; inside the window: at once; between windows: the next Start; after the last End: none', () => {
    const p = pending([
      [60, 120],
      [600, 700],
    ]);
    expect(nextActivation(p, at(10))).toBe(at(60).getTime());
    expect(nextActivation(p, at(90))).toBe(at(90).getTime());
    expect(nextActivation(p, at(300))).toBe(at(600).getTime());
    expect(nextActivation(p, at(700))).toBeUndefined();
  });
});

describe('ActivationJournal', () => {
  it('a waiting call is there for the next run until ended; an ended one leaves no file', () => {
    dir = mkdtempSync(join(tmpdir(), 'act-journal-'));
    const before = new ActivationJournal(dir);
    before.begin(pending([[60, 120]]));
    before.end(before.begin({ ...pending([[5, 10]]), commandKey: 'done' }));
    // kill -9 here: the next run.
    const after = new ActivationJournal(dir);
    const left = after.takeLeftover();
    expect(left.map((l) => l.pending.commandKey)).toEqual(['k']);
    expect(after.takeLeftover()).toEqual([]);
    after.end(left[0].key);
    expect(existsSync(join(dir, ACTIVATION_JOURNAL_FILE))).toBe(false);
  });

  it('is bounded: past 16 waiting calls, more are not journaled', () => {
    dir = mkdtempSync(join(tmpdir(), 'act-journal-'));
    const j = new ActivationJournal(dir);
    const keys = Array.from({ length: 17 }, () => j.begin(pending([[60, 120]])));
    expect(keys.filter((k) => k !== undefined)).toHaveLength(16);
    expect(keys[16]).toBeUndefined();
  });

  it('without a data directory nothing is written or read', () => {
    const j = new ActivationJournal(undefined);
    expect(j.begin(pending([[1, 2]]))).toEqual(expect.any(String));
    expect(new ActivationJournal(undefined).takeLeftover()).toEqual([]);
  });
});
