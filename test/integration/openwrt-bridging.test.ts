/**
 * The OpenWrt platform's Bridging behind a real agent, driven by our TestController over a real
 * loopback WebSocket: a bridge port deleted and added back, a VLAN added, bad inputs and a
 * failing `uci commit` that changes nothing. ubus and uci are the recorded stand-ins of
 * test/unit/platform/openwrt/fake-openwrt.ts, first on PATH: `uci show network` answers what
 * OpenWrt's own uci printed before and after the very commands the agent runs
 * (test/fixtures/openwrt/README.md), and every command the agent runs is logged and compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { add, del, tryAdd } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { dsaRouter } from '../unit/platform/openwrt/dsa-router.js';
import { FIXTURES, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const B = 'Device.Bridging.Bridge.1.';
const RELOAD = ['ubus', 'call', 'network', 'reload'];
const COMMIT = ['uci', 'commit', 'network'];

/** `network.device status` of the DSA router with br-lan's members as netifd lists them after a reload. */
function deviceStatus(members: string[]): { json: unknown } {
  const status = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-network-device-status.24.10-dsa.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  status['br-lan']!['bridge-members'] = members;
  return { json: status };
}

describe('OpenWrt bridge ports and VLANs over WebSocket (recorded uci)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  const writes = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));

  beforeAll(async () => {
    fake = dsaRouter();
    fake.respondUci('network', { file: 'uci-show-network.24.10-dsa.uci.txt' });
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('a Controller deletes lan4 from br-lan and adds it back; a member already there and a failing commit change nothing', async () => {
    const before = await getObjects(f.controller, [`${B}Port.*.`, 'Device.Bridging.']);
    expect(before['Device.Bridging.']).toMatchObject({ MaxBridgeEntries: '16', BridgeNumberOfEntries: '1' });
    expect(before[`${B}Port.5.`]).toMatchObject({ Name: 'lan4', LowerLayers: 'Device.Ethernet.Interface.5' });

    fake.clearLog();
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.24.10-dsa.port-deleted.txt' });
    fake.respond('network.device status', deviceStatus(['lan1', 'lan2', 'lan3', 'phy1-ap0']));
    await del(f.controller, `${B}Port.5.`);
    expect(writes()).toEqual([
      ['uci', 'del_list', 'network.cfg030f15.ports=lan4'],
      ['uci', 'delete', 'network.cfg09a1b0.ports'],
      ['uci', 'add_list', 'network.cfg09a1b0.ports=lan2:t'],
      ['uci', 'add_list', 'network.cfg09a1b0.ports=lan3:t'],
      COMMIT,
      RELOAD,
    ]);
    expect((await getObjects(f.controller, [B]))[B]).toMatchObject({ PortNumberOfEntries: '5', VLANPortNumberOfEntries: '5' });

    fake.clearLog();
    const dup = await tryAdd(f.controller, `${B}Port.`, { LowerLayers: 'Device.Ethernet.Interface.2' });
    expect(dup.ok).toBe(false);
    fake.failCommit(true);
    const failed = await tryAdd(f.controller, `${B}Port.`, { LowerLayers: 'Device.Ethernet.Interface.5' });
    fake.failCommit(false);
    expect(failed.ok).toBe(false);
    expect(writes()).toEqual([['uci', 'add_list', 'network.cfg030f15.ports=lan4'], COMMIT, ['uci', 'revert', 'network']]);

    fake.clearLog();
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.24.10-dsa.port-added.txt' });
    const row = await add(f.controller, `${B}Port.`, { LowerLayers: 'Device.Ethernet.Interface.5' });
    expect(writes()).toEqual([['uci', 'add_list', 'network.cfg030f15.ports=lan4'], COMMIT, RELOAD]);
    // What netifd reports once the reload put lan4 back in the bridge.
    fake.respond('network.device status', deviceStatus(['lan1', 'lan2', 'lan3', 'lan4', 'phy1-ap0']));
    expect((await getObjects(f.controller, [row]))[row]).toMatchObject({ Name: 'lan4', Status: 'Up', ManagementPort: 'false' });
  });

  it('a Controller adds a VLAN (uci add network bridge-vlan); a VLANID in use is refused before any write', async () => {
    fake.clearLog();
    const dup = await tryAdd(f.controller, `${B}VLAN.`, { VLANID: '10' });
    expect(dup.ok).toBe(false);
    expect(writes()).toEqual([]);
    fake.willAdd('cfg0aa1b0');
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.24.10-dsa.vlan-added.txt' });
    const row = await add(f.controller, `${B}VLAN.`, { VLANID: '20', Name: 'Guest' });
    expect(writes()).toEqual([
      ['uci', 'add', 'network', 'bridge-vlan'],
      ['uci', 'set', 'network.cfg0aa1b0.device=br-lan'],
      ['uci', 'set', 'network.cfg0aa1b0.vlan=20'],
      ['uci', 'set', 'network.cfg0aa1b0.description=Guest'],
      COMMIT,
      RELOAD,
    ]);
    expect((await getObjects(f.controller, [row]))[row]).toMatchObject({ VLANID: '20', Name: 'Guest', Enable: 'true' });
  });
});
