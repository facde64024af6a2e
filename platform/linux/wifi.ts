/**
 * Device.WiFi. on generic Linux: the access points a hostapd runs on nl80211 radios, read from
 * its control interface (`hostapd_cli`) and `iw` (WiFiSource.ts). Radio.{i} is in
 * wifi-radio.ts; SSID.{i}, AccessPoint.{i} and AssociatedDevice.{i} in wifi-access-point.ts.
 * Writes go to hostapd (wifi-write.ts: SSID, Enable, the Radio's Channel, standards and 802.11h,
 * the AccessPoint's settings and security) and to `iw` (TransmitPower); what hostapd cannot
 * report is read from its configuration file until written, and sent again when hostapd restarts
 * (wifi-held.ts, hostapd-conf.ts, wifi-reapply.ts). SSID + AccessPoint pairs a Controller adds
 * run as BSSes added through hostapd's global control interface (wifi-added.ts), from files in
 * the agent's data directory (hostapd-bss/).
 */
import { findOnPath, type CommandRunner } from '../exec/CommandRunner.js';
import type { LinuxContext } from './LinuxContext.js';
import { registerWiFiAccessPoints } from './wifi-access-point.js';
import { registerLinuxWiFiWps } from './wifi-wps.js';
import { registerWiFiRadios } from './wifi-radio.js';
import { DEFAULT_HOSTAPD_DIR, WiFiSource } from './WiFiSource.js';
import { HostapdWriter } from './wifi-write.js';
import { HeldWiFiSettings } from './wifi-held.js';
import { HostapdRestarts } from './wifi-reapply.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import path from 'node:path';
import { AddedWiFi } from './wifi-added.js';
import { DEFAULT_HOSTAPD_GLOBAL, HostapdGlobal } from './hostapd-global.js';

export interface WiFiSettings {
  /** Keeps what a Controller wrote that hostapd cannot report back (wifi-held.ts); without it, until the agent stops. */
  store?: DataStore;
  /** hostapd's control directory, its `ctrl_interface` (`--hostapd-dir`; default /var/run/hostapd). */
  hostapdDir?: string;
  /** hostapd's configuration files (`--hostapd-conf`); default: those on the command lines of the running hostapd processes (/proc). */
  hostapdConf?: readonly string[];
  /** hostapd's global control interface (`--hostapd-global`; default /var/run/hostapd-global), through which BSSes are added. */
  hostapdGlobal?: string;
  /** wpa_supplicant's control directory, for Device.WiFi.EndPoint. (`--wpa-supplicant-dir`; default /run/wpa_supplicant; wifi-endpoint.ts). */
  wpaSupplicantDir?: string;
  /** wpa_supplicant's global control interface (`--wpa-supplicant-global`; none by default: no EndPoint Add/Delete; wifi-endpoint-added.ts). */
  wpaSupplicantGlobal?: string;
}

/** Whether Device.WiFi. can be served: `setting` false turns it off; otherwise both tools must be installed. */
export function wifiUsable(setting: boolean | WiFiSettings | undefined, runner: CommandRunner): { usable: boolean; why?: string } {
  if (setting === false) return { usable: false, why: 'turned off' };
  const missing = ['iw', 'hostapd_cli'].filter((t) => {
    const exe = runner.executable(t);
    return exe.includes('/') ? findOnPath(exe.slice(exe.lastIndexOf('/') + 1), exe.slice(0, exe.lastIndexOf('/'))) === undefined : findOnPath(t) === undefined;
  });
  return missing.length === 0 ? { usable: true } : { usable: false, why: `${missing.join(' and ')} not installed` };
}

/**
 * Registers Device.WiFi.Radio, SSID, AccessPoint and their Stats and stations. Call `start` once
 * the agent's store is loaded: it sends hostapd again what the agent holds (wifi-reapply.ts).
 */
export function registerWiFi(ctx: LinuxContext, settings: WiFiSettings): { source: WiFiSource; start: () => void } {
  const dir = settings.hostapdDir ?? DEFAULT_HOSTAPD_DIR;
  const writer = new HostapdWriter(ctx.runner, dir);
  const held = new HeldWiFiSettings(settings.store);
  const restarts = new HostapdRestarts({ files: ctx.files, dir, confFiles: settings.hostapdConf, held, writer, log: ctx.log });
  let added: AddedWiFi | undefined;
  // A BSS a Controller added is added again first (hostapd restarted), then what is held is re-applied.
  const beforeRead = async (names: readonly string[]): Promise<boolean | 'relist'> => (await added!.reconcile(names)) || restarts.check(names);
  const source = new WiFiSource({ runner: ctx.runner, hostapdDir: dir, cacheMs: ctx.cacheMs, log: ctx.log, beforeRead });
  const global = new HostapdGlobal(ctx.runner, settings.hostapdGlobal ?? DEFAULT_HOSTAPD_GLOBAL);
  const bssDir = settings.store?.dir === undefined ? undefined : path.join(settings.store.dir, 'hostapd-bss');
  added = new AddedWiFi({ store: settings.store, dir: bssDir, hostapdDir: dir, global, source, now: ctx.now, log: ctx.log });
  registerWiFiRadios(ctx, source, writer, held);
  registerWiFiAccessPoints(ctx, source, writer, held, added);
  registerLinuxWiFiWps(ctx, source, writer, held, added);
  const start = (): void => {
    added!.start();
    restarts.start();
    // At start, not at the first Get: hostapd should run what the agent reports as soon as it can.
    void source.read();
  };
  return { source, start };
}
