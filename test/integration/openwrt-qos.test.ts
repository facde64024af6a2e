/**
 * Device.QoS. on OpenWrt through a Controller over WebSocket: the agent runs on the recorded
 * ubus/uci stand-ins (test/unit/platform/openwrt/fake-openwrt.ts) with the tc and nft stand-ins
 * of fake-tc.ts, which keep each device's root qdisc as the kernel would. What the rules do in a
 * kernel is linux-qos.test.ts's (the same compiler and writer, real nft and tc in namespaces);
 * here: OpenWrt serves the tables, a Queue on the wan interface becomes an HTB tree on its L3
 * device eth1.2, and a Shaper on a device SQM shapes (cake) is refused with 7012, leaving it be.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { add, tryAdd } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { fakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';
import { type FakeTc, installFakeTc } from '../unit/platform/openwrt/fake-tc.js';

describe('OpenWrt Device.QoS (stand-in tc and nft)', () => {
  let tc: FakeTc;
  let f: AgentFixture;
  let wan = '';
  let lan = '';

  beforeAll(async () => {
    const fake = fakeOpenWrt({ nft: true });
    tc = installFakeTc(fake);
    f = await startOpenWrtAgent(fake);
    const names = await getObjects(f.controller, ['Device.IP.Interface.*.Name']);
    const pathOf = (name: string): string =>
      Object.entries(names)
        .find(([, v]) => v.Name === name)![0]
        .slice(0, -1);
    [wan, lan] = [pathOf('wan'), pathOf('lan')];
  }, 60_000);
  afterAll(async () => {
    await f?.close();
  });

  it('a Queue on wan builds the HTB tree on eth1.2 and reads back Enabled on wan', async () => {
    const q = await add(f.controller, 'Device.QoS.Queue.', { Enable: 'true', Interface: wan, TrafficClasses: '2' });
    expect(tc.roots().find((r) => r.dev === 'eth1.2')).toMatchObject({ kind: 'htb', handle: '51:' });
    expect((await getObjects(f.controller, [q]))[q]).toMatchObject({ Interface: wan, Status: 'Enabled', TrafficClasses: '2' });
  });

  it('a Shaper on a device SQM shapes is refused (7012 on Interface) and the cake stays', async () => {
    tc.setRoot('br-lan', 'cake', '8001:');
    const r = await tryAdd(f.controller, 'Device.QoS.Shaper.', { Enable: 'true', Interface: lan, ShapingRate: '1000000' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7012);
    expect(tc.roots().find((r) => r.dev === 'br-lan')).toMatchObject({ kind: 'cake', handle: '8001:' });
    expect(tc.batchLines().filter((l) => l.includes('br-lan'))).toEqual([]);
  });
});
