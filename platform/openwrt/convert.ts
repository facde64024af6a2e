/**
 * Unit and enumeration conversions from OpenWrt's representations to TR-181's, one function per
 * row of docs/platform-mapping.md that needs more than a copy. Pure functions: no I/O.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { dateTimeOf, INFINITE_TIME as INFINITE } from '../../datamodel/value/Value.js';

// The Wi-Fi band, standard and channel conversions every platform shares (iw on Linux, iwinfo here).
export { channelsInUse, frequencyBand, regulatoryDomain, standards } from '../wifi-bands.js';

/** TR-106: a lifetime that never ends. */
export const INFINITE_TIME = INFINITE;

/** Prefix length → dotted mask: 24 → "255.255.255.0". */
export function prefixToMask(bits: number): string {
  const b = Math.max(0, Math.min(32, Math.trunc(bits)));
  const n = b === 0 ? 0 : (0xffffffff << (32 - b)) >>> 0;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
}

/** TR-106 dateTime of a wall-clock instant (datamodel's one formatter). */
export const dateTime: (ms: number) => string = dateTimeOf;

/** A lifetime given in seconds from now (netifd) as the dateTime it ends; none = infinite. */
export function lifetimeEnd(nowMs: number, seconds: number | undefined): string {
  if (seconds === undefined || seconds < 0 || seconds >= 0xffffffff) return INFINITE_TIME;
  return dateTime(nowMs + seconds * 1000);
}

/** unsignedInt counters wrap at 2^32 like the 32-bit counters TR-181 models. */
export function u32(n: number | undefined): number {
  return n === undefined || !Number.isFinite(n) || n < 0 ? 0 : Math.trunc(n) % 2 ** 32;
}

/** unsignedLong values are canonical decimal strings in this agent (datamodel/value/Value.ts). */
export function u64(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) || n < 0 ? '0' : BigInt(Math.trunc(n)).toString();
}

/** MAC addresses in one case everywhere (netifd and hostapd print lower case, iwinfo upper). */
export function mac(s: string | undefined): string {
  return (s ?? '').toLowerCase();
}

/** UCI `wireless.<radio>.band` ("2g", "5g", "6g") → OperatingFrequencyBand. */
export function uciBand(band: unknown): string | undefined {
  return ({ '2g': '2.4GHz', '5g': '5GHz', '6g': '6GHz' } as Record<string, string>)[String(band)];
}

/**
 * htmode ("HT20", "VHT80", "HE80", "HE80+80", "EHT320", "NOHT") → channel bandwidth. TR-181
 * splits 320 MHz into two channelisations the htmode does not tell apart; "320MHz-1" is assumed.
 */
export function htmodeBandwidth(htmode: unknown): string | undefined {
  const m = /^(NOHT|HT|VHT|HE|EHT)(\d+)?(\+80)?$/.exec(String(htmode ?? ''));
  if (!m) return undefined;
  if (m[1] === 'NOHT') return '20MHz';
  if (m[3]) return '80+80MHz';
  const mhz = Number(m[2]);
  if (mhz === 320) return '320MHz-1';
  return [20, 40, 80, 160].includes(mhz) ? `${mhz}MHz` : undefined;
}

/** The htmode for a bandwidth, keeping the radio's generation: ("80MHz", "HE40") → "HE80". */
export function bandwidthHtmode(bandwidth: string, current: unknown): string | undefined {
  const gen = /^(HT|VHT|HE|EHT)/.exec(String(current ?? ''))?.[1] ?? 'HT';
  const mhz = { '20MHz': 20, '40MHz': 40, '80MHz': 80, '160MHz': 160, '320MHz-1': 320, '320MHz-2': 320 }[bandwidth];
  if (mhz === undefined) return undefined;
  const max = { HT: 40, VHT: 160, HE: 160, EHT: 320 }[gen] ?? 40;
  return mhz <= max ? `${gen}${mhz}` : undefined;
}

/**
 * The Security.ModeEnabled values this platform can configure, with their UCI `encryption`.
 * Enterprise modes need a RADIUS server configuration the model does not carry here.
 */
export const SECURITY_MODES: ReadonlyArray<readonly [string, string]> = [
  ['None', 'none'],
  ['WPA2-Personal', 'psk2'],
  ['WPA-WPA2-Personal', 'psk-mixed'],
  ['WPA3-Personal', 'sae'],
  ['WPA3-Personal-Transition', 'sae-mixed'],
  ['OWE', 'owe'],
];

const UCI_MODES: Record<string, string> = {
  none: 'None',
  psk: 'WPA-Personal',
  psk2: 'WPA2-Personal',
  'psk-mixed': 'WPA-WPA2-Personal',
  sae: 'WPA3-Personal',
  'sae-mixed': 'WPA3-Personal-Transition',
  owe: 'OWE',
  wpa: 'WPA-Enterprise',
  wpa2: 'WPA2-Enterprise',
  'wpa-mixed': 'WPA-WPA2-Enterprise',
  wpa3: 'WPA3-Enterprise',
};

/** UCI `encryption` ("psk2+ccmp") → ModeEnabled, for a BSS that is not up. */
export function uciSecurityMode(encryption: unknown): string | undefined {
  return UCI_MODES[String(encryption ?? 'none').split('+')[0]];
}

/** iwinfo `encryption` → ModeEnabled: wpa [2] + psk → "WPA2-Personal"; sae → WPA3. */
export function iwinfoSecurityMode(enc: { enabled?: boolean; wpa?: number[]; authentication?: string[]; wep?: string[] } | undefined): string {
  if (!enc || !enc.enabled) return 'None';
  const auth = new Set(enc.authentication ?? []);
  const wpa = new Set(enc.wpa ?? []);
  if (auth.has('owe')) return 'OWE';
  if (auth.has('sae')) return auth.has('psk') ? 'WPA3-Personal-Transition' : 'WPA3-Personal';
  const suffix = auth.has('802.1x') ? 'Enterprise' : 'Personal';
  if (wpa.has(3)) return `WPA3-${suffix}`;
  if (wpa.has(1) && wpa.has(2)) return `WPA-WPA2-${suffix}`;
  if (wpa.has(2)) return `WPA2-${suffix}`;
  if (wpa.has(1)) return `WPA-${suffix}`;
  // WEP: iwinfo does not say the key length.
  return enc.wep ? 'WEP-128' : 'None';
}

/** Cipher names (iwinfo `ciphers`, or the UCI encryption suffix) → EncryptionMode ("AES"). */
export function encryptionModes(ciphers: readonly string[]): string {
  const out: string[] = [];
  if (ciphers.some((c) => c.startsWith('tkip'))) out.push('TKIP');
  if (ciphers.some((c) => c.startsWith('ccmp') || c.startsWith('gcmp') || c === 'aes')) out.push('AES');
  return out.join(',');
}

/** A 7012 listing each parameter this device cannot take, as param errors. */
export function refused(bad: ReadonlyArray<{ param: string; message: string }>): UspError {
  return new UspError(ErrorCode.InvalidValue, bad.map((b) => `${b.param}: ${b.message}`).join('; '), {
    paramErrors: bad.map((b) => ({ ...b, code: ErrorCode.InvalidValue })),
  });
}

/** A 7016 for an instance number that names no row (the row left between list and get). */
export function noSuchInstance(what: string, n: number | undefined): UspError {
  return new UspError(ErrorCode.ObjectDoesNotExist, `no such ${what}: ${n}`);
}
