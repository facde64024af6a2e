/**
 * AccessPoint.SSIDReference on OpenWrt (platform/openwrt/wifi-ap-ssid-reference.ts): the uci
 * commands that move an AccessPoint's options from one wifi-iface to another, detach it ("") and
 * attach it again, and the refusals, over the uci wireless texts of test/fixtures/openwrt/.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import type { IfaceEntry, RadioEntry } from '../../../../platform/openwrt/WiFiState.js';
import { apOptions, planMove } from '../../../../platform/openwrt/wifi-ap-ssid-reference.js';
import { refusal } from '../refusal.js';
import { openWrt, type PlatformFixture } from './fake-openwrt.js';

const RELOAD = ['ubus', 'call', 'network', 'reload'];

function iface(section: string, config: Record<string, unknown>, disabled = false): IfaceEntry {
  const radio = { name: 'radio1' } as RadioEntry;
  return { section, mode: 'ap', radio, config, disabled, hasAp: config.usp_ap !== '0', apDetached: config.usp_ap === 'detached' };
}

describe('openwrt: planning an SSIDReference move', () => {
  it('moves every AccessPoint option, lists item by item and secrets unlogged, and leaves a bare SSID behind', () => {
    const from = iface('lan_ap', {
      device: 'radio1',
      network: 'lan',
      mode: 'ap',
      ssid: 'home',
      encryption: 'psk2',
      key: 'secret-pass',
      isolate: '1',
      maclist: ['02:00:00:00:00:01', '02:00:00:00:00:02'],
    });
    const to = iface('usp_wifi1', { device: 'radio1', network: 'lan', mode: 'ap', ssid: 'guest', encryption: 'none', hidden: '1', maclist: '02:00:00:00:00:09', disabled: '1', usp_ap: '0' }, true);
    expect(apOptions(from.config).map(([k]) => k)).toEqual(['encryption', 'key', 'isolate', 'maclist']);
    expect(planMove(from, to)).toEqual([
      // The target's own leftovers (hidden) and its list go before the AccessPoint's options land.
      { section: 'usp_wifi1', option: 'hidden', value: '', remove: true },
      { section: 'usp_wifi1', option: 'maclist', value: '', remove: true },
      { section: 'usp_wifi1', option: 'encryption', value: 'psk2', secret: false },
      { section: 'usp_wifi1', option: 'key', value: 'secret-pass', secret: true },
      { section: 'usp_wifi1', option: 'isolate', value: '1', secret: false },
      { section: 'usp_wifi1', option: 'maclist', value: '02:00:00:00:00:01', append: true, secret: false },
      { section: 'usp_wifi1', option: 'maclist', value: '02:00:00:00:00:02', append: true, secret: false },
      { section: 'usp_wifi1', option: 'usp_ap', value: '', remove: true },
      // The AccessPoint was running: it runs on its new SSID.
      { section: 'usp_wifi1', option: 'disabled', value: '0' },
      { section: 'lan_ap', option: 'key', value: '', remove: true },
      { section: 'lan_ap', option: 'isolate', value: '', remove: true },
      { section: 'lan_ap', option: 'maclist', value: '', remove: true },
      { section: 'lan_ap', option: 'encryption', value: 'none' },
      { section: 'lan_ap', option: 'usp_ap', value: '0' },
      { section: 'lan_ap', option: 'disabled', value: '1' },
    ]);
  });
});

describe('openwrt platform: Set of AccessPoint.SSIDReference', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));
  const ap = () => fx.binding('Device.WiFi.AccessPoint.{i}.');

  // (The move and the detach themselves run over WebSocket in test/integration/openwrt-wifi-rows.test.ts.)
  it('with AccessPoint.2 detached: refuses to enable it or its section, an SSID that has an AccessPoint (7025) or holds it (7012), and no SSID row (7012); attaches it again', async () => {
    fx = openWrt();
    fx.fake.respondUci('wireless', { file: 'uci-show-wireless.ap-detached.txt' });
    await fx.platform.ready;
    const v = await fx.values('Device.WiFi.');
    expect(v.get('Device.WiFi.AccessPoint.2.')).toMatchObject({ SSIDReference: '', Enable: false, Status: 'Disabled' });
    // A detached AccessPoint has no unique key to clash on (several may be detached).
    expect(await ap().findByValues!([], ['SSIDReference'], { SSIDReference: '' })).toEqual([]);
    fx.fake.clearLog();
    const enable = await refusal(() => ap().set!([2], { Enable: true }, {}));
    expect(enable.paramErrors[0]).toMatchObject({ param: 'Enable', code: ErrorCode.InvalidValue });
    const ssidOn = await refusal(() => fx.binding('Device.WiFi.SSID.{i}.').set!([3], { Enable: true }, {}));
    expect(ssidOn.paramErrors[0]).toMatchObject({ param: 'Enable', code: ErrorCode.InvalidValue });
    // AccessPoint.1 is on SSID.1 (default_radio0); AccessPoint.2 is detached, on SSID.3's section.
    const taken = await refusal(() => ap().set!([2], { SSIDReference: 'Device.WiFi.SSID.1' }, {}));
    expect(taken.paramErrors[0]).toMatchObject({ param: 'SSIDReference', code: ErrorCode.DuplicateUniqueKey });
    expect(await ap().findByValues!([], ['SSIDReference'], { SSIDReference: 'Device.WiFi.SSID.1' })).toEqual([1]);
    expect(await ap().findByValues!([], ['SSIDReference'], { SSIDReference: 'Device.WiFi.SSID.2' })).toEqual([]);
    const held = await refusal(() => ap().set!([1], { SSIDReference: 'Device.WiFi.SSID.3' }, {}));
    expect(held.paramErrors[0]).toMatchObject({ param: 'SSIDReference', code: ErrorCode.InvalidValue });
    expect(held.message).toMatch(/AccessPoint\.2, whose SSIDReference is empty/);
    for (const ref of ['Device.WiFi.SSID.9', 'Device.WiFi.Radio.1']) {
      const bad = await refusal(() => ap().set!([1], { SSIDReference: ref }, {}));
      expect(bad.paramErrors[0]).toMatchObject({ param: 'SSIDReference', code: ErrorCode.InvalidValue });
    }
    expect(writes()).toEqual([]);

    await ap().set!([2], { SSIDReference: 'Device.WiFi.SSID.3' }, {});
    expect(writes()).toEqual([['uci', 'delete', 'wireless.usp_wifi1.usp_ap'], ['uci', 'commit', 'wireless'], RELOAD]);
  });
});
