/**
 * The HTTP seam of Device.BulkData (agent/bulkdata/channels.ts): the composition root passes the
 * HTTP(S) channel in (AgentOptions.bulkData.httpChannel). Here a recording channel stands in for
 * it — the collector is not the peer under test, the seam is — to check what the channel is
 * given (the HttpTarget built from Profile.{i}.HTTP. with RequestURIParameter values read when the
 * report is due), and that a delivery still under way holds no collection. The real channel
 * against a real collector is bulkdata-http.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HttpChannelOptions } from '../../agent/bulkdata/channels.js';
import type { CollectedReport, DeliveryOutcome, HttpTarget, ReportChannel } from '../../agent/bulkdata/report-contract.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, get, operate, set } from '../peers/controller-steps.js';

interface Delivery {
  target: HttpTarget;
  body: string;
  contentType: string;
  report: CollectedReport;
}

/** A channel that records what it is asked to send; `hold` keeps deliveries pending until released. */
function recordingFactory(): { factory: (o: HttpChannelOptions) => ReportChannel; deliveries: Delivery[]; hold: () => () => void } {
  const deliveries: Delivery[] = [];
  let gate: Promise<void> | undefined;
  return {
    deliveries,
    hold: () => {
      let open!: () => void;
      gate = new Promise((r) => {
        open = r;
      });
      return () => {
        gate = undefined;
        open();
      };
    },
    factory: (o) => ({
      async deliver(report): Promise<DeliveryOutcome> {
        const target = o.target();
        const e = o.encode([report]);
        await gate;
        deliveries.push({ target, body: e.body, contentType: e.contentType, report });
        return { ok: true };
      },
      stop() {
        /* nothing held */
      },
    }),
  };
}

const dataDir = mkdtempSync(join(tmpdir(), 'usp-agent-bulk-http-'));
let f: AgentFixture | undefined;
afterAll(async () => {
  await f?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Device.BulkData HTTP seam', () => {
  const rec = recordingFactory();
  let profile = '';

  it('with the HTTP channel wired in, HTTP is offered and a report goes to it with the HttpTarget of Profile.{i}.HTTP.', async () => {
    f = await startAgent({ dataDir, extra: { 'Device.BulkData.Enable': true }, agent: { bulkData: { minReportingInterval: 1, httpChannel: rec.factory } } });
    const c = f.controller;
    expect(await get(c, 'Device.BulkData.Protocols')).toBe('HTTP,MQTT,USPEventNotif');
    profile = await add(c, 'Device.BulkData.Profile.', { Protocol: 'HTTP', EncodingType: 'JSON', ReportingInterval: '3600', NumberOfRetainedFailedReports: '3' });
    await add(c, `${profile}Parameter.`, { Reference: 'Device.DeviceInfo.SerialNumber' });
    await set(c, `${profile}HTTP.`, {
      URL: 'https://collector.example:8443/bulk',
      Username: 'cpe',
      Password: 'secret',
      Method: 'PUT',
      Compression: 'GZIP',
      UseDateHeader: 'false',
      RetryEnable: 'true',
    });
    await add(c, `${profile}HTTP.RequestURIParameter.`, { Name: 'sn', Reference: 'Device.DeviceInfo.SerialNumber' });
    await add(c, `${profile}HTTP.RequestURIParameter.`, { Reference: 'Device.DeviceInfo.ManufacturerOUI' });
    expect((await operate(c, `${profile}ForceCollection()`)).ok).toBe(true);
    expect(rec.deliveries).toHaveLength(1);
    const serial = await get(c, 'Device.DeviceInfo.SerialNumber');
    const oui = await get(c, 'Device.DeviceInfo.ManufacturerOUI');
    expect(rec.deliveries[0].target).toEqual({
      url: 'https://collector.example:8443/bulk',
      username: 'cpe',
      password: 'secret',
      method: 'PUT',
      compression: 'GZIP',
      useDateHeader: false,
      uriParameters: [
        { name: 'sn', value: serial },
        { name: 'Device.DeviceInfo.ManufacturerOUI', value: oui },
      ],
      retryEnable: true,
      retryMinimumWaitInterval: 5,
      retryIntervalMultiplier: 2000,
      numberOfRetainedFailedReports: 3,
      persistAcrossReboot: false,
    });
    expect(rec.deliveries[0].contentType).toBe('application/json; charset=UTF-8');
    expect(JSON.parse(rec.deliveries[0].body)).toMatchObject({ Report: [{ Device: { DeviceInfo: { SerialNumber: serial } } }] });
    // The Password is secured: it reads as "" (TR-181), though the channel got it.
    expect(await get(c, `${profile}HTTP.Password`)).toBe('');
  });

  it('a delivery that waits holds neither ForceCollection() nor the next collection: both reports reach the channel', async () => {
    const c = f!.controller;
    const release = rec.hold();
    // Both answer once their report is handed over, although the channel has not finished the first.
    expect((await operate(c, `${profile}ForceCollection()`)).ok).toBe(true);
    expect((await operate(c, `${profile}ForceCollection()`)).ok).toBe(true);
    expect(rec.deliveries).toHaveLength(1);
    release();
    await expect.poll(() => rec.deliveries.length).toBe(3);
  });
});
