/**
 * Device.PacketCaptureDiagnostics() (PacketCaptureDiagnostics:1) on a real in-process agent,
 * driven by a real Controller over WebSocket, the capture PUT to a real HTTP(S) collector and
 * read back with the real `tcpdump -r`:
 * - the simulated gateway's synthetic capture (ICMP echo pairs), with and without a filter that
 *   tcpdump applies; PacketCount and ByteCount cut it; Digest credentials; HTTPS with --ca;
 * - bad input: unknown or malformed Interface, a filter tcpdump refuses, Duration 0, pcapng, no
 *   FileTarget, an unreachable FileTarget, a second capture while one runs; Cancel();
 * - OpenWrt (stand-in ubus/uci, the real tcpdump beside them): the IP.Interface row's device is
 *   the ubus l3_device, captured for real (here the interface dump is answered with `lo`).
 * Needs tcpdump.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findOnPath } from '../../platform/exec/CommandRunner.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { completion, processesWith, runDiagnostic, startCommand, subscribeOperationComplete } from '../peers/diagnostics-controller.js';
import { getObjects } from '../peers/get-objects.js';
import { startHttpCollector, type HttpCollector } from '../peers/http-collector.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { cmdFailureCode, operateOne } from '../peers/operate.js';
import { tcpdumpRead } from '../peers/pcap-reader.js';
import { testPki } from '../peers/test-pki.js';
import { FIXTURES, fakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const CMD = 'Device.PacketCaptureDiagnostics()';
let f: AgentFixture | undefined;
let collector: HttpCollector;

beforeAll(async () => {
  collector = await startHttpCollector();
});
afterEach(async () => {
  await f?.close();
  f = undefined;
  collector.resetPlan();
});
afterAll(async () => {
  await collector.close();
});

/** Starts the simulated gateway and subscribes to OperationComplete of Device. commands. */
async function simulated(): Promise<AgentFixture> {
  f = await startAgent();
  await subscribeOperationComplete(f.controller, 'pcap', 'Device.');
  return f;
}

/** The capture the collector received last, after `before` requests. */
async function received(before: number): Promise<{ method: string; url: string; raw: Buffer }> {
  const all = await collector.waitForRequests(before + 1);
  return all[all.length - 1]!;
}

describe('PacketCaptureDiagnostics() on the simulated gateway', () => {
  it('PUTs a synthetic libpcap capture that tcpdump reads back: ICMP echo pairs, one a second', async () => {
    const a = await simulated();
    const before = collector.requests.length;
    const target = collector.url('/captures/sim.pcap');
    const o = await runDiagnostic(a.controller, CMD, { Interface: 'Device.IP.Interface.1', Duration: '2', FileTarget: target });
    expect(o.Status).toBe('Complete');
    expect(o['PacketCaptureResult.1.FileLocation']).toBe(target);
    expect(o['PacketCaptureResult.1.Count']).toBe('4');
    expect(Date.parse(o['PacketCaptureResult.1.EndTime']!)).toBeGreaterThanOrEqual(Date.parse(o['PacketCaptureResult.1.StartTime']!));
    const got = await received(before);
    expect(got.method).toBe('PUT');
    expect(got.url).toBe('/captures/sim.pcap');
    const lines = tcpdumpRead(got.raw);
    expect(lines).toHaveLength(4);
    expect(lines.filter((l) => /ICMP echo request/.test(l))).toHaveLength(2);
    expect(lines.filter((l) => /ICMP echo reply/.test(l))).toHaveLength(2);
    // The temporary file is gone.
    expect(readdirSync(join(a.dataDir, 'packet-capture'))).toEqual([]);
  });

  it('applies FilterExpression with tcpdump, and cuts the capture at PacketCount and at ByteCount', async () => {
    const a = await simulated();
    let before = collector.requests.length;
    const filtered = await runDiagnostic(a.controller, CMD, {
      Interface: 'Device.IP.Interface.1',
      Duration: '3',
      FileTarget: collector.url('/f.pcap'),
      FilterExpression: 'icmp[icmptype] == icmp-echoreply',
    });
    expect(filtered.Status).toBe('Complete');
    expect(filtered['PacketCaptureResult.1.Count']).toBe('3');
    expect(tcpdumpRead((await received(before)).raw).every((l) => /ICMP echo reply/.test(l))).toBe(true);

    before = collector.requests.length;
    const counted = await runDiagnostic(a.controller, CMD, { Interface: 'Device.IP.Interface.1', Duration: '3', PacketCount: '5', FileTarget: collector.url('/c.pcap') });
    expect(counted['PacketCaptureResult.1.Count']).toBe('5');
    expect(tcpdumpRead((await received(before)).raw)).toHaveLength(5);

    // A file header (24) and two records (16 + 74 each) fit in 224 bytes; a third does not.
    before = collector.requests.length;
    const sized = await runDiagnostic(a.controller, CMD, { Interface: 'Device.IP.Interface.1', Duration: '3', ByteCount: '224', FileTarget: collector.url('/b.pcap') });
    expect(sized['PacketCaptureResult.1.Count']).toBe('2');
    const raw = (await received(before)).raw;
    expect(raw.length).toBeLessThanOrEqual(224);
    expect(tcpdumpRead(raw)).toHaveLength(2);
  });

  it('answers a Digest challenge with Username and Password', async () => {
    const a = await simulated();
    const before = collector.requests.length;
    collector.plan({ digest: { realm: 'captures', username: 'ops', password: 's3cret' } });
    const o = await runDiagnostic(a.controller, CMD, { Interface: 'Device.IP.Interface.1', Duration: '1', FileTarget: collector.url('/d.pcap'), Username: 'ops', Password: 's3cret' });
    expect(o.Status).toBe('Complete');
    const all = await collector.waitForRequests(before + 2);
    expect(String(all[all.length - 1]!.headers.authorization)).toMatch(/^Digest /);
    expect(tcpdumpRead(all[all.length - 1]!.raw)).toHaveLength(2);
  });

  it('sends over HTTPS to a collector the agent trusts through --ca', async () => {
    const secure = await startHttpCollector({ tls: true });
    try {
      f = await startAgent({ agent: { tls: { ca: testPki().ca.certFile } } });
      await subscribeOperationComplete(f.controller, 'pcap', 'Device.');
      const target = secure.url('/s.pcap').replace('127.0.0.1', 'localhost');
      const o = await runDiagnostic(f.controller, CMD, { Interface: 'Device.IP.Interface.1', Duration: '1', FileTarget: target });
      expect(o.Status).toBe('Complete');
      expect(tcpdumpRead((await secure.waitForRequests(1))[0]!.raw)).toHaveLength(2);
    } finally {
      await secure.close();
    }
  });

  it('refuses bad input before starting (7027), with the reason', async () => {
    const a = await simulated();
    const ok = { Interface: 'Device.IP.Interface.1', Duration: '1', FileTarget: collector.url('/x.pcap') };
    const refused = async (input: Record<string, string>): Promise<string> => {
      const r = await operateOne(a.controller, CMD, input);
      expect(cmdFailureCode(r)).toBe(7027);
      return r.operationResp === 'cmdFailure' ? (r.cmdFailure.errMsg ?? '') : '';
    };
    expect(await refused({ ...ok, Interface: 'eth0' })).toMatch(/interface row/);
    expect(await refused({ ...ok, Interface: '' })).toMatch(/Interface is required/);
    expect(await refused({ ...ok, Interface: 'Device.DeviceInfo.Processor.1' })).toMatch(/not an interface table/);
    expect(await refused({ ...ok, FilterExpression: 'icmp and and' })).toMatch(/not a valid pcap filter.*syntax error/);
    expect(await refused({ ...ok, Duration: '0' })).toMatch(/Duration/);
    expect(await refused({ ...ok, Format: 'pcapng' })).toMatch(/pcapng/);
    expect(await refused({ ...ok, FileTarget: '' })).toMatch(/FileTarget is required/);
    expect(await refused({ ...ok, FileTarget: 'ftp://example.com/x' })).toMatch(/scheme/);
  });

  it('completes with Error_Other for a row that is gone and for a FileTarget that does not answer', async () => {
    const a = await simulated();
    const gone = await runDiagnostic(a.controller, CMD, { Interface: 'Device.IP.Interface.99', Duration: '1', FileTarget: collector.url('/x.pcap') });
    expect(gone).toEqual({ Status: 'Error_Other' });
    // A port nothing listens on: the capture is made, the upload is refused.
    const closed = await startHttpCollector();
    const dead = closed.url('/x.pcap');
    await closed.close();
    const unreachable = await runDiagnostic(a.controller, CMD, { Interface: 'Device.IP.Interface.1', Duration: '1', FileTarget: dead });
    expect(unreachable).toEqual({ Status: 'Error_Other' });
    expect(readdirSync(join(a.dataDir, 'packet-capture'))).toEqual([]);
  });

  it('runs one capture at a time (7005), and Cancel() ends one with 7023', async () => {
    const a = await simulated();
    const input = { Interface: 'Device.IP.Interface.1', Duration: '30', FileTarget: collector.url('/long.pcap') };
    const { result, key } = await startCommand(a.controller, CMD, input);
    if (result.operationResp !== 'reqObjPath') throw new Error(JSON.stringify(result));
    expect(cmdFailureCode(await operateOne(a.controller, CMD, input))).toBe(7005);
    expect(cmdFailureCode(await operateOne(a.controller, `${result.reqObjPath}Cancel()`, {}))).toBeUndefined();
    const done = await completion(a.controller, key);
    expect(done).toMatchObject({ errCode: 7023 });
    // The slot is free again.
    expect((await runDiagnostic(a.controller, CMD, { ...input, Duration: '1' })).Status).toBe('Complete');
  });
});

describe('PacketCaptureDiagnostics() on OpenWrt', () => {
  it('captures with the real tcpdump on the ubus l3_device of the IP.Interface row', async () => {
    const fake = fakeOpenWrt();
    const tcpdump = findOnPath('tcpdump');
    if (!tcpdump) throw new Error('tcpdump is not installed');
    // The stand-ins are the agent's whole command path: the real tcpdump beside them.
    symlinkSync(tcpdump, join(fake.bin, 'tcpdump'));
    // `lan` is carried by `lo` here (the recorded br-lan is no device of this machine).
    const dump = JSON.parse(readFileSync(join(FIXTURES, 'ubus-network-interface-dump.json'), 'utf8')) as { interface: Array<Record<string, unknown>> };
    for (const i of dump.interface) if (i.interface === 'lan') Object.assign(i, { l3_device: 'lo', device: 'lo' });
    fake.respond('network.interface dump', { json: dump });
    // The collector is on loopback, which a live platform refuses to send to unless allowed.
    f = await startOpenWrtAgent(fake, { vendorPrefix: 'X_EXAMPLE-COM_', extra: { 'Device.LocalAgent.X_EXAMPLE-COM_AllowLocalDownloads': true } });
    await subscribeOperationComplete(f.controller, 'pcap', 'Device.');
    const rows = await getObjects(f.controller, ['Device.IP.Interface.*.Name']);
    const lan = Object.entries(rows).find(([, v]) => v.Name === 'lan')?.[0];
    if (!lan) throw new Error(`no lan row: ${JSON.stringify(rows)}`);
    const before = collector.requests.length;
    const { result, key } = await startCommand(f.controller, CMD, { Interface: lan, Duration: '3', FileTarget: collector.url('/owrt.pcap'), FilterExpression: 'icmp' });
    if (result.operationResp !== 'reqObjPath') throw new Error(JSON.stringify(result));
    // Real traffic on the device once tcpdump runs (this process is the agent's: no blocking spawn).
    await expect.poll(() => processesWith(['-i', 'lo', '--immediate-mode']).length, { timeout: 15_000 }).toBeGreaterThan(0);
    const ping = spawn('ping', ['-c', '15', '-i', '0.2', '127.0.0.1'], { stdio: 'ignore' });
    const done = await completion(f.controller, key);
    ping.kill();
    if (!('output' in done)) throw new Error(JSON.stringify(done));
    expect(done.output.Status).toBe('Complete');
    const lines = tcpdumpRead((await received(before)).raw);
    expect(lines.filter((l) => /ICMP echo/.test(l)).length).toBeGreaterThan(0);
    expect(Number(done.output['PacketCaptureResult.1.Count'])).toBe(lines.length);
    // OpenWrt holds the file in RAM (/tmp), not in the data directory on flash; it is gone once sent.
    expect(existsSync(join(f.dataDir, 'packet-capture'))).toBe(false);
    expect(readdirSync('/tmp/usp-agent-capture').filter((n) => n.startsWith('capture-'))).toEqual([]);
    // wan's recorded device eth1.2 is not on this machine: tcpdump says so, the capture fails.
    const wan = Object.entries(rows).find(([, v]) => v.Name === 'wan')?.[0];
    if (!wan) throw new Error(`no wan row: ${JSON.stringify(rows)}`);
    expect(await runDiagnostic(f.controller, CMD, { Interface: wan, Duration: '1', FileTarget: collector.url('/wan.pcap') })).toEqual({ Status: 'Error_Other' });
  });
});
