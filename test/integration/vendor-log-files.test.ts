/**
 * Device.DeviceInfo.VendorLogFile.{i}. and Upload() end to end (TR-181 VendorLogFiles:1): a real
 * agent on the simulated gateway given two log files (`vendorLogFiles`, as --vendor-log-file
 * passes them: one on the disk, one in /dev/shm, a tmpfs) and a file that does not exist, beside
 * the gateway's own simulated syslog; a TestController over WebSocket; a real HTTP server on
 * loopback that keeps what is PUT to it. Persistent is checked against `stat -f`, which reads
 * the filesystem type independently of the agent's mountinfo lookup.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StringMap } from '../../agent/codec/types.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add } from '../peers/controller-steps.js';
import { cmdFailureCode, operateOne } from '../peers/operate.js';
import { asResponse, waitForNotification } from '../peers/TestController.js';

const VLF = 'Device.DeviceInfo.VendorLogFile.';
const creds = { Username: 'ops', Password: 'secret' };

let f: AgentFixture;
let work: string;
let shmDir: string;
let diskLog: string;
let ramLog: string;
let missingLog: string;
let server: http.Server;
let base: string;
const received = new Map<string, Buffer>();

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'usp-vlf-'));
  shmDir = mkdtempSync('/dev/shm/usp-vlf-');
  diskLog = join(work, 'app.log');
  ramLog = join(shmDir, 'ram.log');
  missingLog = join(work, 'not-yet.log');
  writeFileSync(diskLog, 'line one\nline two: the disk log\n');
  writeFileSync(ramLog, 'a RAM log\n');
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'PUT' && req.url !== '/refuse') {
        received.set(req.url ?? '/', Buffer.concat(chunks));
        res.writeHead(201, { 'Content-Length': 0 }).end();
      } else res.writeHead(403, { 'Content-Length': 0 }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  f = await startAgent({ agent: { vendorLogFiles: [diskLog, ramLog, missingLog] } });
  await add(f.controller, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'vlf-oc', NotifType: 'OperationComplete', ReferenceList: VLF });
  await add(f.controller, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'vlf-tc', NotifType: 'Event', ReferenceList: 'Device.LocalAgent.TransferComplete!' });
});
afterAll(async () => {
  await f?.close();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(work, { recursive: true, force: true });
  rmSync(shmDir, { recursive: true, force: true });
});

async function rows(): Promise<Record<string, StringMap>> {
  const r = asResponse(await f.controller.send({ reqType: 'get', get: { paramPaths: [VLF], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  const out: Record<string, StringMap> = {};
  for (const res of r.getResp.reqPathResults[0].resolvedPathResults ?? []) out[res.resolvedPath] = res.resultParams;
  return out;
}

/** Runs Upload() and waits for its OperationComplete and TransferComplete!. */
async function upload(row: number, path: string, key: string): Promise<{ code: number | undefined; transfer: StringMap }> {
  const started = await operateOne(f.controller, `${VLF}${row}.Upload()`, { URL: `${base}${path}`, ...creds }, key);
  expect(started.operationResp, JSON.stringify(started)).toBe('reqObjPath');
  const done = await waitForNotification(f.controller, (ns) => ns.find((n) => n.notify.notification === 'operComplete' && n.notify.operComplete.commandKey === key)?.notify, 20_000);
  const transfer = await waitForNotification(
    f.controller,
    (ns) => ns.find((n) => n.notify.notification === 'event' && n.notify.event.eventName === 'TransferComplete!' && n.notify.event.params?.CommandKey === key)?.notify,
    20_000,
  );
  if (done.notification !== 'operComplete' || transfer.notification !== 'event') throw new Error('unexpected notifications');
  return { code: done.operComplete.operationResp === 'cmdFailure' ? done.operComplete.cmdFailure.errCode : undefined, transfer: transfer.event.params ?? {} };
}

const fsPersistent = (dir: string): boolean => !['tmpfs', 'ramfs'].includes(execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim());

describe('VendorLogFile.{i}', () => {
  it("lists the integrator's files, then the simulated syslog: Name, MaximumSize, Persistent", async () => {
    const r = await rows();
    expect(Object.keys(r)).toEqual([1, 2, 3, 4].map((n) => `${VLF}${n}.`));
    expect(r[`${VLF}1.`]).toEqual({ Alias: 'cpe-1', Name: diskLog, MaximumSize: String(4 * 1024 * 1024), Persistent: String(fsPersistent(work)) });
    expect(r[`${VLF}2.`]).toMatchObject({ Name: ramLog, Persistent: 'false' });
    // A file not there yet still has its row: its directory's filesystem says whether it would survive.
    expect(r[`${VLF}3.`]).toMatchObject({ Name: missingLog, Persistent: String(fsPersistent(work)) });
    expect(r[`${VLF}4.`]).toEqual({ Alias: 'cpe-4', Name: 'syslog', MaximumSize: '65536', Persistent: 'false' });
    const count = asResponse(await f.controller.send({ reqType: 'get', get: { paramPaths: ['Device.DeviceInfo.VendorLogFileNumberOfEntries'], maxDepth: 0 } }));
    if (count.respType !== 'getResp') throw new Error(count.respType);
    expect(count.getResp.reqPathResults[0].resolvedPathResults?.[0].resultParams.VendorLogFileNumberOfEntries).toBe('4');
  });

  it('Upload() PUTs the file as it is on disk; TransferComplete! carries its SHA-256', async () => {
    const r = await upload(1, '/app.log', 'u-disk');
    expect(r.code).toBeUndefined();
    expect(received.get('/app.log')?.toString('utf8')).toBe('line one\nline two: the disk log\n');
    expect(r.transfer).toMatchObject({ FaultCode: '0', TransferType: 'Upload', Affected: `${VLF}1.`, Command: `${VLF}1.Upload()`, CheckSumAlgorithm: 'SHA-256' });
    expect(r.transfer.CheckSum).toBe(createHash('sha256').update('line one\nline two: the disk log\n').digest('hex'));
  });

  it("Upload() of the simulated syslog sends the gateway's log", async () => {
    expect((await upload(4, '/syslog.txt', 'u-sys')).code).toBeUndefined();
    expect(received.get('/syslog.txt')?.toString('utf8')).toMatch(/usp-agent: agent started\n$/);
  });

  it('a file that does not exist: 7022 with the reason in TransferComplete!; the agent still answers', async () => {
    const r = await upload(3, '/missing.log', 'u-missing');
    expect(r.code).toBe(7022);
    expect(r.transfer).toMatchObject({ FaultCode: '7022', TransferType: 'Upload' });
    expect(r.transfer.FaultString).toMatch(/ENOENT/);
    expect(received.has('/missing.log')).toBe(false);
    expect(Object.keys(await rows())).toHaveLength(4);
  });

  it('a server that refuses the PUT: 7022', async () => {
    const r = await upload(2, '/refuse', 'u-403');
    expect(r.code).toBe(7022);
    expect(r.transfer.FaultString).toMatch(/403/);
  });

  it('a URL the agent will not use is 7004 before anything starts; a row that does not exist is refused', async () => {
    expect(cmdFailureCode(await operateOne(f.controller, `${VLF}1.Upload()`, { URL: 'ftp://127.0.0.1/x', ...creds }, 'u-ftp'))).toBe(7004);
    expect(cmdFailureCode(await operateOne(f.controller, `${VLF}1.Upload()`, { URL: 'not a url', ...creds }, 'u-bad'))).toBe(7004);
    const m = await f.controller.send({ reqType: 'operate', operate: { command: `${VLF}9.Upload()`, commandKey: 'u-9', sendResp: true, inputArgs: { URL: `${base}/x`, ...creds } } });
    expect(m.body.msgBody === 'error' && m.body.error.errCode).toBe(7016);
  });
});
