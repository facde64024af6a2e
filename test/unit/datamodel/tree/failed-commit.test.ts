/**
 * A commit whose save fails is taken back out of the model (7003), also when several commits
 * shared the failed write (group commit), and a live binding's change in it is undone too.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { readSavedState } from '../../../../datamodel/store/SavedImage.js';
import { registerStored } from '../../../../datamodel/store/stored-binding.js';
import type { Change } from '../../../../datamodel/tree/ChangeFeed.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import type { ObjectInstance } from '../../../../datamodel/tree/ModelNode.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import type { Value } from '../../../../datamodel/value/Value.js';

const schema = Schema.load();
const CTRL = 'Device.LocalAgent.Controller.{i}.';
let root: string;
let dir: string;
let model: DataModel;
let store: DataStore;
let ctrl: ObjectInstance;
/** A live (platform-like) setting: not in the store. */
let hostName: Value;
let deviceInfo: ObjectInstance;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'failed-commit-'));
  dir = join(root, 'data');
  model = new DataModel(schema);
  store = new DataStore(dir);
  model.onCommit(
    () => store.flush(),
    () => store.revert(),
  );
  registerStored(model, store, CTRL);
  hostName = 'before';
  model.register('Device.DeviceInfo.', {
    params: ['HostName'],
    get: () => ({ HostName: hostName }),
    set: (_k, c) => {
      if (c.HostName !== undefined) hostName = c.HostName;
    },
  });
  deviceInfo = { node: model.requireNode('Device.DeviceInfo.'), keys: [] };
  ctrl = await Transaction.run(model, {}, (tx) => tx.add(model.requireNode(CTRL), [], { EndpointID: 'proto::a', ProvisioningCode: 'saved' }));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Puts a file where the data directory was (root ignores permissions); returns the repair. */
function breakDir(): () => void {
  renameSync(dir, `${dir}.away`);
  writeFileSync(dir, 'not a directory');
  return () => {
    rmSync(dir);
    renameSync(`${dir}.away`, dir);
  };
}

const code = async (tx: Transaction): Promise<Value | undefined> => (await model.readValues(ctrl, tx.ctx)).ProvisioningCode;

describe('a commit whose save fails', () => {
  it('two commits sharing the failed write are both answered 7003 and both taken back, in any order', async () => {
    const changes: Change[] = [];
    model.changes.subscribe((c) => changes.push(c));
    const repair = breakDir();
    const first = Transaction.run(model, {}, (tx) => tx.set(ctrl, { ProvisioningCode: 'first' }));
    const second = Transaction.run(model, {}, (tx) => tx.set(ctrl, { ProvisioningCode: 'second' }));
    const outcomes = await Promise.allSettled([first, second]);
    for (const o of outcomes) expect(o).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.InternalError } });
    expect(await code(new Transaction(model, {}))).toBe('saved');
    expect(changes).toEqual([]); // subscribers never heard of either
    repair();

    await Transaction.run(model, {}, (tx) => tx.set(ctrl, { Enable: true }));
    expect(readSavedState(dir)!.rows['Device.LocalAgent.Controller.1.']).toMatchObject({ ProvisioningCode: 'saved', Enable: true });
  });

  it('a live binding changed in the same transaction runs its undo', async () => {
    const repair = breakDir();
    await expect(
      Transaction.run(model, {}, async (tx) => {
        await tx.set(deviceInfo, { HostName: 'after' });
        await tx.set(ctrl, { ProvisioningCode: 'unsaved' });
      }),
    ).rejects.toMatchObject({ code: ErrorCode.InternalError });
    repair();
    expect(hostName).toBe('before');
    expect(await code(new Transaction(model, {}))).toBe('saved');
  });

  it('an Add whose save fails leaves no row, and its instance number is not reused in this run', async () => {
    const node = model.requireNode(CTRL);
    const repair = breakDir();
    await expect(Transaction.run(model, {}, (tx) => tx.add(node, [], { EndpointID: 'proto::never' }))).rejects.toMatchObject({ code: ErrorCode.InternalError });
    expect(await model.listInstances(node, [], {})).toEqual([1]);
    repair();
    const inst = await Transaction.run(model, {}, (tx) => tx.add(node, [], { EndpointID: 'proto::b' }));
    expect(inst.keys).toEqual([3]);
    expect(
      Object.keys(readSavedState(dir)!.rows)
        .filter((k) => k.startsWith('Device.LocalAgent.Controller.'))
        .sort(),
    ).toEqual(['Device.LocalAgent.Controller.1.', 'Device.LocalAgent.Controller.3.']);
  });
});
