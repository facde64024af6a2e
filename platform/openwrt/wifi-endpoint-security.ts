/**
 * Device.WiFi.EndPoint.{i}.Profile.{i}.Security. on OpenWrt (TR-181 WiFiEndPoint:1): the
 * security of one network a station joins, in the options that hold its Profile (the station's
 * wifi-iface, or a `usp_wifi_profile` section: wifi-endpoint-profile-plan.ts).
 *
 * ModeEnabled ↔ `encryption`, KeyPassphrase/PreSharedKey ↔ `key` (a raw PSK is 64 hex digits),
 * WEPKey ↔ `key1` (what OpenWrt's scripts give wpa_supplicant as wep_key0 in a WEP mode; no WEP
 * mode is offered here, as OpenWrt's default wpad builds without WEP, so it is kept, not used).
 */
import type { Value } from '../../datamodel/value/Value.js';
import { RAW_PSK } from '../wifi-psk.js';
import { SECURITY_MODES, uciSecurityMode } from './convert.js';
import { planWrite, type UciChange } from './uci.js';
import { opt } from './wifi-endpoint-profile-plan.js';

const PERSONAL = new Set(['WPA-Personal', 'WPA2-Personal', 'WPA-WPA2-Personal', 'WPA3-Personal', 'WPA3-Personal-Transition']);
/** What wpa_supplicant of OpenWrt's default wpad (mbedTLS, with SAE and OWE) offers a station, as UCI `encryption` values. */
export const STA_MODES = 'None,WPA-Personal,WPA2-Personal,WPA-WPA2-Personal,WPA3-Personal,WPA3-Personal-Transition,OWE';
const UCI_OF_MODE = new Map<string, string>([...SECURITY_MODES, ['WPA-Personal', 'psk']]);
const WEP_HEX = /^([0-9a-f]{10}|[0-9a-f]{26})$/;

/** `key1` as hexadecimal (OpenWrt also takes "s:" and 5 or 13 characters), "" when it holds no WEP key. */
function wepKey(raw: string): string {
  const hex = raw.startsWith('s:') ? Buffer.from(raw.slice(2), 'latin1').toString('hex') : raw.toLowerCase();
  return WEP_HEX.test(hex) ? hex : '';
}

/** The Profile's Security values the options `config` hold. */
export function profileSecurity(config: Readonly<Record<string, unknown>>): Record<string, Value> {
  const key = opt(config, 'key') ?? '';
  return {
    ModeEnabled: uciSecurityMode(config.encryption) ?? 'None',
    WEPKey: wepKey(opt(config, 'key1') ?? ''),
    KeyPassphrase: RAW_PSK.test(key) ? '' : key,
    PreSharedKey: RAW_PSK.test(key) ? key.toLowerCase() : '',
  };
}

/** The UCI changes of a Profile Security Set on `section` (7012 for a mode or key it cannot take). */
export function profileSecurityPlan(section: string, current: Record<string, Value>, changes: Record<string, Value>): UciChange[] {
  return planWrite(current, changes, {
    ModeEnabled: (v, all) => {
      const uci = UCI_OF_MODE.get(String(v));
      if (!uci || !STA_MODES.split(',').includes(String(v))) return `${v} is not one of ${STA_MODES}`;
      const key = String(all.KeyPassphrase ?? all.PreSharedKey ?? current.KeyPassphrase ?? '') || String(current.PreSharedKey ?? '');
      if (PERSONAL.has(String(v)) && key === '') return `${v} needs a KeyPassphrase or PreSharedKey`;
      return [{ section, option: 'encryption', value: uci }];
    },
    KeyPassphrase: (v) => [{ section, option: 'key', value: String(v), secret: true }],
    PreSharedKey: (v) => (RAW_PSK.test(String(v)) ? [{ section, option: 'key', value: String(v).toLowerCase(), secret: true }] : 'must be 64 hexadecimal digits'),
    WEPKey: (v) => (WEP_HEX.test(String(v).toLowerCase()) ? [{ section, option: 'key1', value: String(v).toLowerCase(), secret: true }] : 'must be 5 or 13 bytes in hexadecimal (WEP-64, WEP-128)'),
  });
}
