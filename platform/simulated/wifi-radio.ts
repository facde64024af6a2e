/**
 * Device.WiFi.Radio.{i}. of the simulated gateway (TR-181 WiFiRadio:2): a tri-band Wi-Fi 6E
 * access point (2.4, 5 and 6 GHz) under the German/EU regulatory domain. Channel and the other
 * writable settings are validated against what each radio can do and persisted.
 */
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { Prng } from './random.js';
import { invalidParams, LinkClock, nth, type SimContext, WritableRows } from './SimContext.js';

export interface RadioDef {
  band: '2.4GHz' | '5GHz' | '6GHz';
  name: string;
  supportedStandards: string;
  /** Primary 20 MHz channels allowed by the regulatory domain (EU). */
  channels: readonly number[];
  /** What the auto channel selection picks from at start-up (non-overlapping / PSC channels). */
  startupChannels: readonly number[];
  /** First channel of each run of channels that bond into 40/80/160 MHz blocks. */
  bondingBases: readonly number[];
  supportedBandwidths: string;
  /** What "Auto" bandwidth settles on. */
  autoBandwidth: string;
  maxBitRate: number;
  maxAssociations: number;
  dfs: boolean;
  /** Typical noise floor, dBm, for the associated stations' SNR. */
  noiseFloor: number;
}

const range = (from: number, to: number, step: number): number[] =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

export const RADIOS: readonly RadioDef[] = [
  {
    band: '2.4GHz', name: 'wifi0', supportedStandards: 'b,g,n,ax', channels: range(1, 13, 1),
    startupChannels: [1, 6, 11], bondingBases: [], supportedBandwidths: '20MHz,40MHz,Auto',
    autoBandwidth: '20MHz', maxBitRate: 574, maxAssociations: 64, dfs: false, noiseFloor: -90,
  },
  {
    band: '5GHz', name: 'wifi1', supportedStandards: 'a,n,ac,ax', channels: [...range(36, 64, 4), ...range(100, 140, 4)],
    startupChannels: [36, 44, 100, 116], bondingBases: [36, 100], supportedBandwidths: '20MHz,40MHz,80MHz,160MHz,Auto',
    autoBandwidth: '80MHz', maxBitRate: 4804, maxAssociations: 128, dfs: true, noiseFloor: -95,
  },
  {
    // EU 6 GHz low-power indoor: 5945-6425 MHz, channels 1-93; start-up on preferred scanning channels.
    band: '6GHz', name: 'wifi2', supportedStandards: 'ax', channels: range(1, 93, 4),
    startupChannels: [5, 21, 37, 53, 69, 85], bondingBases: [1], supportedBandwidths: '20MHz,40MHz,80MHz,160MHz,Auto',
    autoBandwidth: '160MHz', maxBitRate: 4804, maxAssociations: 64, dfs: false, noiseFloor: -96,
  },
];

const TX_POWER_SUPPORTED = '25,50,75,100';

const WRITABLE = ['Enable', 'Alias', 'OperatingFrequencyBand', 'OperatingStandards', 'Channel', 'AutoChannelEnable',
  'AutoChannelRefreshPeriod', 'OperatingChannelBandwidth', 'GuardInterval', 'TransmitPower', 'IEEE80211hEnabled',
  'RegulatoryDomain', 'BeaconPeriod'] as const;

/** The live state other Wi-Fi objects read: is the radio up, and on which channel. */
export interface RadioState { def: RadioDef; clock: LinkClock; row: () => Record<string, Value> }

/** Serves Device.WiFi.Radio.{i}. (1 = 2.4 GHz, 2 = 5 GHz, 3 = 6 GHz); returns each radio's state. */
export function registerWiFiRadios(ctx: SimContext): RadioState[] {
  const rnd = new Prng(ctx.seed, 'wifi-radio');
  const radios = RADIOS.map((def, i) => ({
    def,
    clock: new LinkClock(ctx, () => rows.row([i + 1]).Enable === true, rnd.int(4_000, 9_000)), // driver and firmware load
    startupChannel: rnd.pick(def.startupChannels),
    channelChangedAt: ctx.bootedAt,
    /** Set by a change of Channel in this run; otherwise derived from the configuration. */
    reason: undefined as string | undefined,
  }));
  const at = (keys: InstanceKeys) => nth(radios, keys[0]);
  const rows: WritableRows = new WritableRows(ctx, 'Device.WiFi.Radio.{i}.', (keys) => {
    const r = at(keys);
    return {
      Enable: true, Alias: `cpe-${r.def.name}`, OperatingFrequencyBand: r.def.band,
      OperatingStandards: r.def.supportedStandards, Channel: r.startupChannel, AutoChannelEnable: true,
      AutoChannelRefreshPeriod: 0, OperatingChannelBandwidth: 'Auto', GuardInterval: 'Auto', TransmitPower: 100,
      IEEE80211hEnabled: r.def.dfs, RegulatoryDomain: 'DE ', BeaconPeriod: 100,
    };
  });

  ctx.model.register('Device.WiFi.Radio.{i}.', {
    params: ['Status', 'Name', 'LastChange', 'MaxBitRate', 'Upstream', 'SupportedFrequencyBands', 'SupportedStandards',
      'PossibleChannels', 'ChannelsInUse', 'AutoChannelSupported', 'ChannelLastChange', 'ChannelLastSelectionReason',
      'MaxSupportedSSIDs', 'MaxSupportedAssociations', 'FirmwareVersion', 'SupportedOperatingChannelBandwidths',
      'CurrentOperatingChannelBandwidth', 'TransmitPowerSupported', 'IEEE80211hSupported', ...WRITABLE],
    list: () => radios.map((_, i) => i + 1),
    get: (keys) => {
      const r = at(keys);
      const row = rows.row(keys);
      const bandwidth = currentBandwidth(r.def, row);
      return {
        ...row,
        Status: r.clock.up ? 'Up' : 'Down',
        Name: r.def.name,
        LastChange: r.clock.lastChange(),
        MaxBitRate: r.def.maxBitRate,
        Upstream: false,
        SupportedFrequencyBands: r.def.band,
        SupportedStandards: r.def.supportedStandards,
        PossibleChannels: r.def.channels.join(','),
        ChannelsInUse: r.clock.up ? channelsInUse(r.def, Number(row.Channel), bandwidth).join(',') : '',
        AutoChannelSupported: true,
        ChannelLastChange: Math.max(0, Math.floor((ctx.now() - r.channelChangedAt) / 1000)),
        // A channel configured before this boot (persisted) was a manual choice too.
        ChannelLastSelectionReason: r.reason ?? (row.Channel === r.startupChannel ? 'Auto_Startup' : 'Manual'),
        MaxSupportedSSIDs: 16,
        MaxSupportedAssociations: r.def.maxAssociations,
        FirmwareVersion: 'WLAN.HK.2.9.0.1-01890-QCAHKSWPL_SILICONZ-1',
        SupportedOperatingChannelBandwidths: r.def.supportedBandwidths,
        CurrentOperatingChannelBandwidth: bandwidth,
        TransmitPowerSupported: TX_POWER_SUPPORTED,
        IEEE80211hSupported: r.def.dfs,
      };
    },
    set: (keys, changes) => {
      const r = at(keys);
      validateRadio(r.def, changes);
      if (changes.Channel !== undefined && changes.Channel !== rows.row(keys).Channel) {
        r.channelChangedAt = ctx.now();
        r.reason = 'Manual';
      }
      if (changes.Enable !== undefined) r.clock.setUp(changes.Enable === true);
      rows.apply(keys, changes);
    },
  });
  return radios.map((r, i) => ({ def: r.def, clock: r.clock, row: () => rows.row([i + 1]) }));
}

/** Refuses (7012) values the schema allows but this radio cannot do; nothing is applied then. */
function validateRadio(def: RadioDef, changes: Record<string, Value>): void {
  const bad: Array<{ param: string; message: string }> = [];
  const { Channel, OperatingFrequencyBand, OperatingStandards, OperatingChannelBandwidth, TransmitPower, IEEE80211hEnabled } = changes;
  if (Channel !== undefined && !def.channels.includes(Number(Channel))) {
    bad.push({ param: 'Channel', message: `channel ${Channel} is not one of this ${def.band} radio's PossibleChannels (${def.channels.join(',')})` });
  }
  if (OperatingFrequencyBand !== undefined && OperatingFrequencyBand !== def.band) {
    bad.push({ param: 'OperatingFrequencyBand', message: `this radio only supports ${def.band}` });
  }
  if (OperatingStandards !== undefined) {
    const supported = def.supportedStandards.split(',');
    const wanted = String(OperatingStandards).split(',').filter((s) => s !== '');
    if (wanted.length === 0 || wanted.some((s) => !supported.includes(s))) {
      bad.push({ param: 'OperatingStandards', message: `must be a non-empty subset of ${def.supportedStandards}` });
    }
  }
  if (OperatingChannelBandwidth !== undefined && !def.supportedBandwidths.split(',').includes(String(OperatingChannelBandwidth))) {
    bad.push({ param: 'OperatingChannelBandwidth', message: `must be one of ${def.supportedBandwidths}` });
  }
  if (TransmitPower !== undefined && TransmitPower !== -1 && !TX_POWER_SUPPORTED.split(',').includes(String(TransmitPower))) {
    bad.push({ param: 'TransmitPower', message: `must be -1 (auto) or one of ${TX_POWER_SUPPORTED}` });
  }
  if (IEEE80211hEnabled === true && !def.dfs) {
    bad.push({ param: 'IEEE80211hEnabled', message: `802.11h does not apply to ${def.band}` });
  }
  if (bad.length > 0) throw invalidParams(bad);
}

function currentBandwidth(def: RadioDef, row: Record<string, Value>): string {
  const set = String(row.OperatingChannelBandwidth);
  return set === 'Auto' ? def.autoBandwidth : set;
}

/**
 * The 20 MHz channels the radio occupies: the primary plus the channels bonded with it. In 5
 * and 6 GHz a block is aligned to its band's bonding base; in 2.4 GHz a 40 MHz secondary sits
 * four channels above the primary (or below, near the top of the band).
 */
export function channelsInUse(def: RadioDef, primary: number, bandwidth: string): number[] {
  const width = Math.max(1, parseInt(bandwidth, 10) / 20 || 1);
  if (width === 1) return [primary];
  if (def.bondingBases.length === 0) return primary + 4 <= 13 ? [primary, primary + 4] : [primary - 4, primary];
  const base = Math.max(...def.bondingBases.filter((b) => b <= primary));
  const start = base + Math.floor((primary - base) / (4 * width)) * 4 * width;
  return range(start, start + 4 * (width - 1), 4).filter((c) => def.channels.includes(c));
}
