/**
 * The Alias the agent holds for a table whose binding serves none (stored-alias.ts): cpe-<n>
 * until given, given at Add and unique in its table (7025), dropped with its row (Delete, or the
 * row gone from the source's list), put back when a Delete is rolled back; bindings that serve
 * Alias keep theirs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { pruneQueuedAliases, storedAliases } from '../../../../datamodel/store/stored-alias.js';
import type { ObjectBinding } from '../../../../datamodel/tree/binding.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import type { Value } from '../../../../datamodel/value/Value.js';

const schema = Schema.load();
const TABLE = 'Device.Ethernet.Link.{i}.';

/** A live table (a platform's) with rows 1..n by name, creatable and deletable, serving no Alias. */
function build(initial: string[], store = new DataStore()): { model: DataModel; store: DataStore; rows: Map<number, string> } {
  const model = new DataModel(schema);
  model.decorateBindings(storedAliases(store));
  const rows = new Map(initial.map((name, i) => [i + 1, name]));
  let next = rows.size + 1;
  const binding: ObjectBinding = {
    params: ['Name'],
    list: () => [...rows.keys()],
    get: (keys) => {
      const name = rows.get(keys[0]!);
      if (name === undefined) throw new UspError(ErrorCode.ObjectDoesNotExist, 'gone');
      return { Name: name };
    },
    add: (_p, params) => {
      const n = next++;
      rows.set(n, String(params.Name ?? `link${n}`));
      return n;
    },
    delete: (keys) => {
      rows.delete(keys[0]!);
    },
  };
  model.register(TABLE, binding);
  return { model, store, rows };
}

const read = async (model: DataModel, n: number): Promise<Record<string, Value>> => model.readValues({ node: model.requireNode(TABLE), keys: [n] }, {});

describe('stored Alias', () => {
  it('reads cpe-<n> until one is given, and keeps a given one in the store', async () => {
    const { model, store } = build(['wan', 'lan']);
    expect(await read(model, 2)).toEqual({ Name: 'lan', Alias: 'cpe-2' });
    await Transaction.run(model, {}, (tx) => tx.set({ node: model.requireNode(TABLE), keys: [2] }, { Alias: 'lan-link' }));
    // Stored with the row's other unique key (Name), which ties it to that row.
    expect(store.row('Device.Ethernet.Link.2.')).toEqual({ Alias: 'lan-link', AliasOf: '["lan"]' });
    expect((await read(model, 2)).Alias).toBe('lan-link');
  });

  it('after a restart, leaves a stored Alias to its row: another row under its old number reads cpe-<n>', async () => {
    const first = build(['wan', 'lan']);
    const node = first.model.requireNode(TABLE);
    await Transaction.run(first.model, {}, (tx) => tx.set({ node, keys: [1] }, { Alias: 'uplink' }));
    await Transaction.run(first.model, {}, (tx) => tx.set({ node, keys: [2] }, { Alias: 'home' }));
    // The next start lists the same rows: same numbers, same Aliases.
    const same = build(['wan', 'lan'], first.store);
    expect([(await read(same.model, 1)).Alias, (await read(same.model, 2)).Alias]).toEqual(['uplink', 'home']);
    // A start where the rows came in another order: the numbers moved, the Aliases do not follow them.
    const swapped = build(['lan', 'wan'], first.store);
    expect(await read(swapped.model, 1)).toEqual({ Name: 'lan', Alias: 'cpe-1' });
    // The read wrote nothing; the next write of the table's Aliases prunes the stale one.
    expect(first.store.row('Device.Ethernet.Link.1.')?.Alias).toBe('uplink');
    await Transaction.run(swapped.model, {}, (tx) => tx.set({ node: swapped.model.requireNode(TABLE), keys: [2] }, { Alias: 'up' }));
    expect(first.store.row('Device.Ethernet.Link.1.')?.Alias).toBeUndefined();
    expect(await read(swapped.model, 2)).toEqual({ Name: 'wan', Alias: 'up' });
  });

  it('a read never writes the store: a stale Alias (row gone, or another row under its number) reads cpe-<n> and is pruned by the next write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-alias-'));
    try {
      const store = new DataStore(dir);
      const first = build(['wan', 'lan', 'guest'], store);
      const node = first.model.requireNode(TABLE);
      for (const [n, alias] of [
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
      ] as const)
        await Transaction.run(first.model, {}, (tx) => tx.set({ node, keys: [n] }, { Alias: alias }));
      await store.flush();
      const saved = store.revision;
      // After a restart the rows come in another order, and one of them left while running.
      const next = build(['lan', 'wan', 'guest'], store);
      const nextNode = next.model.requireNode(TABLE);
      expect((await read(next.model, 1)).Alias).toBe('cpe-1');
      expect((await read(next.model, 3)).Alias).toBe('c');
      next.rows.delete(3);
      expect(await next.model.listInstances(nextNode, [], {})).toEqual([1, 2]);
      // Nothing changed in memory, nothing to save: the reads made no record.
      await store.flush();
      expect(store.revision).toBe(saved);
      expect(['Device.Ethernet.Link.1.', 'Device.Ethernet.Link.3.'].map((p) => store.row(p)?.Alias)).toEqual(['a', 'c']);
      // A write of the table's Aliases applies the queued prunes, saved with its commit.
      await Transaction.run(next.model, {}, (tx) => tx.set({ node: nextNode, keys: [2] }, { Alias: 'w' }));
      expect(store.row('Device.Ethernet.Link.1.')?.Alias).toBeUndefined();
      expect(store.row('Device.Ethernet.Link.3.')).toBeUndefined();
      await store.flush();
      expect(store.revision).toBe(saved + 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('any commit applies the prunes reads queued (pruneQueuedAliases as a commit hook), a read alone none', async () => {
    const { model, store, rows } = build(['wan', 'lan']);
    model.onCommit(async () => pruneQueuedAliases(store));
    let code = '';
    model.register('Device.DeviceInfo.', { params: ['ProvisioningCode'], get: () => ({ ProvisioningCode: code }), set: (_k, c) => void (code = String(c.ProvisioningCode)) });
    const node = model.requireNode(TABLE);
    await Transaction.run(model, {}, (tx) => tx.set({ node, keys: [2] }, { Alias: 'home' }));
    rows.delete(2);
    expect(await model.listInstances(node, [], {})).toEqual([1]);
    expect(store.row('Device.Ethernet.Link.2.')?.Alias).toBe('home');
    // A write elsewhere: its commit prunes the Alias of the row gone.
    await Transaction.run(model, {}, (tx) => tx.set({ node: model.requireNode('Device.DeviceInfo.'), keys: [] }, { ProvisioningCode: 'x' }));
    expect(store.row('Device.Ethernet.Link.2.')).toBeUndefined();
  });

  it('a row that leaves and comes back under its number keeps its Alias (the same row: InstanceMap keeps the number)', async () => {
    const { model, store, rows } = build(['wan', 'lan']);
    const node = model.requireNode(TABLE);
    await Transaction.run(model, {}, (tx) => tx.set({ node, keys: [2] }, { Alias: 'home' }));
    rows.delete(2);
    expect(await model.listInstances(node, [], {})).toEqual([1]);
    rows.set(2, 'lan');
    expect(await model.listInstances(node, [], {})).toEqual([1, 2]);
    await Transaction.run(model, {}, (tx) => tx.set({ node, keys: [1] }, { Alias: 'up' }));
    expect(store.row('Device.Ethernet.Link.2.')?.Alias).toBe('home');
  });

  it('takes an Alias at Add, generates cpe-<n> without one, and refuses a duplicate (7025)', async () => {
    const { model, rows } = build(['wan']);
    const node = model.requireNode(TABLE);
    const given = await Transaction.run(model, {}, (tx) => tx.add(node, [], { Name: 'vpn', Alias: 'tunnel' }));
    expect(await read(model, given.keys[0]!)).toEqual({ Name: 'vpn', Alias: 'tunnel' });
    const plain = await Transaction.run(model, {}, (tx) => tx.add(node, [], {}));
    expect((await read(model, plain.keys[0]!)).Alias).toBe(`cpe-${plain.keys[0]}`);
    const before = [...rows.keys()];
    await expect(Transaction.run(model, {}, (tx) => tx.add(node, [], { Name: 'other', Alias: 'tunnel' }))).rejects.toMatchObject({ code: ErrorCode.DuplicateUniqueKey });
    // The refused row was taken back, with its Alias.
    expect([...rows.keys()]).toEqual(before);
  });

  it('drops the Alias with its row: on Delete, and when the row leaves the source', async () => {
    const { model, store, rows } = build(['wan', 'lan', 'guest']);
    const node = model.requireNode(TABLE);
    for (const [n, alias] of [
      [1, 'a'],
      [3, 'c'],
    ] as const)
      await Transaction.run(model, {}, (tx) => tx.set({ node, keys: [n] }, { Alias: alias }));
    await Transaction.run(model, {}, (tx) => tx.delete({ node, keys: [1] }));
    expect(store.row('Device.Ethernet.Link.1.')).toBeUndefined();
    rows.delete(3); // the device removed it
    expect(await model.listInstances(node, [], {})).toEqual([2]);
    // Gone at the next write of the table's Aliases (a read writes nothing).
    await Transaction.run(model, {}, (tx) => tx.set({ node, keys: [2] }, { Alias: 'b' }));
    expect(store.row('Device.Ethernet.Link.3.')).toBeUndefined();
  });

  it('ties the Alias of a table without a fixed unique key to the row identity its binding names: a router renumbered at a restart', async () => {
    const ROUTER = 'Device.Routing.Router.{i}.';
    // Routers by kernel routing table, listed in whatever order the kernel gave them.
    const start = (tables: string[], store: DataStore): DataModel => {
      const model = new DataModel(schema);
      model.decorateBindings(storedAliases(store));
      model.register(ROUTER, {
        params: ['Enable', 'Status'],
        list: () => tables.map((_, i) => i + 1),
        get: () => ({ Enable: true, Status: 'Enabled' }),
        rowIdentity: (keys) => tables[keys[0]! - 1],
      });
      return model;
    };
    const store = new DataStore();
    const first = start(['main', 'vrf-guest'], store);
    const node = first.requireNode(ROUTER);
    await Transaction.run(first, {}, (tx) => tx.set({ node, keys: [2] }, { Alias: 'guest' }));
    expect(store.row('Device.Routing.Router.2.')).toEqual({ Alias: 'guest', AliasOf: 'vrf-guest' });
    const aliasOf = async (model: DataModel, n: number): Promise<Value | undefined> => (await model.readValues({ node: model.requireNode(ROUTER), keys: [n] }, {})).Alias;
    expect(await aliasOf(start(['main', 'vrf-guest'], store), 2)).toBe('guest');
    // The next start lists the VRF first and adds another: the Alias stays with vrf-guest's row, now 1.
    const renumbered = start(['vrf-guest', 'main', 'vrf-iot'], store);
    expect(await aliasOf(renumbered, 2)).toBe('cpe-2');
    expect(await aliasOf(renumbered, 1)).toBe('cpe-1');
  });

  it('leaves a binding that serves Alias alone', () => {
    const model = new DataModel(schema);
    model.decorateBindings(storedAliases(new DataStore()));
    const own: ObjectBinding = { params: ['Name', 'Alias'], list: () => [1], get: () => ({ Name: 'x', Alias: 'mine' }) };
    model.register(TABLE, own);
    expect(model.bindingAt(TABLE)).toBe(own);
  });
});
