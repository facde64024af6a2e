/**
 * Device.WiFi.SSID and AccessPoint Add and Delete on generic Linux, made by a real Controller over
 * WebSocket to a real agent process (`usp-agent run --platform linux`). This machine has no radio,
 * so `iw` and `hostapd_cli` are stand-ins on PATH that replay what the real programs answered in a
 * VM with mac80211_hwsim (test/fixtures/linux/wifi-hostapd-add: session.json, README.md,
 * wifi-standin.mjs): a hostapd started with -g runs wlan0 (phy0), one without runs wlan1 (phy1),
 * a station in a network namespace associates to the added BSS. Each write the agent sends must
 * be one hostapd was recorded taking; the reads after it answer as recorded after it.
 *
 * Covered: bad Adds (no Radio, the radio of a hostapd without -g, SSIDReference to no SSID or
 * to hostapd's own, none at all, Enable without a key) and Deletes (hostapd's own BSS); an SSID
 * kept by the agent until its AccessPoint is enabled, then ADDed from a 0600 file in a 0700
 * directory; the station on the new AccessPoint; a key changed through hostapd_cli's stdin; the
 * SSID renamed; the BSS off (REMOVE) and on (ADD); an agent restart keeping the rows and numbers;
 * a hostapd restart after which the agent adds the BSS again at the very next read (its control
 * socket gone, though the listing read just before is still cached); Delete of the AccessPoint and the
 * SSID (REMOVE, file gone); a hostapd without any global control interface; keys in no argv and
 * in no log line.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getObjects } from '../peers/get-objects.js';
import { tryAdd, trySet } from '../peers/controller-steps.js';
import { freePort, type TestController } from '../peers/TestController.js';
import { type StandinAgent, WifiStandinAgents } from '../peers/wifi-standin-agent.js';

const agents = new WifiStandinAgents('wifi-hostapd-add', 'usp-linux-wifi-add-');
const work = agents.work;
/** hostapd's control directory, its sockets as files (the agent only looks at their inode and change time; the stand-in makes and removes added BSSes'). */
const ctrl = join(work, 'hostapd');
mkdirSync(ctrl);
const hostapdStarts = (ifname: string): void => {
  writeFileSync(join(ctrl, `.${ifname}`), '');
  renameSync(join(ctrl, `.${ifname}`), join(ctrl, ifname));
};
hostapdStarts('wlan0');
hostapdStarts('wlan1');

async function start(data: string, env: Record<string, string>, port: number): Promise<StandinAgent> {
  return agents.start({ data, port, env, logLevel: 'debug', args: ['--hostapd-dir', ctrl, '--hostapd-global', '/run/hostapd-global'] });
}

/** Deletes one object (allow_partial false): ok, or the USP Error's code and message. */
async function tryDelete(c: TestController, path: string): Promise<{ ok: boolean; errCode?: number; errMsg?: string }> {
  const m = await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [path] } });
  if (m.body.msgBody === 'error') return { ok: false, errCode: m.body.error.errCode, errMsg: m.body.error.errMsg };
  return { ok: true };
}

describe('Device.WiFi. SSID and AccessPoint Add/Delete through hostapd -g (recorded answers)', () => {
  it('adds a BSS from an agent-owned file, a station associates, keys on stdin, off/on, restarts, deletes; bad input refused', async () => {
    const log = join(work, 'calls.log');
    const position = join(work, 'position');
    const env = { USP_WIFI_STANDIN_LOG: log, USP_WIFI_STANDIN_STATE: position, USP_WIFI_STANDIN_CTRL: ctrl };
    const data = join(work, 'data');
    const port = await freePort();
    let { p, c } = await start(data, env, port);
    const argvs = (): string[][] =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as string[])
        : [];
    /** The global interface's ADD and REMOVE the agent sent, in order. */
    const globalWrites = (): string[] =>
      argvs()
        .filter((a) => a.includes('hostapd-global') && /^(ADD|REMOVE)$/.test(a[6] ?? ''))
        .map((a) => `${a[6]} ${a[7]!.replace(/:.*\//, ':')}`);
    const file = join(data, 'hostapd-bss', 'wlan0_1.conf');

    // Bad Adds and Deletes: refused before hostapd changes.
    expect(await tryAdd(c, 'Device.WiFi.SSID.', { SSID: 'x' })).toMatchObject({ ok: false, errMsg: expect.stringContaining('LowerLayers') });
    // wlan1's hostapd runs without -g: the global interface lists only wlan0.
    expect(await tryAdd(c, 'Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.2', SSID: 'x' })).toMatchObject({
      ok: false,
      errMsg: expect.stringContaining('start hostapd with -g /run/hostapd-global'),
    });
    expect(await tryAdd(c, 'Device.WiFi.AccessPoint.', {})).toMatchObject({ ok: false, errMsg: expect.stringContaining('SSIDReference') });
    expect(await tryAdd(c, 'Device.WiFi.AccessPoint.', { SSIDReference: 'Device.WiFi.SSID.9' })).toMatchObject({ ok: false, errMsg: expect.stringContaining('does not name one existing object') });
    expect(await tryAdd(c, 'Device.WiFi.AccessPoint.', { SSIDReference: 'Device.WiFi.SSID.1' })).toMatchObject({ ok: false, errMsg: expect.stringContaining('already has its AccessPoint') });
    expect(await tryDelete(c, 'Device.WiFi.SSID.1.')).toMatchObject({ ok: false, errMsg: expect.stringContaining("hostapd's own configuration file") });
    expect(globalWrites()).toEqual([]);

    // An SSID on Radio 1 (phy0): kept by the agent, its file written without a key; no BSS yet.
    expect(await tryAdd(c, 'Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.1', SSID: 'usp-guest', Enable: 'true' })).toEqual({ ok: true, value: 'Device.WiFi.SSID.3.' });
    expect(statSync(join(data, 'hostapd-bss')).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('interface=wlan0_1\n');
    // Enabled without a key: refused; without Enable it is added, disabled.
    expect(await tryAdd(c, 'Device.WiFi.AccessPoint.', { SSIDReference: 'Device.WiFi.SSID.3', Enable: 'true' })).toMatchObject({ ok: false, errMsg: expect.stringContaining('KeyPassphrase') });
    expect(await tryAdd(c, 'Device.WiFi.AccessPoint.', { SSIDReference: 'Device.WiFi.SSID.3' })).toEqual({ ok: true, value: 'Device.WiFi.AccessPoint.3.' });
    // A passphrase hostapd_cli would change on its way (two spaces): 7012; a good one goes to the file only.
    expect(await trySet(c, 'Device.WiFi.AccessPoint.3.Security.', { KeyPassphrase: 'two  spaces' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.3.Security.', { KeyPassphrase: 'guest pass one' })).toMatchObject({ ok: true });
    expect(readFileSync(file, 'utf8')).toContain('wpa_passphrase=guest pass one\n');
    // LowerLayers: not to wlan1's radio (its hostapd has no -g); to its own radio, nothing changes.
    expect(await trySet(c, 'Device.WiFi.SSID.3.', { LowerLayers: 'Device.WiFi.Radio.2' })).toMatchObject({ ok: false, errMsg: expect.stringContaining('start hostapd with -g') });
    expect(await trySet(c, 'Device.WiFi.SSID.3.', { LowerLayers: 'Device.WiFi.Radio.1' })).toMatchObject({ ok: true });
    let o = await getObjects(c, ['Device.WiFi.SSID.3.', 'Device.WiFi.AccessPoint.3.']);
    expect(o['Device.WiFi.SSID.3.']).toMatchObject({ Enable: 'true', Status: 'Down', Name: 'wlan0_1', LowerLayers: 'Device.WiFi.Radio.1', SSID: 'usp-guest' });
    expect(o['Device.WiFi.AccessPoint.3.']).toMatchObject({ Enable: 'false', Status: 'Disabled', SSIDReference: 'Device.WiFi.SSID.3' });
    expect(globalWrites()).toEqual([]);

    // Enable: ADD through the global interface; the station associates to the new BSS.
    expect(await trySet(c, 'Device.WiFi.AccessPoint.3.', { Enable: 'true' })).toMatchObject({ ok: true });
    expect(globalWrites()).toEqual(['ADD bss_config=phy0:wlan0_1.conf']);
    o = await getObjects(c, ['Device.WiFi.SSID.3.', 'Device.WiFi.AccessPoint.3.']);
    expect(o['Device.WiFi.SSID.3.']).toMatchObject({ Status: 'Up', BSSID: '02:00:00:00:00:01', SSID: 'usp-guest' });
    expect(o['Device.WiFi.AccessPoint.3.']).toMatchObject({ Enable: 'true', Status: 'Enabled' });
    expect(o['Device.WiFi.AccessPoint.3.AssociatedDevice.1.']).toMatchObject({ MACAddress: '02:00:00:00:02:00', AuthenticationState: 'true' });

    // A new key while it runs: hostapd_cli's stdin, then reload; the file follows.
    expect(await trySet(c, 'Device.WiFi.AccessPoint.3.Security.', { KeyPassphrase: 'guest pass two' })).toMatchObject({ ok: true });
    expect(readFileSync(file, 'utf8')).toContain('wpa_passphrase=guest pass two\n');
    expect(argvs().filter((a) => a.length === 5 && a[4] === 'wlan0_1')).toHaveLength(1);
    // Renamed: set ssid + reload, as for any BSS.
    expect(await trySet(c, 'Device.WiFi.SSID.3.', { SSID: 'usp-guest-2' })).toMatchObject({ ok: true });
    expect(readFileSync(file, 'utf8')).toContain('ssid=usp-guest-2\n');

    // Off (REMOVE) and, renamed back while off (file only), on again (ADD).
    expect(await trySet(c, 'Device.WiFi.AccessPoint.3.', { Enable: 'false' })).toMatchObject({ ok: true });
    o = await getObjects(c, ['Device.WiFi.SSID.3.', 'Device.WiFi.AccessPoint.3.']);
    expect(o['Device.WiFi.AccessPoint.3.']).toMatchObject({ Enable: 'false', Status: 'Disabled' });
    expect(o['Device.WiFi.SSID.3.']).toMatchObject({ Status: 'Down' });

    // SSIDReference (wifi-ap-ssid-move.ts): the disabled AccessPoint 3 moves onto a new SSID without one, keeping its
    // number; its mode and key go into that SSID's file, SSID 3 is bare again. Files and the store only: hostapd is not asked.
    expect(await tryAdd(c, 'Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.1', SSID: 'usp-iot', Enable: 'true' })).toEqual({ ok: true, value: 'Device.WiFi.SSID.4.' });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.', { SSIDReference: 'Device.WiFi.SSID.4' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.', { SSIDReference: 'Device.WiFi.SSID.1' })).toMatchObject({ ok: true });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.3.', { SSIDReference: 'Device.WiFi.SSID.1' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.3.', { SSIDReference: '' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.3.', { SSIDReference: 'Device.WiFi.SSID.4', SSIDAdvertisementEnabled: 'false' })).toMatchObject({ ok: true });
    const moved = join(data, 'hostapd-bss', 'wlan0_2.conf');
    expect(readFileSync(moved, 'utf8')).toContain('wpa_passphrase=guest pass two\n');
    expect(readFileSync(moved, 'utf8')).toContain('ssid=usp-iot\n');
    expect(readFileSync(file, 'utf8')).not.toContain('wpa_passphrase');
    o = await getObjects(c, ['Device.WiFi.AccessPoint.*.SSIDReference', 'Device.WiFi.AccessPoint.3.', 'Device.WiFi.SSID.4.']);
    expect(o['Device.WiFi.AccessPoint.3.']).toMatchObject({ Enable: 'false', SSIDReference: 'Device.WiFi.SSID.4', SSIDAdvertisementEnabled: 'false' });
    expect(o['Device.WiFi.AccessPoint.3.Security.']).toMatchObject({ ModeEnabled: 'WPA2-Personal' });
    expect(Object.keys(o).filter((k) => /^Device\.WiFi\.AccessPoint\.\d+\.$/.test(k))).toEqual(['Device.WiFi.AccessPoint.1.', 'Device.WiFi.AccessPoint.2.', 'Device.WiFi.AccessPoint.3.']);
    expect(o['Device.WiFi.SSID.4.']).toMatchObject({ Name: 'wlan0_2', SSID: 'usp-iot', Status: 'Down' });
    // SSID 3 lost its AccessPoint: a new one there would take number 3 again, so none is added; AccessPoint 3 moves back.
    expect(await tryAdd(c, 'Device.WiFi.AccessPoint.', { SSIDReference: 'Device.WiFi.SSID.3' })).toMatchObject({ ok: false });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.3.', { SSIDReference: 'Device.WiFi.SSID.3', SSIDAdvertisementEnabled: 'true' })).toMatchObject({ ok: true });
    expect(readFileSync(file, 'utf8')).toContain('wpa_passphrase=guest pass two\n');
    expect(readFileSync(moved, 'utf8')).not.toContain('wpa_passphrase');
    expect(await tryDelete(c, 'Device.WiFi.SSID.4.')).toEqual({ ok: true });
    expect(globalWrites()).toEqual(['ADD bss_config=phy0:wlan0_1.conf', 'REMOVE wlan0_1']);

    expect(await trySet(c, 'Device.WiFi.SSID.3.', { SSID: 'usp-guest' })).toMatchObject({ ok: true });
    expect(await trySet(c, 'Device.WiFi.AccessPoint.3.', { Enable: 'true' })).toMatchObject({ ok: true });
    expect(globalWrites()).toEqual(['ADD bss_config=phy0:wlan0_1.conf', 'REMOVE wlan0_1', 'ADD bss_config=phy0:wlan0_1.conf']);
    // It runs: moving it to another radio is refused until it is disabled.
    expect(await trySet(c, 'Device.WiFi.SSID.3.', { LowerLayers: 'Device.WiFi.Radio.2' })).toMatchObject({ ok: false, paramErrCode: 7012 });

    // The agent restarts: the rows and their numbers come back from its store; hostapd runs the BSS, nothing is sent.
    await p.terminate();
    ({ p, c } = await start(data, env, port));
    o = await getObjects(c, ['Device.WiFi.SSID.3.', 'Device.WiFi.AccessPoint.3.']);
    expect(o['Device.WiFi.SSID.3.']).toMatchObject({ Name: 'wlan0_1', SSID: 'usp-guest', Status: 'Up' });
    expect(o['Device.WiFi.AccessPoint.3.']).toMatchObject({ Enable: 'true', Status: 'Enabled', SSIDReference: 'Device.WiFi.SSID.3' });
    expect(globalWrites()).toHaveLength(3);

    // hostapd restarts (recorded step 124): it runs its own file only (wlan0's socket made again, wlan0_1's gone). The Gets
    // just before listed hostapd's BSSes less than the command cache age (1 s) ago, yet the very next read adds the BSS
    // again: its socket gone says that list is stale.
    writeFileSync(position, '124');
    rmSync(join(ctrl, 'wlan0_1'));
    hostapdStarts('wlan0');
    o = await getObjects(c, ['Device.WiFi.AccessPoint.3.']);
    expect(o['Device.WiFi.AccessPoint.3.']).toMatchObject({ Status: 'Enabled' });
    expect(o['Device.WiFi.AccessPoint.3.AssociatedDevice.1.']).toMatchObject({ MACAddress: '02:00:00:00:02:00' });
    expect(globalWrites()).toEqual(['ADD bss_config=phy0:wlan0_1.conf', 'REMOVE wlan0_1', 'ADD bss_config=phy0:wlan0_1.conf', 'ADD bss_config=phy0:wlan0_1.conf']);

    // Delete the AccessPoint (REMOVE; the SSID stays), then the SSID (its file goes).
    expect(await tryDelete(c, 'Device.WiFi.AccessPoint.3.')).toEqual({ ok: true });
    expect(globalWrites().at(-1)).toBe('REMOVE wlan0_1');
    expect(await tryAdd(c, 'Device.WiFi.AccessPoint.', { SSIDReference: 'Device.WiFi.SSID.3' })).toMatchObject({ ok: false, errMsg: expect.stringContaining('was deleted') });
    expect(await tryDelete(c, 'Device.WiFi.SSID.3.')).toEqual({ ok: true });
    expect(existsSync(file)).toBe(false);
    const rest = await getObjects(c, ['Device.WiFi.SSID.']);
    expect(Object.keys(rest).filter((k) => /^Device\.WiFi\.SSID\.\d+\.$/.test(k))).toEqual(['Device.WiFi.SSID.1.', 'Device.WiFi.SSID.2.']);

    // hostapd without any global control interface (recorded step 155 on): an Add names the fix.
    writeFileSync(position, '155');
    expect(await tryAdd(c, 'Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.1', SSID: 'x' })).toMatchObject({
      ok: false,
      errMsg: expect.stringContaining('start hostapd with -g /run/hostapd-global'),
    });

    // No key on any command line the agent ran, nor in its log (debug logs every command line).
    const all = readFileSync(log, 'utf8');
    for (const key of ['guest pass one', 'guest pass two']) {
      expect(all).not.toContain(key);
      expect(p.text).not.toContain(key);
    }
    expect(p.alive).toBe(true);
  }, 600_000);
});
