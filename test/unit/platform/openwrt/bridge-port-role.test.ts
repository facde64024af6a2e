/**
 * Device.Bridging.Bridge.{i}.Port.{i}.ManagementPort on OpenWrt: the bridge device's role moved
 * to another row, and the member's place in br-lan's `ports` list with it. Replayed at the
 * command boundary on the 24.10 DSA router: `uci show network` answers what OpenWrt's uci printed
 * after lan4 was taken out of br-lan and after it was appended again (both recorded); taking lan4
 * out once more leaves the configuration the first of those recordings shows. netifd's members
 * after each reload are written here.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { B, BR_LAN, bridgeWrites, COMMIT, deviceStatus, openDsaBridge, PORT, PORT_DELETED, RELOAD, withoutLan4 } from './dsa-bridge-ports.js';
import type { PlatformFixture } from './fake-openwrt.js';
import { refusal } from '../refusal.js';

/** `uci show network` after lan4 was appended to br-lan again (recorded). */
const ADDED = 'uci-show-network.24.10-dsa.port-added.txt';

describe('openwrt platform: bridge Port.ManagementPort', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => bridgeWrites(fx);
  const set = (n: number, changes: Record<string, Value>) => fx.binding(PORT).set!([1, n], changes, {});
  /** Name and ManagementPort of each Port row of br-lan. */
  const ports = async (): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const [path, v] of await fx.values('Device.Bridging.'))
      if (/^Device\.Bridging\.Bridge\.1\.Port\.\d+\.$/.test(path)) out[path.slice(B.length)] = `${String(v.Name)} ${String(v.ManagementPort)}`;
    return out;
  };
  /** The DSA router with lan4 (Port.5) deleted from br-lan, as recorded. */
  const start = async (): Promise<void> => {
    fx = openDsaBridge();
    await withoutLan4(fx);
  };
  /** Port.1 becomes a member on lan4 (Ethernet.Interface.5): lan4 is appended to br-lan's ports. */
  const toMember = async (): Promise<void> => {
    fx.fake.respondUciAfterCommit('network', { file: ADDED });
    await set(1, { ManagementPort: false, LowerLayers: 'Device.Ethernet.Interface.5' });
    fx.fake.respond('network.device status', deviceStatus(['lan1', 'lan2', 'lan3', 'lan4', 'phy1-ap0']));
    expect(writes()).toEqual([['uci', 'add_list', `network.${BR_LAN}.ports=lan4`], COMMIT, RELOAD]);
    fx.fake.clearLog();
  };

  it('refuses a second management port, a member without its device and settings alongside (7012), writing nothing; the same value is no change', async () => {
    await start();
    await set(1, { ManagementPort: true });
    await set(2, { ManagementPort: false });
    for (const [n, change] of [
      [2, { ManagementPort: true }],
      [6, { ManagementPort: true }],
      [1, { ManagementPort: false }],
      [1, { ManagementPort: false, LowerLayers: 'Device.Ethernet.Interface.2' }],
      [1, { ManagementPort: false, LowerLayers: 'Device.WiFi.SSID.1' }],
      [1, { ManagementPort: false, LowerLayers: 'Device.Ethernet.Interface.5', Enable: false }],
    ] as Array<[number, Record<string, Value>]>) {
      const e = await refusal(() => set(n, change));
      expect([n, change, e.code]).toEqual([n, change, ErrorCode.InvalidValue]);
    }
    expect((await refusal(() => fx.binding(PORT).add!([1], { ManagementPort: true }, {}))).code).toBe(ErrorCode.InvalidValue);
    expect(writes()).toEqual([]);
    expect(await ports()).toEqual({ 'Port.1.': 'br-lan true', 'Port.2.': 'lan1 false', 'Port.3.': 'lan2 false', 'Port.4.': 'lan3 false', 'Port.6.': 'phy1-ap0 false' });
  });

  it('moves the management role: Port.1 becomes lan4, back to br-lan, and an Add brings the bridge row back', async () => {
    await start();
    await toMember();
    expect(await ports()).toEqual({ 'Port.1.': 'lan4 false', 'Port.2.': 'lan1 false', 'Port.3.': 'lan2 false', 'Port.4.': 'lan3 false', 'Port.6.': 'phy1-ap0 false' });
    expect((await fx.values('Device.Bridging.')).get(`${B}Port.1.`)).toMatchObject({ LowerLayers: 'Device.Ethernet.Interface.5' });

    // lan4's row becomes the bridge's own port again, as a rollback of the Set above asks it (with
    // the old, derived LowerLayers): lan4 leaves the ports list. The LowerLayers it has now are
    // reported back, so a rollback of this Set finds lan4's reference to put back.
    fx.fake.respondUciAfterCommit('network', { file: PORT_DELETED });
    const back: Record<string, Value> = { ManagementPort: true, LowerLayers: [2, 3, 4, 6].map((n) => `${B}Port.${n}`).join(',') };
    await set(1, back);
    expect(back.LowerLayers).toBe([2, 3, 4, 6].map((n) => `${B}Port.${n}`).join(','));
    fx.fake.respond('network.device status', deviceStatus(['lan1', 'lan2', 'lan3', 'phy1-ap0']));
    expect(writes()).toEqual([['uci', 'del_list', `network.${BR_LAN}.ports=lan4`], COMMIT, RELOAD]);
    expect(await ports()).toEqual({ 'Port.1.': 'br-lan true', 'Port.2.': 'lan1 false', 'Port.3.': 'lan2 false', 'Port.4.': 'lan3 false', 'Port.6.': 'phy1-ap0 false' });
    fx.fake.clearLog();

    // A member again, then a Controller adds the management port as a new row (nothing to write); its LowerLayers follow the ports list.
    await toMember();
    const n = await fx.binding(PORT).add!([1], { ManagementPort: true }, {});
    expect(writes()).toEqual([]);
    expect(n).toBe(7);
    const v = await fx.values('Device.Bridging.');
    expect(v.get(`${B}Port.7.`)).toMatchObject({ Name: 'br-lan', ManagementPort: true, LowerLayers: [2, 3, 4, 1, 6].map((p) => `${B}Port.${p}`).join(',') });
    expect(v.get(B)).toMatchObject({ PortNumberOfEntries: 6 });
  });
});
