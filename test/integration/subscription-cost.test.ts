/**
 * What one Subscription change costs does not grow with the table (issue "Resource bounds": 10,000
 * rows): the per-Recipient bound counts from an index, and the SubscriptionIndex recompiles only
 * the rows a change touched, yet stays equal to one compiled afresh from the whole table after
 * any sequence of Subscription and Controller changes. A real agent, in-process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SUBSCRIPTIONS_PER_RECIPIENT } from '../../agent/notify/subscription-rules.js';
import { SubscriptionIndex, type NotifType } from '../../agent/notify/SubscriptionIndex.js';
import type { RequestContext } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import type { Value } from '../../datamodel/value/Value.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';

let f: AgentFixture;
let subs: ModelNode;
let ctrls: ModelNode;
beforeAll(async () => {
  f = await startAgent();
  subs = f.agent.model.requireNode('Device.LocalAgent.Subscription.{i}.');
  ctrls = f.agent.model.requireNode('Device.LocalAgent.Controller.{i}.');
});
afterAll(async () => {
  await f.close();
});

const TYPES: Array<{ type: NotifType; refs: string }> = [
  { type: 'ValueChange', refs: 'Device.DeviceInfo.HostName' },
  { type: 'ObjectCreation', refs: 'Device.LocalAgent.Controller.' },
  { type: 'ObjectDeletion', refs: 'Device.LocalAgent.Controller.' },
];

const by = (controller: number): RequestContext => ({ controllerPath: `Device.LocalAgent.Controller.${controller}` });
const subscription = (id: string, k = 0, enable = true): Record<string, Value> => ({
  ID: id,
  Enable: enable,
  Persistent: true,
  NotifType: TYPES[k % TYPES.length]!.type,
  ReferenceList: TYPES[k % TYPES.length]!.refs,
});

/** The compiled rows in brief, so a difference reads in a failure message. */
const summary = (list: ReadonlyArray<{ instance: number; type: string; recipientEid: string; recipientRoles: string; retryMinWaitS: number }>): string =>
  list.map((s) => `${s.instance}:${s.type}:${s.recipientEid}:${s.recipientRoles}:${s.retryMinWaitS}`).join(' ');

/** Counts what `fn` reads through `read` (a method of `target`, replaced while `fn` runs). */
async function counting<T extends object>(target: T, read: keyof T, fn: () => unknown): Promise<number> {
  const original = target[read] as (...a: unknown[]) => unknown;
  let reads = 0;
  Object.assign(target, {
    [read]: (...a: unknown[]) => {
      reads++;
      return original.apply(target, a);
    },
  });
  try {
    await fn();
  } finally {
    Object.assign(target, { [read]: original });
  }
  return reads;
}

/** A controller row of its own per test, owning `rows` subscriptions added straight through the binding. */
async function controllerWith(eid: string, rows: number): Promise<number> {
  const c = await Transaction.run(f.agent.model, {}, (tx) => tx.add(ctrls, [], { EndpointID: eid, Enable: true }));
  for (let i = 0; i < rows; i++) await f.agent.model.bindingOf(subs)!.add!([], subscription(`${eid}-${i}`, i), by(c.keys[0]!));
  return c.keys[0]!;
}

describe('one Subscription change among many rows', () => {
  it('the per-Recipient bound reads no other row', async () => {
    const owners = [await controllerWith('proto::bound-a', MAX_SUBSCRIPTIONS_PER_RECIPIENT), await controllerWith('proto::bound-b', MAX_SUBSCRIPTIONS_PER_RECIPIENT)];
    const reads = await counting(f.agent.store, 'row', () => f.agent.model.bindingOf(subs)!.add!([], subscription('bound-new'), by(1)));
    expect(reads).toBeLessThan(10);
    // And still refuses the row one too many.
    expect(() => f.agent.model.bindingOf(subs)!.add!([], subscription('bound-over'), by(owners[0]!))).toThrow(/at most 100 per controller/);
  });

  it('the SubscriptionIndex recompiles only the changed row', async () => {
    for (const eid of ['proto::index-a', 'proto::index-b', 'proto::index-c']) await controllerWith(eid, MAX_SUBSCRIPTIONS_PER_RECIPIENT);
    const index = new SubscriptionIndex(f.agent.model);
    const before = (await index.all()).length;
    const get = f.agent.model.bindingOf(subs)!;
    const reads = await counting(get, 'get', async () => {
      await Transaction.run(f.agent.model, by(1), (tx) => tx.add(subs, [], subscription('index-new')));
      await index.all();
    });
    expect(reads).toBeLessThan(5);
    expect((await index.all()).length).toBe(before + 1);
  });

  it('stays equal to an index compiled afresh after any sequence of changes', async () => {
    const model = f.agent.model;
    // Rows added straight through the binding tell no subscriber: the index is built after them.
    const controllers = [await controllerWith('proto::mix-0', 5), await controllerWith('proto::mix-1', 5), await controllerWith('proto::mix-2', 0)];
    const live = new SubscriptionIndex(model);
    await live.all();
    // A fixed pseudo-random sequence (LCG, high bits: the low ones repeat every few draws), so a failure repeats.
    let seed = 12345;
    const pick = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    const rows = async (): Promise<number[]> => model.listInstances(subs, [], {});
    const ctrlRow = (n: number) => ({ node: ctrls, keys: [n] });
    for (let step = 0; step < 120; step++) {
      const existing = await rows();
      const some = existing[pick(existing.length)];
      const c = controllers[pick(controllers.length)]!;
      await Transaction.run(model, {}, async (tx) => {
        switch (pick(8)) {
          case 0:
          case 1:
            await tx.add(subs, [], subscription(`mix-${step}`, pick(3), pick(4) > 0));
            return; // by the agent: no Recipient
          case 2:
            if (some !== undefined) await tx.set({ node: subs, keys: [some] }, { Enable: pick(2) === 0 });
            return;
          case 3:
            if (some !== undefined) await tx.delete({ node: subs, keys: [some] });
            return;
          case 4:
            await tx.set(ctrlRow(c), { Enable: pick(2) === 0 });
            return;
          case 5:
            await tx.set(ctrlRow(c), { EndpointID: `proto::mix-${step}` });
            return;
          case 6:
            await tx.set(ctrlRow(c), { USPNotifRetryMinimumWaitInterval: 1 + pick(9), ProvisioningCode: `p${step}` });
            return;
          default:
            await tx.set(ctrlRow(c), { AssignedRole: pick(2) === 0 ? 'Device.LocalAgent.ControllerTrust.Role.1' : '' });
        }
      }).catch(() => undefined); // e.g. the agent's own rows reached their bound: the sequence goes on
      if (pick(3) === 0) {
        // Rows of a controller's own, added through its context, so Recipient names it.
        await Transaction.run(model, by(c), (tx) => tx.add(subs, [], subscription(`mix-own-${step}`, pick(3)))).catch(() => undefined);
      }
      const fresh = new SubscriptionIndex(model);
      expect(summary(await live.all()), `step ${step}`).toBe(summary(await fresh.all()));
      expect(JSON.stringify(await live.all()) === JSON.stringify(await fresh.all()), `step ${step}`).toBe(true);
      for (const { type } of TYPES) expect(summary(await live.ofType(type)), `step ${step} ${type}`).toBe(summary(await fresh.ofType(type)));
    }
    // The sequence did reach rows that notify (not only disabled ones).
    expect((await live.all()).length).toBeGreaterThan(0);
  });
});
