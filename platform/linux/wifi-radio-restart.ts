/**
 * The Device.WiFi.Radio.{i}. settings on generic Linux that hostapd takes only when its interface
 * starts (TR-181 WiFiRadio:1): OperatingFrequencyBand (hw_mode, and a channel of the new band),
 * AutoChannelEnable (channel 0: hostapd's automatic channel selection surveys the channels at
 * start), RegulatoryDomain (country_code and country3: hostapd sets the kernel's domain at start)
 * and ExtensionChannel (ht_capab [HT40+] / [HT40-]: 40 MHz with the extension channel above or
 * below). They are set, then the interface restarts (HostapdWriter.restartRadio: `disable`,
 * `enable`; recorded in test/fixtures/linux/wifi-hostapd-radio-writes): every BSS of the radio
 * goes down for a moment and its stations associate again.
 *
 * hostapd's `status` reports the band, channel and extension channel it runs, and `iw reg get` the
 * country, so those read back live. AutoChannelEnable and the third character of
 * RegulatoryDomain (indoor, outdoor or both: country3) are not reported: they are read as the
 * agent wrote them (wifi-held.ts), else as the configuration file sets them.
 *
 * Kept out: 6 GHz (hostapd needs an operating class and WPA3-only there), an extension channel
 * chosen by hostapd ("Auto" on a 40 MHz radio: hostapd 2.10 chooses one only during ACS).
 */
import type { Value } from '../../datamodel/value/Value.js';
import { possibleChannels } from './wifi-radio.js';
import type { IwBand, IwChannel } from './wifi-iw.js';
import type { WiFiBss } from './WiFiSource.js';
import { type HostapdSetting, invalid } from './wifi-write.js';

/** The Radio parameters written by restarting hostapd's interface. */
export const RADIO_RESTART_PARAMS = ['OperatingFrequencyBand', 'AutoChannelEnable', 'RegulatoryDomain', 'ExtensionChannel'] as const;

/** hostapd's hw_mode of a band it runs here. */
const HW_MODE: Readonly<Record<string, string>> = { '2.4GHz': 'g', '5GHz': 'a' };

/** country3: the environment the third character of a dot11CountryString names (IEEE 802.11 9.4.2.8). */
const COUNTRY3: Readonly<Record<string, string>> = { ' ': '0x20', O: '0x4f', I: '0x49' };

/** What the radio runs now, as the Set finds it. */
export interface RadioNow {
  bss: WiFiBss;
  band: string | undefined;
  /** The phy's bands (`iw phy`). */
  bands: readonly IwBand[];
  channels: readonly IwChannel[];
  /** The kernel's country (`iw reg get`). */
  country: string | undefined;
  /** AutoChannelEnable and RegulatoryDomain as held (or the file's). */
  auto: boolean;
  domain: string | undefined;
}

/** The 5 GHz channel a 40 MHz pair's primary `ch` is paired with (36+40, 44+48, ..., 149+153, ...). */
function pairOf(ch: number): number {
  const index = ch >= 149 ? (ch - 1) / 4 : ch / 4;
  return index % 2 === 1 ? ch + 4 : ch - 4;
}

/** The ht_capab for `ext` on `channel`, or 7012 when the extension channel is not one the domain leaves usable. */
function extensionCapab(ext: string, channel: number, band: string, usable: readonly number[]): string {
  const above = ext === 'AboveControlChannel';
  const secondary = above ? channel + 4 : channel - 4;
  if (band === '5GHz' && pairOf(channel) !== secondary) throw invalid('ExtensionChannel', `on channel ${channel} the 40 MHz pair's other channel is ${pairOf(channel)}`);
  if (!usable.includes(secondary)) throw invalid('ExtensionChannel', `channel ${secondary} is not one of PossibleChannels`);
  return above ? '[HT40+]' : '[HT40-]';
}

/**
 * The hostapd keys (each with the value to set back) a Set of `changes` needs, with the radio
 * restarted; [] when none of RADIO_RESTART_PARAMS changes anything. `channel` is the Channel of
 * the same Set: with a band change or AutoChannelEnable false it goes in the restart. Throws 7012
 * for what cannot run here, before anything is sent.
 */
export function radioRestartSettings(changes: Record<string, Value>, now: RadioNow): HostapdSetting[] {
  const out: HostapdSetting[] = [];
  const { bss } = now;
  const band = changes.OperatingFrequencyBand === undefined ? now.band : String(changes.OperatingFrequencyBand);
  // A radio that reports no band (hostapd not started yet) can still take its country.
  if (band === undefined) {
    const needs = ['OperatingFrequencyBand', 'AutoChannelEnable', 'ExtensionChannel'].find((p) => changes[p] !== undefined);
    if (needs) throw invalid(needs, 'the radio reports no band');
    return domainSettings(changes, now);
  }
  const bandChanges = band !== now.band;
  if (bandChanges) {
    if (!HW_MODE[band]) throw invalid('OperatingFrequencyBand', `${band} is not set here (2.4GHz or 5GHz)`);
    if (!now.bands.some((b) => b.band === band)) throw invalid('OperatingFrequencyBand', `${band} is not one of SupportedFrequencyBands`);
    out.push({ key: 'hw_mode', value: HW_MODE[band]!, undo: HW_MODE[now.band ?? ''] ?? 'g' });
    // 802.11ac is a 5 GHz standard.
    if (band === '2.4GHz' && bss.ieee80211ac) out.push({ key: 'ieee80211ac', value: '0', undo: '1' });
  }
  const usable = possibleChannels(now.channels, band)
    .split(',')
    .filter((c) => c !== '')
    .map(Number);
  const auto = changes.AutoChannelEnable === undefined ? now.auto : changes.AutoChannelEnable === true;
  const current = bss.channel ?? bss.iw?.channel;
  let channel: number | undefined;
  if (changes.Channel !== undefined) {
    if (auto) throw invalid('Channel', 'hostapd chooses the channel while AutoChannelEnable is true');
    channel = Number(changes.Channel);
    if (!usable.includes(channel)) throw invalid('Channel', `${channel} is not one of the ${band} PossibleChannels`);
  } else if (!auto && (bandChanges || now.auto)) {
    // A new band needs a channel of it; automatic selection off keeps the channel it chose.
    channel = bandChanges ? usable[0] : current;
    if (channel === undefined) throw invalid('OperatingFrequencyBand', `no ${band} channel is usable here`);
  }
  const undoChannel = now.auto ? '0' : String(current ?? 0);
  if (auto && (!now.auto || bandChanges)) out.push({ key: 'channel', value: '0', undo: undoChannel });
  else if (channel !== undefined && (bandChanges || now.auto)) out.push({ key: 'channel', value: String(channel), undo: undoChannel });
  if (changes.ExtensionChannel !== undefined) {
    const ext = String(changes.ExtensionChannel);
    const running = bss.secondaryChannel === 1 ? 'AboveControlChannel' : bss.secondaryChannel === -1 ? 'BelowControlChannel' : 'Auto';
    const undo = running === 'AboveControlChannel' ? '[HT40+]' : running === 'BelowControlChannel' ? '[HT40-]' : '';
    if (ext === 'Auto') {
      if (running !== 'Auto') throw invalid('ExtensionChannel', 'hostapd 2.10 does not choose the extension channel of a 40 MHz radio: AboveControlChannel or BelowControlChannel');
    } else if (ext !== running || bandChanges || channel !== undefined) {
      if (!bss.ieee80211n) throw invalid('ExtensionChannel', 'an extension channel is 802.11n (OperatingStandards without n)');
      if (!now.bands.find((b) => b.band === band)?.ht40) throw invalid('ExtensionChannel', 'the radio has no 40 MHz channels on this band');
      if (auto) throw invalid('ExtensionChannel', 'hostapd chooses the channel while AutoChannelEnable is true');
      out.push({ key: 'ht_capab', value: extensionCapab(ext, channel ?? current ?? 0, band, usable), undo });
    }
  }
  out.push(...domainSettings(changes, now));
  // A Channel of the same Set starts with the restart (else it is a channel switch: wifi-radio.ts).
  if (out.length > 0 && channel !== undefined && !out.some((x) => x.key === 'channel')) out.push({ key: 'channel', value: String(channel), undo: undoChannel });
  return out;
}

/** country_code and country3 for a RegulatoryDomain Set (none when it runs already). */
function domainSettings(changes: Record<string, Value>, now: RadioNow): HostapdSetting[] {
  const out: HostapdSetting[] = [];
  if (changes.RegulatoryDomain !== undefined) {
    const v = String(changes.RegulatoryDomain);
    if (!/^[A-Z]{2}[ OI]$/.test(v)) throw invalid('RegulatoryDomain', 'two letters of ISO 3166-1 and " ", "O" or "I"');
    const was = now.domain ?? (now.country ? `${now.country} ` : undefined);
    if (v !== was) {
      out.push({ key: 'country_code', value: v.slice(0, 2), ...(was ? { undo: was.slice(0, 2) } : {}) });
      out.push({ key: 'country3', value: COUNTRY3[v[2]!]!, ...(was ? { undo: COUNTRY3[was[2]!] ?? '0x20' } : {}) });
    }
  }
  return out;
}

/** The keys that start the radio again with what the agent holds of it (after hostapd restarted: wifi-reapply.ts). */
export function heldRadioRestart(radio: Record<string, Value>): HostapdSetting[] {
  const out: HostapdSetting[] = [];
  if (radio.AutoChannelEnable === true) out.push({ key: 'channel', value: '0' });
  const domain = typeof radio.RegulatoryDomain === 'string' && /^[A-Z]{2}[ OI]$/.test(radio.RegulatoryDomain) ? radio.RegulatoryDomain : undefined;
  if (domain) out.push({ key: 'country_code', value: domain.slice(0, 2) }, { key: 'country3', value: COUNTRY3[domain[2]!]! });
  return out;
}
