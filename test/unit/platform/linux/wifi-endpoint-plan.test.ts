/**
 * What a Set or Add of Device.WiFi.EndPoint.{i}.Profile.{i}. (and its Security) sends
 * wpa_supplicant (platform/linux/wifi-endpoint-plan.ts), and the values refused with 7012 before
 * anything is sent. Pure planning: no program runs.
 */
import { describe, expect, it } from 'vitest';
import { UspError } from '../../../../datamodel/UspError.js';
import { endpointModes, planProfile, planProfileSecurity, profilePriority, referencedNetwork } from '../../../../platform/linux/wifi-endpoint-plan.js';

/** The TR-369 code and parameter of a refusal. */
function refusal(f: () => unknown): { code: number; param?: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof UspError) return { code: e.code, param: e.paramErrors?.[0]?.param };
    throw e;
  }
  throw new Error('not refused');
}

describe('Profile writes', () => {
  it('SSID in quotes (hex when not printable ASCII), Priority turned round (TR-181 0 is the highest), Enable and Location apart', () => {
    expect(planProfile({ SSID: 'usp-lab-5g', Priority: 253, Enable: true, Location: 'attic' })).toEqual({
      fields: [
        { field: 'ssid', value: '"usp-lab-5g"' },
        { field: 'priority', value: '2' },
      ],
      enable: true,
      location: 'attic',
    });
    expect(planProfile({ SSID: 'café' }).fields).toEqual([{ field: 'ssid', value: '636166c3a9' }]);
    expect(planProfile({ Enable: false })).toEqual({ fields: [], enable: false });
  });

  it('reads wpa_supplicant priorities back as TR-181 ones', () => {
    expect([profilePriority(0), profilePriority(1), profilePriority(2), profilePriority(255), profilePriority(1000)]).toEqual([255, 254, 253, 0, 0]);
  });

  it('refuses an empty or too long SSID, a priority past 255 and a long Location (7012)', () => {
    expect(refusal(() => planProfile({ SSID: '' }))).toEqual({ code: 7012, param: 'SSID' });
    expect(refusal(() => planProfile({ SSID: 'x'.repeat(33) }))).toEqual({ code: 7012, param: 'SSID' });
    expect(refusal(() => planProfile({ SSID: 'a\nb' }))).toEqual({ code: 7012, param: 'SSID' });
    expect(refusal(() => planProfile({ Priority: 256 }))).toEqual({ code: 7012, param: 'Priority' });
    expect(refusal(() => planProfile({ Location: 'x'.repeat(65) }))).toEqual({ code: 7012, param: 'Location' });
  });
});

describe('Profile Security writes', () => {
  it('ModeEnabled is key_mgmt (and ieee80211w for WPA3 and OWE); keys are secret fields', () => {
    expect(planProfileSecurity({ ModeEnabled: 'WPA3-Personal', PreSharedKey: '0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef', SAEPassphrase: 'staple battery horse' })).toEqual([
      { field: 'key_mgmt', value: 'SAE' },
      { field: 'ieee80211w', value: '2' },
      { field: 'psk', value: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', secret: true },
      { field: 'sae_password', value: '"staple battery horse"', secret: true },
    ]);
    expect(planProfileSecurity({ ModeEnabled: 'WPA2-Personal', KeyPassphrase: 'correct horse battery' })).toEqual([
      { field: 'key_mgmt', value: 'WPA-PSK' },
      { field: 'psk', value: '"correct horse battery"', secret: true },
    ]);
    expect(planProfileSecurity({ ModeEnabled: 'WPA3-Personal-Transition' })).toEqual([
      { field: 'key_mgmt', value: 'WPA-PSK SAE' },
      { field: 'ieee80211w', value: '1' },
    ]);
    expect(planProfileSecurity({ ModeEnabled: 'None' })).toEqual([
      { field: 'key_mgmt', value: 'NONE' },
      { field: 'wep_key0', value: '""' },
    ]);
  });

  it('WEP-64/WEP-128: key_mgmt NONE and key 0 sent; WEPKey (10 or 26 hex digits) is a secret field', () => {
    expect(planProfileSecurity({ ModeEnabled: 'WEP-128', WEPKey: '0123456789ABCDEF0123456789' })).toEqual([
      { field: 'key_mgmt', value: 'NONE' },
      { field: 'wep_tx_keyidx', value: '0' },
      { field: 'wep_key0', value: '0123456789abcdef0123456789', secret: true },
    ]);
    expect(planProfileSecurity({ WEPKey: '0123456789' })).toEqual([{ field: 'wep_key0', value: '0123456789', secret: true }]);
  });

  it('offers WEP only where wpa_supplicant was built with it (get_capability group)', () => {
    // Debian's 2.10, recorded.
    expect(endpointModes(['CCMP-256', 'GCMP-256', 'CCMP', 'GCMP', 'TKIP', 'WEP104', 'WEP40'])).toContain('WEP-64');
    expect(endpointModes(['CCMP-256', 'GCMP-256', 'CCMP', 'GCMP', 'TKIP'])).toEqual(['None', 'WPA2-Personal', 'WPA3-Personal', 'WPA3-Personal-Transition', 'OWE']);
    // No answer: left to wpa_supplicant.
    expect(endpointModes(undefined)).toContain('WEP-128');
  });

  it('refuses modes a station here cannot take and keys of the wrong shape (7012)', () => {
    expect(refusal(() => planProfileSecurity({ ModeEnabled: 'WPA2-Enterprise' }))).toEqual({ code: 7012, param: 'ModeEnabled' });
    expect(refusal(() => planProfileSecurity({ ModeEnabled: 'WPA-WPA2-Personal' }))).toEqual({ code: 7012, param: 'ModeEnabled' });
    expect(refusal(() => planProfileSecurity({ WEPKey: '01234' }))).toEqual({ code: 7012, param: 'WEPKey' });
    expect(refusal(() => planProfileSecurity({ WEPKey: 'zz23456789' }))).toEqual({ code: 7012, param: 'WEPKey' });
    // A key of the other WEP length than the mode given with it.
    expect(refusal(() => planProfileSecurity({ ModeEnabled: 'WEP-128', WEPKey: '0123456789' }))).toEqual({ code: 7012, param: 'WEPKey' });
    expect(refusal(() => planProfileSecurity({ KeyPassphrase: 'short' }))).toEqual({ code: 7012, param: 'KeyPassphrase' });
    expect(refusal(() => planProfileSecurity({ KeyPassphrase: 'x'.repeat(64) }))).toEqual({ code: 7012, param: 'KeyPassphrase' });
    expect(refusal(() => planProfileSecurity({ KeyPassphrase: 'passwörter' }))).toEqual({ code: 7012, param: 'KeyPassphrase' });
    expect(refusal(() => planProfileSecurity({ PreSharedKey: '0123' }))).toEqual({ code: 7012, param: 'PreSharedKey' });
    expect(refusal(() => planProfileSecurity({ SAEPassphrase: 'with "quote"' }))).toEqual({ code: 7012, param: 'SAEPassphrase' });
    expect(refusal(() => planProfileSecurity({ SAEPassphrase: '' }))).toEqual({ code: 7012, param: 'SAEPassphrase' });
  });
});

describe('ProfileReference', () => {
  const profiles = new Map([
    [1, 0],
    [2, 1],
  ]);
  it('names a Profile of this EndPoint, with or without the final dot', () => {
    expect(referencedNetwork('Device.WiFi.EndPoint.1.Profile.2', 1, profiles)).toBe(1);
    expect(referencedNetwork('Device.WiFi.EndPoint.1.Profile.1.', 1, profiles)).toBe(0);
  });
  it('refuses another EndPoint, a missing Profile, empty and other paths (7012)', () => {
    for (const v of ['Device.WiFi.EndPoint.2.Profile.1', 'Device.WiFi.EndPoint.1.Profile.3', '', 'Device.WiFi.SSID.1']) {
      expect(
        refusal(() => referencedNetwork(v, 1, profiles)),
        v,
      ).toEqual({ code: 7012, param: 'ProfileReference' });
    }
  });
});
