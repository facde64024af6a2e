/**
 * Device.Hosts.AccessControl. on the simulated gateway (platform/simulated/access-control.ts),
 * behind a real in-process agent driven by our TestController over a real loopback WebSocket: a
 * Deny row for a LAN device's MAC stops its WAN traffic (Hosts.Host.{i}.WANStats bytes and
 * packets stand still while its DiscardPacketsSent grows) until the row is disabled or deleted;
 * an Allow row whose Schedule window is closed now blocks it too; the rows persist across a
 * restart on the same data directory and invalid values are refused with 7012.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, del, get, set, tryAdd } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { dayFromToday } from './schedule-days.js';

const dataDir = mkdtempSync(join(tmpdir(), 'usp-sim-acl-'));
let f: AgentFixture;
let host = '';
let mac = '';

beforeAll(async () => {
  f = await startAgent({ platform: 'simulated', dataDir });
  // A wired device joins the LAN a moment after its port's link comes up.
  await vi.waitFor(
    async () => {
      const hosts = await getObjects(f.controller, ['Device.Hosts.Host.*.PhysAddress', 'Device.Hosts.Host.*.InterfaceType']);
      // A Get of two wildcard paths reads each path on its own, so a host that joins between
      // the two reads has an InterfaceType and no PhysAddress yet in this answer: ask again.
      const found = Object.entries(hosts).find(([, h]) => h.InterfaceType === 'Ethernet' && h.PhysAddress);
      expect(found).toBeDefined();
      host = found![0];
      mac = found![1].PhysAddress!;
    },
    { timeout: 15_000, interval: 200 },
  );
});
afterAll(async () => {
  await f?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function wan(): Promise<{ bytes: number; packets: number; discarded: number }> {
  const v = (await getObjects(f.controller, [`${host}WANStats.`]))[`${host}WANStats.`]!;
  return { bytes: Number(v.BytesSent), packets: Number(v.PacketsSent), discarded: Number(v.DiscardPacketsSent) };
}

/** Waits until the device's WAN bytes grow past `than` (it is let through). */
async function flowing(than: number): Promise<void> {
  await vi.waitFor(async () => expect((await wan()).bytes).toBeGreaterThan(than), { timeout: 10_000, interval: 100 });
}

/** Waits until the gateway discards more of its packets, and checks its counters stood still meanwhile. */
async function blocked(): Promise<void> {
  const before = await wan();
  await vi.waitFor(async () => expect((await wan()).discarded).toBeGreaterThan(before.discarded), { timeout: 10_000, interval: 100 });
  const after = await wan();
  expect(after.bytes).toBe(before.bytes);
  expect(after.packets).toBe(before.packets);
}

describe('simulated gateway: Hosts.AccessControl stops a device’s WAN traffic', () => {
  it('a Deny row freezes the device’s WANStats while enabled; Disable and Delete let it through', async () => {
    const c = f.controller;
    expect(await get(c, 'Device.Hosts.AccessControlNumberOfEntries')).toBe('0');
    await flowing((await wan()).bytes);
    const row = await add(c, 'Device.Hosts.AccessControl.', { PhysAddress: mac.toUpperCase(), HostName: 'desktop', AccessPolicy: 'Deny', Enable: 'true' });
    await blocked();
    await set(c, row, { Enable: 'false' });
    await flowing((await wan()).bytes);
    await set(c, row, { Enable: 'true' });
    await blocked();
    await del(c, row);
    await flowing((await wan()).bytes);
    expect(await get(c, 'Device.Hosts.AccessControlNumberOfEntries')).toBe('0');
  });

  it('Allow with a window closed now blocks; a window open now lets it through', async () => {
    const c = f.controller;
    const row = await add(c, 'Device.Hosts.AccessControl.', { PhysAddress: mac, AccessPolicy: 'Allow', Enable: 'true' });
    await flowing((await wan()).bytes);
    const sched = await add(c, `${row}Schedule.`, { Enable: 'true', Day: dayFromToday(2), StartTime: '00:00', Duration: '3600' });
    await blocked();
    await set(c, sched, { Day: dayFromToday(0), Duration: '86400' });
    await flowing((await wan()).bytes);
    await del(c, row);
  });

  it('refuses invalid values with 7012 and keeps nothing of them', async () => {
    const c = f.controller;
    for (const params of [{ PhysAddress: 'nope' }, { PhysAddress: '' }, { PhysAddress: mac, ScheduleRef: 'Device.Schedules.Schedule.1' }] as Array<Record<string, string>>) {
      const r = await tryAdd(c, 'Device.Hosts.AccessControl.', { Enable: 'true', ...params });
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, JSON.stringify(params)).toBe(7012);
    }
    const row = await add(c, 'Device.Hosts.AccessControl.', { PhysAddress: mac });
    const r = await tryAdd(c, `${row}Schedule.`, { Enable: 'true', Day: 'Monday', StartTime: '08:00', Duration: '604801' });
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7012);
    expect(await get(c, `${row}ScheduleNumberOfEntries`)).toBe('0');
    await del(c, row);
    expect(await get(c, 'Device.Hosts.AccessControlNumberOfEntries')).toBe('0');
  });

  it('keeps its rows across a restart, and they block from the start', async () => {
    const row = await add(f.controller, 'Device.Hosts.AccessControl.', { PhysAddress: mac, AccessPolicy: 'Deny', Enable: 'true' });
    const port = f.port;
    await f.close();
    f = await startAgent({ platform: 'simulated', dataDir, port });
    expect((await getObjects(f.controller, [row]))[row]).toMatchObject({ PhysAddress: mac, AccessPolicy: 'Deny', Enable: 'true' });
    await vi.waitFor(async () => expect(await get(f.controller, `${host}PhysAddress`)).toBe(mac), { timeout: 15_000, interval: 200 });
    await blocked();
    expect((await wan()).bytes).toBe(0);
  });
});
