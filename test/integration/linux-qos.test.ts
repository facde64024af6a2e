/**
 * Device.QoS on generic Linux, for real: the built agent process runs with `--platform linux` in
 * its own network namespace, whose veth qw0 leads to a "WAN" namespace. A controller over a real
 * WebSocket adds QoS rows; python3 TCP and UDP senders in the agent's namespace and receivers in
 * the WAN namespace measure what the kernel (the agent's nft table `inet usp_agent_qos` and its
 * HTB tree on qw0) lets through:
 *
 * - a Shaper of 1 Mbit/s on qw0 holds a TCP transfer near 1 Mbit/s (unshaped it runs far faster);
 * - a Classification of TCP to port 5201 into traffic class 5 and a Queue for class 5 put that
 *   transfer into the Queue's HTB class (its `tc -s` counters grow, the default class's do not);
 * - a QueueStats row for that Queue on qw0 counts what its HTB class sent, and what it dropped
 *   of a UDP burst its FIFO (qw0's txqueuelen, 20 for that case) could not hold; on another interface
 *   it reads Error;
 * - a Policer of 200 kbit/s on UDP to port 6000 drops most of a burst, and its TotalCounted* and
 *   NonConformingCounted* grow; a two-rate three-colour one counts all three colours;
 * - a Queue with DropAlgorithm RED gets a red leaf qdisc where the kernel has sch_red, and is
 *   refused (7012) with the tree left as it was where it has not (this CI kernel: no sch_red);
 * - ForwardingPolicy: a second path (veth qw2 to a second WAN namespace) carries the routes of
 *   forwarding policy 3 (IPv4Forwarding and IPv6Forwarding); a Classification (or
 *   DefaultForwardingPolicy) of policy 3 sends its UDP there, everything else keeps the main
 *   table's route;
 * - bad input answers 7012 / 7013 and leaves the rows, the nft table and the tc tree as they were;
 * - a restart with netfilter and the qdisc emptied builds both again from the store;
 * - with the rows deleted, the agent's table and qdisc are gone;
 * - a root qdisc another program put on qw0 (tbf) makes a Queue or Shaper there 7012, and stays.
 * Needs root, nft, tc and python3.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace } from '../peers/netns.js';

const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-qos-${tag}`, `10.244.${tag % 250}`, `uspqos${tag}`, 'ctl0');
const AGENT = '10.78.0.1';
const WAN = '10.78.0.2';
const WAN2 = '10.77.0.2';
/** An address on both WAN namespaces' lo: which of them a datagram to it reaches says which route it took. */
const FAR = '10.79.0.5';
const FAR6 = 'fd79::5';
let a: NamespacedAgent | undefined;
let wan: PeerNamespace | undefined;
let wan2: PeerNamespace | undefined;
let ipIf = '';
const dataDir = mkdtempSync(join(tmpdir(), 'usp-qos-data-'));

/** Receives one TCP connection and prints how many bytes came in its first `seconds`. */
const TCP_SINK = [
  'import socket, sys, time',
  's = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
  "s.bind(('0.0.0.0', int(sys.argv[1]))); s.listen(1)",
  "print('ready', flush=True)",
  'c, _ = s.accept(); c.settimeout(1); n = 0; t0 = time.time()',
  'while time.time() - t0 < float(sys.argv[2]):',
  '    try:',
  '        d = c.recv(65536)',
  '    except socket.timeout:',
  '        continue',
  '    if not d: break',
  '    n += len(d)',
  'print(n, flush=True)',
].join('\n');
/** Sends as fast as it can to a TCP port until the receiver closes (at most 10 s). */
const TCP_SOURCE = [
  'import socket, sys, time',
  's = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5); t0 = time.time(); b = bytes(16384)',
  'try:',
  '    while time.time() - t0 < 10: s.send(b)',
  'except OSError: pass',
].join('\n');
/** Counts UDP datagrams on a port until none came for a second; prints the count. */
const UDP_SINK = [
  'import socket, sys',
  's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
  "s.bind(('0.0.0.0', int(sys.argv[1]))); s.settimeout(5)",
  "print('ready', flush=True); n = 0",
  'try:',
  '    while True:',
  '        s.recv(2048); n += 1; s.settimeout(1)',
  'except socket.timeout: pass',
  'print(n, flush=True)',
].join('\n');
/** Receives one UDP datagram on a port and prints the DSCP it arrived with (IP_RECVTOS). */
const DSCP_SINK = [
  'import socket, sys',
  's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
  's.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTOS, 1)',
  "s.bind(('0.0.0.0', int(sys.argv[1]))); s.settimeout(5)",
  "print('ready', flush=True)",
  '_, anc, _, _ = s.recvmsg(2048, 64)',
  'print([d[0] >> 2 for (lvl, t, d) in anc if t == socket.IP_TOS][0], flush=True)',
].join('\n');
const UDP_SOURCE = [
  'import socket, sys',
  's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
  'for i in range(int(sys.argv[3])):',
  '    try:',
  '        s.sendto(bytes(1000), (sys.argv[1], int(sys.argv[2])))',
  '    except OSError:',
  '        pass  # the Policer drops in the output hook: the sender hears EPERM',
].join('\n');

/** Runs `sink` in the WAN namespace until it is ready, then `source` in the agent's; resolves with the sink's last line. */
async function exchange(sink: string, sinkArgs: string[], source: string, sourceArgs: string[], peer = wan!): Promise<number> {
  const child = spawn('ip', ['netns', 'exec', peer.name, 'python3', '-c', sink, ...sinkArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const done = new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', () => {
      const last = out.trim().split('\n').pop() ?? '';
      if (/^\d+$/.test(last)) resolve(Number(last));
      else reject(new Error(`sink said: ${out}`));
    });
  });
  await expect.poll(() => out, { timeout: 10_000 }).toContain('ready');
  spawnSync('ip', ['netns', 'exec', ns.name, 'python3', '-c', source, ...sourceArgs], { stdio: 'ignore', timeout: 20_000 });
  return done;
}

/** Bits per second of a TCP transfer to `port` over 3 s, as the receiver counted it. */
const tcpRate = async (port: number): Promise<number> => ((await exchange(TCP_SINK, [String(port), '3'], TCP_SOURCE, [WAN, String(port)])) * 8) / 3;
/** UDP_SINK and UDP_SOURCE over IPv6. */
const UDP6_SINK = UDP_SINK.replace('AF_INET', 'AF_INET6').replace("'0.0.0.0'", "'::'");
const UDP6_SOURCE = UDP_SOURCE.replace('AF_INET', 'AF_INET6');
const inNs = (...args: string[]): string => execFileSync('ip', ['netns', 'exec', ns.name, ...args], { encoding: 'utf8' });
const qdisc = (): string => inNs('tc', 'qdisc', 'show', 'dev', 'qw0');
/** The bytes HTB class `handle` of qw0 sent (`tc -s class show`: this tc prints HTB classes as text even with -j). */
const classBytes = (handle: string): number => {
  const m = new RegExp(`class htb ${handle} [^\\n]*\\n\\s*Sent (\\d+) bytes`).exec(inNs('tc', '-s', 'class', 'show', 'dev', 'qw0'));
  return m ? Number(m[1]) : -1;
};
const nftTable = (): string => spawnSync('ip', ['netns', 'exec', ns.name, 'nft', 'list', 'table', 'inet', 'usp_agent_qos'], { encoding: 'utf8' }).stdout ?? '';
/** Whether this kernel has the red qdisc (sch_red): tried on the agent namespace's lo, which QoS does not use. */
const kernelHasRed = (): boolean => {
  const red = ['red', 'limit', '30000', 'min', '3000', 'max', '9000', 'avpkt', '1000', 'burst', '5', 'probability', '0.5', 'bandwidth', '1mbit'];
  const ok = spawnSync('ip', ['netns', 'exec', ns.name, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'handle', '7:', ...red]).status === 0;
  if (ok) inNs('tc', 'qdisc', 'del', 'dev', 'lo', 'root');
  return ok;
};
const errCode = (r: { ok: boolean; errCode?: number; paramErrCode?: number }): number | undefined => (r.ok ? undefined : (r.paramErrCode ?? r.errCode));

beforeAll(async () => {
  wan = PeerNamespace.beside(ns, `usp-qosw-${tag}`, { inside: 'qw0', outside: 'qw1', routerAddress: `${AGENT}/24`, address: `${WAN}/24` });
  wan2 = PeerNamespace.beside(ns, `usp-qosv-${tag}`, { inside: 'qw2', outside: 'qw3', routerAddress: '10.77.0.1/24', address: `${WAN2}/24` });
  for (const peer of [wan, wan2]) peer.ip('addr', 'add', `${FAR}/32`, 'dev', 'lo');
  for (const peer of [wan, wan2]) peer.ip('addr', 'add', `${FAR6}/128`, 'dev', 'lo');
  wan.ip('addr', 'add', 'fd78::2/64', 'dev', 'qw1', 'nodad');
  wan2.ip('addr', 'add', 'fd77::2/64', 'dev', 'qw3', 'nodad');
  inNs('ip', 'addr', 'add', 'fd78::1/64', 'dev', 'qw0', 'nodad');
  inNs('ip', 'addr', 'add', 'fd77::1/64', 'dev', 'qw2', 'nodad');
  a = await startAgentInNamespace(ns, 'qw0,qw2', { dataDir });
  const names = await getObjects(a.controller, ['Device.IP.Interface.*.Name']);
  ipIf = Object.entries(names)
    .find(([, v]) => v.Name === 'qw0')![0]
    .slice(0, -1);
}, 60_000);

afterAll(async () => {
  await a?.close();
  wan?.remove();
  wan2?.remove();
  ns.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Linux QoS: the agent nft table and HTB tree shape, classify and police real traffic', () => {
  it('serves the bounds and no rows at start; unshaped TCP runs far above 1 Mbit/s', async () => {
    const q = (await getObjects(a!.controller, ['Device.QoS.']))['Device.QoS.']!;
    expect(q).toMatchObject({ MaxClassificationEntries: '64', MaxQueueEntries: '32', MaxShaperEntries: '16', MaxAppEntries: '0', MaxFlowEntries: '0', ShaperNumberOfEntries: '0' });
    expect(qdisc()).not.toContain('htb');
    expect(await tcpRate(5100)).toBeGreaterThan(10e6);
  }, 60_000);

  it('a Shaper of 1 Mbit/s on the WAN interface holds TCP near 1 Mbit/s', async () => {
    const c = a!.controller;
    const s = await add(c, 'Device.QoS.Shaper.', { Enable: 'true', Interface: ipIf, ShapingRate: '1000000' });
    expect((await getObjects(c, [`${s}Status`, `${s}Interface`]))[s]).toEqual({ Status: 'Enabled', Interface: ipIf });
    expect(qdisc()).toMatch(/qdisc htb 51: root/);
    const rate = await tcpRate(5100);
    expect(rate).toBeGreaterThan(0.3e6);
    expect(rate).toBeLessThan(1.6e6);
  }, 60_000);

  it('a Classification puts TCP to 5201 into the Queue of its traffic class', async () => {
    const c = a!.controller;
    const q = await add(c, 'Device.QoS.Queue.', { Enable: 'true', Interface: ipIf, TrafficClasses: '5', Precedence: '1', Weight: '3' });
    const k = await add(c, 'Device.QoS.Classification.', { Enable: 'true', AllInterfaces: 'true', Protocol: '6', DestPort: '5201', TrafficClass: '5', DSCPMark: '46' });
    expect((await getObjects(c, [`${q}Status`]))[q]!.Status).toBe('Enabled');
    expect((await getObjects(c, [`${k}Status`, `${k}Order`]))[k]).toEqual({ Status: 'Enabled', Order: '1' });
    expect(nftTable()).toContain('tcp dport 5201 goto class_');
    const queueClass = `51:${(0x100 + Number(/(\d+)\.$/.exec(q)![1])).toString(16)}`;
    const before = classBytes(queueClass);
    const defaultBefore = classBytes('51:fffe');
    expect(before).toBeGreaterThanOrEqual(0);
    expect(await tcpRate(5201)).toBeLessThan(1.6e6);
    expect(classBytes(queueClass) - before).toBeGreaterThan(100_000);
    // The data went to the Queue; only the sink's ACK-less return path is elsewhere (the default class sees its own little).
    expect(classBytes('51:fffe') - defaultBefore).toBeLessThan(100_000);
    // DefaultQueue: unclassified traffic goes to that Queue (its device's HTB default class).
    await set(c, 'Device.QoS.', { DefaultQueue: q.slice(0, -1) });
    expect(qdisc()).toContain(`default 0x${queueClass.slice(3)}`);
    expect((await getObjects(c, ['Device.QoS.DefaultQueue']))['Device.QoS.']!.DefaultQueue).toBe(q.slice(0, -1));
    await set(c, 'Device.QoS.', { DefaultQueue: '' });
    expect(qdisc()).toContain('default 0xfffe');
  }, 60_000);

  it('QueueStats counts what the Queue sent and dropped on its egress interface (QoSStats:1)', async () => {
    const c = a!.controller;
    const q = Object.keys(await getObjects(c, ['Device.QoS.Queue.*.Enable']))[0]!.slice(0, -1);
    const names = await getObjects(c, ['Device.IP.Interface.*.Name']);
    const lo = Object.entries(names)
      .find(([, v]) => v.Name === 'lo')![0]
      .slice(0, -1);
    const st = await add(c, 'Device.QoS.QueueStats.', { Enable: 'true', Queue: q, Interface: ipIf });
    const elsewhere = await add(c, 'Device.QoS.QueueStats.', { Enable: 'true', Queue: q, Interface: lo });
    expect((await getObjects(c, ['Device.QoS.QueueStatsNumberOfEntries']))['Device.QoS.']!.QueueStatsNumberOfEntries).toBe('2');
    expect((await getObjects(c, [elsewhere]))[elsewhere]).toMatchObject({ Status: 'Error', OutputPackets: '0' });
    // UDP to 6004 into the same Queue: 400 datagrams at once, at 1 Mbit/s, overflow a FIFO of 20
    // (the sender's socket buffer holds about 90 datagrams: a longer FIFO would never fill). The
    // HTB leaves take the txqueuelen as their limit when the tree is built: the Add rebuilds it.
    inNs('ip', 'link', 'set', 'qw0', 'txqueuelen', '20');
    const k = await add(c, 'Device.QoS.Classification.', { Enable: 'true', AllInterfaces: 'true', Protocol: '17', DestPort: '6004', TrafficClass: '5' });
    const got = await exchange(UDP_SINK, ['6004'], UDP_SOURCE, [WAN, '6004', '400']);
    // Polled: reads past the agent's one-second cache of `tc -s class show`.
    await expect.poll(async () => Number((await getObjects(c, [`${st}DroppedPackets`]))[st]!.DroppedPackets), { timeout: 10_000 }).toBeGreaterThan(100);
    const v = (await getObjects(c, [st]))[st]!;
    expect(v).toMatchObject({ Status: 'Enabled', Queue: q, Interface: ipIf });
    expect(Number(v.OutputPackets)).toBeGreaterThanOrEqual(got);
    expect(Number(v.OutputBytes)).toBeGreaterThanOrEqual(got * 1000);
    expect(Number(v.DroppedBytes)).toBeGreaterThan(Number(v.DroppedPackets) * 500);
    expect(Number(v.QueueOccupancyPercentage)).toBeLessThanOrEqual(100);
    expect(errCode(await tryAdd(c, 'Device.QoS.QueueStats.', { Queue: 'Device.QoS.Queue.99', Interface: ipIf }))).toBe(7012);
    expect(errCode(await tryAdd(c, 'Device.QoS.QueueStats.', { Queue: q, Interface: 'Device.IP.Interface.99' }))).toBe(7012);
    expect(errCode(await trySet(c, st, { OutputPackets: '5' }))).toBe(7013);
    expect(errCode(await tryAdd(c, 'Device.QoS.QueueStats.', { Queue: q, Interface: ipIf }))).toBe(7025);
    await set(c, st, { Enable: 'false' });
    expect((await getObjects(c, [st]))[st]).toMatchObject({ Status: 'Disabled', OutputPackets: '0' });
    inNs('ip', 'link', 'set', 'qw0', 'txqueuelen', '1000');
    await del(c, st, elsewhere, k);
  }, 60_000);

  it('a Classification marks the DSCP of what it matches, and the others keep theirs', async () => {
    const c = a!.controller;
    const k = await add(c, 'Device.QoS.Classification.', { Enable: 'true', AllInterfaces: 'true', Protocol: '17', DestPort: '6001', DSCPMark: '46' });
    expect(await exchange(DSCP_SINK, ['6001'], UDP_SOURCE, [WAN, '6001', '3'])).toBe(46);
    expect(await exchange(DSCP_SINK, ['6002'], UDP_SOURCE, [WAN, '6002', '3'])).toBe(0);
    await del(c, k);
  }, 60_000);

  it('a Policer of 200 kbit/s drops most of a UDP burst and counts it', async () => {
    const c = a!.controller;
    const p = await add(c, 'Device.QoS.Policer.', { Enable: 'true', CommittedRate: '200000', CommittedBurstSize: '3000', NonConformingAction: 'Drop' });
    await add(c, 'Device.QoS.Classification.', { Enable: 'true', AllInterfaces: 'true', Protocol: '17', DestPort: '6000', Policer: p.slice(0, -1) });
    const got = await exchange(UDP_SINK, ['6000'], UDP_SOURCE, [WAN, '6000', '300']);
    expect(got).toBeLessThan(150);
    const v = (await getObjects(c, [p]))[p]!;
    expect(Number(v.TotalCountedPackets)).toBeGreaterThanOrEqual(300);
    expect(Number(v.NonConformingCountedPackets)).toBeGreaterThan(100);
    expect(Number(v.ConformingCountedPackets) + Number(v.NonConformingCountedPackets)).toBe(Number(v.TotalCountedPackets));
    expect(v).toMatchObject({ Status: 'Enabled', PossibleMeterTypes: 'SimpleTokenBucket,TwoRateThreeColor' });
  }, 60_000);

  it('a two-rate three-colour Policer (RFC 2698) sorts a UDP burst into its three colours', async () => {
    const c = a!.controller;
    const p = await add(c, 'Device.QoS.Policer.', {
      Enable: 'true',
      MeterType: 'TwoRateThreeColor',
      CommittedRate: '80000',
      CommittedBurstSize: '20000',
      PeakRate: '160000',
      PeakBurstSize: '60000',
      PartialConformingAction: '10',
      NonConformingAction: 'Drop',
    });
    await add(c, 'Device.QoS.Classification.', { Enable: 'true', AllInterfaces: 'true', Protocol: '17', DestPort: '6003', Policer: p.slice(0, -1) });
    // 300 datagrams of 1028 bytes at once: about 20 fit the committed bucket, 60 the peak one, the rest is dropped.
    const got = await exchange(UDP_SINK, ['6003'], UDP_SOURCE, [WAN, '6003', '300']);
    const v = (await getObjects(c, [p]))[p]!;
    const [green, yellow, red] = [v.ConformingCountedPackets, v.PartiallyConformingCountedPackets, v.NonConformingCountedPackets].map(Number);
    expect(green! + yellow! + red!).toBe(Number(v.TotalCountedPackets));
    expect(green).toBeGreaterThan(5);
    expect(yellow).toBeGreaterThan(5);
    expect(red).toBeGreaterThan(100);
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThanOrEqual(green! + yellow!);
    expect(errCode(await tryAdd(c, 'Device.QoS.Policer.', { Enable: 'true', MeterType: 'TwoRateThreeColor', CommittedRate: '80000', PeakRate: '1000' }))).toBe(7012);
  }, 60_000);

  it('a Queue with DropAlgorithm RED gets a red leaf where the kernel has sch_red, else 7012 and the tree as it was', async () => {
    const c = a!.controller;
    // With DT the RED numbers are kept and read back; they count once DropAlgorithm is RED.
    const q = await add(c, 'Device.QoS.Queue.', { Enable: 'true', Interface: ipIf, TrafficClasses: '7', REDThreshold: '10', REDPercentage: '50' });
    expect((await getObjects(c, [q]))[q]).toMatchObject({ DropAlgorithm: 'DT', REDThreshold: '10', REDPercentage: '50', Status: 'Enabled' });
    const handle = (0x100 + Number(/(\d+)\.$/.exec(q)![1])).toString(16);
    const before = qdisc();
    expect(before).toMatch(/qdisc htb 51: root/);
    const r = await trySet(c, q, { DropAlgorithm: 'RED' });
    if (kernelHasRed()) {
      expect(r.ok).toBe(true);
      // txqueuelen 1000 x 1500 bytes: min 10 % (150000), max 3 x min, max_p 0.5.
      expect(qdisc()).toMatch(new RegExp(`qdisc red ${handle}: parent 51:${handle} limit 1500000b min 150000b max 450000b`));
    } else {
      expect(errCode(r)).toBe(7012);
      expect((await getObjects(c, [`${q}DropAlgorithm`]))[q]!.DropAlgorithm).toBe('DT');
      // The rows were put back and written again: the same tree, no red leaf.
      await expect.poll(() => qdisc(), { timeout: 10_000 }).toBe(before);
    }
    expect(errCode(await trySet(c, q, { REDThreshold: '95' }))).toBe(7012);
    expect(errCode(await trySet(c, q, { REDPercentage: '101' }))).toBe(7012);
    await del(c, q);
  }, 60_000);

  it('ForwardingPolicy: a Classification of policy 3 takes the policy-3 route, the rest the main one', async () => {
    const c = a!.controller;
    const names = await getObjects(c, ['Device.IP.Interface.*.Name']);
    const qw2 = Object.entries(names)
      .find(([, v]) => v.Name === 'qw2')![0]
      .slice(0, -1);
    const fwd = 'Device.Routing.Router.1.IPv4Forwarding.';
    const far = { DestIPAddress: '10.79.0.0', DestSubnetMask: '255.255.255.0' };
    const main = await add(c, fwd, { ...far, GatewayIPAddress: WAN, Interface: ipIf });
    const policy = await add(c, fwd, { ...far, GatewayIPAddress: WAN2, Interface: qw2, ForwardingPolicy: '3' });
    expect(await getObjects(c, [`${main}ForwardingPolicy`, `${policy}ForwardingPolicy`])).toEqual({ [main]: { ForwardingPolicy: '-1' }, [policy]: { ForwardingPolicy: '3' } });
    expect(inNs('ip', '-4', 'rule', 'show')).toContain('fwmark 0x30000/0xff0000 lookup 20739');
    expect(inNs('ip', '-4', 'route', 'show', 'table', '20739')).toContain(`via ${WAN2} dev qw2`);
    const k = await add(c, 'Device.QoS.Classification.', { Enable: 'true', AllInterfaces: 'true', Protocol: '17', DestPort: '6010', ForwardingPolicy: '3' });
    expect(await exchange(UDP_SINK, ['6010'], UDP_SOURCE, [FAR, '6010', '5'], wan2)).toBe(5);
    expect(await exchange(UDP_SINK, ['6011'], UDP_SOURCE, [FAR, '6011', '5'], wan)).toBe(5);
    // DefaultForwardingPolicy 3: what no Classification matches is in policy 3 as well.
    await set(c, 'Device.QoS.', { DefaultForwardingPolicy: '3' });
    expect(await exchange(UDP_SINK, ['6011'], UDP_SOURCE, [FAR, '6011', '5'], wan2)).toBe(5);
    await set(c, 'Device.QoS.', { DefaultForwardingPolicy: '0' });
    // IPv6Forwarding rows of policy 3: the same mark, an `ip -6 rule`.
    const fwd6 = 'Device.Routing.Router.1.IPv6Forwarding.';
    const main6 = await add(c, fwd6, { DestIPPrefix: 'fd79::/64', NextHop: 'fd78::2', Interface: ipIf });
    const policy6 = await add(c, fwd6, { DestIPPrefix: 'fd79::/64', NextHop: 'fd77::2', Interface: qw2, ForwardingPolicy: '3' });
    expect((await getObjects(c, [`${policy6}ForwardingPolicy`]))[policy6]!.ForwardingPolicy).toBe('3');
    expect(inNs('ip', '-6', 'rule', 'show')).toContain('lookup 20739');
    expect(await exchange(UDP6_SINK, ['6010'], UDP6_SOURCE, [FAR6, '6010', '5'], wan2)).toBe(5);
    expect(await exchange(UDP6_SINK, ['6011'], UDP6_SOURCE, [FAR6, '6011', '5'], wan)).toBe(5);
    await del(c, policy6, main6);
    expect(inNs('ip', '-6', 'rule', 'show')).not.toContain('lookup 20739');
    // A Set moves the route to policy 4's table: the row keeps its number, policy 3's rule goes.
    await set(c, policy, { ForwardingPolicy: '4' });
    expect((await getObjects(c, [`${policy}ForwardingPolicy`]))[policy]!.ForwardingPolicy).toBe('4');
    const rules = inNs('ip', '-4', 'rule', 'show');
    expect([rules.includes('lookup 20739'), rules.includes('fwmark 0x40000/0xff0000 lookup 20740')]).toEqual([false, true]);
    expect(await exchange(UDP_SINK, ['6010'], UDP_SOURCE, [FAR, '6010', '5'], wan)).toBe(5);
    expect(errCode(await trySet(c, policy, { ForwardingPolicy: '256' }))).toBe(7012);
    expect(errCode(await trySet(c, k, { ForwardingPolicy: '256' }))).toBe(7012);
    await del(c, policy, main, k);
    expect(inNs('ip', '-4', 'rule', 'show')).not.toContain('lookup 2074');
  }, 60_000);

  it('bad input answers 7012 or 7013 and changes neither the rows, the nft table nor the tc tree', async () => {
    const c = a!.controller;
    const rows = await getObjects(c, ['Device.QoS.']);
    const [nft, tc] = [nftTable(), qdisc()];
    const bad: Array<[string, Record<string, string>, number]> = [
      ['Shaper', { ShapingRate: '0' }, 7012],
      ['Shaper', { Interface: 'Device.IP.Interface.99' }, 7012],
      ['Queue', { AllInterfaces: 'true' }, 7012],
      ['Queue', { DropAlgorithm: 'WRED' }, 7012],
      ['Queue', { REDThreshold: '91' }, 7012],
      ['Queue', { TrafficClasses: '1,x' }, 7011], // a list of unsignedInt: the wrong type
      ['Classification', { DSCPMark: '-2' }, 7012],
      ['Classification', { Protocol: '1', DestPort: '80' }, 7012],
      ['Classification', { Policer: 'Device.QoS.Policer.99' }, 7012],
      ['Classification', { EthernetPriorityCheck: '3' }, 7012], // not writable here: an Add takes it only at its default
      ['Policer', { MeterType: 'SingleRateThreeColor' }, 7012],
      ['Policer', { NonConformingAction: 'Shout' }, 7012],
      ['Policer', { ExcessBurstSize: '5' }, 7012],
    ];
    for (const [table, params, code] of bad) expect([table, params, errCode(await tryAdd(c, `Device.QoS.${table}.`, params))]).toEqual([table, params, code]);
    expect(errCode(await trySet(c, 'Device.QoS.', { DefaultDSCPMark: '64' }))).toBe(7012);
    expect(errCode(await trySet(c, 'Device.QoS.', { DefaultQueue: 'Device.QoS.Queue.99' }))).toBe(7012);
    expect(errCode(await trySet(c, 'Device.QoS.', { DefaultForwardingPolicy: '256' }))).toBe(7012);
    const k = Object.keys(await getObjects(c, ['Device.QoS.Classification.*.Enable']))[0]!;
    expect(errCode(await trySet(c, k, { VLANIDCheck: '5' }))).toBe(7013);
    expect(await getObjects(c, ['Device.QoS.'])).toEqual(rows);
    expect([nftTable(), qdisc()]).toEqual([nft, tc]);
  }, 60_000);

  it('a restart with netfilter and the qdisc emptied builds both again', async () => {
    const port = a!.port;
    await a!.close();
    a = undefined;
    inNs('nft', 'flush', 'ruleset');
    inNs('tc', 'qdisc', 'del', 'dev', 'qw0', 'root');
    a = await startAgentInNamespace(ns, 'qw0,qw2', { dataDir, port });
    await expect.poll(() => qdisc(), { timeout: 15_000 }).toMatch(/qdisc htb 51: root/);
    await expect.poll(() => nftTable(), { timeout: 15_000 }).toContain('tcp dport 5201');
    expect(await tcpRate(5100)).toBeLessThan(1.6e6);
  }, 60_000);

  it('with every row deleted the table and the qdisc are gone', async () => {
    const c = a!.controller;
    const all = Object.keys(await getObjects(c, ['Device.QoS.Classification.*.Enable', 'Device.QoS.Queue.*.Enable', 'Device.QoS.Shaper.*.Enable', 'Device.QoS.Policer.*.Enable']));
    await del(c, ...all);
    expect(qdisc()).not.toContain('htb');
    expect(nftTable()).toBe('');
  }, 60_000);

  it('a device whose root qdisc another program made (tbf, as SQM or tc by hand) is refused (7012) and left alone', async () => {
    const c = a!.controller;
    inNs('tc', 'qdisc', 'add', 'dev', 'qw0', 'root', 'handle', '8005:', 'tbf', 'rate', '100mbit', 'burst', '32k', 'latency', '400ms');
    try {
      expect(errCode(await tryAdd(c, 'Device.QoS.Shaper.', { Enable: 'true', Interface: ipIf, ShapingRate: '1000000' }))).toBe(7012);
      expect(errCode(await tryAdd(c, 'Device.QoS.Queue.', { Enable: 'true', Interface: ipIf, TrafficClasses: '1' }))).toBe(7012);
      expect(qdisc()).toMatch(/qdisc tbf 8005: root/);
    } finally {
      inNs('tc', 'qdisc', 'del', 'dev', 'qw0', 'root');
    }
  }, 60_000);
});
