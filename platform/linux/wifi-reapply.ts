/**
 * Keeps hostapd running what the agent reports of the settings it holds (wifi-held.ts). A write
 * changes hostapd's running state only; when hostapd starts again (a reboot, a service restart)
 * it runs its configuration file. So whenever a BSS is new to the agent (the agent started) or
 * its control socket was made again (hostapd restarted), the values a Controller wrote for it
 * are sent again, as the Set sends them (`set` each key, one `reload`: HostapdWriter.configure),
 * and what the configuration files set is read again (hostapd-conf.ts). When hostapd refuses,
 * the agent logs it and forgets what it held of that BSS: reads fall back to the file.
 *
 * Detecting a restart: hostapd removes and binds its control socket `<ctrl_interface>/<ifname>`
 * each time it starts a BSS, so the socket's inode and change time differ afterwards; and a BSS
 * that hostapd stopped listing and lists again was started again. One `stat` per BSS and read
 * of the tree; no polling of hostapd.
 *
 * The list of BSSes comes from the command cache (up to `cacheMs` old), the sockets are looked at
 * afresh: a listed BSS whose socket is gone from a control directory the agent can see no longer
 * runs (hostapd restarted without it). Sending it what is held would fail and forget it, so the
 * check answers "relist" instead: the reader lists hostapd's BSSes again, uncached, and a BSS a
 * Controller added is added again at this read (wifi-added.ts), not only once the cache ages out.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { HostFiles } from './HostFiles.js';
import { readHostapdConf, runningHostapdConfFiles } from './hostapd-conf.js';
import { accessPointSettings } from './wifi-ap-settings.js';
import { setAcceptList } from './wifi-mac-access.js';
import { heldRadioRestart } from './wifi-radio-restart.js';
import { bitrateArgs } from './wifi-bitrates.js';
import type { HeldWiFiSettings } from './wifi-held.js';
import type { HostapdSetting, HostapdWriter } from './wifi-write.js';

export interface HostapdRestartOptions {
  files: HostFiles;
  /** hostapd's control directory, where its sockets are. */
  dir: string;
  /** `--hostapd-conf`; undefined: the files on the command lines of the running hostapd processes. */
  confFiles?: readonly string[];
  held: HeldWiFiSettings;
  writer: HostapdWriter;
  log?: Logger;
}

/** The hostapd keys that put back what was written for BSS `ifname` (its AccessPoint and, on its radio's interface, 802.11h). */
export function heldSettings(ap: Record<string, Value>, radio: Record<string, Value>): HostapdSetting[] {
  const out = accessPointSettings(ap);
  if (typeof radio.IEEE80211hEnabled === 'boolean') out.push({ key: 'ieee80211h', value: radio.IEEE80211hEnabled ? '1' : '0' });
  return out;
}

/** A listed BSS without its control socket (socketIdentity). */
const GONE = 'gone';

export class HostapdRestarts {
  /** BSS interface → its control socket's identity when last seen (bounded by the BSSes WiFiSource reads). */
  private readonly seen = new Map<string, string>();
  /** One check at a time, in the order reads asked: a re-apply is never sent twice. */
  private queue: Promise<boolean | 'relist'> = Promise.resolve(false);
  /** Listed BSSes whose socket was gone, for which a fresh list was asked (bounded like `seen`). */
  private readonly relisted = new Set<string>();
  private started = false;

  constructor(private readonly opts: HostapdRestartOptions) {}

  /** From now on BSSes are checked (after the agent's store is loaded: before, nothing written is known). */
  start(): void {
    this.started = true;
  }

  /**
   * Re-applies what is held for each of `ifnames` that is new or whose hostapd restarted; true when
   * hostapd was written, "relist" (nothing sent) when a listed BSS's socket is gone: the list is stale.
   */
  check(ifnames: readonly string[]): Promise<boolean | 'relist'> {
    if (!this.started) return Promise.resolve(false);
    const next = this.queue.then(() => this.run(ifnames));
    this.queue = next.catch(() => false);
    return next;
  }

  private async run(ifnames: readonly string[]): Promise<boolean | 'relist'> {
    const ids = await Promise.all(ifnames.map((i) => this.socketIdentity(i)));
    const gone = ifnames.filter((i, k) => ids[k] === GONE);
    for (const i of [...this.relisted]) if (!gone.includes(i)) this.relisted.delete(i);
    if (gone.some((i) => !this.relisted.has(i))) {
      // Forgotten as a BSS hostapd stopped listing: when it runs again, it is new. Asked once per
      // BSS gone: should a fresh list still name it (a directory hostapd_cli does not list), it is
      // checked as before instead of listing again at every read.
      for (const i of gone) {
        this.seen.delete(i);
        this.relisted.add(i);
      }
      return 'relist';
    }
    const changed = ifnames.filter((i, k) => this.seen.get(i) !== ids[k]);
    // A BSS hostapd no longer lists is forgotten: when it comes back, hostapd started it again.
    for (const i of [...this.seen.keys()]) if (!ifnames.includes(i)) this.seen.delete(i);
    if (changed.length === 0) return false;
    ifnames.forEach((i, k) => this.seen.set(i, ids[k]!));
    // hostapd started again: its files may have been edited meanwhile.
    const files = this.opts.confFiles ?? (await runningHostapdConfFiles(this.opts.files));
    this.opts.held.setFileValues(await readHostapdConf(this.opts.files, files));
    this.opts.log?.debug('hostapd configuration read', { files: files.join(',') || '(none found)', bss: changed.join(',') });
    let wrote = false;
    for (const ifname of changed) {
      const ap = this.opts.held.written(`bss:${ifname}`);
      const radio = this.opts.held.written(`radio:${ifname}`);
      if (Object.keys(ap).length + Object.keys(radio).length === 0) continue;
      let keys = '';
      try {
        const settings = heldSettings(ap, radio);
        keys = settings.map((s) => s.key).join(',');
        wrote = true;
        // The accept list before macaddr_acl (wifi-mac-access.ts): hostapd's file has its own.
        if (typeof ap.AllowedMACAddress === 'string') {
          keys = `accept_acl,${keys}`;
          await setAcceptList(
            this.opts.writer,
            ifname,
            ap.AllowedMACAddress.split(',').filter((m) => m !== ''),
          );
        }
        await this.opts.writer.configure(ifname, settings);
        // The radio's own keys take at its start only: it starts again with them (wifi-radio-restart.ts).
        const restart = heldRadioRestart(radio);
        keys = [keys, ...restart.map((s) => s.key)].filter((k) => k !== '').join(',');
        if (restart.length > 0) await this.opts.writer.restartRadio(ifname, restart);
        // The bitrate mask is the interface's: gone with it (wifi-bitrates.ts).
        const rates = typeof radio.MCS === 'number' && typeof radio.GuardInterval === 'string' ? { MCS: radio.MCS, GuardInterval: radio.GuardInterval } : undefined;
        const rateArgs = rates ? bitrateArgs(rates, String(radio.BitrateBand ?? '')) : [];
        if (rateArgs.length > 0) {
          keys = `${keys},bitrates`;
          await this.opts.writer.setBitrates(ifname, rateArgs);
        }
        // AutoChannelEnable false needs a channel, which the agent did not write: hostapd's file decides again.
        if (radio.AutoChannelEnable === false) this.opts.held.drop(`radio:${ifname}`, 'AutoChannelEnable');
        this.opts.log?.info('hostapd runs again what the agent holds', { bss: ifname, settings: keys });
      } catch (e) {
        this.opts.held.forget(`bss:${ifname}`);
        this.opts.held.forget(`radio:${ifname}`);
        this.opts.log?.warn('could not re-apply the held Wi-Fi settings to hostapd: forgotten, its configuration file is read instead', {
          bss: ifname,
          settings: keys,
          why: e instanceof Error ? e.message : String(e),
        });
      }
    }
    return wrote;
  }

  /**
   * The control socket's inode and change time; GONE when the control directory is there without it;
   * "none" when neither can be seen (another mount namespace).
   */
  private async socketIdentity(ifname: string): Promise<string> {
    try {
      const st = await fs.stat(path.join(this.opts.dir, ifname));
      return `${st.ino}:${st.ctimeMs}`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return 'none';
      return (await fs.stat(this.opts.dir).then(
        (d) => d.isDirectory(),
        () => false,
      ))
        ? GONE
        : 'none';
    }
  }
}
