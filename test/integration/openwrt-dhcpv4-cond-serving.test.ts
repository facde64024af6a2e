/**
 * DHCPv4CondServing:1 on OpenWrt behind a real agent process, driven by our TestController over a
 * real loopback WebSocket: a Pool's VendorClassID, ClientID, UserClassID and Chaddr/ChaddrMask
 * become `config match`, `config vendorclass` and `config mac` sections and the pool's `list tag`
 * (platform/openwrt/dhcpv4-pool-criteria.ts). ubus and uci are the stand-ins of
 * test/unit/platform/openwrt/fake-openwrt.ts: every command the agent runs is logged and compared,
 * and `uci show dhcp` answers, after each commit, the hand-written state those commands leave
 * (test/fixtures/openwrt/README.md), which the agent must read back as the values written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { add, del, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { DHCP_EVENT, FIXTURES, fakeOpenWrt, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const RELOAD = ['ubus', 'call', ...DHCP_EVENT.split(' ')];
const POOL = 'Device.DHCPv4.Server.Pool.1.';
const show = (file: string): { text: string } => ({ text: fs.readFileSync(path.join(FIXTURES, file), 'utf8') });

describe('OpenWrt DHCPv4 conditional serving over WebSocket (uci match/vendorclass/mac sections and pool tags)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  const writes = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || (a[0] === 'ubus' && a[2] === 'service'));
  const criteria = async (pool = POOL): Promise<Record<string, string>> => {
    const v = (await getObjects(f.controller, [pool]))[pool];
    const keys = ['VendorClassID', 'VendorClassIDMode', 'VendorClassIDExclude', 'ClientID', 'ClientIDExclude', 'UserClassID', 'UserClassIDExclude', 'Chaddr', 'ChaddrMask', 'ChaddrExclude'];
    return Object.fromEntries(keys.map((k) => [k, v[k]]));
  };

  beforeAll(async () => {
    fake = fakeOpenWrt();
    fake.respondUci('dhcp', show('uci-show-dhcp.host-added.txt'));
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('a pool without criteria reads the TR-181 defaults', async () => {
    expect(await criteria()).toEqual({
      VendorClassID: '',
      VendorClassIDMode: 'Exact',
      VendorClassIDExclude: 'false',
      ClientID: '',
      ClientIDExclude: 'false',
      UserClassID: '',
      UserClassIDExclude: 'false',
      Chaddr: '',
      ChaddrMask: '',
      ChaddrExclude: 'false',
    });
  });

  it('an exact VendorClassID becomes two dhcp-match sections and the tags usp-c1-vc, !usp-c1-vcx on the pool', async () => {
    fake.respondUciAfterCommit('dhcp', show('uci-show-dhcp.cond-vendor.txt'));
    fake.willAdd('cfg05e0a1', 'cfg06e0a1');
    fake.clearLog();
    await set(f.controller, POOL, { VendorClassID: 'usp-cam' });
    expect(writes()).toEqual([
      ['uci', 'add', 'dhcp', 'match'],
      ['uci', 'set', 'dhcp.cfg05e0a1.networkid=usp-c1-vc'],
      ['uci', 'set', 'dhcp.cfg05e0a1.match=60,75:73:70:2d:63:61:6d'],
      ['uci', 'add', 'dhcp', 'match'],
      ['uci', 'set', 'dhcp.cfg06e0a1.networkid=usp-c1-vcx'],
      ['uci', 'set', 'dhcp.cfg06e0a1.match=60,75:73:70:2d:63:61:6d:*'],
      ['uci', 'add_list', 'dhcp.lan.tag=usp-c1-vc'],
      ['uci', 'add_list', 'dhcp.lan.tag=!usp-c1-vcx'],
      // The pool's options (dhcp_option items) go only to the clients its range serves.
      ['uci', 'set', 'dhcp.lan.networkid=usp-c1'],
      ['uci', 'commit', 'dhcp'],
      RELOAD,
    ]);
    expect(await criteria()).toMatchObject({ VendorClassID: 'usp-cam', VendorClassIDMode: 'Exact', VendorClassIDExclude: 'false' });
  });

  it('values dnsmasq or the init script cannot express are refused with 7012 and nothing is written', async () => {
    fake.clearLog();
    // Not hexBinary: the schema's type check (7011) before the binding sees it.
    const notHex = await trySet(f.controller, POOL, { ClientID: 'zz' });
    expect(notHex.ok).toBe(false);
    if (!notHex.ok) expect(notHex.paramErrCode ?? notHex.errCode).toBe(7011);
    for (const params of <Array<Record<string, string>>>[
      { VendorClassIDExclude: 'true' },
      { VendorClassIDMode: 'Suffix' },
      { ClientID: '01aabbccddeeff', ClientIDExclude: 'true' },
      { UserClassID: '0a' },
      { Chaddr: '02:00:00:00:70:10', ChaddrMask: 'ff:ff:ff:ff:f0:00' },
      { Chaddr: '02-00-00-00-70-10' },
      { VendorClassID: 'two words', VendorClassIDMode: 'Substring' },
    ]) {
      const r = await trySet(f.controller, POOL, params);
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, JSON.stringify(params)).toBe(7012);
    }
    expect(writes()).toEqual([]);
    expect(await criteria()).toMatchObject({ VendorClassID: 'usp-cam', VendorClassIDMode: 'Exact', ClientID: '', Chaddr: '' });
  });

  it('replacing the vendor class by an excluded masked Chaddr removes the old sections and tags and writes a config mac', async () => {
    fake.respondUciAfterCommit('dhcp', show('uci-show-dhcp.cond-mac.txt'));
    fake.willAdd('cfg05c3d2');
    fake.clearLog();
    await set(f.controller, POOL, { VendorClassID: '', Chaddr: '02:00:00:00:70:99', ChaddrMask: 'ff:ff:ff:ff:ff:00', ChaddrExclude: 'true' });
    expect(writes()).toEqual([
      ['uci', 'del_list', 'dhcp.lan.tag=usp-c1-vc'],
      ['uci', 'del_list', 'dhcp.lan.tag=!usp-c1-vcx'],
      ['uci', 'delete', 'dhcp.cfg05e0a1'],
      ['uci', 'delete', 'dhcp.cfg06e0a1'],
      ['uci', 'add', 'dhcp', 'mac'],
      ['uci', 'set', 'dhcp.cfg05c3d2.networkid=usp-c1-mac'],
      ['uci', 'set', 'dhcp.cfg05c3d2.mac=02:00:00:00:70:*'],
      ['uci', 'add_list', 'dhcp.lan.tag=!usp-c1-mac'],
      ['uci', 'commit', 'dhcp'],
      RELOAD,
    ]);
    // The byte the mask hides is not kept: it reads back as 00.
    expect(await criteria()).toMatchObject({ VendorClassID: '', Chaddr: '02:00:00:00:70:00', ChaddrMask: 'ff:ff:ff:ff:ff:00', ChaddrExclude: 'true' });
    // The same criteria again write nothing.
    fake.clearLog();
    await set(f.controller, POOL, { Chaddr: '02:00:00:00:70:00', ChaddrExclude: 'true' });
    expect(writes()).toEqual([]);
  });

  it('an Add with a UserClassID writes the pool and its own tag stem; its Delete removes the match sections with it', async () => {
    fake.respondUciAfterCommit('dhcp', show('uci-show-dhcp.cond-pool-added.txt'));
    fake.willAdd('cfg06ad04', 'cfg07e0a1', 'cfg08e0a1');
    fake.clearLog();
    const bad = await tryAdd(f.controller, 'Device.DHCPv4.Server.Pool.', { Interface: 'Device.IP.Interface.2', UserClassID: '0a0b0c', UserClassIDExclude: 'true' });
    expect(bad.ok).toBe(false);
    expect(writes()).toEqual([]);
    const pool = await add(f.controller, 'Device.DHCPv4.Server.Pool.', {
      Interface: 'Device.IP.Interface.2',
      MinAddress: '192.168.1.10',
      MaxAddress: '192.168.1.19',
      LeaseTime: '600',
      UserClassID: '0a0b0c',
    });
    expect(writes()).toEqual([
      ['uci', 'add', 'dhcp', 'dhcp'],
      ['uci', 'set', 'dhcp.cfg06ad04.ignore=1'],
      ['uci', 'set', 'dhcp.cfg06ad04.interface=lan'],
      ['uci', 'set', 'dhcp.cfg06ad04.start=10'],
      ['uci', 'set', 'dhcp.cfg06ad04.limit=10'],
      ['uci', 'set', 'dhcp.cfg06ad04.leasetime=600'],
      ['uci', 'add', 'dhcp', 'match'],
      ['uci', 'set', 'dhcp.cfg07e0a1.networkid=usp-c2-uc'],
      ['uci', 'set', 'dhcp.cfg07e0a1.match=77,0a:0b:0c'],
      ['uci', 'add', 'dhcp', 'match'],
      ['uci', 'set', 'dhcp.cfg08e0a1.networkid=usp-c2-ucx'],
      ['uci', 'set', 'dhcp.cfg08e0a1.match=77,0a:0b:0c:*'],
      ['uci', 'add_list', 'dhcp.cfg06ad04.tag=usp-c2-uc'],
      ['uci', 'add_list', 'dhcp.cfg06ad04.tag=!usp-c2-ucx'],
      ['uci', 'set', 'dhcp.cfg06ad04.networkid=usp-c2'],
      ['uci', 'commit', 'dhcp'],
      RELOAD,
    ]);
    expect(await criteria(pool)).toMatchObject({ UserClassID: '0a0b0c', UserClassIDExclude: 'false', VendorClassID: '' });
    // The first pool keeps its own stem.
    expect(await criteria()).toMatchObject({ Chaddr: '02:00:00:00:70:00', ChaddrExclude: 'true' });

    fake.respondUciAfterCommit('dhcp', show('uci-show-dhcp.cond-mac.txt'));
    fake.clearLog();
    await del(f.controller, pool);
    expect(writes()).toEqual([['uci', 'delete', 'dhcp.cfg06ad04'], ['uci', 'delete', 'dhcp.cfg07e0a1'], ['uci', 'delete', 'dhcp.cfg08e0a1'], ['uci', 'commit', 'dhcp'], RELOAD]);
  });
});
