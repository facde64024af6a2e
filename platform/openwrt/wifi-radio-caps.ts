/**
 * What a Device.WiFi.Radio.{i} can do on OpenWrt (TR-181 WiFiRadio:1): PossibleChannels,
 * TransmitPowerSupported and the TransmitPower percentage, MaxBitRate, and the UCI options behind
 * ExtensionChannel, GuardInterval and IEEE80211hEnabled. Pure functions over the parsed answers
 * of `ubus call iwinfo freqlist`/`txpowerlist` (rpcd's iwinfo plugin) and the radio's
 * `wlan` entry of /etc/board.json (written by OpenWrt's wifi-detect from nl80211); no I/O.
 */
import type { IwinfoFreq, IwinfoTxPower } from './ubus-types.js';

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

/**
 * TransmitPowerSupported: percentages of full power (TR-181 counts power linearly, as mW).
 * The four TR-181's own example offers; each maps to whole dBm below the maximum (100 % is the
 * maximum, 50 % 3 dB less, 25 % 6 dB less), which the radio's txpowerlist always holds since
 * iwinfo lists every whole dBm from 0 to the maximum.
 */
export const TX_POWER_SUPPORTED = [25, 50, 75, 100] as const;

/** The radio's full power: the highest `dbm` of its txpowerlist (undefined when it lists none). */
export function maxTxPower(list: readonly IwinfoTxPower[] | undefined): number | undefined {
  const dbm = (list ?? []).map((t) => t.dbm).filter((d): d is number => typeof d === 'number');
  return dbm.length === 0 ? undefined : Math.max(...dbm);
}

/** A percentage of full power as the whole dBm UCI `txpower` takes: 50 % of 23 dBm → 20 dBm. */
export function percentToDbm(percent: number, maxDbm: number): number {
  return Math.max(0, Math.round(maxDbm + 10 * Math.log10(percent / 100)));
}

/**
 * A configured UCI `txpower` (dBm) as the TransmitPowerSupported item nearest to it in dB (the
 * driver caps a value above the maximum at the maximum: 100).
 */
export function dbmToPercent(dbm: number, maxDbm: number): number {
  let best: number = TX_POWER_SUPPORTED[TX_POWER_SUPPORTED.length - 1];
  let bestGap = Infinity;
  for (const p of TX_POWER_SUPPORTED) {
    const gap = Math.abs(Math.min(dbm, maxDbm) - (maxDbm + 10 * Math.log10(p / 100)));
    if (gap < bestGap) [best, bestGap] = [p, gap];
  }
  return best;
}

/** The radio's entry of /etc/board.json's `wlan` (wifi-detect: one per phy, with nl80211's `info`). */
export interface BoardWlanEntry {
  path?: string;
  info?: { antenna_rx?: number; antenna_tx?: number; bands?: Record<string, { ht?: boolean; vht?: boolean; he?: boolean; max_width?: number }> };
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

/**
 * Top PHY rate of one spatial stream in kbit/s, by standard and channel width: the highest MCS
 * with the shortest guard interval (IEEE 802.11-2020 and 802.11be rate tables): HT MCS 7 at
 * 400 ns, VHT MCS 9 (MCS 8 at 20 MHz, where 9 is not defined for one stream) at 400 ns, HE
 * MCS 11 and EHT MCS 13 at 0.8 µs.
 */
const STREAM_KBPS: Record<string, Record<number, number>> = {
  be: { 20: 172_100, 40: 344_100, 80: 720_600, 160: 1_441_200, 320: 2_882_400 },
  ax: { 20: 143_400, 40: 286_800, 80: 600_500, 160: 1_201_000 },
  ac: { 20: 86_700, 40: 200_000, 80: 433_300, 160: 866_700 },
  n: { 20: 72_200, 40: 150_000 },
};
/** Streams each standard defines at most. */
const MAX_STREAMS: Record<string, number> = { be: 16, ax: 8, ac: 8, n: 4 };
/** Legacy (single-stream) top rates, kbit/s. */
const LEGACY_KBPS: Record<string, number> = { a: 54_000, g: 54_000, b: 11_000 };

/**
 * MaxBitRate (Mbps): the PHY maximum of the radio's highest standard at its widest channel with
 * all its spatial streams. `standards` are TR-181 standard names ("a,n,ac,ax"), `widthMHz` the
 * widest channel the radio supports in that band.
 */
export function maxBitRate(standards: readonly string[], widthMHz: number, streams: number): number | undefined {
  for (const std of ['be', 'ax', 'ac', 'n']) {
    if (!standards.includes(std)) continue;
    const table = STREAM_KBPS[std];
    const width = Math.max(
      ...Object.keys(table)
        .map(Number)
        .filter((w) => w <= widthMHz),
      20,
    );
    return Math.floor((table[width] * Math.min(streams, MAX_STREAMS[std])) / 1000);
  }
  const legacy = standards.map((s) => LEGACY_KBPS[s] ?? 0);
  return legacy.length === 0 || Math.max(...legacy) === 0 ? undefined : Math.max(...legacy) / 1000;
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
