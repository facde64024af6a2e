import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataStore, JOURNAL_FILE, STATE_FILE, type JournalDamage } from '../../../../datamodel/store/DataStore.js';
import { readSavedState } from '../../../../datamodel/store/SavedImage.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('DataStore', () => {
  it('saves rows and counters and loads them back', async () => {
    const s = new DataStore(dir);
    const n1 = s.allocate('Device.LocalAgent.Controller.');
    const n2 = s.allocate('Device.LocalAgent.Controller.');
    s.setRow(`Device.LocalAgent.Controller.${n2}.`, { EndpointID: 'proto::a', Enable: true, PeriodicNotifInterval: 60 });
    await s.flush();
    const t = new DataStore(dir);
    expect(
      t.load(() => {
        throw new Error('not corrupt');
      }),
    ).toBe(true);
    expect(t.instances('Device.LocalAgent.Controller.')).toEqual([n1, n2]);
    expect(t.row('Device.LocalAgent.Controller.2.')).toEqual({ EndpointID: 'proto::a', Enable: true, PeriodicNotifInterval: 60 });
  });

  it('never reuses an instance number, also after a restart', async () => {
    const s = new DataStore(dir);
    const a = s.allocate('Device.X.');
    s.remove(`Device.X.${a}.`, 'Device.X.', a);
    await s.flush();
    const t = new DataStore(dir);
    t.load(() => undefined);
    expect(t.allocate('Device.X.')).toBe(a + 1);
  });

  it('tells a table emptied by deletes from one never created, also after a restart; revision counts saved commits', async () => {
    const s = new DataStore(dir);
    expect(s.hasTable('Device.X.')).toBe(false);
    const a = s.allocate('Device.X.');
    s.remove(`Device.X.${a}.`, 'Device.X.', a);
    expect(s.hasTable('Device.X.')).toBe(true);
    await s.flush();
    const before = s.revision;
    s.setRow('Device.Y.', { V: 1 });
    await s.flush();
    expect(s.revision).toBeGreaterThan(before);
    const t = new DataStore(dir);
    t.load(() => undefined);
    expect(t.hasTable('Device.X.')).toBe(true);
    expect(t.instances('Device.X.')).toEqual([]);
    expect(t.revision).toBe(s.revision);
  });

  it('keeps an empty table it was told about (touchTable), across a restart', async () => {
    const s = new DataStore(dir);
    expect(s.hasTable('Device.Bridging.Bridge.2.Port.')).toBe(false);
    s.touchTable('Device.Bridging.Bridge.2.Port.');
    const a = s.allocate('Device.DNS.Relay.Forwarding.', 1);
    s.remove(`Device.DNS.Relay.Forwarding.${a}.`, 'Device.DNS.Relay.Forwarding.', a);
    await s.flush();
    const t = new DataStore(dir);
    t.load(() => {
      throw new Error('not corrupt');
    });
    expect(t.hasTable('Device.Bridging.Bridge.2.Port.')).toBe(true);
    expect(t.instances('Device.Bridging.Bridge.2.Port.')).toEqual([]);
    // A table whose last row was removed is still known: empty, not absent.
    expect(t.hasTable('Device.DNS.Relay.Forwarding.')).toBe(true);
    expect(t.allocate('Device.DNS.Relay.Forwarding.')).toBe(2);
  });

  it('a requested instance number moves the counter past it', () => {
    const s = new DataStore();
    expect(s.allocate('Device.X.', 5)).toBe(5);
    expect(s.allocate('Device.X.')).toBe(6);
    expect(() => s.allocate('Device.X.', 5)).toThrow();
  });

  it('removing an instance removes its sub-objects and sub-tables; a snapshot restores them', () => {
    const s = new DataStore();
    const n = s.allocate('Device.LocalAgent.Controller.');
    s.setRow('Device.LocalAgent.Controller.1.', { EndpointID: 'e' });
    const m = s.allocate('Device.LocalAgent.Controller.1.MTP.');
    s.setRow(`Device.LocalAgent.Controller.1.MTP.${m}.`, { Protocol: 'WebSocket' });
    s.setRow('Device.LocalAgent.Controller.10.', { EndpointID: 'other' });
    const snap = s.snapshotSubtree('Device.LocalAgent.Controller.1.');
    s.remove('Device.LocalAgent.Controller.1.', 'Device.LocalAgent.Controller.', n);
    expect(s.row('Device.LocalAgent.Controller.1.MTP.1.')).toBeUndefined();
    expect(s.instances('Device.LocalAgent.Controller.1.MTP.')).toEqual([]);
    expect(s.row('Device.LocalAgent.Controller.10.')).toEqual({ EndpointID: 'other' });
    s.restoreSubtree('Device.LocalAgent.Controller.', n, snap);
    expect(s.instances('Device.LocalAgent.Controller.')).toEqual([1]);
    expect(s.row('Device.LocalAgent.Controller.1.MTP.1.')).toEqual({ Protocol: 'WebSocket' });
  });

  it('a corrupt state file is moved aside and reported, and the store starts empty', () => {
    writeFileSync(join(dir, STATE_FILE), '{"format":1,"rows":');
    const s = new DataStore(dir);
    let report = '';
    expect(
      s.load((why, moved) => {
        report = `${why} ${moved}`;
      }),
    ).toBe(false);
    expect(report).toContain('.corrupt-');
    expect(readdirSync(dir).some((f) => f.startsWith(`${STATE_FILE}.corrupt-`))).toBe(true);
    expect(readdirSync(dir)).not.toContain(STATE_FILE);
  });

  it('writes atomically: no temporary file is left and the state always parses', async () => {
    const s = new DataStore(dir);
    for (let i = 0; i < 20; i++) {
      s.setRow('Device.LocalAgent.', { EndpointID: `e-${i}` });
      void s.flush();
    }
    await s.flush();
    expect(readdirSync(dir).sort()).toEqual([JOURNAL_FILE, STATE_FILE]);
    expect(readSavedState(dir)?.rows['Device.LocalAgent.']).toEqual({ EndpointID: 'e-19' });
    expect(await s.compact()).toBe(true);
    expect(readdirSync(dir)).toEqual([STATE_FILE]);
    expect(JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')).rows['Device.LocalAgent.']).toEqual({ EndpointID: 'e-19' });
  });
});

/** A store in `dir` with `n` Subscription rows, saved. */
async function storeWithRows(n: number, opts?: ConstructorParameters<typeof DataStore>[1]): Promise<DataStore> {
  const s = new DataStore(dir, opts);
  for (let i = 0; i < n; i++) {
    const k = s.allocate(TABLE);
    s.setRow(`${TABLE}${k}.`, { ID: `sub-${k}`, Enable: true, NotifType: 'ValueChange', ReferenceList: 'Device.DeviceInfo.HostName' });
  }
  await s.flush();
  return s;
}

const TABLE = 'Device.LocalAgent.Subscription.';

function reload(
  onCorrupt: (why: string, movedTo: string, journal?: JournalDamage) => void = () => {
    throw new Error('not corrupt');
  },
): DataStore {
  const t = new DataStore(dir);
  expect(t.load(onCorrupt)).toBe(true);
  return t;
}

describe('DataStore journal: a commit costs what it changed', () => {
  it('a commit appends one line with the rows and counters it changed; state.json is not rewritten', async () => {
    const s = await storeWithRows(2000);
    const state = readFileSync(join(dir, STATE_FILE));
    const k = s.allocate(TABLE);
    s.setRow(`${TABLE}${k}.`, { ID: 'one-more', Enable: true });
    s.setRow(`${TABLE}7.`, { ...s.row(`${TABLE}7.`), Enable: false });
    await s.flush();
    expect(readFileSync(join(dir, STATE_FILE)).equals(state)).toBe(true);
    const journal = readFileSync(join(dir, JOURNAL_FILE), 'utf8');
    expect(journal.split('\n')).toHaveLength(2); // one line and its "\n"
    // The row changed, the new row and the table's counter: not the 2000 instance numbers.
    expect(journal.length).toBeLessThan(400);
    const t = reload();
    expect(t.instances(TABLE)).toHaveLength(2001);
    expect(t.row(`${TABLE}${k}.`)).toEqual({ ID: 'one-more', Enable: true });
    expect(t.row(`${TABLE}7.`)?.Enable).toBe(false);
    expect(t.allocate(TABLE)).toBe(k + 1);
  });

  it('deletes, sub-tables and a factory-reset clear survive a reload through the journal', async () => {
    const s = await storeWithRows(3);
    s.remove(`${TABLE}2.`, TABLE, 2);
    const m = s.allocate('Device.LocalAgent.Controller.');
    s.setRow(`Device.LocalAgent.Controller.${m}.`, { EndpointID: 'c' });
    const j = s.allocate(`Device.LocalAgent.Controller.${m}.MTP.`);
    s.setRow(`Device.LocalAgent.Controller.${m}.MTP.${j}.`, { Protocol: 'MQTT' });
    await s.flush();
    let t = reload();
    expect(t.instances(TABLE)).toEqual([1, 3]);
    expect(t.row(`${TABLE}2.`)).toBeUndefined();
    expect(t.row(`Device.LocalAgent.Controller.${m}.MTP.${j}.`)).toEqual({ Protocol: 'MQTT' });
    s.remove(`Device.LocalAgent.Controller.${m}.`, 'Device.LocalAgent.Controller.', m);
    await s.flush();
    t = reload();
    expect(t.instances(`Device.LocalAgent.Controller.${m}.MTP.`)).toEqual([]);
    expect(t.row(`Device.LocalAgent.Controller.${m}.MTP.${j}.`)).toBeUndefined();
    expect(t.allocate('Device.LocalAgent.Controller.')).toBe(m + 1);
    s.clear();
    s.setRow('Device.LocalAgent.', { EndpointID: 'after-reset' });
    await s.flush();
    t = reload();
    expect(t.instances(TABLE)).toEqual([]);
    expect(t.row('Device.LocalAgent.')).toEqual({ EndpointID: 'after-reset' });
  });

  it('the journal is compacted into state.json once past its bound, and the state is the same', async () => {
    const s = await storeWithRows(10, { compactAtBytes: 2000 });
    for (let i = 0; i < 60; i++) {
      s.setRow(`${TABLE}1.`, { ID: `v-${i}` });
      await s.flush();
    }
    await s.compact(); // waits for the writer; the bound was passed many times before
    expect(existsSync(join(dir, JOURNAL_FILE))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8'))).toMatchObject({ format: 1, seq: 61 });
    s.setRow(`${TABLE}2.`, { ID: 'after' });
    await s.flush();
    const t = reload();
    expect(t.row(`${TABLE}1.`)).toEqual({ ID: 'v-59' });
    expect(t.row(`${TABLE}2.`)).toEqual({ ID: 'after' });
    expect(t.instances(TABLE)).toHaveLength(10);
  });

  it('a journal line state.json already includes (compaction cut short before the journal was removed) is not applied again', async () => {
    const s = await storeWithRows(2);
    s.remove(`${TABLE}1.`, TABLE, 1);
    await s.flush();
    const journal = readFileSync(join(dir, JOURNAL_FILE));
    s.restoreSubtree(TABLE, 1, { rows: [[`${TABLE}1.`, { ID: 'back' }]], tables: [] });
    await s.flush();
    await s.compact();
    writeFileSync(join(dir, JOURNAL_FILE), journal); // the removal of row 1, already superseded
    const t = reload();
    expect(t.instances(TABLE)).toEqual([1, 2]);
    expect(t.row(`${TABLE}1.`)).toEqual({ ID: 'back' });
  });
});

describe('DataStore journal: crashes and damage', () => {
  it('a torn last line (a write cut short) is ignored and cut off; the next commit appends cleanly', async () => {
    const s = await storeWithRows(2);
    s.setRow(`${TABLE}1.`, { ID: 'acknowledged' });
    await s.flush();
    const whole = statSync(join(dir, JOURNAL_FILE)).size;
    appendFileSync(join(dir, JOURNAL_FILE), '0badc0de {"seq":3,"rows":{"Device.LocalAgent.Subscription.1.":{"ID":"to');
    const t = reload();
    expect(t.row(`${TABLE}1.`)).toEqual({ ID: 'acknowledged' });
    expect(statSync(join(dir, JOURNAL_FILE)).size).toBe(whole);
    t.setRow(`${TABLE}2.`, { ID: 'next' });
    await t.flush();
    const u = reload();
    expect(u.row(`${TABLE}1.`)).toEqual({ ID: 'acknowledged' });
    expect(u.row(`${TABLE}2.`)).toEqual({ ID: 'next' });
  });

  it('a damaged line with records after it: state.json and the records before it are kept, the journal is copied aside and reported', async () => {
    const s = await storeWithRows(2);
    for (const id of ['first', 'second', 'third']) {
      s.setRow(`${TABLE}1.`, { ID: id });
      await s.flush();
    }
    const lines = readFileSync(join(dir, JOURNAL_FILE), 'utf8').split('\n');
    lines[1] = lines[1].replace('second', 'SECOND'); // checksum no longer matches
    const damaged = lines.join('\n');
    writeFileSync(join(dir, JOURNAL_FILE), damaged);
    let report: { why: string; movedTo: string; journal?: JournalDamage } | undefined;
    const t = reload((why, movedTo, journal) => {
      report = { why, movedTo, journal };
    });
    expect(report).toMatchObject({ why: expect.stringContaining('checksum'), journal: { keptRecords: 1, droppedLines: 2 } });
    expect(readFileSync(report!.movedTo, 'utf8')).toBe(damaged);
    expect(t.row(`${TABLE}1.`)).toEqual({ ID: 'first' });
    expect(t.instances(TABLE)).toEqual([1, 2]);
    expect(readFileSync(join(dir, JOURNAL_FILE), 'utf8')).toBe(`${lines[0]}\n`);
  });

  it('a corrupt state.json is moved aside with its journal (which only holds changes to it)', async () => {
    const s = await storeWithRows(1);
    s.setRow(`${TABLE}1.`, { ID: 'x' });
    await s.flush();
    writeFileSync(join(dir, STATE_FILE), '{"format":1,"rows":');
    const t = new DataStore(dir);
    let movedTo = '';
    expect(
      t.load((_why, m) => {
        movedTo = m;
      }),
    ).toBe(false);
    expect(movedTo).toMatch(/state\.json\.corrupt-\d+$/);
    const names = readdirSync(dir);
    expect(names.filter((f) => /^state\.journal\.corrupt-\d+$/.test(f))).toHaveLength(1);
    expect(names).not.toContain(STATE_FILE);
    expect(names).not.toContain(JOURNAL_FILE);
  });

  it('a journal without state.json (a factory reset removed it) is discarded', async () => {
    const s = await storeWithRows(1);
    s.setRow(`${TABLE}1.`, { ID: 'x' });
    await s.flush();
    rmSync(join(dir, STATE_FILE));
    expect(
      new DataStore(dir).load(() => {
        throw new Error('not corrupt');
      }),
    ).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('DataStore: a save that fails', () => {
  it('rejects, and revert() puts the rows back as saved; the next commit saves only its own change', async () => {
    const s = await storeWithRows(2);
    // Tests run as root, for whom permissions do not stop a write: put a file where the directory was.
    renameSync(dir, `${dir}.away`);
    writeFileSync(dir, 'not a directory');
    try {
      s.setRow(`${TABLE}1.`, { ID: 'unsaved' });
      const k = s.allocate(TABLE);
      expect(k).toBe(3);
      s.setRow(`${TABLE}${k}.`, { ID: 'unsaved-row' });
      await expect(s.flush()).rejects.toThrow();
      s.setRow(`${TABLE}2.`, { ID: 'built-on-the-failure' });
      await expect(s.flush()).rejects.toThrow(); // nothing builds on unsaved changes until revert()
      s.revert();
      expect(s.row(`${TABLE}1.`)?.ID).toBe('sub-1');
      expect(s.row(`${TABLE}2.`)?.ID).toBe('sub-2');
      expect(s.row(`${TABLE}${k}.`)).toBeUndefined();
      expect(s.instances(TABLE)).toEqual([1, 2]);
    } finally {
      rmSync(dir);
      renameSync(`${dir}.away`, dir);
    }
    s.setRow(`${TABLE}2.`, { ID: 'own-change' });
    await s.flush();
    const t = reload();
    expect(t.row(`${TABLE}1.`)?.ID).toBe('sub-1');
    expect(t.row(`${TABLE}2.`)).toEqual({ ID: 'own-change' });
    expect(t.instances(TABLE)).toEqual([1, 2]);
    // The failed Add's number (it may have been seen) is not handed out again, also after a restart (R-ARC.8).
    expect(t.allocate(TABLE)).toBe(4);
    expect(s.allocate(TABLE)).toBe(4);
  });
});
