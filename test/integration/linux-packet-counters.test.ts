/**
 * The Stats the kernel does not count, for real: the built agent process (`npm run build` first)
 * runs with `--platform linux` in its own network namespace, a controller reads
 * Ethernet.Interface and IP.Interface Stats over a real WebSocket through the namespace's veth,
 * and real traffic crosses that veth: unicast and broadcast pings both ways, an IPv4 multicast
 * ping out, and Ethernet frames of an ethertype nothing handles (a raw socket, python3). Each
 * class counter moves by at least what was sent in it; the same on a bridge's member port and on
 * the bridge itself (Bridge Port Stats), whose chains go once the devices do. Then
 * `--packet-counters off` (and `$packetCounters: false`), and an agent whose PATH has no nft:
 * none touches netfilter, none serves those Stats, all start.
 * Needs root, nft, ping and python3; the namespaces are removed afterwards.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getObjects } from '../peers/get-objects.js';
import { ethernetInterfaceOf, startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace } from '../peers/netns.js';

// Unique per process (and apart from the other Linux namespace tests' addresses), so parallel runs do not meet.
const tag = process.pid % 100_000;
const net = `10.238.${tag % 250}`;
const ns = NetNamespace.create(`usp-pkt-${tag}`, net, `usppkt${tag}`, 'ctl0');
const outside = `usppkt${tag}`;
let a: NamespacedAgent | undefined;

beforeAll(async () => {
  a = await startAgentInNamespace(ns, 'ctl0');
}, 30_000);

afterAll(async () => {
  await a?.close();
  ns.remove();
});

const CLASS_PARAMS = ['UnicastPacketsReceived', 'UnicastPacketsSent', 'BroadcastPacketsReceived', 'BroadcastPacketsSent', 'MulticastPacketsSent', 'UnknownProtoPacketsReceived'];

/** The Stats of `obj` (an object path ending in "."), as numbers. */
async function stats(obj: string): Promise<Record<string, number>> {
  const s = (await getObjects(a!.controller, [`${obj}Stats.`]))[`${obj}Stats.`]!;
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Number(v)]));
}

/** `ping ARGS` (its exit code is no matter: a broadcast or multicast ping gets no reply). */
/**
 * Every class moved by at least what the test sent on the device (5 unicast pings each way,
 * 3 broadcasts in, 4 out, 6 multicasts out): other traffic on the link may only add to them.
 */
function expectSentTrafficCounted(before: Record<string, number>, after: Record<string, number>): void {
  expect(after.UnicastPacketsReceived! - before.UnicastPacketsReceived!).toBeGreaterThanOrEqual(5);
  expect(after.UnicastPacketsSent! - before.UnicastPacketsSent!).toBeGreaterThanOrEqual(5);
  expect(after.BroadcastPacketsReceived! - before.BroadcastPacketsReceived!).toBeGreaterThanOrEqual(3);
  expect(after.BroadcastPacketsSent! - before.BroadcastPacketsSent!).toBeGreaterThanOrEqual(4);
  expect(after.MulticastPacketsSent! - before.MulticastPacketsSent!).toBeGreaterThanOrEqual(6);
}

function ping(inNamespace: boolean, ...args: string[]): void {
  spawnSync(inNamespace ? 'ip' : 'ping', inNamespace ? ['netns', 'exec', ns.name, 'ping', ...args] : args, { stdio: 'ignore', timeout: 10_000 });
}

/** `count` Ethernet frames of ethertype 0x88b5 (IEEE local experimental: no handler) from `from` (test's namespace) to `to`'s MAC. */
function unknownFrames(from: string, to: string, count: number): void {
  const mac = ns.ip('-json', 'link', 'show', to);
  const dst = (JSON.parse(mac) as Array<{ address: string }>)[0]!.address;
  const script = [
    'import socket, sys',
    's = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)',
    's.bind((sys.argv[1], 0))',
    'frame = bytes.fromhex(sys.argv[2].replace(":", "")) + s.getsockname()[4] + b"\\x88\\xb5" + bytes(46)',
    'for _ in range(int(sys.argv[3])): s.send(frame)',
  ].join('\n');
  execFileSync('python3', ['-c', script, from, dst, String(count)]);
}

/** The nftables tables of the namespace (`nft list tables`). */
function tables(namespace: string): string {
  return execFileSync('ip', ['netns', 'exec', namespace, 'nft', 'list', 'tables'], { encoding: 'utf8' });
}

describe('Linux unicast/broadcast/multicast and unknown-protocol counters, in a network namespace', () => {
  it('count what real traffic of each class added, on Ethernet.Interface and IP.Interface', async () => {
    const eth = await ethernetInterfaceOf(a!.controller, 'ctl0');
    const ipRows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
    const ip = Object.entries(ipRows).find(([, v]) => v.Name === 'ctl0')![0];
    // The first reading installs the chains: counting starts there.
    const [eth0, ip0] = [await stats(eth), await stats(ip)];
    for (const p of CLASS_PARAMS) expect(eth0, p).toHaveProperty(p);
    for (const p of CLASS_PARAMS) expect(ip0, p).toHaveProperty(p);
    expect(tables(ns.name)).toContain('table netdev usp_agent_stats');

    ping(false, '-c', '5', '-i', '0.2', '-W', '1', `${net}.2`); // 5 unicast requests in, 5 replies out
    ping(false, '-b', '-c', '3', '-i', '0.2', '-W', '1', '-I', outside, `${net}.3`); // 3 broadcasts in
    ping(true, '-b', '-c', '4', '-i', '0.2', '-W', '1', `${net}.3`); // 4 broadcasts out
    ping(true, '-c', '6', '-i', '0.2', '-W', '1', '-I', 'ctl0', '224.0.0.1'); // 6 multicasts out
    unknownFrames(outside, 'ctl0', 7);

    const [eth1, ip1] = [await stats(eth), await stats(ip)];
    for (const [before, after] of [
      [eth0, eth1],
      [ip0, ip1],
    ] as const) {
      expectSentTrafficCounted(before, after);
      // Nothing else on this link is of a protocol the host has no handler for (IPv4, ARP, IPv6 all have one).
      expect(after.UnknownProtoPacketsReceived! - before.UnknownProtoPacketsReceived!).toBe(7);
    }
  });

  it("count on a bridge port and on the bridge (its management port); a port's unknown protocols are its master's", async () => {
    // Bridge brp in the namespace with port bp0, whose veth peer is in the test's namespace.
    const peer = `uspbq${tag}`;
    const bnet = `10.241.${tag % 250}`;
    ns.ip('link', 'add', 'brp', 'type', 'bridge');
    ns.ip('link', 'add', 'bp0', 'type', 'veth', 'peer', 'name', peer, 'netns', '1');
    try {
      ns.ip('link', 'set', 'bp0', 'master', 'brp');
      ns.ip('addr', 'add', `${bnet}.2/24`, 'dev', 'brp');
      for (const d of ['bp0', 'brp']) ns.ip('link', 'set', d, 'up');
      execFileSync('ip', ['addr', 'add', `${bnet}.1/24`, 'dev', peer]);
      execFileSync('ip', ['link', 'set', peer, 'up']);
      // The agent lists the new bridge once its one-second reading of the links has expired.
      const [bp0, brp] = await vi.waitFor(
        async () => {
          const bridges = await getObjects(a!.controller, ['Device.Bridging.Bridge.*.Port.*.Name']);
          const port = (name: string): string => Object.entries(bridges).find(([, v]) => v.Name === name)![0];
          return [port('bp0'), port('brp')];
        },
        { timeout: 5000, interval: 200 },
      );
      const [p0, m0] = [await stats(bp0), await stats(brp)];
      for (const k of CLASS_PARAMS) expect(p0, k).toHaveProperty(k);

      ping(false, '-c', '5', '-i', '0.2', '-W', '1', `${bnet}.2`);
      ping(false, '-b', '-c', '3', '-i', '0.2', '-W', '1', '-I', peer, `${bnet}.255`);
      ping(true, '-b', '-c', '4', '-i', '0.2', '-W', '1', `${bnet}.255`);
      ping(true, '-c', '6', '-i', '0.2', '-W', '1', '-I', 'brp', '224.0.0.1');
      unknownFrames(peer, 'brp', 7);

      const [p1, m1] = [await stats(bp0), await stats(brp)];
      for (const [before, after] of [
        [p0, p1],
        [m0, m1],
      ] as const) {
        expectSentTrafficCounted(before, after);
      }
      // The bridge takes every protocol from its port (the port's rx_nohandler stays 0); the bridge device itself has no handler for 0x88b5.
      expect(p1.UnknownProtoPacketsReceived).toBe(0);
      expect(m1.UnknownProtoPacketsReceived! - m0.UnknownProtoPacketsReceived!).toBe(7);
    } finally {
      ns.ip('link', 'del', 'bp0');
      ns.ip('link', 'del', 'brp');
    }
  });

  it('drops the chains of devices gone from the host at a later reading, and removes its table when it stops', async () => {
    // bp0 and brp went at the end of the test before: a reading after the cached listing expired drops their chains and sets.
    const eth = await ethernetInterfaceOf(a!.controller, 'ctl0');
    await vi.waitFor(
      async () => {
        await stats(eth);
        const table = execFileSync('ip', ['netns', 'exec', ns.name, 'nft', 'list', 'table', 'netdev', 'usp_agent_stats'], { encoding: 'utf8' });
        expect(table).toContain('chain rx_ctl0');
        expect(table).not.toMatch(/_bp0|_brp/);
      },
      { timeout: 5000, interval: 300 },
    );
    await a!.close();
    a = undefined;
    expect(tables(ns.name)).not.toContain('usp_agent_stats');
  });
});

describe('without the nftables counters', () => {
  it.each([
    ['--packet-counters off', { args: ['--packet-counters', 'off'] }, 0],
    ['$packetCounters false in the defaults file', { fileSettings: { $packetCounters: false } }, 1],
  ])(
    '%s: the agent starts, says so, leaves netfilter alone and serves no class counters',
    async (_, how, n) => {
      const off = NetNamespace.create(`usp-pko${n}-${tag}`, `10.239.${(tag + n) % 250}`, `usppko${n}${tag % 10_000}`, 'ctl0');
      let b: NamespacedAgent | undefined;
      try {
        b = await startAgentInNamespace(off, 'ctl0', how);
        const s = (await getObjects(b.controller, [`${await ethernetInterfaceOf(b.controller, 'ctl0')}Stats.`]))!;
        const keys = Object.keys(Object.values(s)[0]!);
        expect(keys).not.toContain('UnknownProtoPacketsReceived');
        expect(keys).not.toContain('UnicastPacketsReceived');
        expect(keys).not.toContain('BroadcastPacketsSent');
        expect(b.agent.lines.some((l) => /packet counters not served/.test(l.text) && /switched off/.test(l.text) && /--packet-counters/.test(l.text))).toBe(true);
        expect(tables(off.name)).not.toContain('usp_agent_stats');
      } finally {
        await b?.close();
        off.remove();
      }
    },
    30_000,
  );

  it('no nft on PATH: the agent starts with an info line naming the setting, without those Stats', async () => {
    const none = NetNamespace.create(`usp-pkn-${tag}`, `10.240.${tag % 250}`, `usppkn${tag}`, 'ctl0');
    // A PATH with the tools the Linux platform runs but no nft.
    const bin = mkdtempSync(join(tmpdir(), 'usp-no-nft-'));
    for (const tool of ['ip', 'ethtool']) {
      const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (found) symlinkSync(found, join(bin, tool));
    }
    let b: NamespacedAgent | undefined;
    try {
      b = await startAgentInNamespace(none, 'ctl0', { env: { PATH: bin } });
      const s = await getObjects(b.controller, [`${await ethernetInterfaceOf(b.controller, 'ctl0')}Stats.`]);
      expect(Object.keys(Object.values(s)[0]!)).not.toContain('UnicastPacketsSent');
      const line = b.agent.lines.find((l) => /packet counters not served/.test(l.text));
      expect(line?.text).toMatch(/level=info/);
      expect(line?.text).toMatch(/nft \(nftables\) is not installed/);
      expect(line?.text).toMatch(/--packet-counters/);
    } finally {
      await b?.close();
      none.remove();
      rmSync(bin, { recursive: true, force: true });
    }
  }, 30_000);
});
