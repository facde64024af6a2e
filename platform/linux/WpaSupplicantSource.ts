/**
 * Where Device.WiFi.EndPoint. on generic Linux reads from, and writes to: a running
 * wpa_supplicant's control interface (`wpa_cli -p <dir> -i <if>`), one socket per station
 * interface in its control directory (`ctrl_interface`). Reads go through the shared
 * CommandRunner's cache for `cacheMs`; a write drops the cache. A missing wpa_cli or a dead
 * wpa_supplicant is not an error of the model: the read gives no rows and is logged once.
 *
 * Keys (psk, sae_password) never go on a command line, where every user of the host sees them in
 * ps: they are written to wpa_cli's standard input (its interactive mode), HOME unset so that no
 * history file keeps them, and masked in every log line and error.
 */
import type { Logger } from '../../datamodel/Logger.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import { cliWords } from './hostapd-cli-stdin.js';
import { parseKeyValues } from './wifi-hostapd-cli.js';
import { type IwStation, parseStationDump } from './wifi-iw.js';
import { parseListNetworks, parseNetworkNumber, parseNetworkString, parseNetworkWords, parseWpaInterfaces, type WpaNetwork, wpaInteractiveAnswer } from './wpa-cli.js';

/** Debian's and OpenWrt's wpa_supplicant `ctrl_interface`. */
export const DEFAULT_WPA_SUPPLICANT_DIR = '/run/wpa_supplicant';

/** At most this many station interfaces, and networks of each, are read (each network costs three calls). */
const MAX_STATIONS = 16;
const MAX_NETWORKS = 32;

/** How long wpa_cli's interactive mode may take to send one key. */
const SECRET_TIMEOUT_MS = 5_000;

/** What a Profile shows of one network beyond list_networks (get_network). */
export interface WpaProfileDetails {
  /** The SSID unescaped (get_network ssid); list_networks' escaped form when that failed. */
  ssidValue: string;
  keyMgmt: string[];
  priority: number;
}

/** One station interface: its `status` and networks. */
export interface WpaStation {
  ifname: string;
  status: Record<string, string>;
  networks: WpaNetwork[];
}

export interface WpaSupplicantSourceOptions {
  runner: CommandRunner;
  dir: string;
  cacheMs: number;
  log?: Logger;
}

export class WpaSupplicantSource {
  /** EndPoint.{i} by interface name; Profile.{i} of each by network id. */
  readonly endpoints = new InstanceMap();
  private readonly profileNumbers = new Map<string, InstanceMap>();
  private readonly failing = new Set<string>();

  constructor(private readonly opts: WpaSupplicantSourceOptions) {}

  /** Instance numbers of the networks of station `ifname`, by network id. */
  profilesOf(ifname: string): InstanceMap {
    let m = this.profileNumbers.get(ifname);
    if (!m) this.profileNumbers.set(ifname, (m = new InstanceMap()));
    return m;
  }

  /** The station interfaces wpa_supplicant controls, in name order. */
  async interfaces(): Promise<string[]> {
    const names = (await this.call([], 'interface', parseWpaInterfaces)) ?? [];
    return names.sort((x, y) => x.localeCompare(y, 'en', { numeric: true })).slice(0, MAX_STATIONS);
  }

  /** The networks of station `ifname` as `list_networks` gives them (what a write needs); undefined when wpa_supplicant does not answer. */
  async networks(ifname: string): Promise<WpaNetwork[] | undefined> {
    return (await this.call(['-i', ifname], 'list_networks', parseListNetworks))?.slice(0, MAX_NETWORKS);
  }

  /** Station `ifname` now; undefined when wpa_supplicant does not answer for it. */
  async station(ifname: string): Promise<WpaStation | undefined> {
    const [status, networks] = await Promise.all([this.call(['-i', ifname], 'status', parseKeyValues), this.networks(ifname)]);
    return status && networks ? { ifname, status, networks } : undefined;
  }

  /** `signal_poll` of station `ifname` (RSSI, LINKSPEED); empty when wpa_supplicant does not answer. */
  async signal(ifname: string): Promise<Record<string, string>> {
    return (await this.call(['-i', ifname], 'signal_poll', parseKeyValues)) ?? {};
  }

  /**
   * What `get_network` says of network `n` of station `ifname`. The SSID is asked only when
   * list_networks printed it escaped (a backslash: wpa_supplicant's printf_encode of a byte
   * that is not printable ASCII); otherwise the listed one is the SSID.
   */
  async details(ifname: string, n: WpaNetwork): Promise<WpaProfileDetails> {
    const i = ['-i', ifname, 'get_network', String(n.id)];
    const [ssid, keyMgmt, priority] = await Promise.all([
      n.ssid.includes('\\') ? this.call(i, 'ssid', parseNetworkString) : n.ssid,
      this.call(i, 'key_mgmt', parseNetworkWords),
      this.call(i, 'priority', parseNetworkNumber),
    ]);
    return { ssidValue: ssid ?? n.ssid, keyMgmt: keyMgmt ?? [], priority: priority ?? 0 };
  }

  /**
   * The AP the station is associated with as nl80211 reports it (`iw dev <if> link`: receive and
   * transmit rates, signal); undefined without iw or when not associated.
   */
  async link(ifname: string): Promise<IwStation | undefined> {
    const parse = (t: string): IwStation | undefined => parseStationDump(t.replace(/^Connected to /m, 'Station '))[0];
    try {
      return await this.opts.runner.cached('iw', ['dev', ifname, 'link'], this.opts.cacheMs, parse);
    } catch {
      return undefined;
    }
  }

  /** Whether wpa_supplicant writes its networks back to its file on `save_config` (update_config=1). */
  async keepsConfig(ifname: string): Promise<boolean> {
    return (await this.call(['-i', ifname, 'get'], 'update_config', (t) => t.trim() === '1')) ?? false;
  }

  /** `get config_methods` of station `ifname` (the WPS methods it advertises; "FAIL" when unset); undefined when wpa_supplicant does not answer. */
  async configMethods(ifname: string): Promise<string | undefined> {
    return this.call(['-i', ifname, 'get'], 'config_methods', (t) => t.trim());
  }

  /** `get_capability group` of station `ifname` (the group ciphers its build knows: WEP40 WEP104 with WEP); undefined when it does not answer. */
  async groupCiphers(ifname: string): Promise<string[] | undefined> {
    return this.call(['-i', ifname, 'get_capability'], 'group', parseNetworkWords);
  }

  /** Whether network `id` of station `ifname` holds WEP key 0 (`get_network <id> wep_key0` answers "*" for a key it holds, never the key). */
  async hasWepKey(ifname: string, id: number): Promise<boolean> {
    return (await this.call(['-i', ifname, 'get_network', String(id)], 'wep_key0', (t) => t.trim() === '*')) ?? false;
  }

  /**
   * One control command on station `ifname`; its answer (add_network: the new id). Anything but
   * OK (or, for add_network, a number) is a 7002 naming wpa_supplicant's answer.
   */
  async command(ifname: string, args: string[]): Promise<string> {
    const line = ['wpa_cli', '-i', ifname, ...args].join(' ');
    const r = await this.opts.runner.capture('wpa_cli', ['-p', this.opts.dir, '-i', ifname, ...args]);
    this.forget();
    const out = r.stdout.trim();
    const ok = args[0] === 'add_network' ? /^\d+$/.test(out) : out === 'OK';
    if (r.exitCode !== 0 || !ok) throw new UspError(ErrorCode.RequestDenied, `wpa_supplicant refused ${line}: ${(out || r.stderr.trim() || `exit code ${r.exitCode}`).slice(0, 200)}`);
    return out;
  }

  /** `set_network <id> <field> <value>` of a key, on wpa_cli's standard input; the value is in no log line or error. */
  async secret(ifname: string, id: number, field: string, value: string): Promise<void> {
    const command = `set_network ${id} ${field} ${value}`;
    // wpa_cli splits the line into words; a quoted word reaches to the line's last quote.
    if (/[\r\n\0]/.test(value) || cliWords(command).length !== 4) throw new UspError(ErrorCode.InvalidValue, `${field}: wpa_cli would change this value on its way`);
    const display = `wpa_cli -p ${this.opts.dir} -i ${ifname} (stdin: set_network ${id} ${field} ***)`;
    const r = await this.opts.runner.capture('wpa_cli', ['-p', this.opts.dir, '-i', ifname], { input: `${command}\n`, withoutEnv: ['HOME'], display, timeoutMs: SECRET_TIMEOUT_MS }).catch(() => {
      throw new UspError(ErrorCode.RequestDenied, `wpa_supplicant did not answer ${display} within ${SECRET_TIMEOUT_MS / 1000} s`);
    });
    this.forget();
    const answer = wpaInteractiveAnswer(r.stdout);
    if (r.exitCode !== 0 || answer !== 'OK') {
      const why = (answer ?? (r.stderr.trim() || `exit code ${r.exitCode}`)).slice(0, 200).split(value).join('***');
      throw new UspError(ErrorCode.RequestDenied, `wpa_supplicant refused ${display}: ${why}`);
    }
  }

  private async call<T>(iface: string[], command: string, parse: (text: string) => T): Promise<T | undefined> {
    const args = ['-p', this.opts.dir, ...iface, command];
    const line = ['wpa_cli', ...iface, command].join(' ');
    try {
      const out = await this.opts.runner.cached('wpa_cli', args, this.opts.cacheMs, parse);
      if (this.failing.delete(line)) this.opts.log?.info('wpa_supplicant answers again', { command: line });
      return out;
    } catch (e) {
      if (!this.failing.has(line)) {
        this.failing.add(line);
        this.opts.log?.info('wpa_supplicant does not answer: its EndPoint rows are not served', { command: line, why: e instanceof Error ? e.message : String(e) });
      }
      return undefined;
    }
  }

  /** Drops the cached answers, after a write. */
  forget(): void {
    this.opts.runner.invalidate('wpa_cli');
  }
}
