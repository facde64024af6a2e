/**
 * The Wi-Fi configuration and instance numbering shared by the Radio, SSID, AccessPoint and
 * AssociatedDevice providers.
 *
 * Which radios and BSSes exist, and their UCI section names (needed to write), come from one
 * `ubus call network.wireless status`: radios by section ("radio1"), each with its wifi-iface
 * sections ("default_radio1") and, while up, their kernel interface ("phy1-ap0"). Live values
 * come from one `ubus call iwinfo info {"device":<ifname>}` per up interface. Rows are keyed by
 * UCI section, which survives the interface going down and being renamed.
 *
 * netifd leaves a wifi-iface with `disabled 1` out of its status altogether, so this platform
 * cannot disable an SSID without its row disappearing; see the Enable handling in wifi-ssid.ts.
 */
import { noSuchInstance } from './convert.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { IwinfoInfo, WirelessStatus } from './ubus-types.js';
import { NETWORK_RELOAD } from './uci.js';

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
  config: Record<string, unknown>;
}

export interface WiFiSnapshot {
  radios: Map<string, RadioEntry>;
  ifaces: Map<string, IfaceEntry>;
}

/** netifd re-reads wireless configuration on the network reload too; /sbin/wifi calls the same. */
export const WIFI_RELOAD = NETWORK_RELOAD;

export class WiFiState {
  readonly radios = new InstanceMap();
  readonly ssids = new InstanceMap();
  readonly aps = new InstanceMap();

  constructor(readonly ctx: OpenWrtContext) {}

  async read(): Promise<WiFiSnapshot> {
    const snap = parseWireless(await this.ctx.ubus<WirelessStatus>('network.wireless', 'status'));
    // Number every row on every reading, in section order, whatever a Get reads first.
    this.radios.list(snap.radios.keys());
    this.ssids.list(snap.ifaces.keys());
    this.aps.list([...snap.ifaces.values()].filter((f) => f.mode === 'ap').map((f) => f.section));
    return snap;
  }

  /** Live state of one up interface. */
  info(ifname: string): Promise<IwinfoInfo> {
    return this.ctx.ubus<IwinfoInfo>('iwinfo', 'info', { device: ifname });
  }

  /** iwinfo info of a BSS that is up, undefined for one that is not. */
  async liveInfo(f: IfaceEntry): Promise<IwinfoInfo | undefined> {
    return f.radio.up && f.ifname ? this.info(f.ifname) : undefined;
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
    if (!f || f.mode !== 'ap') throw noSuchInstance('access point', n);
    return f;
  }

  /** The AccessPoint instance serving a kernel interface (hostapd.<ifname> events). */
  async apOfIfname(ifname: string): Promise<{ n: number; iface: IfaceEntry } | undefined> {
    for (const f of (await this.read()).ifaces.values()) {
      if (f.ifname === ifname && f.mode === 'ap') return { n: this.aps.numberOf(f.section), iface: f };
    }
    return undefined;
  }

  /** Forgets cached Wi-Fi answers after a write or an event. */
  forget(): void {
    this.ctx.forget('network.wireless');
    this.ctx.forget('iwinfo');
  }
}

export function parseWireless(status: WirelessStatus): WiFiSnapshot {
  const radios = new Map<string, RadioEntry>();
  const ifaces = new Map<string, IfaceEntry>();
  for (const name of Object.keys(status).sort()) {
    const s = status[name];
    const radio: RadioEntry = { name, up: s.up === true, disabled: s.disabled === true || truthy(s.config?.disabled), config: s.config ?? {}, ifaces: [] };
    radios.set(name, radio);
    for (const i of s.interfaces ?? []) {
      const config = i.config ?? {};
      const f: IfaceEntry = { section: i.section, ifname: i.ifname, mode: String(config.mode ?? 'ap'), radio, config };
      radio.ifaces.push(f);
      ifaces.set(i.section, f);
    }
  }
  return { radios, ifaces };
}

/** UCI booleans: 1/0, true/false, on/off, yes/no (and JSON booleans from netifd). */
export function truthy(v: unknown): boolean {
  return v === true || v === 1 || ['1', 'true', 'on', 'yes', 'enabled'].includes(String(v));
}
