/**
 * EndPoint.WPS.ConfigMethodsEnabled as wpa_supplicant's config_methods
 * (platform/linux/wpa-wps-methods.ts), with the answers recorded from Debian's wpa_supplicant 2.10
 * (test/fixtures/linux/wifi-wpa-supplicant-global): "FAIL" while unset, the words as set.
 */
import { describe, expect, it } from 'vitest';
import { UspError } from '../../../../datamodel/UspError.js';
import { configMethodsOf, ENDPOINT_WPS_METHODS, wpsMethodsOf } from '../../../../platform/linux/wpa-wps-methods.js';

describe('WPS config_methods', () => {
  it('reads the words as TR-181 methods; unset (FAIL) or empty is wpa_supplicant build default', () => {
    expect(wpsMethodsOf('push_button keypad display\n')).toEqual(['PushButton', 'PIN', 'Display']);
    expect(wpsMethodsOf('virtual_display')).toEqual(['VirtualDisplay']);
    expect(wpsMethodsOf('FAIL')).toEqual(['PIN', 'Display', 'VirtualDisplay']);
    expect(wpsMethodsOf('')).toEqual(['PIN', 'Display', 'VirtualDisplay']);
    expect(wpsMethodsOf('none')).toEqual([]);
    expect(wpsMethodsOf('p2ps ext_nfc_token')).toEqual([]);
  });

  it('writes TR-181 methods as wpa_supplicant words; none as "none"', () => {
    expect(configMethodsOf('PIN,PushButton')).toBe('push_button keypad');
    expect(configMethodsOf('PhysicalPushButton, VirtualDisplay')).toBe('physical_push_button virtual_display');
    expect(configMethodsOf('')).toBe('none');
    expect(ENDPOINT_WPS_METHODS).toContain('PushButton');
  });

  it('refuses a method this station cannot carry out (7012 on ConfigMethodsEnabled)', () => {
    for (const bad of ['USBFlashDrive', 'PushButton,NFCInterface', 'push_button']) {
      let err: unknown;
      try {
        configMethodsOf(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(UspError);
      expect((err as UspError).code).toBe(7012);
      expect((err as UspError).paramErrors[0]?.param).toBe('ConfigMethodsEnabled');
    }
  });
});
