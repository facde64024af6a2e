/**
 * What a Device.WiFi.Radio.{i} can do on OpenWrt (TR-181 WiFiRadio:1): PossibleChannels,
 * TransmitPowerSupported and the TransmitPower percentage, MaxBitRate, and the UCI options behind
 * ExtensionChannel, GuardInterval and IEEE80211hEnabled. Pure functions over the parsed answers
 * of `ubus call iwinfo freqlist`/`txpowerlist` (rpcd's iwinfo plugin) and the radio's
 * `wlan` entry of /etc/board.json (written by OpenWrt's wifi-detect from nl80211); no I/O.
 */
import type { IwinfoFreq, IwinfoTxPower } from './ubus-types.js';

// Shared with generic Linux's radios (iw): the TransmitPower percentages and the PHY rate tables.
export { dbmToPercent, maxBitRate, TX_POWER_SUPPORTED } from '../wifi-rates.js';

/** The `band` rpcd's freqlist gives each frequency (GHz, integral), by OperatingFrequencyBand. */
const FREQLIST_BAND: Record<string, number> = { '2.4GHz': 2, '5GHz': 5, '6GHz': 6 };

/**
 * PossibleChannels: the channels of the radio's band that the regulatory domain lets an access
 * point use. nl80211 leaves out the channels the domain disables; a channel flagged `restricted`
 * (NO_IR: no initiating radiation, e.g. 5.9 GHz in the US) may not start a BSS, so it is left out
 * too. DFS channels stay: the AP uses them after its channel availability check (iwinfo does not
 * flag them NO_IR). Ascending, no duplicates (a multi-radio phy lists every band: only the
 * radio's own is kept).
 */
export function possibleChannels(freqs: readonly IwinfoFreq[] | undefined, band: string | undefined): string {
  const want = band === undefined ? undefined : FREQLIST_BAND[band];
  const out = new Set<number>();
  for (const f of freqs ?? []) {
    if (f.restricted || typeof f.channel !== 'number') continue;
    if (want !== undefined && f.band !== undefined && f.band !== want) continue;
    out.add(f.channel);
  }
  return [...out].sort((a, b) => a - b).join(',');
}

/** The radio's full power: the highest `dbm` of its txpowerlist (undefined when it lists none). */
export function maxTxPower(list: readonly IwinfoTxPower[] | undefined): number | undefined {
  const dbm = (list ?? []).map((t) => t.dbm).filter((d): d is number => typeof d === 'number');
  return dbm.length === 0 ? undefined : Math.max(...dbm);
}

/** A percentage of full power as the whole dBm UCI `txpower` takes: 50 % of 23 dBm → 20 dBm. */
export function percentToDbm(percent: number, maxDbm: number): number {
  return Math.max(0, Math.round(maxDbm + 10 * Math.log10(percent / 100)));
}

/** The radio's entry of /etc/board.json's `wlan` (wifi-detect: one per phy, with nl80211's `info`). */
export interface BoardWlanEntry {
  path?: string;
  info?: { antenna_rx?: number; antenna_tx?: number; bands?: Record<string, { ht?: boolean; vht?: boolean; he?: boolean; eht?: boolean; max_width?: number; modes?: string[] }> };
}

/**
 * The board.json `wlan` entry of a UCI wifi-device: the one whose `path` is the radio's `path`
 * option (how OpenWrt's own detection names radios), else the one named by its `phy` option.
 */
export function boardEntry(wlan: Record<string, BoardWlanEntry> | undefined, config: Record<string, unknown>): BoardWlanEntry | undefined {
  if (!wlan) return undefined;
  const path = typeof config.path === 'string' ? config.path : undefined;
  const byPath = path === undefined ? undefined : Object.values(wlan).find((e) => e.path === path);
  return byPath ?? (typeof config.phy === 'string' ? wlan[config.phy] : undefined);
}

/**
 * Spatial streams: one per antenna chain the phy has on both sides (nl80211's available TX and
 * RX antenna bitmaps; the fewer of the two bounds a stream).
 */
export function spatialStreams(entry: BoardWlanEntry | undefined): number | undefined {
  const bits = (m: number | undefined): number => (m === undefined || m <= 0 ? 0 : m.toString(2).replace(/0/g, '').length);
  const n = Math.min(bits(entry?.info?.antenna_tx), bits(entry?.info?.antenna_rx));
  return n > 0 ? n : undefined;
}

/** A channel width in MHz from an htmode ("HE80" → 80, "HT40+" → 40, "EHT320" → 320). */
export function htmodeWidth(htmode: string): number | undefined {
  const m = /^(?:HT|VHT|HE|EHT)(\d+)/.exec(htmode);
  return m ? Number(m[1]) : htmode === 'NOHT' ? 20 : undefined;
}

/** board.json's band key ("2G", "5G", "6G") for an OperatingFrequencyBand. */
export function boardBandKey(band: string | undefined): string | undefined {
  return band === undefined ? undefined : ({ '2.4GHz': '2G', '5GHz': '5G', '6GHz': '6G' } as Record<string, string>)[band];
}

/**
 * ExtensionChannel from UCI `htmode`: OpenWrt's "HT40+"/"HT40-" fix the secondary channel above
 * or below the primary; every other mode leaves it to hostapd's channel plan (Auto).
 */
export function extensionChannel(htmode: unknown): string {
  if (htmode === 'HT40+') return 'AboveControlChannel';
  if (htmode === 'HT40-') return 'BelowControlChannel';
  return 'Auto';
}

/** The UCI options that advertise the short (400 ns) guard interval, one per HT/VHT width. */
export const SHORT_GI_OPTIONS = ['short_gi_20', 'short_gi_40', 'short_gi_80', 'short_gi_160'] as const;
