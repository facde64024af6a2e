/**
 * Device.Ethernet.Link.{i}. Add and Delete on OpenWrt (TR-181 EthernetLink:1 createDelete), on
 * the 24.10 DSA router's `network.device status` through the fake ubus: Links are agent-only
 * state in the store (no `uci` write at all), read from netifd's devices; deleted ones stay
 * deleted and added ones come back under their numbers after a restart on the same store.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { DSA_SYS_NET, dsaRouter } from './dsa-router.js';
import { openWrt, type PlatformFixture } from './fake-openwrt.js';

const LINK = 'Device.Ethernet.Link.{i}.';

describe('openwrt platform: a Controller adds and deletes Ethernet Links', () => {
  const fixtures: PlatformFixture[] = [];
  let dir: string | undefined;
  afterEach(() => {
    for (const f of fixtures.splice(0)) f.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const boot = async (dataDir: string): Promise<{ fx: PlatformFixture; store: DataStore }> => {
    const store = new DataStore(dataDir);
    const fx = openWrt(dsaRouter(), { sysNetDir: DSA_SYS_NET, store });
    fixtures.push(fx);
    store.load((why) => {
      throw new Error(why);
    });
    await fx.platform.stateLoaded();
    return { fx, store };
  };
  /** One Add, Set or Delete as a Controller's transaction, committed (and saved). */
  const commit = async (fx: PlatformFixture, store: DataStore, step: (tx: Transaction) => Promise<unknown>): Promise<void> => {
    const tx = new Transaction(fx.model, {});
    try {
      await step(tx);
    } catch (e) {
      await tx.rollback();
      throw e;
    }
    await tx.commit();
    await store.flush();
  };
  const node = (fx: PlatformFixture) => fx.model.requireNode(LINK);
  const list = async (fx: PlatformFixture) => fx.binding(LINK).list!([], {});
  const refusal = async (p: Promise<unknown>): Promise<UspError> => {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    if (!(e instanceof UspError)) throw new Error(`not refused: ${String(e)}`);
    return e;
  };

  it('deletes the WAN Link and adds one over the WAN port again, without a UCI write; the rows survive a restart', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-owrt-link-'));
    const { fx, store } = await boot(path.join(dir, 'data'));
    // Links in name order: br-lan, br-lan.1, eth0, wan; ports: eth0, lan1..lan4, wan.
    expect(await list(fx)).toEqual([1, 2, 3, 4]);
    const wan = await fx.binding(LINK).get([4], {});
    expect(wan).toMatchObject({ Name: 'wan', LowerLayers: 'Device.Ethernet.Interface.6' });
    fx.fake.clearLog();

    await commit(fx, store, (tx) => tx.delete({ node: node(fx), keys: [4] }));
    expect(await list(fx)).toEqual([1, 2, 3]);
    await commit(fx, store, (tx) => tx.add(node(fx), [], { LowerLayers: 'Device.Ethernet.Interface.6.', Enable: true }));
    expect(await list(fx)).toEqual([1, 2, 3, 5]);
    expect(await fx.binding(LINK).get([5], {})).toMatchObject({ Name: 'wan', Status: 'Up', LowerLayers: 'Device.Ethernet.Interface.6', MACAddress: wan.MACAddress });
    expect((await fx.binding(`${LINK}Stats.`).get([5], {})).BytesReceived).toBe((await fx.binding('Device.Ethernet.Interface.{i}.Stats.').get([6], {})).BytesReceived);
    // A Link on no lower layer yet.
    await commit(fx, store, (tx) => tx.add(node(fx), [], {}));
    expect(await fx.binding(LINK).get([6], {})).toMatchObject({ Status: 'Down', LowerLayers: '', Name: '' });
    // Agent-only state: netifd's configuration is not touched.
    expect(fx.fake.invocations().filter((c) => c[0] === 'uci' && c[1] !== 'show' && !c.includes('show'))).toEqual([]);

    fixtures.splice(0).forEach((f) => f.close());
    const again = await boot(path.join(dir, 'data'));
    expect(await list(again.fx)).toEqual([1, 2, 3, 5, 6]);
    expect(await again.fx.binding(LINK).get([5], {})).toMatchObject({ Name: 'wan', LowerLayers: 'Device.Ethernet.Interface.6' });
  });

  it('refuses a second Link over a lower layer, a bridge member port and paths that name nothing (7012), keeping nothing', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-owrt-link-'));
    const { fx } = await boot(path.join(dir, 'data'));
    const b = fx.binding(LINK);
    const mgmt = String((await b.get([1], {})).LowerLayers);
    expect(mgmt).toMatch(/^Device\.Bridging\.Bridge\.\d+\.Port\.\d+$/);
    for (const LowerLayers of ['Device.Ethernet.Interface.6', mgmt, 'Device.Ethernet.Interface.2', 'Device.Ethernet.Interface.99', 'Device.IP.Interface.1']) {
      const e = await refusal(Promise.resolve(b.add!([], { LowerLayers }, {})));
      expect(e.code, LowerLayers).toBe(ErrorCode.InvalidValue);
      expect(e.paramErrors[0]).toMatchObject({ param: 'LowerLayers' });
    }
    expect(await list(fx)).toEqual([1, 2, 3, 4]);
    // netifd owns the device's state: Enable may only say what it is.
    expect((await refusal(Promise.resolve(b.set!([4], { Enable: false }, {})))).code).toBe(ErrorCode.InvalidValue);
    await b.set!([4], { Enable: true }, {});
    // A device's own Link stays on it.
    expect((await refusal(Promise.resolve(b.set!([4], { LowerLayers: '' }, {})))).code).toBe(ErrorCode.InvalidValue);
  });

  it("adds a Link over a bridge's management port once the bridge's own is deleted; a rolled-back Delete keeps the row", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-owrt-link-'));
    const { fx, store } = await boot(path.join(dir, 'data'));
    const mgmt = String((await fx.binding(LINK).get([1], {})).LowerLayers);
    const tx = new Transaction(fx.model, {});
    await tx.delete({ node: node(fx), keys: [3] });
    expect(await list(fx)).toEqual([1, 2, 4]);
    await tx.rollback();
    expect(await list(fx)).toEqual([1, 2, 3, 4]);

    await commit(fx, store, (t) => t.delete({ node: node(fx), keys: [1] }));
    await commit(fx, store, (t) => t.add(node(fx), [], { LowerLayers: mgmt }));
    expect(await fx.binding(LINK).get([5], {})).toMatchObject({ Name: 'br-lan', LowerLayers: mgmt });
  });
});
