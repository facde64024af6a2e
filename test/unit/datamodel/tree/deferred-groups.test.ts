/**
 * Deferred groups (DataModel.registerDeferred): a data model of its own, and the first of a fleet
 * (which builds the shared tree), register a group at once; every later gateway replaying the
 * shared tree skips its steps and builds it the first time one of its bindings is read, through
 * the decorators there were when it was deferred (issue 14: a gateway nobody asked about an area
 * holds none of it).
 */
import { describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import type { CommandBinding, ObjectBinding } from '../../../../datamodel/tree/binding.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { SharedSupportedModel } from '../../../../datamodel/tree/SupportedTree.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import type { Value } from '../../../../datamodel/value/Value.js';

const schema = Schema.load();
const INFO = 'Device.DeviceInfo.';
const TIME = 'Device.Time.';
const CTRL = 'Device.LocalAgent.Controller.{i}.';
const ONBOARD = 'SendOnBoardRequest()';

/** A gateway `serial`'s controller table: its own rows, and a command that says whose it is. */
function controllerTable(serial: string): ObjectBinding {
  const rows = new Map<number, Record<string, Value>>([[1, { EndpointID: `proto::${serial}` }]]);
  const onboard: CommandBinding = { run: async () => ({ owner: serial }) };
  return {
    params: ['EndpointID'],
    list: () => [...rows.keys()],
    get: (keys) => ({ ...rows.get(keys[0]!) }),
    delete: (keys) => void rows.delete(keys[0]!),
    commands: { [ONBOARD]: onboard },
  };
}

interface Gateway {
  model: DataModel;
  /** How many times the deferred group's build ran. */
  builds: () => number;
  /** What the decorators saw, in order ("<decorator> <path>"). */
  decorated: string[];
  /** Deletes that reached the group's cascade. */
  cascaded: string[];
}

/**
 * One gateway: a decorator, then a deferred group serving Time and the controller table (with a
 * cascade), then a second decorator and DeviceInfo at once. `otherTime` registers the group differently.
 */
function gateway(share: SharedSupportedModel | undefined, serial: string, opts: { otherTime?: boolean; seal?: boolean } = {}): Gateway {
  const model = new DataModel(schema, share ? { share } : {});
  let builds = 0;
  const decorated: string[] = [];
  const cascaded: string[] = [];
  model.decorateBindings((node, b) => {
    decorated.push(`first ${node.supportedPath}`);
    return b;
  });
  model.registerDeferred('clock and controllers', () => {
    builds++;
    model.register(TIME, { params: opts.otherTime ? ['Enable'] : ['Enable', 'Status'], get: () => ({ Enable: true, Status: serial }) });
    model.register(CTRL, controllerTable(serial));
    model.onDelete(CTRL, async (deleted) => void cascaded.push(deleted.node.pathOf(deleted.keys)));
  });
  model.decorateBindings((node, b) => {
    decorated.push(`second ${node.supportedPath}`);
    return b;
  });
  model.register(INFO, { params: ['SerialNumber'], get: () => ({ SerialNumber: serial }) });
  if (opts.seal !== false) model.seal();
  return { model, builds: () => builds, decorated, cascaded };
}

const statusOf = (m: DataModel) => m.readValue({ node: m.requireNode(TIME), keys: [] }, 'Status', {});

describe('a deferred group of registrations', () => {
  it('runs at once in a data model of its own and in the one building a shared tree', async () => {
    const alone = gateway(undefined, 'alone');
    const builder = gateway(new SharedSupportedModel(), 'builder');
    for (const g of [alone, builder]) {
      expect(g.builds()).toBe(1);
      expect(g.model.pendingGroups()).toEqual([]);
      expect(g.decorated).toEqual([`first ${TIME}`, `first ${CTRL}`, `first ${INFO}`, `second ${INFO}`]);
    }
    expect(await statusOf(alone.model)).toBe('alone');
    expect(await statusOf(builder.model)).toBe('builder');
  });

  it('is skipped by a replaying gateway and built once, at the first read of one of its bindings', async () => {
    const share = new SharedSupportedModel();
    gateway(share, 'A');
    const b = gateway(share, 'B');
    expect(b.builds()).toBe(0);
    expect(b.model.pendingGroups()).toEqual(['clock and controllers']);
    // What the model serves is the shared tree: nothing to build to describe it or to know it is bound.
    expect(b.model.requireNode(TIME).params.has('Status')).toBe(true);
    expect(b.model.isBound(b.model.requireNode(TIME))).toBe(true);
    expect(b.model.isBound(b.model.requireNode('Device.UserInterface.'))).toBe(false);
    expect(await b.model.readValue({ node: b.model.requireNode(INFO), keys: [] }, 'SerialNumber', {})).toBe('B');
    expect(b.builds()).toBe(0);
    expect(await statusOf(b.model)).toBe('B');
    expect(b.builds()).toBe(1);
    expect(b.model.pendingGroups()).toEqual([]);
    expect(await b.model.listInstances(b.model.requireNode(CTRL), [], {})).toEqual([1]);
    expect(b.builds()).toBe(1);
  });

  it('is built by a command read, and by the deletion a cascade of it applies to', async () => {
    const share = new SharedSupportedModel();
    gateway(share, 'A');
    const b = gateway(share, 'B');
    const ctrl = b.model.requireNode(CTRL);
    const call = { keys: [1], objectPath: 'Device.LocalAgent.Controller.1.', input: {}, commandKey: '', ctx: {}, signal: new AbortController().signal };
    expect(await b.model.commandBinding(ctrl, ONBOARD)!.run(call)).toEqual({ owner: 'B' });
    expect(b.builds()).toBe(1);
    const c = gateway(share, 'C');
    expect(c.model.deleteCascades(ctrl)).toHaveLength(1);
    expect(c.builds()).toBe(1);
    await Transaction.run(c.model, {}, (tx) => tx.delete({ node: ctrl, keys: [1] }));
    expect(c.cascaded).toEqual(['Device.LocalAgent.Controller.1.']);
  });

  it('passes its bindings through the decorators given before it was deferred, not those given after', async () => {
    const share = new SharedSupportedModel();
    gateway(share, 'A');
    const b = gateway(share, 'B');
    expect(b.decorated).toEqual([`first ${INFO}`, `second ${INFO}`]);
    await statusOf(b.model);
    expect(b.decorated).toEqual([`first ${INFO}`, `second ${INFO}`, `first ${TIME}`, `first ${CTRL}`]);
  });

  it('is built before an override of one of its objects, a command over it or a cascade on it, as it was built before them', async () => {
    const share = new SharedSupportedModel();
    const plugin = (m: DataModel) => {
      m.register(TIME, { params: ['Enable', 'Status'], get: () => ({ Enable: false, Status: 'plugin' }) }, { override: true });
      m.registerCommand(CTRL, ONBOARD, { run: async () => ({ owner: 'plugin' }) });
    };
    const a = gateway(share, 'A', { seal: false });
    plugin(a.model);
    a.model.seal();
    const b = gateway(share, 'B', { seal: false });
    expect(b.builds()).toBe(0);
    plugin(b.model);
    expect(b.builds()).toBe(1);
    b.model.seal();
    expect(await statusOf(b.model)).toBe('plugin');
    const call = { keys: [1], objectPath: 'Device.LocalAgent.Controller.1.', input: {}, commandKey: '', ctx: {}, signal: new AbortController().signal };
    expect(await b.model.commandBinding(b.model.requireNode(CTRL), ONBOARD)!.run(call)).toEqual({ owner: 'plugin' });
    // A cascade registered on one of its tables after it: the group's goes first.
    const c = gateway(share, 'C', { seal: false });
    plugin(c.model);
    const order: string[] = [];
    c.model.onDelete(CTRL, async () => void order.push('later'));
    c.model.seal();
    await Transaction.run(c.model, {}, (tx) => tx.delete({ node: c.model.requireNode(CTRL), keys: [1] }));
    expect([...c.cascaded, ...order]).toEqual(['Device.LocalAgent.Controller.1.', 'later']);
  });

  it('throws, naming the group, when a replay builds it differently from the recorded build', async () => {
    const share = new SharedSupportedModel();
    gateway(share, 'A');
    const odd = gateway(share, 'odd', { otherTime: true });
    await expect(async () => statusOf(odd.model)).rejects.toThrow(/deferred group clock and controllers built differently/);
  });

  it('makes a gateway deferring another group (or none) diverge like any other difference', () => {
    const share = new SharedSupportedModel();
    gateway(share, 'A');
    const other = new DataModel(schema, { share });
    other.registerDeferred('something else', () => undefined);
    expect(() => other.seal()).toThrow(/deferred something else where the shared model has deferred clock and controllers/);
  });

  it('does not nest', () => {
    const m = new DataModel(schema);
    expect(() => m.registerDeferred('outer', () => m.registerDeferred('inner', () => undefined))).toThrow(/do not nest/);
  });
});
