/**
 * The value poller (ValueChange of values that change behind the agent's back) is on the shared
 * timer only while a ValueChange Subscription may exist: an idle agent is called nothing on its
 * tick (issue 14: 10,000 idle fleet gateways were 2,000 calls a second that found nothing to
 * poll), a new ValueChange Subscription puts it back at once, and it still finds a changed value.
 * A real agent over a loopback WebSocket, the project's test controller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedIntervalRegistrations } from '../../datamodel/shared-interval.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, del } from '../peers/controller-steps.js';
import { notifications, waitForNotification } from '../peers/TestController.js';

/** A period no other timer of the agent uses, so its registrations are the poller's alone. */
const POLL_MS = 170;

let f: AgentFixture;
beforeAll(async () => {
  f = await startAgent({ pollIntervalMs: POLL_MS });
});
afterAll(async () => {
  await f.close();
});

/** Resolves once `done()` holds, looked at every 20 ms; rejects after `timeoutMs`. */
async function until(done: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('value poller at idle', () => {
  it('leaves the shared timer without ValueChange Subscriptions and polls again while one exists', async () => {
    const c = f.controller;
    await until(() => sharedIntervalRegistrations(POLL_MS) === 0, 'the idle agent off the poll tick');
    const path = await add(c, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'vp-idle', NotifType: 'ValueChange', ReferenceList: 'Device.WiFi.SSID.1.SSID' });
    expect(sharedIntervalRegistrations(POLL_MS)).toBe(1);
    // The first pass takes the baseline (a value changed before it is not news): one now, not a sleep.
    // A pass the tick has under way is not ours (poll() then reads nothing): ours must run whole.
    while ((await f.agent.notifications.poller.poll()) === 0) await new Promise((r) => setTimeout(r, 10));
    // The platform's own state changes (a local UI, the driver): no transaction, no change feed.
    await f.agent.model.bindingAt('Device.WiFi.SSID.{i}.')!.set!([1], { SSID: 'changed-behind' }, {});
    const n = await waitForNotification(c, () => notifications(c).find((x) => x.notify.subscriptionId === 'vp-idle'), 5000);
    expect(n.notify).toMatchObject({ valueChange: { paramPath: 'Device.WiFi.SSID.1.SSID', paramValue: 'changed-behind' } });
    await del(c, path);
    await until(() => sharedIntervalRegistrations(POLL_MS) === 0, 'off the poll tick once the Subscription is gone');
  });
});
