/**
 * Device.Time. on generic Linux from a REAL chronyd, through a Controller over WebSocket: one
 * chronyd serves NTP on a loopback port (`local stratum 8`), a second is the device's NTP client
 * whose `sourcedir` holds the agent's sources file; both run with `-x` (they never touch this
 * machine's clock, so neither needs CAP_SYS_TIME) and with their command sockets in a temporary
 * directory, and the agent's chronyc talks to the client's socket. A Controller adds a Client with
 * the server's address: chronyc shows the source and Status becomes Synchronized; Enable false
 * empties the file (Disabled); Client.{i}.Stats follow chronyc's ntpdata counters; invalid values are refused with 7012 and change nothing; the
 * configuration survives a restart that finds the file gone; LocalTimeZone goes to a TZif file
 * the C library applies; a chronyd that stops answering reads Error; `--time off` and a chronyd
 * that does not answer at start leave Device.Time. unserved, with one info line.
 * Needs chrony (chronyd, chronyc) and root.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, del, get, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import type { TimeSettings } from '../../platform/linux/time.js';
import { tzifOf } from '../../platform/linux/tzif.js';

const dir = mkdtempSync(join(tmpdir(), 'usp-time-chrony-'));
// chronyd wants its socket's directory closed to others.
chmodSync(dir, 0o700);
const dataDir = join(dir, 'data');
const serverSocket = join(dir, 'server.sock');
const clientSocket = join(dir, 'client.sock');
const sourcesDir = join(dir, 'sources.d');
const sourcesFile = join(sourcesDir, 'usp-agent.sources');
const zoneFile = join(dir, 'localtime');
const hostLocaltime = join(dir, 'host-localtime');
/** The host's zone as its /etc/localtime (a TZif file) says it. */
const HOST_ZONE = 'EST5EDT,M3.2.0,M11.1.0';
const settings: TimeSettings = { sourcesFile, chronySocket: clientSocket, zoneFile, localtimeFile: hostLocaltime };
const daemons: ChildProcess[] = [];
let ntpPort = 0;
let f: AgentFixture | undefined;
let clientDaemon: ChildProcess | undefined;

/** A UDP port free on loopback now. */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function chronyc(socket: string, ...args: string[]): string {
  return execFileSync('chronyc', ['-h', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** CAP_SYS_TIME, the capability that sets the clock (linux/capability.h). */
const CAP_SYS_TIME = 25;

/** Whether process `pid` holds CAP_SYS_TIME in its effective set. */
function holdsSysTime(pid: number): boolean {
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '0';
  return (BigInt(`0x${hex}`) & (1n << BigInt(CAP_SYS_TIME))) !== 0n;
}

/**
 * A chronyd in the foreground (`-n`), never touching the clock (`-x`), once its command socket
 * answers. It runs without CAP_SYS_TIME (dropped from its bounding set by setpriv, util-linux):
 * with -x chronyd needs none, so the test cannot change this machine's clock even by mistake.
 */
async function chronyd(name: string, conf: string[]): Promise<ChildProcess> {
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, `${conf.join('\n')}\n`);
  const p = spawn('setpriv', ['--bounding-set=-sys_time', '--inh-caps=-sys_time', '--', 'chronyd', '-n', '-x', '-u', 'root', '-f', file, '-l', join(dir, `${name}.log`)], { stdio: 'ignore' });
  daemons.push(p);
  await vi.waitFor(() => chronyc(join(dir, `${name}.sock`), '-c', 'tracking'), { timeout: 10_000, interval: 100 });
  return p;
}

async function startClientDaemon(): Promise<void> {
  clientDaemon = await chronyd('client', ['port 0', 'cmdport 0', `bindcmdaddress ${clientSocket}`, `pidfile ${join(dir, 'client.pid')}`, `sourcedir ${sourcesDir}`]);
}

const sources = (): string => chronyc(clientSocket, '-N', '-c', 'sources');
const time = async (): Promise<Record<string, string>> => (await getObjects(f!.controller, ['Device.Time.']))['Device.Time.']!;

beforeAll(async () => {
  mkdirSync(sourcesDir);
  writeFileSync(hostLocaltime, tzifOf(HOST_ZONE));
  ntpPort = await freeUdpPort();
  await chronyd('server', [`port ${ntpPort}`, 'allow 127.0.0.1', 'local stratum 8', 'cmdport 0', `bindcmdaddress ${serverSocket}`, `pidfile ${join(dir, 'server.pid')}`]);
  await startClientDaemon();
  f = await startAgent({ platform: 'linux', dataDir, agent: { time: settings } });
}, 30_000);

afterAll(async () => {
  await f?.close();
  for (const d of daemons) d.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('Device.Time. from a real chronyd', () => {
  it('serves Time:2 at once: enabled, Unsynchronized with no source, the host zone; no file written before a change', async () => {
    expect(await time()).toMatchObject({ Enable: 'true', Status: 'Unsynchronized', ClientNumberOfEntries: '0', LocalTimeZone: HOST_ZONE });
    // Both daemons run without the capability that sets the clock (setpriv exec's chronyd in place).
    expect(daemons.map((d) => holdsSysTime(d.pid!))).toEqual([false, false]);
    expect(existsSync(sourcesFile)).toBe(false);
    expect(sources()).toBe('');
  });

  it('a Client with the server: chronyc shows the source, Status becomes Synchronized, ServerInUse names it', async () => {
    const c = f!.controller;
    const client = await add(c, 'Device.Time.Client.', { Enable: 'true', Servers: '127.0.0.1', Port: String(ntpPort), MinPoll: '0', MaxPoll: '1', IBurst: 'true' });
    expect(client).toBe('Device.Time.Client.1.');
    expect(readFileSync(sourcesFile, 'utf8')).toContain(`server 127.0.0.1 port ${ntpPort} minpoll 0 maxpoll 1 version 4 iburst`);
    expect(sources()).toMatch(/^\^,.,127\.0\.0\.1,/m);
    await vi.waitFor(async () => expect((await time()).Status).toBe('Synchronized'), { timeout: 20_000, interval: 250 });
    const row = (await getObjects(c, ['Device.Time.Client.1.']))['Device.Time.Client.1.']!;
    expect(row).toMatchObject({ Enable: 'true', Status: 'Synchronized', ServerInUse: '127.0.0.1', Mode: 'Unicast', Alias: 'cpe-1', Servers: '127.0.0.1' });
  });

  it("Client.{i}.Stats: the requests chronyd sent the row's server and the answers it got, as chronyc ntpdata counts them", async () => {
    const c = f!.controller;
    /** Total TX, Total RX and Total good RX of the source, from chronyc itself. */
    const ntpdata = (): number[] => {
      const fields = chronyc(clientSocket, '-c', 'ntpdata', '127.0.0.1').trim().split(',');
      return [30, 31, 33].map((i) => Number(fields[i]));
    };
    const stats = async (): Promise<number[]> => {
      const v = (await getObjects(c, ['Device.Time.Client.1.Stats.']))['Device.Time.Client.1.Stats.']!;
      expect(v).not.toHaveProperty('PacketsSentFailed'); // chronyd counts no failed send
      return [Number(v.PacketsSent), Number(v.PacketsReceived), Number(v.PacketsDropped)];
    };
    // Synchronized above: requests sent and answered.
    const [sent, received, dropped] = await stats();
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(received).toBeGreaterThanOrEqual(1);
    expect(dropped).toBeGreaterThanOrEqual(0);
    // chronyd keeps polling (maxpoll 1: every 2 s): the counters grow, and bracket chronyc's own reading.
    const [txBefore] = ntpdata();
    await vi.waitFor(async () => expect((await stats())[0]).toBeGreaterThan(txBefore!), { timeout: 20_000, interval: 500 });
    const now = await stats();
    const [txAfter, rxAfter, goodAfter] = ntpdata();
    expect(now[0]).toBeLessThanOrEqual(txAfter!);
    expect(now[1]).toBeLessThanOrEqual(rxAfter!);
    expect(rxAfter! - goodAfter!).toBeGreaterThanOrEqual(0);
  });

  it('Enable false: Disabled, and the file holds no source, so chronyd drops it; true brings it back', async () => {
    const c = f!.controller;
    await set(c, 'Device.Time.', { Enable: 'false' });
    expect(await time()).toMatchObject({ Enable: 'false', Status: 'Disabled' });
    expect(await get(c, 'Device.Time.Client.1.Status')).toBe('Disabled');
    expect(sources()).not.toContain('127.0.0.1');
    await set(c, 'Device.Time.', { Enable: 'true' });
    expect(sources()).toContain('127.0.0.1');
    await vi.waitFor(async () => expect((await time()).Status).toBe('Synchronized'), { timeout: 20_000, interval: 250 });
  });

  it('refuses invalid values with 7012 and changes neither the file nor chrony', async () => {
    const c = f!.controller;
    const file = readFileSync(sourcesFile, 'utf8');
    for (const [path, params] of [
      ['Device.Time.Client.1.', { Servers: '127.0.0.1 iburst' }],
      ['Device.Time.Client.1.', { Servers: 'a.example,b.example,c.example,d.example,e.example,f.example' }],
      ['Device.Time.Client.1.', { MinPoll: '12', MaxPoll: '11' }],
      ['Device.Time.', { LocalTimeZone: 'Europe/Paris' }],
    ] as Array<[string, Record<string, string>]>) {
      const r = await trySet(c, path, params);
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, JSON.stringify(params)).toBe(7012);
    }
    expect(await tryAdd(c, 'Device.Time.Client.', { Servers: 'bad..name' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    // chrony's client polls its servers: Mode is read-only (7013), Unicast; an Add still says so for another Mode (7012).
    expect(await trySet(c, 'Device.Time.Client.1.', { Mode: 'Broadcast' })).toMatchObject({ ok: false, paramErrCode: 7013 });
    expect(await tryAdd(c, 'Device.Time.Client.', { Servers: 'ntp.example', Mode: 'Broadcast' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await get(c, 'Device.Time.ClientNumberOfEntries')).toBe('1');
    expect(readFileSync(sourcesFile, 'utf8')).toBe(file);
  });

  it('LocalTimeZone: kept, and written as a TZif file whose zone the C library applies', async () => {
    const c = f!.controller;
    await set(c, 'Device.Time.', { LocalTimeZone: 'CET-1CEST,M3.5.0,M10.5.0/3' });
    expect(await get(c, 'Device.Time.LocalTimeZone')).toBe('CET-1CEST,M3.5.0,M10.5.0/3');
    const at = (epoch: number): string => execFileSync('date', ['-d', `@${epoch}`, '+%Z'], { env: { ...process.env, TZ: `:${zoneFile}` }, encoding: 'utf8' }).trim();
    expect([at(1782000000), at(1796000000)]).toEqual(['CEST', 'CET']);
  });

  it('a restart keeps the configuration and writes the file again when it is gone', async () => {
    await f!.close();
    rmSync(sourcesFile);
    // chronyd keeps what it read until it reloads: the agent's start writes the file and reloads.
    expect(sources()).toContain('127.0.0.1');
    f = await startAgent({ platform: 'linux', dataDir, port: f!.port, agent: { time: settings } });
    expect(readFileSync(sourcesFile, 'utf8')).toContain(`server 127.0.0.1 port ${ntpPort}`);
    expect(await get(f.controller, 'Device.Time.Client.1.Servers')).toBe('127.0.0.1');
    expect(await get(f.controller, 'Device.Time.LocalTimeZone')).toBe('CET-1CEST,M3.5.0,M10.5.0/3');
    await vi.waitFor(async () => expect((await time()).Status).toBe('Synchronized'), { timeout: 20_000, interval: 250 });
  });

  it('Delete removes its sources from chrony', async () => {
    await del(f!.controller, 'Device.Time.Client.1.');
    expect(sources()).not.toContain('127.0.0.1');
    expect(await get(f!.controller, 'Device.Time.Status')).toBe('Unsynchronized');
  });

  it('a Client whose server never answers: Error_FailedToSynchronize once chrony has tried, and Time.Status Error (no Client could synchronize)', async () => {
    const c = f!.controller;
    // The serving chronyd listens on every loopback address: another port has nobody.
    const silent = await add(c, 'Device.Time.Client.', { Enable: 'true', Servers: '127.0.0.3', Port: String(await freeUdpPort()), MinPoll: '0', MaxPoll: '1', IBurst: 'true' });
    expect(sources()).toMatch(/^\^,\?,127\.0\.0\.3,/m);
    await vi.waitFor(async () => expect(await get(c, `${silent}Status`)).toBe('Error_FailedToSynchronize'), { timeout: 20_000, interval: 250 });
    expect(await get(c, 'Device.Time.Status')).toBe('Error');
    await del(c, silent);
    expect(await get(c, 'Device.Time.Status')).toBe('Unsynchronized');
  });

  it('a chronyd that stops answering reads Error; a change is still written for its next start', async () => {
    const c = f!.controller;
    clientDaemon!.kill();
    await vi.waitFor(() => expect(existsSync(clientSocket)).toBe(false));
    await vi.waitFor(async () => expect((await time()).Status).toBe('Error'), { timeout: 5000, interval: 250 });
    await add(c, 'Device.Time.Client.', { Enable: 'true', Servers: '127.0.0.1', Port: String(ntpPort), MinPoll: '0', MaxPoll: '1', IBurst: 'true' });
    expect(readFileSync(sourcesFile, 'utf8')).toContain('server 127.0.0.1');
    await startClientDaemon();
    expect(sources()).toContain('127.0.0.1');
    await vi.waitFor(async () => expect((await time()).Status).toBe('Synchronized'), { timeout: 20_000, interval: 250 });
  });
});

describe('files that cannot be written', () => {
  it('reads are served; a change is refused with 7003 (naming the sourcedir line to add) and nothing is kept', async () => {
    const missing = join(dir, 'no-such-dir', 'usp-agent.sources');
    const time = { sourcesFile: missing, chronySocket: clientSocket, zoneFile: join(dir, 'no-such-dir', 'localtime'), localtimeFile: hostLocaltime };
    const g = await startAgent({ platform: 'linux', captureLogs: true, agent: { time } });
    try {
      expect(g.logs.find((l) => /cannot be written/.test(l))).toMatch(/level=warn.*sourcedir/);
      expect(await get(g.controller, 'Device.Time.Status')).toMatch(/^(Unsynchronized|Synchronized)$/);
      const r = await tryAdd(g.controller, 'Device.Time.Client.', { Enable: 'true', Servers: '127.0.0.1' });
      expect(r).toMatchObject({ ok: false });
      if (!r.ok) {
        expect(r.paramErrCode ?? r.errCode).toBe(7003);
        expect(r.errMsg).toMatch(/add `sourcedir .*no-such-dir` to chrony\.conf/);
      }
      expect(await get(g.controller, 'Device.Time.ClientNumberOfEntries')).toBe('0');
      expect(await trySet(g.controller, 'Device.Time.', { LocalTimeZone: 'CET-1CEST,M3.5.0,M10.5.0/3' })).toMatchObject({ ok: false, paramErrCode: 7003 });
      expect(await get(g.controller, 'Device.Time.LocalTimeZone')).toBe(HOST_ZONE);
    } finally {
      await g.close();
    }
  });
});

describe('Device.Time. not served', () => {
  for (const [name, time, why] of [
    ['--time off', false, /switched off \(--time off\)/],
    ['a chronyd that does not answer', { sourcesFile, chronySocket: join(dir, 'nobody.sock') }, /chronyd does not answer/],
  ] as Array<[string, boolean | TimeSettings, RegExp]>) {
    it(`${name}: the agent starts, says so in one info line naming --time, and serves no Device.Time.`, async () => {
      const g = await startAgent({ platform: 'linux', captureLogs: true, agent: { time } });
      try {
        const line = g.logs.find((l) => /Device\.Time\. not served/.test(l));
        expect(line).toMatch(/level=info/);
        expect(line).toMatch(why);
        expect(line).toMatch(/--time/);
        await expect(get(g.controller, 'Device.Time.Enable')).rejects.toThrow(/7026/);
      } finally {
        await g.close();
      }
    });
  }
});
