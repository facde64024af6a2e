/**
 * The WPA pre-shared key a passphrase makes for an SSID (IEEE 802.11-2020 J.4: PBKDF2-SHA1,
 * the SSID as salt, 4096 rounds, 256 bits), what Device.WiFi.AccessPoint.{i}.Security.PreSharedKey
 * reads when the AccessPoint is configured by passphrase (TR-181: "If KeyPassphrase is written,
 * then PreSharedKey is immediately generated").
 */
import { pbkdf2Sync } from 'node:crypto';

/** 4096 rounds cost milliseconds: the last few (passphrase, SSID) pairs are kept. */
const CACHE_SIZE = 16;
const cache = new Map<string, string>();

/** The PSK as 64 lower-case hex digits (hexBinary's canonical form). */
export function wpaPsk(passphrase: string, ssid: string): string {
  const key = `${passphrase}\n${ssid}`;
  let psk = cache.get(key);
  if (psk === undefined) {
    psk = pbkdf2Sync(passphrase, ssid, 4096, 32, 'sha1').toString('hex');
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(key, psk);
  }
  return psk;
}

/** A raw PSK as UCI `key` and hostapd `wpa_psk` take it: exactly 64 hex digits. */
export const RAW_PSK = /^[0-9a-fA-F]{64}$/;
