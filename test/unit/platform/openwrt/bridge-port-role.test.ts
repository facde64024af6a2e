/**
 * Device.Bridging.Bridge.{i}.Port.{i}.ManagementPort on OpenWrt: the bridge device's role moved
 * to another row, and the member's place in br-lan's `ports` list with it. Replayed at the
 * command boundary on the 24.10 DSA router: `uci show network` answers what OpenWrt's uci printed
 * after lan4 was taken out of br-lan and after it was appended again (both recorded); taking lan4
 * out once more leaves the configuration the first of those recordings shows. netifd's members
 * after each reload are written here.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { DSA_SYS_NET, dsaRouter } from './dsa-router.js';
import { FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';
import { refusal } from '../refusal.js';

const B = 'Device.Bridging.Bridge.1.';
const PORT = 'Device.Bridging.Bridge.{i}.Port.{i}.';
const RELOAD = ['ubus', 'call', 'network', 'reload'];
const COMMIT = ['uci', 'commit', 'network'];
const BR_LAN = 'cfg030f15';
const DELETED = 'uci-show-network.24.10-dsa.port-deleted.txt';
const ADDED = 'uci-show-network.24.10-dsa.port-added.txt';

/** `network.device status` of the DSA router with br-lan's members as netifd lists them after a reload. */
function deviceStatus(members: string[]): { json: unknown } {
  const status = JSON.parse(fs.readFileSync(`${FIXTURES}ubus-network-device-status.24.10-dsa.json`, 'utf8')) as Record<string, Record<string, unknown>>;
  status['br-lan']!['bridge-members'] = members;
  return { json: status };
}

describe('openwrt platform: bridge Port.ManagementPort', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));
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
    const fake = dsaRouter();
    fake.respondUci('network', { file: 'uci-show-network.24.10-dsa.uci.txt' });
    // The recorded interface dump is the other fixture device's (wan on eth1.2); the DSA router's wan is on its wan port.
    const dump = JSON.parse(fs.readFileSync(`${FIXTURES}ubus-network-interface-dump.json`, 'utf8')) as { interface: Array<Record<string, unknown>> };
    for (const i of dump.interface) if (i.interface === 'wan') Object.assign(i, { device: 'wan', l3_device: 'wan' });
    fake.respond('network.interface dump', { json: dump });
    fx = openWrt(fake, { sysNetDir: DSA_SYS_NET });
    await fx.platform.ready;
    await fx.values('Device.Bridging.');
    fx.fake.respondUciAfterCommit('network', { file: DELETED });
    fx.fake.respond('network.device status', deviceStatus(['lan1', 'lan2', 'lan3', 'phy1-ap0']));
    await fx.binding(PORT).delete!([1, 5], {});
    fx.fake.clearLog();
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
    fx.fake.respondUciAfterCommit('network', { file: DELETED });
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
