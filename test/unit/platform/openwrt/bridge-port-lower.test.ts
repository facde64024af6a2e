/**
 * Device.Bridging.Bridge.{i}.Port.{i}.LowerLayers on OpenWrt: a member port moved to another
 * netdev in the bridge's `ports` list and its bridge-vlan entries. Replayed at the command
 * boundary on the 24.10 DSA router: `uci show network` answers what OpenWrt's uci printed after
 * lan4 was taken out of br-lan (recorded); what it shows after the move (lan3 → lan4 in the same
 * places) and netifd's members after it are written here from those recordings.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { B, BR_LAN, bridgeWrites, COMMIT, deviceStatus, openDsaBridge, PORT, PORT_DELETED, RELOAD, VLAN1, VLAN10, withoutLan4 } from './dsa-bridge-ports.js';
import { FIXTURES, type PlatformFixture } from './fake-openwrt.js';
import { refusal } from '../refusal.js';

describe('openwrt platform: bridge Port.LowerLayers', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => bridgeWrites(fx);
  /** The DSA router with lan4 (Port.5) deleted from br-lan, as recorded. */
  const start = async (): Promise<void> => {
    fx = openDsaBridge();
    await withoutLan4(fx);
  };
  const ethernet = async (name: string): Promise<string> => {
    for (const [path, v] of await fx.values('Device.Ethernet.')) if (/^Device\.Ethernet\.Interface\.\d+\.$/.test(path) && v.Name === name) return path.slice(0, -1);
    throw new Error(`no Ethernet.Interface ${name}`);
  };

  it('moves lan3 (Port.4) to lan4 in the ports list and both VLANs, keeping the row, its Alias and VLANPorts', async () => {
    await start();
    await fx.binding(PORT).set!([1, 4], { Alias: 'desk' }, {});
    const before = await fx.values('Device.Bridging.');
    fx.fake.respondUci('network', { file: PORT_DELETED });
    const moved = fs.readFileSync(`${FIXTURES}${PORT_DELETED}`, 'utf8').replace(/lan3/g, 'lan4');
    fx.fake.respondUciAfterCommit('network', { text: moved });
    const lan4 = await ethernet('lan4');
    await fx.binding(PORT).set!([1, 4], { LowerLayers: `${lan4}.` }, {});
    // What netifd lists once the reload moved the port.
    fx.fake.respond('network.device status', deviceStatus(['lan1', 'lan2', 'lan4', 'phy1-ap0']));
    expect(writes()).toEqual([
      ['uci', 'delete', `network.${BR_LAN}.ports`],
      ['uci', 'add_list', `network.${BR_LAN}.ports=lan1`],
      ['uci', 'add_list', `network.${BR_LAN}.ports=lan2`],
      ['uci', 'add_list', `network.${BR_LAN}.ports=lan4`],
      ['uci', 'delete', `network.${VLAN1}.ports`],
      ['uci', 'add_list', `network.${VLAN1}.ports=lan1:u*`],
      ['uci', 'add_list', `network.${VLAN1}.ports=lan2:u*`],
      ['uci', 'add_list', `network.${VLAN1}.ports=lan4:u*`],
      ['uci', 'delete', `network.${VLAN10}.ports`],
      ['uci', 'add_list', `network.${VLAN10}.ports=lan2:t`],
      ['uci', 'add_list', `network.${VLAN10}.ports=lan4:t`],
      COMMIT,
      RELOAD,
    ]);
    const after = await fx.values('Device.Bridging.');
    expect(after.get(`${B}Port.4.`)).toMatchObject({ Name: 'lan4', Alias: 'desk', LowerLayers: lan4 });
    // The same VLANPort instances, now on the moved port.
    const vlanPorts = (v: typeof after): string[] => [...v.keys()].filter((k) => /VLANPort\.\d+\.$/.test(k)).sort();
    expect(vlanPorts(after)).toEqual(vlanPorts(before));
  });

  it('refuses 7012, writing nothing: the management port, a Wi-Fi member, a port already there, the WAN, no Ethernet.Interface, Enable alongside', async () => {
    await start();
    const lan2 = await ethernet('lan2');
    const wan = await ethernet('wan');
    const lan4 = await ethernet('lan4');
    const cases: Array<[number, Record<string, unknown>, RegExp]> = [
      [1, { LowerLayers: lan4 }, /management port/],
      [6, { LowerLayers: lan4 }, /wireless configuration/],
      [4, { LowerLayers: lan2 }, /already Device\.Bridging\.Bridge\.1\.Port\.3/],
      [4, { LowerLayers: wan }, /default route/],
      [4, { LowerLayers: 'Device.WiFi.SSID.1' }, /one Device\.Ethernet\.Interface/],
      [4, { LowerLayers: lan4, Enable: false }, /apart from LowerLayers/],
    ];
    for (const [n, change, why] of cases) {
      const e = await refusal(() => fx.binding(PORT).set!([1, n], change as Record<string, string | boolean>, {}));
      expect(e.code, JSON.stringify(change)).toBe(ErrorCode.InvalidValue);
      expect(e.paramErrors[0]?.message, JSON.stringify(change)).toMatch(why);
    }
    expect(writes()).toEqual([]);
  });
});
