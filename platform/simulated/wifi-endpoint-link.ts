/**
 * Whether a simulated Wi-Fi station (Device.WiFi.EndPoint.{i}., TR-181 WiFiEndPoint:1) joins the
 * neighbour network its Profile names, and what the link then reads. Pure functions of the
 * Profile, the neighbours the station's radio hears (wifi-neighbours.ts) and the clock, so one
 * copy serves a whole fleet and nothing is kept per gateway.
 *
 * The simulated world's neighbours keep their keys where a Controller can find them, as a user
 * reads the label of a router: a protected neighbour's passphrase is its SSID followed by
 * "-passphrase" (NEIGHBOUR_PASSPHRASE); its PSK is the one that passphrase makes (IEEE 802.11 J.4).
 */
import type { Value } from '../../datamodel/value/Value.js';
import { wpaPsk } from '../wifi-psk.js';
import type { Neighbour } from './wifi-neighbours.js';

/** The passphrase of a simulated neighbour network named `ssid` (documented in docs/platform-mapping.md). */
export const NEIGHBOUR_PASSPHRASE = (ssid: string): string => `${ssid}-passphrase`;

/** EndPoint.{i}.Security.ModesSupported: what the station's supplicant offers (no WEP: Wi-Fi 6 forbids it; no Enterprise: no EAP credentials). */
export const STATION_MODES = 'None,WPA-Personal,WPA2-Personal,WPA3-Personal,WPA-WPA2-Personal,WPA3-Personal-Transition,OWE';

/** The Profile modes that can join a network of each neighbour security (the scan's SecurityModeEnabled). */
const JOINS: Readonly<Record<string, readonly string[]>> = {
  None: ['None'],
  OWE: ['OWE'],
  WPA2: ['WPA2-Personal', 'WPA-WPA2-Personal'],
  'WPA-WPA2': ['WPA-Personal', 'WPA2-Personal', 'WPA-WPA2-Personal'],
  // A WPA2/WPA3 transition network takes a WPA2 station (PSK) and a WPA3 one (SAE).
  'WPA2-PSK-WPA3-SAE': ['WPA2-Personal', 'WPA-WPA2-Personal', 'WPA3-Personal', 'WPA3-Personal-Transition'],
  'WPA3-SAE': ['WPA3-Personal', 'WPA3-Personal-Transition'],
};

/** Why a station is not associated, or `ok`. */
export type JoinResult = 'ok' | 'not-found' | 'mode-mismatch' | 'wrong-key';

/**
 * Whether a station with Profile security `security` joins network `ssid` among `heard` (the
 * neighbours its radio hears now, strongest first): the strongest BSS of that name whose
 * security the Profile's mode can join, with the right key.
 */
export function join(ssid: string, security: Readonly<Record<string, Value>>, heard: readonly Neighbour[]): { result: JoinResult; bss?: Neighbour } {
  const named = heard.filter((n) => n.ssid === ssid && ssid !== '');
  if (named.length === 0) return { result: 'not-found' };
  const mode = String(security.ModeEnabled);
  const bss = named.find((n) => JOINS[n.security]?.includes(mode));
  if (!bss) return { result: 'mode-mismatch' };
  if (mode === 'None' || mode === 'OWE') return { result: 'ok', bss };
  return { result: keyMatches(ssid, security) ? 'ok' : 'wrong-key', bss };
}

/** The Profile's key against the neighbour's: a passphrase (KeyPassphrase, or SAEPassphrase for SAE) or the PSK it makes. */
function keyMatches(ssid: string, security: Readonly<Record<string, Value>>): boolean {
  const pass = NEIGHBOUR_PASSPHRASE(ssid);
  const psk = String(security.PreSharedKey ?? '').toLowerCase();
  if (psk !== '') return psk === wpaPsk(pass, ssid);
  return security.KeyPassphrase === pass || (String(security.ModeEnabled).startsWith('WPA3') && security.SAEPassphrase === pass);
}

/** The PHY rate ceiling of a station on each band, kbps (2x2 HT40, VHT80 and HE80 links, capped at TR-181's 600 Mbit/s). */
const MAX_RATE: Readonly<Record<string, number>> = { '2.4GHz': 300_000, '5GHz': 600_000, '6GHz': 600_000 };

/**
 * Stats of a link heard at `dbm`: the rates fall from the band's ceiling at -50 dBm to 1 Mbit/s
 * near -90 dBm (the rate adaptation steps down with SNR), and a weak link retransmits more.
 */
export function linkStats(band: string, dbm: number): Record<string, Value> {
  const quality = Math.min(1, Math.max(0, (dbm + 90) / 40));
  const down = Math.max(1000, Math.round(((MAX_RATE[band] ?? 300_000) * quality) / 1000) * 1000);
  return {
    LastDataDownlinkRate: down,
    // The station transmits with less power than the AP: its uplink rate is a step lower.
    LastDataUplinkRate: Math.max(1000, Math.round((down * 0.8) / 1000) * 1000),
    SignalStrength: dbm,
    Retransmissions: Math.min(100, Math.max(0, Math.round((-50 - dbm) * 1.5))),
  };
}

/**
 * Stats of a station not associated: no signal (0) and no retransmission; TR-181 gives the rates
 * no "none" value (1000-600000 kbps), so they read the floor of the range, the lowest rate.
 */
export const NO_LINK: Readonly<Record<string, Value>> = Object.freeze({ LastDataDownlinkRate: 1000, LastDataUplinkRate: 1000, SignalStrength: 0, Retransmissions: 0 });
