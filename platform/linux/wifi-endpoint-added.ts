/**
 * Device.WiFi.EndPoint.{i} Add and Delete on generic Linux: a station interface a Controller adds
 * runs in the wpa_supplicant already running, through its global control interface
 * (wpa-global.ts), from a configuration file the agent keeps in its data directory
 * (`wpa_supplicant/<ifname>.conf`, update_config=1, so `save_config` writes the Profiles there and
 * they outlive a wpa_supplicant restart).
 *
 * - Add takes the first station netdev (`iw dev`: type managed) that wpa_supplicant does not run.
 *   TR-181's SSIDReference is read-only and Linux's SSID table holds hostapd's BSSes, so the Add
 *   names no netdev; none free: 7017. At most MAX_ADDED_STATIONS (7005).
 * - Delete removes only the stations a Controller added (`interface_remove`, the file deleted);
 *   a station wpa_supplicant was started with belongs to the host's configuration: 7024.
 * - wpa_supplicant starts only the interfaces of its command line: after it restarted, `reconcile`
 *   (before each read of the EndPoints) adds the Controller's stations again from their files. An
 *   add wpa_supplicant refuses is logged and tried again after RETRY_MS, not at every read.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import { type EndPointHeld, MAX_ADDED_STATIONS } from './wifi-endpoint-held.js';
import { parseIwDev } from './wifi-iw.js';
import type { WpaSupplicantGlobal } from './wpa-global.js';

/** A refused re-add is tried again after this long. */
const RETRY_MS = 30_000;

export interface AddedStationsOptions {
  global: WpaSupplicantGlobal;
  /** The station interfaces wpa_supplicant runs (its control directory's sockets); empty when it does not answer. */
  running: () => Promise<string[]>;
  held: EndPointHeld;
  /** The directory of the stations' files (the agent's data directory's wpa_supplicant/). */
  confDir: string;
  /** wpa_supplicant's control directory (`--wpa-supplicant-dir`), where the added station's socket goes. */
  ctrlDir: string;
  runner: CommandRunner;
  cacheMs: number;
  now: () => number;
  log?: Logger;
}

/** The file the agent writes for a station it adds: the control directory, and saving allowed. */
export function stationConf(ifname: string, ctrlDir: string): string {
  return `# Device.WiFi.EndPoint on ${ifname}, added by usp-agent: wpa_supplicant keeps its networks here (update_config=1).\nctrl_interface=${ctrlDir}\nupdate_config=1\n`;
}

export class AddedStations {
  private readonly lastTry = new Map<string, number>();
  constructor(private readonly opts: AddedStationsOptions) {}

  private conf(ifname: string): string {
    return path.join(this.opts.confDir, `${ifname}.conf`);
  }

  /** Station netdevs nl80211 reports (`iw dev`, type managed); empty without iw. */
  private async stationNetdevs(): Promise<string[]> {
    const { runner, cacheMs } = this.opts;
    try {
      const all = await runner.cached('iw', ['dev'], cacheMs, parseIwDev);
      return all.filter((i) => i.type === 'managed').map((i) => i.ifname);
    } catch {
      return [];
    }
  }

  /** Adds a station on the first free station netdev; its interface name. */
  async add(): Promise<string> {
    const added = this.opts.held.added();
    if (added.length >= MAX_ADDED_STATIONS) throw new UspError(ErrorCode.ResourcesExceeded, `at most ${MAX_ADDED_STATIONS} EndPoints can be added`);
    const running = new Set(await this.opts.running());
    const free = (await this.stationNetdevs()).filter((n) => !running.has(n) && !added.includes(n)).sort((x, y) => x.localeCompare(y, 'en', { numeric: true }));
    const ifname = free[0];
    if (ifname === undefined) throw new UspError(ErrorCode.ObjectCouldNotBeCreated, 'no station netdev (iw dev: type managed) that wpa_supplicant does not already run');
    await writeConf(this.conf(ifname), stationConf(ifname, this.opts.ctrlDir));
    await this.opts.global.add(ifname, this.conf(ifname), this.opts.ctrlDir);
    this.opts.held.setAdded(ifname, true);
    return ifname;
  }

  /** Deletes a station a Controller added; 7024 for one wpa_supplicant was started with. */
  async remove(ifname: string): Promise<void> {
    if (!this.opts.held.added().includes(ifname)) {
      throw new UspError(ErrorCode.DeleteFailure, `${ifname} is a station of wpa_supplicant's own configuration: only an EndPoint a Controller added can be deleted`);
    }
    if ((await this.opts.running()).includes(ifname)) await this.opts.global.remove(ifname);
    await fs.rm(this.conf(ifname), { force: true });
    this.opts.held.forget(ifname);
  }

  /**
   * Adds again the stations a Controller added that wpa_supplicant does not run (it restarted);
   * true when one was added. Nothing to do (no added station) costs no call.
   */
  async reconcile(): Promise<boolean> {
    const added = this.opts.held.added();
    if (added.length === 0) return false;
    const running = await this.opts.running();
    // wpa_supplicant does not run: no station socket in its control directory and no global
    // socket (one started with -g alone runs no station of its own): nothing to add to.
    if (running.length === 0 && !(await this.opts.global.listening())) return false;
    const netdevs = await this.stationNetdevs();
    let changed = false;
    for (const ifname of added.filter((n) => !running.includes(n) && netdevs.includes(n))) {
      const last = this.lastTry.get(ifname);
      if (last !== undefined && this.opts.now() - last < RETRY_MS) continue;
      this.lastTry.set(ifname, this.opts.now());
      try {
        // Its file is gone (the data directory was cleared): it starts again without networks rather than not at all.
        await fs.access(this.conf(ifname)).catch(() => writeConf(this.conf(ifname), stationConf(ifname, this.opts.ctrlDir)));
        await this.opts.global.add(ifname, this.conf(ifname), this.opts.ctrlDir);
        this.lastTry.delete(ifname);
        changed = true;
        this.opts.log?.info('added a Controller-added Wi-Fi station to wpa_supplicant again', { interface: ifname });
      } catch (e) {
        this.opts.log?.warn('wpa_supplicant refused a Controller-added station again (tried again in 30 s)', { interface: ifname, why: e instanceof Error ? e.message : String(e) });
      }
    }
    return changed;
  }
}

/** Writes a station's file afresh (mode 0600: wpa_supplicant saves keys into it). */
async function writeConf(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp`;
  await fs.rm(tmp, { force: true });
  await fs.writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
  await fs.rename(tmp, file);
}
