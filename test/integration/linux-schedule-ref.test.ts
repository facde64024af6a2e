/**
 * Hosts.AccessControl.{i}.ScheduleRef on generic Linux, for real: the built agent process
 * (`npm run build` first) runs with `--platform linux` in a router namespace joined by veth
 * pairs to a WAN and a LAN namespace (routed, no NAT), and a controller over a real WebSocket
 * makes an Allow row for the LAN host refer to Device.Schedules rows. nft shows the rules the
 * referenced windows make (`meta day`/`meta hour`), a real TCP connection from the LAN host
 * shows what the kernel does with them, and the rules go when the Schedule is disabled or
 * deleted (the reference leaves the list) or Device.Schedules.Enable is false. Needs root, nft
 * and python3.
 */
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, get, set, trySet } from '../peers/controller-steps.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, type PeerNamespace } from '../peers/netns.js';
import { joinWanAndLan, nftTable } from '../peers/routed-wan-lan.js';
import { greeterReachable, linkMac, startGreeter } from '../peers/wan-greeter.js';
import { dayFromToday } from './schedule-days.js';

const tag = process.pid % 100_000;
const router = NetNamespace.create(`usp-sref-${tag}`, `10.226.${tag % 250}`, `uspsref${tag}`, 'ctl0');
const wan = `usp-srefw-${tag}`;
const lan = `usp-srefl-${tag}`;
const WAN_HOST = '203.0.113.2';
const TABLE = 'usp_agent_access';
const dataDir = mkdtempSync(join(tmpdir(), 'usp-sref-data-'));
let a: NamespacedAgent | undefined;
const peers: PeerNamespace[] = [];
let lanMac = '';
let listener: ChildProcess | undefined;

function reachesWan(): boolean {
  return greeterReachable(lan, WAN_HOST);
}

function accessTable(): string {
  return nftTable(router, TABLE);
}

beforeAll(async () => {
  // No default route on the router: these tests only forward between its two sides.
  peers.push(
    ...joinWanAndLan(router, { wan, lan, routerWan: '203.0.113.1', wanHost: WAN_HOST, routerLan: '192.168.61.1', lanHost: '192.168.61.10', lanNet: '192.168.61.0/24', routerDefaultRoute: false }),
  );
  lanMac = linkMac(lan, 'lanp');
  listener = await startGreeter(wan);
  a = await startAgentInNamespace(router, 'ctl0', { dataDir });
}, 40_000);

afterAll(async () => {
  await a?.close();
  listener?.kill();
  router.remove();
  for (const p of peers) p.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Linux Hosts.AccessControl.ScheduleRef in nftables, in network namespaces', () => {
  it('blocks outside the referenced windows, and drops the rules when the Schedule goes', async () => {
    const c = a!.controller;
    // Open only the day after tomorrow: closed now, whatever the hour.
    const later = await add(c, 'Device.Schedules.Schedule.', { Enable: 'true', Day: dayFromToday(2), StartTime: '10:00', Duration: '7200' });
    const row = await add(c, 'Device.Hosts.AccessControl.', { PhysAddress: lanMac, AccessPolicy: 'Allow', Enable: 'true', ScheduleRef: later });
    expect(await get(c, `${row}ScheduleRef`)).toBe(later.slice(0, -1));
    expect(accessTable()).toContain(`ether saddr ${lanMac} meta day`);
    expect(accessTable()).toContain('meta hour');
    expect(reachesWan()).toBe(false);

    // A second reference open all of today and tomorrow: the union lets the host through now.
    const today = await add(c, 'Device.Schedules.Schedule.', { Enable: 'true', Day: `${dayFromToday(0)},${dayFromToday(1)}`, StartTime: '00:00', Duration: '86400' });
    await set(c, row, { ScheduleRef: `${later.slice(0, -1)},${today.slice(0, -1)}` });
    expect(reachesWan()).toBe(true);
    expect(accessTable()).toContain('meta day');

    // InverseMode turns it into "all but today and tomorrow": blocked again.
    await set(c, today, { InverseMode: 'true' });
    expect(reachesWan()).toBe(false);
    await set(c, today, { InverseMode: 'false' });
    expect(reachesWan()).toBe(true);

    // A disabled stack schedules nothing: Allow without a schedule, no rule at all.
    await set(c, 'Device.Schedules.', { Enable: 'false' });
    expect(accessTable()).not.toContain(lanMac);
    await set(c, 'Device.Schedules.', { Enable: 'true' });
    expect(accessTable()).toContain(lanMac);

    // Deleting the open schedule: it leaves the ScheduleRef, the closed one blocks again.
    await del(c, today);
    expect(await get(c, `${row}ScheduleRef`)).toBe(later.slice(0, -1));
    expect(reachesWan()).toBe(false);

    // Disabling the last one: no schedule in force, access all the time, no rules.
    await set(c, later, { Enable: 'false' });
    expect(accessTable()).not.toContain(lanMac);
    expect(reachesWan()).toBe(true);
    await set(c, later, { Enable: 'true' });
    expect(reachesWan()).toBe(false);
    await del(c, later);
    expect(await get(c, `${row}ScheduleRef`)).toBe('');
    expect(accessTable()).not.toContain(lanMac);
    expect(reachesWan()).toBe(true);
  });

  it('refuses a ScheduleRef naming no row, with nothing written', async () => {
    const c = a!.controller;
    const before = accessTable();
    const row = await add(c, 'Device.Hosts.AccessControl.', { PhysAddress: '02:00:00:00:00:77', AccessPolicy: 'Allow', Enable: 'true' });
    const r = await trySet(c, row, { ScheduleRef: 'Device.Schedules.Schedule.42' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7012);
    expect(await get(c, `${row}ScheduleRef`)).toBe('');
    expect(accessTable()).toBe(before);
  });
});
