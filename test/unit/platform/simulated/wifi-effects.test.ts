/**
 * Writable Wi-Fi settings of the simulated gateway that take effect (TR-181 WiFiRadio:1,
 * WiFiAccessPoint:2): the AccessPoint's MAC filter and station limit decide who associates,
 * Radio.{i}.GuardInterval scales the stations' PHY rates as the OFDM symbol time does, and
 * Radio.{i}.OperatingStandards sets the standard each station runs (refusing those left with none),
 * AutoChannelEnable hands the channel to the automatic selection (a manual Channel ends it), and
 * RegulatoryDomain decides the PossibleChannels, and IEEE80211hEnabled whether the DFS ones are among them.
 */
import { describe, expect, it } from 'vitest';
import { guardIntervalShare } from '../../../../platform/simulated/wifi-stations.js';
import { refusal, simulated } from './fixture.js';

const counters = ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived'];

describe('simulated Wi-Fi: settings that take effect', () => {
  it('MACAddressControlEnabled with AllowedMACAddress refuses a station; Hosts sees it go; re-allowed it comes back', async () => {
    const s = simulated();
    s.advance(120); // every resident has associated
    expect(await s.instances('Device.WiFi.AccessPoint.2.AssociatedDevice.')).toEqual([1, 2]);
    const blocked = String((await s.values('Device.WiFi.AccessPoint.2.AssociatedDevice.1.')).MACAddress);
    const other = String((await s.values('Device.WiFi.AccessPoint.2.AssociatedDevice.2.')).MACAddress);
    const host = async () => {
      for (const n of await s.instances('Device.Hosts.Host.')) {
        const v = await s.values(`Device.Hosts.Host.${n}.`);
        if (v.PhysAddress === blocked) return v;
      }
      throw new Error('no host');
    };
    expect((await host()).Active).toBe(true);
    const before = await s.values('Device.WiFi.SSID.2.Stats.');

    // Upper case and a stranger in the list: addresses compare case-insensitively.
    await s.set('Device.WiFi.AccessPoint.2.', { MACAddressControlEnabled: true, AllowedMACAddress: `${other.toUpperCase()},02:00:00:00:00:01` });
    s.advance(60);
    expect(await s.instances('Device.WiFi.AccessPoint.2.AssociatedDevice.')).toEqual([2]);
    expect((await s.values('Device.WiFi.AccessPoint.2.AssociatedDevice.2.')).MACAddress).toBe(other);
    expect(await host()).toMatchObject({ Active: false, AssociatedDevice: '' });
    // What the refused station carried stays counted: the SSID's counters never go backwards.
    const after = await s.values('Device.WiFi.SSID.2.Stats.');
    for (const c of counters) expect(BigInt(String(after[c])), c).toBeGreaterThanOrEqual(BigInt(String(before[c])));

    // The filter off again: the station re-associates, under its old instance number.
    await s.set('Device.WiFi.AccessPoint.2.', { MACAddressControlEnabled: false });
    s.advance(60);
    expect(await s.instances('Device.WiFi.AccessPoint.2.AssociatedDevice.')).toEqual([1, 2]);
    expect((await s.values('Device.WiFi.AccessPoint.2.AssociatedDevice.1.')).MACAddress).toBe(blocked);
    expect((await host()).Active).toBe(true);
    s.stop();
  });

  it('an empty allow list with the filter on refuses everyone; the filter off lets every station in', async () => {
    const s = simulated();
    s.advance(120);
    await s.set('Device.WiFi.AccessPoint.1.', { MACAddressControlEnabled: true, AllowedMACAddress: '' });
    s.advance(60);
    expect(await s.instances('Device.WiFi.AccessPoint.1.AssociatedDevice.')).toEqual([]);
    s.stop();
  });

  it('MaxAllowedAssociations refuses the stations beyond it', async () => {
    const s = simulated();
    s.advance(120);
    const before = await s.values('Device.WiFi.SSID.2.Stats.');
    await s.set('Device.WiFi.AccessPoint.2.', { MaxAllowedAssociations: 1 });
    // Over hours of visits (the visitor phone's too) no more than one station associates, and the
    // SSID's counters never go backwards (a refused visitor's visits are not counted either).
    let last = before;
    for (let k = 0; k < 36; k++) {
      s.advance(300);
      expect((await s.instances('Device.WiFi.AccessPoint.2.AssociatedDevice.')).length).toBeLessThanOrEqual(1);
      const now = await s.values('Device.WiFi.SSID.2.Stats.');
      for (const c of counters) expect(BigInt(String(now[c])), c).toBeGreaterThanOrEqual(BigInt(String(last[c])));
      last = now;
    }
    expect(await s.instances('Device.WiFi.AccessPoint.2.AssociatedDevice.')).toEqual([1]);
    s.stop();
  });

  it("GuardInterval scales the stations' rates: 3.2 us on 802.11ax, the long 0.8 us guard on 802.11n", async () => {
    const s = simulated();
    s.advance(120);
    const rate = async (path: string) => Number((await s.values(path)).LastDataDownlinkRate);
    const phone = 'Device.WiFi.AccessPoint.3.AssociatedDevice.1.'; // 802.11ax on the 6 GHz radio
    const plug = 'Device.WiFi.AccessPoint.1.AssociatedDevice.1.'; // 802.11n on the 2.4 GHz radio
    expect((await s.values(phone)).OperatingStandard).toBe('ax');
    expect((await s.values(plug)).OperatingStandard).toBe('n');
    const auto = { phone: await rate(phone), plug: await rate(plug) };
    await s.set('Device.WiFi.Radio.3.', { GuardInterval: '4xLTF_3.2us' });
    await s.set('Device.WiFi.Radio.1.', { GuardInterval: '800nsec' });
    // Same instant: only the guard interval differs (rates are rounded to 100 kbps).
    expect(Math.abs((await rate(phone)) - auto.phone * (13.6 / 16))).toBeLessThanOrEqual(100);
    expect(Math.abs((await rate(plug)) - auto.plug * (3.6 / 4))).toBeLessThanOrEqual(100);
    s.stop();
  });

  it('WMMEnable false holds the stations to legacy 802.11a/g rates; a 6 GHz BSS refuses it', async () => {
    const s = simulated();
    s.advance(120);
    const laptop = 'Device.WiFi.AccessPoint.2.AssociatedDevice.1.'; // 802.11ax on 5 GHz
    expect((await s.values(laptop)).OperatingStandard).toBe('ax');
    await s.set('Device.WiFi.AccessPoint.2.', { WMMEnable: false });
    s.advance(60); // the BSS reloaded; its stations re-associate
    const v = await s.values(laptop);
    expect(v.OperatingStandard).toBe('a');
    expect(Number(v.LastDataDownlinkRate)).toBeLessThanOrEqual(54_000);
    expect(Number(v.LastDataUplinkRate)).toBeLessThanOrEqual(54_000);
    await s.set('Device.WiFi.AccessPoint.2.', { WMMEnable: true });
    s.advance(60);
    expect((await s.values(laptop)).OperatingStandard).toBe('ax');
    const e = await refusal(() => s.set('Device.WiFi.AccessPoint.3.', { WMMEnable: false }));
    expect(e.paramErrors.map((p) => p.param)).toEqual(['WMMEnable']);
    s.stop();
  });

  it('guardIntervalShare: the shortest guard of each family is the full rate', () => {
    expect(guardIntervalShare('ax', 'Auto')).toBe(1);
    expect(guardIntervalShare('ax', '2xLTF_0.8us')).toBe(1);
    expect(guardIntervalShare('ax', '1xLTF_1.6us')).toBeCloseTo(13.6 / 14.4);
    expect(guardIntervalShare('ac', '400nsec')).toBe(1);
    expect(guardIntervalShare('ac', '4xLTF_3.2us')).toBeCloseTo(0.9);
  });

  it('OperatingStandards: stations fall back to the newest standard both sides have, at its rates; with none left they are refused', async () => {
    const s = simulated();
    s.advance(120); // every resident has associated
    const stations = async (ap: number) =>
      Promise.all((await s.instances(`Device.WiFi.AccessPoint.${ap}.AssociatedDevice.`)).map(async (n) => s.values(`Device.WiFi.AccessPoint.${ap}.AssociatedDevice.${n}.`)));
    // AccessPoint 2 on the 5 GHz radio: an 802.11ax laptop and an 802.11ac TV.
    expect((await stations(2)).map((v) => v.OperatingStandard).sort()).toEqual(['ac', 'ax']);
    await s.set('Device.WiFi.Radio.2.', { OperatingStandards: 'a,n' });
    s.advance(60); // the BSS reloaded; the stations associated again
    const n = await stations(2);
    expect(n.map((v) => v.OperatingStandard)).toEqual(['n', 'n']);
    for (const v of n) expect(Number(v.LastDataDownlinkRate)).toBeLessThanOrEqual(300_000);
    await s.set('Device.WiFi.Radio.2.', { OperatingStandards: 'ax' });
    s.advance(60);
    // The TV has no 802.11ax: refused; the laptop is back at its own standard.
    expect((await stations(2)).map((v) => v.OperatingStandard)).toEqual(['ax']);
    // The 2.4 GHz 802.11n plug and printer on b/g only: 802.11g at most 54 Mbit/s.
    await s.set('Device.WiFi.Radio.1.', { OperatingStandards: 'b,g' });
    s.advance(60);
    const g = await stations(1);
    expect(g.map((v) => v.OperatingStandard)).toEqual(['g', 'g']);
    for (const v of g) expect(Number(v.LastDataDownlinkRate)).toBeLessThanOrEqual(54_000);
    s.stop();
  });

  it('AutoChannelEnable: a manual Channel switches it off; switched back on, the selection picks the channel again', async () => {
    const s = simulated();
    s.advance(120);
    const radio = 'Device.WiFi.Radio.1.';
    const auto = await s.values(radio);
    expect(auto).toMatchObject({ AutoChannelEnable: true, ChannelLastSelectionReason: 'Auto_Startup' });
    const manual = Number(auto.Channel) === 13 ? 12 : 13;
    await s.set(radio, { Channel: manual });
    s.advance(30);
    expect(await s.values(radio)).toMatchObject({ Channel: manual, AutoChannelEnable: false, ChannelLastSelectionReason: 'Manual', ChannelLastChange: 30 });
    await s.set(radio, { AutoChannelEnable: true });
    expect(await s.values(radio)).toMatchObject({ Channel: auto.Channel, AutoChannelEnable: true, ChannelLastSelectionReason: 'Auto_User', ChannelLastChange: 0 });
    expect(await s.values(`${radio}Stats.`)).toMatchObject({ TotalChannelChangeCount: 2, ManualChannelChangeCount: 1 });
    await expect(s.set(radio, { Channel: manual, AutoChannelEnable: true })).rejects.toMatchObject({ code: 7012 });
    s.stop();
  });

  it("RegulatoryDomain sets the radio's PossibleChannels; a channel the new domain forbids is refused", async () => {
    const s = simulated();
    const radio = 'Device.WiFi.Radio.2.';
    expect((await s.values(radio)).PossibleChannels).toBe('36,40,44,48,52,56,60,64,100,104,108,112,116,120,124,128,132,136,140');
    await expect(s.set(radio, { Channel: 149 })).rejects.toMatchObject({ code: 7012 });
    await s.set(radio, { RegulatoryDomain: 'US ' });
    expect(String((await s.values(radio)).PossibleChannels)).toMatch(/,144,149,153,157,161,165$/);
    await s.set(radio, { Channel: 149 });
    // 80 MHz (the radio's Auto bandwidth on 5 GHz) bonds the UNII-3 block.
    expect(await s.values(radio)).toMatchObject({ Channel: 149, ChannelsInUse: '149,153,157,161' });
    // Back to a European domain while on channel 149: refused, nothing changes.
    await expect(s.set(radio, { RegulatoryDomain: 'FRI' })).rejects.toMatchObject({ code: 7012 });
    expect((await s.values(radio)).RegulatoryDomain).toBe('US ');
    await expect(s.set(radio, { RegulatoryDomain: 'ZZ ' })).rejects.toMatchObject({ code: 7012 });
    await s.set('Device.WiFi.Radio.1.', { RegulatoryDomain: 'CA ' });
    expect((await s.values('Device.WiFi.Radio.1.')).PossibleChannels).toBe('1,2,3,4,5,6,7,8,9,10,11');
    s.stop();
  });

  it('IEEE80211hEnabled false takes the DFS channels out of PossibleChannels: the selection moves off one, a manual one or a block reaching one is refused', async () => {
    const radio = 'Device.WiFi.Radio.2.';
    const all = '36,40,44,48,52,56,60,64,100,104,108,112,116,120,124,128,132,136,140';
    // Seed 1: the automatic selection started the 5 GHz radio on channel 100, a DFS channel.
    const s = simulated(1);
    expect(await s.values(radio)).toMatchObject({ Channel: 100, AutoChannelEnable: true, IEEE80211hEnabled: true, PossibleChannels: all });
    await s.set(radio, { IEEE80211hEnabled: false });
    expect(await s.values(radio)).toMatchObject({ Channel: 36, ChannelsInUse: '36,40,44,48', PossibleChannels: '36,40,44,48', ChannelLastSelectionReason: 'Auto_User' });
    expect(await s.values(`${radio}Stats.`)).toMatchObject({ TotalChannelChangeCount: 1, ManualChannelChangeCount: 0 });
    await expect(s.set(radio, { Channel: 100 })).rejects.toMatchObject({ code: 7012 });
    // 160 MHz from 36 would bond 52-64.
    await expect(s.set(radio, { OperatingChannelBandwidth: '160MHz' })).rejects.toMatchObject({ code: 7012 });
    // 802.11h back on: the DFS channels again, and the selection's own channel.
    await s.set(radio, { IEEE80211hEnabled: true });
    expect(await s.values(radio)).toMatchObject({ Channel: 100, PossibleChannels: all });
    // A manual DFS channel keeps 802.11h on until the radio leaves it.
    await s.set(radio, { Channel: 116 });
    await expect(s.set(radio, { IEEE80211hEnabled: false })).rejects.toMatchObject({ code: 7012 });
    expect((await s.values(radio)).IEEE80211hEnabled).toBe(true);
    await s.set(radio, { Channel: 44 });
    await s.set(radio, { IEEE80211hEnabled: false });
    expect(await s.values(radio)).toMatchObject({ Channel: 44, PossibleChannels: '36,40,44,48' });
    s.stop();
  });
});
