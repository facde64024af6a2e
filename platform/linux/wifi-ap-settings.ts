/**
 * How a Set of Device.WiFi.AccessPoint.{i}. and its Security on generic Linux becomes hostapd
 * configuration keys (HostapdWriter.configure: `set <key> <value>` each, then one `reload`).
 * Every value is checked first (7012), so a refused Set asks hostapd nothing; hostapd may still
 * refuse what only it knows (a station limit above its build's MAX_STA_COUNT: 7002), and the keys
 * already set are then set back. Security keys have no value to go back to (the agent never
 * learns the old key, nor ieee80211w): after a refused Security Set hostapd holds the new values
 * without running them until its next reload.
 *
 *   SSIDAdvertisementEnabled  ignore_broadcast_ssid (inverted)
 *   IsolationEnable           ap_isolate
 *   MaxAllowedAssociations      max_num_sta (1..hostapd's limit; TR-181's 0, no limit, is not a hostapd value)
 *   WMMEnable                 wmm_enabled
 *   UAPSDEnable               uapsd_advertisement_enabled
 *   MACAddressControlEnabled  macaddr_acl (1: only AllowedMACAddress, which is hostapd's accept list: wifi-mac-access.ts)
 *   SSIDReference             none: an added AccessPoint moves onto another added SSID through its BSS files (wifi-ap-ssid-move.ts)
 *   Security.RekeyingInterval wpa_group_rekey (seconds; 0: never)
 *   Security.WEPKey, RadiusServerIPAddr, RadiusServerPort, RadiusSecret, and ModeEnabled WEP-64,
 *                             WEP-128, WPA2-Enterprise: an added AccessPoint's BSS file, never `set`
 *                             (wifi-bss-modes.ts); 7012 on a BSS of hostapd's own file
 *   Security.ModeEnabled      wpa, wpa_key_mgmt, ieee80211w (None, WPA2-Personal, WPA3-Personal, WPA3-Personal-Transition)
 *   Security.KeyPassphrase    wpa_passphrase (8..63 printable ASCII, IEEE 802.11 J.4)
 *   Security.PreSharedKey     wpa_psk (64 hexadecimal digits)
 *   Security.SAEPassphrase    sae_password
 */
import type { Value } from '../../datamodel/value/Value.js';
import { RAW_PSK } from '../wifi-psk.js';
import type { HostapdSetting } from './wifi-write.js';
import { invalid } from './wifi-write.js';
import { cliLineKeeps } from './hostapd-cli-stdin.js';
import { FILE_ONLY_MODES, FILE_ONLY_PARAMS, fileOnlyProblem } from './wifi-bss-modes.js';

/** Why hostapd_cli's standard input would not carry `value` intact (hostapd-cli-stdin.ts). */
const KEEPS = 'hostapd_cli would change it on its way to hostapd: no spaces at either end or two in a row';

/** The AccessPoint parameters a Set changes (kept by HeldWiFiSettings: hostapd cannot report them). */
export const AP_WRITABLE = ['Enable', 'SSIDAdvertisementEnabled', 'IsolationEnable', 'MaxAllowedAssociations', 'WMMEnable', 'UAPSDEnable', 'MACAddressControlEnabled', 'AllowedMACAddress'] as const;

/** The Security parameters a Set changes. */
export const SECURITY_WRITABLE = ['ModeEnabled', 'KeyPassphrase', 'PreSharedKey', 'SAEPassphrase', 'RekeyingInterval', ...FILE_ONLY_PARAMS] as const;

/** hostapd keeps wpa_group_rekey in an int. */
const MAX_REKEY_S = 2 ** 31 - 1;

/** The modes a Set may choose, as hostapd's wpa_key_mgmt and ieee80211w (management frame protection). */
export const PERSONAL_MODES: Readonly<Record<string, { keyMgmt: string; mfp: string }>> = {
  'WPA2-Personal': { keyMgmt: 'WPA-PSK', mfp: '0' },
  'WPA3-Personal': { keyMgmt: 'SAE', mfp: '2' },
  // WPA3-SAE and WPA2-PSK side by side: protected management frames optional (WPA3 Specification 2.3).
  'WPA3-Personal-Transition': { keyMgmt: 'WPA-PSK SAE', mfp: '1' },
};

/** The modes ModeEnabled may be set to here. */
export const SETTABLE_MODES = ['None', ...Object.keys(PERSONAL_MODES)];

const bool = (v: Value): string => (v === true ? '1' : '0');

/**
 * hostapd keys for an AccessPoint Set (Enable is not a key: it is `enable`/`disable`); `current`
 * are the values hostapd holds now (as the agent wrote them, else its defaults), set back on failure.
 */
export function accessPointSettings(changes: Record<string, Value>, current: Record<string, Value> = {}): HostapdSetting[] {
  const out: HostapdSetting[] = [];
  const undo = (v: string | undefined): { undo?: string } => (v === undefined ? {} : { undo: v });
  const was = (p: string, f: (v: Value) => string): { undo?: string } => undo(current[p] === undefined ? undefined : f(current[p]));
  const hidden = (v: Value): string => (v === true ? '0' : '1');
  if (changes.SSIDAdvertisementEnabled !== undefined) out.push({ key: 'ignore_broadcast_ssid', value: hidden(changes.SSIDAdvertisementEnabled), ...was('SSIDAdvertisementEnabled', hidden) });
  if (changes.IsolationEnable !== undefined) out.push({ key: 'ap_isolate', value: bool(changes.IsolationEnable), ...was('IsolationEnable', bool) });
  if (changes.MaxAllowedAssociations !== undefined) {
    const n = Number(changes.MaxAllowedAssociations);
    if (!Number.isInteger(n) || n < 1) throw invalid('MaxAllowedAssociations', 'hostapd needs a limit of at least 1');
    out.push({ key: 'max_num_sta', value: String(n), ...was('MaxAllowedAssociations', String) });
  }
  if (changes.WMMEnable !== undefined) out.push({ key: 'wmm_enabled', value: bool(changes.WMMEnable), ...was('WMMEnable', bool) });
  if (changes.UAPSDEnable !== undefined) out.push({ key: 'uapsd_advertisement_enabled', value: bool(changes.UAPSDEnable), ...was('UAPSDEnable', bool) });
  if (changes.MACAddressControlEnabled !== undefined) out.push({ key: 'macaddr_acl', value: bool(changes.MACAddressControlEnabled), ...was('MACAddressControlEnabled', bool) });
  // Security.RekeyingInterval, held with the AccessPoint's settings (one BSS, one set of held values to send again).
  if (changes.RekeyingInterval !== undefined) {
    const n = Number(changes.RekeyingInterval);
    if (!Number.isInteger(n) || n < 0 || n > MAX_REKEY_S) throw invalid('RekeyingInterval', `0 (never) to ${MAX_REKEY_S} seconds`);
    out.push({ key: 'wpa_group_rekey', value: String(n), ...was('RekeyingInterval', String) });
  }
  return out;
}

/** Why a WPA passphrase cannot be (IEEE 802.11-2020 J.4.1: 8 to 63 ASCII characters 32 to 126). */
export function passphraseProblem(v: string): string | undefined {
  if (v.length < 8 || v.length > 63) return 'a WPA passphrase is 8 to 63 characters';
  if (!/^[\x20-\x7e]*$/.test(v)) return 'a WPA passphrase is printable ASCII';
  return undefined;
}

/**
 * hostapd keys for a Security Set: the keys first, then the mode (so a mode change and the key it
 * needs go in one Set). `currentMode` is what hostapd runs now: leaving None sets `wpa 2` first.
 */
export function securitySettings(changes: Record<string, Value>, currentMode: string): HostapdSetting[] {
  const out: HostapdSetting[] = [];
  // WEP and RADIUS go through a BSS file the agent writes (wifi-bss-modes.ts): an added AccessPoint's only.
  for (const p of FILE_ONLY_PARAMS) if (changes[p] !== undefined) throw fileOnlyProblem(p);
  if (changes.ModeEnabled !== currentMode && (FILE_ONLY_MODES as readonly string[]).includes(String(changes.ModeEnabled))) throw fileOnlyProblem('ModeEnabled');
  if (changes.KeyPassphrase !== undefined) {
    const problem = passphraseProblem(String(changes.KeyPassphrase));
    if (problem) throw invalid('KeyPassphrase', problem);
    if (!cliLineKeeps('wpa_passphrase', String(changes.KeyPassphrase))) throw invalid('KeyPassphrase', KEEPS);
    out.push({ key: 'wpa_passphrase', value: String(changes.KeyPassphrase), secret: true });
  }
  if (changes.PreSharedKey !== undefined) {
    if (!RAW_PSK.test(String(changes.PreSharedKey))) throw invalid('PreSharedKey', 'a pre-shared key is 64 hexadecimal digits');
    out.push({ key: 'wpa_psk', value: String(changes.PreSharedKey).toLowerCase(), secret: true });
  }
  if (changes.SAEPassphrase !== undefined) {
    const v = String(changes.SAEPassphrase);
    if (v.length === 0 || v.length > 255 || /[\x00-\x1f\x7f]/.test(v)) throw invalid('SAEPassphrase', 'an SAE password is 1 to 255 characters without control characters');
    if (!cliLineKeeps('sae_password', v)) throw invalid('SAEPassphrase', KEEPS);
    out.push({ key: 'sae_password', value: v, secret: true });
  }
  const mode = changes.ModeEnabled === undefined ? undefined : String(changes.ModeEnabled);
  if (mode !== undefined && mode !== currentMode) {
    if (mode === 'None') out.push({ key: 'wpa', value: '0' });
    else {
      const m = PERSONAL_MODES[mode];
      if (!m) throw invalid('ModeEnabled', `${mode} cannot be set here; one of ${SETTABLE_MODES.join(',')}`);
      if (currentMode === 'None') out.push({ key: 'wpa', value: '2' });
      out.push({ key: 'wpa_key_mgmt', value: m.keyMgmt }, { key: 'ieee80211w', value: m.mfp });
      // `wpa 0` clears the pairwise cipher, and hostapd refuses to reload WPA2 without one.
      if (currentMode === 'None') out.push({ key: 'rsn_pairwise', value: 'CCMP' });
    }
  }
  return out;
}
