/**
 * Device.WiFi.Radio.{i}. and its Stats on generic Linux (TR-181 WiFiRadio:1): one row
 * per phy that runs at least one hostapd BSS. The operating values (band, channel, width,
 * standards in use) are hostapd's `status` and `iw dev` of its first BSS; what the radio can do
 * is `iw phy <phy> info` (bands, HT/VHT/HE/EHT capabilities, antennas, power limits) and
 * `iw phy <phy> channels` (what the regulatory domain allows), the country `iw reg get`. Enable
 * is hostapd's `disable`/`enable` of the radio's interface, OperatingStandards its ieee80211n/ac/ax
 * (+ `reload`), Channel is written (`chan_switch`, wifi-write.ts) within PossibleChannels, TransmitPower with `iw dev
 * <if> set txpower`, IEEE80211hEnabled as hostapd's ieee80211h (read back as the agent wrote it:
 * hostapd does not report it, wifi-held.ts); OperatingFrequencyBand, AutoChannelEnable,
 * RegulatoryDomain and ExtensionChannel restart hostapd's interface with new keys
 * (wifi-radio-restart.ts); MCS and GuardInterval are the BSSes' bitrate mask (wifi-bitrates.ts).
 *
 * Radio.Stats is what the radio carried: the sum of its BSS interfaces' kernel counters
 * (/sys/class/net/<if>/statistics), as on OpenWrt.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { channelsInUse, frequencyBand, RADIO_PARAMS, regulatoryDomain, standards } from '../wifi-bands.js';
import { dbmToPercent, maxBitRate, TX_POWER_SUPPORTED } from '../wifi-rates.js';
import type { LinuxContext } from './LinuxContext.js';
import { counter, readCounters, STATS_FILES } from './net-stats.js';
import type { IwBand, IwChannel, IwPhy } from './wifi-iw.js';
import type { WiFiBss, WiFiSource } from './WiFiSource.js';
import { type HostapdSetting, type HostapdWriter, invalid } from './wifi-write.js';
import type { HeldWiFiSettings } from './wifi-held.js';
import { RADIO_RESTART_PARAMS, radioRestartSettings } from './wifi-radio-restart.js';
import { BITRATE_PARAMS, bitrateArgs, bitrateValues } from './wifi-bitrates.js';

/** Radio parameters read as the agent wrote them (wifi-held.ts), by the radio's hostapd interface. */
const RADIO_HELD = ['IEEE80211hEnabled', 'AutoChannelEnable', 'RegulatoryDomain', 'MCS', 'GuardInterval'];

const BAND_ORDER = ['2.4GHz', '5GHz', '6GHz'];
/** A Set of a Radio switches its channel only (see set). */

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

/**
 * The hostapd keys (ieee80211n/ac/ax, in that order) that make a BSS run OperatingStandards
 * `value`, for those that differ from what it runs; throws 7012 for a list hostapd cannot run on
 * this band and phy: the band's legacy standards (b,g or a) always run, 802.11ac needs 802.11n
 * and 5 GHz, and hostapd 2.10 has no 802.11be.
 */
export function standardsSettings(value: string, bss: WiFiBss, band: string | undefined, caps: IwBand | undefined): HostapdSetting[] {
  const wanted = value.split(',').filter((x) => x !== '');
  const legacy = band === '2.4GHz' ? ['b', 'g'] : band === '5GHz' ? ['a'] : [];
  const supported = caps ? bandStandards(caps) : [];
  const bad = wanted.find((x) => !supported.includes(x) || x === 'be');
  if (bad) throw invalid('OperatingStandards', `${bad} is not one this radio runs here (${supported.filter((x) => x !== 'be').join(',')})`);
  if (legacy.some((x) => !wanted.includes(x))) throw invalid('OperatingStandards', `hostapd runs ${legacy.join(',')} on ${band ?? 'this band'} whatever else runs`);
  if (wanted.includes('ac') && !wanted.includes('n')) throw invalid('OperatingStandards', '802.11ac needs 802.11n');
  const now: Record<string, boolean> = { n: bss.ieee80211n, ac: bss.ieee80211ac, ax: bss.ieee80211ax };
  return ['n', 'ac', 'ax'].filter((x) => now[x] !== wanted.includes(x)).map((x) => ({ key: `ieee80211${x}`, value: wanted.includes(x) ? '1' : '0', undo: now[x] ? '1' : '0' }));
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
    // hostapd's ACS (channel 0) needs the driver's channel survey; a radio whose hostapd refused it reads false (registerWiFiRadios).
    AutoChannelSupported: true,
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

/** Serves Device.WiFi.Radio.{i}. and Radio.{i}.Stats. */
export function registerWiFiRadios(ctx: LinuxContext, source: WiFiSource, writer: HostapdWriter, held: HeldWiFiSettings): void {
  const { model } = ctx;
  /** Phys whose hostapd refused to start with automatic channel selection (its driver has no channel survey): bounded by the radios. */
  const acsRefused = new Set<string>();
  const radio = async (n: number | undefined): Promise<{ phy: string; bsses: WiFiBss[] }> => {
    const phy = source.radios.requireKey(n);
    const snap = await source.read();
    return { phy, bsses: (snap.radios.get(phy) ?? []).map((i) => snap.bsses.get(i)!) };
  };
  model.register('Device.WiFi.Radio.{i}.', {
    params: RADIO_PARAMS,
    list: async () => source.radios.list((await source.read()).radios.keys()),
    get: async ([n]) => {
      const { phy, bsses } = await radio(n);
      const [info, channels, country] = await Promise.all([source.phy(phy), source.channels(phy), source.country()]);
      const values = radioValues(phy, bsses, info, channels, country);
      if (!bsses[0]) return values;
      const { RegulatoryDomain: domain, ...kept } = held.read(`radio:${bsses[0].ifname}`, RADIO_HELD);
      // The third character as written, while the kernel runs the country written.
      if (typeof domain === 'string' && domain.slice(0, 2) === country) values.RegulatoryDomain = domain;
      if (acsRefused.has(phy)) values.AutoChannelSupported = false;
      return { ...values, ...kept };
    },
    writable: ['Enable', 'OperatingStandards', 'Channel', 'TransmitPower', 'IEEE80211hEnabled', ...RADIO_RESTART_PARAMS, ...BITRATE_PARAMS],
    set: async ([n], changes) => {
      const { phy, bsses } = await radio(n);
      const first = bsses[0];
      if (!first) throw invalid(Object.keys(changes)[0] ?? 'Channel', 'the radio runs no BSS to change');
      const band = frequencyBand(first.freq ?? first.iw?.freq);
      const caps = (await source.phy(phy))?.bands.find((b) => b.band === band);
      // All checked before anything is asked of hostapd or iw.
      const channels = await source.channels(phy);
      const radioHeld = held.read(`radio:${first.ifname}`, ['AutoChannelEnable', 'RegulatoryDomain']);
      const restart = radioRestartSettings(changes, {
        bss: first,
        band,
        bands: (await source.phy(phy))?.bands ?? [],
        channels,
        country: await source.country(),
        auto: radioHeld.AutoChannelEnable === true,
        domain: radioHeld.RegulatoryDomain === '' ? undefined : String(radioHeld.RegulatoryDomain),
      });
      const heldRates = held.read(`radio:${first.ifname}`, BITRATE_PARAMS) as { MCS: number; GuardInterval: string };
      const finalBand = changes.OperatingFrequencyBand === undefined ? band : String(changes.OperatingFrequencyBand);
      const rates = changes.MCS === undefined && changes.GuardInterval === undefined ? undefined : bitrateValues(changes, heldRates, finalBand);
      if (changes.AutoChannelEnable === true && acsRefused.has(phy)) throw invalid('AutoChannelEnable', "this radio's hostapd refused automatic channel selection (AutoChannelSupported false)");
      let target: IwChannel | undefined;
      // A Channel that goes with a restart is one of its keys; alone, it is a channel switch.
      if (changes.Channel !== undefined && restart.length === 0) {
        target = channels.find((c) => c.band === band && c.channel === Number(changes.Channel) && !c.disabled && !c.noIr);
        if (!target) throw invalid('Channel', `${changes.Channel} is not one of this radio's PossibleChannels`);
      }
      const power = changes.TransmitPower === undefined ? undefined : Number(changes.TransmitPower);
      const max = first.maxTxPower ?? caps?.maxTxPowerDbm;
      if (power !== undefined && !(TX_POWER_SUPPORTED as readonly number[]).includes(power)) throw invalid('TransmitPower', `one of TransmitPowerSupported (${TX_POWER_SUPPORTED.join(',')})`);
      if (power !== undefined && max === undefined) throw invalid('TransmitPower', 'the radio reports no maximum transmit power');
      if (changes.IEEE80211hEnabled === true && band !== '5GHz') throw invalid('IEEE80211hEnabled', '802.11h (DFS and TPC) is for the 5 GHz band');
      const standards = changes.OperatingStandards === undefined ? [] : standardsSettings(String(changes.OperatingStandards), first, band, caps);
      try {
        // Channel: a channel switch of the radio's hostapd interface (its first BSS; the others share it).
        if (target && target.channel !== first.channel) await writer.switchChannel(first.ifname, target.freq);
        // 100 %: the regulatory limit, as the kernel picks it; less: that many dB below it, in whole dBm (nl80211 takes mBm).
        if (power !== undefined) await writer.setTxPower(first.ifname, power === 100 ? 'auto' : Math.round(max! + 10 * Math.log10(power / 100)) * 100);
        if (changes.IEEE80211hEnabled !== undefined) {
          const was = held.read(`radio:${first.ifname}`, ['IEEE80211hEnabled']).IEEE80211hEnabled === true;
          await writer.configure(first.ifname, [{ key: 'ieee80211h', value: changes.IEEE80211hEnabled === true ? '1' : '0', undo: was ? '1' : '0' }]);
          held.write(`radio:${first.ifname}`, { IEEE80211hEnabled: changes.IEEE80211hEnabled });
        }
        await writer.configure(first.ifname, standards);
        if (restart.length > 0) {
          try {
            await writer.restartRadio(first.ifname, restart);
          } catch (e) {
            if (restart.some((x) => x.key === 'channel' && x.value === '0')) acsRefused.add(phy);
            throw e;
          }
          const kept = Object.fromEntries(Object.entries(changes).filter(([k]) => k === 'AutoChannelEnable' || k === 'RegulatoryDomain'));
          held.write(`radio:${first.ifname}`, kept);
        }
        // The mask of every BSS of the radio (each interface has its own).
        if (rates) {
          for (const b of bsses) await writer.setBitrates(b.ifname, bitrateArgs(rates, finalBand));
          held.write(`radio:${first.ifname}`, { ...rates, BitrateBand: finalBand ?? '' });
        }
        // Enable: hostapd's interface is the radio (every BSS on it goes down or up together).
        const on = bsses.some((b) => b.state !== 'DISABLED');
        if (changes.Enable !== undefined && changes.Enable !== on) await writer.setEnable(first.ifname, changes.Enable === true);
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
  // The counters a Radio or SSID Stats has of those an Ethernet interface's Stats reads (net-stats.ts).
  const names = Object.keys(STATS_FILES).filter((c) => types.has(c));
  model.register(path, {
    params: names,
    get: async (keys) => {
      const devs = await ifnames(keys);
      const raw = await Promise.all(devs.map((d) => readCounters(files, d, names)));
      const sums = names.map((_c, i) => raw.reduce((sum, r) => sum + (r[i] !== undefined && /^\d+$/.test(r[i]) ? BigInt(r[i]) : 0n), 0n));
      return Object.fromEntries(names.map((c, i) => [c, counter(types.get(c), sums[i]!.toString())!]));
    },
  });
}
