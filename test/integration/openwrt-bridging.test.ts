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
import { add, del, set, tryAdd, trySet } from '../peers/controller-steps.js';
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

describe('OpenWrt bridges added and deleted over WebSocket (recorded uci)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  const writes = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));
  const code = (r: { ok: boolean; errCode?: number; paramErrCode?: number }): number => (r.ok ? 0 : (r.paramErrCode ?? r.errCode ?? -1));

  beforeAll(async () => {
    fake = dsaRouter();
    fake.respondUci('network', { file: 'uci-show-network.24.10-dsa.uci.txt' });
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('adds a bridge (a new device section of type bridge, disabled as TR-181 defaults it) and deletes it', async () => {
    fake.clearLog();
    // What OpenWrt's uci printed for `uci add network device` on this configuration.
    fake.willAdd('cfg0a0f15');
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.24.10-dsa.bridge-added.txt' });
    const row = await add(f.controller, 'Device.Bridging.Bridge.', {});
    expect(row).toBe('Device.Bridging.Bridge.2.');
    expect(writes()).toEqual([
      ['uci', 'add', 'network', 'device'],
      ['uci', 'set', 'network.cfg0a0f15.name=br-usp1'],
      ['uci', 'set', 'network.cfg0a0f15.type=bridge'],
      ['uci', 'set', 'network.cfg0a0f15.enabled=0'],
      COMMIT,
      RELOAD,
    ]);
    const v = await getObjects(f.controller, [row, `${row}Port.*.`]);
    expect(v[row]).toMatchObject({ Name: 'br-usp1', Enable: 'false', Status: 'Disabled', Standard: '802.1D-2004', PortNumberOfEntries: '1' });
    // Its management port, the bridge itself; no member yet.
    expect(v[`${row}Port.1.`]).toMatchObject({ Name: 'br-usp1', ManagementPort: 'true' });

    fake.clearLog();
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.24.10-dsa.uci.txt' });
    await del(f.controller, row);
    expect(writes()).toEqual([['uci', 'delete', 'network.cfg0a0f15'], COMMIT, RELOAD]);
    expect((await getObjects(f.controller, ['Device.Bridging.']))['Device.Bridging.']).toMatchObject({ BridgeNumberOfEntries: '1' });
  });

  it('adds an enabled 802.1Q bridge (vlan_filtering) with its AgingTime and a VLAN; Delete takes the VLAN section with it', async () => {
    fake.clearLog();
    fake.willAdd('cfg0a0f15');
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.24.10-dsa.bridge-added-8021q.txt' });
    const row = await add(f.controller, 'Device.Bridging.Bridge.', { Enable: 'true', Standard: '802.1Q-2011', AgingTime: '600' });
    // Instance numbers are not reused.
    expect(row).toBe('Device.Bridging.Bridge.3.');
    expect(writes()).toEqual([
      ['uci', 'add', 'network', 'device'],
      ['uci', 'set', 'network.cfg0a0f15.name=br-usp1'],
      ['uci', 'set', 'network.cfg0a0f15.type=bridge'],
      ['uci', 'set', 'network.cfg0a0f15.vlan_filtering=1'],
      ['uci', 'set', 'network.cfg0a0f15.ageing_time=600'],
      COMMIT,
      RELOAD,
    ]);
    expect((await getObjects(f.controller, [row]))[row]).toMatchObject({ Name: 'br-usp1', Enable: 'true', Standard: '802.1Q-2011', AgingTime: '600' });

    fake.clearLog();
    fake.willAdd('cfg0ba1b0');
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.24.10-dsa.bridge-vlan-added.txt' });
    await add(f.controller, `${row}VLAN.`, { VLANID: '20' });
    expect(writes()).toEqual([['uci', 'add', 'network', 'bridge-vlan'], ['uci', 'set', 'network.cfg0ba1b0.device=br-usp1'], ['uci', 'set', 'network.cfg0ba1b0.vlan=20'], COMMIT, RELOAD]);
    fake.clearLog();
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.24.10-dsa.uci.txt' });
    await del(f.controller, row);
    expect(writes()).toEqual([['uci', 'delete', 'network.cfg0ba1b0'], ['uci', 'delete', 'network.cfg0a0f15'], COMMIT, RELOAD]);
  });

  it('sets Enable, Standard and AgingTime of an existing bridge through UCI; a later failure in the same Set writes the old values back', async () => {
    fake.clearLog();
    fake.willAdd('cfg0a0f15');
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.24.10-dsa.bridge-added.txt' });
    const row = await add(f.controller, 'Device.Bridging.Bridge.', {});
    fake.clearLog();
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.24.10-dsa.bridge-set.txt' });
    await set(f.controller, row, { Enable: 'true', Standard: '802.1Q-2011', AgingTime: '120' });
    expect(writes()).toEqual([
      ['uci', 'set', 'network.cfg0a0f15.enabled=1'],
      ['uci', 'set', 'network.cfg0a0f15.vlan_filtering=1'],
      ['uci', 'set', 'network.cfg0a0f15.ageing_time=120'],
      COMMIT,
      RELOAD,
    ]);
    expect((await getObjects(f.controller, [row]))[row]).toMatchObject({ Enable: 'true', Standard: '802.1Q-2011', AgingTime: '120' });

    // One Set, allow_partial false: the new bridge's AgingTime is written, then br-lan's 802.1D-2004
    // is refused (its VLAN rows keep netifd filtering): the AgingTime is written back.
    fake.clearLog();
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.24.10-dsa.bridge-set-600.txt' });
    const m = await f.controller.send({
      reqType: 'set',
      set: {
        allowPartial: false,
        updateObjs: [
          { objPath: row, paramSettings: [{ param: 'AgingTime', value: '600', required: true }] },
          { objPath: B, paramSettings: [{ param: 'Standard', value: '802.1D-2004', required: true }] },
        ],
      },
    });
    if (m.body.msgBody !== 'error') throw new Error(`expected an Error, got ${JSON.stringify(m.body)}`);
    expect(m.body.error.paramErrs).toEqual([expect.objectContaining({ paramPath: `${B}Standard`, errCode: 7012 })]);
    expect(JSON.stringify(m.body)).toContain('bridge-vlan');
    expect(writes()).toEqual([['uci', 'set', 'network.cfg0a0f15.ageing_time=600'], COMMIT, RELOAD, ['uci', 'set', 'network.cfg0a0f15.ageing_time=120'], COMMIT, RELOAD]);

    fake.clearLog();
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.24.10-dsa.uci.txt' });
    await del(f.controller, row);
  });

  it('refuses, writing nothing: deleting br-lan while interface lan sits on it (7024), a Standard netifd has no setting for (7012)', async () => {
    fake.clearLog();
    const m = await f.controller.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [B] } });
    expect(m.body.msgBody === 'error' ? m.body.error.errCode : m.body).toBe(7024);
    expect(JSON.stringify(m.body)).toContain('carries interface lan');
    expect(code(await tryAdd(f.controller, 'Device.Bridging.Bridge.', { Standard: '802.1Q-2005' }))).toBe(7012);
    expect(code(await trySet(f.controller, B, { Standard: '802.1Q-2005' }))).toBe(7012);
    expect(writes()).toEqual([]);
  });

  it('a Controller disables and enables a member port (its device section) and moves a member to another netdev (LowerLayers)', async () => {
    const ports = await getObjects(f.controller, [`${B}Port.*.`]);
    const rowOf = (name: string): string => Object.keys(ports).find((k) => ports[k]!.Name === name)!;
    const lan1 = rowOf('lan1');
    const original = fs.readFileSync(path.join(FIXTURES, 'uci-show-network.24.10-dsa.uci.txt'), 'utf8');

    fake.clearLog();
    fake.respondUciAfterCommit('network', { text: `${original}network.usp_port_lan1=device\nnetwork.usp_port_lan1.name='lan1'\nnetwork.usp_port_lan1.enabled='0'\n` });
    await set(f.controller, lan1, { Enable: 'false' });
    expect((await getObjects(f.controller, [lan1]))[lan1]).toMatchObject({ Name: 'lan1', Enable: 'false' });
    fake.respondUciAfterCommit('network', { text: original });
    await set(f.controller, lan1, { Enable: 'true' });
    expect(writes()).toEqual([
      ['uci', 'set', 'network.usp_port_lan1=device'],
      ['uci', 'set', 'network.usp_port_lan1.name=lan1'],
      ['uci', 'set', 'network.usp_port_lan1.enabled=0'],
      COMMIT,
      RELOAD,
      ['uci', 'delete', 'network.usp_port_lan1.enabled'],
      COMMIT,
      RELOAD,
    ]);
    expect((await getObjects(f.controller, [lan1]))[lan1]).toMatchObject({ Enable: 'true' });

    // lan4 out of the bridge (recorded), then lan3's row moved onto it.
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.24.10-dsa.port-deleted.txt' });
    fake.respond('network.device status', deviceStatus(['lan1', 'lan2', 'lan3', 'phy1-ap0']));
    await del(f.controller, rowOf('lan4'));
    const lan3 = rowOf('lan3');
    fake.clearLog();
    // uci shows what the delete left until the next commit, then the move (lan3 → lan4 in the same places).
    fake.respondUci('network', { file: 'uci-show-network.24.10-dsa.port-deleted.txt' });
    const moved = fs.readFileSync(path.join(FIXTURES, 'uci-show-network.24.10-dsa.port-deleted.txt'), 'utf8').replace(/lan3/g, 'lan4');
    fake.respondUciAfterCommit('network', { text: moved });
    await set(f.controller, lan3, { LowerLayers: 'Device.Ethernet.Interface.5' });
    // What netifd lists once the reload moved the port.
    fake.respond('network.device status', deviceStatus(['lan1', 'lan2', 'lan4', 'phy1-ap0']));
    expect(writes().filter((a) => a[1] === 'add_list' && a[2]!.includes('lan4'))).toEqual([
      ['uci', 'add_list', 'network.cfg030f15.ports=lan4'],
      ['uci', 'add_list', 'network.cfg08a1b0.ports=lan4:u*'],
      ['uci', 'add_list', 'network.cfg09a1b0.ports=lan4:t'],
    ]);
    expect((await getObjects(f.controller, [lan3]))[lan3]).toMatchObject({ Name: 'lan4', LowerLayers: 'Device.Ethernet.Interface.5' });
    expect(code(await trySet(f.controller, `${B}Port.1.`, { LowerLayers: 'Device.Ethernet.Interface.2' }))).toBe(7012);
  });
});
