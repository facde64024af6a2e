/**
 * Device.WiFi.EndPoint. on generic Linux over wpa_supplicant, used by a real Controller over
 * WebSocket on a real agent process (`usp-agent run --platform linux --wpa-supplicant-dir ...`).
 * This machine has no radio, so `wpa_cli` and `iw` are stand-ins on PATH that replay what the real
 * programs answered in a VM with mac80211_hwsim (test/fixtures/linux/wifi-wpa-supplicant:
 * session.json, README.md, wpa-standin.mjs): each write the agent sends must be one wpa_supplicant
 * was recorded taking, and the reads after it answer as recorded after it. Covered: the EndPoint
 * and its Profiles read; values refused (7012, 7013) before wpa_supplicant is asked; Profile Add
 * (add_network + set_network), its Security (keys on wpa_cli's stdin, never on a command line or
 * in the agent's log), Priority and Enable; ProfileReference (select_network: the station moves);
 * Location kept by the agent; Profile Delete (remove_network); save_config after each write;
 * wpa_supplicant stopped (no rows, the agent stays up) and started without update_config (the
 * write holds, no save_config, the agent says so).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getObjects } from '../peers/get-objects.js';
import { del, tryAdd, trySet } from '../peers/controller-steps.js';
import { freePort } from '../peers/TestController.js';
import { type StandinAgent, WifiStandinAgents } from '../peers/wifi-standin-agent.js';
import { REPO } from '../peers/agent-process.js';

const FIXTURE = join(REPO, 'test/fixtures/linux/wifi-wpa-supplicant');
const agents = new WifiStandinAgents('wifi-wpa-supplicant', 'usp-linux-wifi-endpoint-');
const log = join(agents.work, 'calls.log');
const position = join(agents.work, 'position');
/** The step number of a recorded step, by its label (the test moves the replay there itself). */
const stepOf = (label: string): number => {
  const s = (JSON.parse(readFileSync(join(FIXTURE, 'session.json'), 'utf8')) as Array<{ step: string }>).find((x) => x.step.endsWith(`-${label}`));
  return Number(s!.step.split('-')[0]);
};
/** The wpa_cli calls that change wpa_supplicant (or save its file), without the control directory. */
const writes = (): string[] =>
  readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as string[]).filter((x, i, a) => x !== '-p' && a[i - 1] !== '-p').join(' '))
    .filter((l) => /(add|set|enable|disable|select|remove)_network|save_config|\(stdin\)/.test(l));

// The second story: wpa_supplicant with its global control interface (test/fixtures/linux/wifi-wpa-supplicant-global).
const FIXTURE2 = join(REPO, 'test/fixtures/linux/wifi-wpa-supplicant-global');
const globalAgents = new WifiStandinAgents('wifi-wpa-supplicant-global', 'usp-linux-wifi-endpoint-global-');
const log2 = join(globalAgents.work, 'calls.log');
const position2 = join(globalAgents.work, 'position');
const stepOf2 = (label: string): number => {
  const s = (JSON.parse(readFileSync(join(FIXTURE2, 'session.json'), 'utf8')) as Array<{ step: string }>).find((x) => x.step.endsWith(`-${label}`));
  return Number(s!.step.split('-')[0]);
};
/** What the second story sent that changes wpa_supplicant (or saves its file), without the control directory or global socket. */
const writes2 = (): string[] =>
  readFileSync(log2, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as string[]).filter((x, i, a) => !['-p', '-g'].includes(x) && !['-p', '-g'].includes(a[i - 1]!)).join(' '))
    .filter((l) => /(add|set|enable|disable|select|remove)_network|save_config|\(stdin\)|interface_(add|remove)|disconnect|reconnect| set /.test(l));
/** The TR-369 codes of a refused Delete (the Error's and its parameters'). */
async function deleteCodes(c: StandinAgent['c'], path: string): Promise<number[]> {
  const m = await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [path] } });
  if (m.body.msgBody !== 'error') return [];
  return [m.body.error.errCode, ...(m.body.error.paramErrs ?? []).map((e) => e.errCode)];
}

// The wifi-standin-agent helper kills agents after each test: one `it` holds each whole story (one agent).
beforeAll(() => writeFileSync(log, ''));

describe('Device.WiFi.EndPoint. over wpa_supplicant (recorded answers)', () => {
  it('reads, Profile Add/Set/Delete, ProfileReference, refusals, save_config, wpa_supplicant gone and back without update_config', async () => {
    const a: StandinAgent = await agents.start({
      data: join(agents.work, 'data'),
      port: await freePort(),
      env: { USP_WIFI_STANDIN_LOG: log, USP_WIFI_STANDIN_STATE: position },
      args: ['--wpa-supplicant-dir', '/run/wpa_supplicant'],
    });
    const { c, p } = a;
    const read = async (...paths: string[]): Promise<Record<string, Record<string, string>>> => getObjects(c, paths);
    // No --wpa-supplicant-global: no EndPoint Add/Delete, and the agent says which setting would give them.
    await p.waitForLine(/EndPoint\. Add\/Delete not served.*--wpa-supplicant-global/, { timeoutMs: 10_000 });
    expect(await tryAdd(c, 'Device.WiFi.EndPoint.', {})).toMatchObject({ ok: false });

    // One station (p2p-dev-wlan2 is left out), joined to usp-lab through its one network.
    const first = await read('Device.WiFi.EndPoint.', 'Device.WiFi.EndPointNumberOfEntries');
    expect(first['Device.WiFi.']).toMatchObject({ EndPointNumberOfEntries: '1' });
    expect(first['Device.WiFi.EndPoint.1.']).toMatchObject({ Enable: 'true', Status: 'Enabled', ProfileReference: 'Device.WiFi.EndPoint.1.Profile.1', SSIDReference: '', ProfileNumberOfEntries: '1' });
    // signal_poll LINKSPEED 104 Mbit/s (transmit), iw link rx bitrate 1.0 MBit/s, RSSI -30.
    expect(first['Device.WiFi.EndPoint.1.Stats.']).toMatchObject({ LastDataUplinkRate: '104000', LastDataDownlinkRate: '1000', SignalStrength: '-30' });
    expect(first['Device.WiFi.EndPoint.1.Security.']).toMatchObject({ ModesSupported: 'None,WEP-64,WEP-128,WPA2-Personal,WPA3-Personal,WPA3-Personal-Transition,OWE' });
    expect(first['Device.WiFi.EndPoint.1.Profile.1.']).toMatchObject({ Enable: 'true', Status: 'Active', SSID: 'usp-lab', Priority: '254', Location: '' });
    expect(first['Device.WiFi.EndPoint.1.Profile.1.Security.']).toMatchObject({ ModeEnabled: 'WPA2-Personal', KeyPassphrase: '', PreSharedKey: '' });

    // Refused before wpa_supplicant is asked.
    const bad: Array<[string, Record<string, string>, number]> = [
      ['Device.WiFi.EndPoint.1.Profile.1.Security.', { KeyPassphrase: 'short' }, 7012],
      ['Device.WiFi.EndPoint.1.Profile.1.Security.', { ModeEnabled: 'WPA2-Enterprise' }, 7012],
      ['Device.WiFi.EndPoint.1.Profile.1.Security.', { PreSharedKey: '0123' }, 7012],
      ['Device.WiFi.EndPoint.1.Profile.1.', { SSID: '' }, 7012],
      ['Device.WiFi.EndPoint.1.', { ProfileReference: 'Device.WiFi.EndPoint.1.Profile.7' }, 7012],
    ];
    for (const [path, params, code] of bad) expect(await trySet(c, path, params), JSON.stringify(params)).toMatchObject({ ok: false, paramErrCode: code });
    expect(writes()).toEqual([]);

    // Profile Add: add_network, its SSID; then WPA3-Personal with its keys; then Priority and Enable.
    const added = await tryAdd(c, 'Device.WiFi.EndPoint.1.Profile.', { SSID: 'usp-lab-5g' });
    expect(added).toEqual({ ok: true, value: 'Device.WiFi.EndPoint.1.Profile.2.' });
    expect(
      await trySet(c, 'Device.WiFi.EndPoint.1.Profile.2.Security.', {
        ModeEnabled: 'WPA3-Personal',
        PreSharedKey: '0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef',
        SAEPassphrase: 'staple battery horse',
      }),
    ).toMatchObject({ ok: true });
    expect(await trySet(c, 'Device.WiFi.EndPoint.1.Profile.2.', { Priority: '253', Enable: 'true', Location: 'attic' })).toMatchObject({ ok: true });
    const two = await read('Device.WiFi.EndPoint.1.Profile.');
    expect(two['Device.WiFi.EndPoint.1.Profile.2.']).toMatchObject({ Enable: 'true', Status: 'Available', SSID: 'usp-lab-5g', Priority: '253', Location: 'attic' });
    expect(two['Device.WiFi.EndPoint.1.Profile.2.Security.']).toMatchObject({ ModeEnabled: 'WPA3-Personal', PreSharedKey: '', SAEPassphrase: '' });

    // ProfileReference: select_network; the station joins usp-lab-5g and network 0 is disabled.
    expect(await trySet(c, 'Device.WiFi.EndPoint.1.', { ProfileReference: 'Device.WiFi.EndPoint.1.Profile.2' })).toMatchObject({ ok: true });
    const moved = await read('Device.WiFi.EndPoint.1.');
    expect(moved['Device.WiFi.EndPoint.1.']).toMatchObject({ Status: 'Enabled', ProfileReference: 'Device.WiFi.EndPoint.1.Profile.2' });
    expect(moved['Device.WiFi.EndPoint.1.Stats.']).toMatchObject({ LastDataUplinkRate: '78000', LastDataDownlinkRate: '6000', SignalStrength: '-27' });
    expect(moved['Device.WiFi.EndPoint.1.Profile.1.']).toMatchObject({ Enable: 'false', Status: 'Disabled' });
    expect(moved['Device.WiFi.EndPoint.1.Profile.2.']).toMatchObject({ Status: 'Active' });

    // Back: the first network's passphrase, enabled, selected.
    expect(await trySet(c, 'Device.WiFi.EndPoint.1.Profile.1.Security.', { KeyPassphrase: 'correct horse battery' })).toMatchObject({ ok: true });
    expect(await trySet(c, 'Device.WiFi.EndPoint.1.Profile.1.', { Enable: 'true' })).toMatchObject({ ok: true });
    expect(await trySet(c, 'Device.WiFi.EndPoint.1.', { ProfileReference: 'Device.WiFi.EndPoint.1.Profile.1.' })).toMatchObject({ ok: true });
    expect((await read('Device.WiFi.EndPoint.1.'))['Device.WiFi.EndPoint.1.Profile.2.']).toMatchObject({ Enable: 'false', Status: 'Disabled' });
    // Profile 2 Enable false, then true, then Delete.
    expect(await trySet(c, 'Device.WiFi.EndPoint.1.Profile.2.', { Enable: 'false' })).toMatchObject({ ok: true });
    expect(await trySet(c, 'Device.WiFi.EndPoint.1.Profile.2.', { Enable: 'true' })).toMatchObject({ ok: true });
    expect((await read('Device.WiFi.EndPoint.1.Profile.2.'))['Device.WiFi.EndPoint.1.Profile.2.']).toMatchObject({ Enable: 'true', Status: 'Available' });
    await del(c, 'Device.WiFi.EndPoint.1.Profile.2.');
    const after = await read('Device.WiFi.EndPoint.1.');
    expect(Object.keys(after).filter((k) => /Profile\.\d+\.$/.test(k))).toEqual(['Device.WiFi.EndPoint.1.Profile.1.']);

    // What went to wpa_supplicant, in order: keys only on stdin, save_config after each write.
    const key = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
    expect(writes()).toEqual([
      'wpa_cli -i wlan2 add_network',
      'wpa_cli -i wlan2 set_network 1 ssid "usp-lab-5g"',
      'wpa_cli -i wlan2 save_config',
      'wpa_cli -i wlan2 set_network 1 key_mgmt SAE',
      'wpa_cli -i wlan2 set_network 1 ieee80211w 2',
      `wpa_cli -i wlan2 (stdin) set_network 1 psk ${key}`,
      'wpa_cli -i wlan2 (stdin) set_network 1 sae_password "staple battery horse"',
      'wpa_cli -i wlan2 save_config',
      'wpa_cli -i wlan2 set_network 1 priority 2',
      'wpa_cli -i wlan2 enable_network 1',
      'wpa_cli -i wlan2 save_config',
      'wpa_cli -i wlan2 select_network 1',
      'wpa_cli -i wlan2 save_config',
      'wpa_cli -i wlan2 (stdin) set_network 0 psk "correct horse battery"',
      'wpa_cli -i wlan2 save_config',
      'wpa_cli -i wlan2 enable_network 0',
      'wpa_cli -i wlan2 save_config',
      'wpa_cli -i wlan2 select_network 0',
      'wpa_cli -i wlan2 save_config',
      'wpa_cli -i wlan2 disable_network 1',
      'wpa_cli -i wlan2 save_config',
      'wpa_cli -i wlan2 enable_network 1',
      'wpa_cli -i wlan2 save_config',
      'wpa_cli -i wlan2 remove_network 1',
      'wpa_cli -i wlan2 save_config',
    ]);
    for (const k of [key, 'staple battery horse', 'correct horse battery']) expect(p.text.toLowerCase()).not.toContain(k);

    // wpa_supplicant stopped: no EndPoint, the agent answers on.
    writeFileSync(position, String(stepOf('wpas-stop')));
    await expect.poll(async () => Object.keys(await read('Device.WiFi.')).filter((k) => k.includes('EndPoint.')), { timeout: 30_000 }).toEqual([]);
    // Started again from a file without update_config: a write holds in wpa_supplicant only, and the agent says so.
    writeFileSync(position, String(stepOf('wpas-start-nosave')));
    await expect.poll(async () => Object.keys(await read('Device.WiFi.')).filter((k) => /EndPoint\.\d+\.$/.test(k)), { timeout: 30_000 }).toEqual(['Device.WiFi.EndPoint.1.']);
    expect(await trySet(c, 'Device.WiFi.EndPoint.1.Profile.1.', { Priority: '252' })).toMatchObject({ ok: true });
    expect(writes().slice(-1)).toEqual(['wpa_cli -i wlan2 set_network 0 priority 3']);
    await p.waitForLine(/without update_config=1/, { timeoutMs: 10_000 });
  }, 120_000);

  it('EndPoint Add/Delete through the global control interface, Enable, a WEP Profile, WPS methods, wpa_supplicant restarted', async () => {
    writeFileSync(log2, '');
    const data = join(globalAgents.work, 'data');
    const a: StandinAgent = await globalAgents.start({
      data,
      port: await freePort(),
      env: { USP_WIFI_STANDIN_LOG: log2, USP_WIFI_STANDIN_STATE: position2 },
      args: ['--wpa-supplicant-dir', '/run/wpa_supplicant', '--wpa-supplicant-global', '/run/wpa_supplicant-global'],
    });
    const { c, p } = a;
    const read = async (...paths: string[]): Promise<Record<string, Record<string, string>>> => getObjects(c, paths);
    const endpoints = async (): Promise<string[]> => Object.keys(await read('Device.WiFi.')).filter((k) => /EndPoint\.\d+\.$/.test(k));

    // wlan2 as wpa_supplicant started it; its WPS methods unset (wpa_supplicant's defaults); WEP offered (the build takes WEP40/WEP104).
    const first = await read('Device.WiFi.EndPoint.');
    expect(first['Device.WiFi.EndPoint.1.']).toMatchObject({ Enable: 'true', Status: 'Enabled' });
    expect(first['Device.WiFi.EndPoint.1.WPS.']).toMatchObject({
      Enable: 'true',
      ConfigMethodsEnabled: 'PIN,Display,VirtualDisplay',
      ConfigMethodsSupported: expect.stringContaining('PushButton') as string,
    });
    expect(first['Device.WiFi.EndPoint.1.Security.']!.ModesSupported).toContain('WEP-128');
    // Refused before wpa_supplicant is asked: a method this station cannot carry out; Delete of a station wpa_supplicant was started with.
    expect(await trySet(c, 'Device.WiFi.EndPoint.1.WPS.', { ConfigMethodsEnabled: 'NFCInterface' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await deleteCodes(c, 'Device.WiFi.EndPoint.1.')).toContain(7024);
    expect(writes2()).toEqual([]);

    // Enable false: disconnect (Status Disabled); true: reconnect.
    expect(await trySet(c, 'Device.WiFi.EndPoint.1.', { Enable: 'false' })).toMatchObject({ ok: true });
    expect((await read('Device.WiFi.EndPoint.1.'))['Device.WiFi.EndPoint.1.']).toMatchObject({ Enable: 'false', Status: 'Disabled' });
    expect(await trySet(c, 'Device.WiFi.EndPoint.1.', { Enable: 'true' })).toMatchObject({ ok: true });
    expect((await read('Device.WiFi.EndPoint.1.'))['Device.WiFi.EndPoint.1.']).toMatchObject({ Enable: 'true', Status: 'Enabled' });

    // WPS: methods as config_methods; off advertises "none" and keeps the methods for when it is on again.
    expect(await trySet(c, 'Device.WiFi.EndPoint.1.WPS.', { ConfigMethodsEnabled: 'PushButton' })).toMatchObject({ ok: true });
    expect((await read('Device.WiFi.EndPoint.1.WPS.'))['Device.WiFi.EndPoint.1.WPS.']).toMatchObject({ Enable: 'true', ConfigMethodsEnabled: 'PushButton' });
    expect(await trySet(c, 'Device.WiFi.EndPoint.1.WPS.', { Enable: 'false' })).toMatchObject({ ok: true });
    expect((await read('Device.WiFi.EndPoint.1.WPS.'))['Device.WiFi.EndPoint.1.WPS.']).toMatchObject({ Enable: 'false', ConfigMethodsEnabled: 'PushButton' });
    expect(await trySet(c, 'Device.WiFi.EndPoint.1.WPS.', { Enable: 'true', ConfigMethodsEnabled: 'PIN,PushButton' })).toMatchObject({ ok: true });
    expect((await read('Device.WiFi.EndPoint.1.WPS.'))['Device.WiFi.EndPoint.1.WPS.']).toMatchObject({ Enable: 'true', ConfigMethodsEnabled: 'PushButton,PIN' });

    // EndPoint Add: the free station netdev wlan3, from the agent's file.
    expect(await tryAdd(c, 'Device.WiFi.EndPoint.', {})).toEqual({ ok: true, value: 'Device.WiFi.EndPoint.2.' });
    const conf = join(data, 'wpa_supplicant', 'wlan3.conf');
    expect(readFileSync(conf, 'utf8')).toMatch(/^ctrl_interface=\/run\/wpa_supplicant\nupdate_config=1\n$/m);
    expect((await read('Device.WiFi.EndPoint.2.'))['Device.WiFi.EndPoint.2.']).toMatchObject({ Enable: 'true', ProfileNumberOfEntries: '0' });

    // A WEP-128 Profile on it: the key on wpa_cli's stdin; joined; ModeEnabled reads WEP-128 (the key reads "*").
    expect(await tryAdd(c, 'Device.WiFi.EndPoint.2.Profile.', { SSID: 'usp-lab-wep' })).toEqual({ ok: true, value: 'Device.WiFi.EndPoint.2.Profile.1.' });
    const wepKey = '0123456789ABCDEF0123456789';
    expect(await trySet(c, 'Device.WiFi.EndPoint.2.Profile.1.Security.', { ModeEnabled: 'WEP-128', WEPKey: wepKey })).toMatchObject({ ok: true });
    // The key held is 128-bit: WEP-64 alone would go on using it (refused before anything is sent).
    expect(await trySet(c, 'Device.WiFi.EndPoint.2.Profile.1.Security.', { ModeEnabled: 'WEP-64' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await trySet(c, 'Device.WiFi.EndPoint.2.Profile.1.Security.', { ModeEnabled: 'WEP-64', WEPKey: wepKey })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await trySet(c, 'Device.WiFi.EndPoint.2.Profile.1.', { Enable: 'true' })).toMatchObject({ ok: true });
    const joined = await read('Device.WiFi.EndPoint.2.');
    expect(joined['Device.WiFi.EndPoint.2.']).toMatchObject({ Status: 'Enabled', ProfileReference: 'Device.WiFi.EndPoint.2.Profile.1' });
    expect(joined['Device.WiFi.EndPoint.2.Profile.1.']).toMatchObject({ Status: 'Active', SSID: 'usp-lab-wep' });
    expect(joined['Device.WiFi.EndPoint.2.Profile.1.Security.']).toMatchObject({ ModeEnabled: 'WEP-128', WEPKey: '' });

    // wlan2 disabled, then wpa_supplicant restarted: no rows while it is down; back, it runs wlan2
    // joined and without wlan3: the agent adds wlan3 again (its Profile from the file) and disconnects wlan2 again.
    expect(await trySet(c, 'Device.WiFi.EndPoint.1.', { Enable: 'false' })).toMatchObject({ ok: true });
    writeFileSync(position2, String(stepOf2('wpas-stop')));
    await expect.poll(endpoints, { timeout: 30_000 }).toEqual([]);
    writeFileSync(position2, String(stepOf2('wpas-start-again')));
    await expect.poll(endpoints, { timeout: 30_000 }).toEqual(['Device.WiFi.EndPoint.1.', 'Device.WiFi.EndPoint.2.']);
    const back = await read('Device.WiFi.EndPoint.');
    expect(back['Device.WiFi.EndPoint.1.']).toMatchObject({ Enable: 'false', Status: 'Disabled' });
    expect(back['Device.WiFi.EndPoint.2.Profile.1.']).toMatchObject({ SSID: 'usp-lab-wep', Status: 'Active' });
    await p.waitForLine(/added a Controller-added Wi-Fi station to wpa_supplicant again/, { timeoutMs: 10_000 });
    expect(await trySet(c, 'Device.WiFi.EndPoint.1.', { Enable: 'true' })).toMatchObject({ ok: true });

    // EndPoint Delete: interface_remove, the file gone.
    await del(c, 'Device.WiFi.EndPoint.2.');
    expect(await endpoints()).toEqual(['Device.WiFi.EndPoint.1.']);
    expect(existsSync(conf)).toBe(false);

    const k = wepKey.toLowerCase();
    expect(writes2()).toEqual([
      'wpa_cli -i wlan2 disconnect',
      'wpa_cli -i wlan2 reconnect',
      'wpa_cli -i wlan2 set config_methods push_button',
      'wpa_cli -i wlan2 save_config',
      'wpa_cli -i wlan2 set config_methods none',
      'wpa_cli -i wlan2 save_config',
      'wpa_cli -i wlan2 set config_methods push_button keypad',
      'wpa_cli -i wlan2 save_config',
      `wpa_cli interface_add wlan3 ${conf} nl80211 /run/wpa_supplicant`,
      'wpa_cli -i wlan3 add_network',
      'wpa_cli -i wlan3 set_network 0 ssid "usp-lab-wep"',
      'wpa_cli -i wlan3 save_config',
      'wpa_cli -i wlan3 set_network 0 key_mgmt NONE',
      'wpa_cli -i wlan3 set_network 0 wep_tx_keyidx 0',
      `wpa_cli -i wlan3 (stdin) set_network 0 wep_key0 ${k}`,
      'wpa_cli -i wlan3 save_config',
      'wpa_cli -i wlan3 enable_network 0',
      'wpa_cli -i wlan3 save_config',
      'wpa_cli -i wlan2 disconnect',
      `wpa_cli interface_add wlan3 ${conf} nl80211 /run/wpa_supplicant`,
      'wpa_cli -i wlan2 disconnect',
      'wpa_cli -i wlan2 reconnect',
      'wpa_cli interface_remove wlan3',
    ]);
    expect(p.text.toLowerCase()).not.toContain(k);
  }, 120_000);
});
