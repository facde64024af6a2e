/**
 * Device.Bridging.Bridge.{i}.Port.{i}.Enable on OpenWrt: the management port's is the bridge
 * device's `enabled`, an Ethernet member's its own `config device` `enabled` (what
 * Ethernet.Interface.Enable writes), a Wi-Fi member's its SSID's. Replayed at the command
 * boundary on the 24.10 DSA router (br-lan over lan1-lan4, phy1-ap0 added by netifd): `uci show
 * network` answers the recorded configuration; the configuration after a write and netifd's
 * device status without the disabled port are written here from those recordings.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { DSA_SYS_NET, dsaRouter } from './dsa-router.js';
import { FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';
import { refusal } from '../refusal.js';

const B = 'Device.Bridging.Bridge.1.';
const PORT = 'Device.Bridging.Bridge.{i}.Port.{i}.';
const RELOAD = ['ubus', 'call', 'network', 'reload'];
const COMMIT = ['uci', 'commit', 'network'];
const BR_LAN = 'cfg030f15';

/** The recorded `uci show network` with these lines appended (what uci shows after the write). */
function uciWith(lines: string[]): { text: string } {
  return { text: fs.readFileSync(`${FIXTURES}uci-show-network.24.10-dsa.uci.txt`, 'utf8') + lines.map((l) => `${l}\n`).join('') };
}

/** The recorded `network.device status` without `gone` (netifd drops a disabled port), br-lan's members with it. */
function statusWithout(gone: string): { json: unknown } {
  const status = JSON.parse(fs.readFileSync(`${FIXTURES}ubus-network-device-status.24.10-dsa.json`, 'utf8')) as Record<string, Record<string, unknown>>;
  delete status[gone];
  const br = status['br-lan']!;
  br['bridge-members'] = (br['bridge-members'] as string[]).filter((m) => m !== gone);
  return { json: status };
}

describe('openwrt platform: bridge Port.Enable', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));
  const start = async (): Promise<void> => {
    const fake = dsaRouter();
    fake.respondUci('network', { file: 'uci-show-network.24.10-dsa.uci.txt' });
    fx = openWrt(fake, { sysNetDir: DSA_SYS_NET });
    await fx.platform.ready;
    await fx.values('Device.Bridging.');
    fx.fake.clearLog();
  };
  const portNamed = async (name: string): Promise<number> => {
    for (const [path, v] of await fx.values('Device.Bridging.')) {
      const m = /^Device\.Bridging\.Bridge\.1\.Port\.(\d+)\.$/.exec(path);
      if (m && v.Name === name) return Number(m[1]);
    }
    throw new Error(`no port ${name}`);
  };

  it('disables an Ethernet member in its own device section, keeps the row, and enables it again', async () => {
    await start();
    const n = await portNamed('lan3');
    expect((await fx.values('Device.Bridging.')).get(`${B}Port.${n}.`)).toMatchObject({ Enable: true, Status: 'Down' });
    fx.fake.respondUciAfterCommit('network', uciWith(['network.usp_port_lan3=device', "network.usp_port_lan3.name='lan3'", "network.usp_port_lan3.enabled='0'"]));
    await fx.binding(PORT).set!([1, n], { Enable: false }, {});
    // netifd leaves a disabled port out of its device status after the reload.
    fx.fake.respond('network.device status', statusWithout('lan3'));
    expect(writes()).toEqual([['uci', 'set', 'network.usp_port_lan3=device'], ['uci', 'set', 'network.usp_port_lan3.name=lan3'], ['uci', 'set', 'network.usp_port_lan3.enabled=0'], COMMIT, RELOAD]);
    expect((await fx.values('Device.Bridging.')).get(`${B}Port.${n}.`)).toMatchObject({ Name: 'lan3', Enable: false, Status: 'NotPresent' });
    fx.fake.clearLog();
    await fx.binding(PORT).set!([1, n], { Enable: true }, {});
    expect(writes()).toEqual([['uci', 'delete', 'network.usp_port_lan3.enabled'], COMMIT, RELOAD]);
  });

  it("writes the management port's Enable as the bridge device's enabled", async () => {
    await start();
    const n = await portNamed('br-lan');
    fx.fake.respondUciAfterCommit('network', uciWith([`network.${BR_LAN}.enabled='0'`]));
    await fx.binding(PORT).set!([1, n], { Enable: false }, {});
    expect(writes()).toEqual([['uci', 'set', `network.${BR_LAN}.enabled=0`], COMMIT, RELOAD]);
    const v = await fx.values('Device.Bridging.');
    expect(v.get(`${B}Port.${n}.`)).toMatchObject({ ManagementPort: true, Enable: false });
    expect(v.get(B)).toMatchObject({ Enable: false });
  });

  it("refuses 7012 a Wi-Fi member's Enable (its SSID's), writing nothing", async () => {
    await start();
    const n = await portNamed('phy1-ap0');
    const e = await refusal(() => fx.binding(PORT).set!([1, n], { Enable: false }, {}));
    expect(e.code).toBe(ErrorCode.InvalidValue);
    expect(e.paramErrors[0]?.message).toMatch(/SSID's Enable/);
    await fx.binding(PORT).set!([1, n], { Enable: true }, {});
    expect(writes()).toEqual([]);
  });
});
