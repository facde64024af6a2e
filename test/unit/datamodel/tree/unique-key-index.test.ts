/**
 * The unique-key check of an Add or Set (7025) answers from the store's index of stored rows
 * (RowIndex), so it reads no sibling row; the index follows every change the check depends on:
 * rollback, a delete undone, a key Set, a failed save taken back, a load, a factory reset.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { registerStored } from '../../../../datamodel/store/stored-binding.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import type { ModelNode, ObjectInstance } from '../../../../datamodel/tree/ModelNode.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import type { Value } from '../../../../datamodel/value/Value.js';

const schema = Schema.load();
const CTRL = 'Device.LocalAgent.Controller.{i}.';
const MTP = 'Device.LocalAgent.Controller.{i}.MTP.{i}.';
let root: string;
let dir: string;
let model: DataModel;
let store: DataStore;
let ctrl: ModelNode;
let mtp: ModelNode;

function build(): void {
  model = new DataModel(schema);
  store = new DataStore(dir);
  model.onCommit(
    () => store.flush(),
    () => store.revert(),
  );
  ctrl = registerStored(model, store, CTRL);
  mtp = registerStored(model, store, MTP);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'unique-key-index-'));
  dir = join(root, 'data');
  build();
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const add = (node: ModelNode, parent: number[], params: Record<string, Value>): Promise<ObjectInstance> => Transaction.run(model, {}, (tx) => tx.add(node, parent, params));

const duplicate = { code: ErrorCode.DuplicateUniqueKey };

/** Counts the rows the binding of `node` is asked for while `fn` runs. */
async function rowsRead(node: ModelNode, fn: () => Promise<unknown>): Promise<number> {
  const b = model.bindingOf(node)!;
  const get = b.get.bind(b);
  let reads = 0;
  Object.assign(b, {
    get: (...args: Parameters<typeof get>) => {
      reads++;
      return get(...args);
    },
  });
  try {
    await fn();
  } finally {
    Object.assign(b, { get });
  }
  return reads;
}

describe('the unique-key check', () => {
  it('reads no sibling row: an Add among 500 rows reads as many as among 1', async () => {
    await add(ctrl, [], { EndpointID: 'proto::first' });
    const few = await rowsRead(ctrl, () => add(ctrl, [], { EndpointID: 'proto::few' }));
    for (let i = 0; i < 500; i++) await model.bindingOf(ctrl)!.add!([], { EndpointID: `proto::fill-${i}` }, {});
    const many = await rowsRead(ctrl, () => add(ctrl, [], { EndpointID: 'proto::many' }));
    expect(many).toBe(few);
    // And still finds the clash among them, naming the row that holds the key.
    await expect(add(ctrl, [], { EndpointID: 'proto::fill-250' })).rejects.toMatchObject(duplicate);
    await expect(add(ctrl, [], { EndpointID: 'proto::fill-250' })).rejects.toThrow(/EndpointID already used by Device\.LocalAgent\.Controller\.253\./);
  });

  it('a Set of a key parameter reads no sibling row either', async () => {
    const a = await add(ctrl, [], { EndpointID: 'proto::a' });
    for (let i = 0; i < 300; i++) await model.bindingOf(ctrl)!.add!([], { EndpointID: `proto::fill-${i}` }, {});
    const reads = await rowsRead(ctrl, () => Transaction.run(model, {}, (tx) => tx.set(a, { EndpointID: 'proto::b' })));
    expect(reads).toBeLessThan(10);
    await expect(Transaction.run(model, {}, (tx) => tx.set(a, { EndpointID: 'proto::fill-7' }))).rejects.toMatchObject(duplicate);
  });

  it('is scoped to the parent instance: the same key under another parent is no clash', async () => {
    const c1 = await add(ctrl, [], { EndpointID: 'proto::1' });
    const c2 = await add(ctrl, [], { EndpointID: 'proto::2' });
    await add(mtp, c1.keys.slice(), { Protocol: 'WebSocket' });
    await add(mtp, c2.keys.slice(), { Protocol: 'WebSocket' });
    await expect(add(mtp, c1.keys.slice(), { Protocol: 'WebSocket' })).rejects.toMatchObject(duplicate);
  });

  it('compares keys as read: a key left out reads as its default, a generated Alias counts', async () => {
    const first = await add(ctrl, [], { EndpointID: 'proto::x' });
    const alias = (await model.readValues(first, {})).Alias;
    expect(alias).toBe(`cpe-${first.keys[0]}`);
    await expect(add(ctrl, [], { EndpointID: 'proto::y', Alias: alias! })).rejects.toMatchObject(duplicate);
  });

  it('follows a rollback, a delete undone and a key Set', async () => {
    // An Add rolled back frees its key.
    const tx = new Transaction(model, {});
    await tx.add(ctrl, [], { EndpointID: 'proto::gone' });
    await tx.rollback();
    const kept = await add(ctrl, [], { EndpointID: 'proto::gone' });

    // A delete frees the key within the transaction; rolled back, the key is held again.
    const tx2 = new Transaction(model, {});
    await tx2.delete(kept);
    await tx2.add(ctrl, [], { EndpointID: 'proto::gone' });
    await tx2.rollback();
    await expect(add(ctrl, [], { EndpointID: 'proto::gone' })).rejects.toMatchObject(duplicate);

    // A Set moves the key: the old value is free, the new one is held.
    await Transaction.run(model, {}, (t) => t.set(kept, { EndpointID: 'proto::moved' }));
    await add(ctrl, [], { EndpointID: 'proto::gone' });
    await expect(add(ctrl, [], { EndpointID: 'proto::moved' })).rejects.toMatchObject(duplicate);
  });

  it('follows a failed save taken back (7003), a load from disk and a factory reset', async () => {
    const a = await add(ctrl, [], { EndpointID: 'proto::saved' });
    renameSync(dir, `${dir}.away`);
    writeFileSync(dir, 'not a directory');
    await expect(add(ctrl, [], { EndpointID: 'proto::unsaved' })).rejects.toMatchObject({ code: ErrorCode.InternalError });
    await expect(Transaction.run(model, {}, (tx) => tx.set(a, { EndpointID: 'proto::also-unsaved' }))).rejects.toMatchObject({ code: ErrorCode.InternalError });
    rmSync(dir);
    renameSync(`${dir}.away`, dir);
    // The failed Add's key is free, the failed Set's old key is held again and its new one free.
    await add(ctrl, [], { EndpointID: 'proto::unsaved' });
    await expect(add(ctrl, [], { EndpointID: 'proto::saved' })).rejects.toMatchObject(duplicate);
    await add(ctrl, [], { EndpointID: 'proto::also-unsaved' });
    await store.compact();

    // A new store over the same directory: the loaded rows are indexed.
    build();
    expect(store.load(() => undefined)).toBe(true);
    await expect(add(ctrl, [], { EndpointID: 'proto::saved' })).rejects.toMatchObject(duplicate);

    // Factory reset: every key is free.
    store.clear();
    await add(ctrl, [], { EndpointID: 'proto::saved' });
  });
});
