/**
 * Device.PacketCaptureDiagnostics() on the Linux platform, for real: the built agent process
 * (`npm run build` first) runs `--platform linux` in its own network namespace, a Controller
 * operates the command over a real WebSocket through the namespace's veth, the agent runs the
 * real tcpdump on the veth while the test pings across it, and PUTs the capture to a real HTTP
 * collector outside the namespace, which the test reads back with `tcpdump -r`. Then the bad
 * cases against the same agent (a filter tcpdump refuses, a row that is gone, a FileTarget that
 * does not answer, Duration 0) and an agent whose PATH has no tcpdump (7022 naming the package).
 * Needs root, tcpdump and ping; the namespace is removed afterwards.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completion, processesWith, runDiagnostic, startCommand, subscribeOperationComplete } from '../peers/diagnostics-controller.js';
import { getObjects } from '../peers/get-objects.js';
import { startHttpCollector, type HttpCollector } from '../peers/http-collector.js';
import { ethernetInterfaceOf, startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, pathWithFailingNft } from '../peers/netns.js';
import { cmdFailureCode, operateOne } from '../peers/operate.js';
import { tcpdumpRead } from '../peers/pcap-reader.js';

const CMD = 'Device.PacketCaptureDiagnostics()';
// Unique per process (and apart from the other Linux namespace tests' addresses), so parallel runs do not meet.
const tag = process.pid % 100_000;
const net = `10.251.${tag % 250}`;
const ns = NetNamespace.create(`usp-pcap-${tag}`, net, `usppcap${tag}`, 'cap0');
let a: NamespacedAgent | undefined;
let collector: HttpCollector;

beforeAll(async () => {
  // Outside the namespace, on the veth's far end: the agent reaches it as a remote file server.
  collector = await startHttpCollector({ host: `${net}.1` });
  a = await startAgentInNamespace(ns, 'cap0');
  await subscribeOperationComplete(a.controller, 'pcap', 'Device.');
}, 30_000);

afterAll(async () => {
  await a?.close();
  await collector?.close();
  ns.remove();
});

/** The IP.Interface row of cap0. */
async function ipInterfaceOfCap0(): Promise<string> {
  const rows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
  const row = Object.entries(rows).find(([, v]) => v.Name === 'cap0')?.[0];
  if (!row) throw new Error(`no IP.Interface for cap0: ${JSON.stringify(rows)}`);
  return row;
}

/** Starts a capture, pings the agent across the veth once tcpdump runs, and returns the output and the file received. */
async function captureWhilePinging(input: Record<string, string>): Promise<{ output: Record<string, string>; lines: string[] }> {
  const before = collector.requests.length;
  const { result, key } = await startCommand(a!.controller, CMD, input);
  if (result.operationResp !== 'reqObjPath') throw new Error(JSON.stringify(result));
  await expect.poll(() => processesWith(['-i', 'cap0', '--immediate-mode']).length, { timeout: 15_000 }).toBeGreaterThan(0);
  const ping = spawn('ping', ['-c', '20', '-i', '0.2', `${net}.2`], { stdio: 'ignore' });
  try {
    const done = await completion(a!.controller, key);
    if (!('output' in done)) throw new Error(JSON.stringify(done));
    const got = (await collector.waitForRequests(before + 1))[before]!;
    expect(got.method).toBe('PUT');
    return { output: done.output, lines: tcpdumpRead(got.raw) };
  } finally {
    ping.kill();
  }
}

describe('PacketCaptureDiagnostics() on Linux', () => {
  it('captures ICMP on the IP.Interface with the real tcpdump and PUTs a file tcpdump -r reads', async () => {
    const target = collector.url('/linux/ip.pcap');
    const { output, lines } = await captureWhilePinging({ Interface: await ipInterfaceOfCap0(), Duration: '3', FileTarget: target, FilterExpression: 'icmp' });
    expect(output.Status).toBe('Complete');
    expect(output['PacketCaptureResult.1.FileLocation']).toBe(target);
    const icmp = lines.filter((l) => /ICMP echo (request|reply)/.test(l));
    expect(icmp.length).toBeGreaterThan(0);
    // The filter held: nothing but ICMP in the file; Count is what the file holds.
    expect(icmp).toHaveLength(lines.length);
    expect(Number(output['PacketCaptureResult.1.Count'])).toBe(lines.length);
  });

  it('captures on the Ethernet.Interface row too, stopping at PacketCount', async () => {
    const row = await ethernetInterfaceOf(a!.controller, 'cap0');
    const { output, lines } = await captureWhilePinging({ Interface: row, Duration: '30', PacketCount: '3', FileTarget: collector.url('/linux/eth.pcap'), FilterExpression: 'icmp' });
    expect(output.Status).toBe('Complete');
    expect(output['PacketCaptureResult.1.Count']).toBe('3');
    expect(lines).toHaveLength(3);
  });

  it('refuses a filter tcpdump refuses and Duration 0 (7027); a gone row and a dead FileTarget complete with Error_Other', async () => {
    const c = a!.controller;
    const ok = { Interface: await ipInterfaceOfCap0(), Duration: '1', FileTarget: collector.url('/linux/x.pcap') };
    const badFilter = await operateOne(c, CMD, { ...ok, FilterExpression: 'tcp port http-ish and' });
    expect(cmdFailureCode(badFilter)).toBe(7027);
    expect(badFilter.operationResp === 'cmdFailure' && badFilter.cmdFailure.errMsg).toMatch(/tcpdump/);
    expect(cmdFailureCode(await operateOne(c, CMD, { ...ok, Duration: '0' }))).toBe(7027);
    expect(await runDiagnostic(c, CMD, { ...ok, Interface: 'Device.IP.Interface.99' })).toEqual({ Status: 'Error_Other' });
    // A port on the collector's address that nothing listens on.
    const dead = await startHttpCollector({ host: `${net}.1` });
    const url = dead.url('/x.pcap');
    await dead.close();
    expect(await runDiagnostic(c, CMD, { ...ok, FileTarget: url })).toEqual({ Status: 'Error_Other' });
  });

  it('without tcpdump the command is refused with 7022 naming the package to install', async () => {
    const bin = pathWithFailingNft();
    const other = NetNamespace.create(`usp-pcapn-${tag}`, `10.252.${tag % 250}`, `usppcn${tag}`, 'cap0');
    let b: NamespacedAgent | undefined;
    try {
      b = await startAgentInNamespace(other, 'cap0', { env: { PATH: bin } });
      const r = await operateOne(b.controller, CMD, { Interface: 'Device.IP.Interface.1', Duration: '1', FileTarget: collector.url('/none.pcap') });
      expect(cmdFailureCode(r)).toBe(7022);
      expect(r.operationResp === 'cmdFailure' && r.cmdFailure.errMsg).toMatch(/install the package tcpdump/);
    } finally {
      await b?.close();
      other.remove();
      rmSync(bin, { recursive: true, force: true });
    }
  }, 30_000);
});
