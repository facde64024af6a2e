/**
 * Device.Cellular.RoamingEnabled and Interface.{i}.NetworkRequested on OpenWrt with ModemManager:
 * the modemmanager proto's `allow_roaming` and `plmn` options of the UCI interfaces that hold the
 * APNs (fake `uci`), the modem's device path from the fake `mmcli`, wired as the composition root
 * does (agent/builtin-platforms.ts: the UCI settings are the ModemManager platform's host).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { type ModemManagerPlatform, registerModemManagerPlatform } from '../../../../platform/modemmanager/index.js';
import { FakeMmcli } from '../modemmanager/fake-mmcli.js';
import { refusal } from '../refusal.js';
import { NOW_MS, openWrt, type PlatformFixture, UCI_NETWORK_CELLULAR } from './fake-openwrt.js';

const RELOAD = ['ubus', 'call', 'network', 'reload'];

describe('openwrt platform: RoamingEnabled and NetworkRequested from UCI (proto modemmanager)', () => {
  let fx: PlatformFixture;
  let mmcli: FakeMmcli;
  let mm: ModemManagerPlatform;
  afterEach(() => {
    mm.stop();
    fx.close();
    mmcli.cleanup();
  });

  const start = (network = UCI_NETWORK_CELLULAR): void => {
    fx = openWrt();
    fx.fake.respondUci('network', { text: network });
    mmcli = new FakeMmcli();
    const host = fx.platform.registerCellularAccessPoints(() => mm.modems());
    mm = registerModemManagerPlatform(fx.model, { commandPath: mmcli.binDir, now: () => NOW_MS, accessPoints: 'external', host });
  };
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));
  const committed = (text: string): void => {
    fx.fake.respondUci('network', { text });
    fx.platform.runner.invalidate('uci -q -X show network');
  };
  const cellular = () => fx.binding('Device.Cellular.');
  const iface = () => fx.binding('Device.Cellular.Interface.{i}.');

  it('reads the proto defaults while the options are unset: roaming allowed, automatic registration', async () => {
    start();
    const v = await fx.values('Device.Cellular.');
    expect(v.get('Device.Cellular.')).toMatchObject({ RoamingEnabled: true, RoamingStatus: 'Home' });
    expect(v.get('Device.Cellular.Interface.1.')).toMatchObject({ NetworkRequested: '', NetworkInUse: 'Telekom.de' });
  });

  it('RoamingEnabled false sets allow_roaming 0 on every modemmanager interface, commits, reloads', async () => {
    start();
    fx.fake.clearLog();
    await cellular().set!([], { RoamingEnabled: false }, {});
    expect(writes()).toEqual([['uci', 'set', 'network.wwan.allow_roaming=0'], ['uci', 'set', 'network.wwan_m2m.allow_roaming=0'], ['uci', 'commit', 'network'], RELOAD]);
    committed(UCI_NETWORK_CELLULAR.replace("network.wwan.iptype='ipv4v6'", "network.wwan.iptype='ipv4v6'\nnetwork.wwan.allow_roaming='0'"));
    // wwan refuses roaming now: not every connection allows it.
    expect((await cellular().get([], {})).RoamingEnabled).toBe(false);
    fx.fake.clearLog();
    await cellular().set!([], { RoamingEnabled: true }, {});
    expect(writes()).toEqual([['uci', 'set', 'network.wwan.allow_roaming=1'], ['uci', 'commit', 'network'], RELOAD]);
  });

  it('NetworkRequested is the plmn of the interfaces on that modem; "" deletes it; ModemManager is not asked', async () => {
    start();
    await iface().list!([], {});
    fx.fake.clearLog();
    await iface().set!([1], { NetworkRequested: '26202' }, {});
    expect(writes()).toEqual([['uci', 'set', 'network.wwan.plmn=26202'], ['uci', 'set', 'network.wwan_m2m.plmn=26202'], ['uci', 'commit', 'network'], RELOAD]);
    committed(UCI_NETWORK_CELLULAR.replace("network.wwan.iptype='ipv4v6'", "network.wwan.iptype='ipv4v6'\nnetwork.wwan.plmn='26202'"));
    expect((await iface().get([1], {})).NetworkRequested).toBe('26202');
    fx.fake.clearLog();
    await iface().set!([1], { NetworkRequested: '' }, {});
    expect(writes()).toEqual([['uci', 'delete', 'network.wwan.plmn'], ['uci', 'commit', 'network'], RELOAD]);
    expect(mmcli.calls().filter((c) => c.includes('--3gpp-register'))).toEqual([]);
  });

  it('PreferredAccessTechnology goes to allowedmode and preferredmode; Auto deletes them (the proto then allows any mode)', async () => {
    start();
    await iface().list!([], {});
    fx.fake.clearLog();
    await iface().set!([1], { PreferredAccessTechnology: 'LTE' }, {});
    expect(writes()).toEqual([
      ['uci', 'set', 'network.wwan.allowedmode=3g|4g|5g'], // the modes ModemManager says the modem may use now
      ['uci', 'set', 'network.wwan.preferredmode=4g'],
      ['uci', 'set', 'network.wwan_m2m.allowedmode=3g|4g|5g'],
      ['uci', 'set', 'network.wwan_m2m.preferredmode=4g'],
      ['uci', 'commit', 'network'],
      RELOAD,
    ]);
    committed(UCI_NETWORK_CELLULAR.replace("network.wwan.iptype='ipv4v6'", "network.wwan.iptype='ipv4v6'\nnetwork.wwan.allowedmode='3g|4g|5g'\nnetwork.wwan.preferredmode='4g'"));
    fx.fake.clearLog();
    await iface().set!([1], { PreferredAccessTechnology: 'Auto' }, {});
    expect(writes()).toEqual([['uci', 'delete', 'network.wwan.allowedmode'], ['uci', 'delete', 'network.wwan.preferredmode'], ['uci', 'commit', 'network'], RELOAD]);
    expect(mmcli.calls().filter((c) => c.includes('--set-'))).toEqual([]);
  });

  it('refuses (7002) a setting no interface would hold, and a network name (7012)', async () => {
    start('');
    await iface().list!([], {});
    fx.fake.clearLog();
    expect((await refusal(() => cellular().set!([], { RoamingEnabled: false }, {}))).code).toBe(ErrorCode.RequestDenied);
    expect((await refusal(() => iface().set!([1], { NetworkRequested: '26202' }, {}))).code).toBe(ErrorCode.RequestDenied);
    expect((await refusal(() => iface().set!([1], { NetworkRequested: 'Vodafone.de' }, {}))).code).toBe(ErrorCode.InvalidValue);
    expect(writes()).toEqual([]);
  });
});
