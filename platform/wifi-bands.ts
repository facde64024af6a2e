/**
 * Wi-Fi conversions every platform shares (TR-181 Device.WiFi.Radio.{i}.): a frequency's
 * OperatingFrequencyBand, the TR-181 standards list, the 20 MHz channels a BSS occupies, a
 * country as RegulatoryDomain. OpenWrt feeds them iwinfo's values, generic Linux `iw`'s and
 * hostapd's; pure functions, no I/O.
 */

/** A frequency in MHz (iwinfo `frequency`, `iw` channel lines) → OperatingFrequencyBand. 6 GHz starts at 5955 MHz (channel 1). */
export function frequencyBand(mhz: number | undefined): string | undefined {
  if (mhz === undefined) return undefined;
  if (mhz >= 5955 && mhz <= 7125) return '6GHz';
  if (mhz >= 4900 && mhz < 5955) return '5GHz';
  if (mhz >= 2412 && mhz <= 2484) return '2.4GHz';
  return undefined;
}

const STANDARDS = ['a', 'b', 'g', 'n', 'ac', 'ax', 'be'];

/** Standard names (iwinfo `hwmodes[]`, or derived from nl80211 capabilities) → the TR-181 standards list ("a,n,ac,ax"), in TR-181's order. */
export function standards(hwmodes: readonly string[] | undefined): string {
  const have = new Set((hwmodes ?? []).map((h) => h.toLowerCase()));
  return STANDARDS.filter((s) => have.has(s)).join(',');
}

/**
 * The 20 MHz channels a BSS occupies, from its centre channel and width (iwinfo `center_chan1`
 * and htmode): 80 MHz centred on 42 → 36,40,44,48.
 */
export function channelsInUse(center: number | undefined, bandwidth: string | undefined, primary: number | undefined): string {
  const mhz = parseInt(bandwidth ?? '', 10);
  if (!center || !Number.isFinite(mhz) || bandwidth === '80+80MHz') return primary ? String(primary) : '';
  const n = mhz / 20;
  const first = center - 2 * (n - 1);
  return Array.from({ length: n }, (_, i) => first + 4 * i).join(',');
}

/** A country code (iwinfo `country`, `iw reg get`) ("US") → RegulatoryDomain ("US "; the third character is the environment). */
export function regulatoryDomain(country: string | undefined): string | undefined {
  return country && /^[A-Z]{2}$/.test(country) ? `${country} ` : undefined;
}

/**
 * The Device.WiFi.Radio.{i}. parameters served on OpenWrt and generic Linux alike (the values
 * come from iwinfo/UCI there, from iw/hostapd here; each binding says which it writes).
 */
export const RADIO_PARAMS: readonly string[] = [
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
  'IEEE80211hEnabled',
  'RegulatoryDomain',
  'PossibleChannels',
];
