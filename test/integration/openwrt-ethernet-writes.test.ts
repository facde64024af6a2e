/**
 * The OpenWrt platform's Ethernet.Interface writes behind a real agent, driven by our
 * TestController over a real loopback WebSocket: MaxBitRate/DuplexMode forced and back to
 * autonegotiation, a port disabled and enabled again, on a port with no `config device` section
 * (the agent creates `usp_port_eth0`) and on one with LuCI's anonymous section (the DSA router's
 * `wan`). ubus and uci are the recorded stand-ins of test/unit/platform/openwrt/fake-openwrt.ts:
 * `uci show network` answers what OpenWrt's own uci printed before and after the very commands the
 * agent runs (test/fixtures/openwrt/README.md), and every command the agent runs is logged and
 * compared. Refusals (a mixed pair, a mode the port lacks, the default route's port, a failing
 * commit as on a read-only /etc/config) write nothing, or revert, and leave `uci show` as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { dsaRouter } from '../unit/platform/openwrt/dsa-router.js';
import { defaultResponses, fakeOpenWrt, FIXTURES, type FakeOpenWrt, type Response } from '../unit/platform/openwrt/fake-openwrt.js';

const ETH0 = 'Device.Ethernet.Interface.1.';
const ETH1 = 'Device.Ethernet.Interface.2.';
const RELOAD = ['ubus', 'call', 'network', 'reload'];
const COMMIT = ['uci', 'commit', 'network'];
const SHOW = ['uci', '-q', '-X', 'show', 'network'];

type Outcome = { ok: true } | { ok: false; errCode: number; paramErrCode?: number; errMsg: string };
const code = (r: Outcome): number => (r.ok ? 0 : (r.paramErrCode ?? r.errCode));

/** What `uci show network` prints now, through the stand-in (the agent's own reading of the config). */
function uciShow(fake: FakeOpenWrt): string {
  const now = path.join(fake.dir, 'uci-now-network.json');
  const manifest = JSON.parse(fs.readFileSync(path.join(fake.dir, 'responses.json'), 'utf8')) as { uci: Record<string, Response> };
  const r = (fs.existsSync(now) ? JSON.parse(fs.readFileSync(now, 'utf8')) : manifest.uci.network) as { file: string };
  return fs.readFileSync(path.join(FIXTURES, r.file), 'utf8');
}

describe('OpenWrt Ethernet.Interface writes over WebSocket (recorded uci)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  const writes = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));
  const status = defaultResponses()['network.device status'] as { json: Record<string, unknown> };

  beforeAll(async () => {
    fake = fakeOpenWrt();
    // The recorded device's network config alone, as OpenWrt's uci printed it.
    fake.respondUci('network', { file: 'uci-show-network.txt' });
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('forces eth0 to 100 Mbit/s full duplex in a new section, then back to autonegotiation', async () => {
    const before = (await getObjects(f.controller, [ETH0]))[ETH0];
    expect(before).toMatchObject({ Name: 'eth0', Enable: 'true', MaxBitRate: '-1', DuplexMode: 'Auto', CurrentBitRate: '1000' });

    fake.clearLog();
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.port-forced.txt' });
    await set(f.controller, ETH0, { MaxBitRate: '100', DuplexMode: 'Full' });
    expect(writes()).toEqual([
      ['uci', 'set', 'network.usp_port_eth0=device'],
      ['uci', 'set', 'network.usp_port_eth0.name=eth0'],
      ['uci', 'set', 'network.usp_port_eth0.autoneg=0'],
      ['uci', 'set', 'network.usp_port_eth0.speed=100'],
      ['uci', 'set', 'network.usp_port_eth0.duplex=1'],
      COMMIT,
      RELOAD,
    ]);
    expect((await getObjects(f.controller, [ETH0]))[ETH0]).toMatchObject({ MaxBitRate: '100', DuplexMode: 'Full' });

    fake.clearLog();
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.port-auto.txt' });
    await set(f.controller, ETH0, { MaxBitRate: '-1', DuplexMode: 'Auto' });
    // netifd applies only the options a section has: autonegotiation must be said, not implied.
    expect(writes()).toEqual([['uci', 'set', 'network.usp_port_eth0.autoneg=1'], ['uci', 'delete', 'network.usp_port_eth0.speed'], ['uci', 'delete', 'network.usp_port_eth0.duplex'], COMMIT, RELOAD]);
    expect((await getObjects(f.controller, [ETH0]))[ETH0]).toMatchObject({ MaxBitRate: '-1', DuplexMode: 'Auto' });
  });

  it('disables eth0 (it stays a row while netifd leaves it out) and enables it again', async () => {
    fake.clearLog();
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.port-disabled.txt' });
    await set(f.controller, ETH0, { Enable: 'false' });
    expect(writes()).toEqual([['uci', 'set', 'network.usp_port_eth0.enabled=0'], COMMIT, RELOAD]);
    // netifd treats a disabled device as absent: its argument-less dump no longer lists eth0.
    const { eth0: _, ...others } = status.json;
    fake.respond('network.device status', { json: others });
    const off = await getObjects(f.controller, ['Device.Ethernet.Interface.*.']);
    expect(off[ETH0]).toMatchObject({ Name: 'eth0', Enable: 'false', Status: 'Down', MaxBitRate: '-1', DuplexMode: 'Auto' });
    expect(off[ETH1]).toMatchObject({ Name: 'eth1', Enable: 'true' });

    fake.clearLog();
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.port-auto.txt' });
    await set(f.controller, ETH0, { Enable: 'true' });
    expect(writes()).toEqual([['uci', 'delete', 'network.usp_port_eth0.enabled'], COMMIT, RELOAD]);
    fake.respond('network.device status', status);
    expect((await getObjects(f.controller, [ETH0]))[ETH0]).toMatchObject({ Enable: 'true', Status: 'Up' });
  });

  it('refuses a mixed pair, a mode the port lacks and disabling the default route port (7012), writing nothing', async () => {
    const shown = uciShow(fake);
    fake.clearLog();
    const refused = [
      await trySet(f.controller, ETH0, { MaxBitRate: '100' }), // DuplexMode stays Auto
      await trySet(f.controller, ETH0, { MaxBitRate: '-1', DuplexMode: 'Half' }),
      await trySet(f.controller, ETH0, { MaxBitRate: '1000', DuplexMode: 'Half' }), // no 1000baseT-H
      await trySet(f.controller, ETH0, { MaxBitRate: '2500', DuplexMode: 'Full' }), // fastest: 1000baseT-F
      await trySet(f.controller, ETH1, { Enable: 'false' }), // wan (eth1.2, VLAN 2 of eth1) holds the default route
    ];
    expect(refused.map(code)).toEqual([7012, 7012, 7012, 7012, 7012]);
    expect(refused[4]!.ok === false && refused[4]!.errMsg).toMatch(/default route/);
    expect(writes()).toEqual([]);
    expect(uciShow(fake)).toBe(shown);
    expect(fake.invocations().filter((a) => a[0] === 'uci' && a.join(' ') !== SHOW.join(' '))).toEqual([]);
  });

  it('a failing commit (a read-only /etc/config) reverts, reloads nothing and changes nothing', async () => {
    const shown = uciShow(fake);
    fake.clearLog();
    fake.failCommit(true, 'network');
    const r = await trySet(f.controller, ETH0, { MaxBitRate: '10', DuplexMode: 'Half' });
    fake.failCommit(false);
    expect(r.ok).toBe(false);
    expect(code(r)).toBe(7003);
    expect(writes()).toEqual([
      ['uci', 'set', 'network.usp_port_eth0.autoneg=0'],
      ['uci', 'set', 'network.usp_port_eth0.speed=10'],
      ['uci', 'set', 'network.usp_port_eth0.duplex=0'],
      COMMIT,
      ['uci', 'revert', 'network'],
    ]);
    expect(uciShow(fake)).toBe(shown);
    expect((await getObjects(f.controller, [ETH0]))[ETH0]).toMatchObject({ MaxBitRate: '-1', DuplexMode: 'Auto' });
  });
});

describe('OpenWrt Ethernet.Interface writes on a DSA port with its own section (recorded uci)', () => {
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

  it("forces the wan port to 10 Mbit/s half duplex in LuCI's section of it", async () => {
    const all = await getObjects(f.controller, ['Device.Ethernet.Interface.*.']);
    const wan = Object.keys(all).find((p) => all[p]!.Name === 'wan')!;
    fake.clearLog();
    fake.respondUciAfterCommit('network', { file: 'uci-show-network.24.10-dsa.port-forced.txt' });
    await set(f.controller, wan, { MaxBitRate: '10', DuplexMode: 'Half' });
    expect(writes()).toEqual([['uci', 'set', 'network.cfg040f15.autoneg=0'], ['uci', 'set', 'network.cfg040f15.speed=10'], ['uci', 'set', 'network.cfg040f15.duplex=0'], COMMIT, RELOAD]);
    expect((await getObjects(f.controller, [wan]))[wan]).toMatchObject({ Name: 'wan', MaxBitRate: '10', DuplexMode: 'Half' });
  });
});
