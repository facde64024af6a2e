/**
 * The Wi-Fi configuration and instance numbering shared by the Radio, SSID, AccessPoint and
 * AssociatedDevice providers.
 *
 * Radios come from `ubus call network.wireless status` (netifd's wifi-devices, with their `up`
 * state). The BSSes come from the UCI `wireless` config (`uci -q -X show wireless`): every
 * wifi-iface section is an SSID row, those in mode "ap" an AccessPoint row too, so a section
 * with `disabled 1` (which netifd leaves out of its status altogether) stays a row that reads
 * Enable=false. netifd's status adds the kernel interface ("phy1-ap0") of each running one; it
 * names an anonymous section "@wifi-iface[N]" (netifd before its ucode rewrite) or by libuci's
 * name (after), both matched here. Live values come from one `ubus call iwinfo info` per up
 * interface. Rows are keyed by UCI section; libuci renumbers anonymous sections (`cfg<position>
 * <hash>`) when an earlier one is deleted, and those renames at our own writes are followed
 * (WiFiState.write), so a row keeps its instance number.
 *
 * An SSID a Controller added has no AccessPoint until one is added for it: the agent marks its
 * wifi-iface `usp_ap '0'` (an option of its own, which netifd and hostapd ignore) and keeps it
 * disabled, since OpenWrt runs every enabled wifi-iface in its mode. An AccessPoint whose
 * SSIDReference a Controller emptied is marked `usp_ap 'detached'` on the section that holds its
 * settings (wifi-ap-ssid-reference.ts).
 */
import fs from 'node:fs/promises';
import { noSuchInstance } from './convert.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { IwinfoFreqlist, IwinfoInfo, IwinfoTxPowerlist, WirelessStatus } from './ubus-types.js';
import type { BoardWlanEntry } from './wifi-radio-caps.js';
import { NETWORK_RELOAD, type UciStage, type UciWriter } from './uci.js';
import { stringOption, uciBool, type UciConfig } from './uci-show.js';
import { trackedUciWrite } from './uci-tracked-write.js';

export interface RadioEntry {
  /** UCI section, e.g. "radio1". */
  name: string;
  up: boolean;
  disabled: boolean;
  config: Record<string, unknown>;
  ifaces: IfaceEntry[];
}

export interface IfaceEntry {
  /** UCI section, e.g. "default_radio1". */
  section: string;
  /** Kernel interface while up, e.g. "phy1-ap0". */
  ifname?: string;
  /** "ap", "sta", "mesh", ... */
  mode: string;
  radio: RadioEntry;
  /** The section's UCI options. */
  config: Record<string, unknown>;
  /** UCI `disabled`: netifd does not run it. */
  disabled: boolean;
  /** Whether it is an AccessPoint row: mode "ap" and not an SSID still waiting for its AP (`usp_ap '0'`). */
  hasAp: boolean;
  /**
   * An AccessPoint row whose SSIDReference a Controller emptied (`usp_ap 'detached'`): its
   * settings stay on this section, which stays disabled, until it names an SSID again.
   */
  apDetached: boolean;
}

export interface WiFiSnapshot {
  radios: Map<string, RadioEntry>;
  ifaces: Map<string, IfaceEntry>;
}

/** `usp_ap` of a wifi-iface holding an AccessPoint whose SSIDReference is empty (wifi-ap-ssid-reference.ts). */
export const DETACHED = 'detached';

/** netifd re-reads wireless configuration on the network reload too; /sbin/wifi calls the same. */
export const WIFI_RELOAD = NETWORK_RELOAD;

export class WiFiState {
  readonly radios = new InstanceMap();
  readonly ssids = new InstanceMap();
  readonly aps = new InstanceMap();
  /** Device.WiFi.EndPoint rows: the wifi-iface sections in mode "sta" (wifi-endpoint.ts). */
  readonly endpoints = new InstanceMap();

  constructor(
    readonly ctx: OpenWrtContext,
    private readonly uci: UciWriter,
    /** OpenWrt's board description, whose `wlan` entries wifi-detect fills from nl80211. */
    private readonly boardFile = '/etc/board.json',
  ) {}

  async read(): Promise<WiFiSnapshot> {
    const status = await this.ctx.ubus<WirelessStatus>('network.wireless', 'status');
    // No radio, no wireless config to read (a device without Wi-Fi may have no /etc/config/wireless).
    const snap = parseWireless(status, Object.keys(status).length > 0 ? await this.ctx.uci('wireless') : []);
    // Number every row on every reading, in section order, whatever a Get reads first.
    this.radios.list(snap.radios.keys());
    this.ssids.list(snap.ifaces.keys());
    this.aps.list(apSections(snap));
    this.endpoints.list([...snap.ifaces.values()].filter((f) => f.mode === 'sta').map((f) => f.section));
    return snap;
  }

  /**
   * One write to the wireless config (then `network reload`, which makes netifd re-read it),
   * moving instance numbers across the renames of anonymous sections it caused.
   */
  async write(stage: (s: UciStage) => Promise<void>): Promise<void> {
    const sections = async (): Promise<string[]> => (await this.ctx.uci('wireless')).map((s) => s.name);
    const { renames } = await trackedUciWrite(this.uci, 'wireless', WIFI_RELOAD, await sections(), sections, () => this.forget(), stage);
    this.ssids.rekey(renames);
    this.aps.rekey(renames);
    this.endpoints.rekey(renames);
  }

  /** Live state of one up interface. */
  info(ifname: string): Promise<IwinfoInfo> {
    return this.ctx.ubus<IwinfoInfo>('iwinfo', 'info', { device: ifname });
  }

  /**
   * The channels the radio's phy offers: `iwinfo freqlist` on the radio's UCI name, which iwinfo
   * resolves to its phy (nl80211 wiphy), so a radio that is down answers too.
   */
  freqlist(r: RadioEntry): Promise<IwinfoFreqlist> {
    return this.ctx.ubus<IwinfoFreqlist>('iwinfo', 'freqlist', { device: r.name });
  }

  /** The radio's transmit power levels (whole dBm from 0 to the current channel's maximum). */
  txpowerlist(r: RadioEntry): Promise<IwinfoTxPowerlist> {
    return this.ctx.ubus<IwinfoTxPowerlist>('iwinfo', 'txpowerlist', { device: r.name });
  }

  /**
   * board.json's `wlan` entries (undefined when the file is missing or unreadable: an image
   * without wifi-detect), read at most once per cache window like a ubus answer.
   */
  async boardWlan(): Promise<Record<string, BoardWlanEntry> | undefined> {
    const now = this.ctx.now();
    if (this.board && now - this.board.at < this.ctx.cacheMs) return this.board.wlan;
    let wlan: Record<string, BoardWlanEntry> | undefined;
    try {
      const parsed = JSON.parse(await fs.readFile(this.boardFile, 'utf8')) as { wlan?: Record<string, BoardWlanEntry> };
      wlan = parsed.wlan;
    } catch {
      wlan = undefined;
    }
    this.board = { at: now, wlan };
    return wlan;
  }
  private board?: { at: number; wlan: Record<string, BoardWlanEntry> | undefined };

  /** iwinfo info of a BSS that is up, undefined for one that is not. */
  async liveInfo(f: IfaceEntry): Promise<IwinfoInfo | undefined> {
    return f.radio.up && f.ifname && !f.disabled ? this.info(f.ifname) : undefined;
  }

  async radio(n: number | undefined): Promise<RadioEntry> {
    const r = (await this.read()).radios.get(this.radios.keyOf(n) ?? '');
    if (!r) throw noSuchInstance('radio', n);
    return r;
  }

  async ssid(n: number | undefined): Promise<IfaceEntry> {
    const f = (await this.read()).ifaces.get(this.ssids.keyOf(n) ?? '');
    if (!f) throw noSuchInstance('SSID', n);
    return f;
  }

  async ap(n: number | undefined): Promise<IfaceEntry> {
    const f = (await this.read()).ifaces.get(this.aps.keyOf(n) ?? '');
    if (!f?.hasAp) throw noSuchInstance('access point', n);
    return f;
  }

  /** The AccessPoint instance serving a kernel interface (hostapd.<ifname> events). */
  async apOfIfname(ifname: string): Promise<{ n: number; iface: IfaceEntry } | undefined> {
    for (const f of (await this.read()).ifaces.values()) {
      if (f.ifname === ifname && f.hasAp) return { n: this.aps.numberOf(f.section), iface: f };
    }
    return undefined;
  }

  /** Forgets cached Wi-Fi answers after a write or an event. */
  forget(): void {
    this.ctx.forgetUci('wireless');
    this.ctx.forget('network.wireless');
    this.ctx.forget('iwinfo');
  }
}

/** The sections of the AccessPoint rows, in section order. */
export function apSections(snap: WiFiSnapshot): string[] {
  return [...snap.ifaces.values()].filter((f) => f.hasAp).map((f) => f.section);
}

/**
 * Radios from netifd's status; BSSes from the UCI wifi-iface sections (in file order) whose
 * `device` is one of those radios, with the kernel interface netifd reports for the running ones.
 */
export function parseWireless(status: WirelessStatus, config: UciConfig): WiFiSnapshot {
  const radios = new Map<string, RadioEntry>();
  const ifnames = new Map<string, string>();
  for (const name of Object.keys(status).sort()) {
    const s = status[name];
    radios.set(name, { name, up: s.up === true, disabled: s.disabled === true || truthy(s.config?.disabled), config: s.config ?? {}, ifaces: [] });
    for (const i of s.interfaces ?? []) if (i.ifname) ifnames.set(i.section, i.ifname);
  }
  const ifaces = new Map<string, IfaceEntry>();
  config
    .filter((s) => s.type === 'wifi-iface')
    .forEach((s, index) => {
      // ucode netifd serves one wifi-iface on several radios when `device` lists them; the first is its Radio here.
      const radio = radios.get(stringOption(s.options.device)?.split(/\s+/)[0] ?? '');
      if (!radio) return;
      const mode = stringOption(s.options.mode) ?? 'ap';
      const f: IfaceEntry = {
        section: s.name,
        ifname: ifnames.get(s.name) ?? ifnames.get(`@wifi-iface[${index}]`),
        mode,
        radio,
        config: s.options,
        disabled: uciBool(s.options.disabled, false),
        hasAp: mode === 'ap' && stringOption(s.options.usp_ap) !== '0',
        apDetached: mode === 'ap' && stringOption(s.options.usp_ap) === DETACHED,
      };
      radio.ifaces.push(f);
      ifaces.set(s.name, f);
    });
  return { radios, ifaces };
}

/** UCI booleans: 1/0, true/false, on/off, yes/no (and JSON booleans from netifd). */
export function truthy(v: unknown): boolean {
  return v === true || v === 1 || ['1', 'true', 'on', 'yes', 'enabled'].includes(String(v));
}
