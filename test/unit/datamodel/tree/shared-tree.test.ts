/**
 * One supported-model tree for many data models (SharedSupportedModel, a fleet's gateways): the
 * nodes are the same objects in every model that replays the builder's steps, each model keeps
 * its own bindings, and a model whose registrations differ never changes what the others see.
 */
import { describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import type { SchemaObject } from '../../../../datamodel/schema/types.js';
import type { CommandBinding, ObjectBinding } from '../../../../datamodel/tree/binding.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { SharedSupportedModel, SupportedModelDiverged } from '../../../../datamodel/tree/SupportedTree.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { registerStored } from '../../../../datamodel/store/stored-binding.js';
import type { Value } from '../../../../datamodel/value/Value.js';

const schema = Schema.load();
const INFO = 'Device.DeviceInfo.';
const CTRL = 'Device.LocalAgent.Controller.{i}.';
const ONBOARD = 'SendOnBoardRequest()';
const FAN = 'Device.DeviceInfo.X_EXAMPLE-COM_Fan.{i}.';

/** A gateway's own table: rows in a Map of its own, and a command that says whose it is. */
function controllerTable(owner: string): ObjectBinding {
  const rows = new Map<number, Record<string, Value>>();
  const onboard: CommandBinding = { run: async () => ({ owner }) };
  return {
    params: ['EndpointID', 'Enable'],
    list: () => [...rows.keys()],
    get: (keys) => ({ ...rows.get(keys[0]!) }),
    set: (keys, changes) => void Object.assign(rows.get(keys[0]!)!, changes),
    add: (_parent, params) => {
      const n = rows.size + 1;
      rows.set(n, { EndpointID: '', Enable: false, ...params });
      return n;
    },
    commands: { [ONBOARD]: onboard },
  };
}

interface Variant {
  /** DeviceInfo parameters served (default SerialNumber and Manufacturer). */
  infoParams?: string[];
  /** A vendor object (a plugin's) on this gateway only. */
  fan?: boolean;
  /** Leave the Boot! event out. */
  noBoot?: boolean;
}

/** The registrations of one gateway whose serial number is `serial`. */
function build(model: DataModel, serial: string, v: Variant = {}): void {
  model.register(INFO, { params: v.infoParams ?? ['SerialNumber', 'Manufacturer'], get: () => ({ SerialNumber: serial, Manufacturer: 'Example' }) });
  model.register(CTRL, controllerTable(serial));
  if (v.fan) {
    const def: SchemaObject = { path: FAN, multi: true, access: 'readOnly', params: [{ name: 'Speed', type: 'unsignedInt', access: 'readOnly' }], commands: [], events: [] };
    model.addVendorObject(def);
    model.register(FAN, { list: () => [1], get: () => ({ Speed: 1200 }) });
  }
  if (!v.noBoot) model.registerEvent('Device.', 'Boot!');
}

function gateway(share: SharedSupportedModel, serial: string, v?: Variant): DataModel {
  const model = new DataModel(schema, { share });
  build(model, serial, v);
  model.seal();
  return model;
}

const serialOf = (m: DataModel) => m.readValue({ node: m.requireNode(INFO), keys: [] }, 'SerialNumber', {});
const served = (m: DataModel) => [...m.supportedNodes()].map((n) => `${n.supportedPath} ${[...n.params.keys()].join(',')}`);

describe('a supported tree shared by data models built the same way', () => {
  it('shares every node (identity) while each model answers from its own bindings', async () => {
    const share = new SharedSupportedModel();
    const a = gateway(share, 'A-0001');
    const b = gateway(share, 'B-0002');
    expect(a.sharesTree && b.sharesTree).toBe(true);
    expect(b.root).toBe(a.root);
    expect(b.requireNode(INFO)).toBe(a.requireNode(INFO));
    expect(b.requireNode(CTRL)).toBe(a.requireNode(CTRL));
    expect(served(b)).toEqual(served(a));
    // A Get on each answers its own gateway's value.
    expect(await serialOf(a)).toBe('A-0001');
    expect(await serialOf(b)).toBe('B-0002');
    // A row added on one gateway is that gateway's only.
    const ctrl = a.requireNode(CTRL);
    await Transaction.run(a, {}, (tx) => tx.add(ctrl, [], { EndpointID: 'proto::only-a' }));
    expect(await a.listInstances(ctrl, [], {})).toEqual([1]);
    expect(await b.listInstances(ctrl, [], {})).toEqual([]);
    // Commands too: each model runs its own binding.
    const call = { keys: [1], objectPath: 'Device.LocalAgent.Controller.1.', input: {}, commandKey: '', ctx: {}, signal: new AbortController().signal };
    expect(await a.commandBinding(ctrl, ONBOARD)!.run(call)).toEqual({ owner: 'A-0001' });
    expect(await b.commandBinding(ctrl, ONBOARD)!.run(call)).toEqual({ owner: 'B-0002' });
    expect(a.commandBinding(ctrl, 'Nothing()')).toBeUndefined();
  });

  it('gives a model without a share, or one over another schema, a tree of its own', () => {
    const share = new SharedSupportedModel();
    const a = gateway(share, 'A');
    const alone = new DataModel(schema);
    build(alone, 'C');
    expect(alone.sharesTree).toBe(false);
    expect(alone.root).not.toBe(a.root);
    const other = new DataModel(Schema.load(), { share });
    build(other, 'D');
    other.seal();
    expect(other.sharesTree).toBe(false);
    expect(served(other)).toEqual(served(a));
  });

  it('does not let one gateway with another structure change the shared tree: its seal() throws and the others see nothing of it', async () => {
    const share = new SharedSupportedModel();
    const a = gateway(share, 'A');
    const before = served(a);
    const withFan = new DataModel(schema, { share });
    build(withFan, 'F', { fan: true });
    expect(() => withFan.seal()).toThrow(SupportedModelDiverged);
    expect(() => gateway(share, 'P', { infoParams: ['SerialNumber'] })).toThrow(/differs from the shared one at step 0/);
    expect(() => gateway(share, 'E', { noBoot: true })).toThrow(/the build ended before event Device\.Boot!/);
    // Nothing of theirs reached the shared tree.
    expect(a.node(FAN)).toBeUndefined();
    expect(a.requireNode(INFO).children.has('X_EXAMPLE-COM_Fan')).toBe(false);
    expect(a.requireNode(INFO).params.has('Manufacturer')).toBe(true);
    expect(served(a)).toEqual(before);
    // A later gateway built like the first still shares the tree.
    const later = gateway(share, 'L');
    expect(later.root).toBe(a.root);
    expect(await serialOf(later)).toBe('L');
    // The diverged one, built again on a tree of its own (as Agent.start does), serves its object.
    const own = new DataModel(schema);
    build(own, 'F', { fan: true });
    expect(own.node(FAN)?.supported).toBe(true);
  });

  it('keeps a sealed shared tree fixed: a structural change after the build is refused', () => {
    const share = new SharedSupportedModel();
    const a = gateway(share, 'A');
    const b = gateway(share, 'B');
    for (const m of [a, b]) expect(() => m.register('Device.Time.', { get: () => ({}) })).toThrow(/shared with other data models and sealed/);
    expect(a.node('Device.Time.')?.supported).toBe(false);
  });

  it('replays an override: each model keeps the commands its own bindings give', async () => {
    const share = new SharedSupportedModel();
    const make = (serial: string) => {
      const m = new DataModel(schema, { share });
      build(m, serial);
      // A plugin-like override without the command: the command goes with the old binding.
      m.register(CTRL, { ...controllerTable(serial), commands: {} }, { override: true });
      m.seal();
      return m;
    };
    const a = make('A');
    const b = make('B');
    const ctrl = b.requireNode(CTRL);
    expect(ctrl.commands.has(ONBOARD)).toBe(false);
    expect(a.commandBinding(ctrl, ONBOARD)).toBeUndefined();
    expect(b.commandBinding(ctrl, ONBOARD)).toBeUndefined();
    expect(b.bindingOf(ctrl)).not.toBe(a.bindingOf(ctrl));
    expect(await b.listInstances(ctrl, [], {})).toEqual([]);
  });

  it("shares a stored object's parameter list between the models of one tree, each keeping its own rows", async () => {
    const share = new SharedSupportedModel();
    const stored = () => {
      const m = new DataModel(schema, { share });
      const store = new DataStore();
      registerStored(m, store, CTRL);
      m.seal();
      return { m, store };
    };
    const a = stored();
    const b = stored();
    const ctrl = a.m.requireNode(CTRL);
    expect(b.m.bindingOf(ctrl)!.params).toBe(a.m.bindingOf(ctrl)!.params);
    // The methods too (a class's, not closures per binding), each over its own store.
    expect(b.m.bindingOf(ctrl)!.get).toBe(a.m.bindingOf(ctrl)!.get);
    expect(b.m.bindingOf(ctrl)!.add).toBe(a.m.bindingOf(ctrl)!.add);
    await Transaction.run(a.m, {}, (tx) => tx.add(ctrl, [], { EndpointID: 'proto::a' }));
    expect(await a.m.readValue({ node: ctrl, keys: [1] }, 'EndpointID', {})).toBe('proto::a');
    expect(await b.m.listInstances(ctrl, [], {})).toEqual([]);
    await Transaction.run(b.m, {}, (tx) => tx.add(ctrl, [], { EndpointID: 'proto::a' }));
    await Transaction.run(b.m, {}, (tx) => tx.set({ node: ctrl, keys: [1] }, { EndpointID: 'proto::b' }));
    expect(await a.m.readValue({ node: ctrl, keys: [1] }, 'EndpointID', {})).toBe('proto::a');
    expect(await b.m.readValue({ node: ctrl, keys: [1] }, 'EndpointID', {})).toBe('proto::b');
    // Each store's unique-key lookups see its own rows only.
    await expect(Transaction.run(a.m, {}, (tx) => tx.add(ctrl, [], { EndpointID: 'proto::b' }))).resolves.toBeDefined();
    await expect(Transaction.run(b.m, {}, (tx) => tx.add(ctrl, [], { EndpointID: 'proto::b' }))).rejects.toMatchObject({ code: 7025 });
  });

  it("a stored object's live parameters and hooks stay its own", async () => {
    const share = new SharedSupportedModel();
    const stored = (owner: string, seen: string[]) => {
      const m = new DataModel(schema, { share });
      registerStored(m, new DataStore(), CTRL, {
        live: { Alias: (keys) => `${owner}-${keys[0]}` },
        onChange: (keys) => seen.push(`${owner} ${keys.join('.')}`),
      });
      m.seal();
      return m;
    };
    const seenA: string[] = [];
    const seenB: string[] = [];
    const a = stored('a', seenA);
    const b = stored('b', seenB);
    const ctrl = a.requireNode(CTRL);
    await Transaction.run(a, {}, (tx) => tx.add(ctrl, [], { EndpointID: 'proto::x' }));
    await Transaction.run(b, {}, (tx) => tx.add(ctrl, [], { EndpointID: 'proto::x' }));
    expect(await a.readValue({ node: ctrl, keys: [1] }, 'Alias', {})).toBe('a-1');
    expect(await b.readValue({ node: ctrl, keys: [1] }, 'Alias', {})).toBe('b-1');
    expect(seenA.length).toBeGreaterThan(0);
    expect(seenA.every((e) => e === 'a 1')).toBe(true);
    expect(seenB.length).toBe(seenA.length);
    expect(seenB.every((e) => e === 'b 1')).toBe(true);
  });
});
