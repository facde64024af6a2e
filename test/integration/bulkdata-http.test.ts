/**
 * Device.BulkData over HTTP end to end: a controller over a real WebSocket makes a Profile, the
 * agent's own HTTP(S) channel (wired by the composition root) posts to a real collector on
 * loopback, a failed report is retained and goes with the next one, and with PersistAcrossReboot
 * it survives an agent restart on the same data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, get, operate, set } from '../peers/controller-steps.js';
import { startHttpCollector, type HttpCollector } from '../peers/http-collector.js';

const dataDir = mkdtempSync(join(tmpdir(), 'usp-agent-bulk-collector-'));
let f: AgentFixture | undefined;
let collector: HttpCollector;
beforeAll(async () => {
  collector = await startHttpCollector();
});
afterAll(async () => {
  await f?.close();
  await collector.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The UpTime values of one NameValuePair body, in report order. */
const upTimes = (body: string): number[] => (JSON.parse(body) as { Report: Array<Record<string, unknown>> }).Report.map((r) => Number(r['Device.DeviceInfo.UpTime']));

describe('Device.BulkData over HTTP to a real collector', () => {
  let profile = '';

  it('posts a JSON report with the R-BULK.1 query and the BBF-Report-Format header', async () => {
    f = await startAgent({ dataDir, extra: { 'Device.BulkData.Enable': true }, agent: { bulkData: { minReportingInterval: 1 } } });
    const c = f.controller;
    profile = await add(c, 'Device.BulkData.Profile.', { Protocol: 'HTTP', EncodingType: 'JSON', ReportingInterval: '3600', NumberOfRetainedFailedReports: '4' });
    await set(c, `${profile}JSONEncoding.`, { ReportFormat: 'NameValuePair', ReportTimestamp: 'None' });
    await add(c, `${profile}Parameter.`, { Reference: 'Device.DeviceInfo.UpTime' });
    await set(c, `${profile}HTTP.`, { URL: collector.url('/bulk?site=7'), RetryEnable: 'false' });
    await set(c, profile, { Enable: 'true' });
    expect((await operate(c, `${profile}ForceCollection()`)).ok).toBe(true);
    const [req] = await collector.waitForRequests(1);
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(req.headers['bbf-report-format']).toBe('"NameValuePair"');
    const query = new URL(req.url, 'http://x').searchParams;
    expect(query.get('site')).toBe('7');
    expect(query.get('oui')).toBe(await get(c, 'Device.DeviceInfo.ManufacturerOUI'));
    expect(query.get('pc')).toBe(await get(c, 'Device.DeviceInfo.ProductClass'));
    expect(query.get('sn')).toBe(await get(c, 'Device.DeviceInfo.SerialNumber'));
    expect(upTimes(req.body)).toHaveLength(1);
  });

  it('retains a report the collector refused (500) and sends it with the next one', async () => {
    const c = f!.controller;
    collector.plan({ status: 500 });
    expect((await operate(c, `${profile}ForceCollection()`)).ok).toBe(true);
    await collector.waitForRequests(2);
    expect((await operate(c, `${profile}ForceCollection()`)).ok).toBe(true);
    const reqs = await collector.waitForRequests(3);
    const both = upTimes(reqs[2].body);
    expect(both).toHaveLength(2);
    expect(both[0]).toBe(upTimes(reqs[1].body)[0]);
  });

  it('with PersistAcrossReboot, a refused report survives an agent restart and goes with the first report after it', async () => {
    await set(f!.controller, `${profile}HTTP.`, { PersistAcrossReboot: 'true' });
    collector.plan({ status: 503 });
    expect((await operate(f!.controller, `${profile}ForceCollection()`)).ok).toBe(true);
    const refused = (await collector.waitForRequests(4))[3];
    const port = f!.port;
    await f!.close();
    f = await startAgent({ port, dataDir, agent: { bulkData: { minReportingInterval: 1 } } });
    expect((await operate(f.controller, `${profile}ForceCollection()`)).ok).toBe(true);
    const after = (await collector.waitForRequests(5))[4];
    const values = upTimes(after.body);
    expect(values).toHaveLength(2);
    expect(values[0]).toBe(upTimes(refused.body)[0]);
  });
});
