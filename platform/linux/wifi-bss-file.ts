/**
 * The hostapd BSS configuration file of an SSID + AccessPoint a Controller added on generic
 * Linux (wifi-added.ts): what `ADD bss_config=<phy>:<file>` starts. The agent owns its directory
 * (mode 0700, files 0600): the keys are in these files and nowhere else of the agent's (not in
 * its store, logs, or any command line). A file is rewritten whole (a temporary file, then
 * rename) on each change, so hostapd never reads half of one.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PERSONAL_MODES } from './wifi-ap-settings.js';
import { HELD_PREFIX, type RadiusServer, renderModeLines } from './wifi-bss-modes.js';

/** The keys of one BSS (absent: none set). */
export interface BssKeys {
  wpa_passphrase?: string;
  wpa_psk?: string;
  sae_password?: string;
  /** Security.WEPKey (hex digits), written for hostapd only while ModeEnabled is WEP-64/WEP-128. */
  wep_key0?: string;
  /** Security.RadiusSecret, written for hostapd only while ModeEnabled is an Enterprise mode. */
  auth_server_shared_secret?: string;
}

/** The keys a BSS file holds, in the order they are written. */
const KEY_NAMES = ['wpa_passphrase', 'wpa_psk', 'sae_password', 'wep_key0', 'auth_server_shared_secret'] as const;

/** What the file says. */
export interface BssFileContent {
  ifname: string;
  /** hostapd's ctrl_interface, so that the BSS gets its control socket beside the others. */
  ctrlInterface: string;
  /** The radio's band and channel, as its running BSS has them (hostapd takes the radio's own). */
  hwMode: 'g' | 'a';
  channel: number;
  ssid: string;
  /** Security.ModeEnabled: None, one of PERSONAL_MODES, WPA2-Enterprise, WEP-64 or WEP-128 (wifi-bss-modes.ts). */
  mode: string;
  keys: BssKeys;
  /** The RADIUS server of an Enterprise mode. */
  radius?: RadiusServer;
}

/** The key a mode needs before the BSS can run, as a TR-181 parameter name; undefined when it has it. */
export function missingKey(mode: string, keys: BssKeys): string | undefined {
  if (mode === 'WPA2-Personal' && !keys.wpa_passphrase && !keys.wpa_psk) return 'KeyPassphrase or PreSharedKey';
  if (mode === 'WPA3-Personal' && !keys.sae_password && !keys.wpa_passphrase) return 'SAEPassphrase';
  if (mode === 'WPA3-Personal-Transition' && !keys.wpa_passphrase) return 'KeyPassphrase';
  // A WEP key of the other length does not make the mode run (hostapd takes the key's length as the mode's).
  if (mode === 'WEP-64' && keys.wep_key0?.length !== 10) return 'WEPKey (10 hexadecimal digits)';
  if (mode === 'WEP-128' && keys.wep_key0?.length !== 26) return 'WEPKey (26 hexadecimal digits)';
  if (mode === 'WPA2-Enterprise' && !keys.auth_server_shared_secret) return 'RadiusSecret';
  return undefined;
}

/** The file's text (hostapd's key=value lines; values are checked by the Set before they get here). */
export function renderBssFile(c: BssFileContent): string {
  const lines = [
    "# Written by usp-agent for a Controller's Device.WiFi.SSID and AccessPoint; rewritten on each change.",
    `interface=${c.ifname}`,
    'driver=nl80211',
    `ctrl_interface=${c.ctrlInterface}`,
    `hw_mode=${c.hwMode}`,
    `channel=${c.channel}`,
    `ssid=${c.ssid}`,
  ];
  const m = PERSONAL_MODES[c.mode];
  const modeLines = renderModeLines(c.mode, c.keys, c.radius);
  if (modeLines) lines.push(...modeLines.lines);
  else if (!m) lines.push('wpa=0');
  else {
    lines.push('wpa=2', `wpa_key_mgmt=${m.keyMgmt}`, 'rsn_pairwise=CCMP');
    if (m.mfp !== '0') lines.push(`ieee80211w=${m.mfp}`);
    for (const k of ['wpa_passphrase', 'wpa_psk', 'sae_password'] as const) if (c.keys[k] !== undefined) lines.push(`${k}=${c.keys[k]}`);
  }
  // The WEP key and RADIUS secret of another mode stay in the file as comments hostapd skips: a
  // key a Controller gave while WPA runs is sent only once the mode is WEP, never to a WPA BSS.
  for (const k of ['wep_key0', 'auth_server_shared_secret'] as const) if (c.keys[k] !== undefined && !modeLines?.uses.has(k)) lines.push(`${HELD_PREFIX}${k}=${c.keys[k]}`);
  return `${lines.join('\n')}\n`;
}

/** The keys a file holds (an absent or unreadable file: none). */
export async function readBssKeys(file: string): Promise<BssKeys> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return {};
  }
  const keys: BssKeys = {};
  for (const raw of text.split('\n')) {
    const line = raw.startsWith(HELD_PREFIX) ? raw.slice(HELD_PREFIX.length) : raw;
    const i = line.indexOf('=');
    const k = line.slice(0, i);
    if ((KEY_NAMES as readonly string[]).includes(k)) keys[k as keyof BssKeys] = line.slice(i + 1);
  }
  return keys;
}

/** Writes `file` (0600) in its directory (made 0700, and kept so). */
export async function writeBssFile(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.chmod(dir, 0o700);
  const tmp = `${file}.tmp`;
  // A left-over temporary file would keep its own mode: made afresh, 0600 from its first byte.
  await fs.rm(tmp, { force: true });
  await fs.writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
  await fs.rename(tmp, file);
}

/** Removes `file`; one already gone is fine. */
export async function removeBssFile(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}
