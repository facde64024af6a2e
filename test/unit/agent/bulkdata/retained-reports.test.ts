/**
 * The bounded queue of retained Bulk Data reports (agent/bulkdata/retained-reports.ts): the
 * count and byte bounds, oldest first out, and the file it persists to.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../datamodel/Logger.js';
import type { CollectedReport } from '../../../../agent/bulkdata/report-contract.js';
import { MAX_RETAINED_BYTES, MAX_RETAINED_REPORTS, RetainedReports, discardRetainedReports, retainLimit, retainedReportsFile } from '../../../../agent/bulkdata/retained-reports.js';

const dir = mkdtempSync(join(tmpdir(), 'usp-retained-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const report = (n: number, text = ''): CollectedReport => ({
  collectedAt: new Date(n * 1000),
  entries: [
    { name: 'N', path: 'Device.N', value: n, type: 'int' },
    { name: 'T', path: 'Device.T', value: text, type: 'string' },
  ],
});
const numbers = (rs: readonly CollectedReport[]): number[] => rs.map((r) => r.entries[0]!.value as number);

describe('RetainedReports bounds', () => {
  it('-1 keeps as many as the agent bound allows; 0 keeps none; n keeps the newest n', () => {
    expect(retainLimit(-1)).toBe(MAX_RETAINED_REPORTS);
    expect(retainLimit(0)).toBe(0);
    expect(retainLimit(1_000_000)).toBe(MAX_RETAINED_REPORTS);
    const q = new RetainedReports(undefined, silentLogger);
    const many = Array.from({ length: 50 }, (_, i) => report(i));
    q.retain(many, -1);
    expect(numbers(q.all)).toEqual(numbers(many.slice(-MAX_RETAINED_REPORTS)));
    q.retain(many, 3);
    expect(numbers(q.all)).toEqual([47, 48, 49]);
    q.retain(many, 0);
    expect(q.all).toEqual([]);
  });

  it('drops the oldest beyond the byte bound, and a single report over it entirely', () => {
    const q = new RetainedReports(undefined, silentLogger);
    const quarter = 'x'.repeat(Math.floor(MAX_RETAINED_BYTES / 4)); // a little over a quarter once serialised
    q.retain(
      [1, 2, 3, 4, 5].map((n) => report(n, quarter)),
      -1,
    );
    expect(numbers(q.all)).toEqual([3, 4, 5]);
    const fresh = new RetainedReports(undefined, silentLogger);
    fresh.retain([report(5, 'x'.repeat(MAX_RETAINED_BYTES))], -1);
    expect(fresh.all).toEqual([]);
  });

  it('keeps reports retained while a transfer was under way, after it in order; a success removes only what it carried', () => {
    const q = new RetainedReports(undefined, silentLogger);
    q.retain([report(1)], -1);
    const batch = [...q.all, report(2)];
    q.add(report(3), -1); // due while batch was being sent
    q.retain(batch, -1);
    expect(numbers(q.all)).toEqual([1, 2, 3]);
    q.retain(batch, 2);
    expect(numbers(q.all)).toEqual([2, 3]);
    q.remove(batch);
    expect(numbers(q.all)).toEqual([3]);
  });
});

describe('RetainedReports persistence', () => {
  it('saves, loads back in order, and is removed by discardRetainedReports', async () => {
    const q = new RetainedReports(retainedReportsFile(dir, 'Profile.7'), silentLogger);
    q.retain([report(1), report(2)], 5);
    await q.save(true);
    const again = new RetainedReports(retainedReportsFile(dir, 'Profile.7'), silentLogger);
    await again.load();
    expect(again.all).toEqual([report(1), report(2)]);
    await discardRetainedReports(dir, 'Profile.7', silentLogger);
    const none = new RetainedReports(retainedReportsFile(dir, 'Profile.7'), silentLogger);
    await none.load();
    expect(none.all).toEqual([]);
  });

  it('names the file safely whatever the Profile key holds', () => {
    expect(retainedReportsFile('/d', '../../etc/passwd')).toBe(join('/d', 'bulkdata', '%2E%2E%2F%2E%2E%2Fetc%2Fpasswd.json'));
  });

  it.each([
    ['not JSON', 'nope'],
    ['another format', '{"format":"x","version":1,"reports":[]}'],
    ['a bad value', '{"format":"usp-agent/bulkdata-retained-reports","version":1,"reports":[{"collectedAt":"2026-01-01T00:00:00Z","entries":[{"name":"a","path":"p","type":"t","value":{}}]}]}'],
  ])('ignores a file holding %s', async (_what, text) => {
    const file = retainedReportsFile(dir, 'bad');
    const q = new RetainedReports(file, silentLogger);
    q.retain([report(1)], 1);
    await q.save(true);
    writeFileSync(file, text);
    const r = new RetainedReports(file, silentLogger);
    await r.load();
    expect(r.all).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(text); // left for an operator to look at, replaced at the next save
  });
});
