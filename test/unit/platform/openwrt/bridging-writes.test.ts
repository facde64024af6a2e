/**
 * Device.Bridging.Bridge.{i}.VLAN.{i} and .VLANPort.{i} on OpenWrt, written: the uci commands
 * each Add, Set and Delete stages, the commit and network reload, the revert of a failing commit,
 * and the refusals that come before anything is written.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { DSA_NETWORK, dsaRouter, VLAN10_SECTION, VLAN1_SECTION } from './dsa-router.js';
import { openWrt, type PlatformFixture } from './fake-openwrt.js';
import { refusal } from '../refusal.js';

const B = 'Device.Bridging.Bridge.1.';
const VLAN = 'Device.Bridging.Bridge.{i}.VLAN.{i}.';
const VLAN_PORT = 'Device.Bridging.Bridge.{i}.VLANPort.{i}.';
const RELOAD = ['ubus', 'call', 'network', 'reload'];
const COMMIT = ['uci', 'commit', 'network'];

/** `uci -X show network` after a commit: lines replaced, and libuci's new name for a changed section. */
function edited(replace: Array<[string, string]>, rename?: [string, string]): string {
  let text = DSA_NETWORK;
  for (const [from, to] of replace) text = text.replace(from, to);
  return rename ? text.replaceAll(`network.${rename[0]}`, `network.${rename[1]}`) : text;
}

describe('openwrt platform: bridge VLANs written through UCI', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  /** uci writes (not the `uci -q -X show` reads) and network reloads, in order. */
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));
  /** What `uci show network` prints from now on, read afresh. */
  const committed = (text: string): void => {
    fx.fake.respondUci('network', { text });
    fx.platform.runner.invalidate('uci -q -X show network');
  };
  const start = async (): Promise<void> => {
    fx = openWrt(dsaRouter());
    await fx.platform.ready;
    await fx.values('Device.Bridging.'); // number the rows as a Controller first saw them
    fx.fake.clearLog();
  };

  it('sets Name and VLANID with uci set, commits and reloads; the VLAN and its members keep their instances', async () => {
    await start();
    await fx.binding(VLAN).set!([1, 2], { Name: 'Cameras', VLANID: 20 }, {});
    expect(writes()).toEqual([['uci', 'set', `network.${VLAN10_SECTION}.description=Cameras`], ['uci', 'set', `network.${VLAN10_SECTION}.vlan=20`], COMMIT, RELOAD]);
    // libuci renamed the changed anonymous section on commit: rows are not keyed by section name.
    committed(
      edited(
        [
          ["vlan='10'", "vlan='20'"],
          ["'IoT'", "'Cameras'"],
        ],
        [VLAN10_SECTION, 'cfg09d3a1'],
      ),
    );
    const v = await fx.values('Device.Bridging.');
    expect(v.get(`${B}VLAN.2.`)).toEqual({ Enable: true, Alias: 'cpe-2', Name: 'Cameras', VLANID: 20 });
    expect(v.get(`${B}VLANPort.6.`)).toMatchObject({ VLAN: `${B}VLAN.2`, Port: `${B}Port.5`, Alias: 'cpe-6' });
    expect(v.get(`${B}Port.5.`)).toMatchObject({ Name: 'lan4', PVID: 20 });
    fx.fake.clearLog();
    await fx.binding(VLAN).set!([1, 2], { Name: '', VLANID: 20 }, {});
    expect(writes()).toEqual([['uci', 'delete', 'network.cfg09d3a1.description'], COMMIT, RELOAD]);
  });

  it('adds a VLAN: a new bridge-vlan section on the bridge, Alias kept by the agent', async () => {
    await start();
    fx.fake.willAdd('cfg0a0000');
    const n = await fx.binding(VLAN).add!([1], { Enable: true, VLANID: 30, Name: 'Guests', Alias: 'guests' }, {});
    expect(n).toBe(3);
    expect(writes()).toEqual([
      ['uci', 'add', 'network', 'bridge-vlan'],
      ['uci', 'set', 'network.cfg0a0000.device=br-lan'],
      ['uci', 'set', 'network.cfg0a0000.vlan=30'],
      ['uci', 'set', 'network.cfg0a0000.description=Guests'],
      COMMIT,
      RELOAD,
    ]);
    // Known by its VLAN ID once committed, whatever libuci names the section.
    committed(`${DSA_NETWORK}network.cfg0a41c7=bridge-vlan\nnetwork.cfg0a41c7.device='br-lan'\nnetwork.cfg0a41c7.vlan='30'\nnetwork.cfg0a41c7.description='Guests'\n`);
    expect(await fx.binding(VLAN).get([1, 3], {})).toEqual({ Enable: true, Alias: 'guests', Name: 'Guests', VLANID: 30 });
  });

  it('gives an Add without VLANID the lowest free VLAN ID from 2', async () => {
    await start();
    fx.fake.willAdd('cfg0a0000');
    await fx.binding(VLAN).add!([1], {}, {});
    expect(writes().slice(0, 3)).toEqual([
      ['uci', 'add', 'network', 'bridge-vlan'],
      ['uci', 'set', 'network.cfg0a0000.device=br-lan'],
      ['uci', 'set', 'network.cfg0a0000.vlan=2'],
    ]);
  });

  it('deletes a VLAN by removing its section; added again, it is a new instance', async () => {
    await start();
    await fx.binding(VLAN).delete!([1, 2], {});
    expect(writes()).toEqual([['uci', 'delete', `network.${VLAN10_SECTION}`], COMMIT, RELOAD]);
    committed(
      DSA_NETWORK.split('\n')
        .filter((l) => !l.startsWith(`network.${VLAN10_SECTION}`))
        .join('\n'),
    );
    expect(await fx.binding(VLAN).list!([1], {})).toEqual([1]);
    committed(DSA_NETWORK); // VLAN 10 configured again (by LuCI, say)
    expect(await fx.binding(VLAN).list!([1], {})).toEqual([1, 3]);
    expect(await fx.binding(VLAN_PORT).list!([1], {})).toEqual([1, 2, 3, 7, 8, 9]);
  });

  it('adds a membership with uci add_list, tagged unless Untagged is true', async () => {
    await start();
    const n = await fx.binding(VLAN_PORT).add!([1], { VLAN: `${B}VLAN.2.`, Port: `${B}Port.2` }, {});
    await fx.binding(VLAN_PORT).add!([1], { VLAN: `${B}VLAN.1`, Port: `${B}Port.5`, Untagged: true }, {});
    expect(n).toBe(7);
    expect(writes()).toEqual([['uci', 'add_list', `network.${VLAN10_SECTION}.ports=lan1:t`], COMMIT, RELOAD, ['uci', 'add_list', `network.${VLAN1_SECTION}.ports=lan4:u`], COMMIT, RELOAD]);
  });

  it('sets Untagged and Port by rewriting the ports list in order, keeping a "*" where the membership stays', async () => {
    await start();
    await fx.binding(VLAN_PORT).set!([1, 1], { Untagged: false }, {}); // lan1:u* in VLAN 1
    await fx.binding(VLAN_PORT).set!([1, 4], { Port: `${B}Port.2.` }, {}); // lan2:t in VLAN 10 becomes lan1
    const list = (section: string, ...entries: string[]): string[][] => [['uci', 'delete', `network.${section}.ports`], ...entries.map((e) => ['uci', 'add_list', `network.${section}.ports=${e}`])];
    expect(writes()).toEqual([...list(VLAN1_SECTION, 'lan1:t*', 'lan2:u*', 'lan3:u*'), COMMIT, RELOAD, ...list(VLAN10_SECTION, 'lan1:t', 'lan3:t', 'lan4'), COMMIT, RELOAD]);
    // The moved membership keeps its instance under its new port.
    committed(edited([["'lan2:t' 'lan3:t'", "'lan1:t' 'lan3:t'"]]));
    expect(await fx.binding(VLAN_PORT).get([1, 4], {})).toMatchObject({ VLAN: `${B}VLAN.2`, Port: `${B}Port.2`, Untagged: false });
  });

  it('moves a membership to another VLAN: out of one section, appended to the other', async () => {
    await start();
    await fx.binding(VLAN_PORT).set!([1, 6], { VLAN: `${B}VLAN.1` }, {}); // lan4 (untagged) from VLAN 10 to VLAN 1
    expect(writes()).toEqual([
      ['uci', 'delete', `network.${VLAN10_SECTION}.ports`],
      ['uci', 'add_list', `network.${VLAN10_SECTION}.ports=lan2:t`],
      ['uci', 'add_list', `network.${VLAN10_SECTION}.ports=lan3:t`],
      ['uci', 'add_list', `network.${VLAN1_SECTION}.ports=lan4:u`],
      COMMIT,
      RELOAD,
    ]);
  });

  it("deletes a membership by rewriting its section's ports without it", async () => {
    await start();
    await fx.binding(VLAN_PORT).delete!([1, 5], {}); // lan3:t in VLAN 10
    expect(writes()).toEqual([
      ['uci', 'delete', `network.${VLAN10_SECTION}.ports`],
      ['uci', 'add_list', `network.${VLAN10_SECTION}.ports=lan2:t`],
      ['uci', 'add_list', `network.${VLAN10_SECTION}.ports=lan4`],
      COMMIT,
      RELOAD,
    ]);
  });

  it('reverts and fails with 7003 when the commit fails, without reloading', async () => {
    await start();
    fx.fake.failCommit(true);
    const e = await refusal(() => fx.binding(VLAN_PORT).delete!([1, 5], {}));
    expect(e.code).toBe(ErrorCode.InternalError);
    expect(e.message).toMatch(/network\.cfg09bf24\.ports.*reverted.*uci: I\/O error/);
    const v = await refusal(() => fx.binding(VLAN).set!([1, 2], { VLANID: 11 }, {}));
    expect(v.code).toBe(ErrorCode.InternalError);
    expect(writes().filter((a) => a[1] !== 'add_list' && a[1] !== 'delete')).toEqual([
      COMMIT,
      ['uci', 'revert', 'network'],
      ['uci', 'set', `network.${VLAN10_SECTION}.vlan=11`],
      COMMIT,
      ['uci', 'revert', 'network'],
    ]);
    // Nothing was renumbered: VLAN.2 is still VLAN 10.
    expect(await fx.binding(VLAN).get([1, 2], {})).toMatchObject({ VLANID: 10 });
  });

  it('rolls a transaction back: the undo writes the old values again', async () => {
    await start();
    const tx = new Transaction(fx.model, {});
    await tx.set({ node: fx.model.requireNode(VLAN), keys: [1, 2] }, { Name: 'Temporary' });
    committed(edited([["'IoT'", "'Temporary'"]]));
    fx.fake.clearLog();
    await tx.rollback();
    expect(writes()).toEqual([['uci', 'set', `network.${VLAN10_SECTION}.description=IoT`], COMMIT, RELOAD]);
  });

  it('refuses what a bridge-vlan cannot hold with 7012, and a taken key with 7025, before touching UCI', async () => {
    await start();
    const vlan = fx.binding(VLAN);
    const vlanPort = fx.binding(VLAN_PORT);
    for (const VLANID of [0, 4095]) {
      const e = await refusal(() => vlan.set!([1, 2], { VLANID }, {}));
      expect(e.code).toBe(ErrorCode.InvalidValue);
      expect(e.paramErrors).toEqual([expect.objectContaining({ param: 'VLANID', code: ErrorCode.InvalidValue })]);
    }
    expect((await refusal(() => vlan.add!([1], { VLANID: 5000 }, {}))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => vlan.set!([1, 1], { Enable: false }, {}))).paramErrors[0]).toMatchObject({ param: 'Enable' });
    expect((await refusal(() => vlan.set!([1, 1], { VLANID: 10 }, {}))).code).toBe(ErrorCode.DuplicateUniqueKey);
    expect((await refusal(() => vlan.add!([1], { VLANID: 1 }, {}))).code).toBe(ErrorCode.DuplicateUniqueKey);
    // The management port has no ports entry; a port of another bridge, or none, is no member here.
    committed(`${DSA_NETWORK}network.guest=device\nnetwork.guest.name='br-guest'\nnetwork.guest.type='bridge'\nnetwork.guest.ports='wan'\n`);
    for (const Port of [`${B}Port.1`, 'Device.Bridging.Bridge.2.Port.2', `${B}Port.9`, '']) {
      const e = await refusal(() => vlanPort.add!([1], { VLAN: `${B}VLAN.1`, Port }, {}));
      expect(e.code, Port).toBe(ErrorCode.InvalidValue);
      expect(
        e.paramErrors.map((p) => p.param),
        Port,
      ).toEqual(['Port']);
    }
    const noVlan = await refusal(() => vlanPort.add!([1], { Port: `${B}Port.2`, Enable: false }, {}));
    expect(noVlan.paramErrors.map((p) => p.param)).toEqual(['VLAN', 'Enable']);
    expect((await refusal(() => vlanPort.set!([1, 4], { VLAN: 'Device.Bridging.Bridge.2.VLAN.1' }, {}))).code).toBe(ErrorCode.InvalidValue);
    // lan2 is already in VLAN 10 (VLANPort.4); lan3 already in VLAN 1 (VLANPort.3).
    expect((await refusal(() => vlanPort.add!([1], { VLAN: `${B}VLAN.2`, Port: `${B}Port.3` }, {}))).code).toBe(ErrorCode.DuplicateUniqueKey);
    expect((await refusal(() => vlanPort.set!([1, 5], { VLAN: `${B}VLAN.1` }, {}))).code).toBe(ErrorCode.DuplicateUniqueKey);
    expect(writes()).toEqual([]);
  });

  it('refuses, writing nothing, a Bridge Standard netifd has no setting for (7012)', async () => {
    await start();
    const tx = new Transaction(fx.model, {});
    try {
      const e = await refusal(() => tx.set({ node: fx.model.requireNode('Device.Bridging.Bridge.{i}.'), keys: [1] }, { Standard: '802.1Q-2005' }));
      expect(e.code).toBe(ErrorCode.InvalidValue);
    } finally {
      await tx.rollback();
    }
    expect(writes()).toEqual([]);
  });
});
