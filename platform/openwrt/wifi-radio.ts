/**
 * Device.WiFi.Radio.{i}. on OpenWrt (TR-181 WiFiRadio:1 in part; docs/platform-mapping.md lists
 * what is missing): one row per UCI wifi-device ("radio0", "radio1"), live values from
 * `iwinfo info` of the radio's first up interface and, while the radio is down, from its UCI
 * configuration as netifd reports it.
 *
 * Writes go to UCI wireless.<radio>: Enable (disabled), Channel and AutoChannelEnable
 * (channel, "auto"), OperatingChannelBandwidth (htmode, keeping the HT/VHT/HE/EHT generation).
 *
 * TransmitPower is a percentage of the radio's maximum, which needs `iwinfo txpowerlist`; it
 * is served only when UCI leaves txpower unset, i.e. the driver runs at full power (100).
 */
import type { Value } from '../../datamodel/value/Value.js';
import { bandwidthHtmode, channelsInUse, frequencyBand, htmodeBandwidth, regulatoryDomain, standards, uciBand } from './convert.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { IwinfoInfo } from './ubus-types.js';
import { planWrite, type UciWriter } from './uci.js';
import { type RadioEntry, WIFI_RELOAD, type WiFiState } from './WiFiState.js';

/** Serves Device.WiFi.Radio.{i}. (its Stats are in wifi-stats.ts). */
export function registerWiFiRadios(ctx: OpenWrtContext, state: WiFiState, uci: UciWriter): void {
  const live = async (r: RadioEntry): Promise<IwinfoInfo | undefined> => {
    const ifname = r.ifaces.find((f) => f.ifname)?.ifname;
    return r.up && ifname ? state.info(ifname) : undefined;
  };
  const read = async (n: number | undefined): Promise<{ r: RadioEntry; values: Record<string, Value> }> => {
    const r = await state.radio(n);
    return { r, values: radioValues(r, await live(r)) };
  };

  ctx.model.register('Device.WiFi.Radio.{i}.', {
    params: [
      'Enable',
      'Status',
      'Name',
      'Upstream',
      'SupportedFrequencyBands',
      'OperatingFrequencyBand',
      'SupportedStandards',
      'OperatingStandards',
      'ChannelsInUse',
      'Channel',
      'AutoChannelSupported',
      'AutoChannelEnable',
      'SupportedOperatingChannelBandwidths',
      'OperatingChannelBandwidth',
      'CurrentOperatingChannelBandwidth',
      'TransmitPower',
      'RegulatoryDomain',
    ],
    list: async () => state.radios.list((await state.read()).radios.keys()),
    get: async ([n]) => (await read(n)).values,
    set: async ([n], changes) => {
      const { r, values } = await read(n);
      const band = String(values.OperatingFrequencyBand ?? '');
      const set = (option: string, value: string) => [{ section: r.name, option, value }];
      const plan = planWrite(values, changes, {
        Enable: (v) => set('disabled', v ? '0' : '1'),
        Channel: (v) => (validChannel(band, Number(v)) ? set('channel', String(v)) : `${v} is not a ${band || 'known'} channel`),
        AutoChannelEnable: (v, all) => {
          if (v) return set('channel', 'auto');
          const ch = all.Channel ?? values.Channel;
          return ch === undefined ? 'no current channel to keep; set Channel as well' : set('channel', String(ch));
        },
        OperatingChannelBandwidth: (v) => {
          const htmode = bandwidthHtmode(String(v), r.config.htmode);
          return htmode ? set('htmode', htmode) : `${v} is not available on this radio`;
        },
      });
      await uci.apply('wireless', plan, WIFI_RELOAD);
      state.forget();
    },
  });
}

function radioValues(r: RadioEntry, info: IwinfoInfo | undefined): Record<string, Value> {
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
  if (band) values.SupportedFrequencyBands = values.OperatingFrequencyBand = band;
  const channel = info?.channel ?? (auto ? undefined : Number(cfg.channel));
  if (channel !== undefined && channel >= 1 && channel <= 255) values.Channel = channel;
  if (info) {
    values.SupportedStandards = values.OperatingStandards = standards(info.hwmodes);
    const widths = new Set((info.htmodes ?? []).map(htmodeBandwidth).filter((w): w is string => w !== undefined));
    values.SupportedOperatingChannelBandwidths = [...ORDERED_WIDTHS.filter((w) => widths.has(w)), 'Auto'].join(',');
    const current = htmodeBandwidth(info.htmode);
    if (current) {
      values.CurrentOperatingChannelBandwidth = current;
      values.ChannelsInUse = channelsInUse(info.center_chan1, current, info.channel);
    }
  }
  const domain = regulatoryDomain(info?.country ?? (typeof cfg.country === 'string' ? cfg.country : undefined));
  if (domain) values.RegulatoryDomain = domain;
  if (cfg.txpower === undefined) values.TransmitPower = 100;
  return values;
}

const ORDERED_WIDTHS = ['20MHz', '40MHz', '80MHz', '160MHz', '80+80MHz', '320MHz-1', '320MHz-2'];

/** Primary 20 MHz channel numbers of each band (IEEE 802.11 channel plans, any country). */
function validChannel(band: string, ch: number): boolean {
  if (band === '2.4GHz') return ch >= 1 && ch <= 14;
  if (band === '5GHz') return ch >= 32 && ch <= 177 && ch % 2 === 0;
  if (band === '6GHz') return ch === 2 || (ch >= 1 && ch <= 233 && ch % 4 === 1);
  return false;
}
