/**
 * Device.PeriodicStatistics (TR-181 PeriodicStatsBase:1, PeriodicStatsAdv:2) against the real
 * agent (simulated gateway) with real TestControllers over loopback WebSocket: SampleSets with
 * 1-2 s intervals (MinSampleInterval is 1), read back as they grow; Push! and ValueChange to the
 * owning Controller; bad input answered with TR-369 codes; a second Controller whose role may
 * not read Device.DeviceInfo.SerialNumber neither samples it nor reads another's samples of it.
 * Waits are for values and notifications (expect.poll), never fixed sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_EID, startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, del, get, operate, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { notifications, TestController } from '../peers/TestController.js';

const SETS = 'Device.PeriodicStatistics.SampleSet.';
const LIMITED = 'proto::limited-reader';
const perm = (order: number, targets: string, rights: string) => {
  const p = `Device.LocalAgent.ControllerTrust.Role.2.Permission.${order}.`;
  return { [`${p}Enable`]: true, [`${p}Order`]: order, [`${p}Targets`]: targets, [`${p}Param`]: rights, [`${p}Obj`]: rights, [`${p}InstantiatedObj`]: rights, [`${p}CommandEvent`]: rights };
};
const POLL = { timeout: 20_000, interval: 100 };

let f: AgentFixture;
let limited: TestController;
beforeAll(async () => {
  f = await startAgent({
    extra: {
      'Device.LocalAgent.ControllerTrust.Role.2.Name': 'No serial number',
      'Device.LocalAgent.ControllerTrust.Role.2.Enable': true,
      ...perm(1, 'Device.', 'rwxn'),
      ...perm(2, 'Device.DeviceInfo.SerialNumber', '----'),
      'Device.LocalAgent.Controller.2.EndpointID': LIMITED,
      'Device.LocalAgent.Controller.2.Enable': true,
      'Device.LocalAgent.Controller.2.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.2',
    },
  });
  limited = await TestController.connect(f.url, LIMITED, AGENT_EID);
}, 30_000);
afterAll(async () => {
  await limited?.close();
  await f?.close();
});

const list = (s: string): string[] => (s === '' ? [] : s.split(','));

async function sampleSet(c: TestController, settings: Record<string, string>, params: Array<Record<string, string>>): Promise<{ set: string; params: string[] }> {
  const s = await add(c, SETS, settings);
  const ps: string[] = [];
  for (const p of params) ps.push(await add(c, `${s}Parameter.`, { Enable: 'true', ...p }));
  await set(c, s, { Enable: 'true' });
  return { set: s, params: ps };
}

describe('Device.PeriodicStatistics on the simulated gateway', () => {
  it('serves MinSampleInterval 1 and MaxReportSamples', async () => {
    expect(await get(f.controller, 'Device.PeriodicStatistics.MinSampleInterval')).toBe('1');
    expect(Number(await get(f.controller, 'Device.PeriodicStatistics.MaxReportSamples'))).toBeGreaterThanOrEqual(24);
  });

  it('samples a changing and a constant parameter every second: Values and SampleSeconds grow to ReportSamples and stay bounded', async () => {
    const c = f.controller;
    const serial = await get(c, 'Device.DeviceInfo.SerialNumber');
    const { set: s, params } = await sampleSet(c, { Name: 'growing', SampleInterval: '1', ReportSamples: '3' }, [
      { Reference: 'Device.DeviceInfo.UpTime' },
      { Reference: 'Device.DeviceInfo.SerialNumber' },
    ]);
    const [upTime, serialRow] = params;
    await expect.poll(async () => list(await get(c, `${upTime}Values`)).length, POLL).toBe(3);
    const firstEnd = await get(c, `${s}ReportEndTime`);
    // The window moves on and stays at ReportSamples values.
    await expect.poll(async () => get(c, `${s}ReportEndTime`), POLL).not.toBe(firstEnd);
    const values = list(await get(c, `${upTime}Values`)).map(Number);
    expect(values).toHaveLength(3);
    expect(values[2]).toBeGreaterThan(values[0]);
    expect(list(await get(c, `${upTime}SampleSeconds`))).toEqual(['1', '1', '1']);
    expect(list(await get(c, `${upTime}SuspectData`))).toEqual(['0', '0', '0']);
    expect(list(await get(c, `${serialRow}Values`))).toEqual([serial, serial, serial]);
    expect(list(await get(c, `${s}SampleSeconds`))).toEqual(['1', '1', '1']);
    const start = Date.parse(await get(c, `${s}ReportStartTime`));
    const end = Date.parse(await get(c, `${s}ReportEndTime`));
    expect(end - start).toBe(3000);
    // Real UTC: the last sample ended within the last few seconds.
    expect(Math.abs(Date.now() - end)).toBeLessThan(5000);
    await set(c, s, { Enable: 'false' });
  });

  it('counts Failures when the sampled value leaves the thresholds; Change mode samples the difference', async () => {
    const c = f.controller;
    await add(c, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'ps-failures', NotifType: 'ValueChange', ReferenceList: `${SETS}*.Parameter.*.Failures`, NotifRetry: 'false' });
    const now = Number(await get(c, 'Device.DeviceInfo.UpTime'));
    const { set: s, params } = await sampleSet(c, { Name: 'thresholds', SampleInterval: '1', ReportSamples: '5' }, [
      { Reference: 'Device.DeviceInfo.UpTime', LowThreshold: '0', HighThreshold: String(now + 2) },
      { Reference: 'Device.LocalAgent.UpTime', SampleMode: 'Change' },
    ]);
    // UpTime goes from in range to at or above HighThreshold once: one failure, and it stays there.
    await expect.poll(async () => get(c, `${params[0]}Failures`), POLL).toBe('1');
    // Failures is notifiable: a ValueChange when it grows.
    const failures = () => notifications(c).filter((x) => x.notify.notification === 'valueChange' && x.notify.valueChange.paramPath === `${params[0]}Failures`);
    await expect.poll(() => failures().map((x) => (x.notify.notification === 'valueChange' ? x.notify.valueChange.paramValue : '')), POLL).toEqual(['1']);
    await expect.poll(async () => list(await get(c, `${params[1]}Values`)).length, POLL).toBeGreaterThanOrEqual(2);
    for (const v of list(await get(c, `${params[1]}Values`)).slice(1)) expect(Number(v)).toBeGreaterThanOrEqual(0);
    for (const v of list(await get(c, `${params[1]}Values`)).slice(1)) expect(Number(v)).toBeLessThanOrEqual(2);
    expect(await get(c, `${params[0]}Failures`)).toBe('1');
    await set(c, s, { Enable: 'false' });
  });

  it('TimeReference sets the phase: with a 2 s interval referenced to an odd second, every sample ends on an odd second', async () => {
    const c = f.controller;
    const { set: s } = await sampleSet(c, { Name: 'phase', SampleInterval: '2', ReportSamples: '4', TimeReference: '2020-01-01T00:00:01Z' }, [
      { Reference: 'Device.DeviceInfo.UpTime', CalculationMode: 'Average' },
    ]);
    await expect.poll(async () => list(await get(c, `${s}SampleSeconds`)).length, POLL).toBeGreaterThanOrEqual(2);
    expect(new Date(await get(c, `${s}ReportEndTime`)).getUTCSeconds() % 2).toBe(1);
    // After the first (possibly shorter) interval, each lasts the whole SampleInterval.
    expect(list(await get(c, `${s}SampleSeconds`)).slice(1)).toEqual(
      list(await get(c, `${s}SampleSeconds`))
        .slice(1)
        .map(() => '2'),
    );
    await set(c, s, { Enable: 'false' });
  });

  it('ForceSample() previews the running interval; changing SampleInterval discards the stored samples', async () => {
    const c = f.controller;
    const { set: s, params } = await sampleSet(c, { Name: 'preview', SampleInterval: '3600', ReportSamples: '4' }, [{ Reference: 'Device.DeviceInfo.UpTime' }]);
    expect(await get(c, `${params[0]}Values`)).toBe('');
    expect((await operate(c, `${s}ForceSample()`)).ok).toBe(true);
    expect(list(await get(c, `${params[0]}Values`))).toHaveLength(1);
    // A second preview in the same interval replaces the first.
    expect((await operate(c, `${s}ForceSample()`)).ok).toBe(true);
    expect(list(await get(c, `${params[0]}Values`))).toHaveLength(1);
    expect(Number(list(await get(c, `${s}SampleSeconds`))[0])).toBeLessThan(3600);
    await set(c, s, { SampleInterval: '1800' });
    await expect.poll(async () => get(c, `${params[0]}Values`), POLL).toBe('');
    await set(c, s, { Enable: 'false' });
  });

  it('Push! every FetchSamples intervals to the owning Controller only; ValueChange of ReportEndTime', async () => {
    const c = f.controller;
    const { set: s, params } = await sampleSet(c, { Name: 'push', SampleInterval: '1', ReportSamples: '4', FetchSamples: '2' }, [{ Reference: 'Device.DeviceInfo.UpTime' }]);
    await add(c, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'ps-push', NotifType: 'Event', ReferenceList: `${s}Push!`, NotifRetry: 'false' });
    await add(c, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'ps-vc', NotifType: 'ValueChange', ReferenceList: `${s}ReportEndTime`, NotifRetry: 'false' });
    await add(limited, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'ps-other', NotifType: 'Event', ReferenceList: `${s}Push!`, NotifRetry: 'false' });
    const n = Number(params[0].match(/(\d+)\.$/)![1]);
    const pushes = () =>
      notifications(c).flatMap((x) => (x.notify.notification === 'event' && x.notify.event.objPath === s && x.notify.event.eventName === 'Push!' ? [x.notify.event.params ?? {}] : []));
    await expect.poll(() => pushes().length, POLL).toBeGreaterThanOrEqual(2);
    const args = pushes()[1];
    expect(args[`Parameter.${n}.Reference`]).toBe('Device.DeviceInfo.UpTime');
    expect(list(args[`Parameter.${n}.Values`] ?? '').length).toBeGreaterThanOrEqual(2);
    const changes = () => notifications(c).filter((x) => x.notify.notification === 'valueChange' && x.notify.valueChange.paramPath === `${s}ReportEndTime`);
    await expect.poll(() => changes().length, POLL).toBeGreaterThanOrEqual(1);
    await set(c, s, { Enable: 'false' });
    // The other Controller subscribed too, but Push! goes to the set's Controller only.
    expect(notifications(limited).filter((x) => x.notify.notification === 'event' && x.notify.event.eventName === 'Push!')).toEqual([]);
  });
});

describe('bad input', () => {
  let s: string;
  beforeAll(async () => {
    s = await add(f.controller, SETS, { Name: 'bad-input' });
  });

  it('a Reference to no parameter, to an object, or with a wildcard is 7026; an unparsable one 7008', async () => {
    for (const ref of ['Device.DeviceInfo.NoSuchThing', 'Device.IP.Interface.99.Name', 'Device.DeviceInfo.', 'Device.IP.Interface.*.Name']) {
      const r = await tryAdd(f.controller, `${s}Parameter.`, { Reference: ref });
      expect(r.ok ? 0 : (r.paramErrCode ?? r.errCode), ref).toBe(7026);
    }
    const r = await tryAdd(f.controller, `${s}Parameter.`, { Reference: 'Device..x' });
    expect(r.ok ? 0 : (r.paramErrCode ?? r.errCode)).toBe(7008);
    const row = await add(f.controller, `${s}Parameter.`, { Reference: 'Device.DeviceInfo.UpTime' });
    const bad = await trySet(f.controller, row, { Reference: 'Device.DeviceInfo.' });
    expect(bad.ok ? 0 : (bad.paramErrCode ?? bad.errCode)).toBe(7026);
    expect(await get(f.controller, `${row}Reference`)).toBe('Device.DeviceInfo.UpTime');
  });

  it('SampleInterval 0, ReportSamples above MaxReportSamples and CalculationMode Histogram are refused; the row is unchanged', async () => {
    const max = Number(await get(f.controller, 'Device.PeriodicStatistics.MaxReportSamples'));
    for (const [param, value] of [
      ['SampleInterval', '0'],
      ['ReportSamples', String(max + 1)],
    ] as const) {
      const r = await trySet(f.controller, s, { [param]: value });
      expect(r.ok ? 0 : (r.paramErrCode ?? r.errCode), param).toBe(7012);
    }
    expect(await get(f.controller, `${s}SampleInterval`)).toBe('3600');
    expect(await get(f.controller, `${s}ReportSamples`)).toBe('24');
    const h = await tryAdd(f.controller, `${s}Parameter.`, { Reference: 'Device.DeviceInfo.ModelName', CalculationMode: 'Histogram' });
    expect(h.ok ? 0 : (h.paramErrCode ?? h.errCode)).toBe(7012);
  });
});

describe('a Controller sees through a SampleSet only what it may read', () => {
  it('may not sample a parameter its role hides (7026, as for one that does not exist)', async () => {
    const s = await add(limited, SETS, { Name: 'limited-own' });
    expect(await get(limited, `${s}Controller`)).toBe('Device.LocalAgent.Controller.2');
    const r = await tryAdd(limited, `${s}Parameter.`, { Reference: 'Device.DeviceInfo.SerialNumber' });
    expect(r.ok ? 0 : (r.paramErrCode ?? r.errCode)).toBe(7026);
    // What it may read, it may sample.
    await add(limited, `${s}Parameter.`, { Reference: 'Device.DeviceInfo.UpTime' });
  });

  it("reads another Controller's samples of a parameter it may not read as empty lists", async () => {
    const c = f.controller;
    const serial = await get(c, 'Device.DeviceInfo.SerialNumber');
    const { set: s, params } = await sampleSet(c, { Name: 'hidden-serial', SampleInterval: '1', ReportSamples: '2' }, [{ Reference: 'Device.DeviceInfo.SerialNumber' }]);
    await expect.poll(async () => list(await get(c, `${params[0]}Values`)).length, POLL).toBe(2);
    expect(list(await get(c, `${params[0]}Values`))).toEqual([serial, serial]);
    expect(await get(limited, `${params[0]}Reference`)).toBe('Device.DeviceInfo.SerialNumber');
    expect(await get(limited, `${params[0]}Values`)).toBe('');
    expect(await get(limited, `${params[0]}SampleSeconds`)).toBe('');
    await set(c, s, { Enable: 'false' });
  });
});

describe('the SampleSet goes with its Controller', () => {
  it('deleting the Controller row deletes the SampleSets it made (TR-181 Controller is a strong reference)', async () => {
    const c = f.controller;
    const owned = await add(limited, SETS, { Name: 'goes-with-owner' });
    expect(await get(c, `${owned}Name`)).toBe('goes-with-owner');
    await limited.close();
    await del(c, 'Device.LocalAgent.Controller.2.');
    const m = await c.send({ reqType: 'getInstances', getInstances: { objPaths: [SETS], firstLevelOnly: true } });
    const names = await Promise.all(
      (m.body.msgBody === 'response' && m.body.response.respType === 'getInstancesResp' ? (m.body.response.getInstancesResp.reqPathResults[0].currInsts ?? []) : []).map((i) =>
        get(c, `${i.instantiatedObjPath}Name`),
      ),
    );
    expect(names).not.toContain('goes-with-owner');
    expect(names).not.toContain('limited-own');
    expect(names).toContain('growing');
  });
});
