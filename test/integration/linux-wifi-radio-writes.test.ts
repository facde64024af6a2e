/**
 * The Device.WiFi. writes on generic Linux that restart hostapd's radio or change its access
 * lists, made by a real Controller over WebSocket to a real agent process (`usp-agent run
 * --platform linux`). This machine has no radio: `iw` and `hostapd_cli` are stand-ins replaying
 * what the real programs answered in a VM with mac80211_hwsim (test/fixtures/linux/
 * wifi-hostapd-radio-writes: session.json, README.md). Covered: Security.RekeyingInterval
 * (wpa_group_rekey), MACAddressControlEnabled and AllowedMACAddress (hostapd's accept list, read
 * back from hostapd), OperatingFrequencyBand, RegulatoryDomain and ExtensionChannel (keys, then
 * the radio's `disable` / `enable`), AutoChannelEnable refused by this driver (7002, the radio
 * started again on its channel), MCS and GuardInterval (`iw dev set bitrates`), and bad values refused
 * before hostapd is asked.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getObjects } from '../peers/get-objects.js';
import { trySet } from '../peers/controller-steps.js';
import { freePort } from '../peers/TestController.js';
import { WifiStandinAgents } from '../peers/wifi-standin-agent.js';
import { standinCalls } from '../peers/wifi-standin-log.js';

const agents = new WifiStandinAgents('wifi-hostapd-radio-writes', 'usp-linux-wifi-radio-writes-');

describe('Device.WiFi. radio restarts and access lists through hostapd (recorded answers)', () => {
  it('writes each as recorded, reads back what hostapd and iw report; bad values 7012, hostapd refusing 7002', async () => {
    const log = join(agents.work, 'calls.log');
    const env = { USP_WIFI_STANDIN_LOG: log, USP_WIFI_STANDIN_STATE: join(agents.work, 'position') };
    const { p, c } = await agents.start({ data: join(agents.work, 'data'), port: await freePort(), env, args: ['--hostapd-dir', '/run/hostapd'] });
    const calls = (): string[] => standinCalls(log).filter((a) => / (set|reload|enable|disable|accept_acl (ADD_MAC|CLEAR))( |$)/.test(a));
    const read = async (path: string): Promise<Record<string, string>> => (await getObjects(c, [path]))[path]!;

    const first = await getObjects(c, ['Device.WiFi.AccessPoint.1.', 'Device.WiFi.Radio.1.']);
    expect(first['Device.WiFi.AccessPoint.1.']).toMatchObject({ SSIDReference: 'Device.WiFi.SSID.1', MACAddressControlEnabled: 'false', AllowedMACAddress: '' });
    expect(first['Device.WiFi.AccessPoint.1.Security.']).toMatchObject({ RekeyingInterval: '86400', WEPKey: '' });
    expect(first['Device.WiFi.Radio.1.']).toMatchObject({ OperatingFrequencyBand: '2.4GHz', Channel: '6', RegulatoryDomain: 'DE ', AutoChannelSupported: 'true', AutoChannelEnable: 'false' });

    // Refused before hostapd is asked (7012; the other refusals are unit tests: wifi-radio-restart, wifi-mac-access).
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.', { AllowedMACAddress: '02:00:00:00:aa:01,02:00:00:00:aa' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await trySet(c, 'Device.WiFi.Radio.2.', { ExtensionChannel: 'BelowControlChannel' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(calls()).toEqual([]);

    // Group key every 600 s; the accept list of two stations and MAC address control on, then both off.
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.Security.', { RekeyingInterval: '600' })).toMatchObject({ ok: true });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.', { AllowedMACAddress: '02:00:00:00:AA:01,02:00:00:00:aa:02', MACAddressControlEnabled: 'true' })).toMatchObject({ ok: true });
    const acl = await getObjects(c, ['Device.WiFi.AccessPoint.1.']);
    expect(acl['Device.WiFi.AccessPoint.1.']).toMatchObject({ MACAddressControlEnabled: 'true', AllowedMACAddress: '02:00:00:00:aa:01,02:00:00:00:aa:02' });
    expect(acl['Device.WiFi.AccessPoint.1.Security.']).toMatchObject({ RekeyingInterval: '600' });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.', { AllowedMACAddress: '', MACAddressControlEnabled: 'false' })).toMatchObject({ ok: true });

    // Radio 1 to 5 GHz (its first usable channel, 36) and back to 2.4 GHz channel 6.
    expect(await trySet(c, 'Device.WiFi.Radio.1.', { OperatingFrequencyBand: '5GHz' })).toMatchObject({ ok: true });
    expect(await read('Device.WiFi.Radio.1.')).toMatchObject({ OperatingFrequencyBand: '5GHz', Channel: '36' });
    expect(await trySet(c, 'Device.WiFi.Radio.1.', { OperatingFrequencyBand: '2.4GHz', Channel: '6' })).toMatchObject({ ok: true });
    // France, indoor (the kernel's domain follows; the third character is as written), then Germany again.
    expect(await trySet(c, 'Device.WiFi.Radio.1.', { RegulatoryDomain: 'FRI' })).toMatchObject({ ok: true });
    expect(await read('Device.WiFi.Radio.1.')).toMatchObject({ OperatingFrequencyBand: '2.4GHz', Channel: '6', RegulatoryDomain: 'FRI' });
    expect(await trySet(c, 'Device.WiFi.Radio.1.', { RegulatoryDomain: 'DE ' })).toMatchObject({ ok: true });
    // hostapd cannot start with ACS on mac80211_hwsim (no channel survey): 7002, channel 6 again, and no longer offered.
    expect(await trySet(c, 'Device.WiFi.Radio.1.', { AutoChannelEnable: 'true' })).toMatchObject({ ok: false, paramErrCode: 7002 });

    // Radio 2 (5 GHz, 36) on 40 MHz with channel 40 above it.
    expect(await trySet(c, 'Device.WiFi.Radio.2.', { ExtensionChannel: 'AboveControlChannel' })).toMatchObject({ ok: true });
    const last = await getObjects(c, ['Device.WiFi.Radio.', 'Device.WiFi.AccessPoint.1.']);
    expect(last['Device.WiFi.Radio.1.']).toMatchObject({ Status: 'Up', Channel: '6', RegulatoryDomain: 'DE ', AutoChannelSupported: 'false', AutoChannelEnable: 'false' });
    expect(last['Device.WiFi.Radio.2.']).toMatchObject({ ExtensionChannel: 'AboveControlChannel', CurrentOperatingChannelBandwidth: '40MHz', ChannelsInUse: '36,40' });
    expect(last['Device.WiFi.AccessPoint.1.']).toMatchObject({ MACAddressControlEnabled: 'false', AllowedMACAddress: '' });
    // Radio 2 sends HT MCS 7 only, with the short guard interval (its bitrate mask, read as written); then rate control is free again.
    expect(await trySet(c, 'Device.WiFi.Radio.2.', { MCS: '7', GuardInterval: '400nsec' })).toMatchObject({ ok: true });
    expect(await read('Device.WiFi.Radio.2.')).toMatchObject({ MCS: '7', GuardInterval: '400nsec' });
    expect(await trySet(c, 'Device.WiFi.Radio.2.', { MCS: '-1', GuardInterval: 'Auto' })).toMatchObject({ ok: true });

    expect(calls()).toEqual([
      'hostapd_cli -i wlan0 set wpa_group_rekey 600',
      'hostapd_cli -i wlan0 reload',
      'hostapd_cli -i wlan0 accept_acl CLEAR',
      'hostapd_cli -i wlan0 accept_acl ADD_MAC 02:00:00:00:aa:01',
      'hostapd_cli -i wlan0 accept_acl ADD_MAC 02:00:00:00:aa:02',
      'hostapd_cli -i wlan0 set macaddr_acl 1',
      'hostapd_cli -i wlan0 reload',
      'hostapd_cli -i wlan0 accept_acl CLEAR',
      'hostapd_cli -i wlan0 set macaddr_acl 0',
      'hostapd_cli -i wlan0 reload',
      'hostapd_cli -i wlan0 set hw_mode a',
      'hostapd_cli -i wlan0 set channel 36',
      'hostapd_cli -i wlan0 disable',
      'hostapd_cli -i wlan0 enable',
      'hostapd_cli -i wlan0 set hw_mode g',
      'hostapd_cli -i wlan0 set channel 6',
      'hostapd_cli -i wlan0 disable',
      'hostapd_cli -i wlan0 enable',
      'hostapd_cli -i wlan0 set country_code FR',
      'hostapd_cli -i wlan0 set country3 0x49',
      'hostapd_cli -i wlan0 disable',
      'hostapd_cli -i wlan0 enable',
      'hostapd_cli -i wlan0 set country_code DE',
      'hostapd_cli -i wlan0 set country3 0x20',
      'hostapd_cli -i wlan0 disable',
      'hostapd_cli -i wlan0 enable',
      'hostapd_cli -i wlan0 set channel 0',
      'hostapd_cli -i wlan0 disable',
      'hostapd_cli -i wlan0 enable',
      // Refused: the channel set back and the radio started again.
      'hostapd_cli -i wlan0 set channel 6',
      'hostapd_cli -i wlan0 enable',
      'hostapd_cli -i wlan1 set ht_capab [HT40+]',
      'hostapd_cli -i wlan1 disable',
      'hostapd_cli -i wlan1 enable',
      'iw dev wlan1 set bitrates ht-mcs-5 7 vht-mcs-5 sgi-5',
      'iw dev wlan1 set bitrates',
    ]);
    expect(p.alive).toBe(true);
  }, 300_000);
});
