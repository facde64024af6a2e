/**
 * The agent's Subscription table tells the data model's change feed the moment an
 * ObjectCreation/ObjectDeletion Subscription may have appeared (ChangeFeed.objectChangesMayBeWanted),
 * so a source resting while nobody wanted that news (the simulated churn) learns its rows then,
 * not at its next poll. A real agent, in-process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';

let f: AgentFixture;
beforeAll(async () => {
  f = await startAgent();
});
afterAll(async () => {
  await f.close();
});

describe('a new Subscription wakes the sources of ObjectCreation/ObjectDeletion news', () => {
  it('tells the change feed when a Subscription row is added, before anything polls', async () => {
    const { model } = f.agent;
    let woken = 0;
    const stop = model.changes.onObjectChangesWanted(() => woken++);
    try {
      await Transaction.run(model, { controllerPath: 'Device.LocalAgent.Controller.1' }, (tx) =>
        tx.add(model.requireNode('Device.LocalAgent.Subscription.{i}.'), [], { ID: 'wake-1', Enable: true, NotifType: 'ObjectCreation', ReferenceList: 'Device.Hosts.Host.' }),
      );
      expect(woken).toBeGreaterThan(0);
      expect(model.changes.wantsObjectChanges()).toBe(true);
    } finally {
      stop();
    }
  });
});
