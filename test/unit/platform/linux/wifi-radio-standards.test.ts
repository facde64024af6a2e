/**
 * Radio.OperatingStandards on generic Linux as hostapd's ieee80211n/ac/ax
 * (platform/linux/wifi-radio.ts standardsSettings): only the switches that change, and the lists
 * hostapd cannot run refused with 7012.
 */
import { describe, expect, it } from 'vitest';
import { standardsSettings } from '../../../../platform/linux/wifi-radio.js';
import type { IwBand } from '../../../../platform/linux/wifi-iw.js';
import type { WiFiBss } from '../../../../platform/linux/WiFiSource.js';
import { refusalCode } from './refusal-code.js';

const band5: IwBand = { band: '5GHz', ht: true, vht: true, he: true, eht: true, ht40: true, vht160: true };
const band24: IwBand = { ...band5, band: '2.4GHz', vht: false };
const bss = (n: boolean, ac: boolean, ax: boolean): WiFiBss => ({ ifname: 'wlan1', ieee80211n: n, ieee80211ac: ac, ieee80211ax: ax, keyMgmt: [], pairwise: [] });

describe('OperatingStandards as hostapd switches', () => {
  it('sets only what changes, n before ac before ax', () => {
    expect(standardsSettings('a,n,ac,ax', bss(true, true, false), '5GHz', band5)).toEqual([{ key: 'ieee80211ax', value: '1', undo: '0' }]);
    expect(standardsSettings('b,g', bss(true, false, false), '2.4GHz', band24)).toEqual([{ key: 'ieee80211n', value: '0', undo: '1' }]);
    expect(standardsSettings('b,g,n', bss(true, false, false), '2.4GHz', band24)).toEqual([]);
  });

  it('refuses what hostapd cannot run (7012)', () => {
    expect(refusalCode(() => standardsSettings('g,n', bss(true, false, false), '2.4GHz', band24))).toBe(7012); // b always runs on 2.4 GHz
    expect(refusalCode(() => standardsSettings('b,g,n,ac', bss(true, false, false), '2.4GHz', band24))).toBe(7012); // no ac on 2.4 GHz
    expect(refusalCode(() => standardsSettings('a,ac', bss(true, true, false), '5GHz', band5))).toBe(7012); // ac needs n
    expect(refusalCode(() => standardsSettings('a,n,ac,ax,be', bss(true, true, false), '5GHz', band5))).toBe(7012); // no 802.11be in hostapd 2.10
  });
});
