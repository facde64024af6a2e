/**
 * Device.WiFi.EndPoint.{i}.WPS.ConfigMethodsEnabled as wpa_supplicant's `config_methods`: the WPS
 * configuration methods a station advertises (Wi-Fi Simple Configuration's Config Methods
 * attribute), one word per method. Pure, no I/O.
 *
 * wpa_supplicant reads the words with a substring search and drops any it does not know; an empty
 * or unset config_methods means its build's defaults (display, keypad, virtual_display), so "none"
 * (no method known) is the only way to advertise none.
 */
import { invalid } from './wifi-write.js';

/** TR-181's method names and wpa_supplicant's words for them, for the methods a Linux station can carry out. */
const METHODS: ReadonlyArray<[string, string]> = [
  ['PushButton', 'push_button'],
  ['PIN', 'keypad'],
  ['Display', 'display'],
  ['Label', 'label'],
  ['VirtualPushButton', 'virtual_push_button'],
  ['PhysicalPushButton', 'physical_push_button'],
  ['VirtualDisplay', 'virtual_display'],
  ['PhysicalDisplay', 'physical_display'],
];

/** WPS.ConfigMethodsSupported (no USB flash drive, NFC or Ethernet methods: a gateway station has none of them). */
export const ENDPOINT_WPS_METHODS = METHODS.map(([name]) => name);

/** The word wpa_supplicant takes for "advertise no method" (it knows no method of that name). */
export const NO_WPS_METHODS = 'none';

/** What wpa_supplicant advertises with config_methods unset or empty (its build's defaults). */
const DEFAULT_WORDS = ['display', 'keypad', 'virtual_display'];

/**
 * ConfigMethodsEnabled from `get config_methods`'s answer: wpa_supplicant's words as TR-181 names
 * in ENDPOINT_WPS_METHODS' order. FAIL (unset) or empty reads as its defaults.
 */
export function wpsMethodsOf(answer: string): string[] {
  const t = answer.trim();
  const words = t === '' || t === 'FAIL' ? DEFAULT_WORDS : t.split(/\s+/);
  // "display" must not be read inside "virtual_display": whole words only.
  return METHODS.filter(([, word]) => words.includes(word)).map(([name]) => name);
}

/** config_methods for a ConfigMethodsEnabled list ("" gives NO_WPS_METHODS); 7012 for a method not in ConfigMethodsSupported. */
export function configMethodsOf(list: string): string {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !ENDPOINT_WPS_METHODS.includes(n));
  if (unknown.length > 0) throw invalid('ConfigMethodsEnabled', `${unknown.join(',')} not in ConfigMethodsSupported (${ENDPOINT_WPS_METHODS.join(',')})`);
  const words = METHODS.filter(([name]) => names.includes(name)).map(([, word]) => word);
  return words.length === 0 ? NO_WPS_METHODS : words.join(' ');
}
