/**
 * Device.WiFi. settings hostapd cannot report (ignore_broadcast_ssid, ap_isolate, max_num_sta,
 * wmm_enabled, uapsd_advertisement_enabled, ieee80211h) on generic Linux, with a real Controller
 * over WebSocket and a real agent process: before any write they read what hostapd's
 * configuration file sets (`--hostapd-conf`, then the defaults file's `$hostapdConf`; files
 * written here in a temp dir); what a
 * Controller wrote is sent to hostapd again when hostapd restarts (its control socket made
 * again: here a file of the temp control directory replaced) and when the agent starts; when
 * hostapd refuses that, the agent forgets it and reads the file again. `iw` and `hostapd_cli` are
 * the stand-ins replaying the VM recording (test/fixtures/linux/wifi-hostapd-writes): the
 * re-applies are answered by the recorded answers of the same `set wmm_enabled 0` and `reload`
 * (steps 27, 28) a Set sends; the stand-in ignores the control directory given with -p.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDefaultsFile } from '../peers/agent-process.js';
import { getObjects } from '../peers/get-objects.js';
import { trySet } from '../peers/controller-steps.js';
import { freePort } from '../peers/TestController.js';
import { type StandinAgent, WifiStandinAgents } from '../peers/wifi-standin-agent.js';
import { standinCalls } from '../peers/wifi-standin-log.js';

const agents = new WifiStandinAgents('wifi-hostapd-writes', 'usp-linux-wifi-held-');
const work = agents.work;

/** The device's hostapd files: wlan0 (2.4 GHz) hidden, isolated, 16 stations; wlan1 (5 GHz) with 802.11h. */
const CONF_WLAN0 = ['interface=wlan0', 'driver=nl80211', 'ssid=usp-lab', 'ignore_broadcast_ssid=1', 'ap_isolate=1', 'max_num_sta=16', ''].join('\n');
const CONF_WLAN1 = ['interface=wlan1', 'driver=nl80211', 'ssid=usp-lab-5g', 'ieee80211h=1', ''].join('\n');

describe('Wi-Fi settings the agent holds match what hostapd runs (recorded answers)', () => {
  it('reads the configuration file until written; re-applies after a hostapd restart and at agent start; forgets what hostapd refuses', async () => {
    const ctrl = join(work, 'ctrl');
    mkdirSync(ctrl);
    // hostapd's control sockets, as files: the agent only looks at their inode and change time.
    const hostapdStarts = (ifname: string): void => {
      writeFileSync(join(ctrl, `.${ifname}.new`), '');
      renameSync(join(ctrl, `.${ifname}.new`), join(ctrl, ifname));
    };
    hostapdStarts('wlan0');
    hostapdStarts('wlan1');
    const confs = [join(work, 'wlan0.conf'), join(work, 'wlan1.conf')];
    writeFileSync(confs[0]!, CONF_WLAN0);
    writeFileSync(confs[1]!, CONF_WLAN1);
    const log = join(work, 'calls.log');
    const state = join(work, 'position');
    const data = join(work, 'data');
    const port = await freePort();
    const defaults = join(work, 'defaults.json');
    writeDefaultsFile(defaults, port);
    const start = async (env: Record<string, string>, conf = ['--hostapd-conf', confs.join(',')]): Promise<StandinAgent> =>
      agents.start({ data, port, defaults, logLevel: 'debug', args: ['--hostapd-dir', ctrl, ...conf], env: { USP_WIFI_STANDIN_LOG: log, ...env } });
    const writes = (): string[] => standinCalls(log).filter((a) => / (set|reload|enable|disable|chan_switch) ?/.test(a));

    // (a) Before any write: what the files set, the rest hostapd's defaults; nothing is sent to hostapd.
    const { p, c } = await start({ USP_WIFI_STANDIN_STATE: state });
    const first = await getObjects(c, ['Device.WiFi.AccessPoint.1.', 'Device.WiFi.AccessPoint.2.', 'Device.WiFi.Radio.2.']);
    expect(first['Device.WiFi.AccessPoint.1.']).toMatchObject({ SSIDAdvertisementEnabled: 'false', IsolationEnable: 'true', MaxAllowedAssociations: '16', WMMEnable: 'true', UAPSDEnable: 'false' });
    expect(first['Device.WiFi.AccessPoint.2.']).toMatchObject({ SSIDAdvertisementEnabled: 'true', IsolationEnable: 'false', MaxAllowedAssociations: '2007' });
    expect(first['Device.WiFi.Radio.2.']).toMatchObject({ IEEE80211hEnabled: 'true' });
    expect(writes()).toEqual([]);

    // A Controller turns WMM off on wlan0: hostapd takes it (set + reload) and it reads back.
    expect(await trySet(c, 'Device.WiFi.AccessPoint.1.', { WMMEnable: 'false' })).toMatchObject({ ok: true });
    expect((await getObjects(c, ['Device.WiFi.AccessPoint.1.']))['Device.WiFi.AccessPoint.1.']).toMatchObject({ WMMEnable: 'false', MaxAllowedAssociations: '16' });
    expect(writes()).toEqual(['hostapd_cli -i wlan0 set wmm_enabled 0', 'hostapd_cli -i wlan0 reload']);

    // (b) hostapd restarts wlan0 (it runs its file again): the next read sends the held value again first.
    hostapdStarts('wlan0');
    expect((await getObjects(c, ['Device.WiFi.AccessPoint.1.']))['Device.WiFi.AccessPoint.1.']).toMatchObject({ WMMEnable: 'false' });
    expect(writes().slice(2)).toEqual(['hostapd_cli -i wlan0 set wmm_enabled 0', 'hostapd_cli -i wlan0 reload']);
    expect(p.text).toMatch(/hostapd runs again what the agent holds.*wlan0/);
    // wlan1 did not restart: nothing sent to it; a read with nothing restarted sends nothing.
    await getObjects(c, ['Device.WiFi.AccessPoint.']);
    expect(writes()).toHaveLength(4);
    expect(p.alive).toBe(true);

    // The agent restarts; hostapd now refuses every write (the stand-in without its state file answers exit 98):
    // the held value is logged and forgotten, and WMMEnable reads the file again (not set there: hostapd's default, on).
    await p.terminate();
    const again = await start({});
    const o = await getObjects(again.c, ['Device.WiFi.AccessPoint.1.']);
    expect(o['Device.WiFi.AccessPoint.1.']).toMatchObject({ WMMEnable: 'true', SSIDAdvertisementEnabled: 'false', MaxAllowedAssociations: '16' });
    expect(writes().slice(4)).toEqual(['hostapd_cli -i wlan0 set wmm_enabled 0']);
    expect(again.p.text).toMatch(/could not re-apply the held Wi-Fi settings.*bss="wlan0".*settings="wmm_enabled"/);
    expect(again.p.alive).toBe(true);

    // Forgotten for good: a further agent start sends nothing. The files named by the defaults file's $hostapdConf this time.
    await again.p.terminate();
    const doc = JSON.parse(readFileSync(defaults, 'utf8')) as Record<string, unknown>;
    writeFileSync(defaults, JSON.stringify({ ...doc, $hostapdConf: confs }));
    const third = await start({ USP_WIFI_STANDIN_STATE: state }, []);
    expect((await getObjects(third.c, ['Device.WiFi.AccessPoint.1.']))['Device.WiFi.AccessPoint.1.']).toMatchObject({
      WMMEnable: 'true',
      SSIDAdvertisementEnabled: 'false',
      MaxAllowedAssociations: '16',
    });
    expect(writes()).toHaveLength(5);
  }, 300_000);
});
