/**
 * Device.DeviceInfo.VendorLogFile.{i}. on OpenWrt (VendorLogFiles:1): logd's ring buffer through a
 * `logread` stand-in printing a hand-written log (test/fixtures/openwrt/logread.txt), sized from
 * the recorded `uci show system` (log_size 128 KiB); a second agent whose UCI names a log_file on
 * disk. A real agent on `--platform openwrt` over the FakeOpenWrt stand-ins, a TestController over
 * WebSocket, and a real HTTP server on loopback taking the uploads.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StringMap } from '../../agent/codec/types.js';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { add } from '../peers/controller-steps.js';
import { operateOne } from '../peers/operate.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { asResponse, waitForNotification } from '../peers/TestController.js';
import { FIXTURES, fakeOpenWrt, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const VLF = 'Device.DeviceInfo.VendorLogFile.';
const PREFIX = 'X_TEST-EXAMPLE-COM_';
/** A live platform refuses loopback transfers unless told: the test's server is on loopback. */
const LOCAL = { vendorPrefix: PREFIX, extra: { [`Device.LocalAgent.${PREFIX}AllowLocalDownloads`]: true } };
const LOGREAD = readFileSync(join(FIXTURES, 'logread.txt'), 'utf8');
const received = new Map<string, string>();
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.set(req.url ?? '/', Buffer.concat(chunks).toString('utf8'));
      res.writeHead(201, { 'Content-Length': 0 }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

/** The fake router plus a `logread` stand-in that prints the fixture, or fails while DIR/logread-fail exists (logd down). */
function routerWithLogread(): FakeOpenWrt {
  const fake = fakeOpenWrt();
  const script = `#!/bin/sh\n[ -e '${fake.dir}/logread-fail' ] && { echo 'Failed to connect to ubus' >&2; exit 1; }\ncat '${join(FIXTURES, 'logread.txt')}'\n`;
  writeFileSync(join(fake.bin, 'logread'), script, { mode: 0o755 });
  return fake;
}

async function rows(f: AgentFixture): Promise<Record<string, StringMap>> {
  const r = asResponse(await f.controller.send({ reqType: 'get', get: { paramPaths: [VLF], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  return Object.fromEntries((r.getResp.reqPathResults[0].resolvedPathResults ?? []).map((x) => [x.resolvedPath, x.resultParams]));
}

async function upload(f: AgentFixture, row: number, path: string, key: string): Promise<number | undefined> {
  const started = await operateOne(f.controller, `${VLF}${row}.Upload()`, { URL: `${base}${path}`, Username: '', Password: '' }, key);
  expect(started.operationResp, JSON.stringify(started)).toBe('reqObjPath');
  const done = await waitForNotification(f.controller, (ns) => ns.find((n) => n.notify.notification === 'operComplete' && n.notify.operComplete.commandKey === key)?.notify, 20_000);
  if (done.notification !== 'operComplete') throw new Error('not an OperationComplete');
  return done.operComplete.operationResp === 'cmdFailure' ? done.operComplete.cmdFailure.errCode : undefined;
}

describe('OpenWrt VendorLogFile: logread', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  beforeAll(async () => {
    fake = routerWithLogread();
    f = await startOpenWrtAgent(fake, LOCAL);
    await add(f.controller, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'oc', NotifType: 'OperationComplete', ReferenceList: VLF });
  });
  afterAll(async () => {
    await f?.close();
  });

  it("one row: logd's RAM ring buffer, log_size 128 KiB from UCI, not persistent", async () => {
    expect(await rows(f)).toEqual({ [`${VLF}1.`]: { Alias: 'cpe-1', Name: 'logread', MaximumSize: String(128 * 1024), Persistent: 'false' } });
  });

  it('Upload() sends what logread prints; logread failing is 7022', async () => {
    expect(await upload(f, 1, '/logread.txt', 'up-1')).toBeUndefined();
    expect(received.get('/logread.txt')).toBe(LOGREAD);
    writeFileSync(join(fake.dir, 'logread-fail'), '');
    expect(await upload(f, 1, '/fail.txt', 'up-2')).toBe(7022);
    expect(received.has('/fail.txt')).toBe(false);
  });
});

describe('OpenWrt VendorLogFile: UCI log_file', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  let work: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'usp-owrt-log-'));
    writeFileSync(join(work, 'messages'), 'persisted line\n');
    fake = routerWithLogread();
    const system = readFileSync(join(FIXTURES, 'uci-show-system.luci-zone.txt'), 'utf8');
    fake.respondUci('system', { text: `${system}system.cfg01e48a.log_file='${join(work, 'messages')}'\nsystem.cfg01e48a.log_buffer_size='32'\n` });
    f = await startOpenWrtAgent(fake, LOCAL);
    await add(f.controller, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'oc', NotifType: 'OperationComplete', ReferenceList: VLF });
  });
  afterAll(async () => {
    await f?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('logread sized by log_buffer_size, and the log_file row rotated at log_size, persistent as its filesystem is', async () => {
    const persistent = !['tmpfs', 'ramfs'].includes(execFileSync('stat', ['-f', '-c', '%T', work], { encoding: 'utf8' }).trim());
    expect(await rows(f)).toEqual({
      [`${VLF}1.`]: { Alias: 'cpe-1', Name: 'logread', MaximumSize: String(32 * 1024), Persistent: 'false' },
      [`${VLF}2.`]: { Alias: 'cpe-2', Name: join(work, 'messages'), MaximumSize: String(128 * 1024), Persistent: String(persistent) },
    });
    expect(await upload(f, 2, '/messages', 'up-file')).toBeUndefined();
    expect(received.get('/messages')).toBe('persisted line\n');
  });
});
