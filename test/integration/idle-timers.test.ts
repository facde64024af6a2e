/**
 * An idle agent calls nothing on the shared timers (issue 14: in a fleet of 10,000 simulated
 * gateways one call per agent every 250 ms was most of the idle CPU): notification delivery ticks
 * only while something is queued, Periodic! and Subscription TimeToLive wake at their due time or
 * when a Subscription/Controller row changes. A real agent over a loopback WebSocket, the
 * project's test controller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedIntervalRegistrations } from '../../datamodel/shared-interval.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, get, set } from '../peers/controller-steps.js';
import { asResponse, notifications, waitForNotification } from '../peers/TestController.js';

let f: AgentFixture;
beforeAll(async () => {
  f = await startAgent({ extra: { 'Device.LocalAgent.Controller.1.PeriodicNotifInterval': 1 } });
});
afterAll(async () => {
  await f.close();
});

async function subscriptionExists(path: string): Promise<boolean> {
  const r = asResponse(await f.controller.send({ reqType: 'get', get: { paramPaths: [`${path}ID`], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(JSON.stringify(r));
  return (r.getResp.reqPathResults[0]?.resolvedPathResults?.length ?? 0) > 0;
}

describe('idle timers', () => {
  it('Periodic! comes every PeriodicNotifInterval with nothing registered on the 250 ms and 1 s ticks in between', async () => {
    const c = f.controller;
    await add(c, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'idle-periodic', NotifType: 'Event', ReferenceList: 'Device.LocalAgent.Periodic!' });
    const events = () => notifications(c).filter((n) => n.notify.subscriptionId === 'idle-periodic');
    await waitForNotification(c, () => (events().length >= 1 ? true : undefined), 3000);
    await waitForNotification(c, () => (events().length >= 2 ? true : undefined), 3000);
    expect(sharedIntervalRegistrations(250)).toBe(0);
    expect(sharedIntervalRegistrations(1000)).toBe(0);
    // A changed interval is taken at once, not at the next due time.
    await set(c, 'Device.LocalAgent.Controller.1.', { PeriodicNotifInterval: '2' });
    expect(await get(c, 'Device.LocalAgent.Controller.1.PeriodicNotifInterval')).toBe('2');
  });

  it('a Subscription with a TimeToLive is deleted when it expires', async () => {
    const c = f.controller;
    const added = Date.now();
    const path = await add(c, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'idle-ttl', NotifType: 'ValueChange', ReferenceList: 'Device.DeviceInfo.ProvisioningCode', TimeToLive: '2' });
    // It is there until its TimeToLive has passed (a loaded CI machine may take that long to ask).
    if (!(await subscriptionExists(path))) expect(Date.now() - added).toBeGreaterThanOrEqual(2000);
    const deadline = Date.now() + 10_000;
    while ((await subscriptionExists(path)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await subscriptionExists(path)).toBe(false);
    expect(sharedIntervalRegistrations(1000)).toBe(0);
  });
});
