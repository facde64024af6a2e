/**
 * WPS, and the refusal of WEP and RADIUS, on a BSS of hostapd's own file on generic Linux, made
 * by a real Controller over WebSocket to a real agent process (`usp-agent run --platform linux`).
 * This machine has no radio: `iw` and `hostapd_cli` are stand-ins replaying what the real
 * programs answered in a VM with mac80211_hwsim (test/fixtures/linux/wifi-hostapd-enterprise-wep:
 * session.json, README.md). WPS goes on (eap_server, wps_state, config_methods, then the interface
 * restarted: a reload does not set WPS up), to push button only, and off; WEPKey and the RADIUS
 * server of this BSS answer 7012 (they run only from a BSS file the agent writes: unit tests).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getObjects } from '../peers/get-objects.js';
import { trySet } from '../peers/controller-steps.js';
import { freePort } from '../peers/TestController.js';
import { WifiStandinAgents } from '../peers/wifi-standin-agent.js';

const agents = new WifiStandinAgents('wifi-hostapd-enterprise-wep', 'usp-linux-wifi-wps-');

describe('Device.WiFi.AccessPoint.{i}.WPS. through hostapd (recorded answers)', () => {
  it('turns WPS on, to push button only and off as recorded; WEP and RADIUS on a BSS of its own file 7012', async () => {
    const log = join(agents.work, 'calls.log');
    const env = { USP_WIFI_STANDIN_LOG: log, USP_WIFI_STANDIN_STATE: join(agents.work, 'position') };
    const { p, c } = await agents.start({ data: join(agents.work, 'data'), port: await freePort(), env, args: ['--hostapd-dir', '/run/hostapd'] });
    const calls = (): string[] =>
      readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as string[])
        .map((a) => (a[0] === 'hostapd_cli' ? ['hostapd_cli', ...a.slice(3)] : a).join(' '))
        .filter((a) => / (set|reload|enable|disable)( |$)/.test(a));
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
    ]);
    expect(p.alive).toBe(true);
  }, 120_000);
});
