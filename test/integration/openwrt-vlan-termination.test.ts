/**
 * Device.Ethernet.VLANTermination on OpenWrt behind a real agent, driven by our TestController
 * over a real loopback WebSocket: the recorded router's wan VLAN eth1.2 reads and shows in the
 * InterfaceStack over eth1's Link; a tagged 802.1ad device is added as a `config device` section
 * and deleted again; bad input writes nothing. ubus and uci are the stand-ins of
 * test/unit/platform/openwrt/fake-openwrt.ts, first on PATH; what `uci show network` prints after
 * the Add is written here in uci's format (the section the agent's commands make).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { add, del, tryAdd } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { defaultUci, fakeOpenWrt, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const VLAN = 'Device.Ethernet.VLANTermination.';
const RELOAD = ['ubus', 'call', 'network', 'reload'];

describe('OpenWrt VLAN terminations over WebSocket (fake ubus/uci)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  const writes = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && !a.includes('show')) || a.join(' ') === RELOAD.join(' '));

  beforeAll(async () => {
    fake = fakeOpenWrt();
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    await f?.close();
  });

  const linkOf = async (name: string): Promise<string> => {
    const links = await getObjects(f.controller, ['Device.Ethernet.Link.*.Name']);
    const path = Object.entries(links).find(([, v]) => v.Name === name)?.[0];
    if (!path) throw new Error(`no Link of ${name}`);
    return path.slice(0, -1);
  };

  it("reads the wan's eth1.2 over eth1's Link, in the InterfaceStack; adds and deletes an 802.1ad device; refuses bad input", async () => {
    const eth1 = await linkOf('eth1');
    const rows = await getObjects(f.controller, [`${VLAN}*.`]);
    expect(rows[`${VLAN}1.`]).toMatchObject({ Name: 'eth1.2', Status: 'Up', VLANID: '2', TPID: '33024', LowerLayers: eth1 });
    expect(rows[`${VLAN}1.Stats.`]).toMatchObject({ BytesReceived: '9776543210' });
    await expect
      .poll(async () => Object.values(await getObjects(f.controller, ['Device.InterfaceStack.*.'])).some((r) => r.HigherLayer === `${VLAN}1` && r.LowerLayer === eth1), { timeout: 15_000 })
      .toBe(true);

    fake.clearLog();
    for (const params of [
      { LowerLayers: eth1, VLANID: '0' },
      { LowerLayers: eth1, VLANID: '4095' },
      { LowerLayers: 'Device.Ethernet.Interface.1', VLANID: '7' },
      { LowerLayers: eth1, VLANID: '2' },
    ]) {
      const r = await tryAdd(f.controller, VLAN, params);
      expect(r.ok ? 0 : (r.paramErrCode ?? r.errCode), JSON.stringify(params)).toBe(7012);
    }
    expect(writes()).toEqual([]);

    fake.respondUciAfterCommit('network', {
      text: `${String((defaultUci().network as { text: string }).text)}network.cfg0f0000=device\nnetwork.cfg0f0000.type='8021ad'\nnetwork.cfg0f0000.ifname='eth1'\nnetwork.cfg0f0000.vid='100'\nnetwork.cfg0f0000.name='eth1.100'\nnetwork.cfg0f0000.enabled='0'\n`,
    });
    const row = await add(f.controller, VLAN, { LowerLayers: eth1, VLANID: '100', TPID: '34984' });
    expect(writes()).toEqual([
      ['uci', 'add', 'network', 'device'],
      ['uci', 'set', 'network.cfg0f0000.ifname=eth1'],
      ['uci', 'set', 'network.cfg0f0000.vid=100'],
      ['uci', 'set', 'network.cfg0f0000.name=eth1.100'],
      ['uci', 'set', 'network.cfg0f0000.type=8021ad'],
      ['uci', 'set', 'network.cfg0f0000.enabled=0'],
      ['uci', 'commit', 'network'],
      RELOAD,
    ]);
    expect((await getObjects(f.controller, [row]))[row]).toMatchObject({ Name: 'eth1.100', Enable: 'false', Status: 'Down', VLANID: '100', TPID: '34984', LowerLayers: eth1 });
    fake.clearLog();
    await del(f.controller, row);
    expect(writes()).toEqual([['uci', 'delete', 'network.cfg0f0000'], ['uci', 'commit', 'network'], RELOAD]);
  });
});
