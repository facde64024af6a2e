/**
 * Device.Bridging.Bridge.{i}.Port.{i}.PVID on OpenWrt, written as netifd reads it: the VLAN whose
 * `config bridge-vlan` entry for the port carries "*" (netifd's bridge_recalc_member_pvid: the
 * last "*", else the first untagged membership). A new PVID puts "*" on the port's entry in that
 * VLAN's section (an untagged entry "lan1:u*" when the port is no member yet, as LuCI writes an
 * access port) and takes it off the port's entries elsewhere; every section touched has its
 * `ports` list rewritten in order, as LuCI saves it. A VLAN ID with no bridge-vlan section on the
 * bridge, or a bridge without VLANs, is refused (7012) with nothing written: netifd would ignore
 * the PVID (add the VLAN first).
 */
import type { Value } from '../../datamodel/value/Value.js';
import { formatPortEntry, parsePortEntry, type BridgeConfig } from './bridge-config.js';
import { refused } from './convert.js';
import type { UciStage } from './uci.js';

/** The `ports` lists to write for `port`'s new PVID, section by section; 7012 when no section has that VLAN. */
export function pvidChanges(bridge: BridgeConfig, port: string, pvid: Value): Array<{ section: string; raw: readonly string[]; next: string[] }> {
  const vid = Number(pvid);
  const target = bridge.vlans.find((v) => v.vid === vid);
  if (!target) {
    throw refused([{ param: 'PVID', message: `bridge ${bridge.name} has no bridge-vlan section for VLAN ${String(pvid)}: add that VLAN first` }]);
  }
  const out: Array<{ section: string; raw: readonly string[]; next: string[] }> = [];
  for (const v of bridge.vlans) {
    let member = false;
    const next = v.raw.map((raw) => {
      const e = parsePortEntry(raw);
      if (!e || e.port !== port) return raw;
      member = true;
      return v === target ? formatPortEntry(port, e.untagged, true) : e.pvid ? formatPortEntry(port, e.untagged, false) : raw;
    });
    if (v === target && !member) next.push(formatPortEntry(port, true, true));
    if (next.some((r, i) => r !== v.raw[i]) || next.length !== v.raw.length) out.push({ section: v.section, raw: v.raw, next });
  }
  return out;
}

/** Stages the rewritten `ports` lists (deleting an absent option would fail). */
export async function writePvid(s: UciStage, changes: ReturnType<typeof pvidChanges>): Promise<void> {
  for (const c of changes) {
    if (c.raw.length > 0) await s.set({ section: c.section, option: 'ports', value: '', remove: true });
    for (const value of c.next) await s.set({ section: c.section, option: 'ports', value, append: true });
  }
}
