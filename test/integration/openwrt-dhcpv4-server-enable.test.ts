/**
 * Device.DHCPv4.Server.Enable on OpenWrt behind a real agent, driven by our TestController over a
 * real loopback WebSocket. ubus and uci are the stand-ins of test/unit/platform/openwrt/fake-openwrt.ts
 * (first on PATH): `uci show dhcp` answers the recorded default config with a static host
 * (uci-show-dhcp.host-added.txt), and after the switch-off commit the state written for this test
 * from it (uci-show-dhcp.dhcpv4-off.txt: the options `uci set` appends, in uci's order). Every
 * command the agent runs is logged and compared: the uci sets, `uci commit dhcp` and the
 * config.change event with which procd reloads dnsmasq.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import type { FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';
import { DHCP_RELOAD, dhcpShow, dhcpWrites, startOnRecordedDhcp } from './openwrt-dhcp-steps.js';

const RELOAD = DHCP_RELOAD;
const SERVER = 'Device.DHCPv4.Server.';

describe('OpenWrt DHCPv4 Server.Enable over WebSocket (uci stand-in, dnsmasq keeps serving DNS)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  const writes = (): string[][] => dhcpWrites(fake);

  beforeAll(async () => {
    ({ fake, f } = await startOnRecordedDhcp('uci-show-dhcp.host-added.txt'));
  });
  afterAll(async () => {
    await f?.close();
  });

  it('a value that is no boolean, and a failing commit, leave the server as it was', async () => {
    fake.clearLog();
    const bad = await trySet(f.controller, SERVER, { Enable: 'sometimes' });
    expect(bad.ok).toBe(false);
    expect(writes()).toEqual([]);
    fake.failCommit(true);
    const failed = await trySet(f.controller, SERVER, { Enable: 'false' });
    fake.failCommit(false);
    expect(failed.ok).toBe(false);
    expect(writes().at(-1)).toEqual(['uci', 'revert', 'dhcp']);
    expect(writes()).not.toContainEqual(RELOAD);
    expect((await getObjects(f.controller, [SERVER]))[SERVER]).toMatchObject({ Enable: 'true' });
  });

  it('Enable false ignores every pool, keeps each pool’s own Enable, and leaves DNS alone', async () => {
    fake.respondUciAfterCommit('dhcp', dhcpShow('uci-show-dhcp.dhcpv4-off.txt'));
    fake.clearLog();
    await set(f.controller, SERVER, { Enable: 'false' });
    expect(writes()).toEqual([
      ['uci', 'set', 'dhcp.cfg01411c.usp_dhcpv4_disabled=1'],
      ['uci', 'set', 'dhcp.lan.usp_pool_enable=1'],
      ['uci', 'set', 'dhcp.lan.ignore=1'],
      ['uci', 'set', 'dhcp.wan.usp_pool_enable=0'],
      ['uci', 'commit', 'dhcp'],
      RELOAD,
    ]);
    const v = await getObjects(f.controller, [SERVER, 'Device.DHCPv4.Server.Pool.*.', 'Device.DNS.Relay.']);
    expect(v[SERVER]).toMatchObject({ Enable: 'false' });
    // Each pool keeps its own Enable; none serves while the server is off.
    expect(v['Device.DHCPv4.Server.Pool.1.']).toMatchObject({ Enable: 'true', Status: 'Disabled' });
    expect(v['Device.DHCPv4.Server.Pool.2.']).toMatchObject({ Enable: 'false', Status: 'Disabled' });
    // No option of the dnsmasq section that DNS depends on was touched.
    expect(v['Device.DNS.Relay.']).toMatchObject({ Enable: 'true' });
    // Setting it false again writes nothing.
    fake.clearLog();
    await set(f.controller, SERVER, { Enable: 'false' });
    expect(writes()).toEqual([]);
  });

  it('a pool’s Enable while the server is off changes only the kept value', async () => {
    const after = dhcpShow('uci-show-dhcp.dhcpv4-off.txt').text.replace("dhcp.wan.usp_pool_enable='0'", "dhcp.wan.usp_pool_enable='1'");
    fake.respondUciAfterCommit('dhcp', { text: after });
    fake.clearLog();
    await set(f.controller, 'Device.DHCPv4.Server.Pool.2.', { Enable: 'true' });
    expect(writes()).toEqual([['uci', 'set', 'dhcp.wan.usp_pool_enable=1'], ['uci', 'commit', 'dhcp'], RELOAD]);
    expect((await getObjects(f.controller, ['Device.DHCPv4.Server.Pool.2.']))['Device.DHCPv4.Server.Pool.2.']).toMatchObject({ Enable: 'true', Status: 'Disabled' });
    // Back, so that the switch-on below restores the recorded configuration.
    fake.respondUciAfterCommit('dhcp', dhcpShow('uci-show-dhcp.dhcpv4-off.txt'));
    await set(f.controller, 'Device.DHCPv4.Server.Pool.2.', { Enable: 'false' });
  });

  it('Enable true gives every pool back as it was and deletes the agent’s options', async () => {
    fake.respondUciAfterCommit('dhcp', dhcpShow('uci-show-dhcp.host-added.txt'));
    fake.clearLog();
    await set(f.controller, SERVER, { Enable: 'true' });
    expect(writes()).toEqual([
      ['uci', 'delete', 'dhcp.cfg01411c.usp_dhcpv4_disabled'],
      ['uci', 'delete', 'dhcp.lan.ignore'],
      ['uci', 'delete', 'dhcp.lan.usp_pool_enable'],
      ['uci', 'delete', 'dhcp.wan.usp_pool_enable'],
      ['uci', 'commit', 'dhcp'],
      RELOAD,
    ]);
    const v = await getObjects(f.controller, [SERVER, 'Device.DHCPv4.Server.Pool.*.']);
    expect(v[SERVER]).toMatchObject({ Enable: 'true' });
    expect(v['Device.DHCPv4.Server.Pool.1.']).toMatchObject({ Enable: 'true', Status: 'Enabled' });
    expect(v['Device.DHCPv4.Server.Pool.2.']).toMatchObject({ Enable: 'false', Status: 'Disabled' });
  });
});
