/**
 * Parsers of hostapd's control interface as `hostapd_cli -p <dir> [-i <if>] <command>` prints it
 * (hostapd 2.9-2.11): `interface`, `status`, `get_config`, `all_sta`. Answers are `key=value`
 * lines; `all_sta` starts each station with a bare MAC address line. Unknown keys are kept in the
 * maps and ignored by the callers. Pure functions, no I/O.
 */

/** `key=value` lines (`status`, `get_config`); a line without "=" is skipped. */
export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/**
 * `interface`: the BSS interfaces hostapd controls ("Available interfaces:" then one per line),
 * in the order hostapd_cli lists them (the sockets of the control directory).
 */
export function parseInterfaces(text: string): string[] {
  const lines = text.split('\n').map((l) => l.trim());
  const start = lines.indexOf('Available interfaces:');
  return lines.slice(start + 1).filter((l) => /^[\w.-]+$/.test(l));
}

/** One BSS as `status` and `get_config` describe it. */
export interface HostapdBss {
  ifname: string;
  /** ENABLED, DISABLED, COUNTRY_UPDATE, ACS, HT_SCAN, DFS, NO_IR, UNINITIALIZED */
  state?: string;
  phy?: string;
  freq?: number;
  channel?: number;
  ieee80211n: boolean;
  ieee80211ac: boolean;
  ieee80211ax: boolean;
  /** Secondary channel offset: 1 above, -1 below, 0 none. */
  secondaryChannel?: number;
  /** hostapd's vht_oper_chwidth: 0 (20/40), 1 (80), 2 (160), 3 (80+80). */
  vhtChwidth?: number;
  /** vht_oper_centr_freq_seg0_idx: the centre channel of an 80/160 MHz channel. */
  centerChannel?: number;
  maxTxPower?: number;
  bssid?: string;
  ssid?: string;
  numSta?: number;
  /** get_config: "wpa" (0 none, 1 WPA, 2 WPA2/WPA3, 3 both), key_mgmt, ciphers, wps_state. */
  wpa?: number;
  keyMgmt: string[];
  pairwise: string[];
  wpsState?: string;
}

/**
 * A BSS from `status` of its interface (a multi-BSS radio lists every BSS as bss[N]: the one
 * named `ifname` is taken) and its `get_config`.
 */
export function hostapdBss(ifname: string, status: Record<string, string>, config: Record<string, string>): HostapdBss {
  const num = (s: string | undefined): number | undefined => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : undefined);
  let k = 0;
  while (status[`bss[${k}]`] !== undefined && status[`bss[${k}]`] !== ifname) k++;
  const own = status[`bss[${k}]`] === ifname;
  return {
    ifname,
    state: status.state,
    phy: status.phy,
    freq: num(status.freq),
    channel: num(status.channel),
    ieee80211n: status.ieee80211n === '1',
    ieee80211ac: status.ieee80211ac === '1',
    ieee80211ax: status.ieee80211ax === '1',
    secondaryChannel: num(status.secondary_channel),
    vhtChwidth: num(status.vht_oper_chwidth),
    centerChannel: num(status.vht_oper_centr_freq_seg0_idx),
    maxTxPower: num(status.max_txpower),
    bssid: (own ? status[`bssid[${k}]`] : config.bssid)?.toLowerCase(),
    ssid: own ? status[`ssid[${k}]`] : config.ssid,
    numSta: own ? num(status[`num_sta[${k}]`]) : undefined,
    wpa: num(config.wpa),
    keyMgmt: (config.key_mgmt ?? '').split(/\s+/).filter(Boolean),
    pairwise: (config.rsn_pairwise_cipher ?? config.wpa_pairwise_cipher ?? '').split(/\s+/).filter(Boolean),
    wpsState: config.wps_state,
  };
}

/** One station of `all_sta`. */
export interface HostapdStation {
  mac: string;
  flags: Set<string>;
  values: Record<string, string>;
}

/** `all_sta`: a MAC address line opens each station, its `key=value` lines follow. */
export function parseAllSta(text: string): HostapdStation[] {
  const out: HostapdStation[] = [];
  let cur: HostapdStation | undefined;
  for (const line of text.split('\n')) {
    if (/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(line.trim())) {
      out.push((cur = { mac: line.trim().toLowerCase(), flags: new Set(), values: {} }));
      continue;
    }
    const i = line.indexOf('=');
    if (!cur || i <= 0) continue;
    const [key, value] = [line.slice(0, i), line.slice(i + 1)];
    if (key === 'flags') for (const m of value.matchAll(/\[([A-Z0-9_]+)\]/g)) cur.flags.add(m[1]!);
    else cur.values[key] = value;
  }
  return out;
}

/**
 * Security.ModeEnabled from get_config's `wpa` and `key_mgmt` (hostapd's names, IEEE 802.11
 * AKM suites): WPA-PSK → Personal, WPA-EAP → Enterprise, SAE (+ WPA-PSK: transition), OWE.
 */
export function hostapdSecurityMode(bss: Pick<HostapdBss, 'wpa' | 'keyMgmt'>): string {
  const akm = new Set(bss.keyMgmt);
  if (!bss.wpa) return akm.has('OWE') ? 'OWE' : 'None';
  if (akm.has('OWE')) return 'OWE';
  if (akm.has('SAE') || akm.has('FT-SAE')) return akm.has('WPA-PSK') ? 'WPA3-Personal-Transition' : 'WPA3-Personal';
  const eap = akm.has('WPA-EAP') || akm.has('WPA-EAP-SHA256') || akm.has('FT-EAP');
  if (eap && akm.has('WPA-EAP-SUITE-B-192')) return 'WPA3-Enterprise';
  const suffix = eap ? 'Enterprise' : 'Personal';
  if (bss.wpa === 3) return `WPA-WPA2-${suffix}`;
  return bss.wpa === 1 ? `WPA-${suffix}` : `WPA2-${suffix}`;
}

/** EncryptionMode from the pairwise ciphers ("CCMP", "TKIP CCMP", "GCMP-256"). */
export function hostapdEncryption(pairwise: readonly string[]): string {
  const out: string[] = [];
  if (pairwise.includes('TKIP')) out.push('TKIP');
  if (pairwise.some((c) => c.startsWith('CCMP') || c.startsWith('GCMP'))) out.push('AES');
  return out.join(',');
}
