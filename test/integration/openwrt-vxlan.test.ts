/**
 * Device.VXLAN on OpenWrt behind a real agent, driven by our TestController over a real loopback
 * WebSocket: a Tunnel and its Interface added become the netifd `proto vxlan` section
 * usp_vxlan_1_1 (exact uci commands), a DSCP netifd cannot carry is refused writing nothing, and
 * the Interface is deleted again. ubus and uci are the stand-ins of
 * test/unit/platform/openwrt/fake-openwrt.ts, first on PATH; the vxlan package is a stand-in
 * handler file (only its presence is read); what `uci show network` prints after the Add is
 * written here in uci's format (the section the agent's commands make).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { add, del, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { defaultUci, fakeOpenWrt, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const RELOAD = 'ubus call network reload';

describe('OpenWrt VXLAN over WebSocket (fake ubus/uci, netifd proto vxlan)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  const writes = (): string[] =>
    fake
      .invocations()
      .filter((a) => (a[0] === 'uci' && !a.includes('show')) || a.join(' ') === RELOAD)
      .map((a) => a.join(' '));

  beforeAll(async () => {
    fake = fakeOpenWrt();
    fs.mkdirSync(path.join(fake.bin, 'lib', 'netifd', 'proto'), { recursive: true });
    fs.writeFileSync(path.join(fake.bin, 'lib', 'netifd', 'proto', 'vxlan.sh'), '');
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('adds a Tunnel and Interface as a netifd vxlan section, refuses what netifd cannot carry, deletes it', async () => {
    fake.clearLog();
    const tunnel = await add(f.controller, 'Device.VXLAN.Tunnel.', { Enable: 'true', RemoteEndpoints: '198.51.100.4', RemotePort: '8472' });
    expect(writes()).toEqual([]);
    fake.respondUciAfterCommit('network', {
      text: `${(defaultUci().network as { text: string }).text}network.usp_vxlan_1_1=interface\nnetwork.usp_vxlan_1_1.proto='vxlan'\nnetwork.usp_vxlan_1_1.peeraddr='198.51.100.4'\nnetwork.usp_vxlan_1_1.port='8472'\nnetwork.usp_vxlan_1_1.vid='7'\n`,
    });
    const iface = await add(f.controller, `${tunnel}Interface.`, { Enable: 'true', VNI: '7' });
    expect(iface).toBe('Device.VXLAN.Tunnel.1.Interface.1.');
    expect(writes()).toEqual([
      'uci set network.usp_vxlan_1_1=interface',
      'uci set network.usp_vxlan_1_1.proto=vxlan',
      'uci set network.usp_vxlan_1_1.peeraddr=198.51.100.4',
      'uci set network.usp_vxlan_1_1.port=8472',
      'uci set network.usp_vxlan_1_1.vid=7',
      'uci commit network',
      RELOAD,
    ]);
    // The recorded netifd has no such interface yet: wanted and missing.
    expect((await getObjects(f.controller, [iface]))[iface]).toMatchObject({ Name: 'usp_vxlan_1_1', VNI: '7', Status: 'Error' });

    fake.clearLog();
    const r = await trySet(f.controller, tunnel, { DefaultDSCPMark: '46' });
    expect(r.ok ? 0 : (r.paramErrCode ?? r.errCode)).toBe(7012);
    expect(writes()).toEqual([]);

    await del(f.controller, iface);
    expect(writes()).toEqual(['uci delete network.usp_vxlan_1_1', 'uci commit network', RELOAD]);
  });
});
