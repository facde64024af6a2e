/**
 * The HTTP(S) Bulk Data channel (agent/bulkdata/http-channel.ts) against a real collector on
 * loopback (test/peers/http-collector.ts): TR-369 Annex A headers and bodies, compression,
 * authentication, the Request-URI query, retries, retained reports (in memory and across a
 * re-creation = agent restart), and every way a collector or a setting can fail.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, silentLogger, type Logger } from '../../../../datamodel/Logger.js';
import { createHttpReportChannel, type HttpChannelOptions } from '../../../../agent/bulkdata/http-channel.js';
import type { CollectedReport, HttpTarget, ReportChannel, ReportEncoder } from '../../../../agent/bulkdata/report-contract.js';
import { MAX_RETAINED_REPORTS, retainedReportsFile } from '../../../../agent/bulkdata/retained-reports.js';
import { downloadPolicy } from '../../../../agent/transfer/download-policy.js';
import { startHttpCollector, type HttpCollector } from '../../../peers/http-collector.js';
import { testPki } from '../../../peers/test-pki.js';

/** A tiny JSON NameValuePair encoder: the real encoders belong to the collection half. */
const json: ReportEncoder = (reports) => ({
  body: JSON.stringify({ Report: reports.map((r) => ({ CollectionTime: r.collectedAt.getTime() / 1000, ...Object.fromEntries(r.entries.map((e) => [e.name, e.value])) })) }),
  contentType: 'application/json; charset=UTF-8',
  reportFormat: 'NameValuePair',
});
/** A tiny CSV ParameterPerRow encoder. */
const csv: ReportEncoder = (reports) => ({
  body: [
    'ReportTimestamp,ParameterName,ParameterValue,ParameterType',
    ...reports.flatMap((r) => r.entries.map((e) => `${r.collectedAt.getTime() / 1000},${e.name},${String(e.value)},${e.type}`)),
  ].join('\r\n'),
  contentType: 'text/csv; charset=UTF-8',
  reportFormat: 'ParameterPerRow',
});

let seq = 0;
/** A report whose UpTime value says which one it is. */
function report(n = ++seq): CollectedReport {
  return {
    collectedAt: new Date(1_700_000_000_000 + n * 1000),
    entries: [
      { name: 'Device.DeviceInfo.UpTime', path: 'Device.DeviceInfo.UpTime', value: n, type: 'unsignedInt' },
      { name: 'Device.DeviceInfo.SoftwareVersion', path: 'Device.DeviceInfo.SoftwareVersion', value: 'v1, "quoted"', type: 'string' },
    ],
  };
}
const upTimes = (body: string): number[] => (JSON.parse(body) as { Report: Array<Record<string, number>> }).Report.map((r) => r['Device.DeviceInfo.UpTime']!);

function target(url: string, more: Partial<HttpTarget> = {}): HttpTarget {
  return {
    url,
    username: '',
    password: '',
    method: 'POST',
    compression: 'None',
    useDateHeader: true,
    uriParameters: [],
    retryEnable: false,
    retryMinimumWaitInterval: 1,
    retryIntervalMultiplier: 2000,
    numberOfRetainedFailedReports: 0,
    persistAcrossReboot: false,
    ...more,
  };
}

/** A logger that keeps its lines, to check what a failure logs. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(
    createLogger('debug', 'test', (_l, s) => {
      lines.push(s);
    }),
    { lines },
  );
}

let collector: HttpCollector;
const channels: ReportChannel[] = [];
const dirs: string[] = [];

function channel(t: HttpTarget | (() => HttpTarget), more: Partial<HttpChannelOptions> = {}): ReportChannel {
  const c = createHttpReportChannel({
    target: typeof t === 'function' ? t : () => t,
    encode: json,
    profileKey: 'Profile.1',
    log: silentLogger,
    secondMs: 5,
    requestTimeoutMs: 5000,
    ...more,
  });
  channels.push(c);
  return c;
}
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'usp-bulkdata-http-'));
  dirs.push(d);
  return d;
}

beforeAll(async () => {
  collector = await startHttpCollector();
});
afterAll(async () => {
  await collector.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
afterEach(() => {
  for (const c of channels.splice(0)) c.stop();
  collector.requests.length = 0;
  collector.resetPlan(); // nothing left over from one test reaches the next
});

describe('one report (TR-369 Annex A headers and body)', () => {
  it('POSTs JSON with Content-Type, BBF-Report-Format, Date and Content-Length', async () => {
    const r = report();
    const before = Math.floor(Date.now() / 1000) * 1000;
    expect(await channel(target(collector.url('/bulk'))).deliver(r)).toEqual({ ok: true });
    const [req] = collector.requests;
    expect(req!.method).toBe('POST');
    expect(req!.url).toBe('/bulk');
    expect(req!.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(req!.headers['bbf-report-format']).toBe('"NameValuePair"'); // quoted, as Annex A's example shows
    expect(req!.headers['content-encoding']).toBeUndefined();
    expect(Number(req!.headers['content-length'])).toBe(Buffer.byteLength(req!.body));
    expect(req!.headers.date).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Date.parse(req!.headers.date!)).toBeGreaterThanOrEqual(before);
    expect(req!.headers.authorization).toBeUndefined();
    expect(upTimes(req!.body)).toEqual([r.entries[0]!.value]);
  });

  it('PUTs CSV, without Date when UseDateHeader is false', async () => {
    const r = report();
    expect(await channel(target(collector.url('/csv'), { method: 'PUT', useDateHeader: false }), { encode: csv }).deliver(r)).toEqual({ ok: true });
    const [req] = collector.requests;
    expect(req!.method).toBe('PUT');
    expect(req!.headers['content-type']).toBe('text/csv; charset=UTF-8');
    expect(req!.headers['bbf-report-format']).toBe('"ParameterPerRow"');
    expect(req!.headers.date).toBeUndefined();
    expect(req!.body).toBe(csv([r]).body);
  });

  it.each([
    ['GZIP', 'gzip'],
    ['Deflate', 'deflate'],
  ] as const)('compresses with %s and says so in Content-Encoding', async (compression, encoding) => {
    const r = { ...report(), entries: Array.from({ length: 200 }, (_, i) => ({ name: `Device.X.${i}`, path: `Device.X.${i}`, value: 'same text again', type: 'string' })) };
    expect(await channel(target(collector.url('/z'), { compression })).deliver(r)).toEqual({ ok: true });
    const [req] = collector.requests;
    expect(req!.headers['content-encoding']).toBe(encoding);
    expect(req!.body).toBe(json([r]).body);
    expect(req!.rawLength).toBeLessThan(Buffer.byteLength(req!.body) / 4);
  });
});

describe('authentication (TR-181 HTTP.Username/Password: Basic and Digest)', () => {
  it('sends Basic credentials from Username and Password when a plain-HTTP collector asks for them', async () => {
    collector.plan({ basic: { realm: 'bulk', username: 'acs', password: 'pa:ss é' } });
    expect(await channel(target(collector.url('/a'), { username: 'acs', password: 'pa:ss é' })).deliver(report())).toEqual({ ok: true });
    expect(collector.requests.map((q) => q.headers.authorization)).toEqual([undefined, `Basic ${Buffer.from('acs:pa:ss é').toString('base64')}`]);
  });

  it('takes credentials from the URL userinfo when Username is empty, and never sends the userinfo', async () => {
    const url = collector.url('/a').replace('http://', 'http://user%40x:p%3Aw@');
    collector.plan({ basic: { realm: 'bulk', username: 'user@x', password: 'p:w' } });
    expect(await channel(target(url)).deliver(report())).toEqual({ ok: true });
    expect(collector.requests[1]!.headers.authorization).toBe(`Basic ${Buffer.from('user@x:p:w').toString('base64')}`);
    expect(collector.requests.map((q) => q.url)).toEqual(['/a', '/a']);
    collector.plan({ basic: { realm: 'bulk', username: 'acs', password: 'pw' } });
    expect(await channel(target(url, { username: 'acs', password: 'pw' })).deliver(report())).toEqual({ ok: true });
    expect(collector.requests[3]!.headers.authorization).toBe(`Basic ${Buffer.from('acs:pw').toString('base64')}`);
  });

  it('never puts the password in clear on plain HTTP for a collector that asks for Digest', async () => {
    collector.plan({ digest: { realm: 'bulk', username: 'acs', password: 'secret' } });
    expect(await channel(target(collector.url('/d'), { username: 'acs', password: 'secret' })).deliver(report())).toEqual({ ok: true });
    expect(collector.requests.map((q) => q.headers.authorization ?? '')).not.toContainEqual(expect.stringMatching(/^Basic /));
  });

  it('answers a Digest challenge (401) by sending the report again with Digest credentials', async () => {
    collector.plan({ digest: { realm: 'bulk', username: 'acs', password: 'secret' } });
    const r = report();
    expect(await channel(target(collector.url('/d?x=1'), { username: 'acs', password: 'secret' })).deliver(r)).toEqual({ ok: true });
    expect(collector.requests).toHaveLength(2);
    expect(collector.requests[1]!.headers.authorization).toMatch(/^Digest /);
    expect(upTimes(collector.requests[1]!.body)).toEqual([r.entries[0]!.value]);
  });

  it('fails with the 401 when the Digest answer is refused (wrong password)', async () => {
    collector.plan({ digest: { realm: 'bulk', username: 'acs', password: 'secret' } });
    const out = await channel(target(collector.url('/d'), { username: 'acs', password: 'wrong' })).deliver(report());
    expect(out).toMatchObject({ ok: false, reason: expect.stringMatching(/HTTP 401/) });
    expect(collector.requests).toHaveLength(2);
  });
});

describe('redirects (R-BULK.6)', () => {
  it('follows 307 and 308 with the same method, body and credentials on the same origin', async () => {
    collector.plan({ status: 307, location: '/second?a=1' }, { status: 308, location: collector.url('/third') }, { basic: { realm: 'bulk', username: 'acs', password: 'pw' } });
    const r = report();
    expect(await channel(target(collector.url('/first'), { method: 'PUT', username: 'acs', password: 'pw' })).deliver(r)).toEqual({ ok: true });
    const basic = `Basic ${Buffer.from('acs:pw').toString('base64')}`;
    expect(collector.requests.map((q) => [q.method, q.url, q.headers.authorization, q.body])).toEqual(
      [
        ['/first', undefined],
        ['/second?a=1', undefined],
        ['/third', undefined],
        ['/third', basic],
      ].map(([u, a]) => ['PUT', u, a, json([r]).body]),
    );
  });

  it('re-sends the report on 301 and 302 too, but no credentials to another origin', async () => {
    const other = await startHttpCollector();
    try {
      collector.plan({ status: 301, location: other.url('/moved') });
      other.plan({ basic: { realm: 'elsewhere', username: 'acs', password: 'pw' } });
      expect(await channel(target(collector.url('/old'), { username: 'acs', password: 'pw' })).deliver(report())).toMatchObject({ ok: false, reason: expect.stringMatching(/HTTP 401/) });
      expect(other.requests).toHaveLength(1);
      expect(other.requests[0]!.method).toBe('POST');
      expect(other.requests[0]!.headers.authorization).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('fails on 303, a redirect loop, and a redirect without a usable Location', async () => {
    collector.plan({ status: 303, location: '/elsewhere' });
    expect(await channel(target(collector.url('/x'))).deliver(report())).toMatchObject({ ok: false, reason: expect.stringMatching(/HTTP 303/) });
    collector.plan(...Array.from({ length: 6 }, () => ({ status: 302, location: '/loop' })));
    expect(await channel(target(collector.url('/loop'))).deliver(report())).toMatchObject({ ok: false, reason: expect.stringMatching(/more than 5 redirects/) });
    collector.plan({ status: 307, location: 'ftp://127.0.0.1/x' });
    expect(await channel(target(collector.url('/x'))).deliver(report())).toMatchObject({ ok: false, reason: expect.stringMatching(/scheme ftp: is not supported/) });
  });
});

describe('Request-URI (R-BULK.1 and RequestURIParameter.{i})', () => {
  it('appends oui/pc/sn and the parameters, percent-encoded, after an existing query', async () => {
    const t = target(collector.url('/in?token=a%20b&x='), {
      uriParameters: [
        { name: 'UpTime', value: '42' },
        { name: 'Odd name&=', value: 'a b/c?d=é&' },
      ],
    });
    await channel(t, { identity: () => ({ oui: '00D09E', productClass: 'Gate way', serialNumber: 'SN#1' }) }).deliver(report());
    expect(collector.requests[0]!.url).toBe('/in?token=a%20b&x=&oui=00D09E&pc=Gate%20way&sn=SN%231&UpTime=42&Odd%20name%26%3D=a%20b%2Fc%3Fd%3D%C3%A9%26');
  });
});

describe('retries (HTTP.RetryEnable, RetryMinimumWaitInterval x RetryIntervalMultiplier)', () => {
  it('retries after 500s until the collector takes the report', async () => {
    collector.plan({ status: 500 }, { status: 503 });
    const r = report();
    expect(await channel(target(collector.url('/r'), { retryEnable: true })).deliver(r)).toEqual({ ok: true });
    expect(collector.requests.map((q) => upTimes(q.body))).toEqual([[r.entries[0]!.value], [r.entries[0]!.value], [r.entries[0]!.value]]);
  });

  it('draws one random wait per retry (the TR-369 window, scaled by secondMs)', async () => {
    collector.plan({ status: 500 }, { status: 500 });
    const draws: number[] = [];
    const random = (): number => {
      draws.push(0);
      return 0;
    };
    await channel(target(collector.url('/r'), { retryEnable: true, retryMinimumWaitInterval: 1, retryIntervalMultiplier: 3000 }), { random }).deliver(report());
    expect(draws).toHaveLength(2);
    expect(collector.requests).toHaveLength(3);
  });

  it('keeps retry settings outside the TR-181 ranges within them instead of failing the delivery', async () => {
    collector.plan({ status: 500 });
    const t = target(collector.url('/r'), { retryEnable: true, retryMinimumWaitInterval: 0, retryIntervalMultiplier: 10 });
    expect(await channel(t).deliver(report())).toEqual({ ok: true });
    expect(collector.requests).toHaveLength(2);
  });

  it('does not retry when RetryEnable is false', async () => {
    collector.plan({ status: 500 });
    const out = await channel(target(collector.url('/r'))).deliver(report());
    expect(out).toEqual({ ok: false, reason: expect.stringMatching(/answered HTTP 500/), retained: false });
    expect(collector.requests).toHaveLength(1);
  });

  it('stops retrying when the next report is due (the next deliver), which then carries both', async () => {
    const failing = await startHttpCollector();
    try {
      failing.plan(...Array.from({ length: 1000 }, () => ({ status: 500 })));
      let url = failing.url('/r');
      const c = channel(() => target(url, { retryEnable: true, numberOfRetainedFailedReports: -1 }), { secondMs: 20 });
      const first = report();
      const firstOutcome = c.deliver(first);
      await failing.waitForRequests(2);
      url = collector.url('/r'); // read by the next delivery; the first keeps the settings it started with
      const second = report();
      const secondOutcome = c.deliver(second);
      expect(await firstOutcome).toMatchObject({ ok: false, retained: true });
      expect(await secondOutcome).toEqual({ ok: true });
      expect(collector.requests.map((q) => upTimes(q.body))).toEqual([[first.entries[0]!.value, second.entries[0]!.value]]);
    } finally {
      await failing.close();
    }
  });

  it('stops retrying before nextReportDue', async () => {
    collector.plan({ status: 500 });
    const out = await channel(target(collector.url('/r'), { retryEnable: true, numberOfRetainedFailedReports: 1 }), { secondMs: 1000, nextReportDue: () => Date.now() + 100 }).deliver(report());
    expect(out).toMatchObject({ ok: false, retained: true });
    expect(collector.requests).toHaveLength(1);
  });
});

describe('reports due while a transfer is under way (bounded: one waits, older ones are retained)', () => {
  it('a report waiting behind a slow transfer joins the retained ones when a newer one is due, and is sent with it', async () => {
    let release = (): void => undefined;
    collector.plan({
      status: 200,
      after: new Promise<void>((resolve) => {
        release = resolve;
      }),
    });
    const c = channel(target(collector.url('/slow'), { numberOfRetainedFailedReports: -1 }));
    const [a, b, d] = [report(), report(), report()];
    const first = c.deliver(a);
    await collector.waitForRequests(1);
    const second = c.deliver(b);
    const third = c.deliver(d);
    expect(await second).toMatchObject({ ok: false, retained: true, reason: expect.stringMatching(/newer report/) });
    release();
    expect(await first).toEqual({ ok: true });
    expect(await third).toEqual({ ok: true });
    expect(collector.requests.map((q) => upTimes(q.body))).toEqual([[a.entries[0]!.value], [b, d].map((x) => x.entries[0]!.value)]);
  });

  it('many reports due behind a stalled collector cost one waiting report and the bounded retained queue', async () => {
    collector.plan('stall');
    const dir = dataDir();
    const c = channel(target(collector.url('/stall'), { numberOfRetainedFailedReports: -1, persistAcrossReboot: true }), { requestTimeoutMs: 60_000, dataDir: dir });
    const first = c.deliver(report());
    await collector.waitForRequests(1);
    const reports = Array.from({ length: 100 }, () => report());
    const later = reports.map((r) => c.deliver(r));
    const superseded = await Promise.all(later.slice(0, -1)); // resolved without waiting for the stalled transfer
    expect(superseded.every((o) => !o.ok && /newer report/.test(o.reason))).toBe(true);
    c.stop();
    expect(await first).toMatchObject({ ok: false, reason: expect.stringMatching(/stopped/) });
    expect(await later.at(-1)).toMatchObject({ ok: false, retained: true });
    const kept = JSON.parse(readFileSync(retainedReportsFile(dir, 'Profile.1'), 'utf8')) as { reports: Array<{ entries: Array<{ value: number }> }> };
    expect(kept.reports.map((r) => r.entries[0]!.value)).toEqual(reports.slice(-MAX_RETAINED_REPORTS).map((r) => r.entries[0]!.value));
    expect(collector.requests).toHaveLength(1);
  });
});

describe('retained failed reports (NumberOfRetainedFailedReports)', () => {
  it('sends retained reports before the new one, then forgets them', async () => {
    const c = channel(target(collector.url('/k'), { numberOfRetainedFailedReports: -1 }));
    const [a, b, d] = [report(), report(), report()];
    collector.plan({ status: 500 });
    expect(await c.deliver(a)).toMatchObject({ ok: false, retained: true });
    expect(await c.deliver(b)).toEqual({ ok: true });
    expect(await c.deliver(d)).toEqual({ ok: true });
    expect(collector.requests.map((q) => upTimes(q.body))).toEqual([[a.entries[0]!.value], [a, b].map((x) => x.entries[0]!.value), [d.entries[0]!.value]]);
  });

  it('keeps at most NumberOfRetainedFailedReports, dropping the oldest first', async () => {
    const c = channel(target(collector.url('/k'), { numberOfRetainedFailedReports: 2 }));
    const rs = [report(), report(), report(), report(), report()];
    collector.plan({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    for (const r of rs.slice(0, 4)) await c.deliver(r);
    expect(await c.deliver(rs[4]!)).toEqual({ ok: true });
    expect(upTimes(collector.requests.at(-1)!.body)).toEqual(rs.slice(2).map((r) => r.entries[0]!.value));
  });

  it('keeps none with 0', async () => {
    const c = channel(target(collector.url('/k')));
    collector.plan({ status: 500 });
    expect(await c.deliver(report())).toMatchObject({ ok: false, retained: false });
    const r = report();
    await c.deliver(r);
    expect(upTimes(collector.requests.at(-1)!.body)).toEqual([r.entries[0]!.value]);
  });
});

describe('PersistAcrossReboot (data directory)', () => {
  it('keeps failed reports across a re-created channel (agent restart) and removes the file once sent', async () => {
    const dir = dataDir();
    const t = target(collector.url('/p'), { numberOfRetainedFailedReports: 5, persistAcrossReboot: true });
    const before = channel(t, { dataDir: dir });
    const [a, b] = [report(), report()];
    collector.plan({ status: 500 }, { status: 500 });
    await before.deliver(a);
    await before.deliver(b);
    before.stop();
    const file = retainedReportsFile(dir, 'Profile.1');
    expect(existsSync(file)).toBe(true);
    const after = channel(t, { dataDir: dir });
    const c = report();
    expect(await after.deliver(c)).toEqual({ ok: true });
    expect(upTimes(collector.requests.at(-1)!.body)).toEqual([a, b, c].map((x) => x.entries[0]!.value));
    expect(existsSync(file)).toBe(false);
  });

  it("keeps reports due while the file is still being read, after the file's", async () => {
    const dir = dataDir();
    const t = target(collector.url('/p'), { numberOfRetainedFailedReports: -1, persistAcrossReboot: true });
    const before = channel(t, { dataDir: dir });
    const old = report();
    collector.plan({ status: 500 });
    await before.deliver(old);
    before.stop();
    const after = channel(t, { dataDir: dir });
    const rs = [report(), report(), report()];
    const outcomes = rs.map((r) => after.deliver(r)); // before the file has been read back
    expect(await outcomes[2]).toEqual({ ok: true });
    expect(upTimes(collector.requests.at(-1)!.body)).toEqual([old, ...rs].map((x) => x.entries[0]!.value));
  });

  it('writes no file when PersistAcrossReboot is false; one left from before is sent, then removed', async () => {
    const dir = dataDir();
    const file = retainedReportsFile(dir, 'Profile.1');
    const persisted = channel(target(collector.url('/p'), { numberOfRetainedFailedReports: 5, persistAcrossReboot: true }), { dataDir: dir });
    collector.plan({ status: 500 });
    await persisted.deliver(report());
    persisted.stop();
    expect(existsSync(file)).toBe(true);
    const t = target(collector.url('/p'), { numberOfRetainedFailedReports: 5 });
    const c = channel(t, { dataDir: dir });
    const r = report();
    collector.plan({ status: 500 });
    expect(await c.deliver(r)).toMatchObject({ ok: false, retained: true });
    expect(existsSync(file)).toBe(false);
    await c.deliver(report());
    expect(upTimes(collector.requests.at(-1)!.body)).toHaveLength(3); // the old file's, the in-memory one, the new one
  });

  it('logs and ignores a corrupt file', async () => {
    const dir = dataDir();
    const file = retainedReportsFile(dir, 'Profile.1');
    mkdirSync(join(dir, 'bulkdata'));
    writeFileSync(file, '{"format":"usp-agent/bulkdata-retained-reports","version":1,"reports":[{"collectedAt":"x"');
    const log = recordingLogger();
    const r = report();
    expect(await channel(target(collector.url('/p'), { persistAcrossReboot: true, numberOfRetainedFailedReports: 3 }), { dataDir: dir, log }).deliver(r)).toEqual({ ok: true });
    expect(upTimes(collector.requests[0]!.body)).toEqual([r.entries[0]!.value]);
    expect(log.lines.join('\n')).toMatch(/corrupt/);
  });

  it('keeps reports in memory when the data directory cannot be written', async () => {
    const notADir = join(dataDir(), 'file');
    writeFileSync(notADir, 'x');
    const log = recordingLogger();
    const c = channel(target(collector.url('/p'), { persistAcrossReboot: true, numberOfRetainedFailedReports: 3 }), { dataDir: notADir, log });
    const [a, b] = [report(), report()];
    collector.plan({ status: 500 });
    expect(await c.deliver(a)).toMatchObject({ ok: false, retained: true });
    expect(log.lines.join('\n')).toMatch(/cannot persist retained Bulk Data reports/);
    expect(await c.deliver(b)).toEqual({ ok: true });
    expect(upTimes(collector.requests.at(-1)!.body)).toEqual([a, b].map((x) => x.entries[0]!.value));
  });
});

describe('a collector or a setting that fails costs nothing but retries', () => {
  it('a collector that is down (connection refused)', async () => {
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    const out = await channel(target(`http://127.0.0.1:${port}/x`, { numberOfRetainedFailedReports: 1 })).deliver(report());
    expect(out).toEqual({ ok: false, reason: `connection refused by http://127.0.0.1:${port}`, retained: true });
  });

  it('a collector that stalls (the request deadline)', async () => {
    collector.plan('stall');
    const out = await channel(target(collector.url('/s')), { requestTimeoutMs: 300 }).deliver(report());
    expect(out).toMatchObject({ ok: false, reason: expect.stringMatching(/no answer from .* within 300 ms/) });
  });

  it('a collector that closes in the middle of the request', async () => {
    collector.plan('close');
    const big = { ...report(), entries: Array.from({ length: 5000 }, (_, i) => ({ name: `Device.X.${i}`, path: `Device.X.${i}`, value: `value ${i}`, type: 'string' })) };
    const out = await channel(target(collector.url('/c'))).deliver(big);
    expect(out).toMatchObject({ ok: false, reason: expect.stringMatching(/closed the connection/) });
  });

  it('a collector whose answer never ends: read up to a bound, report delivered', async () => {
    collector.plan('flood');
    expect(await channel(target(collector.url('/f'))).deliver(report())).toEqual({ ok: true });
  });

  it.each([
    ['ftp://127.0.0.1/x', /scheme ftp: is not supported/],
    ['not a url', /is not a URL/],
    ['', /is not a URL/],
  ])('a bad URL (%j) fails without a request', async (url, why) => {
    const out = await channel(target(url, { retryEnable: true, numberOfRetainedFailedReports: 1 })).deliver(report());
    expect(out).toMatchObject({ ok: false, reason: expect.stringMatching(why), retained: true });
    expect(collector.requests).toHaveLength(0);
  });

  it("the download policy refuses the device's own loopback on live platforms", async () => {
    const out = await channel(target(collector.url('/x')), { policy: downloadPolicy(() => true) }).deliver(report());
    expect(out).toMatchObject({ ok: false, reason: expect.stringMatching(/loopback/) });
    expect(collector.requests).toHaveLength(0);
  });

  it('stop() ends a transfer under way and its retries at once', async () => {
    collector.plan('stall');
    const c = channel(target(collector.url('/s'), { retryEnable: true }), { requestTimeoutMs: 60_000 });
    const out = c.deliver(report());
    await collector.waitForRequests(1);
    c.stop();
    expect(await out).toMatchObject({ ok: false, reason: expect.stringMatching(/stopped/) });
    expect(await c.deliver(report())).toMatchObject({ ok: false, reason: expect.stringMatching(/stopped/) });
  });
});

describe('HTTPS', () => {
  let secure: HttpCollector;
  beforeAll(async () => {
    secure = await startHttpCollector({ tls: true });
  });
  afterAll(async () => {
    await secure.close();
  });

  it('delivers to a collector whose certificate chains to the configured CA', async () => {
    expect(await channel(target(secure.url('/tls')), { ca: testPki().ca.cert }).deliver(report())).toEqual({ ok: true });
    expect(secure.requests).toHaveLength(1);
  });

  it('sends Basic credentials with the first request inside TLS', async () => {
    const before = secure.requests.length;
    expect(await channel(target(secure.url('/tls'), { username: 'acs', password: 'pw' }), { ca: testPki().ca.cert }).deliver(report())).toEqual({ ok: true });
    expect(secure.requests.slice(before).map((q) => q.headers.authorization)).toEqual([`Basic ${Buffer.from('acs:pw').toString('base64')}`]);
  });

  it('never follows a redirect from HTTPS to plain HTTP', async () => {
    secure.plan({ status: 308, location: collector.url('/plain') });
    const out = await channel(target(secure.url('/tls')), { ca: testPki().ca.cert }).deliver(report());
    expect(out).toMatchObject({ ok: false, reason: expect.stringMatching(/from HTTPS to plain HTTP is refused/) });
    expect(collector.requests).toHaveLength(0);
  });

  it("refuses a collector Node's CAs do not trust", async () => {
    const before = secure.requests.length;
    const out = await channel(target(secure.url('/tls'))).deliver(report());
    expect(out).toMatchObject({ ok: false, reason: expect.stringMatching(/certificate/i) });
    expect(secure.requests).toHaveLength(before);
  });
});

describe('the persisted file', () => {
  it('holds the collected values, not encoded bodies', async () => {
    const dir = dataDir();
    const c = channel(target(collector.url('/p'), { persistAcrossReboot: true, numberOfRetainedFailedReports: 1 }), { dataDir: dir });
    collector.plan({ status: 500 });
    const r = report();
    await c.deliver(r);
    const doc = JSON.parse(readFileSync(retainedReportsFile(dir, 'Profile.1'), 'utf8')) as { reports: Array<{ collectedAt: string; entries: unknown[] }> };
    expect(doc.reports).toEqual([{ collectedAt: r.collectedAt.toISOString(), entries: r.entries }]);
  });
});
