/**
 * The security modes of Device.WiFi.AccessPoint.{i}.Security on generic Linux that run only on a
 * BSS whose configuration file the agent writes (an AccessPoint a Controller added: wifi-added.ts):
 * WPA2-Enterprise (RadiusServerIPAddr, RadiusServerPort, RadiusSecret) and WEP-64 / WEP-128
 * (WEPKey). Both are applied by rewriting the BSS file and starting the BSS again from it (global
 * control interface REMOVE, then ADD), never with `set`, because of what hostapd 2.10 does at run
 * time (recorded: test/fixtures/linux/wifi-hostapd-enterprise-wep):
 * - `set auth_server_addr` appends a RADIUS server to the BSS's list and the old one stays (a
 *   failover target with the old secret): a file with one server replaces the list;
 * - a `set wep_key0` hostapd refuses while WPA runs is kept all the same, and every later reload
 *   fails its configuration check: a WEP key is written only into the file of a BSS whose mode is
 *   WEP, and held in the file as a comment hostapd skips while another mode runs.
 * hostapd's own BSSes (its configuration files) do not take these values: 7012 naming why.
 */
import { isIP } from 'node:net';
import type { Value } from '../../datamodel/value/Value.js';
import type { BssKeys } from './wifi-bss-file.js';
import { invalid } from './wifi-write.js';

/** The modes only an added AccessPoint takes here. */
export const FILE_ONLY_MODES = ['WPA2-Enterprise', 'WEP-64', 'WEP-128'] as const;

/** The Security parameters only an added AccessPoint takes here. */
export const FILE_ONLY_PARAMS = ['WEPKey', 'RadiusServerIPAddr', 'RadiusServerPort', 'RadiusSecret'] as const;

/** The RADIUS authentication port (RFC 2865), hostapd's default. */
export const RADIUS_PORT = 1812;

/** A key of another mode kept in the BSS file: hostapd skips lines that start with "#". */
export const HELD_PREFIX = '#usp-agent-held:';

/** At most this long a RADIUS shared secret (RFC 2865 sets none; hostapd reads a line). */
const MAX_SECRET = 128;

/** The RADIUS server of a WPA2-Enterprise BSS (its secret is a key: in the BSS file only). */
export interface RadiusServer {
  addr: string;
  port: number;
}

/** Why this AccessPoint cannot take the file-only parameters and modes. */
export function fileOnlyProblem(param: string): ReturnType<typeof invalid> {
  return invalid(
    param,
    "hostapd runs this BSS from its own configuration file: WEP and WPA2-Enterprise (RADIUS) are applied by rewriting a BSS's file and starting it again, which only an AccessPoint a Controller added has (hostapd's set would append a RADIUS server, and keeps a refused WEP key)",
  );
}

/** Whether a Security Set of an added AccessPoint goes through its file (a file-only parameter, or a file-only mode before or after). */
export function changesViaFile(changes: Record<string, Value>, mode: string, next: string): boolean {
  const fileMode = (m: string): boolean => (FILE_ONLY_MODES as readonly string[]).includes(m);
  return fileMode(mode) || fileMode(next) || FILE_ONLY_PARAMS.some((p) => changes[p] !== undefined);
}

/** What a Set of the file-only parameters makes of the BSS: its keys and RADIUS server; 7012 for a bad value. */
export function fileOnlyPlan(changes: Record<string, Value>, radius: RadiusServer | undefined): { keys: BssKeys; radius: RadiusServer; cleared: (keyof BssKeys)[] } {
  const keys: BssKeys = {};
  const cleared: (keyof BssKeys)[] = [];
  const next: RadiusServer = { addr: radius?.addr ?? '', port: radius?.port ?? RADIUS_PORT };
  if (changes.WEPKey !== undefined) {
    const v = String(changes.WEPKey);
    // TR-181 hexBinary of 5 (WEP-64) or 13 (WEP-128) octets: hostapd's wep_key0 in hex.
    if (!/^([0-9a-fA-F]{10}|[0-9a-fA-F]{26})$/.test(v)) throw invalid('WEPKey', 'a WEP key is 10 (WEP-64) or 26 (WEP-128) hexadecimal digits');
    keys.wep_key0 = v.toLowerCase();
  }
  if (changes.RadiusServerIPAddr !== undefined) {
    const v = String(changes.RadiusServerIPAddr);
    if (v !== '' && isIP(v) === 0) throw invalid('RadiusServerIPAddr', 'an IPv4 or IPv6 address (hostapd takes no name)');
    next.addr = v;
  }
  if (changes.RadiusServerPort !== undefined) {
    const n = Number(changes.RadiusServerPort);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw invalid('RadiusServerPort', 'a UDP port, 1 to 65535');
    next.port = n;
  }
  if (changes.RadiusSecret !== undefined) {
    const v = String(changes.RadiusSecret);
    if (v.length > MAX_SECRET || /[\x00-\x1f\x7f]/.test(v)) throw invalid('RadiusSecret', `a shared secret of up to ${MAX_SECRET} characters without control characters`);
    if (v === '') cleared.push('auth_server_shared_secret');
    else keys.auth_server_shared_secret = v;
  }
  return { keys, radius: next, cleared };
}

/** What a BSS still needs before it runs in `mode`, beyond its keys (wifi-bss-file.ts missingKey). */
export function missingServer(mode: string, radius: RadiusServer | undefined): string | undefined {
  return mode === 'WPA2-Enterprise' && !radius?.addr ? 'RadiusServerIPAddr' : undefined;
}

/** The BSS file lines of a file-only mode, and the keys they carry; undefined for the other modes. */
export function renderModeLines(mode: string, keys: BssKeys, radius: RadiusServer | undefined): { lines: string[]; uses: Set<keyof BssKeys> } | undefined {
  if (mode === 'WPA2-Enterprise') {
    // IEEE 802.1X with the RADIUS server as authenticator's back end; one server: the list hostapd uses.
    const lines = ['wpa=2', 'wpa_key_mgmt=WPA-EAP', 'rsn_pairwise=CCMP', 'ieee8021x=1'];
    if (radius?.addr) lines.push(`auth_server_addr=${radius.addr}`, `auth_server_port=${radius.port}`);
    if (keys.auth_server_shared_secret !== undefined) lines.push(`auth_server_shared_secret=${keys.auth_server_shared_secret}`);
    return { lines, uses: new Set(['auth_server_shared_secret']) };
  }
  if (mode === 'WEP-64' || mode === 'WEP-128') {
    const lines = ['wpa=0', 'wep_default_key=0'];
    if (keys.wep_key0 !== undefined) lines.push(`wep_key0=${keys.wep_key0}`);
    return { lines, uses: new Set(['wep_key0']) };
  }
  return undefined;
}
