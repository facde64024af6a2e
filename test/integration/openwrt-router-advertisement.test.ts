/**
 * The OpenWrt platform's Device.RouterAdvertisement. (odhcpd's `ra*` options of the `dhcp` UCI
 * config) behind a real agent, driven by our TestController over a real loopback WebSocket. ubus
 * and uci are the stand-ins of test/unit/platform/openwrt/fake-openwrt.ts, first on PATH; the
 * `uci show dhcp` outputs are hand-written (test/fixtures/openwrt/README.md says which), and
 * every command the agent runs is logged and compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { DHCP_EVENT, FIXTURES, fakeOpenWrt, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const show = (file: string): { text: string } => ({ text: fs.readFileSync(path.join(FIXTURES, file), 'utf8') });
const RELOAD = ['ubus', 'call', ...DHCP_EVENT.split(' ')];
const RA = 'Device.RouterAdvertisement.InterfaceSetting.';

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

  it('reads each dhcp section as a row: lan advertises with M and O set and odhcpd’s defaults, wan does not', async () => {
    const v = await getObjects(f.controller, ['Device.RouterAdvertisement.', `${RA}*.`]);
    expect(v['Device.RouterAdvertisement.']).toMatchObject({ Enable: 'true', InterfaceSettingNumberOfEntries: '2' });
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
    expect(v[`${RA}2.`]).toMatchObject({ Enable: 'false', Status: 'Disabled' });
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
      [{ AdvNDProxyFlag: 'true' }, 7013], // odhcpd never sets the P flag
      [{ Interface: 'Device.IP.Interface.3' }, 7013], // the Pool's interface
    ] as const) {
      const r = await trySet(f.controller, `${RA}1.`, params);
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, JSON.stringify(params)).toBe(code);
    }
    expect(writes()).toEqual([]);
  });

  it('Enable false deletes the ra option (odhcpd then stops advertising on lan)', async () => {
    fake.clearLog();
    fake.respondUciAfterCommit('dhcp', show('uci-show-dhcp.ra-off.txt'));
    await set(f.controller, `${RA}1.`, { Enable: 'false' });
    expect(writes()).toEqual([['uci', 'delete', 'dhcp.lan.ra'], ['uci', 'commit', 'dhcp'], RELOAD]);
    const v = await getObjects(f.controller, ['Device.RouterAdvertisement.', `${RA}1.`]);
    expect(v[`${RA}1.`]).toMatchObject({ Enable: 'false', Status: 'Disabled' });
    expect(v['Device.RouterAdvertisement.']).toMatchObject({ Enable: 'false' });
  });
});
