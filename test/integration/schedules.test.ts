/**
 * Device.Schedules. (TR-181 Schedules:1) in the real agent process (`npm run build` first) on
 * the simulated gateway and on `--platform none`, driven by our TestController over a real
 * WebSocket: a ValueChange Subscription on a row's Status sees the window open and close a few
 * seconds after the Add (the gateway's LocalTimeZone is set so that its next local minute is
 * seconds away: StartTime counts whole minutes); bad Day, StartTime and Duration values are
 * refused with nothing kept; deleting a Schedule row takes it out of the ScheduleRef that named
 * it (a strong reference), and a ScheduleRef naming no row is refused with 7012.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT_EID, CONTROLLER_EID } from '../peers/agent-fixture.js';
import { AgentProcess, writeDefaultsFile } from '../peers/agent-process.js';
import { add, del, get, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { freePort, type notifications, TestController, waitForNotification } from '../peers/TestController.js';

const work = mkdtempSync(join(tmpdir(), 'usp-schedules-'));
const started: Array<{ p: AgentProcess; c: TestController }> = [];
afterAll(async () => {
  for (const { p, c } of started) {
    await c.close();
    await p.terminate();
  }
  await AgentProcess.killAll();
  rmSync(work, { recursive: true, force: true });
});

async function agentProcess(platform: 'simulated' | 'none'): Promise<TestController> {
  const port = await freePort();
  const defaults = join(work, `defaults-${port}.json`);
  writeDefaultsFile(defaults, port);
  const p = AgentProcess.start(defaults, join(work, `data-${port}`), { platform });
  await p.waitForLine(/websocket server listening/, { timeoutMs: 20_000 });
  const c = await TestController.connect(`ws://127.0.0.1:${port}/usp`, CONTROLLER_EID, AGENT_EID);
  started.push({ p, c });
  return c;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * A zone whose local clock stands `lead` seconds before a whole minute now, a little east of
 * UTC ("<+0100>-1:00:ss"), with the local Day and StartTime of that minute.
 */
function zoneOpeningIn(lead: number): { zone: string; day: string; start: string } {
  const now = Date.now();
  const sec = new Date(now).getUTCSeconds();
  const shift = (((60 - lead - sec) % 60) + 60) % 60;
  const offset = 3600 + shift;
  const local = new Date(now + offset * 1000 + lead * 1000 + 500);
  const hh = String(local.getUTCHours()).padStart(2, '0');
  const mm = String(local.getUTCMinutes()).padStart(2, '0');
  return { zone: `<+0100>-1:00:${String(shift).padStart(2, '0')}`, day: WEEKDAYS[local.getUTCDay()]!, start: `${hh}:${mm}` };
}

describe('Device.Schedules on the simulated gateway (agent process)', () => {
  it('tells a ValueChange subscription when a window opens and closes', async () => {
    const c = await agentProcess('simulated');
    const { zone, day, start } = zoneOpeningIn(8);
    await set(c, 'Device.Time.', { LocalTimeZone: zone });
    const row = await add(c, 'Device.Schedules.Schedule.', { Enable: 'true', Day: day, StartTime: start, Duration: '3', Description: 'homework' });
    expect(row).toBe('Device.Schedules.Schedule.1.');
    await add(c, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'sched', NotifType: 'ValueChange', ReferenceList: `${row}Status`, NotifRetry: 'false' });
    expect(await get(c, `${row}Status`)).toBe('Inactive');
    const left = Number(await get(c, `${row}TimeLeft`));
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(9);
    const statusChange = (value: string) => (n: ReturnType<typeof notifications>) =>
      n.find((x) => x.notify.notification === 'valueChange' && x.notify.valueChange.paramPath === `${row}Status` && x.notify.valueChange.paramValue === value);
    await waitForNotification(c, statusChange('Active'), 30_000);
    expect(await get(c, `${row}Status`)).toBe('Active');
    await waitForNotification(c, statusChange('Inactive'), 15_000);
    expect(await get(c, 'Device.Schedules.ScheduleNumberOfEntries')).toBe('1');
    // A disabled stack: the enabled row reads StackDisabled and TimeLeft 0.
    await set(c, 'Device.Schedules.', { Enable: 'false' });
    expect(await get(c, `${row}Status`)).toBe('StackDisabled');
    expect(await get(c, `${row}TimeLeft`)).toBe('0');
  }, 60_000);
});

describe('Device.Schedules with --platform none (agent process)', () => {
  it('refuses bad Day, StartTime and Duration values and keeps nothing', async () => {
    const c = await agentProcess('none');
    // The schema's own checks (enumeration, pattern, range: 7012; not an unsignedInt: 7011) and the
    // device's (a week at most; an enabled row needs a Day and a StartTime), each a failed Add
    // (7021) naming the parameter.
    const cases: Array<[Record<string, string>, number]> = [
      [{ Day: 'Funday', StartTime: '08:00', Duration: '60' }, 7012],
      [{ Day: 'Monday', StartTime: '8:00', Duration: '60' }, 7012],
      [{ Day: 'Monday', StartTime: '24:00', Duration: '60' }, 7012],
      [{ Day: 'Monday', StartTime: '08:00', Duration: '0' }, 7012],
      [{ Day: 'Monday', StartTime: '08:00', Duration: '-5' }, 7011],
      [{ Day: 'Monday', StartTime: '08:00', Duration: '604801' }, 7012],
      [{ Day: '', StartTime: '08:00', Duration: '60' }, 7012],
      [{ Day: 'Monday', StartTime: '', Duration: '60' }, 7012],
    ];
    for (const [bad, code] of cases) {
      const r = await tryAdd(c, 'Device.Schedules.Schedule.', { Enable: 'true', ...bad });
      expect(r.ok, JSON.stringify(bad)).toBe(false);
      if (!r.ok) {
        expect(r.paramErrCode, JSON.stringify(bad)).toBe(code);
      }
    }
    expect(await get(c, 'Device.Schedules.ScheduleNumberOfEntries')).toBe('0');
    const row = await add(c, 'Device.Schedules.Schedule.', { Day: 'Monday,Friday', StartTime: '08:00', Duration: '3600' });
    expect(await get(c, `${row}Status`)).toBe('Inactive');
    expect(await get(c, `${row}TimeLeft`)).toBe('0');
    const r = await trySet(c, row, { Day: 'Monday,Someday' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7012);
    const enableEmpty = await trySet(c, row, { Enable: 'true', StartTime: '' });
    expect(enableEmpty.ok).toBe(false);
    expect(await get(c, `${row}Enable`)).toBe('false');
    expect(await get(c, `${row}Day`)).toBe('Monday,Friday');
  }, 40_000);
});

describe('ScheduleRef on Hosts.AccessControl (simulated gateway, agent process)', () => {
  it('refuses a reference to no row, and loses the reference when the Schedule row is deleted', async () => {
    const c = await agentProcess('simulated');
    const bad = await tryAdd(c, 'Device.Hosts.AccessControl.', { PhysAddress: '02:00:00:00:00:01', Enable: 'true', ScheduleRef: 'Device.Schedules.Schedule.9' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.paramErrCode ?? bad.errCode).toBe(7012);
    const s1 = await add(c, 'Device.Schedules.Schedule.', { Enable: 'true', Day: 'Monday', StartTime: '08:00', Duration: '3600' });
    const s2 = await add(c, 'Device.Schedules.Schedule.', { Enable: 'true', Day: 'Tuesday', StartTime: '08:00', Duration: '3600', InverseMode: 'true' });
    const acl = await add(c, 'Device.Hosts.AccessControl.', { PhysAddress: '02:00:00:00:00:01', Enable: 'true', ScheduleRef: `${s1},${s2.slice(0, -1)}` });
    expect(await get(c, `${acl}ScheduleRef`)).toBe(`${s1.slice(0, -1)},${s2.slice(0, -1)}`);
    expect((await trySet(c, acl, { ScheduleRef: 'Device.IP.Interface.1' })).ok).toBe(false);
    await del(c, s1);
    expect(await get(c, `${acl}ScheduleRef`)).toBe(s2.slice(0, -1));
    await del(c, s2);
    expect(await get(c, `${acl}ScheduleRef`)).toBe('');
  }, 40_000);
});

describe('ScheduleRef on NAT.PortMapping (simulated gateway, agent process)', () => {
  it('reads Inactive outside the referenced schedules, Enabled inside them', async () => {
    const c = await agentProcess('simulated');
    const day = (offset: number): string => WEEKDAYS[(new Date().getUTCDay() + offset + 7) % 7]!;
    const pm = await add(c, 'Device.NAT.PortMapping.', { Enable: 'true', ExternalPort: '8443', InternalPort: '443', Protocol: 'TCP', InternalClient: '192.168.1.10' });
    // The simulated 5G data session comes up a few seconds after boot.
    await expect.poll(() => get(c, `${pm}Status`), { timeout: 30_000, interval: 250 }).toBe('Enabled');
    // Three days ahead, an hour: closed now in any zone.
    const closed = await add(c, 'Device.Schedules.Schedule.', { Enable: 'true', Day: day(3), StartTime: '10:00', Duration: '3600' });
    await set(c, pm, { ScheduleRef: closed });
    expect(await get(c, `${pm}Status`)).toBe('Inactive');
    // Yesterday, today and tomorrow all day (UTC days; the gateway counts in its own zone): open now.
    const open = await add(c, 'Device.Schedules.Schedule.', { Enable: 'true', Day: `${day(-1)},${day(0)},${day(1)}`, StartTime: '00:00', Duration: '86400' });
    await set(c, pm, { ScheduleRef: `${closed.slice(0, -1)},${open.slice(0, -1)}` });
    expect(await get(c, `${pm}Status`)).toBe('Enabled');
    await del(c, open);
    expect(await get(c, `${pm}ScheduleRef`)).toBe(closed.slice(0, -1));
    expect(await get(c, `${pm}Status`)).toBe('Inactive');
    const bad = await trySet(c, pm, { ScheduleRef: 'Device.Schedules.Schedule.99' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.paramErrCode ?? bad.errCode).toBe(7012);
    expect(await get(c, `${pm}ScheduleRef`)).toBe(closed.slice(0, -1));
  }, 60_000);
});
