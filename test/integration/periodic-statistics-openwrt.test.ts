/**
 * Device.PeriodicStatistics on `--platform openwrt`: the real agent in-process with the recorded
 * ubus/uci stand-ins first on PATH (test/unit/platform/openwrt/fake-openwrt.ts), a Controller over
 * WebSocket. The sampled parameters are read through the OpenWrt providers as a Get reads them
 * (the recorded netifd device statistics and system uptime: constants, so Change mode reads 0),
 * and ForceCollection() sends the set's Push! at once to the Controller that subscribed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { add, get, operate, set } from '../peers/controller-steps.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { notifications } from '../peers/TestController.js';
import { fakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const POLL = { timeout: 20_000, interval: 100 };
let f: AgentFixture;
beforeAll(async () => {
  f = await startOpenWrtAgent(fakeOpenWrt());
}, 30_000);
afterAll(async () => {
  await f?.close();
});

describe('Device.PeriodicStatistics on OpenWrt (recorded ubus/uci)', () => {
  it('samples platform parameters every second and pushes on ForceCollection()', async () => {
    const c = f.controller;
    const packets = await get(c, 'Device.IP.Interface.1.Stats.PacketsReceived');
    expect(packets).toMatch(/^\d+$/);
    const s = await add(c, 'Device.PeriodicStatistics.SampleSet.', { Name: 'owrt', SampleInterval: '1', ReportSamples: '3', FetchSamples: '3' });
    const counter = await add(c, `${s}Parameter.`, { Enable: 'true', Reference: 'Device.IP.Interface.1.Stats.BytesReceived', SampleMode: 'Change' });
    const current = await add(c, `${s}Parameter.`, { Enable: 'true', Reference: 'Device.IP.Interface.1.Stats.PacketsReceived' });
    await add(c, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'owrt-push', NotifType: 'Event', ReferenceList: `${s}Push!`, NotifRetry: 'false' });
    await set(c, s, { Enable: 'true' });
    await expect.poll(async () => get(c, `${current}Values`), POLL).toBe([packets, packets, packets].join(','));
    expect(await get(c, `${counter}Values`)).toBe('0,0,0');
    expect(await get(c, `${counter}SuspectData`)).toBe('0,0,0');
    const before = notifications(c).length;
    expect((await operate(c, `${s}ForceCollection()`)).ok).toBe(true);
    await expect.poll(() => notifications(c, before).some((n) => n.notify.notification === 'event' && n.notify.event.eventName === 'Push!' && n.notify.event.objPath === s), POLL).toBe(true);
    await set(c, s, { Enable: 'false' });
  });
});
