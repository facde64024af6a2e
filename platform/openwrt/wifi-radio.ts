/**
 * Device.WiFi.Radio.{i}. on OpenWrt (TR-181 WiFiRadio:1): one row per UCI wifi-device ("radio0",
 * "radio1"), live values from `iwinfo info` of the radio's first up interface and, while the
 * radio is down, from its UCI configuration as netifd reports it. What the radio can do comes
 * from one `iwinfo freqlist` and one `iwinfo txpowerlist` per radio (on its UCI name, which
 * iwinfo resolves to the phy, up or down) and from its /etc/board.json entry (wifi-radio-caps.ts).
 *
 * Writes go to UCI wireless.<radio>: Enable (disabled), Channel and AutoChannelEnable
 * (channel, "auto"), OperatingChannelBandwidth (htmode, keeping the HT/VHT/HE/EHT generation),
 * ExtensionChannel (htmode HT40+/HT40-/HT40, 802.11n 40 MHz only), TransmitPower (txpower in
 * dBm; 100 % deletes it: the driver's full power), GuardInterval (short_gi_20/40/80/160: all off
 * for 800nsec, deleted for Auto), IEEE80211hEnabled (ieee80211h), OperatingStandards (htmode's
 * generation, wifi-radio-modes.ts), RegulatoryDomain (country, country3), OperatingFrequencyBand
 * (band, among the phy's bands: wifi-radio-band.ts). MCS is -1 and read-only: OpenWrt has no
 * fixed-rate option for an access point, its rate control picks.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { RADIO_PARAMS } from '../wifi-bands.js';
import { bandwidthHtmode, channelsInUse, frequencyBand, htmodeBandwidth, standards, uciBand } from './convert.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { IwinfoFreqlist, IwinfoInfo, IwinfoTxPowerlist } from './ubus-types.js';
import { planWrite, type UciChange, type UciWriter } from './uci.js';
import { type RadioEntry, truthy, WIFI_RELOAD, type WiFiState } from './WiFiState.js';
import { bandChanges, supportedBands } from './wifi-radio-band.js';
import { currentMhz, operatingStandards, regulatoryDomainChanges, regulatoryDomainOf, standardsHtmode } from './wifi-radio-modes.js';
import {
  boardBandKey,
  type BoardWlanEntry,
  boardEntry,
  dbmToPercent,
  extensionChannel,
  htmodeWidth,
  maxBitRate,
  maxTxPower,
  percentToDbm,
  possibleChannels,
  SHORT_GI_OPTIONS,
  spatialStreams,
  TX_POWER_SUPPORTED,
} from './wifi-radio-caps.js';

/** What one read cycle fetched for a radio: its live BSS, its channels and power levels, its board entry. */
interface RadioSources {
  info?: IwinfoInfo;
  freqs: IwinfoFreqlist;
  power: IwinfoTxPowerlist;
  board?: BoardWlanEntry;
}

/** What a Set of a Radio changes (its planWrite writers): MCS follows its rate control, read-only. */
const RADIO_WRITABLE = [
  'Enable',
  'OperatingFrequencyBand',
  'Channel',
  'AutoChannelEnable',
  'OperatingChannelBandwidth',
  'OperatingStandards',
  'TransmitPower',
  'ExtensionChannel',
  'GuardInterval',
  'IEEE80211hEnabled',
  'RegulatoryDomain',
] as const;

/** Serves Device.WiFi.Radio.{i}. (its Stats are in wifi-stats.ts). */
export function registerWiFiRadios(ctx: OpenWrtContext, state: WiFiState, uci: UciWriter): void {
  const live = async (r: RadioEntry): Promise<IwinfoInfo | undefined> => {
    const ifname = r.ifaces.find((f) => f.ifname)?.ifname;
    return r.up && ifname ? state.info(ifname) : undefined;
  };
  const read = async (n: number | undefined): Promise<{ r: RadioEntry; src: RadioSources; values: Record<string, Value> }> => {
    const r = await state.radio(n);
    const [info, freqs, power, wlan] = await Promise.all([live(r), state.freqlist(r), state.txpowerlist(r), state.boardWlan()]);
    const src: RadioSources = { info, freqs, power, board: boardEntry(wlan, r.config) };
    return { r, src, values: radioValues(r, src) };
  };

  ctx.model.register('Device.WiFi.Radio.{i}.', {
    params: RADIO_PARAMS,
    writable: RADIO_WRITABLE,
    list: async () => state.radios.list((await state.read()).radios.keys()),
    get: async ([n]) => (await read(n)).values,
    set: async ([n], changes) => {
      const { r, src, values } = await read(n);
      // Channel and mode writers check against the band the radio has after this Set.
      const band = String(changes.OperatingFrequencyBand ?? values.OperatingFrequencyBand ?? '');
      const set = (option: string, value: string): UciChange[] => [{ section: r.name, option, value }];
      const remove = (option: string): UciChange[] => [{ section: r.name, option, value: '', remove: true }];
      const plan = planWrite(values, changes, {
        Enable: (v) => set('disabled', v ? '0' : '1'),
        OperatingFrequencyBand: (v, all) => bandChanges(v, all, { section: r.name, values, htmode: r.config.htmode, board: src.board, validChannel }),
        Channel: (v) => (validChannel(band, Number(v)) ? set('channel', String(v)) : `${v} is not a ${band || 'known'} channel`),
        AutoChannelEnable: (v, all) => {
          if (v) return set('channel', 'auto');
          const ch = all.Channel ?? values.Channel;
          return ch === undefined ? 'no current channel to keep; set Channel as well' : set('channel', String(ch));
        },
        OperatingChannelBandwidth: (v, all) => {
          // Both in one Set: the OperatingStandards writer makes the one htmode, at this width.
          if (all.OperatingStandards !== undefined) return bandwidthHtmode(String(v), 'EHT') ? [] : `${v} is not available on this radio`;
          const htmode = bandwidthHtmode(String(v), r.config.htmode);
          return htmode ? set('htmode', htmode) : `${v} is not available on this radio`;
        },
        TransmitPower: (v) => {
          if (v === 100) return r.config.txpower === undefined ? [] : remove('txpower');
          const max = maxTxPower(src.power.results);
          if (!(TX_POWER_SUPPORTED as readonly number[]).includes(Number(v))) return `must be one of ${TX_POWER_SUPPORTED.join(',')}`;
          return max === undefined ? 'the radio reports no transmit power levels' : set('txpower', String(percentToDbm(Number(v), max)));
        },
        ExtensionChannel: (v, all) => {
          const htmode = String(r.config.htmode ?? '');
          if (v === 'Auto') return htmode === 'HT40+' || htmode === 'HT40-' ? set('htmode', 'HT40') : [];
          if (!/^HT40[+-]?$/.test(htmode)) return 'only an 802.11n 40 MHz radio (htmode HT40) takes a fixed secondary channel; wider modes follow the channel plan';
          const above = v === 'AboveControlChannel';
          const ch = Number(all.Channel ?? values.Channel);
          if (Number.isFinite(ch) && !secondaryFits(band, ch, above)) return `${v} is not possible with channel ${ch} on ${band}`;
          return set('htmode', above ? 'HT40+' : 'HT40-');
        },
        GuardInterval: (v) => {
          if (v === 'Auto') return SHORT_GI_OPTIONS.filter((o) => r.config[o] !== undefined).flatMap(remove);
          if (v === '800nsec') return SHORT_GI_OPTIONS.flatMap((o) => set(o, '0'));
          return 'OpenWrt sets the short guard interval only as a capability (short_gi_* options): Auto or 800nsec';
        },
        OperatingStandards: (v, all) => {
          const bw = all.OperatingChannelBandwidth === undefined ? undefined : bandwidthHtmode(String(all.OperatingChannelBandwidth), 'EHT');
          const mhz = bw === undefined ? currentMhz(r.config.htmode) : currentMhz(bw);
          const r2 = standardsHtmode(String(v), band, supportedStandards(src, band || undefined), mhz, radioModes(src, band));
          return typeof r2 === 'string' ? r2 : set('htmode', r2.htmode);
        },
        RegulatoryDomain: (v) => regulatoryDomainChanges(r.name, String(v), r.config.country3 !== undefined),
        IEEE80211hEnabled: (v) => {
          if (v === true && values.IEEE80211hSupported !== true) return 'IEEE 802.11h (DFS and TPC) needs a 5GHz radio';
          return set('ieee80211h', v === true ? '1' : '0');
        },
      });
      await uci.apply('wireless', plan, WIFI_RELOAD);
      state.forget();
    },
  });
}

function radioValues(r: RadioEntry, src: RadioSources): Record<string, Value> {
  const { info } = src;
  const cfg = r.config;
  const auto = String(cfg.channel ?? 'auto') === 'auto';
  const values: Record<string, Value> = {
    Enable: !r.disabled,
    Status: r.up ? 'Up' : 'Down',
    Name: r.name,
    Upstream: false,
    AutoChannelSupported: true,
    AutoChannelEnable: auto,
    OperatingChannelBandwidth: htmodeBandwidth(cfg.htmode) ?? 'Auto',
    ChannelsInUse: '',
  };
  const band = frequencyBand(info?.frequency) ?? uciBand(cfg.band);
  if (band) values.OperatingFrequencyBand = band;
  const bands = supportedBands(src.board, band);
  if (bands.length > 0) values.SupportedFrequencyBands = bands.join(',');
  const channel = info?.channel ?? (auto ? undefined : Number(cfg.channel));
  if (channel !== undefined && channel >= 1 && channel <= 255) values.Channel = channel;
  const supported = supportedStandards(src, band);
  if (supported.length > 0) {
    values.SupportedStandards = supported.join(',');
    values.OperatingStandards = operatingStandards(band, supported, cfg.htmode);
  }
  if (info) {
    const widths = new Set((info.htmodes ?? []).map(htmodeBandwidth).filter((w): w is string => w !== undefined));
    values.SupportedOperatingChannelBandwidths = [...ORDERED_WIDTHS.filter((w) => widths.has(w)), 'Auto'].join(',');
    const current = htmodeBandwidth(info.htmode);
    if (current) {
      values.CurrentOperatingChannelBandwidth = current;
      values.ChannelsInUse = channelsInUse(info.center_chan1, current, info.channel);
    }
  }
  const domain = regulatoryDomainOf(info?.country ?? (typeof cfg.country === 'string' ? cfg.country : undefined), cfg.country3);
  if (domain) values.RegulatoryDomain = domain;
  values.PossibleChannels = possibleChannels(src.freqs.results, band);
  values.TransmitPowerSupported = TX_POWER_SUPPORTED.join(',');
  const max = maxTxPower(src.power.results);
  // No txpower in UCI: the driver runs at the regulatory maximum, full power.
  if (cfg.txpower === undefined) values.TransmitPower = 100;
  else if (max !== undefined && Number.isFinite(Number(cfg.txpower))) values.TransmitPower = dbmToPercent(Number(cfg.txpower), max);
  const rate = radioMaxBitRate(src, band);
  if (rate !== undefined) values.MaxBitRate = rate;
  values.ExtensionChannel = extensionChannel(cfg.htmode);
  const gi = SHORT_GI_OPTIONS.filter((o) => cfg[o] !== undefined);
  values.GuardInterval = gi.length > 0 && gi.every((o) => !truthy(cfg[o])) ? '800nsec' : 'Auto';
  values.MCS = -1;
  // Every 5 GHz radio does 802.11a; hostapd runs DFS and TPC (802.11h) where UCI leaves it on.
  values.IEEE80211hSupported = band === '5GHz';
  values.IEEE80211hEnabled = band === '5GHz' && (cfg.ieee80211h === undefined || truthy(cfg.ieee80211h));
  return values;
}

/** The standards the radio supports: iwinfo's hwmodes while a BSS is up, else its band's board.json capabilities. */
function supportedStandards(src: RadioSources, band: string | undefined): string[] {
  if (src.info?.hwmodes?.length)
    return standards(src.info.hwmodes)
      .split(',')
      .filter((s) => s !== '');
  const b = src.board?.info?.bands?.[boardBandKey(band) ?? ''];
  if (!b) return [];
  const out = band === '2.4GHz' ? ['b', 'g'] : ['a'];
  if (b.ht) out.push('n');
  if (b.vht && band !== '2.4GHz') out.push('ac');
  if (b.he) out.push('ax');
  if (b.eht) out.push('be');
  return out;
}

/** The htmodes the radio offers on its band: board.json's list, else iwinfo's htmodes (and NOHT); empty when neither says. */
function radioModes(src: RadioSources, band: string | undefined): string[] {
  const b = src.board?.info?.bands?.[boardBandKey(band) ?? ''];
  if (b?.modes?.length) return b.modes;
  return src.info?.htmodes?.length ? ['NOHT', ...src.info.htmodes] : [];
}

/**
 * MaxBitRate: the highest PHY rate over the (standard, widest width) pairs the radio supports,
 * times its spatial streams. The pairs come from `iwinfo info` htmodes while a BSS is up ("HE80"
 * → 802.11ax at 80 MHz), else from the band's board.json entry (ht/vht/he, max_width); streams
 * from board.json's antennas. Without a board.json entry the streams are unknown: not served.
 */
function radioMaxBitRate(src: RadioSources, band: string | undefined): number | undefined {
  const streams = spatialStreams(src.board);
  if (streams === undefined) return undefined;
  const pairs: Array<[string, number]> = [];
  const gen: Record<string, string> = { HT: 'n', VHT: 'ac', HE: 'ax', EHT: 'be' };
  if (src.info?.htmodes?.length) {
    for (const m of src.info.htmodes) {
      const std = gen[/^[A-Z]+/.exec(m)?.[0] ?? ''];
      const width = htmodeWidth(m);
      if (std && width) pairs.push([std, width]);
    }
  } else {
    const b = src.board?.info?.bands?.[boardBandKey(band) ?? ''];
    const width = b?.max_width ?? 20;
    if (b?.ht) pairs.push(['n', Math.min(width, 40)]);
    if (b?.vht) pairs.push(['ac', width]);
    if (b?.he) pairs.push(['ax', width]);
  }
  const legacy = band === '2.4GHz' ? ['b', 'g'] : band === undefined ? [] : ['a'];
  const rates = [...pairs.map(([std, width]) => maxBitRate([std], width, streams)), maxBitRate(legacy, 20, 1)];
  const known = rates.filter((x): x is number => x !== undefined);
  return known.length === 0 ? undefined : Math.max(...known);
}

/**
 * Whether an HT40 secondary channel above (or below) `ch` exists: on 2.4 GHz it must stay within
 * channels 1-13; on 5 GHz the 40 MHz pairs are fixed (36+40, 44+48, ..., 149+153), so the lower
 * channel of a pair takes Above and the upper one Below.
 */
function secondaryFits(band: string, ch: number, above: boolean): boolean {
  if (band === '2.4GHz') return above ? ch + 4 <= 13 : ch - 4 >= 1;
  if (band === '5GHz') return (Math.floor((ch >= 149 ? ch - 1 : ch) / 4) % 2 === 1) === above;
  return false;
}

const ORDERED_WIDTHS = ['20MHz', '40MHz', '80MHz', '160MHz', '80+80MHz', '320MHz-1', '320MHz-2'];

/** Primary 20 MHz channel numbers of each band (IEEE 802.11 channel plans, any country). */
function validChannel(band: string, ch: number): boolean {
  if (band === '2.4GHz') return ch >= 1 && ch <= 14;
  if (band === '5GHz') return ch >= 32 && ch <= 177 && ch % 2 === 0;
  if (band === '6GHz') return ch === 2 || (ch >= 1 && ch <= 233 && ch % 4 === 1);
  return false;
}
