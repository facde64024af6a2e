/**
 * Parsers and encoders of wpa_supplicant's control interface as `wpa_cli -p <dir> -i <if>
 * <command>` prints it (wpa_supplicant 2.9-2.11): `interface`, `status`, `signal_poll`,
 * `list_networks`, `get_network <id> <field>`. Pure functions, no I/O.
 */
import { parseInterfaces } from './wifi-hostapd-cli.js';

/** One network of `list_networks`: "network id / ssid / bssid / flags", tab-separated. */
export interface WpaNetwork {
  id: number;
  ssid: string;
  /** [CURRENT], [DISABLED], [TEMP-DISABLED], [P2P-PERSISTENT]: the names without brackets. */
  flags: Set<string>;
}

/**
 * `interface`: the control sockets of the directory. Debian's wpa_supplicant (built with P2P)
 * also opens `p2p-dev-<if>` for the P2P device of a station: that is no station interface.
 */
export function parseWpaInterfaces(text: string): string[] {
  return parseInterfaces(text).filter((n) => !n.startsWith('p2p-dev-'));
}

/** `list_networks`: a header line, then one network per line (its SSID as wpa_supplicant escapes it for printing). */
export function parseListNetworks(text: string): WpaNetwork[] {
  const out: WpaNetwork[] = [];
  for (const line of text.split('\n')) {
    const cols = line.split('\t');
    if (cols.length < 4 || !/^\d+$/.test(cols[0]!)) continue;
    const flags = new Set([...cols[3]!.matchAll(/\[([A-Z0-9-]+)\]/g)].map((m) => m[1]!));
    out.push({ id: Number(cols[0]), ssid: cols[1]!, flags });
  }
  return out;
}

/**
 * A string field of `get_network` (ssid, sae_password): wpa_supplicant prints a printable value
 * in double quotes and any other as hex digits without them. Undefined for "FAIL" (no such
 * network or field) and for an unset field.
 */
export function parseNetworkString(text: string): string | undefined {
  const t = text.replace(/\n$/, '');
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1);
  if (/^([0-9a-f]{2})+$/i.test(t)) return Buffer.from(t, 'hex').toString('utf8');
  return undefined;
}

/** A numeric field of `get_network` (priority); undefined for "FAIL". */
export function parseNetworkNumber(text: string): number | undefined {
  const t = text.trim();
  return /^-?\d+$/.test(t) ? Number(t) : undefined;
}

/** A word-list field of `get_network` (key_mgmt: "WPA-PSK SAE"); empty for "FAIL". */
export function parseNetworkWords(text: string): string[] {
  const t = text.trim();
  return t === 'FAIL' ? [] : t.split(/\s+/).filter(Boolean);
}

/**
 * A string as `set_network` takes it: in double quotes (wpa_supplicant takes everything up to the
 * last quote, so quotes inside are kept), or as hex digits when it holds a character a control
 * line cannot carry as written.
 */
export function networkString(v: string): string {
  return /^[\x20-\x7e]*$/.test(v) ? `"${v}"` : Buffer.from(v, 'utf8').toString('hex');
}

/**
 * Security.ModeEnabled of a network from its key_mgmt (IEEE 802.11 AKM suites as wpa_supplicant
 * names them). WPA-PSK reads as WPA2-Personal: the agent does not read `proto` (wpa_supplicant's
 * default "WPA RSN" would also join a WPA1 network).
 */
export function wpaSecurityMode(keyMgmt: readonly string[]): string {
  const akm = new Set(keyMgmt);
  if (akm.has('OWE')) return 'OWE';
  if (akm.has('SAE') || akm.has('FT-SAE')) return akm.has('WPA-PSK') ? 'WPA3-Personal-Transition' : 'WPA3-Personal';
  if (akm.has('WPA-PSK') || akm.has('FT-PSK') || akm.has('WPA-PSK-SHA256')) return 'WPA2-Personal';
  if (akm.has('WPA-EAP') || akm.has('FT-EAP') || akm.has('WPA-EAP-SHA256')) return 'WPA2-Enterprise';
  return 'None';
}

/** The network fields a Security.ModeEnabled sets (key_mgmt, and the management frame protection WPA3 needs). */
export function keyMgmtOf(mode: string): Array<[string, string]> | undefined {
  switch (mode) {
    case 'None':
      return [['key_mgmt', 'NONE']];
    case 'WPA2-Personal':
      return [['key_mgmt', 'WPA-PSK']];
    case 'WPA3-Personal':
      return [
        ['key_mgmt', 'SAE'],
        ['ieee80211w', '2'],
      ];
    case 'WPA3-Personal-Transition':
      return [
        ['key_mgmt', 'WPA-PSK SAE'],
        ['ieee80211w', '1'],
      ];
    case 'OWE':
      return [
        ['key_mgmt', 'OWE'],
        ['ieee80211w', '2'],
      ];
    default:
      return undefined;
  }
}

/** EndPoint.Status from `status`'s wpa_state (COMPLETED: associated and keyed). */
export function endpointStatus(wpaState: string | undefined): string {
  if (wpaState === undefined) return 'Error';
  if (wpaState === 'COMPLETED') return 'Enabled';
  if (wpaState === 'INTERFACE_DISABLED') return 'Disabled';
  // DISCONNECTED, INACTIVE, SCANNING, AUTHENTICATING, ASSOCIATING, 4WAY_HANDSHAKE...: not (yet) joined.
  return 'Error';
}

/**
 * wpa_supplicant's answer to the one command written to wpa_cli's standard input (interactive
 * mode): after the banner, the "> " prompt, the command line echoed back (Debian's 2.10 echoes it
 * without a terminal, redrawn with a carriage return past 80 columns), then the answer, then the
 * next prompt. The answer is the last line before that prompt; undefined when there is none.
 */
export function wpaInteractiveAnswer(stdout: string): string | undefined {
  const i = stdout.indexOf('Interactive mode');
  const body = i < 0 ? stdout : stdout.slice(i + 'Interactive mode'.length);
  const start = body.indexOf('> ');
  if (start < 0) return undefined;
  const end = body.indexOf('\n> ', start);
  const lines = body.slice(start + 2, end < 0 ? undefined : end).split('\n');
  // Only an echo and no answer: wpa_supplicant said nothing.
  if (lines.length < 2) return undefined;
  const answer = lines.at(-1)!.trim();
  return answer === '' ? undefined : answer;
}
