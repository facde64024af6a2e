/**
 * What every platform's Device.VXLAN.Filter.{i}. (TR-181 VXLANAdv:1) shares: the served
 * parameters, the checks of a row before it is kept, its Status and which tunnel Interfaces it
 * applies to.
 *
 * A Filter picks traffic about to be encapsulated: into every tunnel Interface (AllInterfaces),
 * into the Interfaces of one Tunnel (Interface names a Tunnel row) or into one Interface
 * (Interface names a Tunnel.{i}.Interface.{i} row), optionally only frames of (or, with
 * VLANIDExclude, not of) the outer VLAN ID VLANIDCheck; DSCPMarkPolicy is the DSCP the outer IP
 * header of that traffic gets (-1 copy the inner packet's, -2 the device chooses). The highest
 * ordered (lowest Order) matching row applies; traffic no row matches gets its Tunnel's DefaultDSCPMark.
 *
 * The checks refuse (7012, naming the parameter) an Interface that names no Tunnel or tunnel
 * Interface row of this device, and a VLANIDCheck above 4094 (the largest 802.1Q VLAN ID).
 * Status: Disabled; Error_Misconfigured while enabled, not AllInterfaces, and Interface is empty
 * or names a row that has gone (TR-181 requires it); Enabled otherwise.
 */
import type { Value } from '../datamodel/value/Value.js';
import { type BadParam, invalid } from './stored-table.js';

export const VXLAN_FILTER = 'Device.VXLAN.Filter.{i}.';
export const VXLAN_FILTER_TABLE = 'Device.VXLAN.Filter.';
export const VXLAN_FILTER_PARAMS = ['Enable', 'Status', 'Order', 'Alias', 'Interface', 'AllInterfaces', 'VLANIDCheck', 'VLANIDExclude', 'DSCPMarkPolicy'] as const;
export const VXLAN_FILTER_LIVE: ReadonlySet<string> = new Set(['Status']);
/** TR-181 gives DSCPMarkPolicy no default: a new row copies the inner packet's DSCP (-1), which changes nothing about the traffic. */
export const VXLAN_FILTER_DEFAULTS: Readonly<Record<string, Value>> = { DSCPMarkPolicy: -1 };
/** Filters a device keeps at most (7005 beyond). */
export const MAX_VXLAN_FILTERS = 32;
/** The largest 802.1Q VLAN ID. */
const MAX_VLAN_ID = 4094;

const TUNNEL_REF = /^Device\.VXLAN\.Tunnel\.(\d+)(?:\.Interface\.(\d+))?$/;

/** The Tunnel (and, for an Interface row, the Interface) a Filter's Interface names; undefined when it names neither. */
export function filterTarget(ref: Value | undefined): { tunnel: number; iface?: number } | undefined {
  const m = TUNNEL_REF.exec(String(ref ?? ''));
  if (!m) return undefined;
  return m[2] === undefined ? { tunnel: Number(m[1]) } : { tunnel: Number(m[1]), iface: Number(m[2]) };
}

/** Which tunnel rows exist now: Tunnel instance numbers, and each Tunnel's Interface numbers. */
export interface VxlanRows {
  tunnels(): number[];
  interfaces(tunnel: number): number[];
}

/** Whether `ref` names a Tunnel or tunnel Interface row that exists. */
export function targetExists(ref: Value | undefined, rows: VxlanRows): boolean {
  const t = filterTarget(ref);
  if (!t || !rows.tunnels().includes(t.tunnel)) return false;
  return t.iface === undefined || rows.interfaces(t.tunnel).includes(t.iface);
}

/** Checks a Filter row (`merged`: the stored row with `changes` applied); throws 7012 naming each parameter at fault. */
export function checkVxlanFilter(merged: Readonly<Record<string, Value>>, changes: Readonly<Record<string, Value>>, rows: VxlanRows): void {
  const bad: BadParam[] = [];
  const ref = String(merged.Interface ?? '');
  if (changes.Interface !== undefined && ref !== '' && !targetExists(ref, rows)) {
    bad.push({ param: 'Interface', message: `${ref} is no Device.VXLAN.Tunnel.{i} or Tunnel.{i}.Interface.{i} row` });
  }
  if (changes.VLANIDCheck !== undefined && Number(merged.VLANIDCheck) > MAX_VLAN_ID) bad.push({ param: 'VLANIDCheck', message: `a VLAN ID is 0 to ${MAX_VLAN_ID}, or -1 for any` });
  if (bad.length > 0) throw invalid(bad);
}

/** A Filter row's Status (see the file comment). */
export function vxlanFilterStatus(row: Readonly<Record<string, Value>>, rows: VxlanRows): 'Disabled' | 'Enabled' | 'Error_Misconfigured' {
  if (row.Enable !== true) return 'Disabled';
  if (row.AllInterfaces === true) return 'Enabled';
  return targetExists(row.Interface, rows) ? 'Enabled' : 'Error_Misconfigured';
}

/** Whether an Enabled Filter `row` applies to Interface `iface` of Tunnel `tunnel`. */
export function filterAppliesTo(row: Readonly<Record<string, Value>>, tunnel: number, iface: number): boolean {
  if (row.AllInterfaces === true) return true;
  const t = filterTarget(row.Interface);
  return t !== undefined && t.tunnel === tunnel && (t.iface === undefined || t.iface === iface);
}

/** One past the highest Order in use: where a row added without one goes (considered last: Order 1 is the highest precedence, TR-106). */
export function nextFilterOrder(rows: ReadonlyArray<Readonly<Record<string, Value>>>): number {
  return Math.max(0, ...rows.map((r) => Number(r.Order ?? 0))) + 1;
}

/**
 * The Orders to give other rows after one took `order` (TR-106 Order: a row given the Order
 * another holds goes in its place, and those at or after it move up by one). Keyed by instance.
 */
export function reorderedFilters(rows: ReadonlyArray<[number, Readonly<Record<string, Value>>]>, n: number, order: number): Map<number, number> {
  const out = new Map<number, number>();
  if (!rows.some(([k, r]) => k !== n && Number(r.Order) === order)) return out;
  for (const [k, r] of rows) if (k !== n && Number(r.Order) >= order) out.set(k, Number(r.Order) + 1);
  return out;
}
