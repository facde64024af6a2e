/**
 * Device.WiFi.Radio.{i}. and its Stats on generic Linux (TR-181 WiFiRadio:1): one row
 * per phy that runs at least one hostapd BSS. The operating values (band, channel, width,
 * standards in use) are hostapd's `status` and `iw dev` of its first BSS; what the radio can do
 * is `iw phy <phy> info` (bands, HT/VHT/HE/EHT capabilities, antennas, power limits) and
 * `iw phy <phy> channels` (what the regulatory domain allows), the country `iw reg get`. Channel
 * is written (`chan_switch`, wifi-write.ts) within PossibleChannels; the rest is read-only here.
 *
 * Radio.Stats is what the radio carried: the sum of its BSS interfaces' kernel counters
 * (/sys/class/net/<if>/statistics), as on OpenWrt.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { channelsInUse, frequencyBand, regulatoryDomain, standards } from '../wifi-bands.js';
import { dbmToPercent, maxBitRate, TX_POWER_SUPPORTED } from '../wifi-rates.js';
import type { LinuxContext } from './LinuxContext.js';
import { counter } from './net-stats.js';
import type { IwBand, IwChannel, IwPhy } from './wifi-iw.js';
import type { WiFiBss, WiFiSource } from './WiFiSource.js';
import { type HostapdWriter, invalid } from './wifi-write.js';

const BAND_ORDER = ['2.4GHz', '5GHz', '6GHz'];
/** A Set of a Radio switches its channel only (see set). */
const RADIO_WRITABLE = ['Channel'] as const;

/** The standards a band of the phy supports, by its nl80211 capabilities. */
export function bandStandards(b: IwBand): string[] {
  const legacy = b.band === '2.4GHz' ? ['b', 'g'] : b.band === '5GHz' ? ['a'] : [];
  return [...legacy, ...(b.ht && b.band !== '6GHz' ? ['n'] : []), ...(b.vht && b.band === '5GHz' ? ['ac'] : []), ...(b.he ? ['ax'] : []), ...(b.eht ? ['be'] : [])];
}

/** The standards a BSS runs, by hostapd's ieee80211n/ac/ax switches. */
export function bssStandards(bss: WiFiBss, band: string | undefined): string[] {
  const legacy = band === '2.4GHz' ? ['b', 'g'] : band === '5GHz' ? ['a'] : [];
  return [...legacy, ...(bss.ieee80211n ? ['n'] : []), ...(bss.ieee80211ac && band === '5GHz' ? ['ac'] : []), ...(bss.ieee80211ax ? ['ax'] : [])];
}

/** An IEEE 802.11 channel number of a centre frequency (MHz). */
function channelOf(mhz: number): number | undefined {
  if (mhz >= 2412 && mhz <= 2472) return (mhz - 2407) / 5;
  if (mhz >= 5955 && mhz <= 7115) return (mhz - 5950) / 5;
  if (mhz >= 4900 && mhz < 5955) return (mhz - 5000) / 5;
  return undefined;
}

/** PossibleChannels: the band's channels the domain leaves enabled and lets an AP start on (not No IR). */
export function possibleChannels(channels: readonly IwChannel[], band: string | undefined): string {
  const out = new Set(channels.filter((c) => c.band === band && !c.disabled && !c.noIr).map((c) => c.channel));
  return [...out].sort((a, b) => a - b).join(',');
}

/** Number of bits set in an antenna bitmap. */
function bits(m: number): number {
  return m > 0 ? m.toString(2).replace(/0/g, '').length : 0;
}

/** One Radio row from its first BSS and its phy's capabilities. */
export function radioValues(phyName: string, bsses: readonly WiFiBss[], phy: IwPhy | undefined, channels: readonly IwChannel[], country: string | undefined): Record<string, Value> {
  const bss = bsses[0];
  const up = bsses.some((b) => b.state === 'ENABLED');
  const band = frequencyBand(bss?.freq ?? bss?.iw?.freq);
  const caps = phy?.bands.find((b) => b.band === band);
  const width = bss?.iw?.widthMHz;
  const values: Record<string, Value> = {
    Enable: bsses.some((b) => b.state !== 'DISABLED'),
    Status: up ? 'Up' : 'Down',
    Name: phyName,
    Upstream: false,
    // hostapd picks a channel itself only when started with channel=0 (ACS), which is not reported here.
    AutoChannelSupported: false,
    AutoChannelEnable: false,
    TransmitPowerSupported: TX_POWER_SUPPORTED.join(','),
    GuardInterval: 'Auto',
    MCS: -1,
    IEEE80211hSupported: band === '5GHz',
    ExtensionChannel: bss?.secondaryChannel === 1 ? 'AboveControlChannel' : bss?.secondaryChannel === -1 ? 'BelowControlChannel' : 'Auto',
  };
  const supportedBands = BAND_ORDER.filter((b) => phy?.bands.some((x) => x.band === b));
  if (supportedBands.length > 0) values.SupportedFrequencyBands = supportedBands.join(',');
  if (band) values.OperatingFrequencyBand = band;
  if (caps) values.SupportedStandards = standards(bandStandards(caps));
  if (bss) values.OperatingStandards = standards(bssStandards(bss, band));
  const channel = bss?.channel ?? bss?.iw?.channel;
  if (channel !== undefined && channel >= 1 && channel <= 255) values.Channel = channel;
  values.PossibleChannels = possibleChannels(channels, band);
  if (caps) values.SupportedOperatingChannelBandwidths = ['20MHz', ...(caps.ht40 ? ['40MHz'] : []), ...(caps.vht ? ['80MHz'] : []), ...(caps.vht160 ? ['160MHz'] : []), 'Auto'].join(',');
  if (width !== undefined && [20, 40, 80, 160].includes(width)) {
    values.CurrentOperatingChannelBandwidth = values.OperatingChannelBandwidth = `${width}MHz`;
    const center = bss?.iw?.center1 === undefined ? undefined : channelOf(bss.iw.center1);
    values.ChannelsInUse = channelsInUse(center, `${width}MHz`, channel);
  } else values.ChannelsInUse = channel === undefined ? '' : String(channel);
  const txpower = bss?.iw?.txpowerDbm;
  // The current channel's limit (hostapd's max_txpower), else the band's highest.
  const max = bss?.maxTxPower ?? caps?.maxTxPowerDbm;
  if (txpower !== undefined && max !== undefined) values.TransmitPower = dbmToPercent(txpower, max);
  const domain = regulatoryDomain(country);
  if (domain) values.RegulatoryDomain = domain;
  // Streams: the antenna chains on both sides; a driver that reports none (hwsim) leaves MaxBitRate unknown.
  const streams = phy ? Math.min(bits(phy.antennaTx), bits(phy.antennaRx)) : 0;
  const widest = caps ? (caps.vht160 ? 160 : caps.vht ? 80 : caps.ht40 ? 40 : 20) : 20;
  const rate = caps && streams > 0 ? maxBitRate(bandStandards(caps), widest, streams) : undefined;
  if (rate !== undefined) values.MaxBitRate = rate;
  return values;
}

const COUNTERS: Readonly<Record<string, string>> = {
  BytesSent: 'tx_bytes',
  BytesReceived: 'rx_bytes',
  PacketsSent: 'tx_packets',
  PacketsReceived: 'rx_packets',
  ErrorsSent: 'tx_errors',
  ErrorsReceived: 'rx_errors',
  DiscardPacketsSent: 'tx_dropped',
  DiscardPacketsReceived: 'rx_dropped',
};

/** Serves Device.WiFi.Radio.{i}. and Radio.{i}.Stats. */
export function registerWiFiRadios(ctx: LinuxContext, source: WiFiSource, writer: HostapdWriter): void {
  const { model } = ctx;
  const radio = async (n: number | undefined): Promise<{ phy: string; bsses: WiFiBss[] }> => {
    const phy = source.radios.requireKey(n);
    const snap = await source.read();
    return { phy, bsses: (snap.radios.get(phy) ?? []).map((i) => snap.bsses.get(i)!) };
  };
  model.register('Device.WiFi.Radio.{i}.', {
    params: [
      'Enable',
      'Status',
      'Name',
      'Upstream',
      'MaxBitRate',
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
      'ExtensionChannel',
      'GuardInterval',
      'MCS',
      'TransmitPowerSupported',
      'TransmitPower',
      'IEEE80211hSupported',
      'RegulatoryDomain',
      'PossibleChannels',
    ],
    writable: RADIO_WRITABLE,
    list: async () => source.radios.list((await source.read()).radios.keys()),
    get: async ([n]) => {
      const { phy, bsses } = await radio(n);
      const [info, channels, country] = await Promise.all([source.phy(phy), source.channels(phy), source.country()]);
      return radioValues(phy, bsses, info, channels, country);
    },
    // Channel: a channel switch of the radio's hostapd interface (its first BSS; the others share it).
    set: async ([n], changes) => {
      const { phy, bsses } = await radio(n);
      for (const k of Object.keys(changes)) if (k !== 'Channel') throw invalid(k, 'not writable on this platform');
      const first = bsses[0];
      if (!first) throw invalid('Channel', 'the radio runs no BSS to switch');
      const band = frequencyBand(first.freq ?? first.iw?.freq);
      const target = (await source.channels(phy)).find((c) => c.band === band && c.channel === Number(changes.Channel) && !c.disabled && !c.noIr);
      if (!target) throw invalid('Channel', `${changes.Channel} is not one of this radio's PossibleChannels`);
      if (target.channel === first.channel) return;
      try {
        await writer.switchChannel(first.ifname, target.freq);
      } finally {
        source.forget();
      }
    },
  });
  registerBssCounters(ctx, 'Device.WiFi.Radio.{i}.Stats.', async ([n]) => (await radio(n)).bsses.map((b) => b.ifname));
}

/**
 * Serves a Stats object as the sum of the kernel counters of the BSS interfaces `ifnames` names
 * (Radio: all of its BSSes; SSID: its own). An interface that is not there (a BSS hostapd has
 * not brought up) counts 0, as TR-181 resets Stats when an interface goes down.
 */
export function registerBssCounters(ctx: LinuxContext, path: string, ifnames: (keys: readonly number[]) => Promise<string[]>): void {
  const { model, files } = ctx;
  const types = new Map(model.requireNode(path).def.params.map((p) => [p.name, p.type]));
  const names = Object.keys(COUNTERS).filter((c) => types.has(c));
  model.register(path, {
    params: names,
    get: async (keys) => {
      const devs = await ifnames(keys);
      const sums = await Promise.all(
        names.map(async (c) => {
          const raw = await Promise.all(devs.map((d) => files.attr(files.sys('class', 'net', d, 'statistics', COUNTERS[c]!))));
          return raw.reduce((sum, r) => sum + (r !== undefined && /^\d+$/.test(r) ? BigInt(r) : 0n), 0n);
        }),
      );
      return Object.fromEntries(names.map((c, i) => [c, counter(types.get(c), sums[i]!.toString())!]));
    },
  });
}
