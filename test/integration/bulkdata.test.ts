/**
 * Device.BulkData over USPEventNotif (TR-369 Annex A; TP-469 section 10 style): a real agent
 * in-process, a real controller over loopback WebSocket that creates Profiles, subscribes to
 * Push! and reads the reports out of the Notify it receives. MinReportingInterval is shortened
 * to 1 s through the agent option the tests use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, CONTROLLER_EID, type AgentFixture } from '../peers/agent-fixture.js';
import { TestController, notifications, waitForNotification } from '../peers/TestController.js';
import { add, get, operate, set, subscribePush, tryAdd, trySet } from '../peers/controller-steps.js';
import { roleDefaults } from '../../bench/limited-role.js';

/** Controller.3's role: reads everything but the serial number, manages its own bulk data and subscriptions. */
const NO_SERIAL = roleDefaults(2, 'No serial', [
  [1, 'Device.', 'r--n', 'r---', 'r---', 'r--n'],
  [2, 'Device.BulkData.', 'rw-n', 'rw--', 'rw--', 'r-xn'],
  [3, 'Device.LocalAgent.Subscription.', 'rw--', 'rw--', 'rw--', '----'],
  [4, 'Device.DeviceInfo.SerialNumber', '----', '----', '----', '----'],
]);

let f: AgentFixture;

beforeAll(async () => {
  f = await startAgent({
    extra: {
      'Device.BulkData.Enable': true,
      // A second controller with full access, to show Push! goes only to the Profile's Controller.
      'Device.LocalAgent.Controller.2.EndpointID': 'proto::controller-2',
      'Device.LocalAgent.Controller.2.Enable': true,
      'Device.LocalAgent.Controller.2.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.1',
      ...NO_SERIAL,
      'Device.LocalAgent.Controller.3.EndpointID': 'proto::controller-3',
      'Device.LocalAgent.Controller.3.Enable': true,
      'Device.LocalAgent.Controller.3.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.2',
    },
    agent: { bulkData: { minReportingInterval: 1 } },
  });
});
afterAll(async () => {
  await f?.close();
});

/** Push! notifications of `profile` received by `c` from index `from`, their Data. */
function pushes(c: TestController, profile: string, from = 0): string[] {
  return notifications(c, from).flatMap((n) =>
    n.notify.notification === 'event' && n.notify.event.eventName === 'Push!' && n.notify.event.objPath === profile ? [n.notify.event.params?.Data ?? ''] : [],
  );
}

async function waitForPushes(c: TestController, profile: string, count: number, from = 0, timeoutMs = 8000): Promise<string[]> {
  return waitForNotification(
    c,
    () => {
      const p = pushes(c, profile, from);
      return p.length >= count ? p : undefined;
    },
    timeoutMs,
  );
}

/** A Profile (disabled) with these parameter rows; its path. */
async function profile(c: TestController, settings: Record<string, string>, rows: Array<Record<string, string>>): Promise<string> {
  const p = await add(c, 'Device.BulkData.Profile.', { Protocol: 'USPEventNotif', EncodingType: 'JSON', ReportingInterval: '1', ...settings });
  for (const r of rows) await add(c, `${p}Parameter.`, r);
  return p;
}

describe('Device.BulkData over USPEventNotif', () => {
  it('states its capabilities: HTTP, MQTT and USPEventNotif, JSON and CSV, wildcards, documented maxima', async () => {
    const c = f.controller;
    expect(await get(c, 'Device.BulkData.Protocols')).toBe('HTTP,MQTT,USPEventNotif');
    expect(await get(c, 'Device.BulkData.EncodingTypes')).toBe('JSON,CSV');
    expect(await get(c, 'Device.BulkData.ParameterWildCardSupported')).toBe('true');
    expect(await get(c, 'Device.BulkData.MinReportingInterval')).toBe('1');
    expect(Number(await get(c, 'Device.BulkData.MaxNumberOfProfiles'))).toBeGreaterThan(5);
    expect(Number(await get(c, 'Device.BulkData.MaxNumberOfParameterReferences'))).toBeGreaterThanOrEqual(1024);
    expect(await get(c, 'Device.BulkData.Status')).toBe('Enabled');
  });

  it('TP-469 10.10: a subscribed Controller receives two Push! within 2 × ReportingInterval + 10 s, parsable, with UpTime; Controller is set by the agent', async () => {
    const c = f.controller;
    const p = await profile(c, { ReportingInterval: '1' }, [{ Name: 'UpTime', Reference: 'Device.DeviceInfo.UpTime' }]);
    expect(await get(c, `${p}Controller`)).toBe('Device.LocalAgent.Controller.1');
    await subscribePush(c, 'bulk-10-10', `${p}Push!`);
    const from = notifications(c).length;
    await set(c, p, { Enable: 'true' });
    const [first, second] = await waitForPushes(c, p, 2, from, 12_000);
    for (const data of [first, second]) {
      // The one parameter, named as the case's Parameter row says.
      const doc = JSON.parse(data) as { Report: Array<Record<string, unknown>> };
      expect(doc.Report).toHaveLength(1);
      expect(Object.keys(doc.Report[0]).sort()).toEqual(['CollectionTime', 'UpTime']);
      expect(typeof doc.Report[0].UpTime).toBe('number');
      expect(typeof doc.Report[0].CollectionTime).toBe('number');
    }
    await set(c, p, { Enable: 'false' });
  });

  it('TimeReference sets the phase: reports complete at TimeReference + k × ReportingInterval', async () => {
    const c = f.controller;
    // Odd seconds: a reference 1 s after an even epoch second, interval 2 s.
    const p = await profile(c, { ReportingInterval: '2', TimeReference: '2020-01-01T00:00:01Z' }, [{ Reference: 'Device.DeviceInfo.UpTime' }]);
    await subscribePush(c, 'bulk-phase', `${p}Push!`);
    const from = notifications(c).length;
    await set(c, p, { Enable: 'true' });
    const got = await waitForPushes(c, p, 2, from, 10_000);
    await set(c, p, { Enable: 'false' });
    const times = got.map((d) => (JSON.parse(d) as { Report: Array<{ CollectionTime: number }> }).Report[0].CollectionTime);
    for (const t of times) expect(t % 2).toBe(1);
    expect(times[1] - times[0]).toBe(2);
  });

  it('NameValuePair with ISO-8601 timestamps, wildcards and Name substitution, Exclude, and ForceCollection() outside the schedule', async () => {
    const c = f.controller;
    const p = await profile(c, { ReportingInterval: '86400' }, [
      { Reference: 'Device.DeviceInfo.UpTime', Name: 'Up' },
      { Reference: 'Device.LocalAgent.Controller.*.EndpointID', Name: 'Ctl' },
      { Reference: 'Device.LocalAgent.Controller.*.EndpointID', Name: 'Ctl' },
      { Reference: 'Device.DeviceInfo.', Name: 'Info' },
      { Reference: 'Device.DeviceInfo.UpTime', Exclude: 'true' },
      { Reference: 'Device.IP.Interface.999.Name' },
    ]);
    await set(c, `${p}JSONEncoding.`, { ReportFormat: 'NameValuePair', ReportTimestamp: 'ISO-8601' });
    await subscribePush(c, 'bulk-nvp', `${p}Push!`);
    const from = notifications(c).length;
    // ForceCollection() works whatever Enable says (TR-181).
    expect(await operate(c, `${p}ForceCollection()`)).toEqual({ ok: true, value: true });
    const [data] = await waitForPushes(c, p, 1, from);
    const report = (JSON.parse(data) as { Report: Array<Record<string, unknown>> }).Report[0];
    expect(report.CollectionTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // Exclude removes UpTime whichever row named it; wildcard names keep the instance number.
    expect(report).not.toHaveProperty('Up');
    expect(report).not.toHaveProperty('Info.UpTime');
    expect(report['Ctl.1']).toBe(CONTROLLER_EID);
    expect(report['Ctl.2']).toBe('proto::controller-2');
    expect(typeof report['Info.SerialNumber']).toBe('string');
    // A reference to an instance that does not exist collects nothing.
    expect(Object.keys(report).some((k) => k.includes('Interface.999'))).toBe(false);
  });

  it('CSV ParameterPerRow with a custom field separator and row separator written as character references', async () => {
    const c = f.controller;
    const p = await profile(c, { EncodingType: 'CSV', ReportingInterval: '86400' }, [{ Reference: 'Device.LocalAgent.Controller.1.EndpointID', Name: 'eid' }]);
    await set(c, `${p}CSVEncoding.`, { ReportFormat: 'ParameterPerRow', FieldSeparator: ';', RowSeparator: '&#10;', RowTimestamp: 'None' });
    await subscribePush(c, 'bulk-csv', `${p}Push!`);
    const from = notifications(c).length;
    await operate(c, `${p}ForceCollection()`);
    const [data] = await waitForPushes(c, p, 1, from);
    expect(data).toBe(`ParameterName;ParameterValue;ParameterType\neid;${CONTROLLER_EID};string\n`);
  });

  it("Push! goes only to the Profile's Controller, even when another Controller subscribes to it", async () => {
    const c = f.controller;
    const other = await TestController.connect(f.url, 'proto::controller-2', 'proto::agent-under-test');
    try {
      const p = await profile(c, { ReportingInterval: '86400' }, [{ Reference: 'Device.DeviceInfo.UpTime' }]);
      await subscribePush(c, 'bulk-own', `${p}Push!`);
      await subscribePush(other, 'bulk-other', `${p}Push!`);
      const from = notifications(c).length;
      await operate(c, `${p}ForceCollection()`);
      await waitForPushes(c, p, 1, from);
      // The owner's Push! was sent after the other's would have been (same event, one pass): none came.
      const more = await add(c, 'Device.BulkData.Profile.', { Protocol: 'USPEventNotif', EncodingType: 'JSON' });
      expect(more).toMatch(/^Device\.BulkData\.Profile\.\d+\.$/);
      expect(pushes(other, p)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it("a Profile collects with its Controller's permissions: what that Controller may not read is not in its report", async () => {
    const limited = await TestController.connect(f.url, 'proto::controller-3', 'proto::agent-under-test');
    try {
      const rows = [{ Reference: 'Device.DeviceInfo.', Name: 'Info' }];
      const mine = await profile(limited, { ReportingInterval: '86400' }, rows);
      expect(await get(f.controller, `${mine}Controller`)).toBe('Device.LocalAgent.Controller.3');
      const theirs = await profile(f.controller, { ReportingInterval: '86400' }, rows);
      for (const [c, p, id] of [
        [limited, mine, 'lim'],
        [f.controller, theirs, 'full'],
      ] as const) {
        await set(c, `${p}JSONEncoding.`, { ReportFormat: 'NameValuePair' });
        await subscribePush(c, `bulk-acl-${id}`, `${p}Push!`);
        expect((await operate(c, `${p}ForceCollection()`)).ok).toBe(true);
      }
      const [limitedData] = await waitForPushes(limited, mine, 1);
      const [fullData] = await waitForPushes(f.controller, theirs, 1);
      const limitedReport = (JSON.parse(limitedData) as { Report: Array<Record<string, unknown>> }).Report[0];
      const fullReport = (JSON.parse(fullData) as { Report: Array<Record<string, unknown>> }).Report[0];
      expect(typeof fullReport['Info.SerialNumber']).toBe('string');
      expect(limitedReport).not.toHaveProperty('Info.SerialNumber');
      expect(limitedReport['Info.Manufacturer']).toBe(fullReport['Info.Manufacturer']);
    } finally {
      await limited.close();
    }
  });

  it('Enable false, then deleting the Profile, stops its reports (another Profile at 1 s is the clock)', async () => {
    const c = f.controller;
    const p = await profile(c, { ReportingInterval: '1', Enable: 'true' }, [{ Reference: 'Device.DeviceInfo.UpTime' }]);
    const clock = await profile(c, { ReportingInterval: '1', Enable: 'true' }, [{ Reference: 'Device.DeviceInfo.UpTime' }]);
    await subscribePush(c, 'bulk-stop', 'Device.BulkData.Profile.*.Push!');
    await waitForPushes(c, p, 1, 0);
    const ticks = async (): Promise<void> => {
      const n = pushes(c, clock).length;
      await waitForPushes(c, clock, n + 2);
    };
    await set(c, p, { Enable: 'false' });
    // A report already on its way when the Set was answered may still arrive: count after one tick.
    await ticks();
    const whileDisabled = pushes(c, p).length;
    await ticks();
    expect(pushes(c, p).length).toBe(whileDisabled);
    await set(c, p, { Enable: 'true' });
    await waitForPushes(c, p, whileDisabled + 1);
    const del = await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [p] } });
    expect(del.body.msgBody).toBe('response');
    await ticks();
    const afterDelete = pushes(c, p).length;
    await ticks();
    expect(pushes(c, p).length).toBe(afterDelete);
    expect((await operate(c, `${p}ForceCollection()`)).ok).toBe(false);
    await set(c, clock, { Enable: 'false' });
  });
});

describe('Device.BulkData and the Controller table', () => {
  it('deleting the Controller row deletes the Profiles it created (Profile.{i}.Controller is a strong reference)', async () => {
    const c = f.controller;
    const row = await add(c, 'Device.LocalAgent.Controller.', { EndpointID: 'proto::controller-4', Enable: 'true', AssignedRole: 'Device.LocalAgent.ControllerTrust.Role.1' });
    const fourth = await TestController.connect(f.url, 'proto::controller-4', 'proto::agent-under-test');
    let p: string;
    try {
      p = await add(fourth, 'Device.BulkData.Profile.', { Protocol: 'USPEventNotif', EncodingType: 'JSON' });
      expect(await get(c, `${p}Controller`)).toBe(row.slice(0, -1));
    } finally {
      await fourth.close();
    }
    const kept = await add(c, 'Device.BulkData.Profile.', { Protocol: 'USPEventNotif', EncodingType: 'JSON' });
    const del = await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [row] } });
    expect(del.body.msgBody).toBe('response');
    const m = await c.send({ reqType: 'get', get: { paramPaths: [`${p}Enable`], maxDepth: 0 } });
    expect(m.body.msgBody === 'response' && m.body.response.respType === 'getResp' ? m.body.response.getResp.reqPathResults[0].errCode : 0).toBe(7026);
    expect(await get(c, `${kept}Controller`)).toBe('Device.LocalAgent.Controller.1');
  });
});

describe('Device.BulkData across a restart', () => {
  it('Profiles persist; one restored with an interval below a raised MinReportingInterval reports at the minimum', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'usp-agent-bulk-restart-'));
    let g = await startAgent({ dataDir, extra: { 'Device.BulkData.Enable': true }, agent: { bulkData: { minReportingInterval: 1 } } });
    try {
      const p = await profile(g.controller, { ReportingInterval: '1', Enable: 'true' }, [{ Reference: 'Device.DeviceInfo.UpTime' }]);
      const port = g.port;
      await g.close();
      g = await startAgent({ port, dataDir, agent: { bulkData: { minReportingInterval: 2 } } });
      expect(await get(g.controller, `${p}ReportingInterval`)).toBe('1');
      await subscribePush(g.controller, 'bulk-restart', `${p}Push!`);
      const got = await waitForPushes(g.controller, p, 3, 0, 15_000);
      const times = got.map((d) => (JSON.parse(d) as { Report: Array<{ CollectionTime: number }> }).Report[0].CollectionTime);
      // Every 2 s, not every 1 s: three reports span 4 s (3 to 5 with the collection's rounding to
      // whole seconds), where 1 s would give 2; and never one report time twice (a timer that fired
      // a few ms early by the wall clock used to report that time again).
      expect(times[2] - times[0]).toBeGreaterThanOrEqual(3);
      expect(new Set(times).size).toBe(times.length);
    } finally {
      await g.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('Device.BulkData on platform none', () => {
  it('is served and reports with no platform behind it', async () => {
    const g = await startAgent({ platform: 'none', extra: { 'Device.BulkData.Enable': true }, agent: { bulkData: { minReportingInterval: 1 } } });
    try {
      const p = await profile(g.controller, { ReportingInterval: '86400' }, [{ Reference: 'Device.LocalAgent.EndpointID', Name: 'eid' }]);
      await set(g.controller, `${p}JSONEncoding.`, { ReportFormat: 'NameValuePair', ReportTimestamp: 'None' });
      await subscribePush(g.controller, 'bulk-none', `${p}Push!`);
      expect((await operate(g.controller, `${p}ForceCollection()`)).ok).toBe(true);
      const [data] = await waitForPushes(g.controller, p, 1);
      expect(JSON.parse(data)).toEqual({ Report: [{ eid: 'proto::agent-under-test' }] });
    } finally {
      await g.close();
    }
  });
});

describe('Device.BulkData from the factory-defaults file', () => {
  it('the README example: a Profile with no Controller, collected with full access, Push! to any subscriber, wildcard object renamed', async () => {
    const g = await startAgent({
      extra: {
        'Device.BulkData.Enable': true,
        'Device.BulkData.Profile.1.Enable': true,
        'Device.BulkData.Profile.1.Protocol': 'USPEventNotif',
        'Device.BulkData.Profile.1.EncodingType': 'JSON',
        'Device.BulkData.Profile.1.ReportingInterval': 300,
        'Device.BulkData.Profile.1.JSONEncoding.ReportFormat': 'NameValuePair',
        'Device.BulkData.Profile.1.Parameter.1.Reference': 'Device.DeviceInfo.UpTime',
        'Device.BulkData.Profile.1.Parameter.2.Reference': 'Device.Ethernet.Interface.*.Stats.',
        'Device.BulkData.Profile.1.Parameter.2.Name': 'Eth',
      },
      agent: { bulkData: { minReportingInterval: 1 } },
    });
    try {
      const p = 'Device.BulkData.Profile.1.';
      expect(await get(g.controller, `${p}Controller`)).toBe('');
      await subscribePush(g.controller, 'bulk-defaults', `${p}Push!`);
      expect((await operate(g.controller, `${p}ForceCollection()`)).ok).toBe(true);
      const [data] = await waitForPushes(g.controller, p, 1);
      const report = (JSON.parse(data) as { Report: Array<Record<string, unknown>> }).Report[0];
      expect(typeof report['Device.DeviceInfo.UpTime']).toBe('number');
      expect(typeof report['Eth.1.BytesSent']).toBe('number');
      expect(typeof report['Eth.2.BytesSent']).toBe('number');
    } finally {
      await g.close();
    }
  });
});

describe('Device.BulkData bad input', () => {
  it('refuses a ReportingInterval below MinReportingInterval (60 s by default) with 7012, at Add and at Set', async () => {
    const plain = await startAgent({ extra: { 'Device.BulkData.Enable': true } });
    try {
      const c = plain.controller;
      expect(await get(c, 'Device.BulkData.MinReportingInterval')).toBe('60');
      const atAdd = await tryAdd(c, 'Device.BulkData.Profile.', { Protocol: 'USPEventNotif', EncodingType: 'JSON', ReportingInterval: '30' });
      expect(atAdd).toMatchObject({ ok: false });
      expect([atAdd.ok ? 0 : atAdd.errCode, atAdd.ok ? 0 : atAdd.paramErrCode]).toContain(7012);
      const p = await add(c, 'Device.BulkData.Profile.', { Protocol: 'USPEventNotif', EncodingType: 'JSON', ReportingInterval: '60' });
      const atSet = await trySet(c, p, { ReportingInterval: '59' });
      expect(atSet).toMatchObject({ ok: false });
      expect([atSet.ok ? 0 : atSet.errCode, atSet.ok ? 0 : atSet.paramErrCode]).toContain(7012);
      expect(await get(c, `${p}ReportingInterval`)).toBe('60');
    } finally {
      await plain.close();
    }
  });

  it('refuses References that are not paths (7008) or not in the supported model (7026); accepts unknown instances', async () => {
    const c = f.controller;
    const p = await add(c, 'Device.BulkData.Profile.', { Protocol: 'USPEventNotif', EncodingType: 'JSON' });
    const syntax = await tryAdd(c, `${p}Parameter.`, { Reference: 'Device..DeviceInfo' });
    expect(syntax).toMatchObject({ ok: false });
    expect([syntax.ok ? 0 : syntax.errCode, syntax.ok ? 0 : syntax.paramErrCode]).toContain(7008);
    const unknown = await tryAdd(c, `${p}Parameter.`, { Reference: 'Device.NoSuchObject.Foo' });
    expect([unknown.ok ? 0 : unknown.errCode, unknown.ok ? 0 : unknown.paramErrCode]).toContain(7026);
    const command = await tryAdd(c, `${p}Parameter.`, { Reference: 'Device.Reboot()' });
    expect(command.ok).toBe(false);
    expect((await tryAdd(c, `${p}Parameter.`, { Reference: 'Device.LocalAgent.Controller.4242.EndpointID' })).ok).toBe(true);
    expect((await tryAdd(c, `${p}Parameter.`, { Reference: 'Device.LocalAgent.Controller.[Enable==true].' })).ok).toBe(true);
  });

  it('refuses an unsupported Protocol or EncodingType, an HTTP URL with another scheme, and an MQTT.Reference that is no client row', async () => {
    const c = f.controller;
    expect((await tryAdd(c, 'Device.BulkData.Profile.', { Protocol: 'IPDR' })).ok).toBe(false);
    expect((await tryAdd(c, 'Device.BulkData.Profile.', { EncodingType: 'XML' })).ok).toBe(false);
    const p = await add(c, 'Device.BulkData.Profile.', {});
    const ftp = await trySet(c, `${p}HTTP.`, { URL: 'ftp://collector.example/bulk' });
    expect(ftp).toMatchObject({ ok: false });
    expect((await trySet(c, `${p}HTTP.`, { URL: 'https://collector.example/bulk' })).ok).toBe(true);
    expect((await trySet(c, `${p}MQTT.`, { Reference: 'Device.IP.Interface.1' })).ok).toBe(false);
  });

  it('bad encodings: EncodingType outside EncodingTypes, and JSONEncoding/CSVEncoding values outside their enumerations, are refused', async () => {
    const c = f.controller;
    const p = await add(c, 'Device.BulkData.Profile.', { Protocol: 'USPEventNotif', EncodingType: 'JSON' });
    expect((await trySet(c, p, { EncodingType: 'XML' })).ok).toBe(false);
    expect((await trySet(c, `${p}JSONEncoding.`, { ReportFormat: 'Tabular' })).ok).toBe(false);
    expect((await trySet(c, `${p}JSONEncoding.`, { ReportTimestamp: 'Local' })).ok).toBe(false);
    expect((await trySet(c, `${p}CSVEncoding.`, { ReportFormat: 'ParameterPerCell' })).ok).toBe(false);
    expect((await trySet(c, `${p}CSVEncoding.`, { RowTimestamp: 'RFC-2822' })).ok).toBe(false);
    expect(await get(c, `${p}EncodingType`)).toBe('JSON');
    expect(await get(c, `${p}JSONEncoding.ReportFormat`)).toBe('ObjectHierarchy');
  });

  it('10,000 parameter references: one Profile takes 1,024 rows, then Add fails with 7005', async () => {
    const c = f.controller;
    const p = await add(c, 'Device.BulkData.Profile.', { Protocol: 'USPEventNotif', EncodingType: 'JSON' });
    // The agent takes at most 1,024 paths per request (request-limits.ts): twenty Adds of 500 rows (two paths each).
    const results: import('../../agent/codec/types.js').CreatedObjectResult[] = [];
    for (let i = 0; i < 20; i++) {
      const createObjs = Array.from({ length: 500 }, () => ({ objPath: `${p}Parameter.`, paramSettings: [{ param: 'Reference', value: 'Device.DeviceInfo.UpTime', required: true }] }));
      const m = await c.send({ reqType: 'add', add: { allowPartial: true, createObjs } }, 60_000);
      if (m.body.msgBody !== 'response' || m.body.response.respType !== 'addResp') throw new Error(JSON.stringify(m.body).slice(0, 300));
      results.push(...m.body.response.addResp.createdObjResults);
    }
    const ok = results.filter((r) => r.operStatus.operStatus === 'operSuccess').length;
    expect(ok).toBe(1024);
    const failure = results.find((r) => r.operStatus.operStatus === 'operFailure')!.operStatus;
    expect(failure).toMatchObject({ operStatus: 'operFailure', operFailure: { errCode: 7005 } });
    expect(await get(c, `${p}ParameterNumberOfEntries`)).toBe('1024');
  });

  it('the profile limit: Add beyond MaxNumberOfProfiles fails with 7005', async () => {
    const c = f.controller;
    const max = Number(await get(c, 'Device.BulkData.MaxNumberOfProfiles'));
    let last: Awaited<ReturnType<typeof tryAdd>> | undefined;
    for (let i = 0; i <= max; i++) {
      last = await tryAdd(c, 'Device.BulkData.Profile.', {});
      if (!last.ok) break;
    }
    expect(last).toMatchObject({ ok: false, errCode: 7005 });
    expect(Number(await get(c, 'Device.BulkData.ProfileNumberOfEntries'))).toBe(max);
  });
});
