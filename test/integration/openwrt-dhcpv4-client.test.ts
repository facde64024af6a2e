/**
 * Device.DHCPv4.Client.{i}. on OpenWrt behind a real agent, driven by our TestController over a
 * real loopback WebSocket. ubus and uci are the stand-ins of test/unit/platform/openwrt/fake-openwrt.ts
 * (OpenWrt's netifd cannot run here): `ubus call network.interface dump` answers the recorded
 * dump (wan leased 192.168.10.2 by DHCP), `uci show network` the recorded network config. Written
 * for this test: `spare` and `spare2` interfaces with `proto 'none'` added to that config, and the network
 * config as the agent's writes leave it (what `uci show` prints after the commit). Every write is
 * checked as the uci and ubus commands the agent ran.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { add, del, operate, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { FIXTURES, fakeOpenWrt, type FakeOpenWrt, UCI_NETWORK_CELLULAR } from '../unit/platform/openwrt/fake-openwrt.js';

const NETWORK =
  fs.readFileSync(path.join(FIXTURES, 'uci-show-network.txt'), 'utf8') +
  UCI_NETWORK_CELLULAR +
  ['network.spare=interface', "network.spare.device='eth1'", "network.spare.proto='none'", 'network.spare2=interface', "network.spare2.device='eth2'", "network.spare2.proto='none'", ''].join('\n');
const VENDOR_HEX = Buffer.from('usp-cpe', 'utf8').toString('hex');

describe('OpenWrt DHCPv4 clients over WebSocket (recorded netifd dump, uci stand-in)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  const uciWrites = (): string[][] => fake.invocations().filter((a) => a[0] === 'uci' && ['set', 'delete', 'commit'].includes(a[1]!));

  beforeAll(async () => {
    fake = fakeOpenWrt();
    fake.respondUci('network', { text: NETWORK });
    fake.respond('network.interface.wan renew', { text: '' });
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    await f?.close();
  });

  async function ipInterface(name: string): Promise<string> {
    const rows = await getObjects(f.controller, ['Device.IP.Interface.*.Name']);
    const p = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
    if (!p) throw new Error(`no IP.Interface ${name}`);
    return p.slice(0, -1);
  }

  it("serves wan's lease from netifd's dump", async () => {
    const v = await getObjects(f.controller, ['Device.DHCPv4.']);
    expect(v['Device.DHCPv4.']?.ClientNumberOfEntries).toBe('1');
    const c = v['Device.DHCPv4.Client.1.']!;
    expect(c).toMatchObject({
      Enable: 'true',
      Interface: await ipInterface('wan'),
      Status: 'Enabled',
      DHCPStatus: 'Bound',
      IPAddress: '192.168.10.2',
      SubnetMask: '255.255.255.0',
      IPRouters: '192.168.10.1',
      DNSServers: '1.1.1.1,1.1.1.2',
      DHCPServer: '192.168.10.1',
    });
    expect(Number(c.LeaseTimeRemaining)).toBeGreaterThan(0);
    expect(Number(c.LeaseTimeRemaining)).toBeLessThanOrEqual(60);
  });

  it('writes SentOption and ReqOption rows as sendopts and reqopts, and reads them back', async () => {
    fake.clearLog();
    fake.respondUciAfterCommit('network', { text: `${NETWORK}network.wan.sendopts='60:${VENDOR_HEX}'\n` });
    await add(f.controller, 'Device.DHCPv4.Client.1.SentOption.', { Enable: 'true', Tag: '60', Value: VENDOR_HEX });
    expect(uciWrites()).toContainEqual(['uci', 'set', `network.wan.sendopts=60:${VENDOR_HEX}`]);
    expect(fake.ubusCalls()).toContain('network reload');
    fake.clearLog();
    fake.respondUciAfterCommit('network', { text: `${NETWORK}network.wan.sendopts='60:${VENDOR_HEX}'\nnetwork.wan.reqopts='51 42'\n` });
    await add(f.controller, 'Device.DHCPv4.Client.1.ReqOption.', { Enable: 'true', Tag: '51' });
    expect(uciWrites()).toContainEqual(['uci', 'set', 'network.wan.reqopts=51']);
    const v = await getObjects(f.controller, ['Device.DHCPv4.Client.1.']);
    expect(Object.values(v).find((o) => o.Tag === '60')).toMatchObject({ Enable: 'true', Value: VENDOR_HEX.toUpperCase() });
    // 51 from the dump's leasetime (60 s); 42 is not in what netifd keeps.
    expect(Object.values(v).find((o) => o.Tag === '51')).toMatchObject({ Enable: 'true', Order: '1', Value: '0000003C' });
    expect(Object.values(v).find((o) => o.Tag === '42')).toMatchObject({ Order: '2', Value: '' });
  });

  it('refuses bad options and what would cut the way to the Controller, with nothing written', async () => {
    fake.clearLog();
    for (const [table, params, code] of [
      ['SentOption.', { Tag: '53', Value: '01' }, 7012],
      ['SentOption.', { Tag: '60', Value: '01' }, 7025],
      ['SentOption.', { Tag: '70', Value: 'xyz' }, 7011],
      ['ReqOption.', { Tag: '255' }, 7012],
    ] as const) {
      const r = await tryAdd(f.controller, `Device.DHCPv4.Client.1.${table}`, params);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, `${table} ${JSON.stringify(params)}: ${r.errMsg}`).toBe(code);
    }
    const off = await trySet(f.controller, 'Device.DHCPv4.Client.1.', { Enable: 'false' });
    expect(off.ok).toBe(false);
    if (!off.ok) expect(off.errMsg).toMatch(/default route/);
    await expect(del(f.controller, 'Device.DHCPv4.Client.1.')).rejects.toThrow(/default route/);
    const lan = await tryAdd(f.controller, 'Device.DHCPv4.Client.', { Interface: await ipInterface('lan') });
    expect(lan.ok).toBe(false);
    expect(uciWrites()).toEqual([]);
  });

  it('Renew() asks netifd to renew; Add turns an unaddressed interface into a DHCP client', async () => {
    fake.clearLog();
    expect((await operate(f.controller, 'Device.DHCPv4.Client.1.Renew()')).ok).toBe(true);
    expect(fake.ubusCalls()).toContain('network.interface.wan renew');
    fake.clearLog();
    fake.respondUciAfterCommit('network', { text: NETWORK.replace("network.spare.proto='none'", "network.spare.proto='dhcp'") });
    const path = await add(f.controller, 'Device.DHCPv4.Client.', { Interface: await ipInterface('spare') });
    expect(uciWrites()).toContainEqual(['uci', 'set', 'network.spare.proto=dhcp']);
    expect(path).toBe('Device.DHCPv4.Client.2.');
    // Not in netifd's dump: not running.
    expect((await getObjects(f.controller, [path]))[path]).toMatchObject({ Status: 'Error', DHCPStatus: 'Init', IPAddress: '' });
    // A new Interface moves the client: spare2 becomes proto dhcp, spare proto none, in one commit.
    fake.clearLog();
    fake.respondUciAfterCommit('network', { text: NETWORK.replace("network.spare2.proto='none'", "network.spare2.proto='dhcp'") });
    await set(f.controller, path, { Interface: await ipInterface('spare2') });
    expect(uciWrites()).toEqual([
      ['uci', 'set', 'network.spare2.proto=dhcp'],
      ['uci', 'set', 'network.spare.proto=none'],
      ['uci', 'commit', 'network'],
    ]);
    expect((await getObjects(f.controller, [path]))[path]).toMatchObject({ Interface: await ipInterface('spare2') });
    // The client holding the default route stays where it is.
    const r = await trySet(f.controller, 'Device.DHCPv4.Client.1.', { Interface: await ipInterface('spare') });
    expect(r).toMatchObject({ ok: false, paramErrCode: 7012 });
    fake.clearLog();
    await del(f.controller, path);
    expect(uciWrites()).toContainEqual(['uci', 'set', 'network.spare2.proto=none']);
  });
});
