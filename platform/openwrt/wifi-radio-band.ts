/**
 * Device.WiFi.Radio.{i}.SupportedFrequencyBands and OperatingFrequencyBand on OpenWrt: the UCI
 * wifi-device's `band` ('2g', '5g', '6g'), which OpenWrt's wifi scripts turn into hostapd's
 * hw_mode and the channel's frequency. A radio can move only to a band its phy has: the bands of
 * its /etc/board.json entry (wifi-detect fills them from nl80211). '60g' has no TR-181 value.
 *
 * A new band must keep a configuration hostapd can run: a fixed channel must be a channel of that
 * band, and the htmode a mode the phy offers there. When not, the Set must carry a new Channel
 * (or AutoChannelEnable true) and a new OperatingStandards or OperatingChannelBandwidth, else
 * the band is refused (7012) with nothing written.
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { UciChange } from './uci.js';
import { boardBandKey, type BoardWlanEntry } from './wifi-radio-caps.js';

/** TR-181 band → UCI `band`. */
const UCI_BAND: Readonly<Record<string, string>> = { '2.4GHz': '2g', '5GHz': '5g', '6GHz': '6g' };
const TR181_ORDER = ['2.4GHz', '5GHz', '6GHz'];

/** SupportedFrequencyBands: the phy's bands from board.json, else only the band it runs on. */
export function supportedBands(board: BoardWlanEntry | undefined, current: string | undefined): string[] {
  const keys = new Set(Object.keys(board?.info?.bands ?? {}));
  const fromBoard = TR181_ORDER.filter((b) => keys.has(boardBandKey(b) ?? ''));
  if (fromBoard.length > 0) return current !== undefined && !fromBoard.includes(current) ? [...fromBoard, current] : fromBoard;
  return current === undefined ? [] : [current];
}

/** What the band writer must know of the radio beside the Set. */
export interface BandContext {
  section: string;
  /** The radio's values before the Set (OperatingFrequencyBand, AutoChannelEnable, Channel). */
  values: Record<string, Value>;
  /** UCI `htmode` now. */
  htmode: unknown;
  board: BoardWlanEntry | undefined;
  /** Whether a band's primary channel number is valid there. */
  validChannel: (band: string, channel: number) => boolean;
}

/** The UCI change of an OperatingFrequencyBand Set, or why the radio cannot take it. */
export function bandChanges(value: Value, all: Record<string, Value>, c: BandContext): UciChange[] | string {
  const band = String(value);
  if (band === c.values.OperatingFrequencyBand) return [];
  const supported = supportedBands(c.board, typeof c.values.OperatingFrequencyBand === 'string' ? c.values.OperatingFrequencyBand : undefined);
  if (!supported.includes(band) || UCI_BAND[band] === undefined) return `this radio's phy has ${supported.join(', ') || 'no known band'}`;
  const auto = all.AutoChannelEnable ?? c.values.AutoChannelEnable;
  const channel = all.Channel ?? c.values.Channel;
  if (auto !== true && all.Channel === undefined && !(channel !== undefined && c.validChannel(band, Number(channel))))
    return `channel ${String(channel ?? '(none)')} is no ${band} channel: set Channel or AutoChannelEnable true in the same Set`;
  const modes = c.board?.info?.bands?.[boardBandKey(band) ?? '']?.modes;
  const htmode = String(c.htmode ?? '');
  if (all.OperatingStandards === undefined && all.OperatingChannelBandwidth === undefined && modes?.length && htmode !== '' && !modes.includes(htmode))
    return `htmode ${htmode} is not offered on ${band}: set OperatingStandards or OperatingChannelBandwidth in the same Set`;
  return [{ section: c.section, option: 'band', value: UCI_BAND[band] }];
}
