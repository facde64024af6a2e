/**
 * What a device's hostapd configuration files set of the Device.WiFi. settings hostapd's control
 * interface cannot report (wifi-held.ts): ignore_broadcast_ssid, ap_isolate, max_num_sta,
 * wmm_enabled, uapsd_advertisement_enabled, wpa_group_rekey, macaddr_acl, auth_server_addr/port (per BSS) and ieee80211h (per radio, in the
 * `interface=` section). A key a file does not set is hostapd's default (HOSTAPD_DEFAULTS).
 *
 * Which files: `--hostapd-conf FILE[,FILE]` when given; otherwise the configuration files on the
 * command line of every process named hostapd (/proc/<pid>/comm and cmdline, through HostFiles
 * so tests can give a fake /proc), as `ps` shows a field engineer. The files are only read.
 */
import { isIP } from 'node:net';
import type { Value } from '../../datamodel/value/Value.js';
import type { HostFiles } from './HostFiles.js';
import { wpsMethodsOf } from './wifi-wps.js';

/** At most this many hostapd processes and files are read (a device runs one or a few). */
const MAX_FILES = 16;
/** A hostapd configuration file larger than this is not one (hostapd's own examples are ~100 KiB). */
const MAX_BYTES = 1 << 20;

/** hostapd's configuration keys → the TR-181 parameter they set (ignore_broadcast_ssid inverted). */
const KEYS: Readonly<Record<string, { param: string; value: (v: string) => Value | undefined }>> = {
  ignore_broadcast_ssid: { param: 'SSIDAdvertisementEnabled', value: (v) => (/^\d+$/.test(v) ? Number(v) === 0 : undefined) },
  ap_isolate: { param: 'IsolationEnable', value: (v) => flag(v) },
  max_num_sta: { param: 'MaxAllowedAssociations', value: (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 2007 ? Number(v) : undefined) },
  wmm_enabled: { param: 'WMMEnable', value: (v) => flag(v) },
  uapsd_advertisement_enabled: { param: 'UAPSDEnable', value: (v) => flag(v) },
  ieee80211h: { param: 'IEEE80211hEnabled', value: (v) => flag(v) },
  // hostapd.conf's wpa_group_rekey takes 0 (never) or seconds.
  wpa_group_rekey: { param: 'RekeyingInterval', value: (v) => (/^\d{1,9}$/.test(v) ? Number(v) : undefined) },
  // macaddr_acl 2 (ask a RADIUS server) is neither: the default reads.
  macaddr_acl: { param: 'MACAddressControlEnabled', value: (v) => flag(v) },
  // Security's RADIUS server: the first auth_server_addr of the BSS, which hostapd uses first (see FIRST_WINS).
  auth_server_addr: { param: 'RadiusServerIPAddr', value: (v) => (isIP(v) !== 0 ? v : undefined) },
  auth_server_port: { param: 'RadiusServerPort', value: (v) => (/^\d{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 65535 ? Number(v) : undefined) },
  config_methods: { param: 'WPSConfigMethodsEnabled', value: (v) => wpsMethodsOf(v) },
  // Radio: channel 0 (or acs_survey) is hostapd's automatic channel selection.
  channel: { param: 'AutoChannelEnable', value: (v) => (v === '0' || v === 'acs_survey' ? true : /^\d+$/.test(v) ? false : undefined) },
};

/** Keys that may repeat, of which the first is the one reported (hostapd lists RADIUS servers in order). */
const FIRST_WINS = new Set(['auth_server_addr', 'auth_server_port']);

/** The keys of the radio (the `interface=` section), not of each BSS. */
const RADIO_KEYS = new Set(['ieee80211h', 'channel']);

function flag(v: string): boolean | undefined {
  return v === '0' ? false : v === '1' ? true : undefined;
}

/**
 * The settings one configuration text gives, by held-settings id: "bss:<ifname>" for each
 * `interface=` / `bss=` section, "radio:<ifname of interface=>" for ieee80211h. A value hostapd
 * would refuse to start with is left out (the default reads instead).
 */
export function parseHostapdConf(text: string): Map<string, Record<string, Value>> {
  const out = new Map<string, Record<string, Value>>();
  let radio: string | undefined;
  let bss: string | undefined;
  const put = (id: string, param: string, value: Value): void => {
    out.set(id, { ...(out.get(id) ?? {}), [param]: value });
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    // hostapd reads `key=value` lines; "#" starts a comment only at the start of a line.
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const key = line.slice(0, i);
    const value = line.slice(i + 1);
    if (key === 'interface' && radio === undefined) {
      radio = bss = value;
      continue;
    }
    if (key === 'bss') {
      bss = value;
      continue;
    }
    const known = KEYS[key];
    const v = known?.value(value);
    if (!known || v === undefined) continue;
    if (RADIO_KEYS.has(key)) {
      if (radio !== undefined) put(`radio:${radio}`, known.param, v);
    } else if (bss !== undefined && !(FIRST_WINS.has(key) && out.get(`bss:${bss}`)?.[known.param] !== undefined)) put(`bss:${bss}`, known.param, v);
  }
  return out;
}

/** hostapd's options that take a value (hostapd 2.10 `getopt` "b:Bde:f:hi:KP:sSTtu:vg:G:q"). */
const WITH_VALUE = new Set(['-b', '-e', '-f', '-i', '-P', '-u', '-g', '-G']);

/** The configuration files of one hostapd command line: its arguments that are not options, and `-b phy:FILE`'s files. */
export function hostapdConfFiles(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let k = 1; k < argv.length; k++) {
    const a = argv[k]!;
    if (a === '-b' && argv[k + 1] !== undefined) out.push(argv[k + 1]!.slice(argv[k + 1]!.indexOf(':') + 1));
    if (WITH_VALUE.has(a)) k++;
    else if (!a.startsWith('-') && a !== '') out.push(a);
  }
  return out;
}

/** The configuration files of the running hostapd processes, from `files`' /proc. */
export async function runningHostapdConfFiles(files: HostFiles): Promise<string[]> {
  const out: string[] = [];
  for (const pid of (await files.list(files.procRoot)).filter((d) => /^\d+$/.test(d))) {
    if ((await files.read(files.proc(pid, 'comm')))?.trim() !== 'hostapd') continue;
    const cmdline = await files.read(files.proc(pid, 'cmdline'));
    if (cmdline) out.push(...hostapdConfFiles(cmdline.split('\0').filter((a, i, all) => i < all.length - 1 || a !== '')));
    if (out.length >= MAX_FILES) break;
  }
  return out.slice(0, MAX_FILES);
}

/** What the files say, merged in order (a later file's BSS of the same name wins). Unreadable files are skipped. */
export async function readHostapdConf(files: HostFiles, paths: readonly string[]): Promise<Map<string, Record<string, Value>>> {
  const out = new Map<string, Record<string, Value>>();
  for (const p of paths.slice(0, MAX_FILES)) {
    const text = await files.read(p);
    if (text === undefined || text.length > MAX_BYTES) continue;
    for (const [id, v] of parseHostapdConf(text)) out.set(id, { ...(out.get(id) ?? {}), ...v });
  }
  return out;
}
