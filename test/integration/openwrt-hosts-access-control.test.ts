/**
 * Device.Hosts.AccessControl. on OpenWrt (platform/openwrt/access-control.ts) behind a real
 * agent, driven by our TestController over a real loopback WebSocket: a row becomes fw4 `rule`
 * sections named `usp_ac_*` (src_mac, REJECT lan → wan, weekdays/start_time/stop_time outside
 * the Schedule windows), written with uci, committed and reloaded; a disabled row's section goes,
 * and the NAT port mapping whose anonymous section libuci renames then keeps its instance;
 * invalid values are refused with nothing written (a PhysAddressMask short of the whole MAC
 * too: fw4 matches whole MACs only); a failing commit reverts and keeps no row. Last, the port
 * mapping goes on all interfaces (src '*' and the agent's fw4 include files).
 * ubus and uci are the stand-ins of test/unit/platform/openwrt/fake-openwrt.ts, answering `uci
 * show firewall` with what OpenWrt's own uci printed after the same commands
 * (test/fixtures/openwrt/README.md); every command the agent runs is logged and compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Request } from '../../agent/codec/types.js';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { add, get, set, tryAdd } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { FIXTURES, fakeOpenWrt, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const FW_RELOAD = ['/etc/init.d/firewall', 'reload'];
const COMMIT = ['uci', 'commit', 'firewall'];
/** The laptop of the recorded LAN (dhcp.leases). */
const MAC = '52:3f:b5:5f:a9:be';

describe('OpenWrt Hosts.AccessControl as fw4 rules (recorded uci)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  /** The controller, waiting up to 25 s: a write here runs several stand-in processes in turn. */
  const c = { send: (r: Request) => f.controller.send(r, 25_000) };
  const writes = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a[0] === FW_RELOAD[0]);

  beforeAll(async () => {
    fake = fakeOpenWrt();
    fake.respondUci('firewall', { file: 'uci-show-firewall.uci.txt' });
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    fake?.failCommit(false);
    await f?.close();
  });

  it('a Deny row becomes one REJECT rule for its MAC, lan to wan, every protocol', async () => {
    expect(await get(c, 'Device.Hosts.AccessControlNumberOfEntries')).toBe('0');
    fake.respondUciAfterCommit('firewall', { file: 'uci-show-firewall.ac-deny.txt' });
    fake.clearLog();
    const row = await add(c, 'Device.Hosts.AccessControl.', { PhysAddress: MAC.toUpperCase(), HostName: 'laptop', AccessPolicy: 'Deny', Enable: 'true' });
    expect(row).toBe('Device.Hosts.AccessControl.1.');
    expect(writes()).toEqual([
      ['uci', 'set', 'firewall.usp_ac_1=rule'],
      ['uci', 'set', 'firewall.usp_ac_1.name=usp-agent Device.Hosts.AccessControl.1'],
      ['uci', 'set', 'firewall.usp_ac_1.src=lan'],
      ['uci', 'set', 'firewall.usp_ac_1.dest=wan'],
      ['uci', 'set', `firewall.usp_ac_1.src_mac=${MAC}`],
      ['uci', 'set', 'firewall.usp_ac_1.proto=all'],
      ['uci', 'set', 'firewall.usp_ac_1.target=REJECT'],
      COMMIT,
      FW_RELOAD,
    ]);
    expect((await getObjects(f.controller, [row]))[row]).toMatchObject({
      PhysAddress: MAC.toUpperCase(),
      HostName: 'laptop',
      AccessPolicy: 'Deny',
      Enable: 'true',
      Origin: 'Controller',
      Alias: 'cpe-1',
    });
    expect(await get(c, 'Device.Hosts.AccessControlNumberOfEntries')).toBe('1');
  });

  it("disabling the row deletes its section; the port mapping added after it keeps its instance through libuci's rename", async () => {
    fake.willAdd('cfg0d3837');
    fake.respondUciAfterCommit('firewall', { file: 'uci-show-firewall.ac-redirect.txt' });
    const pm = await add(c, 'Device.NAT.PortMapping.', { Enable: 'true', ExternalPort: '8080', InternalPort: '80', Protocol: 'TCP', InternalClient: '192.168.1.40', Description: 'camera' });
    const before = (await getObjects(f.controller, [pm]))[pm]!;
    expect(before).toMatchObject({ ExternalPort: '8080', InternalClient: '192.168.1.40', Description: 'camera' });
    fake.respondUciAfterCommit('firewall', { file: 'uci-show-firewall.ac-disabled.txt' });
    fake.clearLog();
    await set(c, 'Device.Hosts.AccessControl.1.', { Enable: 'false' });
    expect(writes()).toEqual([['uci', 'delete', 'firewall.usp_ac_1'], COMMIT, FW_RELOAD]);
    // The redirect is cfg0c3837 now: the same row, same number, same Alias.
    expect((await getObjects(f.controller, [pm]))[pm]).toEqual(before);
    expect(await get(c, 'Device.NAT.PortMappingNumberOfEntries')).toBe('4');
  });

  it('an Allow row with a Schedule window becomes REJECT rules outside it, grouped by hours', async () => {
    const row = await add(c, 'Device.Hosts.AccessControl.', { PhysAddress: '02:11:22:33:44:55', AccessPolicy: 'Allow', Enable: 'true' });
    fake.respondUciAfterCommit('firewall', { file: 'uci-show-firewall.ac-scheduled.txt' });
    fake.clearLog();
    await add(c, `${row}Schedule.`, { Enable: 'true', Day: 'Monday,Tuesday', StartTime: '08:00', Duration: '3600' });
    const base = (name: string): string[][] => [
      ['uci', 'set', `firewall.${name}=rule`],
      ['uci', 'set', `firewall.${name}.name=usp-agent Device.Hosts.AccessControl.2`],
      ['uci', 'set', `firewall.${name}.src=lan`],
      ['uci', 'set', `firewall.${name}.dest=wan`],
      ['uci', 'set', `firewall.${name}.src_mac=02:11:22:33:44:55`],
      ['uci', 'set', `firewall.${name}.proto=all`],
      ['uci', 'set', `firewall.${name}.target=REJECT`],
    ];
    expect(writes()).toEqual([
      ...base('usp_ac_2_1'),
      ['uci', 'set', 'firewall.usp_ac_2_1.weekdays=Mon Tue'],
      ['uci', 'set', 'firewall.usp_ac_2_1.start_time=00:00:00'],
      ['uci', 'set', 'firewall.usp_ac_2_1.stop_time=07:59:59'],
      ...base('usp_ac_2_2'),
      ['uci', 'set', 'firewall.usp_ac_2_2.weekdays=Mon Tue'],
      ['uci', 'set', 'firewall.usp_ac_2_2.start_time=09:00:00'],
      ['uci', 'set', 'firewall.usp_ac_2_2.stop_time=23:59:59'],
      ...base('usp_ac_2_3'),
      ['uci', 'set', 'firewall.usp_ac_2_3.weekdays=Wed Thu Fri Sat Sun'],
      COMMIT,
      FW_RELOAD,
    ]);
    // The window widened to the whole day: only what differs is written.
    fake.clearLog();
    fake.respondUciAfterCommit('firewall', { file: 'uci-show-firewall.ac-widened.txt' });
    await set(c, `${row}Schedule.1.`, { StartTime: '00:00', Duration: '86400' });
    expect(writes()).toEqual([
      ['uci', 'delete', 'firewall.usp_ac_2_2'],
      ['uci', 'delete', 'firewall.usp_ac_2_3'],
      ['uci', 'delete', 'firewall.usp_ac_2_1.start_time'],
      ['uci', 'delete', 'firewall.usp_ac_2_1.stop_time'],
      ['uci', 'set', 'firewall.usp_ac_2_1.weekdays=Wed Thu Fri Sat Sun'],
      COMMIT,
      FW_RELOAD,
    ]);
  });

  it('refuses invalid values with 7012 and writes nothing', async () => {
    fake.clearLog();
    for (const params of [{ PhysAddress: 'not-a-mac' }, { PhysAddress: MAC }, { PhysAddress: '02:00:00:00:00:09', ScheduleRef: 'Device.Schedules.Schedule.1' }] as Array<Record<string, string>>) {
      const r = await tryAdd(c, 'Device.Hosts.AccessControl.', { Enable: 'true', AccessPolicy: 'Deny', ...params });
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, JSON.stringify(params)).toBe(7012);
    }
    const r = await tryAdd(c, 'Device.Hosts.AccessControl.2.Schedule.', { Enable: 'true', Day: 'Monday', StartTime: '', Duration: '60' });
    expect(r).toMatchObject({ ok: false });
    expect(writes()).toEqual([]);
    expect(await get(c, 'Device.Hosts.AccessControlNumberOfEntries')).toBe('2');
  });

  it('PhysAddressMask: fw4 matches whole MACs, so only "" and FF:FF:FF:FF:FF:FF are taken; another mask is 7012 saying why', async () => {
    fake.clearLog();
    const r = await tryAdd(c, 'Device.Hosts.AccessControl.', { PhysAddress: '02:00:00:00:00:0b', PhysAddressMask: 'FF:FF:FF:00:00:00', AccessPolicy: 'Deny', Enable: 'true' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.paramErrCode ?? r.errCode).toBe(7012);
      expect(r.errMsg).toMatch(/PhysAddressMask.*fw4 .*matches whole MAC addresses only/);
    }
    expect(await get(c, 'Device.Hosts.AccessControlNumberOfEntries')).toBe('2');
    // The row of one device under either spelling: taken, and fw4's rules stay as they are (row 1 is disabled).
    expect(await get(c, 'Device.Hosts.AccessControl.1.PhysAddressMask')).toBe('');
    await set(c, 'Device.Hosts.AccessControl.1.', { PhysAddressMask: 'FF:FF:FF:FF:FF:FF' });
    expect(await get(c, 'Device.Hosts.AccessControl.1.PhysAddressMask')).toBe('FF:FF:FF:FF:FF:FF');
    expect(writes()).toEqual([]);
  });

  it('a commit that fails reverts, answers 7003 and keeps no row', async () => {
    fake.failCommit(true, 'firewall');
    fake.clearLog();
    const r = await tryAdd(c, 'Device.Hosts.AccessControl.', { PhysAddress: '02:00:00:00:00:0a', AccessPolicy: 'Deny', Enable: 'true' });
    fake.failCommit(false);
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7003);
    expect(writes()).toContainEqual(['uci', 'revert', 'firewall']);
    expect(writes()).not.toContainEqual(FW_RELOAD);
    expect(await get(c, 'Device.Hosts.AccessControlNumberOfEntries')).toBe('2');
  });

  it("a Controller puts the port mapping on all interfaces: src '*' and its DNAT and forward accept in the agent's fw4 include files", async () => {
    const all = await getObjects(f.controller, ['Device.NAT.PortMapping.*.']);
    const pm = Object.keys(all).find((p) => all[p]!.Description === 'camera')!;
    const dir = path.join(fake.bin, 'etc', 'usp-agent');
    const widened = fs.readFileSync(path.join(FIXTURES, 'uci-show-firewall.ac-widened.txt'), 'utf8');
    // What uci prints after these commands: written here from the recorded state before them.
    const includes = [
      ['usp_portmap_dstnat', 'fw4-portmapping-dstnat.nft', 'chain-append', 'dstnat'],
      ['usp_portmap_forward', 'fw4-portmapping-forward.nft', 'chain-prepend', 'forward'],
    ]
      .map(
        ([s, file, position, chain]) =>
          `firewall.${s}=include\nfirewall.${s}.type='nftables'\nfirewall.${s}.path='${dir}/${file}'\nfirewall.${s}.position='${position}'\nfirewall.${s}.chain='${chain}'\n`,
      )
      .join('');
    fake.respondUciAfterCommit('firewall', { text: widened.replace("firewall.cfg0c3837.src='wan'", "firewall.cfg0c3837.src='*'") + includes });
    fake.clearLog();
    await set(c, pm, { AllInterfaces: 'true' });
    expect(writes().filter((w) => w[2]?.startsWith('firewall.cfg0c3837') || w[0] !== 'uci' || w[1] === 'commit')).toEqual([['uci', 'set', 'firewall.cfg0c3837.src=*'], COMMIT, FW_RELOAD]);
    expect(writes().filter((w) => w[2]?.startsWith('firewall.usp_portmap_'))).toHaveLength(10);
    expect(fs.readFileSync(path.join(dir, 'fw4-portmapping-dstnat.nft'), 'utf8')).toContain('meta nfproto ipv4 tcp dport 8080 dnat ip to 192.168.1.40:80');
    expect(fs.readFileSync(path.join(dir, 'fw4-portmapping-forward.nft'), 'utf8')).toContain('ip daddr 192.168.1.40 tcp dport 80 ct status dnat accept');
    expect((await getObjects(f.controller, [pm]))[pm]).toMatchObject({ AllInterfaces: 'true', Interface: '', Status: 'Enabled' });
  });
});
