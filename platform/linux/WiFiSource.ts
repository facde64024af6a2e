/**
 * Where Device.WiFi. on generic Linux reads from: hostapd's control interface (`hostapd_cli -p
 * <dir>`, one socket per BSS in the control directory) for the access points it runs, and `iw`
 * (nl80211) for the radios, the interfaces' channel and power, and the stations' counters.
 *
 * Every answer goes through the shared CommandRunner's cache for `cacheMs`, so a whole-tree Get
 * runs each command line once. A missing tool or a dead hostapd is not an error of the model: the
 * read gives empty tables and the reason is logged once (until the source answers again).
 */
import type { Logger } from '../../datamodel/Logger.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import { parseMacAcl } from './wifi-mac-access.js';
import { hostapdBss, type HostapdBss, type HostapdStation, parseAllSta, parseInterfaces, parseKeyValues } from './wifi-hostapd-cli.js';
import { type IwChannel, type IwInterface, type IwPhy, type IwStation, parseIwChannels, parseIwDev, parseIwPhy, parseIwRegCountry, parseStationDump } from './wifi-iw.js';

/** Debian's and OpenWrt's hostapd `ctrl_interface` (/var/run is /run on current distributions). */
export const DEFAULT_HOSTAPD_DIR = '/var/run/hostapd';

/** How many times one read lists hostapd's BSSes again when beforeRead asks ("relist"). */
const MAX_RELISTS = 2;

/** At most this many BSSes are read (each costs two hostapd_cli calls per read). */
const MAX_BSS = 64;

/** One BSS hostapd runs, with what `iw dev` says of its interface. */
export interface WiFiBss extends HostapdBss {
  iw?: IwInterface;
}

/** One read of every BSS: the radios are the phys that run at least one. */
export interface WiFiSnapshot {
  bsses: Map<string, WiFiBss>;
  /** phy name → its BSS interfaces, in hostapd's order. */
  radios: Map<string, string[]>;
}

export interface WiFiSourceOptions {
  runner: CommandRunner;
  /** hostapd's control directory (`ctrl_interface`). */
  hostapdDir: string;
  cacheMs: number;
  log?: Logger;
  /**
   * Called with the BSSes hostapd lists, before they are read (wifi-reapply.ts, wifi-added.ts):
   * true when it wrote to hostapd, "relist" when it added or removed a BSS or found the list stale (listed again).
   */
  beforeRead?: (ifnames: readonly string[]) => Promise<boolean | 'relist'>;
}

/** The station of a BSS: hostapd's view (association, flags) merged with nl80211's counters. */
export interface WiFiStation {
  mac: string;
  hostapd?: HostapdStation;
  iw?: IwStation;
}

export class WiFiSource {
  /** Radio.{i} by phy name; SSID.{i} and AccessPoint.{i} share one numbering by interface name. */
  readonly radios = new InstanceMap();
  readonly bssNumbers = new InstanceMap();
  private readonly stationNumbers = new Map<string, InstanceMap>();
  private readonly failing = new Set<string>();

  constructor(private readonly opts: WiFiSourceOptions) {}

  /** Instance numbers of the stations of BSS `ifname`, by MAC address. */
  stationsOf(ifname: string): InstanceMap {
    let m = this.stationNumbers.get(ifname);
    if (!m) this.stationNumbers.set(ifname, (m = new InstanceMap()));
    return m;
  }

  /** Every BSS hostapd runs now (an empty snapshot when hostapd or iw does not answer). */
  async read(): Promise<WiFiSnapshot> {
    // In name order (wlan0 before wlan1, phy0 before phy1), so the first listing numbers rows as a person would.
    const byName = (x: string, y: string): number => x.localeCompare(y, 'en', { numeric: true });
    const listed = async (): Promise<string[]> => ((await this.hostapd([], 'interface', parseInterfaces)) ?? []).slice(0, MAX_BSS).sort(byName);
    let names = await listed();
    // hostapd restarted: what the agent holds is sent again before anything is read of it.
    let wrote = await this.opts.beforeRead?.(names);
    // A stale list (a BSS gone), then a BSS added again: each lists once more, at most MAX_RELISTS times a read.
    for (let i = 0; wrote === 'relist' && i < MAX_RELISTS; i++) {
      this.forget();
      names = await listed();
      wrote = await this.opts.beforeRead?.(names);
    }
    if (wrote) this.forget();
    const bsses = new Map<string, WiFiBss>();
    const radios = new Map<string, string[]>();
    for (const ifname of names) {
      const [status, config, info] = await Promise.all([
        this.hostapd(['-i', ifname], 'status', parseKeyValues),
        this.hostapd(['-i', ifname], 'get_config', parseKeyValues),
        this.iw(['dev', ifname, 'info'], parseIwDev),
      ]);
      if (!status || !config) continue;
      const iface = info?.[0];
      const bss: WiFiBss = { ...hostapdBss(ifname, status, config), iw: iface };
      const phy = bss.phy ?? iface?.phy;
      if (!phy) continue;
      bss.phy = phy;
      bsses.set(ifname, bss);
      radios.set(phy, [...(radios.get(phy) ?? []), ifname]);
    }
    return { bsses, radios: new Map([...radios].sort(([x], [y]) => byName(x, y))) };
  }

  /** The BSS of SSID/AccessPoint instance `n` (7016 when it never existed, undefined when gone). */
  async bss(n: number | undefined): Promise<WiFiBss | undefined> {
    return (await this.read()).bsses.get(this.bssNumbers.requireKey(n));
  }

  /** What `iw phy` says of `phy`: one call describes every radio. */
  async phy(phy: string): Promise<IwPhy | undefined> {
    return (await this.iw(['phy'], parseIwPhy))?.find((p) => p.phy === phy);
  }

  /** How many BSSes radio `phy` can run together (`iw phy`'s interface combinations). */
  async apLimit(phy: string): Promise<number> {
    return (await this.phy(phy))?.apLimit ?? 1;
  }

  /** `iw phy <phy> channels`. */
  async channels(phy: string): Promise<IwChannel[]> {
    return (await this.iw(['phy', phy, 'channels'], parseIwChannels)) ?? [];
  }

  /** The regulatory country (`iw reg get`). */
  async country(): Promise<string | undefined> {
    return this.iw(['reg', 'get'], parseIwRegCountry);
  }

  /** hostapd's accept list of BSS `ifname` (`accept_acl SHOW`); empty when hostapd does not answer it. */
  async acceptList(ifname: string): Promise<string[]> {
    return (await this.hostapd(['-i', ifname, 'accept_acl'], 'SHOW', parseMacAcl)) ?? [];
  }

  /** The stations of BSS `ifname`: hostapd's `all_sta` and `iw dev <if> station dump`, by MAC. */
  async stations(ifname: string): Promise<WiFiStation[]> {
    const [sta, dump] = await Promise.all([this.hostapd(['-i', ifname], 'all_sta', parseAllSta), this.iw(['dev', ifname, 'station', 'dump'], parseStationDump)]);
    const out = new Map<string, WiFiStation>();
    // hostapd knows which stations are associated to the BSS; nl80211 also lists stations still authenticating.
    for (const s of sta ?? []) out.set(s.mac, { mac: s.mac, hostapd: s });
    for (const s of dump ?? []) {
      const known = out.get(s.mac);
      if (known) known.iw = s;
      else if (!sta) out.set(s.mac, { mac: s.mac, iw: s });
    }
    return [...out.values()];
  }

  private async hostapd<T>(iface: string[], command: string, parse: (text: string) => T): Promise<T | undefined> {
    return this.call('hostapd_cli', ['-p', this.opts.hostapdDir, ...iface, command], parse);
  }

  private async iw<T>(args: string[], parse: (text: string) => T): Promise<T | undefined> {
    return this.call('iw', args, parse);
  }

  private async call<T>(cmd: string, args: string[], parse: (text: string) => T): Promise<T | undefined> {
    const line = [cmd, ...args].join(' ');
    try {
      const out = await this.opts.runner.cached(cmd, args, this.opts.cacheMs, parse);
      if (this.failing.delete(line)) this.opts.log?.info('Wi-Fi source answers again', { command: line });
      return out;
    } catch (e) {
      if (!this.failing.has(line)) {
        this.failing.add(line);
        this.opts.log?.info('Wi-Fi source does not answer: its rows are not served', { command: line, why: e instanceof Error ? e.message : String(e) });
      }
      return undefined;
    }
  }

  /** Drops the cached answers, after a write. */
  forget(): void {
    this.opts.runner.invalidate('hostapd_cli');
    this.opts.runner.invalidate('iw');
  }
}
