/**
 * The bridges of OpenWrt's network configuration as netifd reads them (`config.c`, `bridge.c`):
 * pure functions over a parsed `uci -X show network`, no I/O.
 *
 * - A bridge is a `config device` with `type 'bridge'` and a `name` (OpenWrt 21.02+), or an
 *   older `config interface` with `type 'bridge'`, which netifd names "br-<section>". Its ports
 *   are the `ports` list (`ifname` before 21.02; netifd renames it).
 * - Each `config bridge-vlan` names its bridge in `device` and its VLAN in `vlan`; each `ports`
 *   entry is "<port>[:<flags>]": untagged unless the flags hold "t", the port's PVID if they hold
 *   "*"; LuCI also writes "u" for untagged, which netifd ignores. A section without a usable
 *   VLAN ID is skipped, and a later section for the same VLAN ID replaces an earlier one, both as
 *   netifd does. netifd reads only `vlan`, `local`, `ports` and `alias` there: TR-181's VLAN Name
 *   is kept in `description`, an option of ours it ignores.
 */
import { listOption, stringOption, uciBool, type UciConfig, type UciSection } from './uci-show.js';

/** One `ports` entry of a bridge-vlan section. */
export interface VlanPortEntry {
  port: string;
  untagged: boolean;
  /** The "*" flag: untagged frames arriving on the port belong to this VLAN. */
  pvid: boolean;
  /** The entry as UCI holds it, written back unchanged when another entry changes. */
  raw: string;
}

export interface VlanConfig {
  /** UCI section name, valid until the next commit renames it. */
  section: string;
  vid: number;
  /** TR-181 VLAN Name: our `description` option. */
  name: string;
  /** Every entry of `ports`, in order, as written (including ones that do not parse). */
  raw: string[];
  /**
   * Whether `uci add_list` can append to `ports`: it is absent, a list, or one word. An option
   * holding several space-separated entries (which netifd also accepts) would gain an item that
   * is the whole old string.
   */
  appendable: boolean;
  /** The parsed entries, one per port (netifd applies the first entry of a port). */
  ports: VlanPortEntry[];
}

export interface BridgeConfig {
  /** The bridge device, e.g. "br-lan". */
  name: string;
  section: string;
  /** The device's `enabled` option (default on). */
  enabled: boolean;
  /** Configured member ports, in order. */
  ports: string[];
  /** The option holding them: `ports`, or `ifname` before OpenWrt 21.02. */
  portsOption: 'ports' | 'ifname';
  /** Whether `uci add_list`/`del_list` can edit it (absent, a list, or one word), as VlanConfig.appendable. */
  portsAppendable: boolean;
  vlans: VlanConfig[];
  /** netifd turns VLAN filtering on for a bridge with bridge-vlan sections, or when told to. */
  vlanAware: boolean;
  /** `ageing_time`, seconds; absent: the kernel's default. */
  agingTime?: number;
}

/** IEEE 802.1Q VLAN IDs usable on a port; 0 and 4095 are reserved (TR-181 VLANID range). */
export const MIN_VID = 1;
export const MAX_VID = 4094;

/** The bridges configured in `network`, in section order. */
export function parseBridges(config: UciConfig): BridgeConfig[] {
  const out: BridgeConfig[] = [];
  for (const s of config) {
    const name = bridgeName(s);
    if (name === undefined || out.some((b) => b.name === name)) continue;
    const aging = Number(stringOption(s.options.ageing_time));
    out.push({
      name,
      section: s.name,
      enabled: uciBool(s.options.enabled, true),
      ports: [...new Set(listOption(s.options.ports ?? s.options.ifname))],
      portsOption: s.options.ports === undefined && s.options.ifname !== undefined ? 'ifname' : 'ports',
      portsAppendable: typeof (s.options.ports ?? s.options.ifname) !== 'string' || !/\s/.test(String(s.options.ports ?? s.options.ifname)),
      vlans: [],
      vlanAware: uciBool(s.options.vlan_filtering, false),
      agingTime: Number.isInteger(aging) && aging >= 0 ? aging : undefined,
    });
  }
  for (const s of config) {
    if (s.type !== 'bridge-vlan') continue;
    const bridge = out.find((b) => b.name === stringOption(s.options.device));
    const vid = parseVid(stringOption(s.options.vlan));
    if (!bridge || vid === undefined) continue;
    const value = s.options.ports;
    const raw = listOption(value);
    const ports: VlanPortEntry[] = [];
    for (const r of raw) {
      const e = parsePortEntry(r);
      if (e && !ports.some((p) => p.port === e.port)) ports.push(e);
    }
    const vlan: VlanConfig = {
      section: s.name,
      vid,
      name: stringOption(s.options.description) ?? '',
      raw,
      ports,
      appendable: typeof value !== 'string' || !/\s/.test(value),
    };
    const i = bridge.vlans.findIndex((v) => v.vid === vid);
    if (i >= 0) bridge.vlans[i] = vlan;
    else bridge.vlans.push(vlan);
    bridge.vlanAware = true;
  }
  return out;
}

function bridgeName(s: UciSection): string | undefined {
  if (stringOption(s.options.type) !== 'bridge') return undefined;
  if (s.type === 'device') return stringOption(s.options.name);
  return s.type === 'interface' ? `br-${s.name}` : undefined;
}

function parseVid(v: string | undefined): number | undefined {
  const n = /^\d+$/.test(v ?? '') ? Number(v) : NaN;
  return n >= MIN_VID && n <= MAX_VID ? n : undefined;
}

/** "lan1:u*" → lan1, untagged, PVID; "lan2:t" → tagged; "lan3" → untagged. */
export function parsePortEntry(raw: string): VlanPortEntry | undefined {
  const m = /^([^:\s]+)(?::([^\s]*))?$/.exec(raw);
  if (!m) return undefined;
  const flags = m[2] ?? '';
  return { port: m[1], untagged: !flags.includes('t'), pvid: flags.includes('*'), raw };
}

/** The entry LuCI would write: "lan1:u*", "lan2:t", "lan3:u". */
export function formatPortEntry(port: string, untagged: boolean, pvid: boolean): string {
  return `${port}:${untagged ? 'u' : 't'}${pvid ? '*' : ''}`;
}

/**
 * The VLAN untagged frames arriving on `port` join, as netifd's bridge_recalc_member_pvid
 * picks it walking the VLANs in ID order: the last one whose entry has "*", else the first
 * the port is an untagged member of. 1 (TR-181's default) when there is none: such frames are
 * then dropped, which PVID cannot express.
 */
export function portPvid(bridge: BridgeConfig, port: string): number {
  let pvid: number | undefined;
  for (const v of [...bridge.vlans].sort((a, b) => a.vid - b.vid)) {
    const e = v.ports.find((p) => p.port === port);
    if (e && (e.pvid || (e.untagged && pvid === undefined))) pvid = v.vid;
  }
  return pvid ?? 1;
}
