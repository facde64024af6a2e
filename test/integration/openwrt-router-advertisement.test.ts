/**
 * The OpenWrt platform's Device.RouterAdvertisement. (odhcpd's `ra*` options of the `dhcp` UCI
 * config) behind a real agent, driven by our TestController over a real loopback WebSocket. ubus
 * and uci are the stand-ins of test/unit/platform/openwrt/fake-openwrt.ts, first on PATH; the
 * `uci show dhcp` outputs are hand-written (test/fixtures/openwrt/README.md says which; the
 * states after the switch, Add and Delete are derived from them here, as libuci would print
 * them), and every command the agent runs is logged and compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { add, del, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { DHCP_EVENT, FIXTURES, fakeOpenWrt, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const show = (file: string): { text: string } => ({ text: fs.readFileSync(path.join(FIXTURES, file), 'utf8') });
const RELOAD = ['ubus', 'call', ...DHCP_EVENT.split(' ')];
const RA = 'Device.RouterAdvertisement.InterfaceSetting.';
/** After the Set: what `uci set` of the switch's options leaves (new options appended to their section). */
const withOptions = (text: string, section: string, lines: string[]): string => {
  const all = text.split('\n');
  let last = -1;
  all.forEach((l, i) => (l.startsWith(`dhcp.${section}.`) ? (last = i) : undefined));
  all.splice(last + 1, 0, ...lines);
  return all.join('\n');
};

describe('OpenWrt RouterAdvertisement over WebSocket (odhcpd UCI)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  const writes = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || (a[0] === 'ubus' && a[2] === 'service'));

  beforeAll(async () => {
    fake = fakeOpenWrt();
    fake.respondUci('dhcp', show('uci-show-dhcp.ra.txt'));
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('reads each dhcp section with an ra mode as a row: lan advertises with M and O set and odhcpd’s defaults; wan (no ra) is none', async () => {
    const v = await getObjects(f.controller, ['Device.RouterAdvertisement.', `${RA}*.`]);
    expect(v['Device.RouterAdvertisement.']).toMatchObject({ Enable: 'true', InterfaceSettingNumberOfEntries: '1' });
    expect(v[`${RA}1.`]).toMatchObject({
      Enable: 'true',
      Status: 'Enabled',
      Interface: 'Device.IP.Interface.2',
      MaxRtrAdvInterval: '600',
      MinRtrAdvInterval: '200',
      AdvDefaultLifetime: '1800',
      AdvManagedFlag: 'true',
      AdvOtherConfigFlag: 'true',
      AdvMobileAgentFlag: 'false',
      AdvPreferredRouterFlag: 'Medium',
      AdvNDProxyFlag: 'false',
      AdvCurHopLimit: '0',
    });
    expect(v[`${RA}2.`]).toBeUndefined();
  });

  it('a Set becomes odhcpd options, committed and reloaded', async () => {
    fake.clearLog();
    fake.respondUciAfterCommit('dhcp', show('uci-show-dhcp.ra-set.txt'));
    await set(f.controller, `${RA}1.`, { MaxRtrAdvInterval: '300', MinRtrAdvInterval: '100', AdvManagedFlag: 'false', AdvPreferredRouterFlag: 'High', AdvCurHopLimit: '64' });
    expect(writes()).toEqual([
      ['uci', 'set', 'dhcp.lan.ra_maxinterval=300'],
      ['uci', 'set', 'dhcp.lan.ra_mininterval=100'],
      ['uci', 'delete', 'dhcp.lan.ra_flags'],
      ['uci', 'add_list', 'dhcp.lan.ra_flags=other-config'],
      ['uci', 'set', 'dhcp.lan.ra_preference=high'],
      ['uci', 'set', 'dhcp.lan.ra_hoplimit=64'],
      ['uci', 'commit', 'dhcp'],
      RELOAD,
    ]);
    const v = (await getObjects(f.controller, [`${RA}1.`]))[`${RA}1.`];
    expect(v).toMatchObject({ MaxRtrAdvInterval: '300', MinRtrAdvInterval: '100', AdvManagedFlag: 'false', AdvOtherConfigFlag: 'true', AdvPreferredRouterFlag: 'High', AdvCurHopLimit: '64' });
  });

  it('refuses what RFC 4861 or odhcpd forbids, and what UCI has no option for, writing nothing', async () => {
    fake.clearLog();
    for (const [params, code] of [
      [{ MinRtrAdvInterval: '226' }, 7012], // more than 0.75 × 300
      [{ AdvDefaultLifetime: '299' }, 7012], // neither 0 nor ≥ 300
      [{ AdvDefaultLifetime: '9001' }, 7012], // past odhcpd's bound
      [{ AdvLinkMTU: '1279' }, 7012],
      [{ AdvRetransTimer: '60001' }, 7012], // odhcpd would drop the interface
      [{ AdvNDProxyFlag: 'true' }, 7013], // odhcpd never sets the P flag
      [{ Interface: 'Device.IP.Interface.99' }, 7012], // no such interface
    ] as const) {
      const r = await trySet(f.controller, `${RA}1.`, params);
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, JSON.stringify(params)).toBe(code);
    }
    for (const params of [{}, { Interface: 'Device.IP.Interface.2' }, { Interface: 'Device.IP.Interface.1', MinRtrAdvInterval: '500' }] as Array<Record<string, string>>) {
      const r = await tryAdd(f.controller, RA, params);
      expect(r.ok, JSON.stringify(params)).toBe(false); // no interface, lan has its row, 500 > 0.75 × 600
    }
    expect(writes()).toEqual([]);
  });

  it('RouterAdvertisement.Enable false keeps each serving mode aside and disables it; true gives it back', async () => {
    const setText = show('uci-show-dhcp.ra-set.txt').text;
    const off = withOptions(withOptions(setText, 'lan', ["dhcp.lan.usp_ra_mode='server'"]).replace("dhcp.lan.ra='server'", "dhcp.lan.ra='disabled'"), 'odhcpd', ["dhcp.odhcpd.usp_ra_disabled='1'"]);
    fake.clearLog();
    fake.respondUciAfterCommit('dhcp', { text: off });
    await set(f.controller, 'Device.RouterAdvertisement.', { Enable: 'false' });
    expect(writes()).toEqual([
      ['uci', 'set', 'dhcp.odhcpd.usp_ra_disabled=1'],
      ['uci', 'set', 'dhcp.lan.usp_ra_mode=server'],
      ['uci', 'set', 'dhcp.lan.ra=disabled'],
      ['uci', 'commit', 'dhcp'],
      RELOAD,
    ]);
    let v = await getObjects(f.controller, ['Device.RouterAdvertisement.', `${RA}1.`]);
    expect(v['Device.RouterAdvertisement.']).toMatchObject({ Enable: 'false' });
    expect(v[`${RA}1.`]).toMatchObject({ Enable: 'true', Status: 'Disabled' });
    fake.clearLog();
    fake.respondUciAfterCommit('dhcp', { text: setText });
    await set(f.controller, 'Device.RouterAdvertisement.', { Enable: 'true' });
    expect(writes()).toEqual([['uci', 'delete', 'dhcp.odhcpd.usp_ra_disabled'], ['uci', 'set', 'dhcp.lan.ra=server'], ['uci', 'delete', 'dhcp.lan.usp_ra_mode'], ['uci', 'commit', 'dhcp'], RELOAD]);
    v = await getObjects(f.controller, ['Device.RouterAdvertisement.', `${RA}1.`]);
    expect(v['Device.RouterAdvertisement.']).toMatchObject({ Enable: 'true' });
    expect(v[`${RA}1.`]).toMatchObject({ Enable: 'true', Status: 'Enabled' });
  });

  it('Add gives an interface’s section an ra mode and its options; Delete takes them away', async () => {
    const setText = show('uci-show-dhcp.ra-set.txt').text;
    fake.clearLog();
    fake.respondUciAfterCommit('dhcp', { text: withOptions(setText, 'wan', ["dhcp.wan.ra='server'", "dhcp.wan.ra_maxinterval='900'"]) });
    const path = await add(f.controller, RA, { Interface: 'Device.IP.Interface.1', Enable: 'true', MaxRtrAdvInterval: '900' });
    expect(path).toBe(`${RA}2.`);
    expect(writes()).toEqual([['uci', 'set', 'dhcp.wan.ra=server'], ['uci', 'set', 'dhcp.wan.ra_maxinterval=900'], ['uci', 'commit', 'dhcp'], RELOAD]);
    expect((await getObjects(f.controller, [`${RA}2.`]))[`${RA}2.`]).toMatchObject({ Enable: 'true', Interface: 'Device.IP.Interface.1', MaxRtrAdvInterval: '900', AdvOtherConfigFlag: 'true' });
    fake.clearLog();
    fake.respondUciAfterCommit('dhcp', { text: setText });
    await del(f.controller, `${RA}2.`);
    expect(writes()).toEqual([['uci', 'delete', 'dhcp.wan.ra'], ['uci', 'delete', 'dhcp.wan.ra_maxinterval'], ['uci', 'commit', 'dhcp'], RELOAD]);
    expect((await getObjects(f.controller, ['Device.RouterAdvertisement.']))['Device.RouterAdvertisement.']).toMatchObject({ InterfaceSettingNumberOfEntries: '1' });
  });

  it('Enable false sets ra disabled (odhcpd then stops advertising on lan; the row stays)', async () => {
    fake.clearLog();
    fake.respondUciAfterCommit('dhcp', show('uci-show-dhcp.ra-off.txt'));
    await set(f.controller, `${RA}1.`, { Enable: 'false' });
    expect(writes()).toEqual([['uci', 'set', 'dhcp.lan.ra=disabled'], ['uci', 'commit', 'dhcp'], RELOAD]);
    const v = await getObjects(f.controller, ['Device.RouterAdvertisement.', `${RA}1.`]);
    expect(v[`${RA}1.`]).toMatchObject({ Enable: 'false', Status: 'Disabled' });
    expect(v['Device.RouterAdvertisement.']).toMatchObject({ Enable: 'true', InterfaceSettingNumberOfEntries: '1' });
  });

  it('a new Interface moves the row’s options to that interface’s section; the row keeps its number', async () => {
    const offText = show('uci-show-dhcp.ra-off.txt').text;
    const lanRa = offText.split('\n').filter((l) => /^dhcp\.lan\.ra/.test(l));
    const moved = withOptions(
      offText
        .split('\n')
        .filter((l) => !lanRa.includes(l))
        .join('\n'),
      'wan',
      lanRa.map((l) => l.replace('dhcp.lan.', 'dhcp.wan.')),
    );
    fake.clearLog();
    fake.respondUciAfterCommit('dhcp', { text: moved });
    await set(f.controller, `${RA}1.`, { Interface: 'Device.IP.Interface.1' });
    expect(writes()).toEqual([
      ...['ra', 'ra_maxinterval', 'ra_mininterval', 'ra_hoplimit', 'ra_flags', 'ra_preference'].map((o) => ['uci', 'delete', `dhcp.lan.${o}`]),
      ['uci', 'set', 'dhcp.wan.ra=disabled'],
      ['uci', 'set', 'dhcp.wan.ra_maxinterval=300'],
      ['uci', 'set', 'dhcp.wan.ra_mininterval=100'],
      ['uci', 'set', 'dhcp.wan.ra_hoplimit=64'],
      ['uci', 'add_list', 'dhcp.wan.ra_flags=other-config'],
      ['uci', 'set', 'dhcp.wan.ra_preference=high'],
      ['uci', 'commit', 'dhcp'],
      RELOAD,
    ]);
    const v = await getObjects(f.controller, ['Device.RouterAdvertisement.', `${RA}1.`]);
    expect(v[`${RA}1.`]).toMatchObject({ Interface: 'Device.IP.Interface.1', Enable: 'false', MaxRtrAdvInterval: '300', AdvPreferredRouterFlag: 'High' });
    expect(v['Device.RouterAdvertisement.']).toMatchObject({ InterfaceSettingNumberOfEntries: '1' });
  });
});
