import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TransferResult } from '../../../../agent/firmware/transfer-complete.js';
import { TRANSFER_JOURNAL_FILE, TransferJournal } from '../../../../agent/firmware/transfer-journal.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const result = (bank: number, key: string): TransferResult => ({
  command: `Device.DeviceInfo.FirmwareImage.${bank}.Download()`,
  commandKey: key,
  requestor: 'proto::c',
  transferType: 'Download',
  affected: `Device.DeviceInfo.FirmwareImage.${bank}.`,
  url: 'https://fw.example/i.bin',
  startTime: new Date('2026-12-05T01:00:00.123Z'),
  completeTime: new Date('2026-12-05T01:00:09Z'),
  faultCode: 0,
  faultString: '',
  checkSumAlgorithm: 'Unknown',
  checkSum: '',
});

describe('TransferJournal (downloads a restart cut short)', () => {
  it('reports what the previous run left as failed (Unknown CompleteTime), once; finished transfers leave nothing', () => {
    dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const before = new TransferJournal(dir);
    before.begin(result(2, 'cut'));
    before.begin(result(1, 'done'));
    before.end(result(1, 'done'));
    // kill -9 here: the next run.
    const after = new TransferJournal(dir);
    expect(after.takeInterrupted()).toEqual([expect.objectContaining({ commandKey: 'cut', faultCode: 7022, completeTime: undefined, faultString: expect.stringMatching(/interrupted by a restart/) })]);
    expect(after.takeInterrupted()).toEqual([]);
    expect(existsSync(join(dir, TRANSFER_JOURNAL_FILE))).toBe(false);
  });

  it('a download started before the leftovers are reported (a controller quick after the start) is not reported as interrupted', () => {
    dir = mkdtempSync(join(tmpdir(), 'journal-'));
    new TransferJournal(dir).begin(result(2, 'cut'));
    const j = new TransferJournal(dir);
    const fresh = { ...result(2, 'fresh'), startTime: new Date('2026-12-05T01:05:00Z') };
    j.begin(fresh);
    expect(j.takeInterrupted().map((r) => r.commandKey)).toEqual(['cut']);
    // The fresh one is still journaled until its TransferComplete!.
    expect(new TransferJournal(dir).takeInterrupted().map((r) => r.commandKey)).toEqual(['fresh']);
  });

  it('without a data directory nothing is kept', () => {
    dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const j = new TransferJournal(undefined);
    j.begin(result(2, 'x'));
    expect(new TransferJournal(undefined).takeInterrupted()).toEqual([]);
  });
});
