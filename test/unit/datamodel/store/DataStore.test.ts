import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataStore, STATE_FILE } from '../../../../datamodel/store/DataStore.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'store-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

describe('DataStore', () => {
  it('saves rows and counters and loads them back', async () => {
    const s = new DataStore(dir);
    const n1 = s.allocate('Device.LocalAgent.Controller.');
    const n2 = s.allocate('Device.LocalAgent.Controller.');
    s.setRow(`Device.LocalAgent.Controller.${n2}.`, { EndpointID: 'proto::a', Enable: true, PeriodicNotifInterval: 60 });
    await s.flush();
    const t = new DataStore(dir);
    expect(t.load(() => { throw new Error('not corrupt'); })).toBe(true);
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
    expect(s.load((why, moved) => { report = `${why} ${moved}`; })).toBe(false);
    expect(report).toContain('.corrupt-');
    expect(readdirSync(dir).some((f) => f.startsWith(`${STATE_FILE}.corrupt-`))).toBe(true);
    expect(readdirSync(dir)).not.toContain(STATE_FILE);
  });

  it('writes atomically: no temporary file is left and the file always parses', async () => {
    const s = new DataStore(dir);
    for (let i = 0; i < 20; i++) {
      s.setRow('Device.LocalAgent.', { EndpointID: `e-${i}` });
      void s.flush();
    }
    await s.flush();
    expect(readdirSync(dir)).toEqual([STATE_FILE]);
    expect(JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')).rows['Device.LocalAgent.']).toEqual({ EndpointID: 'e-19' });
  });
});
