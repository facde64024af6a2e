/**
 * StoredTable (platform/stored-table.ts), the one binding of the tables the agent keeps in its
 * store (NAT, Hosts.AccessControl, Time.Client, dnsmasq's): checked before anything is kept, put
 * into effect after, the store put back when the effect fails, and a rolled-back Delete brought
 * back with its sub-objects. Over the real schema and an in-memory store.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../datamodel/UspError.js';
import { Schema } from '../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../../datamodel/tree/binding.js';
import { DataModel } from '../../../datamodel/tree/DataModel.js';
import type { Value } from '../../../datamodel/value/Value.js';
import { invalid, StoredTable, type TableRules } from '../../../platform/stored-table.js';
import { refusal } from './refusal.js';

const schema = Schema.load();
const SETTING = 'Device.NAT.InterfaceSetting.{i}.';
const CONTROL = 'Device.Hosts.AccessControl.{i}.';
const SCHEDULE = 'Device.Hosts.AccessControl.{i}.Schedule.{i}.';

/** A table over `path` whose effect fails while `failing` is set, recording what its hooks saw. */
function fixture(path: string, rules: Partial<TableRules> = {}) {
  const model = new DataModel(schema);
  const store = new DataStore();
  const seen = { checked: [] as InstanceKeys[], applied: 0, hooks: [] as string[] };
  let failing = false;
  const table = new StoredTable(store, model.requireNode(path), {
    params: ['Enable', 'Status', 'Alias', 'Interface'],
    live: new Set(['Status']),
    max: 2,
    references: ['Interface'],
    check: (keys, merged) => {
      seen.checked.push(keys);
      if (merged.Interface === 'Device.IP.Interface.9') throw invalid([{ param: 'Interface', message: 'no such interface' }]);
      return merged;
    },
    apply: () => {
      seen.applied++;
      if (failing) throw new Error('the effect failed');
    },
    added: (keys) => seen.hooks.push(`added ${keys.join('.')}`),
    updated: (keys, _row, changes) => seen.hooks.push(`updated ${keys.join('.')} ${Object.keys(changes).join(',')}`),
    deleted: (keys) => seen.hooks.push(`deleted ${keys.join('.')}`),
    restored: (keys) => seen.hooks.push(`restored ${keys.join('.')}`),
    ...rules,
  });
  return { model, store, table, seen, fail: (on: boolean) => (failing = on) };
}

describe('StoredTable', () => {
  it('adds a row checked as instance 0, with the schema defaults, a cpe-N Alias and canonical references, live values not stored', async () => {
    const fx = fixture(SETTING);
    const n = await fx.table.add([], { Interface: 'Device.IP.Interface.1.', Status: 'Enabled' }, {});
    expect(n).toBe(1);
    expect(fx.seen.checked).toEqual([[0]]);
    expect(fx.store.row('Device.NAT.InterfaceSetting.1.')).toEqual({ Enable: false, Alias: 'cpe-1', Interface: 'Device.IP.Interface.1' });
    expect(fx.seen.applied).toBe(1);
    expect(fx.seen.hooks).toEqual(['added 1']);
    expect(fx.table.changesOnlyThroughAgent).toBe(true);
  });

  it('refuses an Add past the bound (7005) and one its check refuses (7012) without using an instance number', async () => {
    const fx = fixture(SETTING);
    const bad = await refusal(() => fx.table.add([], { Interface: 'Device.IP.Interface.9' }, {}));
    expect(bad.code).toBe(ErrorCode.InvalidValue);
    expect(bad.paramErrors?.map((p) => [p.param, p.code])).toEqual([['Interface', ErrorCode.InvalidValue]]);
    expect(fx.table.list([])).toEqual([]);
    expect(await fx.table.add([], {}, {})).toBe(1);
    expect(await fx.table.add([], {}, {})).toBe(2);
    const full = await refusal(() => fx.table.add([], {}, {}));
    expect(full.code).toBe(ErrorCode.ResourcesExceeded);
    expect(fx.table.list([])).toEqual([1, 2]);
  });

  it('puts the store back and raises the effect error as thrown when the effect of a Set, Add or Delete fails', async () => {
    const fx = fixture(SETTING);
    await fx.table.add([], { Alias: 'wan' }, {});
    fx.seen.hooks.length = 0;
    fx.fail(true);
    await expect(fx.table.set([1], { Enable: true })).rejects.toThrow('the effect failed');
    expect(fx.store.row('Device.NAT.InterfaceSetting.1.')?.Enable).toBe(false);
    await expect(fx.table.add([], {}, {})).rejects.toThrow('the effect failed');
    expect(fx.table.list([])).toEqual([1]);
    await expect(fx.table.delete([1])).rejects.toThrow('the effect failed');
    expect(fx.store.row('Device.NAT.InterfaceSetting.1.')?.Alias).toBe('wan');
    expect(fx.seen.hooks).toEqual([]);
    fx.fail(false);
    await fx.table.set([1], { Enable: true, Status: 'Error' });
    expect(fx.store.row('Device.NAT.InterfaceSetting.1.')?.Enable).toBe(true);
    expect(fx.seen.hooks).toEqual(['updated 1 Enable']);
  });

  it('reads a row through the read rule with the defaults, and ObjectDoesNotExist for a row not there', async () => {
    const fx = fixture(SETTING, { read: (_keys, row) => ({ ...row, Status: row.Enable === true ? 'Enabled' : 'Disabled' }), changesOnlyThroughAgent: false });
    await fx.table.add([], {}, {});
    expect(await fx.table.get([1])).toMatchObject({ Enable: false, Status: 'Disabled', Alias: 'cpe-1' });
    expect((await refusal(() => fx.table.get([5]))).code).toBe(ErrorCode.ObjectDoesNotExist);
    expect(fx.table.changesOnlyThroughAgent).toBe(false);
  });

  it('brings a refused or rolled-back Delete back with its sub-objects, and a failing effect does not stop the rollback', async () => {
    const model = new DataModel(schema);
    const store = new DataStore();
    const rules = (params: string[]): TableRules => ({ params, max: 8, check: (_k: InstanceKeys, merged: Record<string, Value>) => merged, apply: () => apply() });
    let apply: () => void = () => undefined;
    const controls = new StoredTable(store, model.requireNode(CONTROL), rules(['Enable', 'Alias', 'PhysAddress']));
    const schedules = new StoredTable(store, model.requireNode(SCHEDULE), rules(['Enable', 'Alias', 'Day']));
    await controls.add([], { PhysAddress: '02:00:00:00:00:01' }, {});
    await schedules.add([1], { Day: 'Monday' }, {});
    apply = () => {
      throw new Error('firewall down');
    };
    await expect(controls.delete([1])).rejects.toThrow('firewall down');
    expect(schedules.rows([1]).map(([n, r]) => [n, r.Day])).toEqual([[1, 'Monday']]);
    apply = () => undefined;
    const snap = controls.snapshot([1]);
    await controls.delete([1]);
    expect(controls.list([])).toEqual([]);
    apply = () => {
      throw new Error('firewall down');
    };
    await controls.restore([1], snap);
    expect(controls.list([])).toEqual([1]);
    expect(schedules.rows([1]).map(([n, r]) => [n, r.Day])).toEqual([[1, 'Monday']]);
  });
});
