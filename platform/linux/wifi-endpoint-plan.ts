/**
 * What a Controller's Set or Add of Device.WiFi.EndPoint.{i}.Profile.{i}. (and its Security)
 * sends wpa_supplicant, checked before anything is sent: one `set_network <id> <field> <value>`
 * per field (keys marked secret go on wpa_cli's standard input), then `enable_network` or
 * `disable_network`. Bad values are 7012 for their parameter. Pure, no I/O.
 *
 * Priority: TR-181 makes 0 the highest; wpa_supplicant prefers the higher number. A Profile's
 * Priority p is wpa_supplicant's priority 255 - p, and a network's priority q reads as 255 - q
 * (0 when q is above 255).
 */
import type { Value } from '../../datamodel/value/Value.js';
import { RAW_PSK } from '../wifi-psk.js';
import { invalid, ssidProblem } from './wifi-write.js';
import { keyMgmtOf, networkString } from './wpa-cli.js';

/** TR-181's Priority range (unsignedInt 0-255) mapped onto wpa_supplicant's (higher preferred). */
export const PRIORITY_TOP = 255;

/**
 * The Security.ModeEnabled values a Set can give a station here (key_mgmt + ieee80211w, keyMgmtOf;
 * WEP: key_mgmt NONE with a static key, which Debian's wpa_supplicant 2.10 is built to take: recorded).
 */
export const ENDPOINT_WRITABLE_MODES = ['None', 'WEP-64', 'WEP-128', 'WPA2-Personal', 'WPA3-Personal', 'WPA3-Personal-Transition', 'OWE'];

/**
 * The modes a station offers (Security.ModesSupported): the WEP ones only when wpa_supplicant was
 * built with WEP (CONFIG_WEP, optional since 2.10): its `get_capability group` then lists WEP40
 * and WEP104 (recorded from Debian's 2.10). Without an answer, WEP is left to wpa_supplicant to refuse.
 */
export function endpointModes(groupCiphers: readonly string[] | undefined): string[] {
  const wep = groupCiphers === undefined || groupCiphers.length === 0 || groupCiphers.some((c) => c.startsWith('WEP'));
  return wep ? ENDPOINT_WRITABLE_MODES : ENDPOINT_WRITABLE_MODES.filter((m) => !m.startsWith('WEP-'));
}

/** WEPKey's hex digits per WEP mode (5 or 13 octets, IEEE 802.11 WEP-40/WEP-104). */
const WEP_DIGITS: Record<string, number> = { 'WEP-64': 10, 'WEP-128': 26 };

/** One `set_network` field; `secret` keeps its value off the command line and out of logs. */
export interface NetworkField {
  field: string;
  value: string;
  secret?: boolean;
}

/** The writes of one Profile: fields, then Enable (undefined: left as it is). */
export interface ProfilePlan {
  fields: NetworkField[];
  enable?: boolean;
  /** Location: kept by the agent (wpa_supplicant has no such field). */
  location?: string;
}

/** TR-181 Priority of a wpa_supplicant network priority. */
export function profilePriority(wpaPriority: number): number {
  return Math.max(0, Math.min(PRIORITY_TOP, PRIORITY_TOP - wpaPriority));
}

/** The Profile's own parameters (SSID, Priority, Enable, Location) as wpa_supplicant writes. */
export function planProfile(changes: Record<string, Value>): ProfilePlan {
  const plan: ProfilePlan = { fields: [] };
  for (const [name, v] of Object.entries(changes)) {
    if (name === 'SSID') {
      const problem = ssidProblem(String(v));
      if (problem) throw invalid('SSID', problem);
      plan.fields.push({ field: 'ssid', value: networkString(String(v)) });
    } else if (name === 'Priority') {
      const p = Number(v);
      if (!Number.isInteger(p) || p < 0 || p > PRIORITY_TOP) throw invalid('Priority', `0 (highest) to ${PRIORITY_TOP}`);
      plan.fields.push({ field: 'priority', value: String(PRIORITY_TOP - p) });
    } else if (name === 'Enable') plan.enable = v === true;
    else if (name === 'Location') {
      if (String(v).length > 64) throw invalid('Location', 'at most 64 characters');
      plan.location = String(v);
    }
  }
  return plan;
}

/** A passphrase of WPA-Personal: 8 to 63 printable ASCII characters (IEEE 802.11 J.4.1). */
function passphraseProblem(v: string): string | undefined {
  return /^[\x20-\x7e]{8,63}$/.test(v) ? undefined : '8 to 63 printable ASCII characters';
}

/** The Profile's Security writes: ModeEnabled (key_mgmt, ieee80211w; WEP: key_mgmt NONE, wep_tx_keyidx 0), WEPKey (wep_key0), KeyPassphrase and PreSharedKey (psk), SAEPassphrase (sae_password). */
export function planProfileSecurity(changes: Record<string, Value>): NetworkField[] {
  const fields: NetworkField[] = [];
  for (const [name, raw] of Object.entries(changes)) {
    const v = String(raw);
    if (name === 'ModeEnabled' && WEP_DIGITS[v] !== undefined) {
      // Key 0 is the one sent (WEPKey); wpa_supplicant uses static WEP keys when key_mgmt is NONE.
      const key = changes.WEPKey === undefined ? undefined : String(changes.WEPKey);
      if (key !== undefined && key.length !== WEP_DIGITS[v]) throw invalid('WEPKey', `${v} takes ${WEP_DIGITS[v]} hexadecimal digits`);
      fields.push({ field: 'key_mgmt', value: 'NONE' }, { field: 'wep_tx_keyidx', value: '0' });
    } else if (name === 'ModeEnabled') {
      const mgmt = ENDPOINT_WRITABLE_MODES.includes(v) ? keyMgmtOf(v) : undefined;
      if (!mgmt) throw invalid('ModeEnabled', `${v} is not one of ${ENDPOINT_WRITABLE_MODES.join(',')}`);
      fields.push(...mgmt.map(([field, value]) => ({ field, value })));
      // key_mgmt NONE with a WEP key held is WEP: None clears the key (recorded: get_network then answers FAIL).
      if (v === 'None') fields.push({ field: 'wep_key0', value: '""' });
    } else if (name === 'KeyPassphrase') {
      const problem = passphraseProblem(v);
      if (problem) throw invalid('KeyPassphrase', problem);
      fields.push({ field: 'psk', value: `"${v}"`, secret: true });
    } else if (name === 'PreSharedKey') {
      if (!RAW_PSK.test(v)) throw invalid('PreSharedKey', 'must be 64 hexadecimal digits');
      fields.push({ field: 'psk', value: v.toLowerCase(), secret: true });
    } else if (name === 'WEPKey') {
      if (!/^([0-9a-f]{10}|[0-9a-f]{26})$/i.test(v)) throw invalid('WEPKey', '10 (WEP-64) or 26 (WEP-128) hexadecimal digits');
      fields.push({ field: 'wep_key0', value: v.toLowerCase(), secret: true });
    } else if (name === 'SAEPassphrase') {
      if (v === '' || /[\r\n\0"]/.test(v) || v.length > 128) throw invalid('SAEPassphrase', '1 to 128 characters, without quotes or line breaks');
      fields.push({ field: 'sae_password', value: `"${v}"`, secret: true });
    }
  }
  return fields;
}

/**
 * The network id a ProfileReference names among `profiles` (instance number → network id of
 * EndPoint `endpoint`): "Device.WiFi.EndPoint.<endpoint>.Profile.<n>", with or without the
 * final dot. 7012 for anything else.
 */
export function referencedNetwork(value: string, endpoint: number, profiles: ReadonlyMap<number, number>): number {
  const m = /^Device\.WiFi\.EndPoint\.(\d+)\.Profile\.(\d+)\.?$/.exec(value);
  const id = m && Number(m[1]) === endpoint ? profiles.get(Number(m[2])) : undefined;
  if (id === undefined) throw invalid('ProfileReference', `give a Profile of Device.WiFi.EndPoint.${endpoint}. (${JSON.stringify(value)} is none)`);
  return id;
}
