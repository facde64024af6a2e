/**
 * Device.Firewall. on OpenWrt (platform/openwrt/firewall.ts) behind a real agent, driven by our
 * TestController over a real loopback WebSocket: Enable false opens fw4's wan zone (input and
 * forward ACCEPT), true puts REJECT back, each written with uci, committed and reloaded; what
 * fw4's zone policies cannot express (Config High, Policy, Advanced without a Level) is refused
 * with 7012 and nothing written; Type is read-only (7013); a failing commit reverts and answers
 * 7003. Config Advanced (the agent has a store): the Controller's Level and Rule become fw4
 * include files and `config include` sections (firewall-advanced*.ts), Low removes them.
 * ubus and uci are the stand-ins of test/unit/platform/openwrt/fake-openwrt.ts: `uci show
 * firewall` answers with what OpenWrt's own uci printed for the shipped config
 * (uci-show-firewall.uci.txt, test/fixtures/openwrt/README.md); the state after a commit is that
 * output with the wan zone's two policies changed, written here.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Request } from '../../agent/codec/types.js';
import type { AgentFixture } from '../peers/agent-fixture.js';
import path from 'node:path';
import { add, set, trySet } from '../peers/controller-steps.js';
import { FW4_ADVANCED_INCLUDES } from '../../platform/openwrt/firewall-advanced-includes.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { fakeOpenWrt, FIXTURES, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const FW_RELOAD = ['/etc/init.d/firewall', 'reload'];
const COMMIT = ['uci', 'commit', 'firewall'];
const SHIPPED = fs.readFileSync(`${FIXTURES}uci-show-firewall.uci.txt`, 'utf8');
const OPENED = SHIPPED.replace("firewall.cfg03dc81.input='REJECT'", "firewall.cfg03dc81.input='ACCEPT'").replace("firewall.cfg03dc81.forward='REJECT'", "firewall.cfg03dc81.forward='ACCEPT'");

describe('OpenWrt Device.Firewall over the fw4 wan zone (recorded uci)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  /** The controller, waiting up to 25 s: a write here runs several stand-in processes in turn. */
  const c = { send: (r: Request) => f.controller.send(r, 25_000) };
  const writes = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a[0] === FW_RELOAD[0]);
  const firewall = async (): Promise<Record<string, string>> => (await getObjects(f.controller, ['Device.Firewall.']))['Device.Firewall.'] ?? {};

  beforeAll(async () => {
    fake = fakeOpenWrt();
    fake.respondUci('firewall', { file: 'uci-show-firewall.uci.txt' });
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    fake?.failCommit(false);
    await f?.close();
  });

  it('reads the shipped fw4 config as enabled at Low', async () => {
    expect(await firewall()).toMatchObject({ Enable: 'true', Config: 'Low', Type: 'Stateful', Version: '' });
  });

  it('refuses High, Advanced and Policy with 7012 and Type with 7013, writing nothing', async () => {
    fake.clearLog();
    for (const Config of ['High', 'Advanced', 'Policy']) {
      const r = await trySet(c, 'Device.Firewall.', { Config });
      expect(r.ok, Config).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, Config).toBe(7012);
    }
    const r = await trySet(c, 'Device.Firewall.', { Type: 'Stateless' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7013);
    await set(c, 'Device.Firewall.', { Config: 'Low' });
    expect(writes()).toEqual([]);
  });

  it('Enable false opens the wan zone, true closes it again', async () => {
    fake.respondUciAfterCommit('firewall', { text: OPENED });
    fake.clearLog();
    await set(c, 'Device.Firewall.', { Enable: 'false' });
    expect(writes()).toEqual([['uci', 'set', 'firewall.cfg03dc81.input=ACCEPT'], ['uci', 'set', 'firewall.cfg03dc81.forward=ACCEPT'], COMMIT, FW_RELOAD]);
    expect(await firewall()).toMatchObject({ Enable: 'false', Config: 'Low' });

    fake.respondUciAfterCommit('firewall', { text: SHIPPED });
    fake.clearLog();
    await set(c, 'Device.Firewall.', { Enable: 'true' });
    expect(writes()).toEqual([['uci', 'set', 'firewall.cfg03dc81.input=REJECT'], ['uci', 'set', 'firewall.cfg03dc81.forward=REJECT'], COMMIT, FW_RELOAD]);
    expect(await firewall()).toMatchObject({ Enable: 'true' });
  });

  it('a failing commit is reverted and answers 7003; the zone stays closed', async () => {
    fake.failCommit(true, 'firewall');
    fake.clearLog();
    const r = await trySet(c, 'Device.Firewall.', { Enable: 'false' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7003);
    expect(writes()).toEqual([['uci', 'set', 'firewall.cfg03dc81.input=ACCEPT'], ['uci', 'set', 'firewall.cfg03dc81.forward=ACCEPT'], COMMIT, ['uci', 'revert', 'firewall']]);
    fake.failCommit(false);
    expect(await firewall()).toMatchObject({ Enable: 'true' });
  });

  it('Config Advanced: the Controller’s Level and Rule become fw4 include files and sections; Low removes them', async () => {
    const level = (await add(c, 'Device.Firewall.Level.', { DefaultPolicy: 'Reject' })).replace(/\.$/, '');
    const chain = (await getObjects(f.controller, [`${level}.Chain`]))[`${level}.`]?.Chain ?? '';
    await add(c, `${chain}.Rule.`, { Enable: 'true', Protocol: '6', DestPort: '22', Target: 'Accept' });
    const dir = path.join(fake.bin, 'etc', 'usp-agent');
    const file = (i: number): string => path.join(dir, FW4_ADVANCED_INCLUDES[i]!.file);
    const sections = FW4_ADVANCED_INCLUDES.flatMap((inc, i) => [
      `firewall.${inc.section}=include`,
      `firewall.${inc.section}.type='nftables'`,
      `firewall.${inc.section}.path='${file(i)}'`,
      `firewall.${inc.section}.position='${inc.position}'`,
      ...(inc.chain ? [`firewall.${inc.section}.chain='${inc.chain}'`] : []),
    ]);
    fake.respondUciAfterCommit('firewall', { text: `${SHIPPED}${sections.join('\n')}\n` });
    fake.clearLog();
    await set(c, 'Device.Firewall.', { Config: 'Advanced', AdvancedLevel: level });
    expect(writes()).toContainEqual(['uci', 'set', 'firewall.usp_fwadv_input.chain=input_wan']);
    expect(writes().slice(-2)).toEqual([COMMIT, FW_RELOAD]);
    const n = chain.split('.').pop();
    expect(fs.readFileSync(file(0), 'utf8')).toContain(`chain usp_chain_${n} {\n\tmeta l4proto 6 th dport 22 accept\n}`);
    expect(fs.readFileSync(file(1), 'utf8')).toContain(`jump usp_chain_${n}\nmeta l4proto tcp reject with tcp reset\nreject\n`);
    expect(await firewall()).toMatchObject({ Enable: 'true', Config: 'Advanced', AdvancedLevel: level });

    fake.respondUciAfterCommit('firewall', { text: SHIPPED });
    fake.clearLog();
    await set(c, 'Device.Firewall.', { Config: 'Low' });
    expect(writes()).toEqual([...FW4_ADVANCED_INCLUDES.map((inc) => ['uci', 'delete', `firewall.${inc.section}`]), COMMIT, FW_RELOAD]);
    expect(fs.existsSync(file(0))).toBe(false);
    expect(await firewall()).toMatchObject({ Config: 'Low' });
  });
});
