/**
 * Device.WiFi.Radio.{i}. of the simulated gateway (TR-181 WiFiRadio:1): a tri-band Wi-Fi 6E
 * access point (2.4, 5 and 6 GHz) under the German/EU regulatory domain. Channel and the other
 * writable settings are validated against what each radio can do and persisted: ExtensionChannel
 * places a 2.4 GHz 40 MHz channel's secondary (5 and 6 GHz follow their channel plan), a fixed
 * MCS caps the stations' rates and GuardInterval scales them (wifi-stations.ts), RegulatoryDomain and
 * IEEE80211hEnabled decide the PossibleChannels (wifi-regulatory.ts: without 802.11h no DFS channel,
 * and the automatic selection moves off one). Its Stats are in wifi-stats.ts.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { Prng } from './random.js';
import { EnableClock, invalidParams, type LinkClock, nth, type SimContext, WritableRows } from './SimContext.js';
import { isDfsChannel, knownDomain, underDomain, underRules } from './wifi-regulatory.js';

export interface RadioDef {
  band: '2.4GHz' | '5GHz' | '6GHz';
  name: string;
  supportedStandards: string;
  /** Primary 20 MHz channels allowed by the factory regulatory domain (EU); wifi-regulatory.ts has the others. */
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

const range = (from: number, to: number, step: number): number[] => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

export const RADIOS: readonly RadioDef[] = [
  {
    band: '2.4GHz',
    name: 'wifi0',
    supportedStandards: 'b,g,n,ax',
    channels: range(1, 13, 1),
    startupChannels: [1, 6, 11],
    bondingBases: [],
    supportedBandwidths: '20MHz,40MHz,Auto',
    autoBandwidth: '20MHz',
    maxBitRate: 574,
    maxAssociations: 64,
    dfs: false,
    noiseFloor: -90,
  },
  {
    band: '5GHz',
    name: 'wifi1',
    supportedStandards: 'a,n,ac,ax',
    channels: [...range(36, 64, 4), ...range(100, 140, 4)],
    startupChannels: [36, 44, 100, 116],
    bondingBases: [36, 100],
    supportedBandwidths: '20MHz,40MHz,80MHz,160MHz,Auto',
    autoBandwidth: '80MHz',
    maxBitRate: 4804,
    maxAssociations: 128,
    dfs: true,
    noiseFloor: -95,
  },
  {
    // EU 6 GHz low-power indoor: 5945-6425 MHz, channels 1-93; start-up on preferred scanning channels.
    band: '6GHz',
    name: 'wifi2',
    supportedStandards: 'ax',
    channels: range(1, 93, 4),
    startupChannels: [5, 21, 37, 53, 69, 85],
    bondingBases: [1],
    supportedBandwidths: '20MHz,40MHz,80MHz,160MHz,Auto',
    autoBandwidth: '160MHz',
    maxBitRate: 4804,
    maxAssociations: 64,
    dfs: false,
    noiseFloor: -96,
  },
];

const TX_POWER_SUPPORTED = '25,50,75,100';

const WRITABLE = [
  'Enable',
  'Alias',
  'OperatingFrequencyBand',
  'OperatingStandards',
  'Channel',
  'AutoChannelEnable',
  'AutoChannelRefreshPeriod',
  'OperatingChannelBandwidth',
  'ExtensionChannel',
  'GuardInterval',
  'MCS',
  'TransmitPower',
  'IEEE80211hEnabled',
  'RegulatoryDomain',
  'BeaconPeriod',
] as const;

/** Device.WiFi.Radio.{i}. as served: one list for every gateway of a fleet (issue 14). */
const RADIO_PARAMS = [
  'Status',
  'Name',
  'LastChange',
  'MaxBitRate',
  'Upstream',
  'SupportedFrequencyBands',
  'SupportedStandards',
  'PossibleChannels',
  'ChannelsInUse',
  'AutoChannelSupported',
  'ChannelLastChange',
  'ChannelLastSelectionReason',
  'MaxSupportedSSIDs',
  'MaxSupportedAssociations',
  'FirmwareVersion',
  'SupportedOperatingChannelBandwidths',
  'CurrentOperatingChannelBandwidth',
  'TransmitPowerSupported',
  'IEEE80211hSupported',
  ...WRITABLE,
];

/** Told just before a radio changes in a way that stops, starts or restarts the BSSes on it. */
export interface RadioWatcher {
  /** Radio `r` goes up or down (`reload` false) or reloads its BSSes while it stays up (true). */
  radioChanging(r: RadioState, reload: boolean): void;
}

/** The live state other Wi-Fi objects read: is the radio up, and on which channel. */
export interface RadioState {
  /** Instance number of Device.WiFi.Radio.{i}. */
  index: number;
  def: RadioDef;
  clock: LinkClock;
  /** The radio's settings in effect (callable on its own: a reader may keep the function). */
  readonly row: () => Record<string, Value>;
  /** The same as `row()`, without making a function to call. */
  settings(): Record<string, Value>;
  /**
   * `watcher` is told just before the radio goes up or down and before a change that reloads
   * its BSSes while it stays up (OperatingStandards).
   */
  watch(watcher: RadioWatcher): void;
  /**
   * Channel changes since boot (Radio.{i}.Stats.TotalChannelChangeCount and
   * ManualChannelChangeCount): a Controller's moves, and those of the automatic selection it
   * switched back on (AutoChannelEnable); the simulation has no radar (DFS) and no periodic re-selection.
   */
  readonly channelChanges: Readonly<{ manual: number; auto: number }>;
}

/** What a radio no Controller moved reads: one object for every gateway of a fleet. */
const NO_CHANNEL_CHANGES = Object.freeze({ manual: 0, auto: 0 });

/**
 * One radio of one gateway. A class, so its methods are one copy for every gateway of a fleet
 * rather than closures per radio per gateway (issue 14).
 */
class Radio implements RadioState {
  readonly clock: LinkClock;
  readonly startupChannel: number;
  channelChangedAt: number;
  /** Set by a change of Channel in this run; otherwise derived from the configuration. */
  reason: string | undefined;
  /** Unset until the first channel change (most gateways of a fleet have none). */
  private changes: { manual: number; auto: number } | undefined;
  /** Unset until something watches (the BSSes on it do). */
  private watchers: RadioWatcher[] | undefined;

  constructor(
    readonly index: number,
    readonly def: RadioDef,
    readonly ctx: SimContext,
    readonly rows: WritableRows,
    rnd: Prng,
  ) {
    this.clock = new EnableClock(ctx, rows, index, rnd.int(4_000, 9_000)); // driver and firmware load
    this.startupChannel = rnd.pick(def.startupChannels);
    this.channelChangedAt = ctx.bootedAt;
  }

  /**
   * A getter making the function on each read, rather than a function kept per radio: readers
   * call it now or keep it (the temperature sensors destructure it).
   */
  get row(): () => Record<string, Value> {
    return () => this.settings();
  }

  /**
   * The radio's settings in effect: while AutoChannelEnable is true the Channel is the one the
   * automatic selection picked (TR-181: it MUST be), the seeded least busy start-up channel.
   */
  settings(): Record<string, Value> {
    const row = this.rows.row([this.index]);
    return row.AutoChannelEnable === true ? { ...row, Channel: this.autoChannel(row.IEEE80211hEnabled) } : row;
  }

  /**
   * The automatic selection's channel: the seeded start-up one, or, while 802.11h is off and that
   * one needs DFS, the first start-up channel that does not.
   */
  autoChannel(ieee80211h: Value | undefined): number {
    if (ieee80211h !== false || !isDfsChannel(this.def.band, this.startupChannel)) return this.startupChannel;
    return this.def.startupChannels.find((c) => !isDfsChannel(this.def.band, c)) ?? this.startupChannel;
  }

  get channelChanges(): Readonly<{ manual: number; auto: number }> {
    return this.changes ?? NO_CHANNEL_CHANGES;
  }

  /** A change of Channel: by the automatic selection (`auto`) or by hand. */
  countChannelChange(auto: boolean): void {
    const changes = (this.changes ??= { manual: 0, auto: 0 });
    if (auto) changes.auto++;
    else changes.manual++;
  }

  watch(watcher: RadioWatcher): void {
    // concat, not push: a push leaves room for 16 more, per radio of every fleet gateway (issue 14).
    this.watchers = (this.watchers ?? []).concat(watcher);
  }

  notify(reload: boolean): void {
    for (const w of this.watchers ?? []) w.radioChanging(this, reload);
  }

  /** Values before any write: the factory configuration. */
  defaults(): Record<string, Value> {
    return {
      Enable: true,
      Alias: `cpe-${this.def.name}`,
      OperatingFrequencyBand: this.def.band,
      OperatingStandards: this.def.supportedStandards,
      Channel: this.startupChannel,
      AutoChannelEnable: true,
      AutoChannelRefreshPeriod: 0,
      OperatingChannelBandwidth: 'Auto',
      GuardInterval: 'Auto',
      TransmitPower: 100,
      IEEE80211hEnabled: this.def.dfs,
      RegulatoryDomain: 'DE ',
      BeaconPeriod: 100,
      // The secondary 20 MHz of a 40 MHz channel follows the primary (HT40+/-); MCS -1 is auto rate.
      ExtensionChannel: 'Auto',
      MCS: -1,
    };
  }
}

const RADIO_INSTANCES = RADIOS.map((_, i) => i + 1);

/** Device.WiFi.Radio.{i}. over one gateway's radios; its methods are shared by every gateway (prototype). */
class RadioBinding implements ObjectBinding {
  readonly params = RADIO_PARAMS;

  constructor(private readonly radios: readonly Radio[]) {}

  list(): number[] {
    return [...RADIO_INSTANCES];
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const r = nth(this.radios, keys[0]);
    const row = r.settings();
    const def = underRules(r.def, String(row.RegulatoryDomain), row.IEEE80211hEnabled !== false);
    const bandwidth = currentBandwidth(def, row);
    return {
      ...row,
      Status: r.clock.up ? 'Up' : 'Down',
      Name: r.def.name,
      LastChange: r.clock.lastChange(),
      MaxBitRate: r.def.maxBitRate,
      Upstream: false,
      SupportedFrequencyBands: r.def.band,
      SupportedStandards: r.def.supportedStandards,
      PossibleChannels: def.channels.join(','),
      ChannelsInUse: r.clock.up ? channelsInUse(def, Number(row.Channel), bandwidth, String(row.ExtensionChannel)).join(',') : '',
      AutoChannelSupported: true,
      ChannelLastChange: Math.max(0, Math.floor((r.ctx.now() - r.channelChangedAt) / 1000)),
      // A channel configured before this boot (persisted) was a manual choice too.
      ChannelLastSelectionReason: r.reason ?? (row.Channel === r.autoChannel(row.IEEE80211hEnabled) ? 'Auto_Startup' : 'Manual'),
      MaxSupportedSSIDs: 16,
      MaxSupportedAssociations: r.def.maxAssociations,
      FirmwareVersion: 'WLAN.HK.2.9.0.1-01890-QCAHKSWPL_SILICONZ-1',
      SupportedOperatingChannelBandwidths: r.def.supportedBandwidths,
      CurrentOperatingChannelBandwidth: bandwidth,
      TransmitPowerSupported: TX_POWER_SUPPORTED,
      IEEE80211hSupported: r.def.dfs,
    };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const r = nth(this.radios, keys[0]);
    const before = r.settings();
    const autoPick = r.autoChannel(changes.IEEE80211hEnabled ?? before.IEEE80211hEnabled);
    // The selection's own channel with it is accepted: that is how a rolled-back manual Channel
    // hands the radio back to the automatic selection (Transaction.set undoes both).
    if (changes.Channel !== undefined && changes.AutoChannelEnable === true && changes.Channel !== autoPick) {
      throw invalidParams([{ param: 'Channel', message: 'a channel cannot be chosen while AutoChannelEnable is set true: the automatic selection picks it' }]);
    }
    // A channel chosen by hand ends the automatic selection (as channel=<n> replaces channel=auto
    // in a driver's configuration); switching it back on selects a channel at once.
    if (changes.Channel !== undefined && changes.AutoChannelEnable === undefined) changes.AutoChannelEnable = false;
    const auto = changes.AutoChannelEnable === true && before.AutoChannelEnable !== true;
    if (auto) changes.Channel = autoPick;
    const merged = { ...before, ...changes };
    // 802.11h switched while the selection runs: it picks again (off a DFS channel, or back to its own).
    if (merged.AutoChannelEnable === true) merged.Channel = autoPick;
    if (changes.RegulatoryDomain !== undefined && !knownDomain(String(changes.RegulatoryDomain))) {
      throw invalidParams([{ param: 'RegulatoryDomain', message: 'this radio has channel rules for the EU/CEPT countries, US, CA and JP (e.g. "US ", "FRI")' }]);
    }
    const domain = String(merged.RegulatoryDomain);
    validateRadio(underRules(r.def, domain, merged.IEEE80211hEnabled !== false), changes, merged, underDomain(r.def, domain));
    if (changes.Channel !== undefined && changes.Channel !== before.Channel) {
      r.channelChangedAt = r.ctx.now();
      r.reason = auto ? 'Auto_User' : 'Manual';
      r.countChannelChange(auto);
    } else if (auto) r.reason = 'Auto_User';
    else if (changes.Channel === undefined && merged.Channel !== before.Channel) {
      r.channelChangedAt = r.ctx.now();
      r.reason = 'Auto_User';
      r.countChannelChange(true);
    }
    if (changes.Enable !== undefined && changes.Enable !== r.clock.up) {
      r.notify(false);
      r.clock.setUp(changes.Enable === true);
    } else if (changes.OperatingStandards !== undefined && changes.OperatingStandards !== r.rows.row(keys).OperatingStandards) {
      // New standards reload the BSSes, as hostapd does (hw_mode, ieee80211n/ac/ax): every
      // station associates again, in the best standard both sides still have.
      r.notify(true);
    }
    r.rows.apply(keys, changes);
  }
}

/** Serves Device.WiFi.Radio.{i}. (1 = 2.4 GHz, 2 = 5 GHz, 3 = 6 GHz); returns each radio's state. */
export function registerWiFiRadios(ctx: SimContext): RadioState[] {
  const rnd = new Prng(ctx.seed, 'wifi-radio');
  const radios: Radio[] = [];
  // WritableRows takes a function: the one closure of the radios per gateway.
  const rows = new WritableRows(ctx, 'Device.WiFi.Radio.{i}.', (keys) => nth(radios, keys[0]).defaults());
  for (const [i, def] of RADIOS.entries()) radios.push(new Radio(i + 1, def, ctx, rows, rnd));
  ctx.model.register('Device.WiFi.Radio.{i}.', new RadioBinding(radios));
  return radios;
}

/**
 * Refuses (7012) values the schema allows but this radio cannot do; nothing is applied then.
 * `def` is the radio under its rules (domain and 802.11h), `full` under its domain alone.
 */
function validateRadio(def: RadioDef, changes: Record<string, Value>, merged: Record<string, Value>, full: RadioDef): void {
  const bad: Array<{ param: string; message: string }> = [];
  if (changes.ExtensionChannel !== undefined || changes.Channel !== undefined) {
    const ext = String(merged.ExtensionChannel);
    const wanted = extensionOf(def, Number(merged.Channel), ext);
    if (ext !== 'Auto' && wanted !== ext) {
      bad.push({ param: 'ExtensionChannel', message: `${ext} is not possible with channel ${merged.Channel} on ${def.band}${wanted ? ` (${wanted} or Auto)` : ''}` });
    }
  }
  const { Channel, OperatingFrequencyBand, OperatingStandards, OperatingChannelBandwidth, TransmitPower, IEEE80211hEnabled, RegulatoryDomain } = changes;
  if (Channel !== undefined && !def.channels.includes(Number(Channel))) {
    bad.push({ param: 'Channel', message: `channel ${Channel} is not one of this ${def.band} radio's PossibleChannels (${def.channels.join(',')})` });
  } else if (RegulatoryDomain !== undefined && !def.channels.includes(Number(merged.Channel))) {
    bad.push({ param: 'RegulatoryDomain', message: `channel ${merged.Channel} is not allowed in ${String(RegulatoryDomain).trim()}: choose another Channel (or AutoChannelEnable) first` });
  }
  if (OperatingFrequencyBand !== undefined && OperatingFrequencyBand !== def.band) {
    bad.push({ param: 'OperatingFrequencyBand', message: `this radio only supports ${def.band}` });
  }
  if (OperatingStandards !== undefined) {
    const supported = def.supportedStandards.split(',');
    const wanted = String(OperatingStandards)
      .split(',')
      .filter((s) => s !== '');
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
  // Without 802.11h no channel of the block may need DFS (160 MHz from 36 bonds 52-64).
  if (merged.IEEE80211hEnabled === false && full.dfs && !bad.some((b) => b.param === 'Channel')) {
    const dfs = channelsInUse(full, Number(merged.Channel), currentBandwidth(full, merged), String(merged.ExtensionChannel)).filter((c) => isDfsChannel(full.band, c));
    if (dfs.length > 0) {
      const param = ['IEEE80211hEnabled', 'OperatingChannelBandwidth', 'Channel', 'ExtensionChannel', 'AutoChannelEnable', 'RegulatoryDomain'].find((p) => p in changes) ?? Object.keys(changes)[0]!;
      bad.push({ param, message: `channels ${dfs.join(',')} need DFS (802.11h): without it the radio keeps to ${def.channels.join(',')} (choose a Channel or bandwidth there first)` });
    }
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
export function channelsInUse(def: RadioDef, primary: number, bandwidth: string, extension = 'Auto'): number[] {
  const width = Math.max(1, parseInt(bandwidth, 10) / 20 || 1);
  if (width === 1) return [primary];
  if (def.bondingBases.length === 0) {
    const above = extension === 'Auto' ? primary + 4 <= 13 : extension === 'AboveControlChannel';
    return above ? [primary, primary + 4] : [primary - 4, primary];
  }
  const base = Math.max(...def.bondingBases.filter((b) => b <= primary));
  const start = base + Math.floor((primary - base) / (4 * width)) * 4 * width;
  return range(start, start + 4 * (width - 1), 4).filter((c) => def.channels.includes(c));
}

/**
 * Where the secondary 20 MHz channel of a 40 MHz channel can sit for `primary`: in 2.4 GHz
 * either side that stays inside channels 1-13 ("" for ExtensionChannel Auto's choice when
 * both fit); in 5 and 6 GHz the channel plan fixes it (the pair aligned to the bonding base).
 */
function extensionOf(def: RadioDef, primary: number, asked: string): string {
  if (def.bondingBases.length === 0) {
    const above = primary + 4 <= 13;
    const below = primary - 4 >= 1;
    if (asked === 'AboveControlChannel' && above) return asked;
    if (asked === 'BelowControlChannel' && below) return asked;
    return above ? 'AboveControlChannel' : 'BelowControlChannel';
  }
  const base = Math.max(...def.bondingBases.filter((b) => b <= primary));
  return ((primary - base) / 4) % 2 === 0 ? 'AboveControlChannel' : 'BelowControlChannel';
}
