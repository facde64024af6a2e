/**
 * Which OpenWrt bridge ports a Bridging.Filter may name (bridge-switch-ports.ts): a port is
 * refused while another member of its bridge sits on the same switch, whose hardware forwards
 * between them past the bridge's nftables hooks. The switch is read from
 * /sys/class/net/<port>/phys_switch_id (written here in the kernel's format: the switchdev parent
 * ID in hex, for DSA the switch tree's index as 4 bytes, so "00000000" for a router's one switch),
 * else, for a port netifd reports as DSA, its conduit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { hardwarePeers, switchIdOf } from '../../../../platform/openwrt/bridge-switch-ports.js';
import { DSA_SYS_NET, dsaRouter } from './dsa-router.js';
import { deviceStatus } from './dsa-bridge-ports.js';
import { FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';
import { recordNft } from './nft-script-recorder.js';

const FILTER = 'Device.Bridging.Filter.{i}.';
const DSA_UCI = fs.readFileSync(`${FIXTURES}uci-show-network.24.10-dsa.uci.txt`, 'utf8');

/** The DSA router with lan4 moved from br-lan to a bridge of its own, br-iot (written for this test). */
function withIotBridge(): string {
  const uci = DSA_UCI.replace(`network.cfg030f15.ports='lan1' 'lan2' 'lan3' 'lan4'`, `network.cfg030f15.ports='lan1' 'lan2' 'lan3'`);
  return `${uci}network.usp_iot=device\nnetwork.usp_iot.name='br-iot'\nnetwork.usp_iot.type='bridge'\nnetwork.usp_iot.ports='lan4'\n`;
}
/** netifd's device status of that router, `also` added to br-iot at run time. */
function iotStatus(also: string[] = []): { json: unknown } {
  const s = deviceStatus([...['lan1', 'lan2', 'lan3'].filter((p) => !also.includes(p)), 'phy1-ap0']).json as Record<string, unknown>;
  s['br-iot'] = { type: 'bridge', devtype: 'bridge', up: true, present: true, 'bridge-members': [...also, 'lan4'] };
  return { json: s };
}

describe('openwrt bridge filter: ports a switch forwards between in hardware', () => {
  const fixtures: PlatformFixture[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const f of fixtures.splice(0)) f.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('hardwarePeers: the other members on the same switch; none for a port of no switch', () => {
    const members = [{ name: 'lan1', switchId: 'a' }, { name: 'lan2', switchId: 'a' }, { name: 'lan3', switchId: 'b' }, { name: 'phy1-ap0' }];
    expect(hardwarePeers('lan1', members)).toEqual(['lan2']);
    expect(hardwarePeers('lan3', members)).toEqual([]);
    expect(hardwarePeers('phy1-ap0', members)).toEqual([]);
  });

  it('switchIdOf: phys_switch_id first, a DSA port without one by its conduit, else none', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-owrt-sw-'));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, 'lan1'));
    fs.writeFileSync(path.join(dir, 'lan1', 'phys_switch_id'), '00000000\n');
    const devices = { lan1: { devtype: 'dsa' }, lan2: { devtype: 'dsa', conduit: 'eth0' }, eth1: { devtype: 'ethernet' } };
    expect(await switchIdOf(dir, 'lan1', devices)).toBe('switch 00000000');
    expect(await switchIdOf(dir, 'lan2', devices)).toBe('DSA switch behind eth0');
    expect(await switchIdOf(dir, 'eth1', devices)).toBeUndefined();
    expect(await switchIdOf(dir, '../lan1', devices)).toBeUndefined();
  });

  it('takes the one switch port of a bridge, refuses one beside others of its switch, and reads Error_Misconfigured once another joins', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-owrt-sw-'));
    dirs.push(dir);
    // The recorded port states, and each DSA port's switch ID as the kernel prints it.
    fs.cpSync(DSA_SYS_NET, path.join(dir, 'sys'), { recursive: true });
    for (const p of ['lan1', 'lan2', 'lan3', 'lan4', 'wan']) {
      fs.mkdirSync(path.join(dir, 'sys', p), { recursive: true });
      fs.writeFileSync(path.join(dir, 'sys', p, 'phys_switch_id'), '00000000\n');
    }
    const fake = dsaRouter();
    fake.respondUci('network', { text: withIotBridge() });
    fake.respond('network.device status', iotStatus());
    const nft = recordNft(fake);
    const store = new DataStore(path.join(dir, 'data'));
    const fx = openWrt(fake, { sysNetDir: path.join(dir, 'sys'), packetCounters: false, store });
    fixtures.push(fx);
    store.load((why) => {
      throw new Error(why);
    });
    await fx.platform.stateLoaded();
    await fx.platform.ready;
    const node = fx.model.requireNode(FILTER);
    const add = async (params: Record<string, string | boolean>): Promise<void> => {
      const tx = new Transaction(fx.model, {});
      try {
        await tx.add(node, [], params);
      } catch (e) {
        await tx.rollback();
        throw e;
      }
      await tx.commit();
    };

    // br-lan (Bridge.1): Port.2-4 lan1..lan3, Port.5 phy1-ap0; br-iot (Bridge.2): Port.2 lan4.
    const e = await add({ Enable: true, Bridge: 'Device.Bridging.Bridge.1', Interface: 'Device.Bridging.Bridge.1.Port.2' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(UspError);
    expect((e as UspError).paramErrors[0]).toMatchObject({ param: 'Interface', code: ErrorCode.InvalidValue });
    expect((e as UspError).paramErrors[0]!.message).toMatch(/lan1 shares a switch with lan2, lan3 on this bridge \(switch 00000000\)/);
    expect(nft.scripts()).toEqual([]);

    await add({ Enable: true, Bridge: 'Device.Bridging.Bridge.2', Interface: 'Device.Bridging.Bridge.2.Port.2' });
    expect(nft.scripts().at(-1)).toContain('iifname "lan4" jump port_1');
    expect(await fx.binding(FILTER).get([1], {})).toMatchObject({ Status: 'Enabled', Interface: 'Device.Bridging.Bridge.2.Port.2' });

    // lan3 joins br-iot (netifd adds it at run time, as it adds Wi-Fi members; its event makes
    // the agent read the device status again): the switch now forwards lan3 <-> lan4 past the Filter.
    fake.respond('network.device status', iotStatus(['lan3']));
    fake.event('listen', 'network.interface', { action: 'ifup', interface: 'lan' });
    await expect.poll(async () => (await fx.binding(FILTER).get([1], {})).Status, { timeout: 20_000 }).toBe('Error_Misconfigured');
  });
});
