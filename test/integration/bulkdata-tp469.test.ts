/**
 * TP-469 section 10 (Bulk Data Collection), case by case, against the real agent in-process: a
 * TestController over loopback WebSocket makes the Profile exactly as the case's procedure says
 * (Add Profile, Add Parameter, Set Device.BulkData.Enable and Profile.Enable), and a real HTTP(S)
 * collector on loopback receives the transfers. MinReportingInterval is shortened to 1 s through
 * AgentOptions.bulkData.minReportingInterval, so "max(60, MinReportingInterval)" becomes 1 s and
 * the case's wait of (ReportingInterval × 2) + 10 s becomes 12 s.
 *
 * Where each case is tested:
 * - 10.1  HTTP and JSON ........................ here
 * - 10.2  HTTPS and JSON ....................... here (collector certificate signed by the agent's --ca)
 * - 10.3  HTTP and CSV ......................... here
 * - 10.4  HTTPS and CSV ........................ here
 * - 10.5  HTTP with URI Parameters ............. here
 * - 10.6  HTTPS with URI Parameters ............ here
 * - 10.7  retry mechanism over HTTP ............ here (RetryMinimumWaitInterval 1 s instead of 5 s)
 * - 10.8  HTTP with wildcard parameter ......... here
 * - 10.9  HTTP with Object Path ................ here
 * - 10.10 Push! event .......................... test/integration/bulkdata.test.ts ("TP-469 10.10: ...")
 * - 10.11 Push! event with Wildcard path ....... here
 * - 10.12 Push! event with Object path ......... here
 * - 10.13 over MQTT ............................ test/integration/bulkdata-mqtt.test.ts ("TP-469 10.13: ..."),
 *   which has the Mosquitto broker and the agent's Device.MQTT.Client.1 the case needs.
 *
 * Who receives Push! (10.10-10.12): TR-181 Device.BulkData.Profile.{i}.Controller says only the
 * Controller that created the Profile, and only through a Subscription of its own, even when
 * another Controller subscribes; bulkdata.test.ts checks that other Controller gets nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { notifications, waitForNotification, type TestController } from '../peers/TestController.js';
import { add, get, operate, set } from '../peers/controller-steps.js';
import { startHttpCollector, type CollectedRequest, type HttpCollector } from '../peers/http-collector.js';
import { testPki } from '../peers/test-pki.js';

/** "max(60, Device.BulkData.MinReportingInterval)" with MinReportingInterval shortened to 1 s. */
const REPORTING_INTERVAL = 1;
/** The case's wait: (ReportingInterval × 2) + 10 seconds. */
const CASE_WAIT_MS = (REPORTING_INTERVAL * 2 + 10) * 1000;
/** Three retries of 10.7 at RetryMinimumWaitInterval 1 s and multiplier 2000 end within 2 + 4 + 8 s. */
const RETRIES_WAIT_MS = 20_000;

let f: AgentFixture;
let http: HttpCollector;
let https: HttpCollector;

beforeAll(async () => {
  http = await startHttpCollector();
  https = await startHttpCollector({ tls: true });
  f = await startAgent({
    extra: {
      // 10.8 and 10.11: "at least 2 BootParameters configured for the test controller".
      'Device.LocalAgent.Controller.1.BootParameter.1.Enable': true,
      'Device.LocalAgent.Controller.1.BootParameter.1.ParameterName': 'Device.DeviceInfo.SoftwareVersion',
      'Device.LocalAgent.Controller.1.BootParameter.2.Enable': false,
      'Device.LocalAgent.Controller.1.BootParameter.2.ParameterName': 'Device.DeviceInfo.HardwareVersion',
    },
    // The HTTPS collector's certificate is signed by the test CA, given as the operator's --ca.
    agent: { bulkData: { minReportingInterval: 1 }, tls: { ca: testPki().ca.certFile } },
  });
});
afterAll(async () => {
  await f?.close();
  await http?.close();
  await https?.close();
});

/** Steps 1-5 of the HTTP cases: Add the Profile, Add its Parameter rows, Set both Enables. */
async function httpProfile(settings: Record<string, string>, rows: Array<Record<string, string>>, uriParams: Array<Record<string, string>> = []): Promise<string> {
  const c = f.controller;
  const p = await add(c, 'Device.BulkData.Profile.', { Protocol: 'HTTP', ReportingInterval: String(REPORTING_INTERVAL), ...settings });
  for (const r of rows) await add(c, `${p}Parameter.`, r);
  for (const u of uriParams) await add(c, `${p}HTTP.RequestURIParameter.`, u);
  await set(c, 'Device.BulkData.', { Enable: 'true' });
  await set(c, p, { Enable: 'true' });
  return p;
}

/** Steps 1-6 of the Push! cases: the Profile, its Parameter row, a Subscription to its Push!, both Enables. */
async function pushProfile(row: Record<string, string>, id: string): Promise<string> {
  const c = f.controller;
  const p = await add(c, 'Device.BulkData.Profile.', { Protocol: 'USPEventNotif', EncodingType: 'JSON', ReportingInterval: String(REPORTING_INTERVAL) });
  await add(c, `${p}Parameter.`, row);
  await add(c, 'Device.LocalAgent.Subscription.', { ID: id, NotifType: 'Event', ReferenceList: `${p}Push!`, Enable: 'true' });
  await set(c, 'Device.BulkData.', { Enable: 'true' });
  await set(c, p, { Enable: 'true' });
  return p;
}

/** The first `count` requests the collector got for `path` after `from`, waiting up to the case's limit. */
async function transfers(collector: HttpCollector, path: string, from: number, count: number, waitMs = CASE_WAIT_MS): Promise<CollectedRequest[]> {
  const mine = (): CollectedRequest[] => collector.requests.slice(from).filter((r) => r.url.startsWith(`${path}?`) || r.url === path);
  for (let total = from + count; mine().length < count; total++) await collector.waitForRequests(total, waitMs);
  return mine().slice(0, count);
}

/** Push! Data of `profile` received by `c` after notification `from`. */
async function pushes(c: TestController, profile: string, from: number, count: number): Promise<string[]> {
  return waitForNotification(
    c,
    () => {
      const got = notifications(c, from).flatMap((n) =>
        n.notify.notification === 'event' && n.notify.event.eventName === 'Push!' && n.notify.event.objPath === profile ? [n.notify.event.params?.Data ?? ''] : [],
      );
      return got.length >= count ? got : undefined;
    },
    CASE_WAIT_MS,
  );
}

/**
 * The parameter names of each report in a JSON body (either ReportFormat): ObjectHierarchy
 * objects are flattened back to dotted names, CollectionTime is left out.
 */
function jsonNames(body: string): string[][] {
  const doc = JSON.parse(body) as { Report: Array<Record<string, unknown>> };
  expect(Array.isArray(doc.Report)).toBe(true);
  const flat = (v: unknown, prefix: string, out: string[]): string[] => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) flat(x, prefix === '' ? k : `${prefix}.${k}`, out);
    else out.push(prefix);
    return out;
  };
  return doc.Report.map((r) => flat(r, '', []).filter((n) => n !== 'CollectionTime'));
}

/** The parameter names of a CSV body (the Profile's default ParameterPerColumn: a header row, then values). */
function csvNames(body: string): string[] {
  const rows = body.split('\r\n').filter((r) => r !== '');
  expect(rows.length).toBeGreaterThanOrEqual(2);
  const header = rows[0].split(',');
  for (const r of rows.slice(1)) expect(r.split(',')).toHaveLength(header.length);
  return header.filter((h) => h !== 'ReportTimestamp');
}

/** Test metric "Manufacturer OUI, Product Class and Serial Number ... encoded as URI parameters" (R-BULK.1). */
async function expectIdentity(req: CollectedRequest): Promise<URLSearchParams> {
  const c = f.controller;
  const q = new URL(req.url, 'http://collector').searchParams;
  expect(q.get('oui')).toBe(await get(c, 'Device.DeviceInfo.ManufacturerOUI'));
  expect(q.get('pc')).toBe(await get(c, 'Device.DeviceInfo.ProductClass'));
  expect(q.get('sn')).toBe(await get(c, 'Device.DeviceInfo.SerialNumber'));
  return q;
}

/** Every parameter path under `objPath` a Get returns, relative to it. */
async function paramsUnder(objPath: string): Promise<string[]> {
  const m = await f.controller.send({ reqType: 'get', get: { paramPaths: [objPath], maxDepth: 0 } });
  if (m.body.msgBody !== 'response' || m.body.response.respType !== 'getResp') throw new Error(JSON.stringify(m.body));
  return m.body.response.getResp.reqPathResults.flatMap((r) => r.resolvedPathResults ?? []).flatMap((r) => Object.keys(r.resultParams).map((k) => `${r.resolvedPath}${k}`.slice(objPath.length)));
}

describe('TP-469 section 10: Bulk Data over HTTP(S)', () => {
  const cases = [
    { id: '10.1', collector: () => http, encoding: 'JSON' },
    { id: '10.2', collector: () => https, encoding: 'JSON' },
    { id: '10.3', collector: () => http, encoding: 'CSV' },
    { id: '10.4', collector: () => https, encoding: 'CSV' },
  ] as const;
  for (const k of cases) {
    it(`TP-469 ${k.id}: ${k.encoding} over ${k.id === '10.2' || k.id === '10.4' ? 'HTTPS' : 'HTTP'}: 2 transfers within 2 × ReportingInterval + 10 s, parsable, one parameter named UpTime, oui/pc/sn in the URI`, async () => {
      const collector = k.collector();
      const path = `/tp469-${k.id}`;
      const from = collector.requests.length;
      const p = await httpProfile({ EncodingType: k.encoding, 'HTTP.URL': collector.url(path) }, [{ Name: 'UpTime', Reference: 'Device.DeviceInfo.UpTime' }]);
      const got = await transfers(collector, path, from, 2);
      await set(f.controller, p, { Enable: 'false' });
      for (const req of got) {
        if (k.encoding === 'JSON') {
          expect(req.headers['content-type']).toMatch(/^application\/json; charset=/);
          for (const names of jsonNames(req.body)) expect(names).toEqual(['UpTime']);
        } else {
          expect(req.headers['content-type']).toMatch(/^text\/csv; charset=/);
          expect(csvNames(req.body)).toEqual(['UpTime']);
        }
        await expectIdentity(req);
      }
    });
  }

  for (const id of ['10.5', '10.6'] as const) {
    it(`TP-469 ${id}: over ${id === '10.5' ? 'HTTP' : 'HTTPS'} with a RequestURIParameter: the agent's UpTime in the URI as UpTime, beside oui/pc/sn`, async () => {
      const collector = id === '10.5' ? http : https;
      const path = `/tp469-${id}`;
      const from = collector.requests.length;
      const p = await httpProfile(
        { EncodingType: 'JSON', 'HTTP.URL': collector.url(path) },
        [{ Name: 'UpTime', Reference: 'Device.DeviceInfo.UpTime' }],
        [{ Name: 'UpTime', Reference: 'Device.LocalAgent.UpTime' }],
      );
      const got = await transfers(collector, path, from, 2);
      await set(f.controller, p, { Enable: 'false' });
      for (const req of got) {
        const q = await expectIdentity(req);
        expect(q.get('UpTime')).toMatch(/^[0-9]+$/);
      }
    });
  }

  it('TP-469 10.7: retries while the collector is down (RetryMinimumWaitInterval 1 s, multiplier 2000), each retry no earlier than its window, none after the success; oui/pc/sn every time', async () => {
    const c = f.controller;
    const path = '/tp469-10.7';
    const from = http.requests.length;
    // ReportingInterval long enough that no scheduled report cuts the retries short; the
    // attempt of step 6 is made at once with ForceCollection().
    const p = await httpProfile(
      { EncodingType: 'JSON', ReportingInterval: '3600', 'HTTP.URL': http.url(path), 'HTTP.RetryEnable': 'true', 'HTTP.RetryMinimumWaitInterval': '1', 'HTTP.RetryIntervalMultiplier': '2000' },
      [{ Name: 'UpTime', Reference: 'Device.DeviceInfo.UpTime' }],
    );
    // Step 5, "disable the endpoint": the first attempt and two retries get 503; step 8 enables it again.
    http.plan({ status: 503 }, { status: 503 }, { status: 503 });
    expect((await operate(c, `${p}ForceCollection()`)).ok).toBe(true);
    // Retry n comes after a random wait in [1, 2] x 2^(n-1) s: the three may take up to 14 s.
    const attempts = await transfers(http, path, from, 4, RETRIES_WAIT_MS);
    const times = attempts.map((r) => r.receivedAt);
    // Retry n waits at least RetryMinimumWaitInterval × (multiplier/1000)^(n-1): 1, 2, 4 s.
    [1, 2, 4].forEach((minS, i) => {
      expect(times[i + 1] - times[i]).toBeGreaterThanOrEqual(minS * 1000 - 50);
    });
    for (const a of attempts) {
      await expectIdentity(a);
      expect(jsonNames(a.body)).toEqual([['UpTime']]);
    }
    // No retry after the positive answer: the next transfer is the next report, alone.
    expect((await operate(c, `${p}ForceCollection()`)).ok).toBe(true);
    const next = (await transfers(http, path, from, 5))[4];
    expect(jsonNames(next.body)).toEqual([['UpTime']]);
    expect(JSON.parse(next.body)).not.toEqual(JSON.parse(attempts[3].body));
    await set(c, p, { Enable: 'false' });
  }, 40_000);

  it('TP-469 10.8: a wildcard reference Device.LocalAgent.Controller.*.BootParameter.*.Enable named Enabled gives at least two Enabled.<i>.<j>', async () => {
    const path = '/tp469-10.8';
    const from = http.requests.length;
    const p = await httpProfile({ EncodingType: 'JSON', 'HTTP.URL': http.url(path) }, [{ Name: 'Enabled', Reference: 'Device.LocalAgent.Controller.*.BootParameter.*.Enable' }]);
    const got = await transfers(http, path, from, 2);
    await set(f.controller, p, { Enable: 'false' });
    for (const req of got) {
      await expectIdentity(req);
      for (const names of jsonNames(req.body)) {
        expect(names.length).toBeGreaterThanOrEqual(2);
        for (const n of names) expect(n).toMatch(/^Enabled\.[1-9][0-9]*\.[1-9][0-9]*$/);
      }
    }
  });

  it('TP-469 10.9: an object reference Device.LocalAgent.Controller.1. named TestController gives TestController.<parameter>, every parameter of the object', async () => {
    const path = '/tp469-10.9';
    const from = http.requests.length;
    const p = await httpProfile({ EncodingType: 'JSON', 'HTTP.URL': http.url(path) }, [{ Name: 'TestController', Reference: 'Device.LocalAgent.Controller.1.' }]);
    const got = await transfers(http, path, from, 2);
    await set(f.controller, p, { Enable: 'false' });
    const expected = (await paramsUnder('Device.LocalAgent.Controller.1.')).map((n) => `TestController.${n}`).sort();
    expect(expected.length).toBeGreaterThan(5);
    for (const req of got) {
      await expectIdentity(req);
      for (const names of jsonNames(req.body)) expect([...names].sort()).toEqual(expected);
    }
  });
});

describe('TP-469 section 10: Bulk Data over the Push! event', () => {
  it('TP-469 10.11: Push! with the wildcard Device.LocalAgent.Controller.*.BootParameter.*.Enable named Enabled: 2 events, parsable, Enabled.<i>.<j> for each BootParameter', async () => {
    const c = f.controller;
    const from = notifications(c).length;
    const p = await pushProfile({ Name: 'Enabled', Reference: 'Device.LocalAgent.Controller.*.BootParameter.*.Enable' }, 'tp469-10.11');
    const got = await pushes(c, p, from, 2);
    await set(c, p, { Enable: 'false' });
    for (const data of got.slice(0, 2)) {
      for (const names of jsonNames(data)) {
        expect(names.length).toBeGreaterThanOrEqual(2);
        for (const n of names) expect(n).toMatch(/^Enabled\.[1-9][0-9]*\.[1-9][0-9]*$/);
      }
    }
  });

  it('TP-469 10.12: Push! with the object path Device.LocalAgent.Controller. named Controller: 2 events, parsable, every name prefixed Controller', async () => {
    const c = f.controller;
    const from = notifications(c).length;
    const p = await pushProfile({ Name: 'Controller', Reference: 'Device.LocalAgent.Controller.' }, 'tp469-10.12');
    const got = await pushes(c, p, from, 2);
    await set(c, p, { Enable: 'false' });
    for (const data of got.slice(0, 2)) {
      for (const names of jsonNames(data)) {
        expect(names.length).toBeGreaterThan(5);
        for (const n of names) expect(n).toMatch(/^Controller\.[1-9][0-9]*\./);
      }
    }
  });
});
