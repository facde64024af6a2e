/**
 * Device.Bridging.Bridge.{i}.Port.{i}.PVID written on OpenWrt as the "*" of the port's
 * bridge-vlan entries, replayed at the command boundary over the 24.10 DSA router's recorded
 * `uci show network` (test/fixtures/openwrt/README.md): VLAN 1 'lan1:u*' 'lan2:u*' 'lan3:u*',
 * VLAN 10 'lan2:t' 'lan3:t' 'lan4'. The uci commands checked here are what the binding runs; the
 * configuration after them is not recorded, so the test reads no state after the commit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, type UspError } from '../../../../datamodel/UspError.js';
import { B, bridgeWrites, COMMIT, PORT, RELOAD, VLAN1, VLAN10 } from './dsa-bridge-ports.js';
import { DSA_SYS_NET, dsaRouter } from './dsa-router.js';
import { openWrt, type PlatformFixture } from './fake-openwrt.js';

describe('openwrt platform: a bridge port PVID is the "*" of its bridge-vlan entry', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => bridgeWrites(fx);
  const start = async (): Promise<Map<string, Record<string, unknown>>> => {
    const fake = dsaRouter();
    fake.respondUci('network', { file: 'uci-show-network.24.10-dsa.uci.txt' });
    fx = openWrt(fake, { sysNetDir: DSA_SYS_NET });
    await fx.platform.ready;
    const v = await fx.values('Device.Bridging.');
    fx.fake.clearLog();
    return v;
  };
  const portNo = (v: Map<string, Record<string, unknown>>, name: string): number => Number([...v.entries()].find(([p, r]) => p.startsWith(`${B}Port.`) && r.Name === name)![0].split('.')[5]);

  it('moves the "*" to the new VLAN, keeping each entry tagged or untagged, in one commit', async () => {
    const v = await start();
    const lan2 = portNo(v, 'lan2');
    expect(v.get(`${B}Port.${lan2}.`)).toMatchObject({ PVID: 1 });
    await fx.binding(PORT).set!([1, lan2], { PVID: 10 }, {});
    expect(writes()).toEqual([
      ['uci', 'delete', `network.${VLAN1}.ports`],
      ['uci', 'add_list', `network.${VLAN1}.ports=lan1:u*`],
      ['uci', 'add_list', `network.${VLAN1}.ports=lan2:u`],
      ['uci', 'add_list', `network.${VLAN1}.ports=lan3:u*`],
      ['uci', 'delete', `network.${VLAN10}.ports`],
      ['uci', 'add_list', `network.${VLAN10}.ports=lan2:t*`],
      ['uci', 'add_list', `network.${VLAN10}.ports=lan3:t`],
      ['uci', 'add_list', `network.${VLAN10}.ports=lan4`],
      COMMIT,
      RELOAD,
    ]);
  });

  it('a port that is no member of the VLAN joins it untagged ("lan1:u*", an access port)', async () => {
    const v = await start();
    await fx.binding(PORT).set!([1, portNo(v, 'lan1')], { PVID: 10 }, {});
    expect(writes().filter((a) => a[1] === 'add_list' && a[2]!.startsWith(`network.${VLAN10}.`))).toContainEqual(['uci', 'add_list', `network.${VLAN10}.ports=lan1:u*`]);
    expect(writes()).toContainEqual(['uci', 'add_list', `network.${VLAN1}.ports=lan1:u`]);
  });

  it('refuses a VLAN the bridge has no section for, and the management port, writing nothing', async () => {
    const v = await start();
    const e = await Promise.resolve(fx.binding(PORT).set!([1, portNo(v, 'lan1')], { PVID: 20 }, {})).then(
      () => expect.fail('accepted'),
      (x: unknown) => x as UspError,
    );
    expect(e.code).toBe(ErrorCode.InvalidValue);
    expect(e.message).toMatch(/no bridge-vlan section for VLAN 20/);
    const m = await Promise.resolve(fx.binding(PORT).set!([1, portNo(v, 'br-lan')], { PVID: 10 }, {})).then(
      () => expect.fail('accepted'),
      (x: unknown) => x as UspError,
    );
    expect(m.code).toBe(ErrorCode.InvalidValue);
    expect(writes()).toEqual([]);
  });
});
