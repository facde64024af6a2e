/**
 * Hosts.AccessControl.{i}.ScheduleRef on OpenWrt behind a real agent, driven by our
 * TestController over a real loopback WebSocket: an Allow row naming a Device.Schedules row
 * becomes the same fw4 `rule` sections a Schedule.{i} window makes (REJECT lan → wan with
 * weekdays/start_time/stop_time outside the window); a reference to no row is refused (7012)
 * with nothing written. ubus and uci are the stand-ins of
 * test/unit/platform/openwrt/fake-openwrt.ts answering `uci show firewall` with OpenWrt's own
 * recorded output (test/fixtures/openwrt/README.md); what is checked is the uci commands the
 * agent runs, at that boundary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Request } from '../../agent/codec/types.js';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { add, set, trySet } from '../peers/controller-steps.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { fakeOpenWrt, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const FW_RELOAD = ['/etc/init.d/firewall', 'reload'];
const COMMIT = ['uci', 'commit', 'firewall'];
const MAC = '02:11:22:33:44:55';

describe('OpenWrt AccessControl ScheduleRef as fw4 rules (recorded uci)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  const c = { send: (r: Request) => f.controller.send(r, 25_000) };
  const writes = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a[0] === FW_RELOAD[0]);
  const base = (name: string): string[][] => [
    ['uci', 'set', `firewall.${name}=rule`],
    ['uci', 'set', `firewall.${name}.name=usp-agent Device.Hosts.AccessControl.1`],
    ['uci', 'set', `firewall.${name}.src=lan`],
    ['uci', 'set', `firewall.${name}.dest=wan`],
    ['uci', 'set', `firewall.${name}.src_mac=${MAC}`],
    ['uci', 'set', `firewall.${name}.proto=all`],
    ['uci', 'set', `firewall.${name}.target=REJECT`],
  ];

  beforeAll(async () => {
    fake = fakeOpenWrt();
    fake.respondUci('firewall', { file: 'uci-show-firewall.uci.txt' });
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('an Allow row referring to a Schedule blocks outside its window; a reference to no row is 7012 with nothing written', async () => {
    const sched = await add(c, 'Device.Schedules.Schedule.', { Enable: 'true', Day: 'Monday,Tuesday', StartTime: '08:00', Duration: '3600' });
    const row = await add(c, 'Device.Hosts.AccessControl.', { PhysAddress: MAC, AccessPolicy: 'Allow', Enable: 'true' });
    fake.clearLog();
    const bad = await trySet(c, row, { ScheduleRef: 'Device.Schedules.Schedule.5' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.paramErrCode ?? bad.errCode).toBe(7012);
    expect(writes()).toEqual([]);
    await set(c, row, { ScheduleRef: sched });
    expect(writes()).toEqual([
      ...base('usp_ac_1_1'),
      ['uci', 'set', 'firewall.usp_ac_1_1.weekdays=Mon Tue'],
      ['uci', 'set', 'firewall.usp_ac_1_1.start_time=00:00:00'],
      ['uci', 'set', 'firewall.usp_ac_1_1.stop_time=07:59:59'],
      ...base('usp_ac_1_2'),
      ['uci', 'set', 'firewall.usp_ac_1_2.weekdays=Mon Tue'],
      ['uci', 'set', 'firewall.usp_ac_1_2.start_time=09:00:00'],
      ['uci', 'set', 'firewall.usp_ac_1_2.stop_time=23:59:59'],
      ...base('usp_ac_1_3'),
      ['uci', 'set', 'firewall.usp_ac_1_3.weekdays=Wed Thu Fri Sat Sun'],
      COMMIT,
      FW_RELOAD,
    ]);
  });
});
