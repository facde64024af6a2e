/**
 * A row index (unique keys, per-Recipient bounds) is built only when a lookup meets a table above
 * SCAN_LIMIT rows; smaller tables are read row by row. Either way it answers what reading every
 * row would, through every change the store makes to its rows.
 */
import { describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { SCAN_LIMIT } from '../../../../datamodel/store/RowIndex.js';
import type { Value } from '../../../../datamodel/value/Value.js';

const CTRL = 'Device.LocalAgent.Controller.';
const MTP_OF = (c: number): string => `${CTRL}${c}.MTP.`;
const MTP = 'Device.LocalAgent.Controller.{i}.MTP.{i}.';
const DEFAULTS: Readonly<Record<string, Value>> = { Protocol: 'WebSocket', Enable: false };

/** What a lookup must answer: every stored row of the table read, compared as a Get would. */
function expected(s: DataStore, table: string, values: Record<string, Value>): number[] {
  return s.instances(table).filter((n) => {
    const row = s.row(`${table}${n}.`);
    return row !== undefined && ['Protocol', 'Enable'].every((p) => (row[p] ?? DEFAULTS[p]) === (values[p] ?? DEFAULTS[p]));
  });
}

function addMtp(s: DataStore, c: number, values: Record<string, Value>): number {
  const n = s.allocate(MTP_OF(c));
  s.setRow(`${MTP_OF(c)}${n}.`, values);
  return n;
}

/** A small deterministic PRNG, so a failure replays. */
function prng(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe('RowIndex', () => {
  it('reads a small table row by row and makes no maps', () => {
    const s = new DataStore();
    for (let c = 1; c <= 2; c++) s.setRow(`${CTRL}${s.allocate(CTRL)}.`, { EndpointID: `proto::${c}` });
    addMtp(s, 1, { Protocol: 'MQTT' });
    addMtp(s, 1, {});
    addMtp(s, 2, { Protocol: 'MQTT' });
    const index = s.indexRows(MTP, ['Protocol'], DEFAULTS);
    expect(index.find(MTP_OF(1), { Protocol: 'MQTT' })).toEqual([1]);
    expect(index.find(MTP_OF(1), {})).toEqual([2]);
    expect(index.count(MTP_OF(2), { Protocol: 'MQTT' })).toBe(1);
    expect(index.find(MTP_OF(3), { Protocol: 'MQTT' })).toEqual([]);
    expect(index.built).toBe(false);
    // The same index for the same arguments: a binding may ask at each lookup.
    expect(s.indexRows(MTP, ['Protocol'], DEFAULTS)).toBe(index);
  });

  it('is built at the first lookup of a large table and answers as reading every row would, through every change', () => {
    const s = new DataStore();
    const random = prng(7);
    for (let c = 1; c <= 3; c++) s.setRow(`${CTRL}${s.allocate(CTRL)}.`, {});
    const index = s.indexRows(MTP, ['Protocol', 'Enable'], DEFAULTS);
    const pick = (): Record<string, Value> => {
      const v: Record<string, Value> = {};
      if (random() < 0.7) v.Protocol = ['MQTT', 'WebSocket', 'STOMP'][Math.floor(random() * 3)]!;
      if (random() < 0.5) v.Enable = random() < 0.5;
      return v;
    };
    const check = (): void => {
      for (let c = 1; c <= 3; c++) {
        for (const values of [{ Protocol: 'MQTT' }, { Protocol: 'WebSocket', Enable: true }, {}, { Protocol: 'STOMP', Enable: false }] as Record<string, Value>[]) {
          expect(index.find(MTP_OF(c), values)).toEqual(expected(s, MTP_OF(c), values));
          expect(index.count(MTP_OF(c), values)).toBe(expected(s, MTP_OF(c), values).length);
        }
      }
    };
    for (let i = 0; i < SCAN_LIMIT; i++) addMtp(s, 1 + (i % 3), pick());
    check();
    expect(index.built).toBe(false);
    // Controller 1's table passes the limit: the lookup builds the index over every table.
    for (let i = 0; i < SCAN_LIMIT; i++) addMtp(s, 1, pick());
    check();
    expect(index.built).toBe(true);
    for (let step = 0; step < 300; step++) {
      const c = 1 + Math.floor(random() * 3);
      const rows = s.instances(MTP_OF(c));
      const r = random();
      if (r < 0.4 || rows.length === 0) addMtp(s, c, pick());
      else if (r < 0.7) s.setRow(`${MTP_OF(c)}${rows[0]}.`, pick());
      else if (r < 0.9) {
        const n = rows[Math.floor(random() * rows.length)]!;
        const snap = s.snapshotSubtree(`${MTP_OF(c)}${n}.`);
        s.remove(`${MTP_OF(c)}${n}.`, MTP_OF(c), n);
        if (random() < 0.5) s.restoreSubtree(MTP_OF(c), n, snap);
      } else {
        // A whole controller and its MTP table go.
        s.remove(`${CTRL}${c}.`, CTRL, c);
        s.setRow(`${CTRL}${s.allocate(CTRL, c)}.`, {});
      }
      if (step % 25 === 0) check();
    }
    check();
    // A factory reset forgets the maps; the next lookup of a large table builds them again.
    s.clear();
    expect(index.built).toBe(false);
    expect(index.find(MTP_OF(1), {})).toEqual([]);
    s.setRow(`${CTRL}${s.allocate(CTRL, 1)}.`, {});
    for (let i = 0; i <= SCAN_LIMIT; i++) addMtp(s, 1, { Protocol: i % 2 ? 'MQTT' : 'STOMP' });
    expect(index.count(MTP_OF(1), { Protocol: 'MQTT' })).toBe(Math.floor((SCAN_LIMIT + 1) / 2));
    expect(index.built).toBe(true);
  });
});
