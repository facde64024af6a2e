/** hostapd configuration files: which files a running hostapd runs (a fake /proc), and the six settings its control interface cannot report. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostapdConfFiles, parseHostapdConf, readHostapdConf, runningHostapdConfFiles } from '../../../../platform/linux/hostapd-conf.js';
import { HostFiles } from '../../../../platform/linux/HostFiles.js';
import { HeldWiFiSettings } from '../../../../platform/linux/wifi-held.js';

const work = mkdtempSync(join(tmpdir(), 'usp-hostapd-conf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TWO_BSS = [
  '# 5 GHz radio with a guest BSS',
  'interface=wlan1',
  'driver=nl80211',
  'ssid=usp-lab-5g',
  'ieee80211h=1',
  'ignore_broadcast_ssid=1',
  'max_num_sta=32',
  'wmm_enabled=0',
  '',
  'bss=wlan1_1',
  'ssid=guest',
  'ap_isolate=1',
  'uapsd_advertisement_enabled=1',
  'ignore_broadcast_ssid=2',
].join('\n');

describe('hostapd configuration', () => {
  it('reads the six settings per interface= / bss= section, ieee80211h for the radio', () => {
    expect(Object.fromEntries(parseHostapdConf(TWO_BSS))).toEqual({
      'radio:wlan1': { IEEE80211hEnabled: true },
      'bss:wlan1': { SSIDAdvertisementEnabled: false, MaxAllowedAssociations: 32, WMMEnable: false },
      // ignore_broadcast_ssid 2 (empty SSID in beacons) hides it too.
      'bss:wlan1_1': { IsolationEnable: true, UAPSDEnable: true, SSIDAdvertisementEnabled: false },
    });
  });

  it('leaves out what hostapd would not run (the default reads instead), comments and keys before interface=', () => {
    const text = ['ap_isolate=1', 'interface=wlan0', '#ignore_broadcast_ssid=1', 'max_num_sta=0', 'max_num_sta=5000', 'wmm_enabled=yes', 'ap_isolate=', 'junk line'].join('\n');
    expect(Object.fromEntries(parseHostapdConf(text))).toEqual({});
  });

  it('held settings read: written, else the file, else hostapd defaults; forget falls back to the file', () => {
    const held = new HeldWiFiSettings(undefined);
    held.setFileValues(parseHostapdConf(TWO_BSS));
    expect(held.read('bss:wlan1', ['SSIDAdvertisementEnabled', 'IsolationEnable', 'MaxAllowedAssociations'])).toEqual({
      SSIDAdvertisementEnabled: false,
      IsolationEnable: false,
      MaxAllowedAssociations: 32,
    });
    held.write('bss:wlan1', { SSIDAdvertisementEnabled: true });
    expect(held.read('bss:wlan1', ['SSIDAdvertisementEnabled']).SSIDAdvertisementEnabled).toBe(true);
    held.forget('bss:wlan1');
    expect(held.read('bss:wlan1', ['SSIDAdvertisementEnabled']).SSIDAdvertisementEnabled).toBe(false);
  });

  it("finds the files on hostapd's command line: options with values skipped, -b phy:FILE taken", () => {
    expect(hostapdConfFiles(['/usr/sbin/hostapd', '-B', '-P', '/run/hostapd.pid', '-g', '/run/hostapd-global', '/etc/hostapd/wlan0.conf', '/etc/hostapd/wlan1.conf'])).toEqual([
      '/etc/hostapd/wlan0.conf',
      '/etc/hostapd/wlan1.conf',
    ]);
    expect(hostapdConfFiles(['hostapd', '-dd', '-i', 'wlan0', '-b', 'phy0:/etc/bss.conf', '-f', '/var/log/h.log', '/etc/h.conf'])).toEqual(['/etc/bss.conf', '/etc/h.conf']);
  });

  it('reads the running hostapd of a fake /proc (comm hostapd only) and its file', async () => {
    const proc = join(work, 'proc');
    const conf = join(work, 'wlan1.conf');
    writeFileSync(conf, TWO_BSS);
    const pid = (n: string, comm: string, argv: string[]): void => {
      mkdirSync(join(proc, n), { recursive: true });
      writeFileSync(join(proc, n, 'comm'), `${comm}\n`);
      writeFileSync(join(proc, n, 'cmdline'), `${argv.join('\0')}\0`);
    };
    pid('412', 'hostapd', ['/usr/sbin/hostapd', '-B', '-P', '/run/hostapd.pid', conf]);
    pid('77', 'vi', ['vi', join(work, 'other.conf')]);
    mkdirSync(join(proc, 'sys'), { recursive: true });
    const files = new HostFiles({ procRoot: proc });
    const found = await runningHostapdConfFiles(files);
    expect(found).toEqual([conf]);
    const values = await readHostapdConf(files, [...found, join(work, 'missing.conf')]);
    expect(values.get('bss:wlan1')).toEqual({ SSIDAdvertisementEnabled: false, MaxAllowedAssociations: 32, WMMEnable: false });
  });
});
