/**
 * Device.DeviceInfo.VendorConfigFile.{i}.Backup() and Restore() end to end (TR-181 DeviceInfo,
 * USP async commands with OperationComplete and Device.LocalAgent.TransferComplete!): a real
 * agent on the simulated gateway, a TestController over a real WebSocket, and a real HTTP file
 * server on loopback that takes the upload and serves it back, answers 404, and serves a corrupt
 * file and one naming a parameter the agent does not have. A refused file changes nothing; a
 * good one is applied by the restart, in place of the configuration saved since the backup.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StringMap } from '../../agent/codec/types.js';
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';
import { stageRestore } from '../../agent/defaults/staged-restore.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, get, set } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { cmdFailureCode, operateOne } from '../peers/operate.js';
import { notifications, waitForNotification } from '../peers/TestController.js';

const VCF = 'Device.DeviceInfo.VendorConfigFile.';
const NAME = 'Device.DeviceInfo.FriendlyName';

/** A file server: PUT stores a body under its path, GET serves what is stored (or 404). */
async function startFileServer(): Promise<{ url(path: string): string; files: Map<string, Buffer>; close(): Promise<void> }> {
  const files = new Map<string, Buffer>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      if (req.method === 'PUT' && !path.startsWith('/missing')) {
        files.set(path, Buffer.concat(chunks));
        res.writeHead(201, { 'Content-Length': 0 }).end();
        return;
      }
      const body = req.method === 'GET' ? files.get(path) : undefined;
      if (body === undefined) res.writeHead(404, { 'Content-Length': 9 }).end('not found');
      else res.writeHead(200, { 'Content-Length': body.length, 'Content-Type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    files,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('VendorConfigFile Backup() and Restore()', () => {
  let f: AgentFixture;
  let server: Awaited<ReturnType<typeof startFileServer>>;
  let dataDir: string;
  beforeAll(async () => {
    server = await startFileServer();
    dataDir = mkdtempSync(join(tmpdir(), 'usp-agent-vcf-'));
    f = await startAgent({ dataDir });
    await add(f.controller, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'vcf-oc', NotifType: 'OperationComplete', ReferenceList: VCF });
    await add(f.controller, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'vcf-tc', NotifType: 'Event', ReferenceList: 'Device.LocalAgent.TransferComplete!' });
  });
  afterAll(async () => {
    await f?.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Runs an async command and waits for its OperationComplete and TransferComplete!: the failure code (undefined on success) and the event's arguments. */
  const run = async (command: string, args: StringMap, key: string): Promise<{ code: number | undefined; transfer: StringMap }> => {
    const started = await operateOne(f.controller, command, args, key);
    expect(started.operationResp, JSON.stringify(started)).toBe('reqObjPath');
    const done = await waitForNotification(f.controller, (ns) => ns.find((n) => n.notify.notification === 'operComplete' && n.notify.operComplete.commandKey === key)?.notify, 10_000);
    const transfer = await waitForNotification(
      f.controller,
      (ns) => ns.find((n) => n.notify.notification === 'event' && n.notify.event.eventName === 'TransferComplete!' && n.notify.event.params?.CommandKey === key)?.notify,
      10_000,
    );
    if (done.notification !== 'operComplete' || transfer.notification !== 'event') throw new Error('unexpected notifications');
    // OperationComplete comes first, then TransferComplete!.
    const order = notifications(f.controller).findIndex((n) => n.notify === done) < notifications(f.controller).findIndex((n) => n.notify === transfer);
    expect(order).toBe(true);
    const code = done.operComplete.operationResp === 'cmdFailure' ? done.operComplete.cmdFailure.errCode : undefined;
    return { code, transfer: transfer.event.params ?? {} };
  };
  const creds = { Username: 'ops', Password: 'secret' };

  it('Backup() uploads the saved configuration in the factory-defaults format; a 404 fails it with 7022', { timeout: 30_000 }, async () => {
    await set(f.controller, 'Device.DeviceInfo.', { FriendlyName: 'before-backup' });
    await add(f.controller, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'kept', NotifType: 'ValueChange', ReferenceList: NAME, Persistent: 'true' });
    const ok = await run(`${VCF}2.Backup()`, { URL: server.url('/backup.json'), ...creds }, 'b-ok');
    expect(ok.code).toBeUndefined();
    expect(ok.transfer).toMatchObject({ FaultCode: '0', TransferType: 'Upload', Affected: `${VCF}2.`, Command: `${VCF}2.Backup()`, CheckSumAlgorithm: 'SHA-256' });
    const body = server.files.get('/backup.json')!;
    expect(ok.transfer.CheckSum).toBe(createHash('sha256').update(body).digest('hex'));
    const doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    expect(doc[NAME]).toBe('before-backup');
    expect(doc['Device.LocalAgent.EndpointID']).toBeTruthy();

    const missing = await run(`${VCF}2.Backup()`, { URL: server.url('/missing/backup.json'), ...creds }, 'b-404');
    expect(missing.code).toBe(7022);
    expect(missing.transfer).toMatchObject({ FaultCode: '7022', TransferType: 'Upload' });
    expect(missing.transfer.FaultString).toMatch(/404/);
  });

  it('Restore() refuses a 404, a corrupt file, an unknown parameter and a wrong checksum with 7022, and nothing changes', { timeout: 60_000 }, async () => {
    await set(f.controller, 'Device.DeviceInfo.', { FriendlyName: 'after-backup' });
    await add(f.controller, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'added-later', NotifType: 'ValueChange', ReferenceList: NAME, Persistent: 'true' });
    server.files.set('/corrupt.json', Buffer.from('{"Device.DeviceInfo.FriendlyName": "cut sh'));
    server.files.set('/unknown.json', Buffer.from(JSON.stringify({ 'Device.LocalAgent.EndpointID': 'proto::x', 'Device.DeviceInfo.NoSuchThing': 'x' })));
    const good = server.files.get('/backup.json')!;
    const cases: Array<[string, StringMap, RegExp]> = [
      ['r-404', { URL: server.url('/nothing-here.json') }, /404/],
      ['r-corrupt', { URL: server.url('/corrupt.json') }, /not JSON/],
      ['r-unknown', { URL: server.url('/unknown.json') }, /Device\.DeviceInfo\.NoSuchThing/],
      ['r-sum', { URL: server.url('/backup.json'), CheckSumAlgorithm: 'SHA-256', CheckSum: createHash('sha256').update('other').digest('hex') }, /checksum mismatch/],
    ];
    for (const [key, args, why] of cases) {
      const r = await run(`${VCF}2.Restore()`, { ...creds, ...args }, key);
      expect(r.code, key).toBe(7022);
      expect(r.transfer, key).toMatchObject({ FaultCode: '7022', TransferType: 'Download' });
      expect(r.transfer.FaultString, key).toMatch(why);
    }
    // Refused before any transfer: the factory-defaults file, and a CheckSum without its algorithm.
    expect(cmdFailureCode(await operateOne(f.controller, `${VCF}1.Restore()`, { URL: server.url('/backup.json'), ...creds }, 'r-factory'))).toBe(7022);
    expect(cmdFailureCode(await operateOne(f.controller, `${VCF}2.Restore()`, { URL: server.url('/backup.json'), CheckSum: 'ab', ...creds }, 'r-alg'))).toBe(7027);
    expect(await get(f.controller, NAME)).toBe('after-backup');
    expect(server.files.get('/backup.json')).toBe(good);
  });

  it('Restore() of the backup restarts the agent, which comes back with the configuration it backed up', { timeout: 60_000 }, async () => {
    const sum = createHash('sha256').update(server.files.get('/backup.json')!).digest('hex');
    const r = await run(`${VCF}2.Restore()`, { URL: server.url('/backup.json'), CheckSumAlgorithm: 'SHA-256', CheckSum: sum, ...creds }, 'r-ok');
    expect(r.code).toBeUndefined();
    expect(r.transfer).toMatchObject({ FaultCode: '0', TransferType: 'Download', CheckSum: sum });
    expect(await f.agent.stopped).toMatchObject({ kind: 'restart', cause: 'RemoteReboot', commandKey: 'r-ok' });
    await f.close();
    f = await startAgent({ dataDir, port: f.port });
    expect(await get(f.controller, NAME)).toBe('before-backup');
    // The restored configuration replaces the saved one: the persistent Subscription the backup
    // held is back, the one added after it is gone (non-persistent ones end with every restart).
    const ids = Object.values(await getObjects(f.controller, ['Device.LocalAgent.Subscription.*.ID'])).map((v) => v.ID);
    expect(ids).toEqual(['kept']);
  });

  it('a restored configuration that the next start refuses leaves the previous one in place', { timeout: 60_000 }, async () => {
    await set(f.controller, 'Device.DeviceInfo.', { FriendlyName: 'current' });
    await f.close();
    // Passes every check Restore() makes, but a read-only value the device provides differs:
    // the start's transaction refuses it, as it would refuse such factory defaults.
    const doc = JSON.parse(server.files.get('/backup.json')!.toString('utf8')) as DefaultsFile;
    await stageRestore(dataDir, { ...doc, 'Device.DeviceInfo.SerialNumber': 'NOT-THIS-DEVICE' });
    f = await startAgent({ dataDir, port: f.port, captureLogs: true });
    expect(await get(f.controller, NAME)).toBe('current');
    expect(f.logs.some((l) => l.includes('restored configuration refused'))).toBe(true);
    expect(existsSync(join(dataDir, 'restore.json'))).toBe(false);
  });
});
