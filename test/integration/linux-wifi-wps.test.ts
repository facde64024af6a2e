/**
 * WPS, WPA2-Enterprise (RADIUS) and WEP on generic Linux, made by a real Controller over
 * WebSocket to a real agent process (`usp-agent run --platform linux`). This machine has no radio:
 * `iw` and `hostapd_cli` are stand-ins replaying what the real programs answered in a VM with
 * mac80211_hwsim (test/fixtures/linux/wifi-hostapd-enterprise-wep: session.json, README.md), the
 * global control interface's ADD and REMOVE included. On wlan0 (hostapd's own file) WPS goes on
 * (eap_server, wps_state, config_methods, then the interface restarted: a reload does not set WPS
 * up), to push button only, and off, and WEPKey and the RADIUS server answer 7012. On a BSS the
 * Controller adds, WPA2-Enterprise with one RADIUS server and then another, WEP-128, WEP-64 and
 * WPA2-Personal again each rewrite its file and start it again (REMOVE, ADD): the file the agent
 * wrote is the one hostapd ran in the VM (a station authenticated through the RADIUS server).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getObjects } from '../peers/get-objects.js';
import { tryAdd, trySet } from '../peers/controller-steps.js';
import { freePort } from '../peers/TestController.js';
import { WifiStandinAgents } from '../peers/wifi-standin-agent.js';

const agents = new WifiStandinAgents('wifi-hostapd-enterprise-wep', 'usp-linux-wifi-wps-');
/** hostapd's control directory, its sockets as files (the stand-in makes and removes an added BSS's). */
const ctrl = join(agents.work, 'hostapd');
mkdirSync(ctrl);
writeFileSync(join(ctrl, '.wlan0'), '');
renameSync(join(ctrl, '.wlan0'), join(ctrl, 'wlan0'));

describe('Device.WiFi.AccessPoint.{i}.WPS., RADIUS and WEP through hostapd (recorded answers)', () => {
  it('WPS on, push button only, off; RADIUS and WEP through the BSS file of an added AccessPoint; 7012 on its own file', async () => {
    const log = join(agents.work, 'calls.log');
    const data = join(agents.work, 'data');
    const env = { USP_WIFI_STANDIN_LOG: log, USP_WIFI_STANDIN_STATE: join(agents.work, 'position'), USP_WIFI_STANDIN_CTRL: ctrl };
    const { p, c } = await agents.start({ data, port: await freePort(), env, logLevel: 'debug', args: ['--hostapd-dir', ctrl, '--hostapd-global', '/run/hostapd-global'] });
    const calls = (): string[] =>
      readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as string[])
        .map((a) => (a[0] === 'hostapd_cli' ? ['hostapd_cli', ...a.slice(3)] : a).join(' '))
        .filter((a) => / (set|reload|enable|disable|raw ADD|raw REMOVE)( |$)/.test(a))
        .map((a) => a.replace(/bss_config=phy0:.*\//, 'bss_config=phy0:'));
    const wps = 'Device.WiFi.AccessPoint.1.WPS.';
    const read = async (): Promise<Record<string, string>> => (await getObjects(c, [wps]))[wps]!;

    expect(await read()).toEqual({ Enable: 'false', ConfigMethodsSupported: 'PushButton,PIN', ConfigMethodsEnabled: 'PIN', Status: 'Disabled', Version: '2.0' });
    const sec = (await getObjects(c, ['Device.WiFi.AccessPoint.1.Security.']))['Device.WiFi.AccessPoint.1.Security.']!;
    expect(sec).toMatchObject({ ModeEnabled: 'WPA2-Personal', WEPKey: '', RadiusServerIPAddr: '', RadiusServerPort: '1812', RadiusSecret: '' });

    // Refused before hostapd is asked: a method hostapd has not, WEP and RADIUS on hostapd's own BSS.
    expect(await trySet(c, wps, { Enable: 'true', ConfigMethodsEnabled: 'NFCInterface' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.Security.', { WEPKey: '0123456789' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.Security.', { RadiusServerIPAddr: '192.0.2.10' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(calls()).toEqual([]);

    expect(await trySet(c, wps, { Enable: 'true', ConfigMethodsEnabled: 'PushButton,PIN' })).toMatchObject({ ok: true });
    expect(await read()).toMatchObject({ Enable: 'true', ConfigMethodsEnabled: 'PushButton,PIN', Status: 'Configured' });
    expect(await trySet(c, wps, { ConfigMethodsEnabled: 'PushButton' })).toMatchObject({ ok: true });
    expect(await read()).toMatchObject({ Enable: 'true', ConfigMethodsEnabled: 'PushButton' });
    expect(await trySet(c, wps, { Enable: 'false' })).toMatchObject({ ok: true });
    expect(await read()).toMatchObject({ Enable: 'false', ConfigMethodsEnabled: 'PushButton', Status: 'Disabled' });

    // An SSID and AccessPoint added on Radio 1, off until its RADIUS server is set: WPA2-Enterprise through its file.
    const ssid = await tryAdd(c, 'Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.1', SSID: 'usp-corp', Enable: 'true' });
    if (!ssid.ok) throw new Error(ssid.errMsg);
    const n = Number(/(\d+)\.?$/.exec(ssid.value)![1]);
    expect(await tryAdd(c, 'Device.WiFi.AccessPoint.', { SSIDReference: `Device.WiFi.SSID.${n}`, Enable: 'false' })).toMatchObject({ ok: true, value: `Device.WiFi.AccessPoint.${n}.` });
    const security = `Device.WiFi.AccessPoint.${n}.Security.`;
    const file = join(data, 'hostapd-bss', 'wlan0_1.conf');
    const lines = (): string[] => readFileSync(file, 'utf8').split('\n').slice(1, -1);
    // Refused before anything is written: a name for the server (7012), a WEP key the schema's hexBinary(5 or 13 octets) refuses (7011).
    expect(await trySet(c, security, { RadiusServerIPAddr: 'radius.example' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await trySet(c, security, { WEPKey: '01234' })).toMatchObject({ ok: false, paramErrCode: 7011 });
    expect(await trySet(c, security, { ModeEnabled: 'WPA2-Enterprise', RadiusServerIPAddr: '192.0.2.10', RadiusServerPort: '1645', RadiusSecret: 'wrong-secret' })).toMatchObject({ ok: true });
    expect(await trySet(c, `Device.WiFi.AccessPoint.${n}.`, { Enable: 'true' })).toMatchObject({ ok: true });
    const eap = lines();
    expect(eap.slice(6)).toEqual([
      'wpa=2',
      'wpa_key_mgmt=WPA-EAP',
      'rsn_pairwise=CCMP',
      'ieee8021x=1',
      'auth_server_addr=192.0.2.10',
      'auth_server_port=1645',
      'auth_server_shared_secret=wrong-secret',
    ]);
    // The other server: the file rewritten with it alone (hostapd's set would have appended it), REMOVE, ADD.
    expect(await trySet(c, security, { RadiusServerIPAddr: '127.0.0.1', RadiusServerPort: '1812', RadiusSecret: 'radius-secret-1' })).toMatchObject({ ok: true });
    expect(lines().filter((l) => l.startsWith('auth_server'))).toEqual(['auth_server_addr=127.0.0.1', 'auth_server_port=1812', 'auth_server_shared_secret=radius-secret-1']);
    const got = await getObjects(c, [security, `Device.WiFi.AccessPoint.${n}.AssociatedDevice.`]);
    expect(got[security]).toMatchObject({ ModeEnabled: 'WPA2-Enterprise', RadiusServerIPAddr: '127.0.0.1', RadiusServerPort: '1812', RadiusSecret: '', EncryptionMode: 'AES' });
    expect(got[`Device.WiFi.AccessPoint.${n}.AssociatedDevice.1.`]).toMatchObject({ MACAddress: '02:00:00:00:02:00', AuthenticationState: 'true' });
    // WEP-128, WEP-64, then WPA2-Personal: the WEP key stays in the file as a comment hostapd skips.
    expect(await trySet(c, security, { ModeEnabled: 'WEP-128', WEPKey: '0123456789ABCDEF0123456789' })).toMatchObject({ ok: true });
    expect(lines()).toContain('wep_key0=0123456789abcdef0123456789');
    expect(await trySet(c, security, { ModeEnabled: 'WEP-64', WEPKey: '0123456789' })).toMatchObject({ ok: true });
    expect((await getObjects(c, [security]))[security]).toMatchObject({ ModeEnabled: 'WEP-64', WEPKey: '', EncryptionMode: '' });
    expect(await trySet(c, security, { ModeEnabled: 'WPA2-Personal', KeyPassphrase: 'corp pass one' })).toMatchObject({ ok: true });
    expect(lines().filter((l) => /wep|auth_server|wpa_passphrase/.test(l))).toEqual([
      'wpa_passphrase=corp pass one',
      '#usp-agent-held:wep_key0=0123456789',
      '#usp-agent-held:auth_server_shared_secret=radius-secret-1',
    ]);
    // Keys are in the agent's file only, never in what it logged.
    expect(p.lines.map((l) => l.text).join('\n')).not.toMatch(/radius-secret-1|0123456789abcdef|corp pass one/);

    expect(calls()).toEqual([
      'hostapd_cli -i wlan0 set eap_server 1',
      'hostapd_cli -i wlan0 set wps_state 2',
      'hostapd_cli -i wlan0 set config_methods push_button keypad',
      'hostapd_cli -i wlan0 disable',
      'hostapd_cli -i wlan0 enable',
      'hostapd_cli -i wlan0 set eap_server 1',
      'hostapd_cli -i wlan0 set wps_state 2',
      'hostapd_cli -i wlan0 set config_methods push_button',
      'hostapd_cli -i wlan0 disable',
      'hostapd_cli -i wlan0 enable',
      'hostapd_cli -i wlan0 set wps_state 0',
      'hostapd_cli -i wlan0 disable',
      'hostapd_cli -i wlan0 enable',
      'hostapd_cli -i hostapd-global raw ADD bss_config=phy0:wlan0_1.conf',
      'hostapd_cli -i hostapd-global raw REMOVE wlan0_1',
      'hostapd_cli -i hostapd-global raw ADD bss_config=phy0:wlan0_1.conf',
      'hostapd_cli -i hostapd-global raw REMOVE wlan0_1',
      'hostapd_cli -i hostapd-global raw ADD bss_config=phy0:wlan0_1.conf',
      'hostapd_cli -i hostapd-global raw REMOVE wlan0_1',
      'hostapd_cli -i hostapd-global raw ADD bss_config=phy0:wlan0_1.conf',
      'hostapd_cli -i hostapd-global raw REMOVE wlan0_1',
      'hostapd_cli -i hostapd-global raw ADD bss_config=phy0:wlan0_1.conf',
    ]);

    expect(p.alive).toBe(true);
  }, 240_000);
});
