/**
 * Device.WiFi.Radio.{i}.MCS and GuardInterval on generic Linux (TR-181 WiFiRadio:1), as the
 * transmit bitrate mask of the radio's BSS interfaces (`iw dev <if> set bitrates`, nl80211's
 * NL80211_CMD_SET_TX_BITRATE_MASK; recorded in test/fixtures/linux/wifi-hostapd-radio-writes):
 * MCS n allows only HT MCS n (`ht-mcs-2.4 n` or `ht-mcs-5 n`, and on 5 GHz no VHT rate, so that
 * the HT index is the one sent), GuardInterval 400nsec forces the short guard interval (`sgi-…`),
 * 800nsec the long one (`lgi-…`); MCS -1 and Auto leave rate control free (`set bitrates` alone).
 * One command sets the whole mask, so both go together. The kernel does not report the mask:
 * they read as the agent wrote them (wifi-held.ts, with the band they were written for, so they
 * can be sent again when the agent or hostapd starts: wifi-reapply.ts).
 */
import type { Value } from '../../datamodel/value/Value.js';
import { invalid } from './wifi-write.js';

/** The Radio parameters written as the bitrate mask. */
export const BITRATE_PARAMS = ['MCS', 'GuardInterval'] as const;

/** HT MCS indexes go to 31 (four spatial streams); the radio's driver refuses those it has not (7002). */
const MAX_HT_MCS = 31;

/** iw's name of a band in `set bitrates`. */
const IW_BAND: Readonly<Record<string, string>> = { '2.4GHz': '2.4', '5GHz': '5' };

/** The MCS and guard interval a Set leaves the radio with, checked (7012). */
export function bitrateValues(changes: Record<string, Value>, held: { MCS: number; GuardInterval: string }, band: string | undefined): { MCS: number; GuardInterval: string } {
  const mcs = changes.MCS === undefined ? held.MCS : Number(changes.MCS);
  const gi = changes.GuardInterval === undefined ? held.GuardInterval : String(changes.GuardInterval);
  if (!Number.isInteger(mcs) || mcs < -1 || mcs > MAX_HT_MCS) throw invalid('MCS', `-1 (automatic) or an HT MCS index 0 to ${MAX_HT_MCS}`);
  if (!['400nsec', '800nsec', 'Auto'].includes(gi)) throw invalid('GuardInterval', '400nsec, 800nsec or Auto (802.11ax guard intervals are not set here)');
  if ((mcs !== -1 || gi !== 'Auto') && !IW_BAND[band ?? '']) throw invalid(changes.MCS === undefined ? 'GuardInterval' : 'MCS', `not set here on ${band ?? 'this band'}`);
  return { MCS: mcs, GuardInterval: gi };
}

/** The arguments after `iw dev <if> set bitrates` for `v` on `band`. */
export function bitrateArgs(v: { MCS: number; GuardInterval: string }, band: string | undefined): string[] {
  const b = IW_BAND[band ?? ''];
  if (!b) return [];
  const out: string[] = [];
  if (v.MCS !== -1) out.push(`ht-mcs-${b}`, String(v.MCS), ...(b === '5' ? ['vht-mcs-5'] : []));
  if (v.GuardInterval !== 'Auto') out.push(`${v.GuardInterval === '400nsec' ? 'sgi' : 'lgi'}-${b}`);
  return out;
}
