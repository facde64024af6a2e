/**
 * Device.Bridging.Bridge.{i}.Port.{i} Add and Delete on OpenWrt, replayed at the command boundary:
 * `uci show network` answers what OpenWrt's own uci printed for the 24.10 DSA router's
 * configuration before and after the very commands the binding runs
 * (test/fixtures/openwrt/README.md); the port states are a namespace recording.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, type UspError } from '../../../../datamodel/UspError.js';
import { B, BR_LAN, bridgeWrites, COMMIT, deviceStatus, PORT, PORT_DELETED, RELOAD, VLAN10 } from './dsa-bridge-ports.js';
import { DSA_SYS_NET, dsaRouter } from './dsa-router.js';
import { FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

describe('openwrt platform: bridge ports added and deleted through the ports list', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => bridgeWrites(fx);
  const fail = (p: unknown): Promise<UspError> =>
    Promise.resolve(p).then(
      () => expect.fail('accepted'),
      (e: unknown) => e as UspError,
    );
  const start = async (): Promise<void> => {
    const fake = dsaRouter();
    fake.respondUci('network', { file: 'uci-show-network.24.10-dsa.uci.txt' });
    fx = openWrt(fake, { sysNetDir: DSA_SYS_NET });
    await fx.platform.ready;
    await fx.values('Device.Bridging.');
    fx.fake.clearLog();
  };

  it('deletes lan4 from the ports list and from its VLAN, then adds it back as a new row', async () => {
    await start();
    expect((await fx.values('Device.Bridging.')).get(`${B}Port.5.`)).toMatchObject({ Name: 'lan4' });
    fx.fake.respondUciAfterCommit('network', { file: PORT_DELETED });
    fx.fake.respond('network.device status', deviceStatus(['lan1', 'lan2', 'lan3', 'phy1-ap0']));
    await fx.binding(PORT).delete!([1, 5], {});
    expect(writes()).toEqual([
      ['uci', 'del_list', `network.${BR_LAN}.ports=lan4`],
      ['uci', 'delete', `network.${VLAN10}.ports`],
      ['uci', 'add_list', `network.${VLAN10}.ports=lan2:t`],
      ['uci', 'add_list', `network.${VLAN10}.ports=lan3:t`],
      COMMIT,
      RELOAD,
    ]);
    let v = await fx.values('Device.Bridging.');
    expect(v.get(B)).toMatchObject({ PortNumberOfEntries: 5, VLANPortNumberOfEntries: 5 });
    expect(v.has(`${B}Port.5.`)).toBe(false);

    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('network', { file: 'uci-show-network.24.10-dsa.port-added.txt' });
    fx.fake.respond('network.device status', deviceStatus(['lan1', 'lan2', 'lan3', 'lan4', 'phy1-ap0']));
    const n = await fx.binding(PORT).add!([1], { LowerLayers: 'Device.Ethernet.Interface.5', Alias: 'uplink' }, {});
    expect(writes()).toEqual([['uci', 'add_list', `network.${BR_LAN}.ports=lan4`], COMMIT, RELOAD]);
    // Port.5 is not handed out again (TR-369 R-ADD: a new row gets a new instance number).
    expect(n).toBe(7);
    v = await fx.values('Device.Bridging.');
    expect(v.get(`${B}Port.7.`)).toMatchObject({ Name: 'lan4', Alias: 'uplink', LowerLayers: 'Device.Ethernet.Interface.5', PortState: 'Forwarding' });
    expect(v.get(`${B}Port.1.`)).toMatchObject({ LowerLayers: [2, 3, 4, 7, 6].map((p) => `${B}Port.${p}`).join(',') });
  });

  it('refuses what the ports list cannot take, writing nothing; a failing commit reverts', async () => {
    await start();
    // A member already there; nothing naming an Ethernet.Interface; the bridge itself; a Wi-Fi member.
    expect((await fail(fx.binding(PORT).add!([1], { LowerLayers: 'Device.Ethernet.Interface.2' }, {}))).code).toBe(ErrorCode.DuplicateUniqueKey);
    for (const bad of [{}, { LowerLayers: 'Device.WiFi.SSID.2' }, { LowerLayers: 'Device.Ethernet.Interface.99' }] as Array<Record<string, string>>) {
      const e = await fail(fx.binding(PORT).add!([1], bad, {}));
      expect(e.code).toBe(ErrorCode.InvalidValue);
      expect(e.paramErrors?.map((p) => p.param)).toEqual(['LowerLayers']);
    }
    expect((await fail(fx.binding(PORT).delete!([1, 1], {}))).code).toBe(ErrorCode.DeleteFailure);
    expect((await fail(fx.binding(PORT).delete!([1, 6], {}))).message).toContain('wireless configuration');
    expect(writes()).toEqual([]);
    fx.fake.failCommit(true);
    expect((await fail(fx.binding(PORT).delete!([1, 2], {}))).code).toBe(ErrorCode.InternalError);
    expect(writes()).toEqual([
      ['uci', 'del_list', `network.${BR_LAN}.ports=lan1`],
      ['uci', 'delete', 'network.cfg08a1b0.ports'],
      ['uci', 'add_list', 'network.cfg08a1b0.ports=lan2:u*'],
      ['uci', 'add_list', 'network.cfg08a1b0.ports=lan3:u*'],
      COMMIT,
      ['uci', 'revert', 'network'],
    ]);
    expect((await fx.values('Device.Bridging.')).get(`${B}Port.2.`)).toMatchObject({ Name: 'lan1' });
  });

  it('counts LastChange from the Status change the agent saw (from its first reading before that)', async () => {
    let now = Date.UTC(2026, 11, 5);
    const fake = dsaRouter();
    fx = openWrt(fake, { sysNetDir: DSA_SYS_NET, now: () => now });
    await fx.platform.ready;
    const lastChange = async (): Promise<unknown> => (await fx.binding(PORT).get([1, 4], {})).LastChange;
    expect(await fx.binding(PORT).get([1, 4], {})).toMatchObject({ Name: 'lan3', Status: 'Down', LastChange: 0 });
    now += 42_000;
    expect(await lastChange()).toBe(42);
    // lan3 gets its carrier back: netifd reports it up.
    const status = JSON.parse(fs.readFileSync(`${FIXTURES}ubus-network-device-status.24.10-dsa.json`, 'utf8')) as Record<string, Record<string, unknown>>;
    status.lan3 = { ...status.lan2 };
    fake.respond('network.device status', { json: status });
    fx.platform.runner.invalidate();
    expect(await fx.binding(PORT).get([1, 4], {})).toMatchObject({ Status: 'Up', LastChange: 0 });
    now += 3_000;
    expect(await lastChange()).toBe(3);
  });
});
