/**
 * Device.UPnP.Device. on OpenWrt (platform/openwrt/upnp-device.ts) over the miniupnpd package's
 * UCI config, with the stand-in `uci` and `/etc/init.d/miniupnpd` of fake-openwrt.ts answering
 * from the package's shipped config (uci-show-upnpd.txt, hand-written): served only where the
 * package's config file exists; Enable and UPnPIGD are `enabled` and `enable_upnp`, written with
 * commit and the init script's reload; a device type miniupnpd cannot be is refused with 7012 and
 * nothing written; a failed commit reverts (7003).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { refusal } from '../refusal.js';
import { fakeOpenWrt, FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const UPNPD = fs.readFileSync(`${FIXTURES}uci-show-upnpd.txt`, 'utf8');
const RELOAD = ['/etc/init.d/miniupnpd', 'reload'];
const DEVICE = 'Device.UPnP.Device.';
const CAPS = 'Device.UPnP.Device.Capabilities.';

/** A router with the miniupnpd package: its config file in place, `uci show upnpd` printing `text`. */
function withUpnpd(text = UPNPD, upnpIgd?: boolean): PlatformFixture {
  const fake = fakeOpenWrt();
  fs.mkdirSync(path.join(fake.bin, 'etc', 'config'), { recursive: true });
  fs.writeFileSync(path.join(fake.bin, 'etc', 'config', 'upnpd'), '');
  fake.respondUci('upnpd', { text });
  return openWrt(fake, upnpIgd === undefined ? {} : { upnpIgd });
}

describe('openwrt platform: Device.UPnP.Device. from the miniupnpd package', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a[0] === RELOAD[0]);

  it('is not served without the package, nor with --upnp-igd off', () => {
    fx = openWrt(fakeOpenWrt());
    expect(fx.model.bindingAt(DEVICE)).toBeUndefined();
    fx.close();
    fx = withUpnpd(UPNPD, false);
    expect(fx.model.bindingAt(DEVICE)).toBeUndefined();
  });

  it('reads the shipped config: off, the IGD on, announced as IGD 1 (igdv1), every other type 0', async () => {
    fx = withUpnpd();
    const v = await fx.values(DEVICE);
    expect(v.get(DEVICE)).toEqual({
      Enable: false,
      UPnPIGD: true,
      UPnPMediaServer: false,
      UPnPMediaRenderer: false,
      UPnPWLANAccessPoint: false,
      UPnPQoSDevice: false,
      UPnPQoSPolicyHolder: false,
      UPnPDMBasicMgmt: false,
      UPnPDMConfigurationMgmt: false,
      UPnPDMSoftwareMgmt: false,
    });
    expect(v.get(CAPS)).toMatchObject({ UPnPArchitecture: 1, UPnPArchitectureMinorVer: 1, UPnPIGD: 1, UPnPMediaServer: 0, UPnPBasicDevice: 0 });
    fx.close();
    fx = withUpnpd(UPNPD.replace("upnpd.config.igdv1='1'\n", ''));
    expect((await fx.values(CAPS)).get(CAPS)).toMatchObject({ UPnPIGD: 2 });
  });

  it('Enable true writes enabled=1, commits and reloads miniupnpd; UPnPIGD false writes enable_upnp=0', async () => {
    fx = withUpnpd();
    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('upnpd', { text: UPNPD.replace("enabled='0'", "enabled='1'") });
    await fx.binding(DEVICE).set!([], { Enable: true, UPnPIGD: true }, {});
    expect(writes()).toEqual([['uci', 'set', 'upnpd.config.enabled=1'], ['uci', 'commit', 'upnpd'], RELOAD]);
    expect((await fx.values(DEVICE)).get(DEVICE)).toMatchObject({ Enable: true, UPnPIGD: true });
    fx.fake.clearLog();
    await fx.binding(DEVICE).set!([], { UPnPIGD: false }, {});
    expect(writes()).toEqual([['uci', 'set', 'upnpd.config.enable_upnp=0'], ['uci', 'commit', 'upnpd'], RELOAD]);
  });

  it('refuses a device type miniupnpd cannot be (7012) and writes nothing; false is its value and writes nothing', async () => {
    fx = withUpnpd();
    fx.fake.clearLog();
    const e = await refusal(() => fx.binding(DEVICE).set!([], { Enable: true, UPnPMediaServer: true, UPnPDMBasicMgmt: true }, {}));
    expect(e.code).toBe(ErrorCode.InvalidValue);
    expect(e.paramErrors?.map((p) => p.param)).toEqual(['UPnPMediaServer', 'UPnPDMBasicMgmt']);
    await fx.binding(DEVICE).set!([], { UPnPMediaRenderer: false }, {});
    expect(writes()).toEqual([]);
    expect(fx.binding(DEVICE).writable).toContain('UPnPIGD');
  });

  it('a failed commit reverts upnpd and answers 7003', async () => {
    fx = withUpnpd();
    fx.fake.clearLog();
    fx.fake.failCommit(true, 'upnpd');
    const e = await refusal(() => fx.binding(DEVICE).set!([], { Enable: true }, {}));
    expect(e.code).toBe(ErrorCode.InternalError);
    expect(writes()).toEqual([
      ['uci', 'set', 'upnpd.config.enabled=1'],
      ['uci', 'commit', 'upnpd'],
      ['uci', 'revert', 'upnpd'],
    ]);
  });
});
