/**
 * When the agent sends hostapd again what it holds (platform/linux/wifi-reapply.ts): a BSS new to
 * the agent, a control socket made again, a BSS that left hostapd's list and came back; nothing
 * before the store is loaded or when nothing changed. The writer here records what it would send
 * (the commands themselves are checked against recorded hostapd answers in
 * test/integration/linux-wifi-held.test.ts).
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostFiles } from '../../../../platform/linux/HostFiles.js';
import { HeldWiFiSettings } from '../../../../platform/linux/wifi-held.js';
import { heldSettings, HostapdRestarts } from '../../../../platform/linux/wifi-reapply.js';
import type { HostapdSetting, HostapdWriter } from '../../../../platform/linux/wifi-write.js';

const work = mkdtempSync(join(tmpdir(), 'usp-wifi-reapply-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function setup(refuse = false): { restarts: HostapdRestarts; sent: string[]; held: HeldWiFiSettings; socket: (ifname: string) => void; dir: string } {
  const sent: string[] = [];
  const writer = {
    configure: async (ifname: string, settings: readonly HostapdSetting[]): Promise<void> => {
      sent.push(`${ifname}: ${settings.map((s) => `${s.key}=${s.value}`).join(' ')}`);
      if (refuse) throw new Error('FAIL');
    },
  } as unknown as HostapdWriter;
  const dir = mkdtempSync(join(work, 'ctrl-'));
  const conf = join(dir, 'h.conf');
  writeFileSync(conf, 'interface=wlan0\nwmm_enabled=0\n');
  const held = new HeldWiFiSettings(undefined);
  const restarts = new HostapdRestarts({ files: new HostFiles(), dir, confFiles: [conf], held, writer });
  const socket = (ifname: string): void => {
    writeFileSync(join(dir, `.${ifname}`), '');
    renameSync(join(dir, `.${ifname}`), join(dir, ifname));
  };
  return { restarts, sent, held, socket, dir };
}

describe('re-applying held Wi-Fi settings', () => {
  it('keys of the AccessPoint and the radio in the Set order', () => {
    expect(heldSettings({ WMMEnable: false, SSIDAdvertisementEnabled: true }, { IEEE80211hEnabled: true }).map((s) => `${s.key}=${s.value}`)).toEqual([
      'ignore_broadcast_ssid=0',
      'wmm_enabled=0',
      'ieee80211h=1',
    ]);
  });

  it('nothing before start; at start each BSS holding values; again only after its socket is made again or it came back', async () => {
    const { restarts, sent, held, socket } = setup();
    socket('wlan0');
    socket('wlan1');
    held.write('bss:wlan0', { IsolationEnable: true });
    expect(await restarts.check(['wlan0', 'wlan1'])).toBe(false);
    restarts.start();
    expect(await restarts.check(['wlan0', 'wlan1'])).toBe(true);
    expect(sent).toEqual(['wlan0: ap_isolate=1']);
    // The file was read: what is not written reads the file's value.
    expect(held.read('bss:wlan0', ['WMMEnable', 'IsolationEnable'])).toEqual({ WMMEnable: false, IsolationEnable: true });
    expect(await restarts.check(['wlan0', 'wlan1'])).toBe(false);
    socket('wlan1');
    expect(await restarts.check(['wlan0', 'wlan1'])).toBe(false); // wlan1 holds nothing
    socket('wlan0');
    await Promise.all([restarts.check(['wlan0', 'wlan1']), restarts.check(['wlan0', 'wlan1'])]);
    expect(sent).toHaveLength(2); // concurrent reads send it once
    await restarts.check(['wlan1']);
    await restarts.check(['wlan0', 'wlan1']);
    expect(sent).toEqual(['wlan0: ap_isolate=1', 'wlan0: ap_isolate=1', 'wlan0: ap_isolate=1']);
  });

  it('a listed BSS whose socket is gone (a stale cached list): nothing sent, nothing forgotten, listed again once; re-applied when it runs again', async () => {
    const { restarts, sent, held, socket, dir } = setup();
    socket('wlan0');
    socket('wlan0_1');
    held.write('bss:wlan0_1', { WMMEnable: false });
    restarts.start();
    expect(await restarts.check(['wlan0', 'wlan0_1'])).toBe(true);
    expect(sent).toEqual(['wlan0_1: wmm_enabled=0']);
    // hostapd restarts with its own file only: wlan0's socket made again, wlan0_1's gone; the list read before still names it.
    rmSync(join(dir, 'wlan0_1'));
    socket('wlan0');
    expect(await restarts.check(['wlan0', 'wlan0_1'])).toBe('relist');
    expect(sent).toHaveLength(1);
    expect(held.written('bss:wlan0_1')).toEqual({ WMMEnable: false });
    // The fresh list without it; then it is added again (its socket made): what is held goes to it.
    expect(await restarts.check(['wlan0'])).toBe(false);
    socket('wlan0_1');
    expect(await restarts.check(['wlan0', 'wlan0_1'])).toBe(true);
    expect(sent).toEqual(['wlan0_1: wmm_enabled=0', 'wlan0_1: wmm_enabled=0']);
    // Still listed after the fresh list without its socket: checked as before, not listed again at every read.
    rmSync(join(dir, 'wlan0_1'));
    expect(await restarts.check(['wlan0', 'wlan0_1'])).toBe('relist');
    expect(await restarts.check(['wlan0', 'wlan0_1'])).not.toBe('relist');
  });

  it('a refused re-apply forgets what was held: reads fall back to the file', async () => {
    const { restarts, sent, held, socket } = setup(true);
    socket('wlan0');
    held.write('bss:wlan0', { WMMEnable: true });
    held.write('radio:wlan0', { IEEE80211hEnabled: true });
    restarts.start();
    await restarts.check(['wlan0']);
    expect(sent).toEqual(['wlan0: wmm_enabled=1 ieee80211h=1']);
    expect(held.written('bss:wlan0')).toEqual({});
    expect(held.written('radio:wlan0')).toEqual({});
    expect(held.read('bss:wlan0', ['WMMEnable']).WMMEnable).toBe(false);
  });
});
