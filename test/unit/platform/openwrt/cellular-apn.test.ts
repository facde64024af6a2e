/**
 * Device.Cellular.AccessPoint.{i} on OpenWrt with ModemManager: rows from the UCI network
 * interfaces with proto modemmanager (fake `uci`), Interface references from the fake `mmcli`'s
 * modem, writes through uci set/commit and a network reload.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { formatParams } from '../../../../agent/handlers/format-params.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { parseValue } from '../../../../datamodel/value/parse-value.js';
import { registerModemManagerPlatform } from '../../../../platform/modemmanager/index.js';
import { FakeMmcli } from '../modemmanager/fake-mmcli.js';
import { expectSchemaTyped } from '../schema-typed.js';
import { NOW_MS, openWrt, type PlatformFixture, UCI_NETWORK_CELLULAR } from './fake-openwrt.js';
import { refusal } from '../refusal.js';

const AP = 'Device.Cellular.AccessPoint.{i}.';
const RELOAD = ['ubus', 'call', 'network', 'reload'];

describe('openwrt platform: Device.Cellular.AccessPoint from UCI (proto modemmanager)', () => {
  let fx: PlatformFixture;
  let mmcli: FakeMmcli;
  let stopMm: () => void;
  // ModemManager's polling stops before its fake's folder goes (a late mmcli run wrote into it: ENOTEMPTY).
  afterEach(() => {
    stopMm();
    fx.close();
    mmcli.cleanup();
  });

  /** OpenWrt and ModemManager wired as agent/platforms.ts does on OpenWrt. */
  const start = (): void => {
    fx = openWrt();
    mmcli = new FakeMmcli();
    const mm = registerModemManagerPlatform(fx.model, { commandPath: mmcli.binDir, now: () => NOW_MS, accessPoints: 'external' });
    stopMm = mm.stop;
    fx.platform.registerCellularAccessPoints(mm.modems);
  };
  const ap = () => fx.binding(AP);
  /** uci writes (not the `uci -q -X show` reads) and network reloads, in order. */
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));
  /** The network config as uci prints it once `edit` is committed, read afresh (as once the cache has aged). */
  const committed = (edit: (text: string) => string): void => {
    fx.fake.respondUci('network', { text: edit(UCI_NETWORK_CELLULAR) });
    fx.platform.runner.invalidate('uci -q -X show network');
  };

  it('reads one row per proto-modemmanager interface, with the Interface of the modem at its device path', async () => {
    start();
    const lan = "network.lan=interface\nnetwork.lan.proto='static'\nnetwork.lan.device='br-lan'\n";
    fx.fake.respondUci('network', { text: lan + UCI_NETWORK_CELLULAR });
    const v = await fx.values('Device.Cellular.');
    expect(v.get('Device.Cellular.')).toMatchObject({ InterfaceNumberOfEntries: 1, AccessPointNumberOfEntries: 2 });
    expect(v.get('Device.Cellular.AccessPoint.1.')).toEqual({
      Enable: true,
      APN: 'internet.telekom',
      Username: 'telekom',
      Password: 'tm',
      Interface: 'Device.Cellular.Interface.1',
      IPVersion: -1, // iptype ipv4v6: no specific version
    });
    expect(v.get('Device.Cellular.AccessPoint.2.')).toEqual({
      Enable: false,
      APN: 'm2m.example',
      Username: '',
      Password: '',
      Interface: 'Device.Cellular.Interface.1',
      IPVersion: 4, // device with a trailing "/" is the same modem
    });
    expect(v.has('Device.Cellular.Interface.1.')).toBe(true); // the reference names a row of this model
    expectSchemaTyped((await fx.read('Device.Cellular.')).filter((o) => o.path.startsWith('Device.Cellular.AccessPoint.')));
    // Rows come from UCI alone: ModemManager's bearer is live state, read only for Interface.{i}.Stats' data netdev (cellular-stats.ts).
    expect(new Set(mmcli.calls().filter((c) => c.startsWith('-b ')))).toEqual(new Set(['-b 1 -J']));
  });

  it('keeps Password secured: the USP edge reads it as "" unless the Controller holds a SecuredRole', async () => {
    start();
    const node = fx.model.requireNode(AP);
    expect(node.params.get('Password')?.secured).toBe(true);
    await ap().list!([], {});
    // The binding has the real value, so a rolled-back Set can restore it.
    const values = await ap().get([1], {});
    expect(formatParams(node, values)).toMatchObject({ APN: 'internet.telekom', Password: '' });
    expect(formatParams(node, values, undefined, true)).toMatchObject({ Password: 'tm' });
  });

  it('answers Interface "" while no modem has the configured device path', async () => {
    start();
    mmcli.reply('-L -J', { 'modem-list': [] });
    const v = await fx.values('Device.Cellular.');
    expect(v.get('Device.Cellular.AccessPoint.1.')).toMatchObject({ APN: 'internet.telekom', Interface: '' });
  });

  it('sets the APN with uci set, uci commit network, then a network reload, and reads UCI again', async () => {
    start();
    await ap().list!([], {});
    fx.fake.clearLog();
    await ap().set!([1], { APN: 'internet.v6.telekom' }, {});
    expect(writes()).toEqual([['uci', 'set', 'network.wwan.apn=internet.v6.telekom'], ['uci', 'commit', 'network'], RELOAD]);
    fx.fake.clearLog();
    await ap().get([1], {});
    expect(fx.fake.invocations()).toContainEqual(['uci', '-q', '-X', 'show', 'network']);
  });

  it('writes credentials, IP version and Enable to their options; an emptied value deletes its option', async () => {
    start();
    await ap().list!([], {});
    fx.fake.clearLog();
    await ap().set!([1], { Username: 'user 2', Password: 'pa$$ word', IPVersion: 6, Enable: false }, {});
    await ap().set!([1], { Password: '' }, {});
    await ap().set!([2], { IPVersion: -1 }, {});
    expect(writes()).toEqual([
      ['uci', 'set', 'network.wwan.username=user 2'],
      ['uci', 'set', 'network.wwan.password=pa$$ word'],
      ['uci', 'set', 'network.wwan.iptype=ipv6'],
      ['uci', 'set', 'network.wwan.disabled=1'],
      ['uci', 'commit', 'network'],
      RELOAD,
      ['uci', 'delete', 'network.wwan.password'],
      ['uci', 'commit', 'network'],
      RELOAD,
      ['uci', 'delete', 'network.wwan_m2m.iptype'], // -1: the modem's own default
      ['uci', 'commit', 'network'],
      RELOAD,
    ]);
  });

  it('writes nothing, and reloads nothing, for values it already has', async () => {
    start();
    await ap().list!([], {});
    fx.fake.clearLog();
    await ap().set!([1], { APN: 'internet.telekom', Enable: true, IPVersion: -1, Interface: 'Device.Cellular.Interface.1.' }, {});
    expect(writes()).toEqual([]);
  });

  it('enables a second APN of the modem only once the first no longer connects it', async () => {
    start();
    await ap().list!([], {});
    fx.fake.clearLog();
    const busy = await refusal(() => ap().set!([2], { Enable: true }, {}));
    expect(busy.code).toBe(ErrorCode.InvalidValue);
    expect(busy.paramErrors[0]).toMatchObject({ param: 'Enable', message: expect.stringMatching(/interface wwan already connects this modem/) });
    expect(writes()).toEqual([]);
    committed((t) => t.replace("network.wwan.iptype='ipv4v6'", "network.wwan.iptype='ipv4v6'\nnetwork.wwan.disabled='1'"));
    await ap().set!([2], { Enable: true }, {});
    expect(writes()).toEqual([['uci', 'delete', 'network.wwan_m2m.disabled'], ['uci', 'commit', 'network'], RELOAD]);
  });

  it('reverts and fails with 7003 when uci commit fails, without reloading or naming the password', async () => {
    start();
    await ap().list!([], {});
    fx.fake.clearLog();
    fx.fake.failCommit(true);
    const e = await refusal(() => ap().set!([1], { APN: 'fwa.telekom', Password: 'new secret' }, {}));
    expect(e.code).toBe(ErrorCode.InternalError);
    expect(e.message).toMatch(/network\.wwan\.apn, network\.wwan\.password \(reverted\): .*uci: I\/O error/);
    expect(e.message).not.toContain('new secret');
    expect(writes()).toEqual([
      ['uci', 'set', 'network.wwan.apn=fwa.telekom'],
      ['uci', 'set', 'network.wwan.password=new secret'],
      ['uci', 'commit', 'network'],
      ['uci', 'revert', 'network'],
    ]);
  });

  it('rolls a whole Set transaction back: the undo writes the old APN again', async () => {
    start();
    await ap().list!([], {});
    const tx = new Transaction(fx.model, {});
    await tx.set({ node: fx.model.requireNode(AP), keys: [1] }, { APN: 'temporary' });
    committed((t) => t.replace("apn='internet.telekom'", "apn='temporary'"));
    fx.fake.clearLog();
    await tx.rollback();
    expect(writes()).toEqual([['uci', 'set', 'network.wwan.apn=internet.telekom'], ['uci', 'commit', 'network'], RELOAD]);
  });

  it('refuses what the modemmanager proto cannot take with 7012, before touching UCI', async () => {
    start();
    await ap().list!([], {});
    fx.fake.clearLog();
    const bad = await refusal(() => ap().set!([1], { APN: 'not an apn!', Username: 'a,b', Password: "it's" }, {}));
    expect(bad.code).toBe(ErrorCode.InvalidValue);
    expect(bad.paramErrors.map((p) => p.param).sort()).toEqual(['APN', 'Password', 'Username']);
    for (const ref of ['Device.Cellular.Interface.7', '']) {
      const e = await refusal(() => ap().set!([1], { Interface: ref }, {}));
      expect(e.paramErrors[0]).toMatchObject({ param: 'Interface', code: ErrorCode.InvalidValue });
    }
    expect(writes()).toEqual([]);
    // Lengths are the schema's, checked where values enter (APN at most 64 characters).
    expect(() => parseValue(fx.model.requireNode(AP).params.get('APN')!, 'a'.repeat(65))).toThrow(/at most 64/);
  });

  it('is fixed-size: Add is refused with 7019 and Delete with 7024', async () => {
    start();
    const node = fx.model.requireNode(AP);
    const tx = new Transaction(fx.model, {});
    try {
      expect((await refusal(() => tx.add(node, [], { APN: 'ims' }))).code).toBe(ErrorCode.ObjectNotCreatable);
      expect((await refusal(() => tx.delete({ node, keys: [1] }))).code).toBe(ErrorCode.DeleteFailure);
    } finally {
      await tx.rollback();
    }
    expect(writes()).toEqual([]);
  });
});

describe('openwrt platform without ModemManager', () => {
  it('leaves Device.Cellular.AccessPoint unserved: the proto-modemmanager interfaces are not rows then', async () => {
    const fx = openWrt();
    try {
      expect(fx.model.bindingAt(AP)).toBeUndefined();
      expect([...(await fx.values()).keys()].filter((p) => p.startsWith('Device.Cellular.'))).toEqual([]);
    } finally {
      fx.close();
    }
  });
});
