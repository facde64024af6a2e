/**
 * Device.Hosts.AccessControl. on generic Linux, for real: the built agent process (`npm run
 * build` first) runs with `--platform linux` in a router namespace joined by veth pairs to a WAN
 * namespace (203.0.113.0/24) and a LAN namespace (192.168.60.0/24, routed both ways, no NAT),
 * and a controller Adds, Sets and Deletes AccessControl rows over a real WebSocket. What the
 * kernel makes of them is checked with real TCP connections from the LAN host to a listener on
 * the WAN host: a Deny row for the LAN host's MAC cuts it off while enabled, Disable and Delete
 * let it through again; an Allow row whose Schedule window is closed now cuts it off, a window
 * open all week lets it through; a row with PhysAddressMask FF:FF:FF:00:00:00 cuts off every
 * device of the OUI; invalid values are refused (7012) with nothing applied; a
 * restart writes the stored rows again after the table was flushed; an nft that refuses the
 * table makes the Add answer 7003 and keeps no row. Needs root, nft and python3.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, get, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, type PeerNamespace, pathWithFailingNft } from '../peers/netns.js';
import { joinWanAndLan, nftTable } from '../peers/routed-wan-lan.js';
import { greeterReachable, linkMac, startGreeter } from '../peers/wan-greeter.js';
import { dayFromToday } from './schedule-days.js';

const tag = process.pid % 100_000;
const router = NetNamespace.create(`usp-acl-${tag}`, `10.247.${tag % 250}`, `uspacl${tag}`, 'ctl0');
const wan = `usp-aclw-${tag}`;
const lan = `usp-acll-${tag}`;
const ROUTER_WAN = '203.0.113.1';
const WAN_HOST = '203.0.113.2';
const ROUTER_LAN = '192.168.60.1';
const LAN_HOST = '192.168.60.10';
const TABLE = 'usp_agent_access';
const dataDir = mkdtempSync(join(tmpdir(), 'usp-acl-data-'));
let a: NamespacedAgent | undefined;
const peers: PeerNamespace[] = [];
let lanMac = '';
let listener: ChildProcess | undefined;

function sh(...args: string[]): string {
  return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Whether the LAN host reaches the WAN host's listener through the router now. */
function reachesWan(): boolean {
  return greeterReachable(lan, WAN_HOST);
}

/** The agent's table in the router namespace ("" when there is none). */
function accessTable(): string {
  return nftTable(router, TABLE);
}

beforeAll(async () => {
  // No default route on the router: these tests only forward between its two sides.
  peers.push(...joinWanAndLan(router, { wan, lan, routerWan: ROUTER_WAN, wanHost: WAN_HOST, routerLan: ROUTER_LAN, lanHost: LAN_HOST, lanNet: '192.168.60.0/24', routerDefaultRoute: false }));
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

describe('Linux Hosts.AccessControl in the kernel (nftables), in network namespaces', () => {
  it('serves AccessControl with nothing written to netfilter until a row blocks something', async () => {
    expect(await get(a!.controller, 'Device.Hosts.AccessControlNumberOfEntries')).toBe('0');
    expect(accessTable()).toBe('');
    expect(reachesWan()).toBe(true);
  });

  it('a Deny row cuts the LAN host off while enabled; Disable and Delete let it through again', async () => {
    const c = a!.controller;
    const row = await add(c, 'Device.Hosts.AccessControl.', { PhysAddress: lanMac.toUpperCase(), HostName: 'kid-laptop', AccessPolicy: 'Deny', Enable: 'true' });
    expect(reachesWan()).toBe(false);
    expect(accessTable()).toContain(`ether saddr ${lanMac} drop comment "${row.slice(0, -1)}"`);
    expect((await getObjects(c, [row]))[row]).toMatchObject({
      Enable: 'true',
      AccessPolicy: 'Deny',
      HostName: 'kid-laptop',
      Origin: 'Controller',
      ScheduleRef: '',
      Alias: `cpe-${row.split('.').at(-2)}`,
    });
    expect(await get(c, 'Device.Hosts.AccessControlNumberOfEntries')).toBe('1');
    await set(c, row, { Enable: 'false' });
    expect(reachesWan()).toBe(true);
    await set(c, row, { Enable: 'true' });
    expect(reachesWan()).toBe(false);
    await del(c, row);
    expect(reachesWan()).toBe(true);
    // No row left: the agent's table is gone.
    expect(accessTable()).toBe('');
  });

  it('Allow with a Schedule window: blocked outside it, through while a window is open', async () => {
    const c = a!.controller;
    const row = await add(c, 'Device.Hosts.AccessControl.', { PhysAddress: lanMac, AccessPolicy: 'Allow', Enable: 'true' });
    // Allow without a schedule: access all the time, nothing written.
    expect(reachesWan()).toBe(true);
    // A window only the day after tomorrow: closed now, whatever the hour.
    const sched = await add(c, `${row}Schedule.`, { Enable: 'true', Day: dayFromToday(2), StartTime: '00:00', Duration: '3600' });
    expect(reachesWan()).toBe(false);
    expect(accessTable()).toContain('meta day');
    expect(await get(c, `${row}ScheduleNumberOfEntries`)).toBe('1');
    // Every day from midnight for a whole day: open all week, no rule.
    await set(c, sched, { Day: 'Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday', Duration: '86400' });
    expect(reachesWan()).toBe(true);
    // A window today from 00:00 for 24 h is open now too; Deny ignores the schedules.
    await set(c, sched, { Day: dayFromToday(0) });
    expect(reachesWan()).toBe(true);
    await set(c, row, { AccessPolicy: 'Deny' });
    expect(reachesWan()).toBe(false);
    await del(c, row);
    expect(reachesWan()).toBe(true);
  });

  it('refuses invalid values with 7012 and applies nothing of a refused request', async () => {
    const c = a!.controller;
    const before = accessTable();
    for (const params of [
      { PhysAddress: 'not-a-mac' },
      { PhysAddress: '' },
      { PhysAddress: lanMac, ScheduleRef: 'Device.Schedules.Schedule.1' },
      { PhysAddress: lanMac, AccessPolicy: 'Maybe' },
    ] as Array<Record<string, string>>) {
      const r = await tryAdd(c, 'Device.Hosts.AccessControl.', { Enable: 'true', AccessPolicy: 'Deny', ...params });
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, JSON.stringify(params)).toBe(7012);
    }
    expect(await get(c, 'Device.Hosts.AccessControlNumberOfEntries')).toBe('0');
    expect(accessTable()).toBe(before);

    const row = await add(c, 'Device.Hosts.AccessControl.', { PhysAddress: lanMac, Enable: 'true' });
    // The same device in a second row (MAC compared whatever its case): refused.
    expect(await tryAdd(c, 'Device.Hosts.AccessControl.', { PhysAddress: lanMac.toUpperCase() })).toMatchObject({ ok: false });
    for (const params of [
      { Day: 'Funday', StartTime: '08:00', Duration: '60' },
      { Day: 'Monday', StartTime: '25:00', Duration: '60' },
      { Day: 'Monday', StartTime: '08:00', Duration: '0' },
      { Day: 'Monday', StartTime: '08:00', Duration: '700000' },
      { Day: 'Monday', Duration: '3600' },
      { Day: '', StartTime: '08:00', Duration: '60' },
    ] as Array<Record<string, string>>) {
      const r = await tryAdd(c, `${row}Schedule.`, { Enable: 'true', ...params });
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, JSON.stringify(params)).toBe(7012);
    }
    expect(await get(c, `${row}ScheduleNumberOfEntries`)).toBe('0');
    // A Set that fails leaves the row as it was and the LAN host still through.
    expect(await trySet(c, row, { AccessPolicy: 'Deny', PhysAddress: 'zz:zz' })).toMatchObject({ ok: false });
    expect((await getObjects(c, [`${row}AccessPolicy`, `${row}PhysAddress`]))[row]).toEqual({ AccessPolicy: 'Allow', PhysAddress: lanMac });
    expect(reachesWan()).toBe(true);
    expect(accessTable()).toBe(before);

    // One Set of two rows, the second refused (allow_partial false): the first, already written
    // to the kernel, is undone there too.
    const other = await add(c, 'Device.Hosts.AccessControl.', { PhysAddress: '02:00:00:00:00:42' });
    const m = await c.send({
      reqType: 'set',
      set: {
        allowPartial: false,
        updateObjs: [
          { objPath: row, paramSettings: [{ param: 'AccessPolicy', value: 'Deny', required: true }] },
          { objPath: other, paramSettings: [{ param: 'PhysAddress', value: 'not-a-mac', required: true }] },
        ],
      },
    });
    expect(m.body.msgBody).toBe('error');
    expect(await get(c, `${row}AccessPolicy`)).toBe('Allow');
    expect(reachesWan()).toBe(true);
    expect(accessTable()).toBe(before);
    await del(c, row, other);
  });

  it("PhysAddressMask: a row for the LAN host's OUI (FF:FF:FF:00:00:00) cuts it off by its first three octets; bad masks are 7012", async () => {
    const c = a!.controller;
    // Another device of the same OUI: only the first three octets are the LAN host's.
    const sibling = `${lanMac.slice(0, 8)}:00:00:01`;
    const oui = `${lanMac.slice(0, 8)}:00:00:00`;
    const row = await add(c, 'Device.Hosts.AccessControl.', { PhysAddress: sibling, PhysAddressMask: 'FF:FF:FF:00:00:00', AccessPolicy: 'Deny', Enable: 'true' });
    expect(reachesWan()).toBe(false);
    expect(accessTable()).toContain(`ether saddr & ff:ff:ff:00:00:00 == ${oui} drop comment "${row.slice(0, -1)}"`);
    expect((await getObjects(c, [row]))[row]).toMatchObject({ PhysAddress: sibling, PhysAddressMask: 'FF:FF:FF:00:00:00' });
    // The whole address: only the sibling, not the LAN host.
    await set(c, row, { PhysAddressMask: 'FF:FF:FF:FF:FF:FF' });
    expect(reachesWan()).toBe(true);
    expect(accessTable()).toContain(`ether saddr ${sibling} drop`);
    for (const mask of ['FF:FF:FF', 'not-a-mask', '00:00:00:00:00:00']) {
      const r = await trySet(c, row, { PhysAddressMask: mask });
      expect(r.ok, mask).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, mask).toBe(7012);
    }
    expect(await get(c, `${row}PhysAddressMask`)).toBe('FF:FF:FF:FF:FF:FF');
    expect(reachesWan()).toBe(true);
    await del(c, row);
  });

  it('keeps its table when the agent stops and writes the stored rows again at start', async () => {
    const c = a!.controller;
    const row = await add(c, 'Device.Hosts.AccessControl.', { PhysAddress: lanMac, AccessPolicy: 'Deny', Enable: 'true' });
    const port = a!.port;
    await a!.close();
    a = undefined;
    // The block outlives the agent: a restart must not open the LAN.
    expect(reachesWan()).toBe(false);
    // A reboot empties netfilter: the next start must write the rows again.
    sh('ip', 'netns', 'exec', router.name, 'nft', 'delete', 'table', 'inet', TABLE);
    expect(reachesWan()).toBe(true);
    a = await startAgentInNamespace(router, 'ctl0', { dataDir, port });
    expect(a.agent.lines.some((l) => /access control rules written from the stored rows/.test(l.text))).toBe(true);
    expect(reachesWan()).toBe(false);
    await del(a.controller, row);
    expect(reachesWan()).toBe(true);
  }, 30_000);
});

describe('without a working access control table', () => {
  it('--access-control off: the agent says so and serves no Device.Hosts.AccessControl.', async () => {
    const off = NetNamespace.create(`usp-aclo-${tag}`, `10.248.${tag % 250}`, `uspaclo${tag}`, 'ctl0');
    let b: NamespacedAgent | undefined;
    try {
      b = await startAgentInNamespace(off, 'ctl0', { args: ['--access-control', 'off'] });
      expect((await tryAdd(b.controller, 'Device.Hosts.AccessControl.', { PhysAddress: lanMac })).ok).toBe(false);
      const line = b.agent.lines.find((l) => /Device\.Hosts\.AccessControl\. not served/.test(l.text));
      expect(line?.text).toMatch(/level=info/);
      expect(line?.text).toMatch(/switched off \(--access-control off\)/);
    } finally {
      await b?.close();
      off.remove();
    }
  }, 30_000);

  it('nft refusing the table: the Add answers 7003 naming nft, and no row is kept', async () => {
    const failing = NetNamespace.create(`usp-aclf-${tag}`, `10.249.${tag % 250}`, `uspaclf${tag}`, 'ctl0');
    const bin = pathWithFailingNft();
    let b: NamespacedAgent | undefined;
    try {
      b = await startAgentInNamespace(failing, 'ctl0', { env: { PATH: bin }, args: ['--packet-counters', 'off', '--nat', 'off'] });
      const r = await tryAdd(b.controller, 'Device.Hosts.AccessControl.', { PhysAddress: lanMac, AccessPolicy: 'Deny', Enable: 'true' });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.paramErrCode ?? r.errCode).toBe(7003);
        expect(r.errMsg).toMatch(/firewall did not take the access control rules.*Could not process rule/);
      }
      expect(await get(b.controller, 'Device.Hosts.AccessControlNumberOfEntries')).toBe('0');
    } finally {
      await b?.close();
      failing.remove();
      rmSync(bin, { recursive: true, force: true });
    }
  }, 30_000);
});
