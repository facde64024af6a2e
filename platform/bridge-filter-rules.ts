/**
 * Device.Bridging.Filter.{i}. (TR-181 BridgeFilter:1, BridgeFilter:2, BridgeL3L4Filter:1): what
 * a Filter row means, shared by the platforms that serve it.
 *
 * A Filter classifies the frames arriving on one bridge port (Interface) into a Bridge. Its
 * criteria are all ANDed; each list criterion admits a frame as its Exclude flag says (false:
 * only frames matching one list item, an empty list none; true: every frame but those, an empty
 * list every frame). The IP/port criteria of BridgeL3L4Filter:1 hold only for IP frames. TR-106
 * Order: for a frame, the matching Filter with the lowest Order applies.
 *
 * What a frame no Filter of its port matches becomes is not said by TR-181 beyond "the Bridge
 * admits only those packets that match": here it is not admitted (dropped) when its port has at
 * least one enabled Filter, and a port without Filters is not classified at all.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Value } from '../datamodel/value/Value.js';
import { IP_PORT_CRITERIA, num, ruleProblems } from './firewall-rule-checks.js';
import type { BadParam } from './stored-table.js';

/** The classification criteria of BridgeFilter:1 on the frame's own headers (VLAN, Ethertype, MACs). */
export const L2_PARAMS = [
  'VLANIDFilter',
  'EthertypeFilterList',
  'EthertypeFilterExclude',
  'SourceMACAddressFilterList',
  'SourceMACAddressFilterExclude',
  'DestMACAddressFilterList',
  'DestMACAddressFilterExclude',
] as const;

/** BridgeL3L4Filter:1's criteria on the IP and transport headers. */
export const L3L4_PARAMS = IP_PORT_CRITERIA;

/** Criteria on the MAC addresses of hosts that sent a DHCP option (vendor class, client ID, user class). */
export const DHCP_PARAMS = [
  'DHCPType',
  'SourceMACFromVendorClassIDFilter',
  'SourceMACFromVendorClassIDFilterv6',
  'SourceMACFromVendorClassIDFilterExclude',
  'SourceMACFromVendorClassIDMode',
  'DestMACFromVendorClassIDFilter',
  'DestMACFromVendorClassIDFilterv6',
  'DestMACFromVendorClassIDFilterExclude',
  'DestMACFromVendorClassIDMode',
  'SourceMACFromClientIDFilter',
  'SourceMACFromClientIDFilterExclude',
  'DestMACFromClientIDFilter',
  'DestMACFromClientIDFilterExclude',
  'SourceMACFromUserClassIDFilter',
  'SourceMACFromUserClassIDFilterExclude',
  'DestMACFromUserClassIDFilter',
  'DestMACFromUserClassIDFilterExclude',
] as const;

/** The row's own parameters (Status is computed). */
export const FILTER_BASE_PARAMS = ['Enable', 'Alias', 'Bridge', 'Order', 'Interface'] as const;

export const FILTER_PARAMS = [...FILTER_BASE_PARAMS, 'Status', ...L2_PARAMS, ...L3L4_PARAMS, ...DHCP_PARAMS] as const;

const MAC_RE = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;

/** A list parameter's items ("" is the empty list). */
export function items(v: Value | undefined): string[] {
  const s = String(v ?? '');
  return s === '' ? [] : s.split(',').map((x) => x.trim());
}

const yes = (v: Value | undefined): boolean => v === true;

/**
 * What makes a Filter row's criteria impossible, each naming its parameter (7012): MAC list
 * items that are no MAC address, Ethertypes beyond 16 bits, and the IP/port checks the firewall
 * Rules share (address family, prefix, port range, a port criterion on a portless protocol).
 */
export function filterProblems(r: Readonly<Record<string, Value>>): BadParam[] {
  const bad: BadParam[] = [];
  for (const param of ['SourceMACAddressFilterList', 'DestMACAddressFilterList'] as const) {
    const wrong = items(r[param]).filter((m) => !MAC_RE.test(m));
    if (wrong.length > 0) bad.push({ param, message: `${wrong.join(', ')}: not a MAC address (xx:xx:xx:xx:xx:xx)` });
  }
  const types = items(r.EthertypeFilterList).filter((t) => !/^\d+$/.test(t) || Number(t) > 0xffff);
  if (types.length > 0) bad.push({ param: 'EthertypeFilterList', message: `${types.join(', ')}: an Ethertype is 0..65535` });
  const vid = num(r.VLANIDFilter, 0);
  if (!Number.isInteger(vid) || vid < 0 || vid > 4094) bad.push({ param: 'VLANIDFilter', message: `${String(r.VLANIDFilter)} is not within 0..4094` });
  // The Rule checks, without the Rule-only parameters; a mixed-family complaint names the addresses.
  for (const b of ruleProblems({ ...r, Target: 'Drop', IPVersion: -1, DSCP: -1 }))
    bad.push(b.param === 'IPVersion' ? { param: 'DestIP', message: 'SourceIP and DestIP are of different IP versions' } : b);
  return bad;
}

/** The empty criteria of a Bridge or Interface that leave an enabled row inoperable (TR-181: Error_Misconfigured). */
export function missingReferences(r: Readonly<Record<string, Value>>): string[] {
  return (['Bridge', 'Interface'] as const).filter((p) => String(r[p] ?? '') === '');
}

/** The rows in TR-106 Order: lowest Order first; a tie, the Order written last first (`$ordered`), then by instance. */
export function inOrder<T extends Readonly<Record<string, Value>>>(rows: ReadonlyArray<[number, T]>): Array<[number, T]> {
  return [...rows].sort(([a, x], [b, y]) => num(x.Order, 0) - num(y.Order, 0) || num(y.$ordered, 0) - num(x.$ordered, 0) || a - b);
}

/** One past the highest Order in use: where a row added without one goes (after the others). */
export function nextOrder(rows: ReadonlyArray<[number, Readonly<Record<string, Value>>]>): number {
  return Math.max(0, ...rows.map(([, r]) => num(r.Order, 0))) + 1;
}

/** A frame as the simulated LAN's classifier sees it. */
export interface Frame {
  vlan?: number;
  ethertype: number;
  sourceMac: string;
  destMac: string;
  ip?: { source: string; dest: string; protocol: number; sourcePort?: number; destPort?: number };
}

/** Whether `addr` is in `ip` with `mask`'s prefix (the whole address when none); IPv4 only beside exact IPv6 equality. */
function inPrefix(addr: string, ip: string, mask: Value | undefined): boolean {
  const len = /\/(\d{1,3})$/.exec(String(mask ?? ''));
  if (isIPv4(addr) && isIPv4(ip)) {
    const bits = len ? Number(len[1]) : 32;
    const n = (a: string): number => a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    const div = 2 ** (32 - bits);
    return Math.floor(n(addr) / div) === Math.floor(n(ip) / div);
  }
  return isIPv6(addr) && isIPv6(ip) && addr.toLowerCase() === ip.toLowerCase();
}

/** Whether a list criterion admits `value` (see the file comment). */
function listAdmits(list: Value | undefined, exclude: Value | undefined, hit: (item: string) => boolean): boolean {
  const found = items(list).some(hit);
  return yes(exclude) ? !found : found;
}

/** Whether a port criterion (-1: none) admits `port`. */
function portAdmits(r: Readonly<Record<string, Value>>, side: 'Source' | 'Dest', port: number | undefined): boolean {
  const lo = num(r[`${side}Port`]);
  if (lo === -1) return true;
  const max = num(r[`${side}PortRangeMax`]);
  const hi = max === -1 ? lo : max;
  if (port === undefined) return false;
  return (port >= lo && port <= hi) !== yes(r[`${side}PortExclude`]);
}

/** Whether Filter row `r`'s frame criteria (not its Interface) match `f`. The DHCP-derived criteria are not looked at. */
export function filterMatches(r: Readonly<Record<string, Value>>, f: Frame): boolean {
  const vid = num(r.VLANIDFilter, 0);
  if (vid !== 0 && f.vlan !== vid) return false;
  if (!listAdmits(r.EthertypeFilterList, r.EthertypeFilterExclude ?? true, (t) => Number(t) === f.ethertype)) return false;
  const mac = (m: string) => (item: string) => item.toLowerCase() === m.toLowerCase();
  if (!listAdmits(r.SourceMACAddressFilterList, r.SourceMACAddressFilterExclude ?? true, mac(f.sourceMac))) return false;
  if (!listAdmits(r.DestMACAddressFilterList, r.DestMACAddressFilterExclude ?? true, mac(f.destMac))) return false;
  const l3 = L3L4_PARAMS.some((p) => !p.endsWith('Exclude') && !p.endsWith('Mask') && String(r[p] ?? '') !== '' && String(r[p]) !== '-1');
  if (!l3) return true;
  if (!f.ip) return false;
  for (const side of ['Source', 'Dest'] as const) {
    const ip = String(r[`${side}IP`] ?? '');
    if (ip !== '' && inPrefix(side === 'Source' ? f.ip.source : f.ip.dest, ip, r[`${side}Mask`]) === yes(r[`${side}IPExclude`])) return false;
  }
  const protocol = num(r.Protocol);
  if (protocol !== -1 && (f.ip.protocol === protocol) === yes(r.ProtocolExclude)) return false;
  return portAdmits(r, 'Source', f.ip.sourcePort) && portAdmits(r, 'Dest', f.ip.destPort);
}
