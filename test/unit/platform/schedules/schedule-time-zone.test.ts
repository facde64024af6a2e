/**
 * The zone the Linux firewalls' schedule windows count in. nft turns a rule's `meta hour` into UTC
 * when it loads it, with the offset its own TZ gives: the agent runs it with TZ set to the
 * Device.Time.LocalTimeZone it serves (ScheduleBook.commandEnv), the zone Schedule Status counts
 * in, and writes the rules again when the offset in force moves. The last case loads a table with
 * a REAL nft in a network namespace and lists it in UTC (root and nft needed; skipped otherwise).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { ruleOf } from '../../../../platform/access-control/access-rows.js';
import { CommandRunner, findOnPath } from '../../../../platform/exec/CommandRunner.js';
import { NftAccessBackend } from '../../../../platform/linux/access-control-nft.js';
import { scheduleBookOf } from '../../../../platform/schedules/ScheduleBook.js';

const schema = Schema.load();

/** A model whose Device.Time.LocalTimeZone reads `zone.tz`, and the book of its schedules. */
function fixture(zone: { tz: string }, withTime = true) {
  const model = new DataModel(schema);
  const store = new DataStore();
  if (withTime) model.register('Device.Time.', { params: ['LocalTimeZone'], get: async () => ({ LocalTimeZone: zone.tz }) });
  const book = scheduleBookOf(model, store);
  /** What a Set of LocalTimeZone tells the change feed once it is through. */
  const zoneSet = (tz: string): void => {
    zone.tz = tz;
    model.changes.emit({ kind: 'value', inst: { node: model.requireNode('Device.Time.'), keys: [] }, path: 'Device.Time.', param: 'LocalTimeZone', value: tz });
  };
  return { model, store, book, zoneSet };
}

describe('ScheduleBook.commandEnv', () => {
  it('is TZ=<LocalTimeZone> for a POSIX TZ string; the process zone (no TZ given) for anything else or no Device.Time.', async () => {
    expect(await fixture({ tz: 'CET-1CEST,M3.5.0,M10.5.0/3' }).book.commandEnv()).toEqual({ TZ: 'CET-1CEST,M3.5.0,M10.5.0/3' });
    expect(await fixture({ tz: '<+05>-5' }).book.commandEnv()).toEqual({ TZ: '<+05>-5' });
    expect(await fixture({ tz: 'Europe/Berlin' }).book.commandEnv()).toBeUndefined();
    expect(await fixture({ tz: '' }).book.commandEnv()).toBeUndefined();
    expect(await fixture({ tz: 'UTC0' }, false).book.commandEnv()).toBeUndefined();
  });

  it('a command runs with it, beside the agent environment', async () => {
    const out = await new CommandRunner().run('sh', ['-c', 'echo "$TZ|${PATH:+path}"'], { env: { TZ: '<+05>-5' } });
    expect(out.trim()).toBe('<+05>-5|path');
  });
});

describe('the users write again when the offset in force moves', () => {
  it('a new LocalTimeZone with another offset rewrites; one with the same offset does not', async () => {
    const zone = { tz: 'UTC0' };
    const { store, book, zoneSet } = fixture(zone);
    store.setRow('Device.Schedules.Schedule.1.', { Enable: true, Day: 'Monday', StartTime: '10:00', Duration: 3600, InverseMode: false });
    store.allocate('Device.Schedules.Schedule.', 1);
    let writes = 0;
    book.use(async () => {
      writes++;
    });
    book.start();
    try {
      // The first look notes the offset (private: waited for, not timed); nothing to rewrite yet.
      await expect.poll(() => (book as unknown as { offsetSeen?: number }).offsetSeen, { timeout: 5000 }).toBe(0);
      expect(writes).toBe(0);
      zoneSet('<+05>-5');
      await expect.poll(() => writes, { timeout: 5000 }).toBe(1);
      expect(await book.commandEnv()).toEqual({ TZ: '<+05>-5' });
      zoneSet('<+0500>-05:00');
      await new Promise((r) => setTimeout(r, 50));
      expect(writes).toBe(1);
    } finally {
      book.stop();
    }
  });
});

const root = process.getuid?.() === 0 && findOnPath('nft') !== undefined;

describe.runIf(root)('with a real nft in a network namespace', () => {
  const ns = `usp-schtz-${process.pid % 100_000}`;
  const dir = mkdtempSync(join(tmpdir(), 'usp-schtz-'));
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the same local window loads as other UTC hours under another LocalTimeZone', async () => {
    execFileSync('ip', ['netns', 'add', ns]);
    // The agent's runner finds `nft` in its command path: here one that runs it in the namespace (ip netns exec keeps the environment).
    writeFileSync(join(dir, 'nft'), `#!/bin/sh\nexec ip netns exec ${ns} nft "$@"\n`);
    chmodSync(join(dir, 'nft'), 0o755);
    const inUtc = (): string => spawnSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'table', 'inet', 'usp_agent_access'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC0' } }).stdout;
    // Open Mondays 10:00-11:00 local: blocked from 11:00 on Mondays (and all day the other days).
    const rule = ruleOf('Device.Hosts.AccessControl.1', { PhysAddress: '02:00:00:00:00:01', Enable: true, AccessPolicy: 'Allow' }, [], [{ days: [0], start: 36_000, duration: 3600 }])!;
    const zone = { tz: 'UTC0' };
    const { store, book, zoneSet } = fixture(zone);
    // A book with a row listens for LocalTimeZone changes (one without has no window to move).
    store.setRow('Device.Schedules.Schedule.1.', { Enable: true, Day: 'Monday', StartTime: '10:00', Duration: 3600, InverseMode: false });
    store.allocate('Device.Schedules.Schedule.', 1);
    book.start();
    const backend = new NftAccessBackend(new CommandRunner({ commandPath: dir }), 'usp_agent_access', undefined, () => book.commandEnv());
    await backend.apply([rule]);
    expect(inUtc()).toMatch(/meta day "?Monday"? meta hour "11:00(:00)?"-/);
    zoneSet('<+05>-5');
    await backend.apply([rule]);
    expect(inUtc()).toMatch(/meta day "?Monday"? meta hour "06:00(:00)?"-/);
    book.stop();
  });
});
