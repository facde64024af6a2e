/**
 * The SSID + AccessPoint pairs a Controller added on generic Linux, and the BSSes they become.
 *
 * TR-181 pairs an AccessPoint with an SSID through SSIDReference; hostapd runs a BSS, which is
 * both. So an added SSID (LowerLayers: its Radio) is kept by the agent, with its BSS configuration
 * file written (wifi-bss-file.ts), until an AccessPoint references it; the BSS runs while both are
 * enabled: the agent ADDs the file to the radio's hostapd through its global control interface
 * (hostapd-global.ts) and REMOVEs it when either is disabled or deleted. One instance number names
 * the SSID and its AccessPoint, as for the BSSes of hostapd's own files.
 *
 * The rows are kept in the agent's store (no keys: those are in the BSS files only), with their
 * instance numbers, and the BSS of each is added again whenever hostapd does not list it while it
 * should run: at the agent's start and after hostapd restarted (`reconcile`, before each read).
 * An ADD hostapd refuses is logged and tried again after RETRY_MS, not at every read.
 *
 * Bounded: at most MAX_ADDED pairs, and per radio what its interface combinations allow.
 */
import path from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { HostapdGlobal } from './hostapd-global.js';
import { type BssKeys, missingKey, readBssKeys, removeBssFile, renderBssFile, writeBssFile } from './wifi-bss-file.js';
import type { WiFiSource } from './WiFiSource.js';
import { missingServer, type RadiusServer } from './wifi-bss-modes.js';

/** The store row and key holding the pairs (beside wifi-held.ts's). */
const ROW = 'Device.WiFi.';
const KEY = '$addedBss';
/** Pairs a Controller may add in all. */
export const MAX_ADDED = 16;
/** An ADD hostapd refused is tried again after this long. */
const RETRY_MS = 30_000;

/** One added SSID, and its AccessPoint once one references it. */
export interface AddedBss {
  n: number;
  ifname: string;
  phy: string;
  ssid: string;
  ssidEnable: boolean;
  /** `radius`: the RADIUS server of WPA2-Enterprise (its secret is in the BSS file only: wifi-bss-modes.ts). */
  ap?: { enable: boolean; mode: string; radius?: RadiusServer };
  /** Its AccessPoint was deleted: that instance number is not given to another (R-ARC.8), so no AccessPoint can reference it again. */
  apDeleted?: boolean;
  /** The instance number of its AccessPoint when that moved here from another SSID (wifi-ap-ssid-move.ts); absent: `n`. */
  apN?: number;
}

export interface AddedWiFiOptions {
  store?: DataStore;
  /** The directory of the BSS files (the agent's data directory's hostapd-bss); undefined: no Add. */
  dir?: string;
  /** hostapd's control directory (the files' ctrl_interface). */
  hostapdDir: string;
  global: HostapdGlobal;
  source: WiFiSource;
  now: () => number;
  log?: Logger;
}

export class AddedWiFi {
  /** Without a store: kept for the life of the agent. */
  private memory: AddedBss[] = [];
  private readonly lastTry = new Map<string, number>();
  private claimed = false;
  private started = false;

  constructor(readonly opts: AddedWiFiOptions) {}

  /** Once the agent's store is loaded: the rows are known from now on. */
  start(): void {
    this.started = true;
  }

  all(): AddedBss[] {
    if (!this.started) return [];
    const text = this.opts.store?.row(ROW)?.[KEY];
    const rows = this.opts.store ? (typeof text === 'string' ? sanitize(text) : []) : this.memory;
    if (!this.claimed) {
      // Their numbers from the earlier run, before hostapd's BSSes are numbered.
      this.claimed = true;
      for (const r of rows) this.opts.source.bssNumbers.claim(r.ifname, r.n);
    }
    return rows;
  }

  byIfname(ifname: string): AddedBss | undefined {
    return this.all().find((r) => r.ifname === ifname);
  }

  save(rows: AddedBss[]): void {
    if (!this.opts.store) this.memory = rows;
    else this.opts.store.setRow(ROW, { ...(this.opts.store.row(ROW) ?? {}), [KEY]: JSON.stringify(rows) });
  }

  /** Replaces (or adds) one row. */
  put(row: AddedBss): void {
    this.save([...this.all().filter((r) => r.ifname !== row.ifname), row]);
  }

  drop(ifname: string): void {
    this.save(this.all().filter((r) => r.ifname !== ifname));
  }

  fileOf(ifname: string): string {
    if (!this.opts.dir) throw new UspError(ErrorCode.InvalidValue, 'an SSID can be added only when the agent has a data directory (--data-dir) for its hostapd BSS file');
    return path.join(this.opts.dir, `${ifname}.conf`);
  }

  /** Whether hostapd should run the BSS of `r`. */
  static runs(r: AddedBss): boolean {
    return r.ssidEnable && r.ap?.enable === true;
  }

  /** Why `r` cannot run yet (7012 on `param`), or undefined. */
  async notRunnable(r: AddedBss, keys?: BssKeys): Promise<UspError | undefined> {
    if (!r.ap) return undefined;
    if (r.ssid === '') return invalidParam('Enable', 'set the SSID of its SSID first');
    const missing = missingServer(r.ap.mode, r.ap.radius) ?? missingKey(r.ap.mode, keys ?? (await readBssKeys(this.fileOf(r.ifname))));
    return missing ? invalidParam('Enable', `set Security.${missing} first (Security.ModeEnabled is ${r.ap.mode})`) : undefined;
  }

  /** Writes the BSS file of `r`, with `keys` (default: those the file holds now). */
  async writeFile(r: AddedBss, keys?: BssKeys): Promise<void> {
    const file = this.fileOf(r.ifname);
    const snap = await this.opts.source.read();
    // The radio's band and channel, as a BSS it runs has them (hostapd keeps the radio's own anyway).
    const running = [...snap.bsses.values()].find((b) => b.phy === r.phy && b.channel !== undefined);
    const text = renderBssFile({
      ifname: r.ifname,
      ctrlInterface: this.opts.hostapdDir,
      hwMode: (running?.freq ?? 2412) < 3000 ? 'g' : 'a',
      channel: running?.channel ?? 1,
      ssid: r.ssid,
      mode: r.ap?.mode ?? 'None',
      keys: keys ?? (await readBssKeys(file)),
      ...(r.ap?.radius ? { radius: r.ap.radius } : {}),
    });
    await writeBssFile(file, text);
  }

  async removeFile(ifname: string): Promise<void> {
    await removeBssFile(this.fileOf(ifname));
  }

  /** Starts or stops the BSS of `r` now, as it should be; throws what hostapd answered. */
  async apply(r: AddedBss, listed: readonly string[]): Promise<boolean> {
    const running = listed.includes(r.ifname);
    if (AddedWiFi.runs(r) && !running) {
      await this.opts.global.add(r.phy, this.fileOf(r.ifname));
      this.opts.log?.info('hostapd runs the BSS a Controller added', { bss: r.ifname, phy: r.phy });
      return true;
    }
    if (!AddedWiFi.runs(r) && running) {
      await this.opts.global.remove(r.ifname);
      this.opts.log?.info('hostapd no longer runs the BSS a Controller added', { bss: r.ifname });
      return true;
    }
    return false;
  }

  /**
   * Starts the running BSS of `r` again from its (rewritten) file: REMOVE, then ADD (wifi-bss-modes.ts:
   * what hostapd's `set` cannot replace). Throws what hostapd answered.
   */
  async restart(r: AddedBss): Promise<void> {
    await this.opts.global.remove(r.ifname);
    await this.opts.global.add(r.phy, this.fileOf(r.ifname));
    this.opts.log?.info('hostapd runs the BSS a Controller added again from its rewritten file', { bss: r.ifname, mode: r.ap?.mode ?? 'None' });
  }

  /** Before a read: every added BSS that should run and is not listed is added (start, hostapd restart); "relist" when one was. */
  async reconcile(listed: readonly string[]): Promise<'relist' | false> {
    if (!this.started) return false;
    let changed = false;
    for (const r of this.all()) {
      if (!AddedWiFi.runs(r) || listed.includes(r.ifname)) continue;
      const last = this.lastTry.get(r.ifname);
      if (last !== undefined && this.opts.now() - last < RETRY_MS) continue;
      this.lastTry.set(r.ifname, this.opts.now());
      try {
        changed = (await this.apply(r, listed)) || changed;
        this.lastTry.delete(r.ifname);
      } catch (e) {
        this.opts.log?.warn('could not add a BSS a Controller added to hostapd; tried again later', { bss: r.ifname, why: e instanceof Error ? e.message : String(e) });
      }
    }
    return changed ? 'relist' : false;
  }
}

function invalidParam(param: string, message: string): UspError {
  return new UspError(ErrorCode.InvalidValue, `${param}: ${message}`, { paramErrors: [{ param, message, code: ErrorCode.InvalidValue }] });
}

/** Well-formed rows only: the store file may have been edited by hand. */
function sanitize(text: string): AddedBss[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  const out: AddedBss[] = [];
  for (const x of raw.slice(0, MAX_ADDED) as Record<string, unknown>[]) {
    if (typeof x !== 'object' || x === null) continue;
    const { n, ifname, phy, ssid, ssidEnable, ap } = x as Record<string, unknown>;
    if (typeof n !== 'number' || typeof ifname !== 'string' || !/^[\w.-]{1,15}$/.test(ifname) || typeof phy !== 'string' || typeof ssid !== 'string' || typeof ssidEnable !== 'boolean') continue;
    const a = ap as { enable?: unknown; mode?: unknown; radius?: { addr?: unknown; port?: unknown } } | undefined;
    const radius = a?.radius && typeof a.radius.addr === 'string' && Number.isInteger(a.radius.port) ? { radius: { addr: a.radius.addr, port: Number(a.radius.port) } } : {};
    const apRow = a && typeof a.enable === 'boolean' && typeof a.mode === 'string' ? { enable: a.enable, mode: a.mode, ...radius } : undefined;
    const apN = (x as { apN?: unknown }).apN;
    const moved = apRow && typeof apN === 'number' && Number.isInteger(apN) ? { apN } : {};
    out.push({ n, ifname, phy, ssid, ssidEnable, ...(apRow ? { ap: apRow } : {}), ...((x as { apDeleted?: unknown }).apDeleted === true ? { apDeleted: true } : {}), ...moved });
  }
  return out;
}
