/** The object tree seam: registration, the resolver, subtree reads and transactions, on the real schema. */
import { beforeEach, describe, expect, it } from 'vitest';
import { parsePath } from '../../../../datamodel/path/parse-path.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { registerStored } from '../../../../datamodel/store/stored-binding.js';
import type { Change } from '../../../../datamodel/tree/ChangeFeed.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { readSubtree, type ObjectValues } from '../../../../datamodel/tree/read-object.js';
import { PathResolver } from '../../../../datamodel/tree/resolve-path.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';

const schema = Schema.load();
let model: DataModel;
let store: DataStore;
const CTRL = 'Device.LocalAgent.Controller.{i}.';

beforeEach(async () => {
  model = new DataModel(schema);
  store = new DataStore();
  registerStored(model, store, 'Device.LocalAgent.', { params: ['EndpointID'] });
  registerStored(model, store, CTRL);
  registerStored(model, store, 'Device.LocalAgent.Controller.{i}.MTP.{i}.');
  const tx = new Transaction(model, {});
  const ctrl = model.requireNode(CTRL);
  await tx.add(ctrl, [], { EndpointID: 'proto::a', Enable: true });
  await tx.add(ctrl, [], { EndpointID: 'proto::b', Enable: false, AssignedRole: 'Device.LocalAgent.Controller.1' });
  await tx.commit();
});

async function resolve(text: string) {
  return (await new PathResolver(model, {}).resolve(parsePath(text))).map((m) => m.node.pathOf(m.keys));
}

describe('supported model', () => {
  it('is the schema intersected with the bindings, with NumberOfEntries derived', async () => {
    const la = model.requireNode('Device.LocalAgent.');
    expect([...la.params.keys()].sort()).toEqual(['ControllerNumberOfEntries', 'EndpointID']);
    expect(model.requireNode('Device.LocalAgent.Subscription.{i}.').supported).toBe(false);
    expect((await model.readValues({ node: la, keys: [] }, {})).ControllerNumberOfEntries).toBe(2);
  });

  it('reads one value as readValues does, derived counts included', async () => {
    const la = model.requireNode('Device.LocalAgent.');
    const ctrl = model.requireNode(CTRL);
    for (const [inst, names] of [
      [{ node: la, keys: [] }, ['ControllerNumberOfEntries', 'EndpointID']],
      [{ node: ctrl, keys: [2] }, ['EndpointID', 'Enable', 'AssignedRole', 'MTPNumberOfEntries']],
    ] as const) {
      const all = await model.readValues(inst, {});
      for (const name of names) expect(await model.readValue(inst, name, {}), name).toEqual(all[name]);
    }
    // A synchronous binding is read without a promise.
    expect(model.readValue({ node: ctrl, keys: [1] }, 'EndpointID', {})).toBe('proto::a');
  });

  it('refuses to bind what the schema lacks', () => {
    expect(() => registerStored(model, store, 'Device.LocalAgent.Subscription.{i}.', { params: ['Nope'] })).toThrow(/not in the TR-181 schema/);
    expect(() => model.register('Device.NoSuch.', { get: () => ({}) })).toThrow();
  });
});

describe('PathResolver', () => {
  it('resolves a plain-name path without an await, once per shape of the supported model', async () => {
    const r = new PathResolver(model, {});
    const path = model.paths.parse('Device.LocalAgent.EndpointID');
    const first = r.resolveNow(path)!;
    expect(first.map((m) => m.node.supportedPath)).toEqual(['Device.LocalAgent.']);
    expect(await r.resolve(path)).toEqual(first);
    expect(r.resolveNow(path)).toBe(first);
    registerStored(model, store, 'Device.LocalAgent.Subscription.{i}.');
    const after = r.resolveNow(path)!;
    expect(after).not.toBe(first);
    expect(after).toEqual(first);
    expect(r.resolveNow(model.paths.parse('Device.LocalAgent.Controller.1.'))).toBeUndefined();
    expect(() => r.resolveNow(model.paths.parse('Device.LocalAgent.Nope'))).toThrow(UspError);
  });

  it('resolves numbers, wildcards, searches and unique keys', async () => {
    expect(await resolve('Device.LocalAgent.Controller.2.')).toEqual(['Device.LocalAgent.Controller.2.']);
    expect(await resolve('Device.LocalAgent.Controller.*.')).toEqual(['Device.LocalAgent.Controller.1.', 'Device.LocalAgent.Controller.2.']);
    expect(await resolve('Device.LocalAgent.Controller.[Enable==true].')).toEqual(['Device.LocalAgent.Controller.1.']);
    expect(await resolve('Device.LocalAgent.Controller.[EndpointID=="proto::b"&&Enable==false].EndpointID')).toEqual(['Device.LocalAgent.Controller.2.']);
    expect(await resolve('Device.LocalAgent.Controller.3.')).toEqual([]);
  });

  it('follows references and refuses paths outside the supported model with 7026', async () => {
    expect(await resolve('Device.LocalAgent.Controller.2.AssignedRole+.EndpointID')).toEqual(['Device.LocalAgent.Controller.1.']);
    await expect(resolve('Device.LocalAgent.Subscription.')).rejects.toMatchObject({ code: ErrorCode.InvalidPath });
    await expect(resolve('Device.LocalAgent.Controller.*.Nope')).rejects.toMatchObject({ code: ErrorCode.InvalidPath });
    await expect(resolve('Device.LocalAgent.Controller.[Nope==1].')).rejects.toBeInstanceOf(UspError);
  });
});

describe('readSubtree', () => {
  it('returns objects depth-first and honours max depth', async () => {
    const out: ObjectValues[] = [];
    await readSubtree(model, { node: model.root, keys: [] }, 0, {}, out);
    expect(out.map((o) => o.path)).toEqual(['Device.LocalAgent.', 'Device.LocalAgent.Controller.1.', 'Device.LocalAgent.Controller.2.']);
    const shallow: ObjectValues[] = [];
    await readSubtree(model, { node: model.requireNode('Device.LocalAgent.'), keys: [] }, 1, {}, shallow);
    expect(shallow).toHaveLength(1);
  });
});

describe('Transaction', () => {
  it('rolls back sets, adds and deletes, and tells subscribers only about commits', async () => {
    const seen: Change[] = [];
    model.changes.subscribe((c) => seen.push(c));
    const ctrl = model.requireNode(CTRL);
    const tx = new Transaction(model, {});
    await tx.set({ node: ctrl, keys: [1] }, { EndpointID: 'proto::changed' });
    const added = await tx.add(ctrl, [], { EndpointID: 'proto::c' });
    await tx.delete({ node: ctrl, keys: [2] });
    await tx.rollback();
    expect(seen).toEqual([]);
    expect(await resolve('Device.LocalAgent.Controller.*.')).toEqual(['Device.LocalAgent.Controller.1.', 'Device.LocalAgent.Controller.2.']);
    expect(store.row('Device.LocalAgent.Controller.1.')?.EndpointID).toBe('proto::a');
    expect(added.keys[0]).toBe(3);
    const tx2 = new Transaction(model, {});
    expect((await tx2.add(ctrl, [], { EndpointID: 'proto::d' })).keys[0]).toBe(4);
    await tx2.commit();
    expect(seen.map((c) => c.kind)).toEqual(['created']);
  });

  it('rolls back to a savepoint and keeps what came before', async () => {
    const ctrl = model.requireNode(CTRL);
    const before = (await model.readValues({ node: ctrl, keys: [2] }, {})).PeriodicNotifInterval;
    const tx = new Transaction(model, {});
    await tx.set({ node: ctrl, keys: [1] }, { PeriodicNotifInterval: 30 });
    const sp = tx.savepoint();
    await tx.set({ node: ctrl, keys: [2] }, { PeriodicNotifInterval: 40 });
    await tx.rollbackTo(sp);
    await tx.commit();
    expect(store.row('Device.LocalAgent.Controller.1.')?.PeriodicNotifInterval).toBe(30);
    expect((await model.readValues({ node: ctrl, keys: [2] }, {})).PeriodicNotifInterval).toBe(before);
  });

  it('refuses a duplicate unique key (7025) and generates missing keys', async () => {
    const ctrl = model.requireNode(CTRL);
    const tx = new Transaction(model, {});
    await expect(tx.add(ctrl, [], { EndpointID: 'proto::a' })).rejects.toMatchObject({ code: ErrorCode.DuplicateUniqueKey });
    await tx.rollback();
    const tx2 = new Transaction(model, {});
    const inst = await tx2.add(ctrl, [], { EndpointID: 'proto::e' });
    expect(store.row(ctrl.pathOf(inst.keys))?.Alias).toBe(`cpe-${inst.keys[0]}`);
  });
});
