/**
 * The Device.WiFi. settings on generic Linux that hostapd takes but cannot report back: its
 * control interface shows the SSID, channel and security mode (`status`, `get_config`) but not
 * ignore_broadcast_ssid, ap_isolate, max_num_sta, wmm_enabled, uapsd_advertisement_enabled,
 * wpa_group_rekey, macaddr_acl or ieee80211h; and the accept list it does report (wifi-mac-access.ts)
 * is kept too, to send it again after a restart of hostapd. What a Controller wrote of them is kept in the agent's store, by BSS interface
 * name (hostapd's `interface=`, which a reboot keeps) and by radio (its phy name), so that a
 * restart of the agent reads back what it wrote. Until written they read what hostapd's
 * configuration file sets (hostapd-conf.ts), else hostapd's defaults. The writes change hostapd's
 * running state only, so they are sent again when hostapd restarts (wifi-reapply.ts), and
 * forgotten when that fails: a read never reports a value the device does not run.
 *
 * Keys are never kept here: KeyPassphrase, PreSharedKey and SAEPassphrase read as "" (TR-181).
 *
 * Bounded: at most MAX_ENTRIES interfaces and radios; past it, the earliest written is dropped.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { Value } from '../../datamodel/value/Value.js';

/** The store row holding them, beside nothing else of the agent's. */
const ROW = 'Device.WiFi.';
/** In that row: a JSON object, "bss:<ifname>" or "radio:<phy>" → the values written. */
const KEY = '$hostapdWritten';
/** hostapd's MAX_BSS read by WiFiSource (64) and as many radios. */
const MAX_ENTRIES = 128;

/** What hostapd 2.10 runs when its configuration does not set the key (hostapd.conf's defaults). */
export const HOSTAPD_DEFAULTS: Readonly<Record<string, Value>> = {
  SSIDAdvertisementEnabled: true,
  IsolationEnable: false,
  MaxAllowedAssociations: 2007,
  WMMEnable: true,
  UAPSDEnable: false,
  IEEE80211hEnabled: false,
  // Security.RekeyingInterval: wpa_group_rekey, whose default with a CCMP group cipher is a day.
  RekeyingInterval: 86400,
  MACAddressControlEnabled: false,
  // Security's RADIUS server of a BSS of hostapd's own file (read from it only: hostapd-conf.ts).
  RadiusServerIPAddr: '',
  RadiusServerPort: 1812,
  // WPS.ConfigMethodsEnabled (hostapd's config_methods, not reported); its default: display and keypad (PIN).
  WPSConfigMethodsEnabled: 'PIN',
  /** Only kept to be sent again: reads are hostapd's `accept_acl SHOW`. */
  AllowedMACAddress: '',
  // Radio (by its hostapd interface): channel 0, and the RegulatoryDomain written (its third character is not reported).
  AutoChannelEnable: false,
  RegulatoryDomain: '',
  // The bitrate mask (wifi-bitrates.ts) and the band it was written for.
  MCS: -1,
  GuardInterval: 'Auto',
  BitrateBand: '',
};

export class HeldWiFiSettings {
  private parsedText: string | undefined;
  private parsed: Record<string, Record<string, Value>> = {};
  /** Without a store: held here for the life of the agent. */
  private readonly held = new Map<string, Record<string, Value>>();
  /** What hostapd's configuration files set, by the same ids (hostapd-conf.ts). */
  private fromFile: ReadonlyMap<string, Record<string, Value>> = new Map();

  constructor(private readonly store: DataStore | undefined) {}

  /** The values of `params` for `id`: as written, else as hostapd's file sets them, else hostapd's defaults. */
  read(id: string, params: readonly string[]): Record<string, Value> {
    const file = this.fromFile.get(id) ?? {};
    const written = this.written(id);
    return Object.fromEntries(params.map((p) => [p, written[p] ?? file[p] ?? HOSTAPD_DEFAULTS[p]!]));
  }

  /** What a Controller wrote for `id` (and hostapd took). */
  written(id: string): Record<string, Value> {
    return (this.store ? this.all()[id] : this.held.get(id)) ?? {};
  }

  /** What hostapd's configuration files set, read again when hostapd may have restarted. */
  setFileValues(values: ReadonlyMap<string, Record<string, Value>>): void {
    this.fromFile = values;
  }

  /** Drops what was written for `id` (hostapd no longer runs it): reads fall back to the file. */
  forget(id: string): void {
    if (!this.store) {
      this.held.delete(id);
      return;
    }
    if (!(id in this.all())) return;
    const all = { ...this.all() };
    delete all[id];
    this.store.setRow(ROW, { ...(this.store.row(ROW) ?? {}), [KEY]: JSON.stringify(all) });
  }

  /** Drops what was written of `param` for `id` (hostapd runs its file's value again): reads fall back to the file. */
  drop(id: string, param: string): void {
    const { [param]: _dropped, ...rest } = this.written(id);
    this.forget(id);
    if (Object.keys(rest).length > 0) this.write(id, rest);
  }

  /** Keeps `changes` for `id` (after hostapd took them). */
  write(id: string, changes: Record<string, Value>): void {
    const kept = Object.fromEntries(Object.entries(changes).filter(([k, v]) => k in HOSTAPD_DEFAULTS && typeof v === typeof HOSTAPD_DEFAULTS[k]));
    if (!this.store) {
      this.held.set(id, { ...(this.held.get(id) ?? {}), ...kept });
      return;
    }
    const all = { ...this.all() };
    const next = { ...(all[id] ?? {}), ...kept };
    delete all[id];
    all[id] = next;
    const ids = Object.keys(all);
    for (const old of ids.slice(0, Math.max(0, ids.length - MAX_ENTRIES))) delete all[old];
    this.store.setRow(ROW, { ...(this.store.row(ROW) ?? {}), [KEY]: JSON.stringify(all) });
  }

  private all(): Record<string, Record<string, Value>> {
    const text = this.store!.row(ROW)?.[KEY];
    if (typeof text !== 'string') return {};
    if (text !== this.parsedText) {
      this.parsedText = text;
      this.parsed = sanitize(text);
    }
    return this.parsed;
  }
}

/** Keeps only well-typed values of known parameters: the store file may have been edited by hand. */
function sanitize(text: string): Record<string, Record<string, Value>> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return {};
  }
  const out: Record<string, Record<string, Value>> = {};
  if (typeof raw !== 'object' || raw === null) return out;
  for (const [id, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'object' || v === null) continue;
    const row: Record<string, Value> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (k in HOSTAPD_DEFAULTS && typeof x === typeof HOSTAPD_DEFAULTS[k]) row[k] = x as Value;
    out[id] = row;
  }
  return out;
}
