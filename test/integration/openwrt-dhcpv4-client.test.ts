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
/** What udhcpc asked for under netifd before the agent took the list over: its defaults and 121 (dhcp.sh's classlessroute). */
const BASE = '1 3 6 12 15 28 42 121';
/** BASE without 42 (a row of the test names it), as request list bytes. */
const BASE_HEX = '0103060c0f1c79';

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

  it('writes SentOption rows as sendopts, ReqOption rows in Order as the request list of its own, and reads them back', async () => {
    fake.clearLog();
    fake.respondUciAfterCommit('network', { text: `${NETWORK}network.wan.sendopts='60:${VENDOR_HEX}'\n` });
    await add(f.controller, 'Device.DHCPv4.Client.1.SentOption.', { Enable: 'true', Tag: '60', Value: VENDOR_HEX });
    expect(uciWrites()).toContainEqual(['uci', 'set', `network.wan.sendopts=60:${VENDOR_HEX}`]);
    expect(fake.ubusCalls()).toContain('network reload');
    fake.clearLog();
    // Rows 51, then 42 (written by another Add before): udhcpc asks for them first, then for what it asked before.
    const ordered = (rows: string, list: string): string =>
      `${NETWORK}network.wan.sendopts='60:${VENDOR_HEX} 0x37:${list}'\nnetwork.wan.usp_reqopts='${rows}'\nnetwork.wan.usp_reqopts_base='${BASE}'\nnetwork.wan.defaultreqopts='0'\nnetwork.wan.classlessroute='0'\n`;
    fake.respondUciAfterCommit('network', { text: ordered('51 42', `332a${BASE_HEX}`) });
    await add(f.controller, 'Device.DHCPv4.Client.1.ReqOption.', { Enable: 'true', Tag: '51' });
    expect(uciWrites()).toEqual([
      ['uci', 'set', 'network.wan.usp_reqopts=51'],
      ['uci', 'set', `network.wan.usp_reqopts_base=${BASE}`],
      ['uci', 'set', 'network.wan.defaultreqopts=0'],
      ['uci', 'set', 'network.wan.classlessroute=0'],
      // 42 is no row yet: it comes with udhcpc's defaults.
      ['uci', 'set', `network.wan.sendopts=60:${VENDOR_HEX} 0x37:330103060c0f1c2a79`],
      ['uci', 'commit', 'network'],
    ]);
    let v = await getObjects(f.controller, ['Device.DHCPv4.Client.1.']);
    // The agent's 0x37 item is no SentOption row.
    expect(Object.values(v).filter((o) => o.Tag !== undefined && o.Order === undefined)).toEqual([expect.objectContaining({ Tag: '60', Enable: 'true', Value: VENDOR_HEX.toUpperCase() })]);
    // 51 from the dump's leasetime (60 s); 42 is not in what netifd keeps.
    expect(Object.values(v).find((o) => o.Tag === '51')).toMatchObject({ Enable: 'true', Order: '1', Value: '0000003C' });
    expect(Object.values(v).find((o) => o.Tag === '42')).toMatchObject({ Order: '2', Value: '' });
    // 42 to the front: the rows and the request list follow, the Controller's SentOption stays as it is.
    const row42 = Object.entries(v).find(([, o]) => o.Tag === '42')![0];
    fake.clearLog();
    fake.respondUciAfterCommit('network', { text: ordered('42 51', `2a33${BASE_HEX}`) });
    await set(f.controller, row42, { Order: '1' });
    expect(uciWrites()).toContainEqual(['uci', 'set', 'network.wan.usp_reqopts=42 51']);
    expect(uciWrites()).toContainEqual(['uci', 'set', `network.wan.sendopts=60:${VENDOR_HEX} 0x37:2a33${BASE_HEX}`]);
    v = await getObjects(f.controller, ['Device.DHCPv4.Client.1.']);
    expect(Object.values(v).find((o) => o.Tag === '42')).toMatchObject({ Order: '1' });
    expect(Object.values(v).find((o) => o.Tag === '51')).toMatchObject({ Order: '2' });
  });

  it('refuses bad options and what would cut the way to the Controller, with nothing written', async () => {
    fake.clearLog();
    for (const [table, params, code] of [
      ['SentOption.', { Tag: '53', Value: '01' }, 7012],
      // The request list is the agent's: a SentOption 55 would collide with it.
      ['SentOption.', { Tag: '55', Value: '0103' }, 7012],
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
