/**
 * What a Device.WiFi.Radio.{i} can do, in TR-181's units, whatever the platform reads it from
 * (iwinfo and board.json on OpenWrt, `iw` on generic Linux): the TransmitPower percentages and
 * the PHY rate tables behind MaxBitRate. Pure functions, no I/O.
 */

/**
 * TransmitPowerSupported: percentages of full power (TR-181 counts power linearly, as mW).
 * The four TR-181's own example offers; each maps to whole dBm below the maximum (100 % is the
 * maximum, 50 % 3 dB less, 25 % 6 dB less), which the radio's txpowerlist always holds since
 * iwinfo lists every whole dBm from 0 to the maximum.
 */
export const TX_POWER_SUPPORTED = [25, 50, 75, 100] as const;

/**
 * A transmit power in dBm (UCI `txpower`, `iw` txpower) as the TransmitPowerSupported item nearest to it in dB (the driver
 * caps a value above the maximum at the maximum: 100).
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
