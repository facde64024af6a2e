/**
 * A Delete's store work follows the deleted row, not the table: PathMap finds what lies below an
 * instance without going through every stored path, and DataStore.remove / snapshotSubtree use it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { PathMap, SCAN_BELOW } from '../../../../datamodel/store/PathMap.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const CTRL = 'Device.LocalAgent.Controller.';

describe('PathMap', () => {
  it('finds the keys strictly below an instance, through set, delete, clear and of', () => {
    const m = PathMap.of<number>([
      [`${CTRL}3.`, 1],
      [`${CTRL}3.MTP.`, 2],
      [`${CTRL}3.MTP.1.`, 3],
      [`${CTRL}3.MTP.1.WebSocket.`, 4],
      [`${CTRL}30.`, 5],
    ]);
    expect(m.under(`${CTRL}3.`).sort()).toEqual([`${CTRL}3.MTP.`, `${CTRL}3.MTP.1.`, `${CTRL}3.MTP.1.WebSocket.`]);
    expect(m.under(`${CTRL}3.MTP.1.`)).toEqual([`${CTRL}3.MTP.1.WebSocket.`]);
    expect(m.under(`${CTRL}30.`)).toEqual([]);
    m.set(`${CTRL}3.MTP.1.WebSocket.`, 40); // an update adds nothing twice
    m.delete(`${CTRL}3.MTP.1.`);
    expect(m.under(`${CTRL}3.`).sort()).toEqual([`${CTRL}3.MTP.`, `${CTRL}3.MTP.1.WebSocket.`]);
    m.set(`${CTRL}30.BootParameter.2.`, 6);
    expect(m.under(`${CTRL}30.`)).toEqual([`${CTRL}30.BootParameter.2.`]);
    m.clear();
    expect(m.under(`${CTRL}3.`)).toEqual([]);
  });

  it('keeps no index up to SCAN_BELOW keys, and answers the same below and above it', () => {
    const m = new PathMap<number>();
    const below = (): unknown => (m as unknown as { below?: unknown }).below;
    const brute = (at: string): string[] => [...m.keys()].filter((k) => k !== at && k.startsWith(at));
    const check = (): void => {
      // Only instance paths have keys below them; a table's or an object's path has none.
      for (const at of [`${CTRL}1.`, `${CTRL}2.`, `${CTRL}2.MTP.3.`, `${CTRL}20.`]) expect(m.under(at), at).toEqual(brute(at));
      for (const at of [CTRL, 'Device.LocalAgent.']) expect(m.under(at), at).toEqual([]);
    };
    let i = 0;
    const grow = (): void => {
      const c = 1 + (i % 25);
      m.set(`${CTRL}${c}.`, i);
      m.set(`${CTRL}${c}.MTP.${i}.`, i);
      m.set(`${CTRL}${c}.MTP.`, i);
      i++;
    };
    while (m.size < SCAN_BELOW - 3) grow();
    check();
    expect(below()).toBeUndefined();
    while (m.size <= SCAN_BELOW + 10) grow();
    expect(below()).toBeDefined();
    check();
    for (const k of [...m.keys()].filter((_, j) => j % 3 === 0)) m.delete(k);
    m.set(`${CTRL}2.MTP.3.X.`, 1);
    check();
    m.clear();
    expect(below()).toBeUndefined();
    grow();
    check();
  });
});

describe('a Delete in the store', () => {
  function storeWith(rows: number): DataStore {
    const s = new DataStore();
    for (let i = 0; i < rows; i++) {
      const n = s.allocate(CTRL);
      s.setRow(`${CTRL}${n}.`, { EndpointID: `proto::${n}` });
      s.setRow(`${CTRL}${n}.MTP.1.`, { Protocol: 'WebSocket' });
      s.allocate(`${CTRL}${n}.MTP.`);
    }
    return s;
  }

  it('compares no other stored path: snapshot and remove among 2,000 rows', () => {
    const s = storeWith(2000);
    const startsWith = vi.spyOn(String.prototype, 'startsWith');
    const snap = s.snapshotSubtree(`${CTRL}7.`);
    s.remove(`${CTRL}7.`, CTRL, 7);
    expect(startsWith.mock.calls.length).toBeLessThan(10);
    startsWith.mockRestore();
    expect(snap.rows.map(([k]) => k).sort()).toEqual([`${CTRL}7.`, `${CTRL}7.MTP.1.`]);
    expect(snap.tables.map(([k]) => k)).toEqual([`${CTRL}7.MTP.`]);
    expect(s.row(`${CTRL}7.MTP.1.`)).toBeUndefined();
    expect(s.instances(`${CTRL}7.MTP.`)).toEqual([]);
    expect(s.row(`${CTRL}70.MTP.1.`)).toEqual({ Protocol: 'WebSocket' });
    // The undo puts the row, its sub-object and its sub-table back.
    s.restoreSubtree(CTRL, 7, snap);
    expect(s.row(`${CTRL}7.`)).toEqual({ EndpointID: 'proto::7' });
    expect(s.row(`${CTRL}7.MTP.1.`)).toEqual({ Protocol: 'WebSocket' });
    expect(s.instances(`${CTRL}7.MTP.`)).toEqual([1]);
    expect(s.instances(CTRL)).toContain(7);
  });
});
