/**
 * Device.IP.Interface.{i}.IPv6Enable on OpenWrt behind a real agent, driven by our TestController
 * over a real loopback WebSocket. ubus and uci are the stand-ins of
 * test/unit/platform/openwrt/fake-openwrt.ts, first on PATH: `uci show network` answers the
 * network config checked against OpenWrt's own uci (uci-show-network.txt), and after the commit
 * that config with the `ipv6 '0'` that `uci set` appends to the br-lan device section (written
 * here). Every command the agent runs is logged and compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../datamodel/UspError.js';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { fakeOpenWrt, type FakeOpenWrt, FIXTURES } from '../unit/platform/openwrt/fake-openwrt.js';

const RELOAD = ['ubus', 'call', 'network', 'reload'];
const COMMIT = ['uci', 'commit', 'network'];
const LAN = 'Device.IP.Interface.2.';
const WAN = 'Device.IP.Interface.1.';

describe('OpenWrt IP.Interface IPv6Enable as the device’s ipv6 option, over WebSocket', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  const writes = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || (a[0] === 'ubus' && a[1] === 'call' && a[2] === 'network'));
  const shown = fs.readFileSync(path.join(FIXTURES, 'uci-show-network.txt'), 'utf8');

  beforeAll(async () => {
    fake = fakeOpenWrt();
    fake.respondUci('network', { text: shown });
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('refuses IPv6Enable false on wan, whose device wan6 shares, and on a value that is no boolean, writing nothing', async () => {
    fake.clearLog();
    expect(await trySet(f.controller, WAN, { IPv6Enable: 'false' })).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidValue });
    expect(await trySet(f.controller, LAN, { IPv6Enable: 'off' })).toMatchObject({ ok: false });
    expect(writes()).toEqual([]);
  });

  it('IPv6Enable false on lan sets ipv6 0 on its br-lan device section; true deletes it again', async () => {
    const off = shown.replace("network.cfg030f15.ports='eth0'\n", "network.cfg030f15.ports='eth0'\nnetwork.cfg030f15.ipv6='0'\n");
    fake.respondUciAfterCommit('network', { text: off });
    fake.clearLog();
    await set(f.controller, LAN, { IPv6Enable: 'false' });
    expect(writes()).toEqual([['uci', 'set', 'network.cfg030f15.ipv6=0'], COMMIT, RELOAD]);
    expect((await getObjects(f.controller, [LAN]))[LAN]).toMatchObject({ IPv6Enable: 'false', Enable: 'true' });

    fake.respondUciAfterCommit('network', { text: shown });
    fake.clearLog();
    await set(f.controller, LAN, { IPv6Enable: 'true' });
    expect(writes()).toEqual([['uci', 'delete', 'network.cfg030f15.ipv6'], COMMIT, RELOAD]);
    expect((await getObjects(f.controller, [LAN]))[LAN]).toMatchObject({ IPv6Enable: 'true' });
  });
});
