/**
 * Device.Ethernet.VLANTermination on OpenWrt through the fake ubus and uci (fake-openwrt.ts): the
 * recorded router's wan on eth1.2 (a VLAN device netifd made from the dotted name) reads as a
 * row; a Controller's Add is a `config device` section of type 8021q/8021ad, committed and
 * reloaded; bad input writes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { defaultResponses, defaultUci, FIXTURES, fakeOpenWrt, openWrt, type PlatformFixture } from './fake-openwrt.js';

const VLAN = 'Device.Ethernet.VLANTermination.{i}.';

/** The router's network config after the Add of eth1.100 (as `uci -X show` prints a new anonymous section). */
const ADDED_SECTION = [
  'network.cfg0f0000=device',
  "network.cfg0f0000.type='8021ad'",
  "network.cfg0f0000.ifname='eth1'",
  "network.cfg0f0000.vid='100'",
  "network.cfg0f0000.name='eth1.100'",
  "network.cfg0f0000.enabled='0'",
  '',
].join('\n');

const refusal = async (p: unknown): Promise<UspError> => {
  const e = await Promise.resolve(p).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof UspError)) throw new Error(`not refused: ${String(e)}`);
  return e;
};

describe('openwrt platform: Device.Ethernet.VLANTermination (netifd VLAN devices)', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  const linkOf = async (name: string): Promise<string> => {
    const b = fx.binding('Device.Ethernet.Link.{i}.');
    for (const n of (await b.list!([], {})) as number[]) if ((await b.get!([n], {})).Name === name) return `Device.Ethernet.Link.${n}`;
    throw new Error(`no Link of ${name}`);
  };
  const writes = () => fx.fake.invocations().filter((a) => (a[0] === 'uci' && !a.includes('show')) || (a[0] === 'ubus' && a[2] === 'network' && a[3] === 'reload'));

  it("serves the wan's eth1.2, which netifd made from a dotted name, with its counters; it cannot be changed or deleted here", async () => {
    fx = openWrt();
    const b = fx.binding(VLAN);
    expect(await b.list!([], {})).toEqual([1]);
    expect(await b.get!([1], {})).toEqual({ Enable: true, Status: 'Up', Name: 'eth1.2', LastChange: 0, LowerLayers: await linkOf('eth1'), VLANID: 2, TPID: 33024 });
    expect(await fx.binding(`${VLAN}Stats.`).get!([1], {})).toMatchObject({
      BytesReceived: '9776543210',
      BytesSent: '1230000000',
      PacketsReceived: '7700001',
      MulticastPacketsReceived: '80',
      ErrorsSent: 0,
    });
    expect((await refusal(b.set!([1], { VLANID: 3 }, {}))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(b.delete!([1], {}))).code).toBe(ErrorCode.DeleteFailure);
    expect(writes()).toEqual([]);
  });

  it('adds an 802.1ad device over eth1 as a config device section, enables and deletes it, each committed and reloaded', async () => {
    fx = openWrt();
    const b = fx.binding(VLAN);
    const eth1 = await linkOf('eth1');
    fx.fake.respondUciAfterCommit('network', { text: String((defaultUci().network as { text: string }).text) + ADDED_SECTION });
    const n = await b.add!([], { LowerLayers: `${eth1}.`, VLANID: 100, TPID: 0x88a8 }, {});
    expect(writes()).toEqual([
      ['uci', 'add', 'network', 'device'],
      ['uci', 'set', 'network.cfg0f0000.ifname=eth1'],
      ['uci', 'set', 'network.cfg0f0000.vid=100'],
      ['uci', 'set', 'network.cfg0f0000.name=eth1.100'],
      ['uci', 'set', 'network.cfg0f0000.type=8021ad'],
      ['uci', 'set', 'network.cfg0f0000.enabled=0'],
      ['uci', 'commit', 'network'],
      ['ubus', 'call', 'network', 'reload'],
    ]);
    expect(await b.list!([], {})).toEqual([1, n]);
    // Not used by an interface: netifd does not bring it up (no device yet in its status).
    expect(await b.get!([n], {})).toMatchObject({ Enable: false, Status: 'Down', Name: 'eth1.100', LowerLayers: eth1, VLANID: 100, TPID: 34984 });
    fx.fake.clearLog();
    await b.set!([n], { Enable: true }, {});
    expect(writes()).toEqual([
      ['uci', 'set', 'network.cfg0f0000.enabled=1'],
      ['uci', 'commit', 'network'],
      ['ubus', 'call', 'network', 'reload'],
    ]);
    fx.fake.clearLog();
    await b.delete!([n], {});
    expect(writes()).toEqual([
      ['uci', 'delete', 'network.cfg0f0000'],
      ['uci', 'commit', 'network'],
      ['ubus', 'call', 'network', 'reload'],
    ]);
  });

  it('refuses VLAN IDs 0 and 4095, a lower layer that is no Link, no lower layer, and eth1 VLAN 2 again (7012), writing nothing', async () => {
    fx = openWrt();
    const b = fx.binding(VLAN);
    const eth1 = await linkOf('eth1');
    const cases: Array<Record<string, string | number>> = [
      { LowerLayers: eth1, VLANID: 0 },
      { LowerLayers: eth1, VLANID: 4095 },
      { LowerLayers: 'Device.Ethernet.Interface.1', VLANID: 5 },
      { VLANID: 5 },
      { LowerLayers: eth1, VLANID: 2 },
      { LowerLayers: eth1, VLANID: 5, TPID: 0x9100 },
    ];
    for (const params of cases) {
      const e = await refusal(b.add!([], params, {}));
      expect(e.code, JSON.stringify(params)).toBe(ErrorCode.InvalidValue);
    }
    expect(writes()).toEqual([]);
    expect(await b.list!([], {})).toEqual([1]);
  });

  it('reads a configured section: its device status when netifd runs it, and its enabled option', async () => {
    const fake = fakeOpenWrt();
    const status = { ...(defaultResponses()['network.device status'] as { json: Record<string, unknown> }).json };
    const eth12 = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-network-device-status.others.json'), 'utf8'))['eth1.2'];
    fake.respond('network.device status', { json: { ...status, 'eth1.100': { ...eth12, type: '8021ad', carrier: false } } });
    fake.respondUci('network', { text: String((defaultUci().network as { text: string }).text) + ADDED_SECTION.replace("enabled='0'", "enabled='1'") });
    fx = openWrt(fake);
    const b = fx.binding(VLAN);
    // Numbered in name order at first sight: eth1.100, then eth1.2.
    expect(await b.list!([], {})).toEqual([1, 2]);
    expect(await b.get!([1], {})).toMatchObject({ Name: 'eth1.100', Enable: true, Status: 'LowerLayerDown', TPID: 34984, VLANID: 100 });
  });
});
