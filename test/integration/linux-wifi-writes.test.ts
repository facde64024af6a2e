/**
 * Device.WiFi. writes on generic Linux, made by a real Controller over WebSocket to a real agent
 * process (`usp-agent run --platform linux`). This machine has no radio, so `iw` and `hostapd_cli`
 * are stand-ins on PATH that replay what the real programs answered in a VM with mac80211_hwsim
 * (test/fixtures/linux/wifi-hostapd-writes: session.json, README.md, wifi-standin.mjs): each write
 * the agent sends must be one hostapd or iw was recorded taking, and the reads after it answer as
 * recorded after it. Covered: the AccessPoint's settings (hidden SSID, isolation, station limit,
 * WMM, U-APSD: hostapd keys + reload), Security (passphrase, raw PSK, WPA3-Personal with an SAE
 * password, transition, open, back to WPA2), Radio 802.11h, TransmitPower (`iw`), Enable and
 * OperatingStandards, bad values
 * refused with 7012 before hostapd is asked, hostapd refusing (7002), a parameter not writable
 * here (7013), keys never in the agent's log, and a restart of the agent sending hostapd what it holds
 * again and reading it back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getObjects } from '../peers/get-objects.js';
import { trySet } from '../peers/controller-steps.js';
import { freePort } from '../peers/TestController.js';
import { type StandinAgent, WifiStandinAgents } from '../peers/wifi-standin-agent.js';
import { standinCalls } from '../peers/wifi-standin-log.js';

const agents = new WifiStandinAgents('wifi-hostapd-writes', 'usp-linux-wifi-writes-');
const work = agents.work;

/** An agent process on the Linux platform with the stand-ins first on PATH, its data in `data` (the defaults seed it at first start only: a restart keeps `port`); its Controller. */
async function start(data: string, env: Record<string, string>, port: number): Promise<StandinAgent> {
  return agents.start({ data, port, env, logLevel: 'debug', args: ['--hostapd-dir', '/run/hostapd'] });
}

describe('Device.WiFi. writes to hostapd and iw (recorded answers)', () => {
  it('AccessPoint settings, Security and Radio go to hostapd and iw; bad values 7012, hostapd refusing 7002; kept over a restart', async () => {
    const log = join(work, 'calls.log');
    const env = { USP_WIFI_STANDIN_LOG: log, USP_WIFI_STANDIN_STATE: join(work, 'position') };
    const data = join(work, 'data');
    const port = await freePort();
    const { p, c } = await start(data, env, port);
    const calls = (): string[] => standinCalls(log).filter((a) => / (set|reload|enable|disable|chan_switch) ?/.test(a));
    const read = async (path: string): Promise<Record<string, string>> => (await getObjects(c, [path]))[path]!;

    // One Get of all three: every read runs the stand-ins (a node process each) on a loaded machine.
    const first = await getObjects(c, ['Device.WiFi.AccessPoint.1.', 'Device.WiFi.Radio.2.']);
    expect(first['Device.WiFi.AccessPoint.1.']).toMatchObject({ SSIDAdvertisementEnabled: 'true', IsolationEnable: 'false', MaxAllowedAssociations: '2007', WMMEnable: 'true', UAPSDEnable: 'false' });
    expect(first['Device.WiFi.AccessPoint.1.Security.']).toMatchObject({ ModeEnabled: 'WPA2-Personal', KeyPassphrase: '', PreSharedKey: '', SAEPassphrase: '' });
    expect(first['Device.WiFi.Radio.2.']).toMatchObject({ IEEE80211hSupported: 'true', IEEE80211hEnabled: 'false', TransmitPower: '100' });

    // Bad values: refused (7012) before hostapd or iw is asked.
    const bad: Array<[string, Record<string, string>]> = [
      ['Device.WiFi.AccessPoint.1.Security.', { KeyPassphrase: 'short77' }],
      ['Device.WiFi.AccessPoint.1.Security.', { KeyPassphrase: 'x'.repeat(64) }],
      ['Device.WiFi.AccessPoint.1.Security.', { PreSharedKey: '0123' }],
      ['Device.WiFi.AccessPoint.1.Security.', { ModeEnabled: 'WPA2-Enterprise' }],
      ['Device.WiFi.AccessPoint.1.', { MaxAllowedAssociations: '0' }],
      ['Device.WiFi.Radio.1.', { Channel: '14' }],
      ['Device.WiFi.Radio.1.', { IEEE80211hEnabled: 'true' }],
      ['Device.WiFi.Radio.2.', { TransmitPower: '60' }],
      ['Device.WiFi.Radio.1.', { OperatingStandards: 'g,n' }],
      ['Device.WiFi.Radio.1.', { OperatingStandards: 'b,g,n,ac' }],
    ];
    for (const [path, params] of bad) expect(await trySet(c, path, params), JSON.stringify(params)).toMatchObject({ ok: false, errCode: 7021, paramErrCode: 7012 });
    // hostapd's own BSS keeps its SSID (only an added AccessPoint moves): its current value is taken, any other is 7012.
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.', { SSIDReference: 'Device.WiFi.SSID.2' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.', { SSIDReference: 'Device.WiFi.SSID.1' })).toMatchObject({ ok: true });
    expect(calls()).toEqual([]);

    // The AccessPoint: hidden, isolated, at most 8 stations; then WMM off; then WMM and U-APSD on.
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.', { SSIDAdvertisementEnabled: 'false', IsolationEnable: 'true', MaxAllowedAssociations: '8' })).toMatchObject({ ok: true });
    // hostapd refuses a limit above its MAX_STA_COUNT: 7002, and the held value stays.
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.', { MaxAllowedAssociations: '3000' })).toMatchObject({ ok: false, paramErrCode: 7002 });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.', { WMMEnable: 'false' })).toMatchObject({ ok: true });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.', { WMMEnable: 'true', UAPSDEnable: 'true' })).toMatchObject({ ok: true });
    expect(await read('Device.WiFi.AccessPoint.1.')).toMatchObject({
      SSIDAdvertisementEnabled: 'false',
      IsolationEnable: 'true',
      MaxAllowedAssociations: '8',
      WMMEnable: 'true',
      UAPSDEnable: 'true',
      Status: 'Enabled',
    });

    // Security: a passphrase, a raw PSK, WPA3-Personal with an SAE password, transition, open, WPA2 again.
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.Security.', { KeyPassphrase: 'new passphrase 1' })).toMatchObject({ ok: true });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.Security.', { PreSharedKey: '0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef' })).toMatchObject({ ok: true });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.Security.', { ModeEnabled: 'WPA3-Personal', SAEPassphrase: 'sae passphrase 1' })).toMatchObject({ ok: true });
    expect(await read('Device.WiFi.AccessPoint.1.Security.')).toMatchObject({ ModeEnabled: 'WPA3-Personal', SAEPassphrase: '' });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.Security.', { ModeEnabled: 'WPA3-Personal-Transition' })).toMatchObject({ ok: true });
    expect(await read('Device.WiFi.AccessPoint.1.Security.')).toMatchObject({ ModeEnabled: 'WPA3-Personal-Transition' });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.Security.', { ModeEnabled: 'None' })).toMatchObject({ ok: true });
    expect(await read('Device.WiFi.AccessPoint.1.Security.')).toMatchObject({ ModeEnabled: 'None', EncryptionMode: '' });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.Security.', { ModeEnabled: 'WPA2-Personal' })).toMatchObject({ ok: true });
    expect(await read('Device.WiFi.AccessPoint.1.Security.')).toMatchObject({ ModeEnabled: 'WPA2-Personal', EncryptionMode: 'AES' });

    // The 5 GHz radio: 802.11h on; transmit power 25 % (17 of 23 dBm), then 100 % (the limit).
    expect(await trySet(c, 'Device.WiFi.Radio.2.', { IEEE80211hEnabled: 'true' })).toMatchObject({ ok: true });
    expect(await trySet(c, 'Device.WiFi.Radio.2.', { TransmitPower: '25' })).toMatchObject({ ok: true });
    expect(await read('Device.WiFi.Radio.2.')).toMatchObject({ IEEE80211hEnabled: 'true', TransmitPower: '25' });
    expect(await trySet(c, 'Device.WiFi.Radio.2.', { TransmitPower: '100' })).toMatchObject({ ok: true });
    expect(await read('Device.WiFi.Radio.2.')).toMatchObject({ TransmitPower: '100' });
    // The radio off and on (hostapd's interface), then its standards: 802.11n off and on, 802.11ax on.
    expect(await trySet(c, 'Device.WiFi.Radio.2.', { Enable: 'false' })).toMatchObject({ ok: true });
    expect(await read('Device.WiFi.Radio.2.')).toMatchObject({ Enable: 'false', Status: 'Down' });
    expect(await trySet(c, 'Device.WiFi.Radio.2.', { Enable: 'true' })).toMatchObject({ ok: true });
    // 802.11n off on wlan0: hostapd took the key but refused the reload (recorded): 7002, and the key is set back.
    expect(await trySet(c, 'Device.WiFi.Radio.1.', { OperatingStandards: 'b,g' })).toMatchObject({ ok: false, paramErrCode: 7002 });
    expect(await trySet(c, 'Device.WiFi.Radio.2.', { OperatingStandards: 'a,n,ac,ax' })).toMatchObject({ ok: true });
    const radios = await getObjects(c, ['Device.WiFi.Radio.']);
    expect(radios['Device.WiFi.Radio.2.']).toMatchObject({ Enable: 'true', Status: 'Up', OperatingStandards: 'a,n,ac,ax' });

    // Keys went on hostapd_cli's stdin (interactive mode, HOME unset): no command line held one.
    const argvs = readFileSync(log, 'utf8');
    for (const k of ['new passphrase 1', '0123456789abcdef0123456789abcdef', 'sae passphrase 1']) expect(argvs.toLowerCase()).not.toContain(k);
    expect(argvs.split('\n').filter((l) => l === JSON.stringify(['hostapd_cli', '-p', '/run/hostapd', '-i', 'wlan0']))).toHaveLength(3);
    expect(calls()).toEqual([
      'hostapd_cli -i wlan0 set ignore_broadcast_ssid 1',
      'hostapd_cli -i wlan0 set ap_isolate 1',
      'hostapd_cli -i wlan0 set max_num_sta 8',
      'hostapd_cli -i wlan0 reload',
      'hostapd_cli -i wlan0 set max_num_sta 3000',
      'hostapd_cli -i wlan0 set wmm_enabled 0',
      'hostapd_cli -i wlan0 reload',
      'hostapd_cli -i wlan0 set wmm_enabled 1',
      'hostapd_cli -i wlan0 set uapsd_advertisement_enabled 1',
      'hostapd_cli -i wlan0 reload',
      'hostapd_cli -i wlan0 reload',
      'hostapd_cli -i wlan0 reload',
      'hostapd_cli -i wlan0 set wpa_key_mgmt SAE',
      'hostapd_cli -i wlan0 set ieee80211w 2',
      'hostapd_cli -i wlan0 reload',
      'hostapd_cli -i wlan0 set wpa_key_mgmt WPA-PSK SAE',
      'hostapd_cli -i wlan0 set ieee80211w 1',
      'hostapd_cli -i wlan0 reload',
      'hostapd_cli -i wlan0 set wpa 0',
      'hostapd_cli -i wlan0 reload',
      'hostapd_cli -i wlan0 set wpa 2',
      'hostapd_cli -i wlan0 set wpa_key_mgmt WPA-PSK',
      'hostapd_cli -i wlan0 set ieee80211w 0',
      'hostapd_cli -i wlan0 set rsn_pairwise CCMP',
      'hostapd_cli -i wlan0 reload',
      'hostapd_cli -i wlan1 set ieee80211h 1',
      'hostapd_cli -i wlan1 reload',
      'iw dev wlan1 set txpower fixed 1700',
      'iw dev wlan1 set txpower auto',
      'hostapd_cli -i wlan1 disable',
      'hostapd_cli -i wlan1 enable',
      'hostapd_cli -i wlan0 set ieee80211n 0',
      'hostapd_cli -i wlan0 reload',
      'hostapd_cli -i wlan0 set ieee80211n 1',
      'hostapd_cli -i wlan1 set ieee80211ax 1',
      'hostapd_cli -i wlan1 reload',
    ]);
    // Keys never in the agent's log (debug level logs every command line it runs).
    for (const key of ['new passphrase 1', '0123456789abcdef0123456789abcdef', 'sae passphrase 1']) expect(p.text).not.toContain(key);
    expect(p.alive).toBe(true);

    // A restart of the agent sends hostapd what it holds again (hostapd may have restarted too: wifi-reapply.ts),
    // one set each and one reload per BSS, answered as recorded for the same commands, and reads it back.
    const before = calls().length;
    await p.terminate();
    const again = await start(data, env, port);
    const o = await getObjects(again.c, ['Device.WiFi.AccessPoint.1.', 'Device.WiFi.Radio.2.']);
    expect(o['Device.WiFi.AccessPoint.1.']).toMatchObject({ SSIDAdvertisementEnabled: 'false', IsolationEnable: 'true', MaxAllowedAssociations: '8', WMMEnable: 'true', UAPSDEnable: 'true' });
    expect(o['Device.WiFi.Radio.2.']).toMatchObject({ IEEE80211hEnabled: 'true' });
    expect(calls().slice(before)).toEqual([
      'hostapd_cli -i wlan0 set ignore_broadcast_ssid 1',
      'hostapd_cli -i wlan0 set ap_isolate 1',
      'hostapd_cli -i wlan0 set max_num_sta 8',
      'hostapd_cli -i wlan0 set wmm_enabled 1',
      'hostapd_cli -i wlan0 set uapsd_advertisement_enabled 1',
      'hostapd_cli -i wlan0 reload',
      'hostapd_cli -i wlan1 set ieee80211h 1',
      'hostapd_cli -i wlan1 reload',
    ]);
  }, 400_000);
});
