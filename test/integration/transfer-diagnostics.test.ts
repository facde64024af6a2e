/**
 * DownloadDiagnostics() and UploadDiagnostics() end to end (TR-181 Device.IP.Diagnostics., TR-143
 * §4): a real agent on the simulated gateway asked by a WebSocket controller, against a real HTTP
 * server on loopback. OperationComplete carries the output arguments; byte counts are checked
 * against what the server's sockets saw, timestamps for their TR-143 order.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotifyReq, StringMap } from '../../agent/codec/types.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { startHttpTestServer, type HttpTestServer } from '../peers/http-test-server.js';
import { cmdFailureCode, operateOne } from '../peers/operate.js';
import { asResponse, waitForNotification, type notifications, type TestController } from '../peers/TestController.js';

const DIAG = 'Device.IP.Diagnostics.';
const ISO_MICROS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

let f: AgentFixture;
let c: TestController;
let http: HttpTestServer;
let refusedPort: number;

beforeAll(async () => {
  http = await startHttpTestServer();
  // A port nothing listens on: bind one, note it, close it.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  refusedPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  f = await startAgent({ agent: { transferDiagnostics: { stallMs: 500 } } });
  c = f.controller;
  await subscribe(c, { ID: 'diag-oc', NotifType: 'OperationComplete', ReferenceList: DIAG });
});
afterAll(async () => {
  await f?.close();
  await http?.close();
});

async function subscribe(ctl: TestController, params: Record<string, string>): Promise<void> {
  const r = asResponse(
    await ctl.send({
      reqType: 'add',
      add: {
        allowPartial: false,
        createObjs: [{ objPath: 'Device.LocalAgent.Subscription.', paramSettings: Object.entries({ Enable: 'true', ...params }).map(([param, value]) => ({ param, value, required: true })) }],
      },
    }),
  );
  if (r.respType !== 'addResp' || r.addResp.createdObjResults[0].operStatus.operStatus !== 'operSuccess') throw new Error(JSON.stringify(r));
}

type OperComplete = Extract<NotifyReq, { notification: 'operComplete' }>['operComplete'];
const operComplete = (key: string) => (ns: ReturnType<typeof notifications>) => {
  const n = ns.find((x) => x.notify.notification === 'operComplete' && x.notify.operComplete.commandKey === key)?.notify;
  return n?.notification === 'operComplete' ? n.operComplete : undefined;
};

/** Runs the command and returns its OperationComplete output arguments (throws on a cmd_failure). */
async function run(command: string, input: StringMap, key: string, timeoutMs = 10_000): Promise<StringMap> {
  const res = await operateOne(c, `${DIAG}${command}`, input, key);
  expect(res.operationResp).toBe('reqObjPath');
  const oc = await waitForNotification(c, operComplete(key), timeoutMs);
  if (oc.operationResp !== 'reqOutputArgs') throw new Error(`expected output arguments, got ${JSON.stringify(oc)}`);
  return oc.reqOutputArgs.outputArgs;
}

/** The OperationComplete cmd_failure code of a command that started. */
async function failureOf(command: string, input: StringMap, key: string): Promise<number | undefined> {
  await operateOne(c, `${DIAG}${command}`, input, key);
  const oc: OperComplete = await waitForNotification(c, operComplete(key), 5000);
  return oc.operationResp === 'cmdFailure' ? oc.cmdFailure.errCode : undefined;
}

const t = (s: string): number => {
  expect(s).toMatch(ISO_MICROS);
  return Date.parse(s) * 1000 + Number(s.slice(23, 26));
};

describe('DownloadDiagnostics()', () => {
  it('one connection: Complete, TR-143 timestamps in order, TestBytesReceived is what the server sent', async () => {
    const out = await run('DownloadDiagnostics()', { DownloadURL: http.url('/bytes/200000') }, 'dl-1');
    const [seen] = await http.waitFor('/bytes/200000');
    expect(out.Status).toBe('Complete');
    expect(out.IPAddressUsed).toBe('127.0.0.1');
    expect(t(out.TCPOpenRequestTime)).toBeLessThanOrEqual(t(out.TCPOpenResponseTime));
    expect(t(out.TCPOpenResponseTime)).toBeLessThanOrEqual(t(out.ROMTime));
    expect(t(out.ROMTime)).toBeLessThanOrEqual(t(out.BOMTime));
    expect(t(out.BOMTime)).toBeLessThanOrEqual(t(out.EOMTime));
    expect(Number(out.TestBytesReceived)).toBe(seen.socketBytesWritten);
    expect(Number(out.TestBytesReceived)).toBeGreaterThan(200000);
    expect(Number(out.TotalBytesSent)).toBe(seen.socketBytesRead);
    expect(out).not.toHaveProperty('PerConnectionResult.1.ROMTime');
  });

  it('several connections with per-connection results; the totals fold them as TR-181 says', async () => {
    const out = await run('DownloadDiagnostics()', { DownloadURL: http.url('/bytes/100000'), NumberOfConnections: '3', EnablePerConnectionResults: 'true' }, 'dl-3');
    const seen = await http.waitFor('/bytes/100000', 3);
    expect(out.Status).toBe('Complete');
    const per = [1, 2, 3].map((i) => ({
      rom: t(out[`PerConnectionResult.${i}.ROMTime`]),
      bom: t(out[`PerConnectionResult.${i}.BOMTime`]),
      eom: t(out[`PerConnectionResult.${i}.EOMTime`]),
      bytes: Number(out[`PerConnectionResult.${i}.TestBytesReceived`]),
    }));
    expect(out).not.toHaveProperty('PerConnectionResult.4.ROMTime');
    for (const p of per) expect(p.rom <= p.bom && p.bom <= p.eom).toBe(true);
    expect(t(out.ROMTime)).toBe(Math.min(...per.map((p) => p.rom)));
    expect(t(out.BOMTime)).toBe(Math.min(...per.map((p) => p.bom)));
    expect(t(out.EOMTime)).toBe(Math.max(...per.map((p) => p.eom)));
    expect(Number(out.TestBytesReceived)).toBe(per.reduce((a, p) => a + p.bytes, 0));
    expect(per.map((p) => p.bytes).sort()).toEqual(seen.map((s) => s.socketBytesWritten).sort());
  });

  it('time-based with incremental results: intervals from BOMTime, bytes adding up', async () => {
    const out = await run('DownloadDiagnostics()', { DownloadURL: http.url('/endless'), TimeBasedTestDuration: '2', TimeBasedTestMeasurementInterval: '1' }, 'dl-time', 15_000);
    expect(out.Status).toBe('Complete');
    // A 2 s test with 1 s intervals has two results, the second ending with the test.
    expect(out['IncrementalResult.2.TestBytesReceived']).toBeDefined();
    expect(out).not.toHaveProperty('IncrementalResult.3.StartTime');
    expect(t(out['IncrementalResult.2.StartTime'])).toBe(t(out['IncrementalResult.1.EndTime']));
    const first = t(out['IncrementalResult.1.StartTime']);
    expect(first).toBeGreaterThanOrEqual(t(out.BOMTime));
    expect(t(out['IncrementalResult.1.EndTime'])).toBeGreaterThan(first);
    expect(Number(out['IncrementalResult.1.TestBytesReceived'])).toBeGreaterThan(0);
    expect(Number(out['IncrementalResult.1.TestBytesReceived'])).toBeLessThanOrEqual(Number(out.TestBytesReceived));
  });

  it('TimeBasedTestMeasurementOffset: the first interval starts that many seconds after BOMTime', async () => {
    const out = await run(
      'DownloadDiagnostics()',
      { DownloadURL: http.url('/endless/offset'), TimeBasedTestDuration: '2', TimeBasedTestMeasurementInterval: '1', TimeBasedTestMeasurementOffset: '1' },
      'dl-offset',
      15_000,
    );
    expect(out.Status).toBe('Complete');
    expect(t(out['IncrementalResult.1.StartTime']) - t(out.BOMTime)).toBeGreaterThanOrEqual(1_000_000);
    expect(out).not.toHaveProperty('IncrementalResult.2.StartTime');
  });

  it.each([
    ['unknown host', () => 'http://no-such-host.invalid/x', 'Error_CannotResolveHostName'],
    ['refused port', () => `http://127.0.0.1:${refusedPort}/x`, 'Error_InitConnectionFailed'],
    ['404', () => http.url('/missing'), 'Error_TransferFailed'],
    ['a body that stalls', () => http.url('/stall/50000'), 'Error_Timeout'],
    ['a body shorter than its Content-Length', () => http.url('/short/100000'), 'Error_IncorrectSize'],
    ['a server that never answers', () => http.url('/silent'), 'Error_NoResponse'],
    ['a server that asks for credentials', () => http.url('/auth'), 'Error_LoginFailed'],
  ])('%s: a completed command with a failure Status', async (name, url, status) => {
    const out = await run('DownloadDiagnostics()', { DownloadURL: url() }, `dl-fail-${name}`);
    expect(out.Status).toBe(status);
  });
});

describe('UploadDiagnostics()', () => {
  it('TestFileLength bytes reach the server; TestBytesSent is what its socket read', async () => {
    const out = await run('UploadDiagnostics()', { UploadURL: http.url('/upload'), TestFileLength: '300000' }, 'ul-1');
    const [seen] = await http.waitFor('/upload');
    expect(out.Status).toBe('Complete');
    expect(seen.bodyBytes).toBe(300000);
    expect(Number(out.TestBytesSent)).toBe(seen.socketBytesRead);
    expect(t(out.TCPOpenResponseTime)).toBeLessThanOrEqual(t(out.ROMTime));
    expect(t(out.ROMTime)).toBeLessThanOrEqual(t(out.BOMTime));
    expect(t(out.BOMTime)).toBeLessThanOrEqual(t(out.EOMTime));
  });

  it('time-based over two connections, with per-connection results', async () => {
    const before = http.seen.filter((s) => s.path === '/upload').length;
    const out = await run('UploadDiagnostics()', { UploadURL: http.url('/upload'), TimeBasedTestDuration: '1', NumberOfConnections: '2', EnablePerConnectionResults: 'true' }, 'ul-time', 15_000);
    const seen = (await http.waitFor('/upload', before + 2)).slice(before);
    expect(out.Status).toBe('Complete');
    expect(Number(out.TestBytesSent)).toBe(seen.reduce((a, s) => a + s.socketBytesRead, 0));
    expect(Number(out['PerConnectionResult.1.TestBytesSent']) + Number(out['PerConnectionResult.2.TestBytesSent'])).toBe(Number(out.TestBytesSent));
    for (const s of seen) expect(s.bodyBytes).toBeGreaterThan(0);
  });

  it('a server that stops reading: Error_Timeout, the 50 MB body never held in memory', async () => {
    const out = await run('UploadDiagnostics()', { UploadURL: http.url('/upload-stall'), TestFileLength: '50000000' }, 'ul-stall');
    expect(out.Status).toBe('Error_Timeout');
    expect(Number(out.TestBytesSent)).toBeLessThan(50_000_000);
  });

  it('a server that drops the connection halfway: Error_NoTransferComplete', async () => {
    expect((await run('UploadDiagnostics()', { UploadURL: http.url('/upload-cut'), TestFileLength: '5000000' }, 'ul-cut')).Status).toBe('Error_NoTransferComplete');
  });

  it('404: Error_NoTransferComplete; refused port: Error_InitConnectionFailed', async () => {
    expect((await run('UploadDiagnostics()', { UploadURL: http.url('/nowhere'), TestFileLength: '1000' }, 'ul-404')).Status).toBe('Error_NoTransferComplete');
    expect((await run('UploadDiagnostics()', { UploadURL: `http://127.0.0.1:${refusedPort}/u`, TestFileLength: '1000' }, 'ul-refused')).Status).toBe('Error_InitConnectionFailed');
  });
});

describe('invalid input', () => {
  it('checked by the schema before the command starts: 7027 in the OperateResp', async () => {
    expect(cmdFailureCode(await operateOne(c, `${DIAG}DownloadDiagnostics()`, {}, 'bad-missing'))).toBe(7027);
    expect(cmdFailureCode(await operateOne(c, `${DIAG}DownloadDiagnostics()`, { DownloadURL: http.url('/bytes/1'), DSCP: '64' }, 'bad-dscp'))).toBe(7027);
    expect(cmdFailureCode(await operateOne(c, `${DIAG}UploadDiagnostics()`, { UploadURL: http.url('/upload'), ProtocolVersion: 'IPv5' }, 'bad-pv'))).toBe(7027);
  });

  it('checked by the command: 7027 in OperationComplete, and no transfer', async () => {
    const before = http.seen.length;
    expect(await failureOf('DownloadDiagnostics()', { DownloadURL: 'ftp://127.0.0.1/file' }, 'bad-ftp')).toBe(7027);
    expect(await failureOf('DownloadDiagnostics()', { DownloadURL: 'not a url' }, 'bad-url')).toBe(7027);
    expect(await failureOf('DownloadDiagnostics()', { DownloadURL: http.url('/bytes/1'), NumberOfConnections: '99' }, 'bad-conns')).toBe(7027);
    expect(await failureOf('UploadDiagnostics()', { UploadURL: http.url('/upload'), Interface: 'Device.IP.Interface.99' }, 'bad-if')).toBe(7027);
    expect(http.seen.length).toBe(before);
  });
});

describe('ProtocolVersion', () => {
  it('IPv6 to an IPv6 server; IPv6 asked of an IPv4-only host cannot be resolved as asked', async () => {
    const v6 = await startHttpTestServer('::1');
    try {
      const out = await run('DownloadDiagnostics()', { DownloadURL: v6.url('/bytes/5000'), ProtocolVersion: 'IPv6' }, 'dl-v6');
      const [seen] = await v6.waitFor('/bytes/5000');
      expect(out).toMatchObject({ Status: 'Complete', IPAddressUsed: '::1', TestBytesReceived: String(seen.socketBytesWritten) });
    } finally {
      await v6.close();
    }
    expect((await run('DownloadDiagnostics()', { DownloadURL: http.url('/bytes/10'), ProtocolVersion: 'IPv6' }, 'dl-v4-as-v6')).Status).toBe('Error_CannotResolveHostName');
  });
});

describe('Interface, cancel and the cap on running diagnostics', () => {
  it("Interface names the source address (the simulated gateway's loopback, Device.IP.Interface.3)", async () => {
    const out = await run('DownloadDiagnostics()', { DownloadURL: http.url('/bytes/1000'), Interface: 'Device.IP.Interface.3', ProtocolVersion: 'IPv4' }, 'dl-if');
    expect(out).toMatchObject({ Status: 'Complete', IPAddressUsed: '127.0.0.1' });
  });

  it('a fifth diagnostic while four run fails with 7005; Request.{i}.Cancel() ends a running one with 7023 and frees its slot', async () => {
    const started = await Promise.all(
      [1, 2, 3, 4].map(async (i) => {
        const r = await operateOne(c, `${DIAG}DownloadDiagnostics()`, { DownloadURL: http.url('/endless/cancel'), TimeBasedTestDuration: '60' }, `dl-long-${i}`);
        if (r.operationResp !== 'reqObjPath') throw new Error(JSON.stringify(r));
        return r.reqObjPath;
      }),
    );
    expect(await failureOf('UploadDiagnostics()', { UploadURL: http.url('/upload'), TestFileLength: '10' }, 'ul-no-slot')).toBe(7005);
    for (const req of started) expect(cmdFailureCode(await operateOne(c, `${req}Cancel()`, {}, 'cancel'))).toBeUndefined();
    for (const i of [1, 2, 3, 4]) {
      const oc = await waitForNotification(c, operComplete(`dl-long-${i}`), 5000);
      expect(oc).toMatchObject({ operationResp: 'cmdFailure', cmdFailure: { errCode: 7023 } });
    }
    // The canceled transfers' connections are closed, and the slots are free again.
    await http.waitFor('/endless/cancel', 4);
    expect((await run('UploadDiagnostics()', { UploadURL: http.url('/upload'), TestFileLength: '10' }, 'ul-after-cancel')).Status).toBe('Complete');
  });
});
