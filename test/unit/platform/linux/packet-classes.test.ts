/**
 * The packet class counters' pieces that need no kernel: reading /proc/net/ptype and nft's JSON,
 * the nft script per device, when the counters may be used, and a kernel that refuses the egress
 * hook (an `nft` stand-in that fails like Linux before 5.16 does on `hook egress`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../datamodel/Logger.js';
import { CommandRunner } from '../../../../platform/exec/CommandRunner.js';
import { chainCommands, classStats, handledFor, kernelHasEgressHook, PacketClassCounters, packetCountersUsable, parseNftCounters, parsePtype } from '../../../../platform/linux/packet-classes.js';

const FIXTURE = fileURLToPath(new URL('../../../fixtures/openwrt/nft-list-table-usp_agent_stats.json', import.meta.url));

describe('parsePtype', () => {
  it('reads global and per-device handlers; a packet tap (ALL) and a module suffix change nothing', () => {
    const text = [
      'Type Device      Function',
      'ALL  eth0     packet_rcv',
      '0800          ip_rcv',
      '0004          llc_rcv [llc]',
      '0806          arp_rcv',
      '888e phy1-ap0 packet_rcv',
      '86dd          ipv6_rcv',
      '',
    ].join('\n');
    const h = parsePtype(text);
    expect(h.global).toEqual(['0x0800', '0x0004', '0x0806', '0x86dd']);
    expect([...h.byDevice]).toEqual([['phy1-ap0', ['0x888e']]]);
    expect(handledFor(h, 'phy1-ap0')).toEqual(['0x0004', '0x0800', '0x0806', '0x86dd', '0x888e']);
    expect(handledFor(h, 'eth0')).toEqual(['0x0004', '0x0800', '0x0806', '0x86dd']);
  });
});

describe('parseNftCounters and classStats', () => {
  it('turns the recorded listing into per-device counts and those into the TR-181 classes', () => {
    const counts = parseNftCounters(fs.readFileSync(FIXTURE, 'utf8'));
    expect(counts.get('eth0')).toEqual({ received: { broadcast: 4n, group: 7n, total: 20n, unknown: 7n }, sent: { broadcast: 5n, group: 21n, total: 28n } });
    expect(classStats(counts.get('eth0') as never)).toEqual({
      UnicastPacketsReceived: 13n,
      BroadcastPacketsReceived: 4n,
      UnknownProtoPacketsReceived: 7n,
      UnicastPacketsSent: 7n,
      MulticastPacketsSent: 16n,
      BroadcastPacketsSent: 5n,
    });
    expect([...counts.keys()].sort()).toEqual(['br-lan', 'eth0', 'eth1', 'eth1.2', 'lo', 'phy1-ap0']);
  });

  it('a hook missing one of its counters is left out; a subset read ahead of its superset never goes negative', () => {
    const rule = (chain: string, comment: string, packets: number) => ({ rule: { chain, comment, expr: [{ counter: { packets, bytes: 0 } }] } });
    const json = JSON.stringify({ nftables: [rule('rx_a', 'total', 5), rule('rx_a', 'group', 6), rule('rx_a', 'broadcast', 1), rule('tx_a', 'total', 3)] });
    const a = parseNftCounters(json).get('a')!;
    expect(a.sent).toBeUndefined();
    expect(classStats({ received: a.received! })).toEqual({ UnicastPacketsReceived: 0n, BroadcastPacketsReceived: 1n });
  });
});

describe('chainCommands', () => {
  it('one transaction: the handled set, then per hook a chain on the device with its counters (unknown on ingress only)', () => {
    const script = chainCommands('t', 'eth1.2', ['rx', 'tx'], ['0x0800', '0x86dd']);
    expect(script.split('; ')).toEqual([
      'add set netdev t p_eth1.2 { type ether_type ',
      '}',
      'add element netdev t p_eth1.2 { 0x0800, 0x86dd }',
      'add chain netdev t rx_eth1.2 { type filter hook ingress device "eth1.2" priority -500 ',
      'policy accept ',
      '}',
      'add rule netdev t rx_eth1.2 ether daddr ff:ff:ff:ff:ff:ff counter comment "broadcast"',
      'add rule netdev t rx_eth1.2 ether daddr & 01:00:00:00:00:00 == 01:00:00:00:00:00 counter comment "group"',
      'add rule netdev t rx_eth1.2 counter comment "total"',
      'add rule netdev t rx_eth1.2 meta protocol != @p_eth1.2 counter comment "unknown"',
      'add chain netdev t tx_eth1.2 { type filter hook egress device "eth1.2" priority -500 ',
      'policy accept ',
      '}',
      'add rule netdev t tx_eth1.2 ether daddr ff:ff:ff:ff:ff:ff counter comment "broadcast"',
      'add rule netdev t tx_eth1.2 ether daddr & 01:00:00:00:00:00 == 01:00:00:00:00:00 counter comment "group"',
      'add rule netdev t tx_eth1.2 counter comment "total"',
    ]);
  });
});

describe('when the counters may be used', () => {
  it('needs the setting not off, nft, and CAP_NET_ADMIN (bit 12 of CapEff)', () => {
    expect(packetCountersUsable(undefined, '/usr/sbin/nft', '000001ffffffffff')).toEqual({ usable: true });
    expect(packetCountersUsable(true, '/usr/sbin/nft', '0000000000001000')).toEqual({ usable: true });
    expect(packetCountersUsable(false, '/usr/sbin/nft', '000001ffffffffff').why).toMatch(/switched off \(--packet-counters off\)/);
    expect(packetCountersUsable(undefined, undefined, '000001ffffffffff').why).toMatch(/nft \(nftables\) is not installed/);
    expect(packetCountersUsable(undefined, '/usr/sbin/nft', '0000000000000000').why).toMatch(/lacks CAP_NET_ADMIN/);
  });

  it('egress hook from Linux 5.16', () => {
    expect(['5.15.150', '5.16.0', '6.6.73', '4.19.0', '6.18.44-fc-v1272'].map((r) => kernelHasEgressHook(r))).toEqual([false, true, true, false, true]);
  });
});

describe('a kernel that refuses the egress hook', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('counts received packets only, from then on, and says so once', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-nft-'));
    const log = path.join(dir, 'calls.log');
    // Fails a script holding "hook egress" as nft does on Linux < 5.16; once a chain was added, lists an ingress-only table.
    const listing = JSON.stringify({
      nftables: ['total', 'group', 'broadcast', 'unknown'].map((comment, i) => ({ rule: { chain: 'rx_eth0', comment, expr: [{ counter: { packets: [9, 4, 1, 0][i], bytes: 0 } }] } })),
    });
    fs.writeFileSync(path.join(dir, 'listing.json'), listing);
    const script = [
      '#!/bin/sh',
      `echo "$*" >> '${log}'`,
      'case "$*" in',
      '  *"hook egress"*) echo "Error: Could not process rule: Operation not supported" >&2; exit 1;;',
      `  "add set"*) touch '${path.join(dir, 'installed')}';;`,
      `  "-j list"*) if [ -e '${path.join(dir, 'installed')}' ]; then cat '${path.join(dir, 'listing.json')}'; else echo '{"nftables": []}'; fi;;`,
      'esac',
      'exit 0',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'nft'), script, { mode: 0o755 });
    const lines: string[] = [];
    const logger = createLogger('info', 'test', (_level, line) => {
      lines.push(line);
    });
    const c = new PacketClassCounters({ runner: new CommandRunner({ commandPath: dir }), cacheMs: 0, devices: () => Promise.resolve(['eth0']), egress: true, log: logger, sysNetDir: dir });
    expect(await c.of('eth0')).toEqual({ received: { total: 0n, group: 0n, broadcast: 0n, unknown: 0n } });
    expect(c.egress).toBe(false);
    expect(lines.filter((l) => /no netdev egress hook/.test(l))).toHaveLength(1);
    expect(await c.of('eth0')).toEqual({ received: { total: 9n, group: 4n, broadcast: 1n, unknown: 0n } });
    const calls = fs.readFileSync(log, 'utf8').trim().split('\n');
    // The second script is ingress only.
    expect(calls.filter((l) => l.startsWith('add set'))).toHaveLength(2);
    expect(calls.filter((l) => l.startsWith('add set')).pop()).not.toContain('hook egress');
    c.stop();
  });
});
