/**
 * What every platform's Device.VXLAN. (TR-181 VXLANBasic:1) shares: the served parameters of
 * Tunnel.{i}. and Tunnel.{i}.Interface.{i}., their bounds, and the checks of a row before it is
 * kept. A Tunnel holds where the delivery packets go (RemoteEndpoints, RemotePort, SourcePort,
 * DefaultDSCPMark); each of its Interfaces is one VXLAN segment (a VNI) that a bridge or an IP
 * interface can stack on.
 *
 * The checks refuse (7012, naming the parameter) what no device can carry: a remote endpoint
 * that is not an IP address of the DeliveryHeaderProtocol's family (FQDNs are not resolved: the
 * kernel's VXLAN device takes one address), a DSCP above 63, a VNI of 0 (reserved here: peers
 * such as netifd treat 0 as "unset") or two Interfaces of one Tunnel with the same VNI (the
 * kernel keeps one VXLAN socket per VNI and port, so the second would not carry anything).
 * VNI -1 asks the agent for one: the lowest free in the Tunnel is kept in its place.
 *
 * KeepAlivePolicy, KeepAliveTimeout and KeepAliveThreshold are writable only where the platform
 * sends ICMP keepalives (Linux with a `ping`; the simulated gateway, whose WAN answers every
 * echo); elsewhere they are read-only at their defaults
 * (None), so a Set never claims a keepalive nobody sends. KeepAliveTimeout is 1 to 3600 s and
 * KeepAliveThreshold at least 1.
 */
import { isIP } from 'node:net';
import type { Value } from '../datamodel/value/Value.js';
import { type BadParam, invalid, type Row } from './stored-table.js';

export const VXLAN_TUNNEL = 'Device.VXLAN.Tunnel.{i}.';
export const VXLAN_TUNNEL_STATS = `${VXLAN_TUNNEL}Stats.`;
export const VXLAN_INTERFACE = `${VXLAN_TUNNEL}Interface.{i}.`;
export const VXLAN_INTERFACE_STATS = `${VXLAN_INTERFACE}Stats.`;

export const VXLAN_TUNNEL_PARAMS = [
  'Enable',
  'Status',
  'Alias',
  'RemoteEndpoints',
  'KeepAlivePolicy',
  'KeepAliveTimeout',
  'KeepAliveThreshold',
  'DeliveryHeaderProtocol',
  'DefaultDSCPMark',
  'ConnectedRemoteEndpoint',
  'SourcePort',
  'RemotePort',
] as const;
/** Read from the device (or the simulation), never stored. */
export const VXLAN_TUNNEL_LIVE: ReadonlySet<string> = new Set(['Status', 'ConnectedRemoteEndpoint']);
/** What a Set can change where no keepalive is sent: not the KeepAlive parameters (see the file comment). */
export const VXLAN_TUNNEL_WRITABLE = ['Enable', 'Alias', 'RemoteEndpoints', 'DeliveryHeaderProtocol', 'DefaultDSCPMark', 'SourcePort', 'RemotePort'] as const;
/** What a Set can change where the platform sends ICMP keepalives. */
export const VXLAN_TUNNEL_WRITABLE_KEEPALIVE = [...VXLAN_TUNNEL_WRITABLE, 'KeepAlivePolicy', 'KeepAliveTimeout', 'KeepAliveThreshold'] as const;
/** A new Tunnel: disabled, IPv4 (TR-181 gives DeliveryHeaderProtocol no default), no endpoint. */
export const VXLAN_TUNNEL_DEFAULTS: Readonly<Record<string, Value>> = { Enable: false, RemoteEndpoints: '', DeliveryHeaderProtocol: 'IPv4' };

export const VXLAN_INTERFACE_PARAMS = ['Enable', 'Status', 'Alias', 'Name', 'LastChange', 'LowerLayers', 'VNI'] as const;
export const VXLAN_INTERFACE_LIVE: ReadonlySet<string> = new Set(['Status', 'Name', 'LastChange']);
export const VXLAN_INTERFACE_WRITABLE = ['Enable', 'Alias', 'LowerLayers', 'VNI'] as const;
export const VXLAN_INTERFACE_DEFAULTS: Readonly<Record<string, Value>> = { Enable: false, LowerLayers: '', VNI: 1 };

/**
 * Interface.{i}.Stats counters (VXLANAdv:1) that VXLAN cannot move: its header (RFC 7348) has
 * no checksum and no sequence number of its own. The outer UDP checksum is checked by the
 * kernel's UDP layer before the VXLAN device sees the datagram, and a bad one is counted only
 * host-wide (UdpInCsumErrors), never against the tunnel; so both stay 0 on every platform.
 */
export const VXLAN_INTERFACE_DISCARDS: Readonly<Record<string, Value>> = { DiscardChecksumReceived: 0, DiscardSequenceNumberReceived: 0 };

/** Tunnels a device keeps at most, and Interfaces per Tunnel (7005 beyond). */
export const MAX_VXLAN_TUNNELS = 8;
export const MAX_VXLAN_INTERFACES = 16;
/** The largest VNI (24 bits, RFC 7348). */
export const MAX_VNI = 16_777_215;
const MAX_DSCP = 63;
/** The longest keepalive period (and echo wait) taken, seconds. */
const MAX_KEEPALIVE_S = 3600;

/** The endpoints of a RemoteEndpoints list, in order of precedence. */
export function endpointsOf(value: Value | undefined): string[] {
  return String(value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Checks a Tunnel row (the stored row with `changes` applied); throws 7012 naming each parameter at fault. */
export function checkVxlanTunnel(merged: Readonly<Record<string, Value>>, changes: Readonly<Record<string, Value>>): void {
  const bad: BadParam[] = [];
  const family = merged.DeliveryHeaderProtocol === 'IPv6' ? 6 : 4;
  if (changes.RemoteEndpoints !== undefined || changes.DeliveryHeaderProtocol !== undefined) {
    for (const e of endpointsOf(merged.RemoteEndpoints)) {
      if (isIP(e) !== family) {
        bad.push({ param: 'RemoteEndpoints', message: `${e} is not an IPv${family} address (DeliveryHeaderProtocol IPv${family}; names are not resolved)` });
        break;
      }
    }
  }
  if (changes.DefaultDSCPMark !== undefined && Number(merged.DefaultDSCPMark) > MAX_DSCP) bad.push({ param: 'DefaultDSCPMark', message: `a DSCP is 0 to ${MAX_DSCP}` });
  // An echo every KeepAliveTimeout seconds, each waiting as long: 0 would be a flood.
  if (changes.KeepAliveTimeout !== undefined && !(Number(merged.KeepAliveTimeout) >= 1 && Number(merged.KeepAliveTimeout) <= MAX_KEEPALIVE_S)) {
    bad.push({ param: 'KeepAliveTimeout', message: `must be 1 to ${MAX_KEEPALIVE_S} seconds` });
  }
  if (changes.KeepAliveThreshold !== undefined && Number(merged.KeepAliveThreshold) < 1) bad.push({ param: 'KeepAliveThreshold', message: 'at least one unanswered keepalive' });
  if (bad.length > 0) throw invalid(bad);
}

/**
 * Checks an Interface row `merged` of instance `n` (0: being added) against the Tunnel's other
 * Interfaces; returns it with a VNI of -1 replaced by the lowest one free. Throws 7012 naming
 * each parameter at fault; `lowerExists` says whether a LowerLayers reference names a row the
 * platform can carry the tunnel over.
 */
export async function checkVxlanInterface(
  n: number,
  merged: Record<string, Value>,
  changes: Readonly<Record<string, Value>>,
  others: Iterable<[number, Row]>,
  lowerExists: (ref: string) => boolean | Promise<boolean>,
): Promise<Record<string, Value>> {
  const bad: BadParam[] = [];
  const ll = String(merged.LowerLayers ?? '');
  if (changes.LowerLayers !== undefined && ll !== '' && (ll.includes(',') || !(await lowerExists(ll)))) {
    bad.push({ param: 'LowerLayers', message: `${ll} is not one IP interface of this device` });
  }
  const taken = new Set<number>();
  for (const [k, row] of others) if (k !== n) taken.add(Number(row.VNI));
  let vni = Number(merged.VNI);
  if (changes.VNI !== undefined || n === 0) {
    if (vni === -1) {
      vni = 1;
      while (taken.has(vni)) vni++;
    } else if (!Number.isInteger(vni) || vni < 1 || vni > MAX_VNI) bad.push({ param: 'VNI', message: `must be 1 to ${MAX_VNI}, or -1 for the device to choose` });
    else if (taken.has(vni)) bad.push({ param: 'VNI', message: `VNI ${vni} is another Interface of this Tunnel already` });
  }
  if (bad.length > 0) throw invalid(bad);
  return { ...merged, VNI: vni };
}
