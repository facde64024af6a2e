/**
 * The `iw` and `hostapd_cli` parsers of Device.WiFi. on generic Linux, on the outputs recorded
 * from real programs (test/fixtures/linux/wifi-hostapd/session.json: hostapd 2.10 and iw 5.19 on
 * mac80211_hwsim; the step named in each test).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostapdBss, hostapdEncryption, hostapdSecurityMode, parseAllSta, parseInterfaces, parseKeyValues } from '../../../../platform/linux/wifi-hostapd-cli.js';
import { parseIwChannels, parseIwDev, parseIwPhy, parseIwRegCountry, parseStationDump } from '../../../../platform/linux/wifi-iw.js';
import { possibleChannels, radioValues } from '../../../../platform/linux/wifi-radio.js';
import { stationValues } from '../../../../platform/linux/wifi-access-point.js';

const SESSION = JSON.parse(readFileSync(new URL('../../../fixtures/linux/wifi-hostapd/session.json', import.meta.url), 'utf8')) as Array<{ step: string; stdout: string }>;
const out = (step: string): string => SESSION.find((s) => s.step.startsWith(step))!.stdout;

describe('iw parsers', () => {
  it('iw dev (step 09): both APs with phy, ssid, channel, width, centre and power', () => {
    expect(parseIwDev(out('09-'))).toEqual([
      { ifname: 'wlan1', phy: 'phy1', addr: '02:00:00:00:01:00', ssid: 'usp-lab-5g', type: 'AP', channel: 36, freq: 5180, widthMHz: 20, center1: 5180, txpowerDbm: 23 },
      { ifname: 'wlan0', phy: 'phy0', addr: '02:00:00:00:00:00', ssid: 'usp-lab', type: 'AP', channel: 6, freq: 2437, widthMHz: 20, center1: 2437, txpowerDbm: 20 },
    ]);
  });

  it('iw dev <if> info (step 10) names the phy by wiphy; interfaces without a channel (step 03) have none', () => {
    expect(parseIwDev(out('10-'))[0]).toMatchObject({ ifname: 'wlan0', phy: 'phy0', channel: 6 });
    const idle = parseIwDev(out('03-'));
    expect(idle.map((f) => [f.ifname, f.phy, f.type, f.channel])).toEqual([
      ['wlan3', 'phy3', 'managed', undefined],
      ['wlan2', 'phy2', 'managed', undefined],
      ['wlan1', 'phy1', 'managed', undefined],
      ['wlan0', 'phy0', 'managed', undefined],
    ]);
  });

  it('iw phy (step 04): four phys, each with 2.4, 5 and 6 GHz bands, HT/VHT/HE/EHT, u-APSD', () => {
    const phys = parseIwPhy(out('04-'));
    expect(phys.map((p) => p.phy)).toEqual(['phy3', 'phy2', 'phy1', 'phy0']);
    const phy0 = phys.find((p) => p.phy === 'phy0')!;
    expect(phy0.apUapsd).toBe(true);
    expect(phy0.antennaTx).toBe(0);
    const byBand = Object.fromEntries(phy0.bands.filter((b) => b.band).map((b) => [b.band, b]));
    expect(Object.keys(byBand)).toEqual(['2.4GHz', '5GHz', '6GHz']);
    expect(byBand['2.4GHz']).toMatchObject({ ht: true, vht: false, he: true, eht: true, ht40: true, maxTxPowerDbm: 20 });
    expect(byBand['5GHz']).toMatchObject({ ht: true, vht: true, he: true });
    // `iw phy phy0 info` (step 19) is the same description of one phy.
    expect(parseIwPhy(out('19-'))).toEqual([phy0]);
  });

  it('iw phy <phy> channels (step 17): disabled and DFS channels', () => {
    const ch = parseIwChannels(out('17-'));
    expect(ch.find((c) => c.channel === 14)).toMatchObject({ disabled: true, band: '2.4GHz' });
    expect(ch.find((c) => c.channel === 52)).toMatchObject({ radar: true, dfsState: 'usable', band: '5GHz' });
    expect(possibleChannels(ch, '2.4GHz')).toBe('1,2,3,4,5,6,7,8,9,10,11,12,13');
    expect(possibleChannels(ch, '5GHz').split(',')).toContain('36');
  });

  it('iw reg get (step 02): the global domain DE', () => {
    expect(parseIwRegCountry(out('02-'))).toBe('DE');
    expect(parseIwRegCountry('global\ncountry 00: DFS-UNSET\n')).toBeUndefined();
    expect(parseIwRegCountry('')).toBeUndefined();
  });

  it('station dump (steps 12, 13): counters, signal, rates and the PHY generation', () => {
    expect(parseStationDump(out('12-'))).toEqual([
      {
        mac: '02:00:00:00:02:00',
        inactiveMs: 1264,
        rxBytes: 12305,
        rxPackets: 27,
        txBytes: 11239,
        txPackets: 17,
        txRetries: 0,
        txFailed: 0,
        signalDbm: -30,
        txBitrateKbps: 13000,
        rxBitrateKbps: 13000,
        generation: 'ht',
        authorized: true,
        connectedSeconds: 17,
      },
    ]);
    expect(parseStationDump(out('13-'))[0]).toMatchObject({ mac: '02:00:00:00:03:00', generation: 'vht', txBitrateKbps: 26000, signalDbm: -27 });
    expect(parseStationDump('')).toEqual([]);
    expect(parseStationDump('garbage\n\tno station: here\n')).toEqual([]);
  });
});

describe('hostapd_cli parsers', () => {
  it('interface (step 22) lists both BSSes', () => {
    expect(parseInterfaces(out('22-'))).toEqual(['wlan1', 'wlan0']);
    expect(parseInterfaces('')).toEqual([]);
  });

  it('status + get_config (steps 23, 24, 27, 28): WPA2-Personal and WPA3-Personal', () => {
    const b0 = hostapdBss('wlan0', parseKeyValues(out('23-')), parseKeyValues(out('24-')));
    expect(b0).toMatchObject({ state: 'ENABLED', phy: 'phy0', freq: 2437, channel: 6, ieee80211n: true, ieee80211ac: false, bssid: '02:00:00:00:00:00', ssid: 'usp-lab', numSta: 1 });
    expect(hostapdSecurityMode(b0)).toBe('WPA2-Personal');
    expect(hostapdEncryption(b0.pairwise)).toBe('AES');
    const b1 = hostapdBss('wlan1', parseKeyValues(out('27-')), parseKeyValues(out('28-')));
    expect(b1).toMatchObject({ phy: 'phy1', channel: 36, ieee80211ac: true, ssid: 'usp-lab-5g' });
    expect(hostapdSecurityMode(b1)).toBe('WPA3-Personal');
    expect(hostapdSecurityMode({ wpa: 0, keyMgmt: [] })).toBe('None');
    expect(hostapdSecurityMode({ wpa: 2, keyMgmt: ['WPA-PSK', 'SAE'] })).toBe('WPA3-Personal-Transition');
    expect(hostapdSecurityMode({ wpa: 3, keyMgmt: ['WPA-PSK'] })).toBe('WPA-WPA2-Personal');
    expect(hostapdSecurityMode({ wpa: 2, keyMgmt: ['WPA-EAP'] })).toBe('WPA2-Enterprise');
  });

  it('status of a disabled BSS (step 39) and all_sta after the deauthentication (step 37)', () => {
    const b = hostapdBss('wlan0', parseKeyValues(out('39-')), {});
    expect(b).toMatchObject({ state: 'DISABLED', ssid: 'usp-lab-renamed', numSta: 0, channel: 11 });
    expect(parseAllSta(out('37-'))).toEqual([]);
  });

  it('all_sta (steps 25, 29): flags and counters per station', () => {
    const [s] = parseAllSta(out('25-'));
    expect(s!.mac).toBe('02:00:00:00:02:00');
    expect([...s!.flags]).toEqual(['AUTH', 'ASSOC', 'AUTHORIZED', 'SHORT_PREAMBLE', 'WMM', 'HT']);
    expect(s!.values).toMatchObject({ rx_bytes: '12383', tx_bytes: '11301', signal: '-30', connected_time: '18' });
    expect(parseAllSta(out('29-'))[0]!.flags.has('VHT')).toBe(true);
  });
});

describe('TR-181 rows from the recordings', () => {
  it('Radio of phy1: 5GHz, a,n,ac in use, channel 36, the DE domain', () => {
    const bss = { ...hostapdBss('wlan1', parseKeyValues(out('27-')), parseKeyValues(out('28-'))), iw: parseIwDev(out('09-'))[0] };
    const phy = parseIwPhy(out('04-')).find((p) => p.phy === 'phy1');
    const v = radioValues('phy1', [bss], phy, parseIwChannels(out('18-')), 'DE');
    expect(v).toMatchObject({
      Status: 'Up',
      Name: 'phy1',
      SupportedFrequencyBands: '2.4GHz,5GHz,6GHz',
      OperatingFrequencyBand: '5GHz',
      OperatingStandards: 'a,n,ac',
      Channel: 36,
      ChannelsInUse: '36',
      CurrentOperatingChannelBandwidth: '20MHz',
      TransmitPower: 100,
      RegulatoryDomain: 'DE ',
    });
    expect(String(v.SupportedStandards)).toMatch(/^a,n,ac,ax/);
    expect(v.MaxBitRate).toBeUndefined(); // hwsim reports no antennas
  });

  it('AssociatedDevice of wlan0: hostapd flags with nl80211 counters', () => {
    const s = { mac: '02:00:00:00:02:00', hostapd: parseAllSta(out('25-'))[0], iw: parseStationDump(out('12-'))[0] };
    expect(stationValues(s, '2.4GHz', Date.parse('2026-12-05T00:00:17Z'))).toEqual({
      MACAddress: '02:00:00:00:02:00',
      OperatingStandard: 'n',
      AuthenticationState: true,
      Active: true,
      SignalStrength: -30,
      LastDataDownlinkRate: 13000,
      LastDataUplinkRate: 13000,
      AssociationTime: '2026-12-05T00:00:00Z',
      Retransmissions: 0,
    });
  });
});
