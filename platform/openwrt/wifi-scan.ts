/**
 * Device.WiFi.NeighboringWiFiDiagnostic() on OpenWrt: `ubus call iwinfo scan {"device":<ifname>}`
 * on one up interface of each radio that is up (rpcd's iwinfo plugin scans through that
 * interface's phy). Its answer is `{"results":[...]}`, one entry per BSS heard, with keys as
 * rpcd's `rpc_iwinfo_scan` writes them: ssid, bssid, mode ("Master", "Ad-Hoc"), band, channel,
 * mhz, signal (dBm), quality/quality_max, encryption {enabled, wep, wpa, authentication,
 * ciphers}, ht_operation {primary_channel, secondary_channel_offset, channel_width} and
 * vht_operation {channel_width, center_freq_1, center_freq_2}.
 *
 * The scan does not report what the TR-181 result also asks for: beacon period, DTIM period
 * and basic/supported rates are left 0 / empty; Noise is the scanning radio's own noise floor
 * (iwinfo info); standards are inferred from the HT/VHT elements (HE/EHT are not reported, so
 * ax/be show only on 6 GHz, which is ax-only or later).
 */
import type { Value } from '../../datamodel/value/Value.js';
import { MAX_NEIGHBOURS, type NeighbourResult, type WiFiScanner } from '../diagnostics/wifi-scan.js';
import { encryptionModes, frequencyBand, mac } from './convert.js';
import { ubusArgs, type OpenWrtContext } from './OpenWrtContext.js';
import type { WiFiState } from './WiFiState.js';

/** One entry of `iwinfo scan` results. */
export interface IwinfoScanResult {
  ssid?: string;
  bssid?: string;
  mode?: string;
  band?: number;
  channel?: number;
  mhz?: number;
  signal?: number;
  quality?: number;
  quality_max?: number;
  encryption?: { enabled?: boolean; wep?: string[]; wpa?: number[]; authentication?: string[]; ciphers?: string[] };
  ht_operation?: { primary_channel?: number; secondary_channel_offset?: string; channel_width?: number };
  vht_operation?: { channel_width?: number; center_freq_1?: number; center_freq_2?: number };
}

/** A scan dwells on every channel of the band: a few seconds, more with DFS channels. */
const SCAN_TIMEOUT_MS = 30_000;

/** The scanner over `ubus call iwinfo scan`, one call per radio that is up (TR-181 Device.WiFi.NeighboringWiFiDiagnostic()). */
export function openWrtWiFiScanner(ctx: OpenWrtContext, wifi: WiFiState): WiFiScanner {
  return async (signal) => {
    const snap = await wifi.read();
    const out: NeighbourResult[] = [];
    for (const radio of snap.radios.values()) {
      const iface = radio.up ? radio.ifaces.find((f) => f.ifname) : undefined;
      if (!iface?.ifname) continue;
      const radioRef = `Device.WiFi.Radio.${wifi.radios.numberOf(radio.name)}`;
      const noise = (await wifi.info(iface.ifname).catch(() => undefined))?.noise;
      const stdout = await ctx.runner.run('ubus', ubusArgs('iwinfo', 'scan', { device: iface.ifname }), { signal, timeoutMs: SCAN_TIMEOUT_MS });
      const results = (JSON.parse(stdout) as { results?: IwinfoScanResult[] }).results ?? [];
      for (const r of results) if (out.length < MAX_NEIGHBOURS) out.push(neighbourOf(r, radioRef, noise));
    }
    return out;
  };
}

/** One iwinfo scan entry as NeighboringWiFiDiagnostic() Result.{i} values. */
export function neighbourOf(r: IwinfoScanResult, radioRef: string, noise: number | undefined): NeighbourResult {
  const band = r.band === 2 ? '2.4GHz' : r.band === 5 ? '5GHz' : r.band === 6 ? '6GHz' : (frequencyBand(r.mhz) ?? '');
  const standards = standardsOf(band, r);
  const out: Record<string, Value> = {
    Radio: radioRef,
    SSID: r.ssid ?? '',
    BSSID: mac(r.bssid),
    Mode: r.mode === 'Ad-Hoc' ? 'AdHoc' : 'Infrastructure',
    Channel: r.channel ?? 0,
    SignalStrength: Math.min(0, Math.max(-200, Math.round(r.signal ?? -200))),
    SecurityModeEnabled: securityOf(r.encryption),
    EncryptionMode: r.encryption?.enabled ? encryptionModes(r.encryption.ciphers ?? []) : '',
    OperatingFrequencyBand: band,
    SupportedStandards: standards,
    OperatingStandards: standards,
    OperatingChannelBandwidth: bandwidthOf(r),
    BeaconPeriod: 0,
    Noise: Math.min(0, Math.max(-200, noise ?? 0)),
    BasicDataTransferRates: '',
    SupportedDataTransferRates: '',
    DTIMPeriod: 0,
  };
  return out;
}

/** TR-181 SecurityModeEnabled of a neighbour (its own enumeration, unlike AccessPoint's ModeEnabled). */
function securityOf(enc: IwinfoScanResult['encryption']): string {
  if (!enc?.enabled) return 'None';
  const auth = new Set(enc.authentication ?? []);
  const wpa = new Set(enc.wpa ?? []);
  if (auth.has('owe')) return 'OWE';
  const enterprise = auth.has('802.1x');
  if (auth.has('sae')) return auth.has('psk') ? 'WPA2-PSK-WPA3-SAE' : 'WPA3-SAE';
  if (enterprise) return wpa.has(3) ? 'WPA3-Enterprise' : wpa.has(1) && wpa.has(2) ? 'WPA-WPA2-Enterprise' : wpa.has(2) ? 'WPA2-Enterprise' : 'WPA-Enterprise';
  if (wpa.has(1) && wpa.has(2)) return 'WPA-WPA2';
  if (wpa.has(2)) return 'WPA2';
  if (wpa.has(1)) return 'WPA';
  return enc.wep ? 'WEP' : 'None';
}

function standardsOf(band: string, r: IwinfoScanResult): string {
  if (band === '6GHz') return 'ax';
  const s = band === '2.4GHz' ? ['b', 'g'] : ['a'];
  if (r.ht_operation) s.push('n');
  if (r.vht_operation && band === '5GHz') s.push('ac');
  return s.join(',');
}

function bandwidthOf(r: IwinfoScanResult): string {
  const vht = r.vht_operation?.channel_width;
  if (vht === 160 || vht === 8080) return '160MHz';
  if (vht === 80) return '80MHz';
  const ht = r.ht_operation;
  if (ht && (ht.channel_width === 2040 || (ht.secondary_channel_offset !== undefined && ht.secondary_channel_offset !== 'no secondary'))) return '40MHz';
  return '20MHz';
}
