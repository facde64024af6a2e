/**
 * WPS on generic Linux (wifi-wps.ts): the hostapd keys a Set makes, in the order recorded in the
 * VM (test/fixtures/linux/wifi-hostapd-enterprise-wep steps 31-58), and what hostapd would not
 * run (7012).
 */
import { describe, expect, it } from 'vitest';
import { UspError } from '../../../../datamodel/UspError.js';
import { wpsMethodsOf, wpsSettings } from '../../../../platform/linux/wifi-wps.js';
import { parseHostapdConf } from '../../../../platform/linux/hostapd-conf.js';

const code = (f: () => unknown): number | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof UspError ? e.code : -1;
  }
  return undefined;
};
const off = { enable: false, methods: 'PIN', wpsState: 'disabled' };
const psk = { mode: 'WPA2-Personal', hidden: false };

describe('WPS as hostapd keys', () => {
  it('turns WPS on with the integrated EAP server and the methods, off with wps_state 0', () => {
    expect(wpsSettings({ Enable: true, ConfigMethodsEnabled: 'PushButton,PIN' }, off, psk)).toEqual([
      { key: 'eap_server', value: '1' },
      { key: 'wps_state', value: '2', undo: '0' },
      { key: 'config_methods', value: 'push_button keypad', undo: 'keypad' },
    ]);
    expect(wpsSettings({ Enable: false }, { enable: true, methods: 'PushButton', wpsState: 'configured' }, psk)).toEqual([{ key: 'wps_state', value: '0', undo: '2' }]);
    expect(wpsSettings({ ConfigMethodsEnabled: 'PushButton' }, off, psk)).toEqual([]);
  });

  it('refuses what hostapd would not run (7012)', () => {
    expect(code(() => wpsSettings({ Enable: true, ConfigMethodsEnabled: 'NFCInterface' }, off, psk))).toBe(7012);
    expect(code(() => wpsSettings({ Enable: true, ConfigMethodsEnabled: '' }, off, psk))).toBe(7012);
    expect(code(() => wpsSettings({ Enable: true }, off, { mode: 'WPA2-Enterprise', hidden: false }))).toBe(7012);
    expect(code(() => wpsSettings({ Enable: true }, off, { mode: 'WPA3-Personal', hidden: false }))).toBe(7012);
    expect(code(() => wpsSettings({ Enable: true }, off, { mode: 'WPA2-Personal', hidden: true }))).toBe(7012);
  });

  it("reads config_methods of hostapd's file as TR-181 methods", () => {
    expect(wpsMethodsOf('label display push_button keypad')).toBe('PushButton,PIN');
    expect(parseHostapdConf('interface=wlan0\nconfig_methods=push_button\n').get('bss:wlan0')?.WPSConfigMethodsEnabled).toBe('PushButton');
  });
});
