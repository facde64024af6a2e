/**
 * The band of an OpenWrt radio (platform/openwrt/wifi-radio-band.ts) against the fixture
 * board.json's phys: phy1 (5 GHz only) and a dual-band phy made of phy0's 2G and phy1's 5G entries.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BoardWlanEntry } from '../../../../platform/openwrt/wifi-radio-caps.js';
import { bandChanges, supportedBands } from '../../../../platform/openwrt/wifi-radio-band.js';
import { FIXTURES } from './fake-openwrt.js';

const wlan = (JSON.parse(fs.readFileSync(path.join(FIXTURES, 'etc-board.json'), 'utf8')) as { wlan: Record<string, BoardWlanEntry> }).wlan;
const dual: BoardWlanEntry = { info: { bands: { ...wlan.phy0.info!.bands, ...wlan.phy1.info!.bands } } };
const validChannel = (band: string, ch: number): boolean => (band === '2.4GHz' ? ch >= 1 && ch <= 14 : ch >= 36);

describe('openwrt Radio OperatingFrequencyBand as UCI band', () => {
  it('SupportedFrequencyBands are the phy’s bands in TR-181 order, else the band it runs on', () => {
    expect(supportedBands(dual, '5GHz')).toEqual(['2.4GHz', '5GHz']);
    expect(supportedBands(wlan.phy1, '5GHz')).toEqual(['5GHz']);
    expect(supportedBands(undefined, '2.4GHz')).toEqual(['2.4GHz']);
  });

  it('a 5 GHz radio at HE80 moves to 2.4 GHz only with a mode the phy offers there', () => {
    const c = { section: 'radio1', values: { OperatingFrequencyBand: '5GHz', AutoChannelEnable: true }, htmode: 'HE80', board: dual, validChannel };
    expect(bandChanges('2.4GHz', {}, c)).toMatch(/htmode HE80 is not offered on 2.4GHz/);
    expect(bandChanges('2.4GHz', { OperatingChannelBandwidth: '20MHz' }, c)).toEqual([{ section: 'radio1', option: 'band', value: '2g' }]);
    expect(bandChanges('5GHz', {}, c)).toEqual([]);
  });

  it('a fixed channel must fit the new band unless the Set brings a channel or automatic selection', () => {
    const c = { section: 'radio0', values: { OperatingFrequencyBand: '2.4GHz', AutoChannelEnable: false, Channel: 6 }, htmode: 'HE20', board: dual, validChannel };
    expect(bandChanges('5GHz', {}, c)).toMatch(/channel 6 is no 5GHz channel/);
    expect(bandChanges('5GHz', { AutoChannelEnable: true }, c)).toEqual([{ section: 'radio0', option: 'band', value: '5g' }]);
    expect(bandChanges('6GHz', { AutoChannelEnable: true }, c)).toMatch(/phy has 2.4GHz, 5GHz/);
  });
});
