/**
 * The OpenWrt Stats the kernel does not count (Unicast/Broadcast, MulticastPacketsSent,
 * UnknownProtoPacketsReceived), from the agent's nftables counters: a recorded
 * `nft -j list table netdev usp_agent_stats` (test/fixtures/openwrt/README.md says how it was
 * recorded) served by the fake `nft` at the command boundary.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fakeOpenWrt, openWrt, type PlatformFixture } from './fake-openwrt.js';

let f: PlatformFixture | undefined;
afterEach(() => {
  f?.close();
  f = undefined;
});

const LIST = ['nft', '-j', 'list', 'table', 'netdev', 'usp_agent_stats'];
const nftCalls = (fx: PlatformFixture): string[][] => fx.fake.invocations().filter((a) => a[0] === 'nft');

describe('OpenWrt packet class counters (nft)', () => {
  it('serves each class of the recorded counters on Ethernet.Interface, Link, IP.Interface and Bridge Port Stats, from one nft listing per read', async () => {
    f = openWrt(fakeOpenWrt({ nft: true }));
    const v = await f.values();
    // eth0, as recorded: received 20 (7 group, 4 broadcast, 7 of an unhandled EtherType), sent 28 (21 group, 5 broadcast).
    expect(v.get('Device.Ethernet.Interface.1.Stats.')).toMatchObject({
      UnicastPacketsReceived: '13',
      BroadcastPacketsReceived: '4',
      UnknownProtoPacketsReceived: 7,
      UnicastPacketsSent: '7',
      MulticastPacketsSent: '16',
      BroadcastPacketsSent: '5',
    });
    // lan on br-lan: received 37 (11 group, 5 broadcast, 7 unknown), sent 24 (13 group, 4 broadcast).
    const lan = [...v.entries()].find(([p, o]) => /^Device\.IP\.Interface\.\d+\.$/.test(p) && o.Name === 'lan')![0];
    expect(v.get(`${lan}Stats.`)).toMatchObject({
      UnicastPacketsReceived: '26',
      BroadcastPacketsReceived: '5',
      UnknownProtoPacketsReceived: 7,
      UnicastPacketsSent: '11',
      MulticastPacketsSent: '9',
      BroadcastPacketsSent: '4',
    });
    expect(v.get('Device.Ethernet.Link.1.Stats.')).toEqual(v.get(`${lan}Stats.`)); // br-lan's Link
    // The Wi-Fi port of br-lan: received 7 (4 group, 1 broadcast), sent 28 (24 group, 8 broadcast).
    const port = [...v.entries()].find(([p, o]) => /Bridge\.1\.Port\.\d+\.$/.test(p) && o.Name === 'phy1-ap0')![0];
    expect(v.get(`${port}Stats.`)).toMatchObject({
      UnicastPacketsReceived: '3',
      BroadcastPacketsReceived: '1',
      UnknownProtoPacketsReceived: 0,
      UnicastPacketsSent: '4',
      MulticastPacketsSent: '16',
      BroadcastPacketsSent: '8',
    });
    // A stale table of an earlier run goes first, then the agent's own; one listing serves the whole read.
    const calls = nftCalls(f);
    expect(calls.slice(0, 2)).toEqual([
      ['nft', 'delete', 'table', 'netdev', 'usp_agent_stats'],
      ['nft', 'add', 'table', 'netdev', 'usp_agent_stats'],
    ]);
    expect(calls.filter((c) => c.join(' ') === LIST.join(' '))).toHaveLength(1);
  });

  it('drops the chains of a device netifd no longer lists, and removes its table at stop', async () => {
    f = openWrt(fakeOpenWrt({ nft: true }));
    const stats = f.binding('Device.Ethernet.Interface.{i}.Stats.');
    await f.values('Device.Ethernet.');
    // eth1 leaves (a USB adapter unplugged): the next listing finds its chains and drops them.
    const devices = (await f.platform.runner.json<Record<string, unknown>>('ubus', ['call', 'network.device', 'status'], 60_000)) as Record<string, unknown>;
    const { eth1: _, ...rest } = devices;
    f.fake.respond('network.device status', { json: rest });
    f.platform.runner.invalidate();
    f.fake.clearLog();
    await stats.get!([1], {});
    await expect.poll(() => nftCalls(f!).map((c) => c.slice(1).join(' '))).toContain('delete chain netdev usp_agent_stats rx_eth1; delete chain netdev usp_agent_stats tx_eth1');
    f.fake.clearLog();
    f.platform.stop();
    await expect.poll(() => nftCalls(f!)).toEqual([['nft', 'delete', 'table', 'netdev', 'usp_agent_stats']]);
  });

  it('serves none of them, and runs no nft, where nft is not installed', async () => {
    f = openWrt(fakeOpenWrt());
    const v = await f.values();
    const stats = v.get('Device.Ethernet.Interface.1.Stats.')!;
    for (const p of ['UnicastPacketsReceived', 'BroadcastPacketsSent', 'MulticastPacketsSent', 'UnknownProtoPacketsReceived']) expect(stats).not.toHaveProperty(p);
    expect(f.binding('Device.IP.Interface.{i}.Stats.').params).not.toContain('UnicastPacketsSent');
    expect(nftCalls(f)).toEqual([]);
  });

  it('--packet-counters off: none of them, no nft, though nft is installed', async () => {
    f = openWrt(fakeOpenWrt({ nft: true }), { packetCounters: false });
    const v = await f.values();
    expect(v.get('Device.Ethernet.Interface.1.Stats.')).not.toHaveProperty('UnicastPacketsReceived');
    f.platform.stop();
    expect(nftCalls(f)).toEqual([]);
  });
});
