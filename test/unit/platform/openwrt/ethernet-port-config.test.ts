/**
 * The UCI side of OpenWrt's Ethernet.Interface writes (ethernet-port-config.ts, ethernet-port-write.ts):
 * what a port's `config device` section says, what a Set stages, which ports the default route
 * leaves through, and a port disabled before the agent started (listed from /sys/class/net as
 * recorded in a network namespace: a veth named eth0, a bridge br-lan).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { portChanges, portLinkSettings, portSection, unsupportedChoice } from '../../../../platform/openwrt/ethernet-port-config.js';
import { defaultRouteDevices, isPortNetdev } from '../../../../platform/openwrt/ethernet-port-write.js';
import { parseUciShow } from '../../../../platform/openwrt/uci-show.js';
import type { DeviceStatusMap, InterfaceDump } from '../../../../platform/openwrt/ubus-types.js';
import { defaultResponses, FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const uci = (file: string) => parseUciShow(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
const MODES = ['10baseT-H', '10baseT-F', '100baseT-H', '100baseT-F', '1000baseT-F'];
const SYS = path.join(FIXTURES, 'sys-class-net.port-disabled');

describe('openwrt platform: an Ethernet port in UCI', () => {
  it('reads the settings of the recorded sections, else what netifd reports', () => {
    expect(portLinkSettings(portSection(uci('uci-show-network.port-forced.txt'), 'eth0'), { autoneg: true, speed: '1000F' })).toEqual({ MaxBitRate: 100, DuplexMode: 'Full' });
    expect(portLinkSettings(portSection(uci('uci-show-network.port-auto.txt'), 'eth0'), { autoneg: false, speed: '10H' })).toEqual({ MaxBitRate: -1, DuplexMode: 'Auto' });
    // No section: netifd's word (a link forced outside UCI reads as forced).
    expect(portLinkSettings(undefined, { autoneg: false, speed: '10H' })).toEqual({ MaxBitRate: 10, DuplexMode: 'Half' });
    expect(portLinkSettings(undefined, { autoneg: true, speed: '1000F' })).toEqual({ MaxBitRate: -1, DuplexMode: 'Auto' });
    // br-lan's section is a bridge of that name, not a port's.
    expect(portSection(uci('uci-show-network.txt'), 'br-lan')).toBeUndefined();
    expect(portSection(uci('uci-show-network.24.10-dsa.uci.txt'), 'wan')?.name).toBe('cfg040f15');
  });

  it('stages only what changes, and deletes only options the section has', () => {
    const forced = portSection(uci('uci-show-network.port-forced.txt'), 'eth0');
    expect(portChanges('usp_port_eth0', forced, undefined, { auto: false, mbps: 100, duplex: 'Full' })).toEqual([]);
    expect(portChanges('usp_port_eth0', forced, true, undefined)).toEqual([]);
    const auto = portSection(uci('uci-show-network.port-auto.txt'), 'eth0');
    expect(portChanges('usp_port_eth0', auto, undefined, { auto: true })).toEqual([]);
  });

  it('refuses modes the port does not list', () => {
    expect(unsupportedChoice('eth0', { auto: true }, undefined)).toBeUndefined();
    expect(unsupportedChoice('eth0', { auto: false, mbps: 100, duplex: 'Half' }, MODES)).toBeUndefined();
    expect(unsupportedChoice('eth0', { auto: false, mbps: 1000, duplex: 'Half' }, MODES)).toMatch(/no 1000 Mbit\/s half duplex/);
    expect(unsupportedChoice('eth0', { auto: false, mbps: 10000, duplex: 'Full' }, MODES)).toMatch(/at most 1000/);
    expect(unsupportedChoice('eth0', { auto: false, mbps: 100, duplex: 'Full' }, [])).toMatch(/no link modes/);
  });

  it('follows the default route down to the ports: VLAN base, bridge members, DSA conduit', () => {
    const dump = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-network-interface-dump.json'), 'utf8')) as InterfaceDump;
    const devices = (defaultResponses()['network.device status'] as { json: DeviceStatusMap }).json;
    // The recorded wan on eth1.2 (VLAN 2 of eth1); lan on br-lan has no default route.
    expect([...defaultRouteDevices(dump, devices)].sort()).toEqual(['eth1', 'eth1.2']);
    const viaBridge: InterfaceDump = { interface: [{ interface: 'lan', l3_device: 'br-lan.1', route: [{ target: '::', mask: 0 }] }] };
    const dsa: DeviceStatusMap = { 'br-lan': { 'bridge-members': ['lan1', 'lan2'] }, lan1: { conduit: 'eth0' }, lan2: { conduit: 'eth0' } };
    expect([...defaultRouteDevices(viaBridge, dsa)].sort()).toEqual(['br-lan', 'br-lan.1', 'eth0', 'lan1', 'lan2']);
  });

  it('tells a port netdev from others as netifd does (recorded /sys/class/net: a veth, a bridge)', async () => {
    expect(await isPortNetdev(SYS, 'eth0')).toBe(true);
    expect(await isPortNetdev(SYS, 'br-lan')).toBe(false);
    expect(await isPortNetdev(SYS, 'eth9')).toBe(false);
    expect(await isPortNetdev(SYS, '../eth0')).toBe(false);
  });
});

describe('openwrt platform: a port disabled before the agent started', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  it('is still a row (from its section and /sys/class/net), Enable false and Down', async () => {
    fx = openWrt(undefined, { sysNetDir: SYS });
    fx.fake.respondUci('network', { file: 'uci-show-network.port-disabled.txt' });
    const { eth0: _, ...others } = (defaultResponses()['network.device status'] as { json: Record<string, unknown> }).json;
    fx.fake.respond('network.device status', { json: others });
    const v = await fx.values('Device.Ethernet.');
    const rows = [...v].filter(([p]) => /^Device\.Ethernet\.Interface\.\d+\.$/.test(p));
    expect(rows.map(([, r]) => r.Name)).toEqual(['eth1', 'eth0']);
    expect(rows[1]![1]).toMatchObject({ Enable: false, Status: 'Down', MaxBitRate: -1, DuplexMode: 'Auto', CurrentBitRate: 0 });
    // Its Stats: nothing netifd reports.
    expect(v.get(`${rows[1]![0]}Stats.`)).toBeDefined();
    // A fixed link needs the modes netifd reports once it is enabled again; autonegotiation is already so.
    const n = Number(/\.(\d+)\.$/.exec(rows[1]![0])![1]);
    const set = fx.binding('Device.Ethernet.Interface.{i}.').set!;
    await expect(set([n], { MaxBitRate: 100, DuplexMode: 'Full' }, {})).rejects.toMatchObject({ code: 7012, message: expect.stringMatching(/enable it first/) });
    fx.fake.clearLog();
    await set([n], { MaxBitRate: -1, DuplexMode: 'Auto' }, {});
    expect(fx.fake.invocations().filter((a) => a[0] === 'uci' && a[1] !== '-q')).toEqual([]);
  });
});
