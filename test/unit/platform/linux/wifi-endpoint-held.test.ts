/**
 * What the agent keeps of Device.WiFi.EndPoint. on generic Linux (platform/linux/wifi-endpoint-held.ts):
 * added stations, disabled EndPoints, WPS settings and WEP lengths, in the store or in memory,
 * bounded, and a damaged stored value read as nothing kept.
 */
import { describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { EndPointHeld, MAX_ADDED_STATIONS } from '../../../../platform/linux/wifi-endpoint-held.js';

describe('EndPointHeld', () => {
  it('keeps each setting in the store, where a new reader (an agent restart) finds it', () => {
    const store = new DataStore();
    const held = new EndPointHeld(store);
    held.setAdded('wlan3', true);
    held.setDisabled('wlan2', true);
    held.setWps('wlan2', { enable: false, methods: 'push_button' });
    held.setWep('wlan3', 0, 'WEP-64');
    const again = new EndPointHeld(store);
    expect(again.added()).toEqual(['wlan3']);
    expect([again.disabled('wlan2'), again.disabled('wlan3')]).toEqual([true, false]);
    expect(again.wps('wlan2')).toEqual({ enable: false, methods: 'push_button' });
    expect([again.wep('wlan3', 0), again.wep('wlan3', 1)]).toEqual(['WEP-64', undefined]);
    // A Delete forgets all of a station; the others stay.
    again.forget('wlan3');
    expect([again.added(), again.wep('wlan3', 0), again.disabled('wlan2')]).toEqual([[], undefined, true]);
  });

  it('without a store, in memory; bounded; interface names checked', () => {
    const held = new EndPointHeld(undefined);
    for (let i = 0; i < MAX_ADDED_STATIONS + 3; i++) held.setAdded(`wlan${i}`, true);
    expect(held.added()).toHaveLength(MAX_ADDED_STATIONS);
    held.setDisabled('wlan0', true);
    held.setDisabled('wlan0', false);
    expect(held.disabled('wlan0')).toBe(false);
  });

  it('reads a damaged stored value as nothing kept', () => {
    const store = new DataStore();
    store.setRow('Device.WiFi.', { $endpointHeld: '{not json' });
    expect(new EndPointHeld(store).added()).toEqual([]);
    store.setRow('Device.WiFi.', { $endpointHeld: JSON.stringify({ added: ['wlan3', '../etc', 7], wps: { wlan2: { enable: 'yes' } }, wep: { 'wlan3/0': 'WEP-256' } }) });
    const held = new EndPointHeld(store);
    expect([held.added(), held.wps('wlan2'), held.wep('wlan3', 0)]).toEqual([['wlan3'], undefined, undefined]);
  });
});
